"""Headline figures of the overview: projects by status, Meldequote, periods, data freshness."""

from __future__ import annotations

import duckdb
import pandas as pd

from kpi.common import CURRENT_SUBMISSIONS, frame

STATUS_ORDER = ("not_started", "in_progress", "reorienting", "paused", "completed", "cancelled")


def periods(cur: duckdb.DuckDBPyConnection) -> list[str]:
    """Reporting periods that hold at least one submission, newest first."""
    rows = cur.execute(
        "SELECT DISTINCT period_id FROM submission ORDER BY period_id DESC"
    ).fetchall()
    return [r[0] for r in rows]


def has_demo_data(cur: duckdb.DuckDBPyConnection) -> bool:
    row = cur.execute("SELECT count(*) FROM submission WHERE is_demo").fetchone()
    return bool(row and row[0])


def projects_by_status(
    cur: duckdb.DuckDBPyConnection, *, period: str, include_unpublished: bool = False
) -> pd.DataFrame:
    """Projects in the current submissions of the period, counted per status (all statuses,
    zero included, in lifecycle order)."""
    sql = f"""
    WITH {CURRENT_SUBMISSIONS},
    statuses AS (SELECT unnest(?::VARCHAR[]) AS status, generate_subscripts(?::VARCHAR[], 1) AS ord)
    SELECT st.status, count(p.project_id) AS projects
    FROM statuses st
    LEFT JOIN (
        SELECT p.status, p.project_id FROM project_report p
        JOIN current_submission cs ON cs.id = p.submission_id
        WHERE cs.period_id = ?
    ) p ON p.status = st.status
    GROUP BY st.status, st.ord ORDER BY st.ord
    """  # noqa: S608 - fixed SQL, values bound
    order = list(STATUS_ORDER)
    return frame(cur, sql, ["projects", include_unpublished, order, order, period])


def reporting_status(
    cur: duckdb.DuckDBPyConnection, *, period: str, include_unpublished: bool = False
) -> pd.DataFrame:
    """Every authority expected to report, with its current project submission for the
    period (if any), its row count and the date it came in."""
    sql = f"""
    WITH {CURRENT_SUBMISSIONS}
    SELECT a.id AS authority_id, a.short_name, a.name, a.kind,
           cs.id IS NOT NULL AS reported, cs.id AS submission_id,
           cs.submitted_at, cs.row_count, cs.review_status, cs.is_demo,
           rp.due_date,
           (SELECT max(s2.period_id) FROM submission s2
             WHERE s2.authority_id = a.id AND s2.kind = 'projects'
               AND (s2.review_status = 'published' OR ?)) AS latest_period
    FROM authority a
    LEFT JOIN current_submission cs ON cs.authority_id = a.id AND cs.period_id = ?
    LEFT JOIN reporting_period rp ON rp.id = ?
    WHERE a.expected_to_report
    ORDER BY reported, a.kind, a.short_name
    """  # noqa: S608 - fixed SQL, values bound
    return frame(cur, sql, ["projects", include_unpublished, include_unpublished, period, period])


def headline(
    cur: duckdb.DuckDBPyConnection, *, period: str, include_unpublished: bool = False
) -> dict[str, object]:
    """The overview's cards: projects, authorities reported / expected, newest report date."""
    status = projects_by_status(cur, period=period, include_unpublished=include_unpublished)
    reports = reporting_status(cur, period=period, include_unpublished=include_unpublished)
    reported = int(reports["reported"].sum())
    expected = int(len(reports))
    newest = reports["submitted_at"].max() if reported else None
    return {
        "period": period,
        "projects": int(status["projects"].sum()),
        "projects_active": int(
            status.loc[status["status"].isin(["in_progress", "reorienting"]), "projects"].sum()
        ),
        "authorities_reported": reported,
        "authorities_expected": expected,
        "reporting_rate": reported / expected if expected else None,
        "newest_report": None if newest is None or pd.isna(newest) else newest,
    }
