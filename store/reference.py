"""Reference data: the code's initial authorities and topic areas, and the admins' changes to
authorities and reporting periods (page "Stammdaten").

Each change by an admin is one write transaction with its audit entry; ``data_version`` is
bumped by :func:`store.connection.write_transaction`, so cached figures (Meldequote, missing
reports, recommendations) refresh at once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import duckdb

from data.reference import AUTHORITIES, AUTHORITY_KIND_LABELS, TOPIC_AREAS, parse_period
from loaders.text import fold
from store import connection as db
from store.audit import write_audit, write_refusal
from store.errors import Refused
from store.identity import Identity

MAX_NAME = 200
MAX_SHORT_NAME = 60
MAX_ID = 60
# A due date this far after the period's end is almost certainly a typo (2062 for 2026).
MAX_DUE_AFTER_END = timedelta(days=366)
_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_SLUG_FOLD = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})
CODE_AUTHORITY_IDS = frozenset(a.id for a in AUTHORITIES)


def upsert_reference(cur: duckdb.DuckDBPyConnection) -> None:
    """Insert the authorities and topic areas of ``data.reference`` that are missing; runs
    inside the caller's transaction on every start.

    Existing rows are never overwritten: once the database exists, admins own the reference
    data (page "Stammdaten": names, short names, whether an authority is expected to report),
    and refreshing from code on the next start would silently undo their edits — and with
    them the Meldequote they decided on. The code list only seeds a new database and adds
    authorities or topic areas introduced by a later release.
    """
    cur.executemany(
        "INSERT INTO authority (id, name, short_name, kind, parent_id) VALUES (?, ?, ?, ?, ?) "
        "ON CONFLICT (id) DO NOTHING",
        [(a.id, a.name, a.short_name, a.kind, a.parent_id) for a in AUTHORITIES],
    )
    cur.executemany(
        "INSERT INTO topic_area (id, name) VALUES (?, ?) ON CONFLICT (id) DO NOTHING",
        list(TOPIC_AREAS),
    )


def ensure_period(cur: duckdb.DuckDBPyConnection, period_id: str) -> None:
    """Create the reporting period row if it does not exist yet (any ``YYYY-Qn`` is valid).

    An existing row is left alone, so a due date an admin set stays in force."""
    start, end, due = parse_period(period_id)
    cur.execute(
        "INSERT INTO reporting_period (id, start_date, end_date, due_date) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (id) DO NOTHING",
        [period_id, start, end, due],
    )


def authorities(cur: duckdb.DuckDBPyConnection) -> list[tuple[str, str, str, str]]:
    """(id, name, short name, kind) of every authority, for resolving user input."""
    return cur.execute("SELECT id, name, short_name, kind FROM authority ORDER BY id").fetchall()


def is_empty(cur: duckdb.DuckDBPyConnection) -> bool:
    """True while no authority exists: the database was just created."""
    row = cur.execute("SELECT count(*) FROM authority").fetchone()
    return not row or row[0] == 0


# --- Admin changes (page "Stammdaten") ---------------------------------------------------------


class ReferenceChangeRefused(Refused):
    """A change of reference data that is not allowed."""


@dataclass(frozen=True)
class ReferenceChange:
    """What was written; ``message`` is German, for the page."""

    changed: bool
    message: str
    authority_id: str | None = None
    period_id: str | None = None


def derive_authority_id(short_name: str) -> str:
    """A stable id from the short name, in the style of the code's ids (``ba-mitte``)."""
    text = short_name.strip().lower().translate(_SLUG_FOLD)
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")[:MAX_ID].strip("-")


