"""Writes the reference data (authorities, topic areas, periods) idempotently."""

from __future__ import annotations

import duckdb

from data.reference import AUTHORITIES, TOPIC_AREAS, parse_period


def upsert_reference(cur: duckdb.DuckDBPyConnection) -> None:
    """Insert or refresh the reference rows; runs inside the caller's transaction."""
    cur.executemany(
        "INSERT INTO authority (id, name, short_name, kind, parent_id) VALUES (?, ?, ?, ?, ?) "
        "ON CONFLICT (id) DO UPDATE SET name = excluded.name, short_name = excluded.short_name, "
        "kind = excluded.kind, parent_id = excluded.parent_id",
        [(a.id, a.name, a.short_name, a.kind, a.parent_id) for a in AUTHORITIES],
    )
    cur.executemany(
        "INSERT INTO topic_area (id, name) VALUES (?, ?) "
        "ON CONFLICT (id) DO UPDATE SET name = excluded.name",
        list(TOPIC_AREAS),
    )


def ensure_period(cur: duckdb.DuckDBPyConnection, period_id: str) -> None:
    """Create the reporting period row if it does not exist yet (any ``YYYY-Qn`` is valid)."""
    start, end, due = parse_period(period_id)
    cur.execute(
        "INSERT INTO reporting_period (id, start_date, end_date, due_date) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (id) DO NOTHING",
        [period_id, start, end, due],
    )


def authorities(cur: duckdb.DuckDBPyConnection) -> list[tuple[str, str, str, str]]:
    """(id, name, short name, kind) of every authority, for resolving user input."""
    return cur.execute("SELECT id, name, short_name, kind FROM authority ORDER BY id").fetchall()


def is_empty(cur: duckdb.DuckDBPyConnection) -> bool:
    """True while no authority exists: the database was just created."""
    row = cur.execute("SELECT count(*) FROM authority").fetchone()
    return not row or row[0] == 0
