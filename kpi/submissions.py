"""Reads about submissions themselves: history, review queue, stored rows and files.

The submit page compares an upload with the authority's current submission, the review page
lists what came in; both read here. Table names come only from ``ROW_TABLES``.
"""

from __future__ import annotations

import datetime as dt

import duckdb
import pandas as pd

from kpi.common import frame
from loaders.kinds import ADMIN_ONLY_KINDS

# Kind → table holding its rows (each has a ``submission_id`` column). Kinds registered later
# appear here once their table exists; unknown kinds simply have no stored rows to compare.
ROW_TABLES: dict[str, str] = {
    "projects": "project_report",
    "catalog": "catalog_entry",
    "services": "service_status",
    "eakte": "eakte_status",
}

_SUBMISSION_COLUMNS = """
    s.id, s.authority_id, a.short_name, a.name AS authority_name, s.period_id, s.kind,
    s.file_name, s.submitted_by, s.submitted_at, s.row_count, s.review_status, s.is_demo,
    s.original_file IS NOT NULL AS has_file,
    (SELECT r.comment FROM review_event r WHERE r.submission_id = s.id
      ORDER BY r.id DESC LIMIT 1) AS last_comment,
    (SELECT r.occurred_at FROM review_event r WHERE r.submission_id = s.id
      ORDER BY r.id DESC LIMIT 1) AS last_review_at
"""


def history(
    cur: duckdb.DuckDBPyConnection,
    *,
    authority_id: str | None = None,
    kind: str | None = None,
    limit: int = 500,
) -> pd.DataFrame:
    """Submissions, newest first; ``authority_id`` None means every authority."""
    sql = f"""
    SELECT {_SUBMISSION_COLUMNS}
    FROM submission s LEFT JOIN authority a ON a.id = s.authority_id
    WHERE (? IS NULL OR s.authority_id = ?) AND (? IS NULL OR s.kind = ?)
    ORDER BY s.id DESC
    LIMIT ?
    """  # noqa: S608 - fixed SQL, values bound
    return frame(cur, sql, [authority_id, authority_id, kind, kind, limit])


def review_queue(
    cur: duckdb.DuckDBPyConnection,
    *,
    statuses: tuple[str, ...] = ("draft", "checked"),
    period: str | None = None,
    kind: str | None = None,
) -> pd.DataFrame:
    """Submissions waiting for review, oldest first (first come, first reviewed).

    ``superseded`` marks a submission for which the same authority sent a newer one for the
    same period and kind: publishing it would not change the dashboards.
    """
    sql = f"""
    SELECT {_SUBMISSION_COLUMNS},
           EXISTS (SELECT 1 FROM submission n WHERE n.authority_id = s.authority_id
                   AND n.period_id = s.period_id AND n.kind = s.kind AND n.id > s.id)
               AS superseded
    FROM submission s LEFT JOIN authority a ON a.id = s.authority_id
    WHERE list_contains(?::VARCHAR[], s.review_status)
      AND (? IS NULL OR s.period_id = ?) AND (? IS NULL OR s.kind = ?)
    ORDER BY s.id
    """  # noqa: S608 - fixed SQL, values bound
    return frame(cur, sql, [list(statuses), period, period, kind, kind])


def submission(cur: duckdb.DuckDBPyConnection, *, submission_id: int) -> dict[str, object] | None:
    """One submission's metadata (without the file), or None."""
    sql = f"""
    SELECT {_SUBMISSION_COLUMNS}
    FROM submission s LEFT JOIN authority a ON a.id = s.authority_id
    WHERE s.id = ?
    """  # noqa: S608 - fixed SQL, values bound
    result = frame(cur, sql, [submission_id])
    return None if result.empty else result.iloc[0].to_dict()