def add_authority(
    *,
    identity: Identity,
    name: str,
    short_name: str,
    kind: str,
    authority_id: str | None = None,
    parent_id: str | None = None,
    expected_to_report: bool = True,
    at: datetime | None = None,
) -> ReferenceChange:
    """Create an authority; the id is derived from the short name unless given."""
    _require_admin(identity, attempted="Behörde anlegen")
    name, short_name = _clean_names(name=name, short_name=short_name)
    new_id = (authority_id or "").strip().lower() or derive_authority_id(short_name)
    if not _ID.match(new_id) or len(new_id) > MAX_ID:
        raise ReferenceChangeRefused(
            f"Die Kennung „{new_id}“ ist ungültig: nur Kleinbuchstaben a–z, Ziffern und "
            f"Bindestriche, höchstens {MAX_ID} Zeichen (z. B. „ba-mitte“)."
        )
    if kind not in AUTHORITY_KIND_LABELS:
        raise ReferenceChangeRefused(
            f"Unbekannte Art „{kind}“. Erlaubt: " + ", ".join(AUTHORITY_KIND_LABELS.values()) + "."
        )
    parent_id = (parent_id or "").strip() or None
    with db.write_transaction() as cur:
        existing = _all_authorities(cur)
        # Names first: for a derived id, a clash of the short name is what the admin typed.
        _check_unique(existing, authority_id=new_id, name=name, short_name=short_name, own=None)
        if new_id in existing:
            raise ReferenceChangeRefused(
                f"Die Kennung „{new_id}“ ist schon vergeben ({existing[new_id][1]}). Bitte "
                "eine andere Kennung eingeben."
            )
        if parent_id is not None and parent_id not in existing:
            raise ReferenceChangeRefused(f"Die übergeordnete Behörde „{parent_id}“ gibt es nicht.")
        cur.execute(
            "INSERT INTO authority (id, name, short_name, kind, parent_id, expected_to_report) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            [new_id, name, short_name, kind, parent_id, expected_to_report],
        )
        change = (
            f"Behörde angelegt: {short_name} ({name}), {AUTHORITY_KIND_LABELS[kind]}"
            + (f", übergeordnet {existing[parent_id][1]}" if parent_id else "")
            + f"; meldet Vorhaben: {_yes_no(expected_to_report)}"
        )
        write_audit(
            cur,
            actor=identity.name,
            role=identity.role,
            action="authority_added",
            authority_id=new_id,
            detail={"change": change},
            at=at,
        )
    return ReferenceChange(
        changed=True,
        message=f"Behörde „{short_name}“ (Kennung {new_id}) ist angelegt.",
        authority_id=new_id,
    )


def update_authority(
    *,
    identity: Identity,
    authority_id: str,
    name: str,
    short_name: str,
    expected_to_report: bool,
    at: datetime | None = None,
) -> ReferenceChange:
    """Change name, short name and whether the authority is expected to report.

    Its id and kind stay: submissions, filters and links refer to the id, and the kind decides
    which sections count the authority's history."""
    _require_admin(identity, attempted="Behörde ändern", authority_id=authority_id)
    name, short_name = _clean_names(name=name, short_name=short_name)
    try:
        parts = _update_authority(
            identity=identity,
            authority_id=authority_id,
            name=name,
            short_name=short_name,
            expected_to_report=expected_to_report,
            at=at,
        )
    except _NoChange as exc:
        return ReferenceChange(changed=False, message=exc.message, authority_id=authority_id)
    return ReferenceChange(
        changed=True,
        message=f"„{short_name}“ gespeichert: " + "; ".join(parts) + ".",
        authority_id=authority_id,
    )


def _update_authority(
    *,
    identity: Identity,
    authority_id: str,
    name: str,
    short_name: str,
    expected_to_report: bool,
    at: datetime | None,
) -> list[str]:
    with db.write_transaction() as cur:
        existing = _all_authorities(cur)
        if authority_id not in existing:
            raise ReferenceChangeRefused(f"Die Behörde „{authority_id}“ gibt es nicht (mehr).")
        old_name, old_short, old_expected = existing[authority_id][:3]
        _check_unique(
            existing, authority_id=authority_id, name=name, short_name=short_name, own=authority_id
        )
        parts = []
        if name != old_name:
            parts.append(f"Name „{old_name}“ → „{name}“")
        if short_name != old_short:
            parts.append(f"Kurzname „{old_short}“ → „{short_name}“")
        if expected_to_report != old_expected:
            parts.append(
                f"meldet Vorhaben: {_yes_no(old_expected)} → {_yes_no(expected_to_report)}"
            )
        if not parts:
            # Nothing to write: leave the transaction without a data_version bump.
            raise _NoChange(f"Keine Änderung an „{old_short}“ – nichts gespeichert.")
        cur.execute(
            "UPDATE authority SET name = ?, short_name = ?, expected_to_report = ? WHERE id = ?",
            [name, short_name, expected_to_report, authority_id],
        )
        write_audit(
            cur,
            actor=identity.name,
            role=identity.role,
            action="authority_changed",
            authority_id=authority_id,
            detail={"change": f"{old_short}: " + "; ".join(parts)},
            at=at,
        )
    return parts


