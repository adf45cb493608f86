"""E-Akte rollout status (kind ``eakte``): fields, validation and collection files.

Two shapes arrive. An authority reports its own status (one row, the ``Behörde`` column may be
missing); it goes through the generic path (``loaders.ingest``) like every other kind, and a row
naming another authority is an error there. The E-Akte programme office collects the status of
many authorities in one file (``Behörde`` column, one row per authority). Such a *collection* is
stored as **one submission per authority, all in one transaction**
(:func:`ingest_collection`), because the current state, the reporting history, review and
publication all work per authority and period: each authority's E-Akte figures then have
exactly the same life cycle as figures it sent itself. Collections are the CDO office's job:
only an admin may submit one (checked here, whatever the caller offered); a coordinator
reports the own authority's status as a single report. Guard, reader, header mapping,
validation and the store writers are the same functions the generic path uses.

Collections arrive on the command line (``python -m loaders.eakte DATEI --period 2026-Q3
[--publish]``) and on the page "Daten einreichen" (admins, kind :data:`COLLECTION_LABEL`).
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Literal

import numpy as np
import pandas as pd

from loaders import convert
from loaders.errors import LoaderError, NotAllowed, Problem
from loaders.fields import FieldSpec
from loaders.header import MappedTable
from loaders.problem_collector import Collector, blank, column, extra_columns, raw_frame
from loaders.text import fold

if TYPE_CHECKING:
    import duckdb

    from loaders.kinds import KindSpec, Validated, ValidationContext
    from loaders.preview import Preview
    from loaders.service_values import AuthorityTable
    from store.identity import Identity

log = logging.getLogger(__name__)

KIND = "eakte"

EAKTE_STATUS_LABELS: dict[str, str] = {
    "planned": "geplant",
    "pilot": "Pilot",
    "rollout": "Rollout",
    "productive": "produktiv",
}
_STATUS_SYNONYMS: dict[str, tuple[str, ...]] = {
    "planned": (
        "geplant",
        "in Planung",
        "Planung",
        "Vorbereitung",
        "in Vorbereitung",
        "nicht begonnen",
        "planned",
    ),
    "pilot": ("Pilot", "Pilotierung", "Pilotbetrieb", "im Pilot", "in Pilotierung", "pilot"),
    "rollout": (
        "Rollout",
        "Roll-out",
        "Einführung",
        "in Einführung",
        "Ausrollung",
        "flächendeckende Einführung",
        "rollout",
    ),
    "productive": (
        "produktiv",
        "Produktivbetrieb",
        "im Betrieb",
        "in Betrieb",
        "eingeführt",
        "abgeschlossen",
        "live",
        "productive",
    ),
}
EAKTE_STATUS_BY_KEY: dict[str, str] = {
    fold(word): code
    for code, words in _STATUS_SYNONYMS.items()
    for word in (*words, code, EAKTE_STATUS_LABELS[code])
}

EAKTE_FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec(
        "authority",
        "Behörde",
        "text",
        ("Dienststelle", "Behördenname", "Organisationseinheit", "Verwaltung", "authority"),
        help="Kennung, Kurzname oder Name der Behörde; in einer Sammeldatei Pflicht",
    ),
    FieldSpec(
        "status",
        "Status",
        "enum",
        ("Einführungsstatus", "Stand", "Status E-Akte", "E-Akte-Status", "status"),
        required=True,
        help="geplant, Pilot, Rollout oder produktiv",
    ),
    FieldSpec(
        "golive_planned",
        "Go-Live geplant",
        "date",
        (
            "geplanter Go-Live",
            "Go-Live (geplant)",
            "Go-Live Plan",
            "Produktivstart geplant",
            "Einführung geplant",
            "planned go-live",
        ),
    ),
    FieldSpec(
        "golive_actual",
        "Go-Live ist",
        "date",
        (
            "Go-Live (Ist)",
            "Go-Live Ist",
            "tatsächlicher Go-Live",
            "Produktivstart",
            "Produktivstart (Ist)",
            "actual go-live",
        ),
    ),
    FieldSpec(
        "workplaces_in_scope",
        "Arbeitsplätze gesamt",
        "integer",
        (
            "Arbeitsplätze",
            "Arbeitsplätze im Geltungsbereich",
            "Arbeitsplätze (Soll)",
            "Arbeitsplätze Soll",
            "Anzahl Arbeitsplätze",
            "workplaces in scope",
        ),
        required=True,
        help="Arbeitsplätze, die die E-Akte bekommen sollen",
    ),
    FieldSpec(
        "workplaces_live",
        "davon mit E-Akte",
        "integer",
        (
            "Arbeitsplätze mit E-Akte",
            "E-Akte-Arbeitsplätze",
            "Arbeitsplätze live",
            "Arbeitsplätze (Ist)",
            "davon E-Akte",
            "workplaces live",
        ),
        required=True,
        help="Arbeitsplätze, an denen die E-Akte produktiv genutzt werden kann",
    ),
    FieldSpec(
        "accounts",
        "Konten",
        "integer",
        ("Benutzerkonten", "Nutzerkonten", "eingerichtete Konten", "Accounts", "accounts"),
    ),
    FieldSpec(
        "active_users",
        "aktive Nutzer",
        "integer",
        (
            "aktive Nutzerinnen und Nutzer",
            "aktive Benutzer",
            "aktive Nutzende",
            "Nutzer aktiv",
            "active users",
        ),
    ),
    FieldSpec(
        "legacy_migrated_pct",
        "Altakten migriert in %",
        "percent",
        (
            "Altakten migriert",
            "Anteil migrierter Altakten",
            "Migration Altbestand",
            "Migration Altakten",
            "legacy migrated",
        ),
    ),
    FieldSpec("remarks", "Bemerkungen", "text", ("Bemerkung", "Anmerkung", "Hinweise", "remarks")),
)

_INTEGERS = ("workplaces_in_scope", "workplaces_live", "accounts", "active_users")
_OUTPUT_COLUMNS = (
    "source_row",
    "authority_id",
    "status",
    "golive_planned",
    "golive_actual",
    "workplaces_in_scope",
    "workplaces_live",
    "accounts",
    "active_users",
    "legacy_migrated_pct",
    "remarks",
    "extra_columns",
)


def validate_eakte(
    table: MappedTable,
    *,
    authorities: AuthorityTable,
    authority_names: dict[str, str],
    submitting_authority: str | None,
    period_end: pd.Timestamp | None = None,
) -> Validated:
    """Convert and check every cell; collects all problems at once.

    ``submitting_authority`` is the authority a single report belongs to (rows naming another
    authority are errors); ``None`` reads the file as a collection, where every row must name
    its authority.
    """
    from loaders.kinds import Validated

    raw = raw_frame(table)
    c = Collector(raw, table, EAKTE_FIELDS)
    out = pd.DataFrame(index=raw.index)
    out["source_row"] = table.row_numbers

    texts = {name: convert.texts(column(raw, name)) for name in ("authority", "status", "remarks")}
    for spec in EAKTE_FIELDS:
        if spec.required and spec.name in raw:
            empty = convert.texts(raw[spec.name]).isna()
            c.add(empty, spec.name, f"Pflichtfeld „{spec.label}“ ist leer.")

    # Authority of every row.
    named = texts["authority"]
    resolved = named.map(lambda v: authorities.resolve(v) if isinstance(v, str) else None)
    c.add(
        named.notna() & resolved.isna(),
        "authority",
        lambda v: (
            f"Unbekannte Behörde „{v}“. Bitte Kennung, Kurzname oder vollen Namen angeben "
            "(z. B. „ba-mitte“, „BA Mitte“ oder „Bezirksamt Mitte“)."
        ),
    )
    if submitting_authority is None:
        if "authority" not in raw:
            c.file_problem(
                "Die Spalte „Behörde“ fehlt: In einer Sammeldatei muss jede Zeile ihre "
                "Behörde nennen."
            )
        else:
            c.add(named.isna(), "authority", "Pflichtfeld „Behörde“ ist leer.")
        authority_id = resolved
    else:
        own_name = authority_names.get(submitting_authority, submitting_authority)
        c.add(
            resolved.notna() & (resolved != submitting_authority),
            "authority",
            lambda v: (
                f"Die Zeile gehört zur Behörde „{v}“, nicht zur meldenden Behörde „{own_name}“. "
                "Eine Meldung darf nur den E-Akte-Stand der eigenen Behörde enthalten; "
                "Sammeldateien mehrerer Behörden spielt die Datenverantwortung des CDO-Büros "
                "als Sammelmeldung ein."
            ),
        )
        authority_id = resolved.where(named.notna(), submitting_authority)
    duplicate = authority_id.notna() & authority_id.duplicated(keep="first")
    c.add(
        duplicate,
        "authority",
        lambda v: (
            f"Die Behörde „{v or authority_names.get(submitting_authority or '', '')}“ kommt "
            "mehrfach vor; je Behörde ist nur eine Zeile erlaubt."
        ),
    )
    out["authority_id"] = authority_id.astype(object)

    status = texts["status"]
    codes = status.map(lambda v: EAKTE_STATUS_BY_KEY.get(fold(v)) if isinstance(v, str) else None)
    allowed = ", ".join(EAKTE_STATUS_LABELS.values())
    c.add(
        status.notna() & codes.isna(),
        "status",
        lambda v: f"Unbekannter Wert für Status: „{v}“. Erlaubt: {allowed}.",
    )
    out["status"] = codes.astype(object)

    for name in ("golive_planned", "golive_actual"):
        if name in raw:
            parsed, bad = convert.parse_dates(raw[name])
            c.add(bad, name, "Kein gültiges Datum (Beispiel: 31.12.2026).")
        else:
            parsed = pd.Series(pd.NaT, index=raw.index, dtype="datetime64[us]")
        out[name] = parsed

    for name in _INTEGERS:
        if name in raw:
            values, bad = convert.parse_integers(raw[name])
            c.add(bad, name, "Keine gültige ganze Zahl (Beispiel: 1.250).")
            c.add(values < 0, name, "Die Anzahl darf nicht negativ sein.")
        else:
            values = pd.Series(np.nan, index=raw.index)
        out[name] = values

    if "legacy_migrated_pct" in raw:
        share, bad = convert.parse_percent(raw["legacy_migrated_pct"])
        c.add(bad, "legacy_migrated_pct", "Kein gültiger Prozentwert (Beispiel: 40 %).")
        c.add(
            (share < 0) | (share > 100),
            "legacy_migrated_pct",
            "Der Anteil muss zwischen 0 und 100 % liegen.",
        )
        out["legacy_migrated_pct"] = share
    else:
        out["legacy_migrated_pct"] = np.nan

    # Rules across fields.
    live, scope = out["workplaces_live"], out["workplaces_in_scope"]
    c.add(
        live.notna() & scope.notna() & (live > scope),
        "workplaces_live",
        lambda v: (
            f"Mehr Arbeitsplätze mit E-Akte ({v}) als Arbeitsplätze insgesamt: "
            "„davon mit E-Akte“ darf „Arbeitsplätze gesamt“ nicht übersteigen."
        ),
    )
    c.add(
        (out["status"] == "planned") & out["golive_actual"].notna(),
        "golive_actual",
        "Status „geplant“, aber ein tatsächlicher Go-Live ist eingetragen: Bitte Status "
        "oder Datum prüfen.",
        severity="warning",
    )
    c.add(
        (out["status"] == "productive") & out["golive_actual"].isna(),
        "golive_actual",
        "Status „produktiv“ ohne tatsächlichen Go-Live: Bitte das Datum nachtragen.",
        severity="warning",
    )
    if period_end is not None:
        c.add(
            out["golive_actual"].notna() & (out["golive_actual"] > period_end),
            "golive_actual",
            "Der tatsächliche Go-Live liegt nach dem Ende der Berichtsperiode.",
            severity="warning",
        )
    users, accounts = out["active_users"], out["accounts"]
    c.add(
        users.notna() & accounts.notna() & (users > accounts),
        "active_users",
        "Mehr aktive Nutzer als Konten: Bitte die Zahlen prüfen.",
        severity="warning",
    )

    out["remarks"] = texts["remarks"]
    extras = extra_columns(table)
    out["extra_columns"] = extras if extras is not None else blank(raw.index)
    return Validated(frame=out[list(_OUTPUT_COLUMNS)], problems=c.sorted())


def _authority_table() -> tuple[AuthorityTable, dict[str, str]]:
    from loaders.service_values import AuthorityTable
    from store import connection as db
    from store.reference import authorities

    rows = authorities(db.cursor())
    return AuthorityTable.from_rows(rows), {aid: short for aid, _n, short, _k in rows}


def _period_end(period_id: str) -> pd.Timestamp | None:
    from data.reference import parse_period

    try:
        return pd.Timestamp(parse_period(period_id)[1])
    except ValueError:
        return None


def _validate_single(table: MappedTable, ctx: ValidationContext) -> Validated:
    table_, names = _authority_table()
    return validate_eakte(
        table,
        authorities=table_,
        authority_names=names,
        submitting_authority=ctx.authority_id,
        period_end=_period_end(ctx.period_id),
    )


def _write(cur: duckdb.DuckDBPyConnection, submission_id: int, frame: pd.DataFrame) -> None:
    from store.eakte import insert_eakte_rows

    insert_eakte_rows(cur, submission_id=submission_id, frame=frame)


def build_kind() -> KindSpec:
    """The registry entry ``loaders.kinds`` adds (single-authority reports)."""
    from loaders.kinds import KindSpec

    return KindSpec(
        kind=KIND,
        label="E-Akte-Stand",
        row_noun="Zeilen zum E-Akte-Stand",
        fields=EAKTE_FIELDS,
        validate=_validate_single,
        write=_write,
        sort_key="authority_id",
    )


# --- Collections: one file, several authorities, one submission per authority ---------------

Outcome = Literal["accepted", "rejected", "already_present"]
COLLECTION_LABEL = "E-Akte-Stand: Sammeldatei (mehrere Behörden)"
COLLECTION_REFUSED = (
    "Sammeldateien mit dem E-Akte-Stand mehrerer Behörden lädt nur die Datenverantwortung "
    "des CDO-Büros hoch. Den E-Akte-Stand der eigenen Behörde reichen Sie als "
    "„E-Akte-Stand“ ein."
)


@dataclass
class PreparedCollection:
    """A validated collection file that has not touched the database yet."""

    file_name: str
    period_id: str
    frame: pd.DataFrame
    problems: list[Problem]
    data: bytes
    hashes: dict[str, str] = field(default_factory=dict)  # authority id -> content hash
    # Excel row -> the row's authority (short name, or the text as written if unknown), so
    # every problem can name the authority it concerns.
    row_authorities: dict[int, str] = field(default_factory=dict)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def authority_ids(self) -> list[str]:
        return sorted(self.hashes)


@dataclass
class CollectionResult:
    outcome: Outcome
    message: str
    file_name: str
    period_id: str
    problems: list[Problem] = field(default_factory=list)
    submissions: dict[str, int] = field(default_factory=dict)  # authority id -> new submission
    unchanged: dict[str, int] = field(default_factory=dict)  # authority id -> existing one

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]

    def as_dict(self) -> dict[str, object]:
        return {
            "outcome": self.outcome,
            "message": self.message,
            "file": self.file_name,
            "period": self.period_id,
            "kind": KIND,
            "submissions": self.submissions,
            "unchanged": self.unchanged,
            "errors": [p.as_dict() for p in self.errors],
            "warnings": [p.as_dict() for p in self.warnings],
        }


def prepare_collection(
    *,
    data: bytes,
    file_name: str,
    period: str,
    identity: Identity,
    column_overrides: dict[str, str] | None = None,
) -> PreparedCollection:
    """Guard → read → map → validate; raises LoaderError for whole-file faults and NotAllowed
    when the file names an authority the identity may not submit for."""
    from loaders.guard import guard
    from loaders.header import map_table
    from loaders.ingest import _check_period, content_hash
    from loaders.readers import read_sheets
    from store.settings import get_settings

    settings = get_settings()
    _check_period(period)
    _check_collector(identity, period=period, file_name=file_name)
    guarded = guard(name=file_name, data=data, max_bytes=settings.max_upload_mb * 1_048_576)
    sheets = read_sheets(guarded, max_rows=settings.max_rows)
    table = map_table(sheets, fields=EAKTE_FIELDS, file_name=file_name, overrides=column_overrides)
    authorities, names = _authority_table()
    validated = validate_eakte(
        table,
        authorities=authorities,
        authority_names=names,
        submitting_authority=None,
        period_end=_period_end(period),
    )
    problems = list(validated.problems)
    if not table.rows:
        problems.append(Problem("error", "Die Datei enthält unter der Kopfzeile keine Zeilen."))
    prepared = PreparedCollection(
        file_name=file_name,
        period_id=period,
        frame=validated.frame,
        problems=problems,
        data=data,
        row_authorities=_row_authorities(table, validated.frame, names),
    )
    if prepared.errors:
        return prepared
    foreign = sorted(
        {a for a in validated.frame["authority_id"] if not identity.may_submit_for(str(a))}
    )
    if foreign:
        _audit_refusal(identity, period, file_name, f"not allowed for {', '.join(foreign)}")
        raise NotAllowed(
            "Sie dürfen nur den E-Akte-Stand der eigenen Behörde einreichen; die Datei enthält "
            f"Zeilen von {len(foreign)} anderen Behörden.",
            detail=f"{identity.role} {identity.name} may not submit for {foreign}",
        )
    for authority_id, part in validated.frame.groupby("authority_id", sort=True):
        prepared.hashes[str(authority_id)] = content_hash(
            part.reset_index(drop=True), sort_key="authority_id"
        )
    return prepared


def _check_collector(identity: Identity, *, period: str, file_name: str) -> None:
    """Only admins submit collections; anyone else is refused and the refusal audited."""
    if identity.role == "admin":
        return
    _audit_refusal(identity, period, file_name, f"role {identity.role} may not submit collections")
    raise NotAllowed(
        COLLECTION_REFUSED,
        detail=f"{identity.role} {identity.name} may not submit an E-Akte collection",
    )


def _row_authorities(
    table: MappedTable, frame: pd.DataFrame, names: dict[str, str]
) -> dict[int, str]:
    named = convert.texts(column(raw_frame(table), "authority"))
    out: dict[int, str] = {}
    for row, text, resolved in zip(table.row_numbers, named, frame["authority_id"], strict=True):
        if isinstance(resolved, str):
            out[int(row)] = names.get(resolved, resolved)
        elif isinstance(text, str):
            out[int(row)] = text
    return out


def collection_problem_table(prepared: PreparedCollection) -> pd.DataFrame:
    """The validation report of a collection: like every report (Excel row, column, value,
    German message), with the authority of the row instead of a project id."""
    from loaders.validation_report import problem_table

    table = problem_table(prepared.problems)
    authority = [
        prepared.row_authorities.get(int(row), "") if pd.notna(row) else ""
        for row in table["Zeile"]
    ]
    table = table.drop(columns=["Vorhaben-Nr."])
    table.insert(2, "Behörde", authority)
    return table


def compare_collection(
    prepared: PreparedCollection, *, current: dict[str, pd.DataFrame | None]
) -> Preview:
    """What a collection would change: each authority's row against that authority's current
    E-Akte submission (``current``: authority id → its stored rows, None if it has none).
    Authorities not in the file are not "removed": a collection speaks only for those it
    names."""
    from loaders.preview import compare

    stored = [rows for rows in current.values() if rows is not None and not rows.empty]
    old = pd.concat(stored, ignore_index=True) if stored else None
    return compare(prepared.frame, old, kind=KIND, baseline=None)


class _NothingNew(Exception):
    """Raised inside the write transaction to roll it back when every part is known."""


def commit_collection(
    prepared: PreparedCollection,
    *,
    identity: Identity,
    review_status: str = "draft",
    is_demo: bool = False,
    submitted_at: datetime | None = None,
) -> CollectionResult:
    """Store every authority's part as its own submission, all in one transaction."""
    from store import connection as db
    from store.audit import write_audit
    from store.eakte import insert_eakte_rows
    from store.reference import ensure_period
    from store.submissions import insert_submission, latest_submission

    _check_collector(identity, period=prepared.period_id, file_name=prepared.file_name)
    base = dict(
        file_name=prepared.file_name, period_id=prepared.period_id, problems=prepared.problems
    )
    if prepared.errors:
        with db.audit_only_transaction() as cur:
            write_audit(
                cur,
                actor=identity.name,
                role=identity.role,
                action="submission_rejected",
                period_id=prepared.period_id,
                detail={
                    "file": prepared.file_name,
                    "kind": KIND,
                    "collection": True,
                    "errors": len(prepared.errors),
                },
            )
        return CollectionResult(
            outcome="rejected",
            message=f"„{prepared.file_name}“ wurde abgelehnt: {len(prepared.errors)} Fehler "
            "gefunden. Es wurden keine Daten übernommen.",
            **base,
        )
    for authority_id in prepared.authority_ids:
        if not identity.may_submit_for(authority_id):
            raise NotAllowed("Sie dürfen nur den E-Akte-Stand der eigenen Behörde einreichen.")
    created: dict[str, int] = {}
    unchanged: dict[str, int] = {}
    try:
        with db.write_transaction() as cur:
            ensure_period(cur, prepared.period_id)
            for authority_id in prepared.authority_ids:
                digest = prepared.hashes[authority_id]
                latest = latest_submission(
                    cur, authority_id=authority_id, period_id=prepared.period_id, kind=KIND
                )
                if latest and latest[1] == digest:
                    unchanged[authority_id] = latest[0]
                    continue
                part = prepared.frame[prepared.frame["authority_id"] == authority_id]
                submission_id = insert_submission(
                    cur,
                    authority_id=authority_id,
                    period_id=prepared.period_id,
                    kind=KIND,
                    file_name=prepared.file_name,
                    content_sha256=digest,
                    submitted_by=identity.name,
                    row_count=len(part),
                    review_status=review_status,
                    is_demo=is_demo,
                    original_file=prepared.data,
                    submitted_at=submitted_at,
                )
                insert_eakte_rows(cur, submission_id=submission_id, frame=part)
                write_audit(
                    cur,
                    actor=identity.name,
                    role=identity.role,
                    action="submission_accepted",
                    authority_id=authority_id,
                    period_id=prepared.period_id,
                    submission_id=submission_id,
                    at=submitted_at,
                    detail={
                        "file": prepared.file_name,
                        "kind": KIND,
                        "collection": True,
                        "rows": len(part),
                        "supersedes": latest[0] if latest else None,
                    },
                )
                created[authority_id] = submission_id
            if not created:
                raise _NothingNew
    except _NothingNew:
        return CollectionResult(
            outcome="already_present",
            message=f"Der E-Akte-Stand aller {len(unchanged)} Behörden dieser Datei ist bereits "
            "vorhanden; es wurde nichts Neues gespeichert.",
            unchanged=unchanged,
            **base,
        )
    message = (
        f"„{prepared.file_name}“ wurde übernommen: {len(created)} Meldungen "
        f"(je Behörde eine, Nr. {min(created.values())}–{max(created.values())})."
        if len(created) > 1
        else f"„{prepared.file_name}“ wurde als Meldung Nr. {next(iter(created.values()))} "
        "übernommen."
    )
    if unchanged:
        message += f" {len(unchanged)} Behörden unverändert, nicht erneut gespeichert."
    return CollectionResult(
        outcome="accepted", message=message, submissions=created, unchanged=unchanged, **base
    )


