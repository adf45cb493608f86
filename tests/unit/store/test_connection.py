"""Migrations, the write path and data_version."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from store import connection as db
from store.migrate import available_migrations, current_version


def test_migrations_are_numbered_and_applied_once(empty_db: Path) -> None:
    newest = available_migrations()[-1][0]
    assert current_version(db.cursor()) == newest
    db.close()
    db.connection()  # reopening applies nothing twice
    rows = db.cursor().execute("SELECT version FROM schema_version ORDER BY version").fetchall()
    assert [r[0] for r in rows] == [m[0] for m in available_migrations()]


def test_write_transaction_bumps_version_and_rolls_back_on_error(empty_db: Path) -> None:
    before = db.data_version()
    with db.write_transaction() as cur:
        cur.execute("INSERT INTO topic_area VALUES ('x', 'X')")
    assert db.data_version() == before + 1
    with pytest.raises(duckdb.ConstraintException), db.write_transaction() as cur:
        cur.execute("INSERT INTO topic_area VALUES ('y', 'Y')")
        cur.execute("INSERT INTO topic_area VALUES ('x', 'again')")
    assert db.data_version() == before + 1
    names = db.cursor().execute("SELECT id FROM topic_area WHERE id IN ('x', 'y')").fetchall()
    assert names == [("x",)]


def test_writes_survive_reopen_after_checkpoint(empty_db: Path) -> None:
    with db.write_transaction() as cur:
        cur.execute("INSERT INTO topic_area VALUES ('z', 'Z')")
    db.close()
    con = duckdb.connect(str(empty_db), read_only=True)
    try:
        assert con.execute("SELECT name FROM topic_area WHERE id = 'z'").fetchone() == ("Z",)
    finally:
        con.close()


def test_a_migration_with_a_lower_number_merged_later_is_still_applied(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from store import migrate

    con = duckdb.connect()
    shipped = [
        (1, "0001_a.sql", "CREATE TABLE a (x INTEGER)"),
        (3, "0003_c.sql", "CREATE TABLE c (x INTEGER)"),
    ]
    monkeypatch.setattr(migrate, "available_migrations", lambda: list(shipped))
    assert migrate.apply_migrations(con) == 3
    shipped.insert(1, (2, "0002_b.sql", "CREATE TABLE b (x INTEGER)"))
    assert migrate.apply_migrations(con) == 3
    tables = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
    assert {"a", "b", "c"} <= tables
    versions = [
        r[0] for r in con.execute("SELECT version FROM schema_version ORDER BY 1").fetchall()
    ]
    assert versions == [1, 2, 3]


class _CheckpointRefused:
    """The process connection, except that DuckDB refuses the CHECKPOINT (another session's
    write transaction is active)."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self._con = con

    def execute(self, sql: str, *args: object) -> duckdb.DuckDBPyConnection:
        if sql.strip().upper() == "CHECKPOINT":
            raise duckdb.TransactionException(
                "TransactionContext Error: Cannot CHECKPOINT: there are other write "
                "transactions active. Try using FORCE CHECKPOINT to wait until all active "
                "transactions are finished"
            )
        return self._con.execute(sql, *args)

    def cursor(self) -> duckdb.DuckDBPyConnection:
        return self._con.cursor()


def test_a_refused_checkpoint_does_not_turn_a_committed_write_into_an_error(
    empty_db: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    real = db.connection()
    monkeypatch.setattr(db, "connection", lambda: _CheckpointRefused(real))
    before = db.data_version()
    with db.write_transaction() as cur:
        cur.execute("INSERT INTO topic_area VALUES ('w', 'W')")
    with db.audit_only_transaction() as cur:
        cur.execute("SELECT 1")
    assert db.data_version() == before + 1
    assert real.execute("SELECT name FROM topic_area WHERE id = 'w'").fetchone() == ("W",)
    assert "checkpoint skipped" in caplog.text
