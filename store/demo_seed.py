"""How far the demo data set got into the database.

The demo set is seeded file by file through the real loaders, one transaction per file, so
an interrupted first start (the visitor closed the tab, the process was stopped) leaves some
files stored and others not. A marker written after the last file tells a complete set from
a partial one; the file names of stored demo submissions tell what is still missing.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

_MARKER = "demo_seed"
_COMPLETE = "complete"


@dataclass(frozen=True)
class DemoSeedState:
    submissions: int
    demo_submissions: int
    complete: bool


def demo_seed_state(cur: duckdb.DuckDBPyConnection) -> DemoSeedState:
    row = cur.execute(
        "SELECT count(*), count(*) FILTER (WHERE is_demo), "
        "(SELECT count(*) FROM meta WHERE key = ? AND value = ?) FROM submission",
        [_MARKER, _COMPLETE],
    ).fetchone()
    assert row is not None
    return DemoSeedState(
        submissions=int(row[0]), demo_submissions=int(row[1]), complete=bool(row[2])
    )


def stored_demo_files(cur: duckdb.DuckDBPyConnection) -> frozenset[str]:
    rows = cur.execute("SELECT DISTINCT file_name FROM submission WHERE is_demo").fetchall()
    return frozenset(str(r[0]) for r in rows)


def mark_demo_seed_complete(cur: duckdb.DuckDBPyConnection) -> None:
    cur.execute(
        "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = ?",
        [_MARKER, _COMPLETE, _COMPLETE],
    )