def remove_authority(
    *, identity: Identity, authority_id: str, at: datetime | None = None
) -> ReferenceChange:
    """Delete an authority added by mistake: only one that nothing refers to.

    An authority with submissions is history and stays (mark it as no longer reporting
    instead); one from the code's reference list would come back on the next start."""
    _require_admin(identity, attempted="Behörde löschen", authority_id=authority_id)
    with db.write_transaction() as cur:
        existing = _all_authorities(cur)
        if authority_id not in existing:
            raise ReferenceChangeRefused(f"Die Behörde „{authority_id}“ gibt es nicht (mehr).")
        short = existing[authority_id][1]
        if authority_id in CODE_AUTHORITY_IDS:
            raise ReferenceChangeRefused(
                f"„{short}“ gehört zu den fest hinterlegten Behörden und kann nicht gelöscht "
                "werden. Wenn sie nicht mehr meldet, bitte „meldet Vorhaben“ abwählen."
            )
        uses = _references(cur, authority_id)
        if uses:
            raise ReferenceChangeRefused(
                f"„{short}“ kann nicht gelöscht werden, weil Daten auf sie verweisen ("
                + ", ".join(uses)
                + "). Wenn sie nicht mehr meldet, bitte „meldet Vorhaben“ abwählen."
            )
        cur.execute("DELETE FROM authority WHERE id = ?", [authority_id])
        write_audit(
            cur,
            actor=identity.name,
            role=identity.role,
            action="authority_removed",
            authority_id=authority_id,
            detail={"change": f"Behörde gelöscht: {short} ({existing[authority_id][0]})"},
            at=at,
        )
    return ReferenceChange(
        changed=True, message=f"Behörde „{short}“ ist gelöscht.", authority_id=authority_id
    )


def set_due_date(
    *, identity: Identity, period_id: str, due_date: date, at: datetime | None = None
) -> ReferenceChange:
    """Set a period's due date (Meldefrist); creates the period row if it does not exist yet,
    so the due date of the coming quarter can be announced before the first report."""
    _require_admin(identity, attempted="Meldefrist ändern", period_id=period_id)
    try:
        start, end, default_due = parse_period(period_id)
    except ValueError as exc:
        raise ReferenceChangeRefused(
            f"„{period_id}“ ist keine Berichtsperiode (Form 2026-Q3)."
        ) from exc
    if isinstance(due_date, datetime):
        due_date = due_date.date()
    if due_date < start:
        raise ReferenceChangeRefused(
            f"Die Meldefrist {_german(due_date)} liegt vor dem Beginn der Periode {period_id} "
            f"({_german(start)}). Bitte ein Datum ab dem {_german(start)} wählen."
        )
    if due_date > end + MAX_DUE_AFTER_END:
        raise ReferenceChangeRefused(
            f"Die Meldefrist {_german(due_date)} liegt mehr als ein Jahr nach dem Ende der "
            f"Periode {period_id} ({_german(end)}). Bitte das Datum prüfen."
        )
    try:
        _write_due_date(
            identity=identity,
            period_id=period_id,
            due_date=due_date,
            bounds=(start, end, default_due),
            at=at,
        )
    except _NoChange as exc:
        return ReferenceChange(changed=False, message=exc.message, period_id=period_id)
    return ReferenceChange(
        changed=True,
        message=f"Meldefrist für {period_id} ist jetzt der {_german(due_date)}.",
        period_id=period_id,
    )


def _write_due_date(
    *,
    identity: Identity,
    period_id: str,
    due_date: date,
    bounds: tuple[date, date, date],
    at: datetime | None,
) -> None:
    start, end, default_due = bounds
    with db.write_transaction() as cur:
        row = cur.execute(
            "SELECT due_date FROM reporting_period WHERE id = ?", [period_id]
        ).fetchone()
        old = row[0] if row else None
        if old == due_date:
            raise _NoChange(
                f"Die Meldefrist für {period_id} ist schon der {_german(due_date)} – nichts "
                "gespeichert."
            )
        if row is None:
            cur.execute(
                "INSERT INTO reporting_period (id, start_date, end_date, due_date) "
                "VALUES (?, ?, ?, ?)",
                [period_id, start, end, due_date],
            )
            change = (
                f"Periode {period_id} angelegt, Meldefrist {_german(due_date)} "
                f"(regulär {_german(default_due)})"
            )
        else:
            cur.execute(
                "UPDATE reporting_period SET due_date = ? WHERE id = ?", [due_date, period_id]
            )
            change = f"Meldefrist {period_id}: {_german(old)} → {_german(due_date)}"
        write_audit(
            cur,
            actor=identity.name,
            role=identity.role,
            action="period_due_date_changed",
            period_id=period_id,
            detail={"change": change},
            at=at,
        )