def ingest_collection(
    *,
    data: bytes,
    file_name: str,
    period: str,
    identity: Identity,
    review_status: str = "draft",
    is_demo: bool = False,
    submitted_at: datetime | None = None,
    column_overrides: dict[str, str] | None = None,
) -> CollectionResult:
    """Validate a collection file and, without errors, store it (one transaction)."""
    prepared = prepare_collection(
        data=data,
        file_name=file_name,
        period=period,
        identity=identity,
        column_overrides=column_overrides,
    )
    return commit_collection(
        prepared,
        identity=identity,
        review_status=review_status,
        is_demo=is_demo,
        submitted_at=submitted_at,
    )


def _audit_refusal(identity: Identity, period: str, file_name: str, reason: str) -> None:
    from store.audit import write_refusal

    write_refusal(
        actor=identity.name,
        role=identity.role,
        action="action_refused",
        authority_id=None,
        period_id=period,
        detail={"file": file_name, "kind": KIND, "collection": True, "reason": reason},
    )


def main(argv: list[str] | None = None) -> int:
    """``python -m loaders.eakte DATEI --period P [--publish] [--json]``; exit codes as
    ``python -m loaders`` (0 accepted or present, 1 rejected, 2 usage, 3 database busy)."""
    from pathlib import Path

    from loaders.setup import initialise
    from store import connection as db
    from store.identity import SYSTEM

    parser = argparse.ArgumentParser(
        prog="python -m loaders.eakte",
        description="Sammeldatei zum E-Akte-Stand mehrerer Behörden einlesen",
    )
    parser.add_argument("file", type=Path)
    parser.add_argument("--period", required=True, help="Berichtsperiode, z. B. 2026-Q3")
    parser.add_argument("--publish", action="store_true", help="Meldungen sofort veröffentlichen")
    parser.add_argument("--json", action="store_true", help="Ergebnis als JSON ausgeben")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    path: Path = args.file
    if not path.is_file():
        print(f"Fehler: Die Datei „{path}“ wurde nicht gefunden.", file=sys.stderr)
        return 2
    from loaders.ingest import _check_period

    try:
        _check_period(args.period)
    except LoaderError as exc:
        print(f"Fehler: {exc.message}", file=sys.stderr)
        return 2
    try:
        initialise(demo=False)
        result = ingest_collection(
            data=path.read_bytes(),
            file_name=path.name,
            period=args.period,
            identity=SYSTEM,
            review_status="published" if args.publish else "draft",
        )
    except db.DatabaseBusyError:
        print(
            "Fehler: Die Datenbank wird gerade von einem anderen Prozess (z. B. der laufenden "
            "App) verwendet.",
            file=sys.stderr,
        )
        return 3
    except LoaderError as exc:
        print(f"Fehler: {exc.message}", file=sys.stderr)
        return 1
    finally:
        db.close()
    if args.json:
        print(json.dumps(result.as_dict(), ensure_ascii=False, indent=2, default=str))
    else:
        print(result.message)
        for problem in result.problems:
            print(problem.as_line())
    return 1 if result.outcome == "rejected" else 0


if __name__ == "__main__":
    sys.exit(main())
