"""The one place that opens DuckDB.

One connection per process (DuckDB allows a single writing process per file); every query
runs on its own cursor because DuckDB 2.0 connections must not be shared across threads.
Writes go through :func:`write_transaction`, which serialises them with a lock, bumps
``data_version`` inside the same transaction and checkpoints afterwards, so a crash can lose
at most an unacknowledged write and cached reads know when to refresh.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from store.migrate import apply_migrations
from store.settings import get_settings

log = logging.getLogger(__name__)

_lock = threading.RLock()
_write_lock = threading.Lock()
_con: duckdb.DuckDBPyConnection | None = None
_con_path: Path | None = None


class DatabaseBusyError(RuntimeError):
    """Another process (usually the running app) holds the database file."""


def _open(path: Path) -> duckdb.DuckDBPyConnection:
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        con = duckdb.connect(str(path))
    except duckdb.IOException as exc:
        if "lock" in str(exc).lower():
            raise DatabaseBusyError(str(exc)) from exc
        raise
    apply_migrations(con)
    # Lock the connection down (backups directory only) and prove it, or refuse to open.
    from store import lockdown

    lockdown.lock(con, allowed_directories=[get_settings().backup_directory])
    return con


def connection() -> duckdb.DuckDBPyConnection:
    """The process-wide connection to the configured database, opened and migrated once."""
    global _con, _con_path
    path = Path(get_settings().db)
    with _lock:
        if _con is None or _con_path != path:
            if _con is not None:
                _con.close()
            _con = _open(path)
            _con_path = path
        return _con


def close() -> None:
    """Release the database file (tests, backup/restore, CLI shutdown)."""
    global _con, _con_path
    with _lock:
        if _con is not None:
            _con.close()
        _con = None
        _con_path = None


def is_open(path: str | Path) -> bool:
    """True if this process holds an open connection to ``path``."""
    return _con is not None and _con_path == Path(path)


def cursor() -> duckdb.DuckDBPyConnection:
    """A fresh cursor for one read; cheap, and safe to use from the calling thread only."""
    return connection().cursor()


def checkpoint(con: duckdb.DuckDBPyConnection) -> None:
    """Fold the WAL into the database file after a write.

    The write is already committed (and durable in the WAL) when this runs. DuckDB refuses a
    CHECKPOINT while another transaction holds uncommitted writes ("Cannot CHECKPOINT: there
    are other write transactions active", seen with concurrent sessions); the commit must not
    be reported as failed for that — DuckDB checkpoints again later by itself.
    """
    try:
        con.execute("CHECKPOINT")
    except duckdb.TransactionException as exc:
        log.warning("checkpoint skipped after a committed write: %s", exc)


@contextmanager
def write_transaction() -> Iterator[duckdb.DuckDBPyConnection]:
    """Run one write as a single transaction under the process-wide write lock.

    The caller's statements, the ``data_version`` bump and the commit succeed together or not
    at all; any exception rolls everything back and propagates.
    """
    with _write_lock:
        cur = connection().cursor()
        try:
            cur.begin()
            yield cur
            cur.execute(
                "UPDATE meta SET value = CAST(CAST(value AS BIGINT) + 1 AS VARCHAR) "
                "WHERE key = 'data_version'"
            )
            cur.commit()
        except BaseException:
            try:
                cur.rollback()
            except duckdb.Error:
                log.exception("rollback failed")
            raise
        finally:
            cur.close()
        checkpoint(connection())


@contextmanager
def audit_only_transaction() -> Iterator[duckdb.DuckDBPyConnection]:
    """A transaction that writes audit entries only, so ``data_version`` stays unchanged."""
    with _write_lock:
        cur = connection().cursor()
        try:
            cur.begin()
            yield cur
            cur.commit()
        except BaseException:
            try:
                cur.rollback()
            except duckdb.Error:
                log.exception("rollback failed")
            raise
        finally:
            cur.close()
        checkpoint(connection())


def data_version() -> int:
    """Bumped by every data write; cached reads use it as part of their key."""
    row = cursor().execute("SELECT value FROM meta WHERE key = 'data_version'").fetchone()
    return int(row[0]) if row else 0
