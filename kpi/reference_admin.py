"""Reads for the admin page "Stammdaten": authorities with their submission counts and the
reporting periods with their due dates and receipts (writes: ``store.reference``)."""

from __future__ import annotations

from datetime import date

import duckdb
import pandas as pd

from data.reference import AUTHORITIES, AUTHORITY_KIND_LABELS, parse_period

CODE_AUTHORITY_IDS = tuple(a.id for a in AUTHORITIES)

RULES: dict[str, str] = {
    "submissions": (
        "Meldungen = alle eingegangenen Meldungen der Behörde über alle Perioden und Arten "
        "(Vorhabenliste, E-Akte, Leistungsstand, Katalog), gleich welcher Prüfstatus; "
        "abgelehnte Dateien zählen nicht."
    ),
    "expected": (
        "Behörden mit „meldet Vorhaben: ja“ bilden den Nenner der Meldequote und erscheinen "
        "in den Listen fehlender Meldungen und in der Empfehlung „Meldung fehlt“."
    ),
    "period_submissions": (
        "Eingegangene Meldungen = alle angenommenen Meldungen für die Periode, alle Arten und "
        "Prüfstatus, auch durch neuere ersetzte."
    ),
    "period_authorities": (
        "Behörden mit Vorhabenliste = Behörden mit mindestens einer angenommenen Vorhabenliste "
        "für die Periode, gleich welcher Prüfstatus."
    ),
    "due_date": (
        "Meldefrist: bis zu diesem Tag soll die Meldung eingehen; regulär sechs Wochen nach "
        "Periodenende. Danach gilt eine fehlende Meldung als verspätet (Empfehlung "
        "„Meldung fehlt“, Spalte „Tage nach Frist“)."
    ),
}


def authority_admin_table(cur: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every authority (also those no longer expected to report) with its parent, its
    submission count and newest period, and whether it comes from the code's list."""
    frame = cur.execute(
        """
        SELECT a.id AS authority_id, a.short_name, a.name, a.kind, a.parent_id,
               p.short_name AS parent_short_name, a.expected_to_report,
               count(s.id) AS submissions, max(s.period_id) AS latest_period,
               list_contains(?::VARCHAR[], a.id) AS from_code
        FROM authority a
        LEFT JOIN authority p ON p.id = a.parent_id
        LEFT JOIN submission s ON s.authority_id = a.id
        GROUP BY a.id, a.short_name, a.name, a.kind, a.parent_id, p.short_name,
                 a.expected_to_report
        ORDER BY list_position(?::VARCHAR[], a.kind), a.short_name
        """,
        [list(CODE_AUTHORITY_IDS), list(AUTHORITY_KIND_LABELS)],
    ).df()
    frame["submissions"] = frame["submissions"].astype("int64")
    frame["expected_to_report"] = frame["expected_to_report"].astype(bool)
    frame["from_code"] = frame["from_code"].astype(bool)
    return frame


def period_admin_table(cur: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every reporting period row, newest first, with its submissions and the regular due
    date (six weeks after the end), so a changed due date is visible as such."""
    frame = cur.execute(
        """
        SELECT rp.id AS period_id, rp.start_date, rp.end_date, rp.due_date,
               count(s.id) AS submissions,
               count(DISTINCT s.authority_id) FILTER (WHERE s.kind = 'projects')
                   AS authorities_with_projects
        FROM reporting_period rp
        LEFT JOIN submission s ON s.period_id = rp.id
        GROUP BY ALL
        ORDER BY rp.id DESC
        """
    ).df()
    for column in ("submissions", "authorities_with_projects"):
        frame[column] = frame[column].astype("int64")
    frame["regular_due_date"] = [pd.Timestamp(parse_period(p)[2]) for p in frame["period_id"]]
    return frame


def due_date_periods(existing: list[str], *, today: date) -> list[str]:
    """Periods whose due date an admin may set: the stored ones plus the current and the next
    quarter (announced before their first report), newest first."""
    current = f"{today.year}-Q{(today.month - 1) // 3 + 1}"
    return sorted({*existing, current, _next(current)}, reverse=True)


def _next(period: str) -> str:
    year, quarter = int(period[:4]), int(period[-1])
    return f"{year + 1}-Q1" if quarter == 4 else f"{year}-Q{quarter + 1}"
