"""Reads of the audit log for the admin page "Protokoll" (admins only, checked here), the
German rendering of its details, and the entry for a file the upload page refused before
the loaders' own checks ran.

The stored ``detail`` stays the JSON the writers put there (English keys, codes); it is
translated only for display, with an allowlist of known keys and values and a neutral
fallback, so a new writer never makes the page fail and never shows an unlabelled code.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from datetime import date, datetime, time, timedelta
from typing import Any

import duckdb
import pandas as pd

from kpi.access import require_role
from store.identity import ROLE_LABELS, Identity
from store.review import STATUS_LABELS

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
    "recommendation_reopened": "Empfehlung wieder geöffnet",
    "recommendation_acknowledged": "Empfehlung zur Kenntnis genommen",
    "recommendation_dismissed": "Empfehlung zurückgestellt",
    "retention_contacts_removed": "Kontaktdaten nach Aufbewahrungsfrist gelöscht",
    "authority_added": "Behörde angelegt",
    "authority_changed": "Behörde geändert",
    "authority_removed": "Behörde gelöscht",
    "period_due_date_changed": "Meldefrist geändert",
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
    frame["detail_text"] = [
        detail_text(str(a), d) for a, d in zip(frame["action"], frame["detail"], strict=True)
    ]
    return frame


def log_file_refusal(
    identity: Identity, *, authority_id: str | None, period: str, file_name: str, reason: str
) -> None:
    """Audit a file the upload page refused before ``loaders.ingest.prepare`` saw it (the
    column-mapping step guards and reads the file first; the E-Akte collection path does not
    audit refusals itself). Same entry as the loaders' own: action ``file_refused``."""
    from store.audit import write_refusal

    write_refusal(
        actor=identity.name,
        role=identity.role,
        action="file_refused",
        authority_id=authority_id or None,
        period_id=period,
        detail={"file": file_name, "reason": reason},
    )


# --- German rendering of ``detail`` -------------------------------------------------------------

SEPARATOR = " · "
_TABLE_FORMATS = frozenset({"csv", "xlsx"})
_FORMAT_LABELS = {
    "csv": "CSV",
    "xlsx": "Excel",
    "pdf": "PDF",
    "png": "PNG-Grafik",
    "svg": "SVG-Grafik",
    "json": "JSON",
}
_AUTH_REASONS = {
    "unmapped": "Konto keiner Rolle zugeordnet",
    "ambiguous": "Konto mehreren Rollen zugeordnet",
    "untrusted": "Anmeldung aus nicht vertrauenswürdiger Quelle",
    "expired": "Sitzung abgelaufen",
    "signed_out": "nicht angemeldet",
}
_ATTEMPTS = {
    "read audit log": "Protokoll lesen",
    "sign in": "Anmeldung",
    "recommendation_decision": "Bearbeitungsstand einer Empfehlung setzen",
    "information request for a person": "Auskunft zu einer Person",
}
_REFUSED_ACTIONS = {"review": "Prüfschritt", "column_mapping": "Spaltenzuordnung speichern"}
# English reasons the writers compose (loaders, store, kpi.access): pattern → German text
_REASON_PATTERNS: tuple[tuple[re.Pattern[str], Callable[[re.Match[str]], str]], ...] = (
    (re.compile(r"^not allowed to submit$"), lambda m: "keine Berechtigung für diese Behörde"),
    (
        re.compile(r"^not allowed for (.+)$"),
        lambda m: f"keine Berechtigung für {m.group(1)}",
    ),
    (
        re.compile(r"^role (\w+) may not submit collections$"),
        lambda m: f"Rolle {_role(m.group(1))} darf keine Sammeldateien einreichen",
    ),
    (
        re.compile(r"^role (\w+) may not review$"),
        lambda m: f"Rolle {_role(m.group(1))} darf keine Meldungen prüfen",
    ),
    (
        re.compile(r"^role (\w+) may not decide on recommendations$"),
        lambda m: f"Rolle {_role(m.group(1))} darf Empfehlungen nicht bearbeiten",
    ),
    (
        re.compile(r"^(\w+) .+ may not submit kind (\w+)$"),
        lambda m: f"Rolle {_role(m.group(1))} darf „{_kind(m.group(2))}“ nicht einreichen",
    ),
)


