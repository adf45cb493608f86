"""Reads of the audit log for the admin page "Protokoll" (admins only, checked here)."""

from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta

import duckdb
import pandas as pd

from kpi.access import require_role
from store.identity import Identity

AUDIT_ROLES = frozenset({"admin"})
MAX_ENTRIES = 5_000

ACTION_LABELS: dict[str, str] = {
    "submission_accepted": "Meldung übernommen",
    "submission_rejected": "Meldung abgelehnt (Fehler in der Datei)",
    "file_refused": "Datei abgewiesen (Prüfung vor dem Einlesen)",
    "action_refused": "Aktion verweigert (fehlende Berechtigung)",
    "submission_checked": "Meldung geprüft",
    "submission_published": "Meldung veröffentlicht",
    "submission_reverted": "Prüfschritt zurückgenommen",
    "column_mapping_saved": "Spaltenzuordnung gespeichert",
    "export": "Export",
    "backup_created": "Sicherung erstellt",
    "backup_restored": "Sicherung wiederhergestellt",
    "sign_in": "Anmeldung",
    "session_expired": "Sitzung abgelaufen",
}


def action_label(action: str) -> str:
    return ACTION_LABELS.get(action, action)


def audit_actions(cur: duckdb.DuckDBPyConnection, *, identity: Identity) -> list[str]:
    """The actions that occur in the log, for the filter (admins only)."""
    require_role(identity, AUDIT_ROLES, action="read audit log")
    rows = cur.execute("SELECT DISTINCT action FROM audit_log ORDER BY action").fetchall()
    return [r[0] for r in rows]


def audit_authorities(cur: duckdb.DuckDBPyConnection, *, identity: Identity) -> dict[str, str]:
    """Authority id → short name of every authority that occurs in the log, for the filter."""
    require_role(identity, AUDIT_ROLES, action="read audit log")
    rows = cur.execute(
        "SELECT DISTINCT l.authority_id, coalesce(a.short_name, l.authority_id) AS name "
        "FROM audit_log l LEFT JOIN authority a ON a.id = l.authority_id "
        "WHERE l.authority_id IS NOT NULL ORDER BY name"
    ).fetchall()
    return {str(i): str(n) for i, n in rows}


def audit_entries(
    cur: duckdb.DuckDBPyConnection,
    *,
    identity: Identity,
    since: date | None = None,
    until: date | None = None,
    actions: tuple[str, ...] = (),
    actor: str | None = None,
    authority_id: str | None = None,
    limit: int = MAX_ENTRIES,
) -> pd.DataFrame:
    """Newest first; every filter is a bound value. ``detail`` is decoded into readable text.

    The identity is a parameter (and so part of the cache key in ``ui.data.load``): a result
    computed for an admin can never be served to another role.
    """
    require_role(identity, AUDIT_ROLES, action="read audit log")
    start = datetime.combine(since, time.min) if since else None
    end = datetime.combine(until + timedelta(days=1), time.min) if until else None
    frame = cur.execute(
        "SELECT id, occurred_at, actor, role, action, authority_id, period_id, submission_id, "
        "detail FROM audit_log "
        "WHERE (? IS NULL OR occurred_at >= ?) AND (? IS NULL OR occurred_at < ?) "
        "AND (len(?::VARCHAR[]) = 0 OR list_contains(?::VARCHAR[], action)) "
        "AND (? IS NULL OR contains(lower(actor), lower(?))) "
        "AND (? IS NULL OR authority_id = ?) "
        "ORDER BY occurred_at DESC, id DESC LIMIT ?",
        [
            start,
            start,
            end,
            end,
            list(actions),
            list(actions),
            actor or None,
            actor or None,
            authority_id,
            authority_id,
            int(limit),
        ],
    ).df()
    frame["action_label"] = frame["action"].map(action_label)
    frame["detail_text"] = frame["detail"].map(_detail_text)
    return frame


def _detail_text(raw: object) -> str:
    """``key: value`` pairs of the JSON detail, readable in a table cell."""
    if raw is None or (isinstance(raw, float) and pd.isna(raw)):
        return ""
    try:
        detail = json.loads(str(raw))
    except ValueError:
        return str(raw)
    if not isinstance(detail, dict):
        return str(detail)
    return "; ".join(f"{k}: {v}" for k, v in detail.items() if v not in (None, "", [], {}))
