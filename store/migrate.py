"""Numbered SQL migrations, applied in order, each in its own transaction.

Files are ``store/migrations/NNNN_name.sql``; the highest applied number is kept in
``schema_version`` so a database created by an older release is brought up to date on open.
"""

from __future__ import annotations

import re
from importlib import resources

import duckdb

_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")


def available_migrations() -> list[tuple[int, str, str]]:
    """(number, file name, SQL) of every migration shipped with the code, in order."""
    found = []
    for entry in resources.files("store.migrations").iterdir():
        match = _NAME.match(entry.name)
        if match:
            found.append((int(match.group(1)), entry.name, entry.read_text(encoding="utf-8")))
    return sorted(found)


def _ensure_table(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(
        "CREATE TABLE IF NOT EXISTS schema_version ("
        "version INTEGER PRIMARY KEY, name VARCHAR NOT NULL, applied_at TIMESTAMP NOT NULL)"
    )


def current_version(con: duckdb.DuckDBPyConnection) -> int:
    _ensure_table(con)
    row = con.execute("SELECT coalesce(max(version), 0) FROM schema_version").fetchone()
    return int(row[0]) if row else 0


def apply_migrations(con: duckdb.DuckDBPyConnection) -> int:
    """Apply every shipped migration not recorded yet; returns the resulting version.

    Compared by set, not by "above the highest applied": a migration merged later with a lower
    number than one already applied is still applied instead of being skipped silently.
    """
    _ensure_table(con)
    applied = {int(r[0]) for r in con.execute("SELECT version FROM schema_version").fetchall()}
    for number, name, sql in available_migrations():
        if number in applied:
            continue
        cur = con.cursor()
        try:
            cur.begin()
            cur.execute(sql)
            cur.execute(
                "INSERT INTO schema_version VALUES (?, ?, current_timestamp)", [number, name]
            )
            cur.commit()
        except BaseException:
            cur.rollback()
            raise
        finally:
            cur.close()
    con.execute("CHECKPOINT")
    return current_version(con)
