"""The app's DuckDB connection is locked down, and refuses to open when it is not."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import pytest

from store import connection as db
from store import lockdown
from store.settings import get_settings


def _refused(sql: str, params: list[object] | None = None) -> str:
    with pytest.raises(duckdb.Error) as caught:
        db.cursor().execute(sql, params or [])
    return str(caught.value)


def test_server_files_cannot_be_read(empty_db: Path) -> None:
    neighbour = empty_db.parent / "secrets.toml"  # e.g. next to the database file
    neighbour.write_text("cookie_secret = 'x'\n")
    for sql in (
        "SELECT * FROM read_csv('/etc/passwd')",
        "SELECT * FROM read_text('/etc/passwd')",
        "SELECT * FROM read_blob('/etc/hostname')",
        "SELECT * FROM glob('/etc/*')",
        f"SELECT * FROM read_text('{neighbour}')",
    ):
        assert "disabled by configuration" in _refused(sql), sql


def test_files_cannot_be_written_attached_or_extensions_installed(
    empty_db: Path, tmp_path: Path
) -> None:
    target = tmp_path / "leak.csv"
    assert "disabled" in _refused(f"COPY (SELECT * FROM authority) TO '{target}'")
    assert not target.exists()
    assert "disabled" in _refused(f"ATTACH '{tmp_path / 'other.duckdb'}' AS other")
    assert "disabled" in _refused(f"INSTALL httpfs FROM '{tmp_path}'")
    assert "disabled" in _refused("LOAD httpfs")
    assert "disabled" in _refused(f"COPY authority TO '{empty_db.parent / 'next-to-db.csv'}'")


def test_the_lockdown_cannot_be_lifted(empty_db: Path) -> None:
    for sql in (
        "SET enable_external_access = true",
        "SET lock_configuration = false",
        "RESET allowed_directories",
        "SET allowed_directories = ['/']",
        "SET GLOBAL enable_external_access = true",
        "PRAGMA enable_profiling",
    ):
        assert "locked" in _refused(sql), sql
    settings = dict(
        db.cursor()
        .execute(
            "SELECT name, value FROM duckdb_settings() "
            "WHERE name IN ('enable_external_access', 'lock_configuration')"
        )
        .fetchall()
    )
    assert settings == {"enable_external_access": "false", "lock_configuration": "true"}


def test_the_app_still_works_under_the_lockdown(empty_db: Path) -> None:
    """DataFrame registration (the loaders' bulk insert), writes and checkpoints."""
    cur = db.cursor()
    cur.register("frame", pd.DataFrame({"x": [1, 2, 3]}))
    assert cur.execute("SELECT sum(x) FROM frame").fetchall() == [(6,)]
    with db.write_transaction() as write:
        write.execute("INSERT INTO topic_area VALUES ('lockdown', 'Test')")
    assert db.cursor().execute("SELECT count(*) FROM topic_area WHERE id = 'lockdown'").fetchall()


def test_only_the_backup_directory_is_writable(empty_db: Path) -> None:
    backups = get_settings().backup_directory
    backups.mkdir(parents=True, exist_ok=True)
    cur = db.cursor()
    cur.execute("ATTACH ? AS probe", [str(backups / "probe.duckdb")])
    cur.execute("DETACH probe")
    assert (backups / "probe.duckdb").exists()
    assert "disabled" in _refused("ATTACH ? AS escape", [str(backups / ".." / "escape.duckdb")])


def test_connection_refuses_to_open_without_lockdown(
    empty_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db.close()
    monkeypatch.setattr(lockdown, "apply", lambda con, *, allowed_directories: None)
    with pytest.raises(lockdown.LockdownError) as caught:
        db.connection()
    assert "Die App startet nicht" in caught.value.message
    assert {"read_csv('/etc/passwd')", "COPY … TO", "ATTACH", "INSTALL"} <= set(caught.value.failed)
    # the refused connection was closed: the file is free for the next (locked) open
    monkeypatch.undo()
    assert db.cursor().execute("SELECT count(*) FROM authority").fetchall()[0][0] > 0


@pytest.mark.parametrize(
    ("steps", "must_fail"),
    [
        (["SET enable_external_access = false"], "lock_configuration"),
        (["SET lock_configuration = true"], "read_csv('/etc/passwd')"),
        ([], "enable_external_access"),
    ],
    ids=["not locked", "locked but open", "nothing"],
)
def test_self_test_detects_a_partial_lockdown(
    tmp_path: Path, steps: list[str], must_fail: str
) -> None:
    con = duckdb.connect(str(tmp_path / "partial.duckdb"))
    try:
        for step in steps:
            con.execute(step)
        with pytest.raises(lockdown.LockdownError) as caught:
            lockdown.self_test(con)
        assert must_fail in caught.value.failed
    finally:
        con.close()


def test_self_test_passes_on_a_full_lockdown(tmp_path: Path) -> None:
    con = duckdb.connect(str(tmp_path / "full.duckdb"))
    try:
        lockdown.lock(con, allowed_directories=[tmp_path / "backups"])
        lockdown.self_test(con)  # again: probes leave nothing behind that breaks a rerun
    finally:
        con.close()
