"""Review of submissions (draft → checked → published) and remembered column mappings.

A review step changes what the dashboards count (they show published data by default), so
it runs as a data write: the status, the review event with its comment and the audit entry
land in one transaction and ``data_version`` is bumped.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

import duckdb

from store import connection as db
from store.audit import write_audit
from store.errors import Refused
from store.identity import Identity

STATUS_LABELS: dict[str, str] = {
    "draft": "Entwurf",
    "checked": "geprüft",
    "published": "veröffentlicht",
}

# Forward steps follow the chain; a step back (withdrawing a publication, sending a checked
# submission back) needs a comment so the authority learns why.
FORWARD: frozenset[tuple[str, str]] = frozenset({("draft", "checked"), ("checked", "published")})
BACKWARD: frozenset[tuple[str, str]] = frozenset({("checked", "draft"), ("published", "checked")})


class ReviewRefused(Refused):
    """A review step that is not allowed."""


@dataclass(frozen=True)
class ReviewResult:
    submission_id: int
    from_status: str
    to_status: str
    message: str


def allowed_steps(status: str) -> list[str]:
    """Target statuses reachable from ``status``, forward step first."""
    forward = [to for frm, to in FORWARD if frm == status]
    backward = [to for frm, to in BACKWARD if frm == status]
    return forward + backward


def change_review_status(
    *,
    submission_id: int,
    to_status: str,
    identity: Identity,
    comment: str | None = None,
    expected_status: str | None = None,
    at: datetime | None = None,
) -> ReviewResult:
    """Move one submission one step along the review chain; admins only.

    ``expected_status`` is the status the reviewer saw: if somebody else changed it in the
    meantime the step is refused instead of silently applied to a different state.
    """
    comment = (comment or "").strip() or None
    if identity.role != "admin":
        _refuse(identity, submission_id, f"role {identity.role} may not review")
        raise ReviewRefused(
            "Nur die Datenverantwortlichen des CDO-Büros dürfen Meldungen prüfen und "
            "veröffentlichen.",
            detail=f"{identity.role} {identity.name} may not review",
        )
    if to_status not in STATUS_LABELS:
        raise ReviewRefused(f"Unbekannter Prüfstatus „{to_status}“.")
    now = at or datetime.now()
    with db.write_transaction() as cur:
        row = cur.execute(
            "SELECT review_status, authority_id, period_id, kind FROM submission WHERE id = ?",
            [submission_id],
        ).fetchone()
        if row is None:
            raise ReviewRefused(f"Meldung Nr. {submission_id} gibt es nicht.")
        current, authority_id, period_id, kind = (str(v) for v in row)
        if expected_status is not None and current != expected_status:
            raise ReviewRefused(
                f"Meldung Nr. {submission_id} hat inzwischen den Status "
                f"„{STATUS_LABELS[current]}“; bitte die Ansicht neu laden.",
                detail=f"expected {expected_status}, found {current}",
            )
        step = (current, to_status)
        if step not in FORWARD and step not in BACKWARD:
            raise ReviewRefused(
                f"Meldung Nr. {submission_id} kann nicht von „{STATUS_LABELS[current]}“ auf "
                f"„{STATUS_LABELS[to_status]}“ gesetzt werden. Reihenfolge: Entwurf → geprüft "
                "→ veröffentlicht.",
            )
        if step in BACKWARD and not comment:
            raise ReviewRefused(
                "Für einen Schritt zurück ist ein Kommentar nötig, damit die Behörde den "
                "Grund erfährt."
            )
        cur.execute(
            "UPDATE submission SET review_status = ? WHERE id = ?", [to_status, submission_id]
        )
        cur.execute(
            "INSERT INTO review_event (submission_id, occurred_at, actor, role, from_status, "
            "to_status, comment) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [submission_id, now, identity.name, identity.role, current, to_status, comment],
        )
        write_audit(
            cur,
            actor=identity.name,
            role=identity.role,
            action=f"submission_{to_status}" if step in FORWARD else "submission_reverted",
            authority_id=authority_id,
            period_id=period_id,
            submission_id=submission_id,
            at=now,
            detail={"kind": kind, "from": current, "to": to_status, "comment": comment},
        )
    return ReviewResult(
        submission_id=submission_id,
        from_status=current,
        to_status=to_status,
        message=f"Meldung Nr. {submission_id} ist jetzt „{STATUS_LABELS[to_status]}“.",
    )


def _refuse(identity: Identity, submission_id: int, reason: str) -> None:
    with db.audit_only_transaction() as cur:
        write_audit(
            cur,
            actor=identity.name,
            role=identity.role,
            action="action_refused",
            submission_id=submission_id,
            detail={"action": "review", "reason": reason},
        )


@dataclass(frozen=True)
class MappingEntry:
    """One confirmed column: folded header key, header as written, field ('' = unused)."""

    header_key: str
    header_text: str
    field_name: str


def remember_column_mapping(
    *,
    authority_id: str,
    kind: str,
    entries: Iterable[MappingEntry],
    identity: Identity,
    at: datetime | None = None,
) -> int:
    """Store (or replace) the confirmed mapping of an authority's headers; returns the count.

    Only someone who may submit for the authority may teach the app its headers.
    """
    entries = list(entries)
    if not identity.may_submit_for(authority_id):
        with db.audit_only_transaction() as cur:
            write_audit(
                cur,
                actor=identity.name,
                role=identity.role,
                action="action_refused",
                authority_id=authority_id,
                detail={"action": "column_mapping", "kind": kind},
            )
        raise ReviewRefused(
            "Sie dürfen Spaltenzuordnungen nur für die eigene Behörde speichern.",
            detail=f"{identity.name} may not map columns for {authority_id}",
        )
    if not entries:
        return 0
    now = at or datetime.now()
    with db.write_transaction() as cur:
        cur.executemany(
            "INSERT INTO column_mapping (authority_id, kind, header_key, header_text, "
            "field_name, confirmed_by, confirmed_at) VALUES (?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (authority_id, kind, header_key) DO UPDATE SET "
            "header_text = excluded.header_text, field_name = excluded.field_name, "
            "confirmed_by = excluded.confirmed_by, confirmed_at = excluded.confirmed_at",
            [
                (authority_id, kind, e.header_key, e.header_text, e.field_name, identity.name, now)
                for e in entries
            ],
        )
        write_audit(
            cur,
            actor=identity.name,
            role=identity.role,
            action="column_mapping_saved",
            authority_id=authority_id,
            at=now,
            detail={
                "kind": kind,
                "columns": {e.header_text: e.field_name or None for e in entries},
            },
        )
    return len(entries)


def remembered_mapping(
    cur: duckdb.DuckDBPyConnection, *, authority_id: str, kind: str
) -> dict[str, str]:
    """Folded header key → field name ('' = leave unused) confirmed for this authority."""
    rows = cur.execute(
        "SELECT header_key, field_name FROM column_mapping WHERE authority_id = ? AND kind = ?",
        [authority_id, kind],
    ).fetchall()
    return {str(k): str(f) for k, f in rows}
