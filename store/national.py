"""Writes of the national tables: the territorial hierarchy, the services the availability
matrix covers, matrix snapshots and their roll-ups (schema: ``0005_national.sql``).

A snapshot is written state by state: each state's matrix rows are inserted sorted by
(AGS, service) so its rows sit together (zone maps let a state's or district's query skip the
rest of the 66 million rows), and its roll-ups are computed right after from those rows.
Everything runs inside the caller's write transaction.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable, Sequence

import duckdb
import pandas as pd

PROVIDER_CODES = {"federal": 1, "efa": 2, "state": 3, "municipal": 4}

# Roll-ups of one state's matrix rows (parameters: snapshot id, lowest and highest AGS).
_MUNICIPALITY_ROLLUP = """
INSERT INTO availability_municipality
SELECT m.snapshot_id, m.ags, sv.topic_area, count(*) AS services,
       count(*) FILTER (WHERE m.maturity_level >= 3) AS online,
       count(*) FILTER (WHERE m.maturity_level >= 2) AS level2,
       count(*) FILTER (WHERE m.maturity_level >= 3 AND m.provider_code = 1),
       count(*) FILTER (WHERE m.maturity_level >= 3 AND m.provider_code = 2),
       count(*) FILTER (WHERE m.maturity_level >= 3 AND m.provider_code = 3),
       count(*) FILTER (WHERE m.maturity_level >= 3 AND m.provider_code = 4)
