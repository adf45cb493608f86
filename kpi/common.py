"""SQL building blocks shared by the metric modules.

``CURRENT_SUBMISSIONS`` selects the current state of every authority: its latest submission
per kind and period, among published ones unless unpublished data is asked for. Both values
are bound parameters: ``[kind, include_unpublished]``.
"""

from __future__ import annotations

import duckdb
import pandas as pd

CURRENT_SUBMISSIONS = """
current_submission AS (
    SELECT * EXCLUDE (rn) FROM (
        SELECT s.id, s.authority_id, s.period_id, s.kind, s.file_name, s.submitted_by,
               s.submitted_at, s.row_count, s.review_status, s.is_demo,
               row_number() OVER (
                   PARTITION BY s.authority_id, s.period_id, s.kind ORDER BY s.id DESC
               ) AS rn
        FROM submission s
        WHERE s.kind = ? AND (s.review_status = 'published' OR ?)
    ) WHERE rn = 1
)
"""


def frame(cur: duckdb.DuckDBPyConnection, sql: str, params: list[object]) -> pd.DataFrame:
    """Run a read with bound parameters and return a DataFrame."""
    return cur.execute(sql, params).df()
