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


def current_version(con: duckdb.DuckDBPyConnection) -> int:
    con.execute(
        "CREATE TABLE IF NOT EXISTS schema_version ("
        "version INTEGER PRIMARY KEY, name VARCHAR NOT NULL, applied_at TIMESTAMP NOT NULL)"
    )
    row = con.execute("SELECT coalesce(max(version), 0) FROM schema_version").fetchone()
    return int(row[0]) if row else 0


def apply_migrations(con: duckdb.DuckDBPyConnection) -> int:
    """Bring the schema up to the newest migration; returns the resulting version."""
    version = current_version(con)
    for number, name, sql in available_migrations():
        if number <= version:
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
        version = number
    con.execute("CHECKPOINT")
    return version