FROM service_availability m
JOIN availability_service a USING (service_no)
JOIN service sv ON sv.service_key = a.service_key
WHERE m.snapshot_id = ? AND m.ags BETWEEN ? AND ?
GROUP BY m.snapshot_id, m.ags, sv.topic_area
"""

_STATE_SERVICE_ROLLUP = """
INSERT INTO availability_state_service
SELECT m.snapshot_id, lpad((m.ags // 1000000)::VARCHAR, 2, '0') AS state_code, m.service_no,
       count(*) AS municipalities,
       count(*) FILTER (WHERE m.maturity_level >= 3) AS online_municipalities,
       coalesce(sum(r.population), 0) AS population,
       coalesce(sum(r.population) FILTER (WHERE m.maturity_level >= 3), 0) AS online_population
FROM service_availability m
JOIN region r ON r.ags = m.ags
WHERE m.snapshot_id = ? AND m.ags BETWEEN ? AND ?
GROUP BY ALL
"""


def insert_regions(
    cur: duckdb.DuckDBPyConnection,
    rows: Sequence[tuple[str, str, str, str | None, str | None, int | None, int | None]],
) -> None:
    """Regions as (code, level, name, short name, parent code, AGS, population)."""
    cur.executemany(
        "INSERT INTO region (code, level, name, short_name, parent_code, ags, population) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        list(rows),
    )


def sum_populations(cur: duckdb.DuckDBPyConnection) -> None:
    """Districts and states get the sum of their municipalities' population."""
    cur.execute(
        "UPDATE region SET population = t.population FROM ("
        "  SELECT left(code, 5) AS code, sum(population) AS population FROM region"
        "  WHERE level = 'municipality' GROUP BY ALL"
        "  UNION ALL"
        "  SELECT left(code, 2), sum(population) FROM region"
        "  WHERE level = 'municipality' GROUP BY ALL"
        ") t WHERE region.code = t.code AND region.level <> 'municipality'"
    )


def register_services(cur: duckdb.DuckDBPyConnection) -> int:
    """Give every catalogue service without one a matrix number; returns how many exist."""
    cur.execute(
        "INSERT INTO availability_service (service_no, service_key) "
        "SELECT coalesce((SELECT max(service_no) FROM availability_service), 0) "
        "       + row_number() OVER (ORDER BY service_key), service_key "
        "FROM service WHERE service_key NOT IN (SELECT service_key FROM availability_service)"
    )
    return _count(cur, "SELECT count(*) FROM availability_service", [])


def new_snapshot(
    cur: duckdb.DuckDBPyConnection,
    *,
    period_id: str,
    as_of: dt.date,
    source: str,
    is_demo: bool,
) -> int:
    """Create an (empty) snapshot and return its id."""
    row = cur.execute(
        "INSERT INTO availability_snapshot (id, period_id, as_of, source, loaded_at, row_count, "
        "is_demo) SELECT coalesce(max(id), 0) + 1, ?, ?, ?, current_timestamp, 0, ? "
        "FROM availability_snapshot RETURNING id",
        [period_id, as_of, source, is_demo],
    ).fetchall()
    return int(row[0][0])


def state_codes(cur: duckdb.DuckDBPyConnection) -> list[str]:
    return [
        r[0]
        for r in cur.execute(
            "SELECT code FROM region WHERE level = 'state' ORDER BY code"
        ).fetchall()
    ]


def write_rollups(cur: duckdb.DuckDBPyConnection, *, snapshot_id: int, state_code: str) -> None:
    """The roll-ups of one state's matrix rows (after they are written)."""
    low, high = int(state_code) * 1_000_000, int(state_code) * 1_000_000 + 999_999
    cur.execute(_MUNICIPALITY_ROLLUP, [snapshot_id, low, high])
    cur.execute(_STATE_SERVICE_ROLLUP, [snapshot_id, low, high])


def insert_availability(
    cur: duckdb.DuckDBPyConnection, *, snapshot_id: int, frame: pd.DataFrame
) -> None:
    """Matrix rows from a frame (``ags``, ``service_key``, ``maturity_level``, ``provider``
    as in :data:`PROVIDER_CODES` or None), sorted on the way in. For explicit data (tests, a
    future import); the generator writes whole states in SQL instead. Every AGS must be a
    municipality and every service registered (:func:`register_services`)."""
    before = _rows(cur, snapshot_id)
    view = "incoming_availability"  # registered on this transaction's cursor only
    cur.register(view, frame[["ags", "service_key", "maturity_level", "provider"]])
    try:
        cur.execute(
            "INSERT INTO service_availability "
            "SELECT ?, CAST(f.ags AS INTEGER), a.service_no, "
            "CAST(f.maturity_level AS UTINYINT), p.code FROM incoming_availability f "
            "JOIN availability_service a ON a.service_key = f.service_key "
            "LEFT JOIN availability_provider p ON p.provider = f.provider "
            "ORDER BY 2, 3",
            [snapshot_id],
        )
    except duckdb.Error:
        with contextlib.suppress(duckdb.Error):
            cur.unregister(view)
        raise
    cur.unregister(view)
    after = _rows(cur, snapshot_id)
    if after - before != len(frame):  # the join dropped rows of unknown services
        raise ValueError("availability rows refer to unknown services")


def _rows(cur: duckdb.DuckDBPyConnection, snapshot_id: int) -> int:
    return _count(
        cur, "SELECT count(*) FROM service_availability WHERE snapshot_id = ?", [snapshot_id]
    )


def _count(cur: duckdb.DuckDBPyConnection, sql: str, params: list[object]) -> int:
    # fetchall, not fetchone: DuckDB 2.0 refuses register() while a result is unfinished
    rows = cur.execute(sql, params).fetchall()
    return int(rows[0][0]) if rows else 0


def finish_snapshot(cur: duckdb.DuckDBPyConnection, *, snapshot_id: int) -> int:
    """Record the snapshot's row count; returns it."""
    rows = _rows(cur, snapshot_id)
    cur.execute("UPDATE availability_snapshot SET row_count = ? WHERE id = ?", [rows, snapshot_id])
    return rows


def fill_snapshot(
    cur: duckdb.DuckDBPyConnection,
    *,
    snapshot_id: int,
    write_state: Callable[[duckdb.DuckDBPyConnection, int, str], None],
    progress: Callable[[str], None] | None = None,
) -> int:
    """Write the matrix state by state with ``write_state(cur, snapshot_id, state_code)``
    (which must insert that state's rows sorted by AGS and service), then its roll-ups.
    Returns the number of matrix rows of the snapshot."""
    for code in state_codes(cur):
        write_state(cur, snapshot_id, code)
        write_rollups(cur, snapshot_id=snapshot_id, state_code=code)
        if progress is not None:
            progress(code)
    return finish_snapshot(cur, snapshot_id=snapshot_id)