def detail_text(action: str, raw: object) -> str:
    """The JSON ``detail`` of one entry as short German text for the page and its export.

    Known keys are rendered in words, empty and purely technical ones (hashes) are left out,
    and a key nobody taught this function is shown as „weitere Angabe (key): value“ rather than
    dropped, so nothing recorded is hidden.
    """
    if raw is None or (isinstance(raw, float) and pd.isna(raw)):
        return ""
    try:
        detail = json.loads(str(raw))
    except ValueError:
        return f"weitere Angabe: {raw}"
    if not isinstance(detail, dict):
        return f"weitere Angabe: {_plain(detail)}"
    parts: list[str] = []
    for key, value in detail.items():
        if value in (None, "", [], {}):
            continue
        render = _RENDERERS.get(key)
        text = render(value, action, detail) if render else _fallback(key, value)
        if text:
            parts.append(text)
    return SEPARATOR.join(parts)


def _number(value: object) -> str:
    try:
        return f"{int(value):,}".replace(",", ".")  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return str(value)


def _count(value: object, singular: str, plural: str) -> str:
    return f"{_number(value)} {singular if value == 1 else plural}"


def _plain(value: object) -> str:
    if isinstance(value, Mapping):
        return ", ".join(f"{k}: {_plain(v)}" for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return ", ".join(_plain(v) for v in value)
    if isinstance(value, bool):
        return "ja" if value else "nein"
    return str(value)


def _fallback(key: str, value: object) -> str:
    return f"weitere Angabe ({key}): {_plain(value)}"


def _role(role: str) -> str:
    return ROLE_LABELS.get(role, role)


def _kind(kind: str) -> str:
    from loaders.kinds import KINDS

    return KINDS[kind].label if kind in KINDS else kind


def _date(value: object) -> str:
    try:
        return datetime.fromisoformat(str(value)).strftime("%d.%m.%Y")
    except ValueError:
        return str(value)


def _rows(value: object, action: str, detail: Mapping[str, Any]) -> str:
    """Chart and report exports have no row count (entries written before that was left out
    say 0): only a table export (CSV, Excel) with rows says how many it held."""
    if action == "export" and (
        str(detail.get("format", "")).lower() not in _TABLE_FORMATS or not value
    ):
        return ""
    if action == "backup_created":
        return _count(value, "Zeile", "Zeilen") + " gesichert"
    return _count(value, "Zeile", "Zeilen")


def _what(value: object, action: str, detail: Mapping[str, Any]) -> str:
    if value == "information_request":
        return "" if detail.get("title") else "Auskunft"
    return f"„{value}“"


def _reason(value: object, action: str, detail: Mapping[str, Any]) -> str:
    text = str(value)
    if action.startswith("recommendation_"):
        return f"Begründung: „{text}“"
    if text in _AUTH_REASONS:
        return f"Grund: {_AUTH_REASONS[text]}"
    for pattern, german in _REASON_PATTERNS:
        if match := pattern.match(text):
            return f"Grund: {german(match)}"
    if text.endswith((".", "!", "?")):  # a German message of the loaders, a sentence already
        return f"Grund: {text}"
    return f"Grund: „{text}“"


def _attempted(value: object, action: str, detail: Mapping[str, Any]) -> str:
    text = str(value)
    if text in _ATTEMPTS:
        return f"Versuch: {_ATTEMPTS[text]}"
    if text.startswith("export "):
        return f"Versuch: Export „{text.removeprefix('export ')}“"
    if text.startswith("information request for authority "):
        return f"Versuch: Auskunft zur Behörde {text.rsplit(' ', 1)[-1]}"
    return f"Versuch: „{text}“"


def _filters(value: object, action: str, detail: Mapping[str, Any]) -> str:
    if isinstance(value, Mapping):
        shown = [f"{k} {_plain(v)}" for k, v in value.items() if v not in (None, "", [], {})]
        return "Filter: " + ", ".join(shown) if shown else ""
    return f"Filter: {_plain(value)}"


def _columns(value: object, action: str, detail: Mapping[str, Any]) -> str:
    if not isinstance(value, Mapping):
        return _fallback("columns", value)
    used = sum(1 for v in value.values() if v)
    unused = len(value) - used
    text = _count(used, "Spalte zugeordnet", "Spalten zugeordnet")
    return text + (f", {_number(unused)} nicht ausgewertet" if unused else "")


def _status_step(value: object, action: str, detail: Mapping[str, Any]) -> str:
    """``from`` and ``to`` as one arrow, written once (at ``from``)."""
    before = STATUS_LABELS.get(str(detail.get("from")), str(detail.get("from", "–")))
    after = STATUS_LABELS.get(str(detail.get("to")), str(detail.get("to", "–")))
    return f"{before} → {after}"


_RENDERERS: dict[str, Callable[[Any, str, Mapping[str, Any]], str]] = {
    "file": lambda v, a, d: f"Datei „{v}“",
    "change": lambda v, a, d: str(v),  # written in German by store.reference
    "title": lambda v, a, d: f"„{v}“",
    "what": _what,
    "kind": lambda v, a, d: _kind(str(v)),
    "collection": lambda v, a, d: "Sammeldatei" if v else "",
    "rows": _rows,
    "warnings": lambda v, a, d: _count(v, "Hinweis", "Hinweise") if v else "keine Hinweise",
    "errors": lambda v, a, d: _count(v, "Fehler", "Fehler"),
    "other_authority_rows": lambda v, a, d: (
        _count(v, "Zeile", "Zeilen") + " einer anderen Behörde" if v else ""
    ),
    "supersedes": lambda v, a, d: f"ersetzt Meldung Nr. {v}",
    # loaders.projects.FOREIGN_LIST: the list looked like another authority's, and was confirmed
    "foreign_list": lambda v, a, d: f"Liste mit Kennzeichen von „{v}“ bestätigt",
    "from": _status_step,
    "to": lambda v, a, d: "" if "from" in d else f"→ {STATUS_LABELS.get(str(v), v)}",
    "comment": lambda v, a, d: f"Kommentar: „{v}“",
    "format": lambda v, a, d: _FORMAT_LABELS.get(str(v).lower(), str(v)),
    "filters": _filters,
    # the Protokoll page logged its own filters as top-level keys before they were nested
    "Zeitraum": lambda v, a, d: f"Zeitraum {v}",
    "Aktion": lambda v, a, d: f"Aktion {v}",
    "Behörde": lambda v, a, d: f"Behörde {v}",
    "Wer": lambda v, a, d: f"Wer {v}",
    "reason": _reason,
    "attempted": _attempted,
    "action": lambda v, a, d: f"Versuch: {_REFUSED_ACTIONS.get(str(v), str(v))}",
    "required": lambda v, a, d: (
        "erlaubt für: " + ", ".join(_role(str(r)) for r in (v if isinstance(v, list) else [v]))
    ),
    "mode": lambda v, a, d: f"Anmeldeverfahren {v}",
    "columns": _columns,
    "tables": lambda v, a, d: _count(v, "Tabelle", "Tabellen"),
    "previous": lambda v, a, d: f"vorherige Datei „{v}“",
    "person_search": lambda v, a, d: "Suche nach einer Person" if v else "",
    "authority_id": lambda v, a, d: f"Behörde {v}",
    "rule": lambda v, a, d: f"Regel „{v}“",
    "key": lambda v, a, d: "",  # the rule and the row's authority/period say it in words
    "fingerprint": lambda v, a, d: "",  # a hash of the evidence, not for reading
    "contact_rows": lambda v, a, d: _count(v, "Kontaktangabe", "Kontaktangaben") + " entfernt",
    "original_file_removed": lambda v, a, d: "Originaldatei gelöscht" if v else "",
    "superseded_at": lambda v, a, d: f"abgelöst am {_date(v)}",
    "retention_days": lambda v, a, d: f"Aufbewahrungsfrist {_number(v)} Tage",
}
