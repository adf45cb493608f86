"""Lock the app's DuckDB connection down to its own database file (and the backup directory).

A SQL injection, or a careless query, must not be able to read server files, write files,
attach other databases or load extensions. DuckDB can enforce that itself: the order matters —
``allowed_directories`` first (backups only), then ``enable_external_access = false``, then
``lock_configuration = true`` so that no later statement can switch it back on.

Because a missing lockdown is invisible until someone abuses it, every connection is probed at
open time (:func:`self_test`); if any probe succeeds the connection is closed and the app
refuses to start. The probes never touch the network: ``INSTALL`` is tried from a local, empty
repository directory.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

log = logging.getLogger(__name__)


class LockdownError(RuntimeError):
    """The database connection is not locked down; ``message`` is German for the operator."""

    def __init__(self, message: str, *, failed: Sequence[str] = ()) -> None:
        super().__init__(f"{message} (probes not refused: {', '.join(failed) or '-'})")
        self.message = message
        self.failed = tuple(failed)


def apply(con: duckdb.DuckDBPyConnection, *, allowed_directories: Sequence[Path]) -> None:
    """Restrict file access to ``allowed_directories``, disable external access, lock it."""
    directories = [str(Path(d).resolve()).rstrip("/") + "/" for d in allowed_directories]
    con.execute("SET allowed_directories = ?", [directories])
    con.execute("SET enable_external_access = false")
    con.execute("SET lock_configuration = true")


@dataclass(frozen=True)
class _Probe:
    name: str
    sql: str
    expect: str  # "permission": must fail with PermissionException; "locked": config locked


def _probes(scratch: Path) -> list[_Probe]:
    # Paths are generated here (a fresh temporary directory), never taken from outside.
    target = str(scratch / "probe.csv").replace("'", "''")
    attach = str(scratch / "probe.duckdb").replace("'", "''")
    repository = str(scratch).replace("'", "''")
    return [
        _Probe("read_csv('/etc/passwd')", "SELECT * FROM read_csv('/etc/passwd')", "permission"),
        _Probe("COPY … TO", f"COPY (SELECT 1 AS x) TO '{target}'", "permission"),
        _Probe("ATTACH", f"ATTACH '{attach}' AS lockdown_probe", "permission"),
        _Probe("INSTALL", f"INSTALL httpfs FROM '{repository}'", "permission"),
        _Probe("SET enable_external_access = true", "SET enable_external_access = true", "locked"),
        _Probe("SET lock_configuration = false", "SET lock_configuration = false", "locked"),
        _Probe("RESET allowed_directories", "RESET allowed_directories", "locked"),
    ]


def self_test(con: duckdb.DuckDBPyConnection) -> None:
    """Prove the lockdown: every forbidden operation must be refused for the right reason.

    An operation that fails for another reason (file missing, no network) would hide a missing
    lockdown, so only a permission error, or "configuration locked" for settings, counts.
    DataFrame registration must keep working, because the loaders write through it.
    """
    scratch = Path(tempfile.mkdtemp(prefix="dashboard-lockdown-"))
    failed: list[str] = []
    cur = con.cursor()
    try:
        for probe in _probes(scratch):
            try:
                cur.execute(probe.sql)
            except duckdb.PermissionException:
                if probe.expect != "permission":
                    failed.append(probe.name)
            except duckdb.Error as exc:
                refused_as_locked = "locked" in str(exc).lower()
                if not (probe.expect == "locked" and refused_as_locked):
                    log.error("lockdown probe %s failed for another reason: %s", probe.name, exc)
                    failed.append(probe.name)
            else:
                failed.append(probe.name)
        settings = dict(
            cur.execute(
                "SELECT name, value FROM duckdb_settings() "
                "WHERE name IN ('enable_external_access', 'lock_configuration')"
            ).fetchall()
        )
        if settings.get("enable_external_access") != "false":
            failed.append("enable_external_access")
        if settings.get("lock_configuration") != "true":
            failed.append("lock_configuration")
        probe_frame = pd.DataFrame({"x": [1, 2]})
        cur.register("lockdown_probe_frame", probe_frame)
        try:
            total = cur.execute("SELECT sum(x) FROM lockdown_probe_frame").fetchall()[0]
        finally:
            cur.unregister("lockdown_probe_frame")
        if not total or total[0] != 3:
            failed.append("DataFrame registration")
    finally:
        cur.close()
        shutil.rmtree(scratch, ignore_errors=True)
    if failed:
        log.critical("DuckDB lockdown self-test failed: %s", ", ".join(failed))
        raise LockdownError(
            "Die App startet nicht: Die Absicherung der Datenbank ist unvollständig "
            "(Dateizugriff, Erweiterungen oder Konfiguration sind nicht gesperrt). "
            "Bitte den Betrieb informieren.",
            failed=failed,
        )


def lock(con: duckdb.DuckDBPyConnection, *, allowed_directories: Sequence[Path]) -> None:
    """Apply the lockdown and prove it; closes ``con`` and raises if the proof fails."""
    try:
        apply(con, allowed_directories=allowed_directories)
        self_test(con)
    except BaseException:
        con.close()
        raise