def submission_file(
    cur: duckdb.DuckDBPyConnection, *, submission_id: int, authority_id: str | None
) -> tuple[str, bytes] | None:
    """(file name, bytes) as submitted. ``authority_id`` restricts to one authority (a
    coordinator may fetch only their own files); None is for the CDO office."""
    row = cur.execute(
        "SELECT file_name, original_file FROM submission WHERE id = ? "
        "AND (? IS NULL OR authority_id = ?) AND original_file IS NOT NULL",
        [submission_id, authority_id, authority_id],
    ).fetchone()
    return (str(row[0]), bytes(row[1])) if row else None


def review_events(cur: duckdb.DuckDBPyConnection, *, submission_id: int) -> pd.DataFrame:
    """Every review step of one submission with its comment, oldest first."""
    return frame(
        cur,
        "SELECT occurred_at, actor, role, from_status, to_status, comment FROM review_event "
        "WHERE submission_id = ? ORDER BY id",
        [submission_id],
    )


def comparison_submission(
    cur: duckdb.DuckDBPyConnection,
    *,
    authority_id: str,
    period: str,
    kind: str,
    before_id: int | None = None,
    published_only: bool = False,
) -> dict[str, object] | None:
    """The submission an upload is compared with: the authority's newest for the period,
    else its newest for the latest earlier period. ``before_id`` ignores that submission and
    newer ones (the review page compares a submission with what came before it)."""
    row = cur.execute(
        "SELECT id, period_id, review_status, submitted_at, file_name FROM submission "
        "WHERE authority_id = ? AND kind = ? AND period_id <= ? "
        "AND (? IS NULL OR id < ?) AND (review_status = 'published' OR NOT ?) "
        "ORDER BY period_id DESC, id DESC LIMIT 1",
        [authority_id, kind, period, before_id, before_id, published_only],
    ).fetchone()
    if row is None:
        return None
    return {
        "id": int(row[0]),
        "period_id": str(row[1]),
        "review_status": str(row[2]),
        "submitted_at": row[3],
        "file_name": str(row[4]),
        "same_period": str(row[1]) == period,
    }


def submission_rows(
    cur: duckdb.DuckDBPyConnection, *, submission_id: int, kind: str
) -> pd.DataFrame | None:
    """The stored rows of one submission in the loaders' canonical columns, or None when the
    kind has no row table (yet)."""
    table = ROW_TABLES.get(kind)
    if table is None or not _has_table(cur, table):
        return None
    return frame(
        cur,
        f"SELECT * EXCLUDE (submission_id) FROM {table} WHERE submission_id = ? "  # noqa: S608 - allowlisted table
        "ORDER BY source_row",
        [submission_id],
    )


def _has_table(cur: duckdb.DuckDBPyConnection, table: str) -> bool:
    row = cur.execute(
        "SELECT count(*) FROM information_schema.columns WHERE table_name = ? "
        "AND column_name IN ('submission_id', 'source_row')",
        [table],
    ).fetchone()
    return bool(row and row[0] == 2)


def submission_periods(cur: duckdb.DuckDBPyConnection, *, today: dt.date) -> list[str]:
    """Periods one may submit for, newest first: every period with data, plus the current
    and the previous calendar quarter (reports for a quarter come in after it ended)."""
    from data.reference import period_ids

    current = f"{today.year}-Q{(today.month - 1) // 3 + 1}"
    known = {str(r[0]) for r in cur.execute("SELECT DISTINCT period_id FROM submission").fetchall()}
    return sorted(known | set(period_ids(current, 2)), reverse=True)


def submittable_kinds(role: str, kinds: list[str]) -> list[str]:
    """The upload kinds a role is offered; coordinators report for their authority only."""
    return [k for k in kinds if role == "admin" or k not in ADMIN_ONLY_KINDS]


def authority_names(cur: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """Authority id → short name, for choosers."""
    rows = cur.execute("SELECT id, short_name FROM authority ORDER BY short_name").fetchall()
    return {str(i): str(n) for i, n in rows}