class _NoChange(ReferenceChangeRefused):
    """Raised inside the transaction to roll it back (no write, no data_version bump)."""


def _require_admin(
    identity: Identity,
    *,
    attempted: str,
    authority_id: str | None = None,
    period_id: str | None = None,
) -> None:
    if identity.role == "admin":
        return
    write_refusal(
        actor=identity.name,
        role=identity.role,
        action="action_refused",
        authority_id=authority_id,
        period_id=period_id,
        detail={"attempted": attempted, "required": ["admin"]},
    )
    raise ReferenceChangeRefused(
        "Nur die Datenverantwortlichen des CDO-Büros dürfen Stammdaten ändern.",
        detail=f"{identity.role} {identity.name} may not change reference data",
    )


def _clean_names(*, name: str, short_name: str) -> tuple[str, str]:
    name, short_name = " ".join(name.split()), " ".join(short_name.split())
    if not name:
        raise ReferenceChangeRefused("Bitte den Namen der Behörde angeben.")
    if not short_name:
        raise ReferenceChangeRefused("Bitte einen Kurznamen angeben (z. B. „BA Mitte“).")
    if len(name) > MAX_NAME:
        raise ReferenceChangeRefused(f"Der Name ist zu lang (höchstens {MAX_NAME} Zeichen).")
    if len(short_name) > MAX_SHORT_NAME:
        raise ReferenceChangeRefused(
            f"Der Kurzname ist zu lang (höchstens {MAX_SHORT_NAME} Zeichen)."
        )
    return name, short_name


def _all_authorities(cur: duckdb.DuckDBPyConnection) -> dict[str, tuple[str, str, bool]]:
    """id → (name, short name, expected to report), read inside the writing transaction."""
    rows = cur.execute("SELECT id, name, short_name, expected_to_report FROM authority").fetchall()
    return {str(r[0]): (str(r[1]), str(r[2]), bool(r[3])) for r in rows}


def _check_unique(
    existing: dict[str, tuple[str, str, bool]],
    *,
    authority_id: str,
    name: str,
    short_name: str,
    own: str | None,
) -> None:
    """Uploads and the command line find an authority by id, short or full name, compared
    folded (``loaders.authorities.resolve_authority``); a name another authority answers to
    would make that lookup ambiguous. ``own`` is the authority being edited (not a clash)."""
    for other, (other_name, other_short, _expected) in existing.items():
        if other == own:
            continue
        keys = {fold(other), fold(other_name), fold(other_short)}
        if fold(short_name) in keys:
            raise ReferenceChangeRefused(
                f"Den Kurznamen „{short_name}“ führt schon „{other_short}“ ({other_name}). "
                "Kurznamen müssen eindeutig sein."
            )
        if fold(name) in keys:
            raise ReferenceChangeRefused(
                f"Den Namen „{name}“ führt schon „{other_short}“. Namen müssen eindeutig sein."
            )
        if fold(authority_id) in keys:
            raise ReferenceChangeRefused(
                f"Die Kennung „{authority_id}“ ist schon vergeben ({other_short}). Bitte "
                "eine andere Kennung eingeben."
            )


def _references(cur: duckdb.DuckDBPyConnection, authority_id: str) -> list[str]:
    """German descriptions of the data that refers to ``authority_id`` (empty: none)."""
    counts = cur.execute(
        """
        SELECT
            (SELECT count(*) FROM submission WHERE authority_id = $id),
            (SELECT count(*) FROM authority WHERE parent_id = $id),
            (SELECT count(*) FROM service WHERE responsible_authority_id = $id)
              + (SELECT count(*) FROM catalog_entry WHERE responsible_authority_id = $id),
            (SELECT count(*) FROM service_status WHERE provider_authority_id = $id),
            (SELECT count(*) FROM column_mapping WHERE authority_id = $id)
        """,
        {"id": authority_id},
    ).fetchone()
    labels = (
        "Meldungen",
        "nachgeordnete Behörden",
        "Leistungen im Katalog",
        "Angebote im Leistungsstand",
        "gespeicherte Spaltenzuordnungen",
    )
    return [f"{n} {label}" for n, label in zip(counts or (), labels, strict=True) if n]


def _yes_no(flag: bool) -> str:
    return "ja" if flag else "nein"


def _german(value: date) -> str:
    return value.strftime("%d.%m.%Y")
