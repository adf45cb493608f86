"""Writes of E-Akte status rows (kind ``eakte``); the loaders decide *what*, this module *how*."""

from __future__ import annotations

import duckdb
import pandas as pd

# Columns of eakte_status the loaders fill, in table order. Identifiers in the SQL below come
# only from this allowlist, never from file headers.
EAKTE_COLUMNS: tuple[str, ...] = (
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
_CASTS: dict[str, str] = {
    "source_row": "INTEGER",
    "golive_planned": "DATE",
    "golive_actual": "DATE",
    "workplaces_in_scope": "INTEGER",
    "workplaces_live": "INTEGER",
    "accounts": "INTEGER",
    "active_users": "INTEGER",
    "legacy_migrated_pct": "DOUBLE",
}


def insert_eakte_rows(
    cur: duckdb.DuckDBPyConnection, *, submission_id: int, frame: pd.DataFrame
) -> None:
    """Bulk insert from a DataFrame in one scan; runs inside the caller's transaction."""
    missing = [c for c in EAKTE_COLUMNS if c not in frame.columns]
    if missing:
        raise ValueError(f"eakte frame lacks columns: {missing}")
    select = [f'CAST("{c}" AS {_CASTS.get(c, "VARCHAR")})' for c in EAKTE_COLUMNS]
    view = f"incoming_eakte_{submission_id}"
    cur.register(view, frame[list(EAKTE_COLUMNS)])
    try:
        cur.execute(
            f"INSERT INTO eakte_status (submission_id, {', '.join(EAKTE_COLUMNS)}) "  # noqa: S608 - allowlisted identifiers
            f"SELECT ?, {', '.join(select)} FROM {view}",
            [submission_id],
        )
    finally:
        cur.unregister(view)
