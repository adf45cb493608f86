"""Writes of submissions and their rows; the loaders decide *what*, this module *how*."""

from __future__ import annotations

import contextlib
from datetime import datetime

import duckdb
import pandas as pd
import pyarrow as pa

# Columns of project_report the loaders may fill, in table order. Identifiers in the SQL below
# come only from this allowlist, never from file headers.
PROJECT_COLUMNS: tuple[str, ...] = (
    "source_row",
    "project_id",
    "title",
    "goal",
    "programme",
    "topic_area",
    "status",
    "phase",
    "traffic_light",
    "traffic_light_reason",
    "risk_rating",
    "planned_start",
    "actual_start",
    "baseline_end_original",
    "baseline_end",
    "forecast_end",
    "actual_end",
    "budget_original",
    "budget",
    "forecast_cost",
    "actual_cost",
    "cost_reporting_status",
    "progress_pct",
    "efa_type",
    "leika_keys",
    "ozg_ids",
    "funding",
    "contact",
    "contact_email",
    "remarks",
    "extra_columns",
)

_DATE_COLUMNS = {
    "planned_start",
    "actual_start",
    "baseline_end_original",
    "baseline_end",
    "forecast_end",
    "actual_end",
}
_MONEY_COLUMNS = {"budget_original", "budget", "forecast_cost", "actual_cost"}


def latest_submission(
    cur: duckdb.DuckDBPyConnection, *, authority_id: str, period_id: str, kind: str
) -> tuple[int, str] | None:
    """(id, content hash) of the newest submission for this authority, period and kind."""
    row = cur.execute(
        "SELECT id, content_sha256 FROM submission WHERE authority_id = ? AND period_id = ? "
        "AND kind = ? ORDER BY id DESC LIMIT 1",
        [authority_id, period_id, kind],
    ).fetchone()
    return (int(row[0]), str(row[1])) if row else None


def insert_submission(
    cur: duckdb.DuckDBPyConnection,
    *,
    authority_id: str,
    period_id: str,
    kind: str,
    file_name: str,
    content_sha256: str,
    submitted_by: str,
    row_count: int,
    review_status: str = "draft",
    is_demo: bool = False,
    original_file: bytes | None = None,
    submitted_at: datetime | None = None,
) -> int:
    row = cur.execute(
        "INSERT INTO submission (authority_id, period_id, kind, file_name, content_sha256, "
        "submitted_by, submitted_at, row_count, review_status, is_demo, original_file) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        [
            authority_id,
            period_id,
            kind,
            file_name,
            content_sha256,
            submitted_by,
            submitted_at or datetime.now(),
            row_count,
            review_status,
            is_demo,
            original_file,
        ],
    ).fetchone()
    assert row is not None
    return int(row[0])


def insert_project_rows(
    cur: duckdb.DuckDBPyConnection, *, submission_id: int, frame: pd.DataFrame
) -> None:
    """Bulk insert from the frame as an Arrow table: one statement, one vectorised scan (not
    row-by-row executemany). Arrow rather than the DataFrame itself: DuckDB reads pandas'
    Arrow-backed text columns value by value, an Arrow table column-wise."""
    missing = [c for c in PROJECT_COLUMNS if c not in frame.columns]
    if missing:
        raise ValueError(f"project frame lacks columns: {missing}")
    select = []
    for column in PROJECT_COLUMNS:
        if column in _DATE_COLUMNS:
            select.append(f'CAST("{column}" AS DATE)')
        elif column in _MONEY_COLUMNS:
            select.append(f'CAST("{column}" AS DECIMAL(16, 2))')
        elif column in ("leika_keys", "ozg_ids"):
            select.append(f'CAST("{column}" AS VARCHAR[])')
        elif column in ("source_row", "risk_rating"):
            select.append(f'CAST("{column}" AS INTEGER)')
        elif column == "progress_pct":
            select.append(f'CAST("{column}" AS DOUBLE)')
        else:
            select.append(f'CAST("{column}" AS VARCHAR)')
    view = f"incoming_projects_{submission_id}"
    table = pa.table(
        {c: pa.array(frame[c], from_pandas=True) for c in PROJECT_COLUMNS},
    )
    cur.register(view, table)
    try:
        cur.execute(
            f"INSERT INTO project_report (submission_id, {', '.join(PROJECT_COLUMNS)}) "  # noqa: S608 - allowlisted identifiers
            f"SELECT ?, {', '.join(select)} FROM {view}",
            [submission_id],
        )
    finally:
        # In an aborted transaction unregister fails too; the original error must win.
        with contextlib.suppress(duckdb.Error):
            cur.unregister(view)
