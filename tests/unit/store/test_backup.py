"""Backups and restores: verified copies, nothing half-written, the old file kept."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from loaders.__main__ import main
from loaders.ingest import ingest
from store import backup as backup_module
from store import connection as db
from store.backup import BackupError, create_backup, restore_backup, verify_backup
from store.identity import SYSTEM, Identity
from store.settings import get_settings
from tests.builders import csv_bytes, rows

ADMIN = Identity(name="Test Admin", role="admin")


def _ingest(count: int, authority: str = "ba-mitte") -> int:
    result = ingest(
        data=csv_bytes(rows(count)),
        file_name=f"{authority}-{count}.csv",
        kind="projects",
        authority=authority,
        period="2026-Q3",
        identity=ADMIN,
    )
    assert result.outcome == "accepted"
    return int(result.submission_id)


def _submissions() -> list[tuple[int, int]]:
    return db.cursor().execute("SELECT id, row_count FROM submission ORDER BY id").fetchall()


def test_backup_is_written_verified_and_logged(empty_db: Path) -> None:
    _ingest(4)
    _ingest(6, "ba-pankow")
    result = create_backup(identity=ADMIN)
    assert result.path.parent == get_settings().backup_directory
    assert result.path.suffix == ".duckdb" and result.path.exists()
    assert not list(result.path.parent.glob("*.partial*"))
    prints = verify_backup(result.path)
    assert prints["table:project_report"][0] == 10
    now = backup_module.fingerprint(db.cursor())  # the audit entry came after the backup
    assert {k: v for k, v in prints.items() if "audit" not in k} == {
        k: v for k, v in now.items() if "audit" not in k
    }
    audit = db.cursor().execute("SELECT action, detail FROM audit_log ORDER BY id").fetchall()
    assert audit[-1][0] == "backup_created"
    assert json.loads(audit[-1][1])["file"] == result.path.name


def test_restore_brings_back_the_backup_and_keeps_the_current_file(empty_db: Path) -> None:
    first = _ingest(3)
    saved = create_backup(identity=ADMIN)
    later = _ingest(5, "ba-pankow")
    assert [s for s, _n in _submissions()] == [first, later]

    result = restore_backup(saved.path, identity=ADMIN)
    assert _submissions() == [(first, 3)]
    assert result.previous is not None and result.previous.exists()
    with duckdb.connect(str(result.previous), read_only=True) as old:
        assert old.execute("SELECT count(*) FROM submission").fetchall() == [(2,)]
    # sequences came back too: the next submission gets a fresh id, no collision
    again = _ingest(7, "senfin")
    assert again > first
    actions = [a for (a,) in db.cursor().execute("SELECT action FROM audit_log").fetchall()]
    assert actions[-2:] == ["backup_restored", "submission_accepted"]


def test_a_damaged_backup_is_refused_and_nothing_replaced(empty_db: Path, tmp_path: Path) -> None:
    _ingest(3)
    saved = create_backup(identity=ADMIN)
    damaged = tmp_path / "damaged.duckdb"
    damaged.write_bytes(saved.path.read_bytes()[: 64 * 1024])
    before = _submissions()
    with pytest.raises(BackupError) as caught:
        restore_backup(damaged, identity=ADMIN)
    assert "keine lesbare Datenbanksicherung" in caught.value.message
    assert _submissions() == before
    assert not list(empty_db.parent.glob("*.before-restore-*"))


def test_a_foreign_database_is_not_a_backup(empty_db: Path, tmp_path: Path) -> None:
    foreign = tmp_path / "foreign.duckdb"
    with duckdb.connect(str(foreign)) as con:
        con.execute("CREATE TABLE x (a INTEGER)")
    with pytest.raises(BackupError) as caught:
        verify_backup(foreign)
    assert "keine Sicherung dieses Dashboards" in caught.value.message


def test_a_backup_of_a_newer_release_is_refused(empty_db: Path, tmp_path: Path) -> None:
    saved = create_backup(identity=ADMIN)
    newer = tmp_path / "newer.duckdb"
    newer.write_bytes(saved.path.read_bytes())
    with duckdb.connect(str(newer)) as con:
        con.execute("INSERT INTO schema_version VALUES (9999, '9999_future.sql', now())")
    with pytest.raises(BackupError) as caught:
        restore_backup(newer, identity=ADMIN)
    assert "neueren Version" in caught.value.message


def test_a_backup_that_does_not_match_is_discarded(
    empty_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _ingest(3)
    real = backup_module.fingerprint
    calls = {"n": 0}

    def drifting(cur, **kwargs):
        calls["n"] += 1
        prints = real(cur, **kwargs)
        if calls["n"] == 2:  # the copy's fingerprint: pretend a row went missing
            count, *rest = prints["table:project_report"]
            prints["table:project_report"] = (count - 1, *rest)
        return prints

    monkeypatch.setattr(backup_module, "fingerprint", drifting)
    with pytest.raises(BackupError) as caught:
        create_backup(identity=ADMIN)
    assert "verworfen" in caught.value.message
    assert not list(get_settings().backup_directory.glob("*.duckdb*"))


def test_a_restore_that_does_not_match_is_rolled_back(
    empty_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _ingest(3)
    saved = create_backup(identity=ADMIN)
    _ingest(4, "ba-pankow")
    before = _submissions()
    real = backup_module._inspect
    calls = {"n": 0}

    def drifting(path: Path):
        calls["n"] += 1
        prints, version = real(path)
        if calls["n"] == 2:  # the restored file
            prints = {**prints, "table:submission": (0, 0, 0)}
        return prints, version

    monkeypatch.setattr(backup_module, "_inspect", drifting)
    with pytest.raises(BackupError) as caught:
        restore_backup(saved.path, identity=ADMIN)
    assert "rückgängig" in caught.value.message
    monkeypatch.undo()
    assert _submissions() == before
    assert not list(empty_db.parent.glob("*.before-restore-*"))


def test_restore_refuses_while_another_process_holds_the_database(
    empty_db: Path, tmp_path: Path
) -> None:
    import subprocess
    import sys

    saved = create_backup(identity=ADMIN)
    db.close()
    holder = subprocess.Popen(  # noqa: S603 - fixed interpreter and script
        [
            sys.executable,
            "-c",
            "import duckdb, sys; c = duckdb.connect(sys.argv[1]); print('held', flush=True); "
            "sys.stdin.read()",
            str(empty_db),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == b"held"
        with pytest.raises(db.DatabaseBusyError):
            restore_backup(saved.path, identity=ADMIN)
    finally:
        assert holder.stdin is not None
        holder.stdin.close()
        holder.wait(timeout=30)
    assert empty_db.exists()
    assert not list(empty_db.parent.glob("*.before-restore-*"))


def test_command_line_backup_and_restore(empty_db: Path, capsys) -> None:
    _ingest(2)
    assert main(["backup", "--json"]) == 0
    made = json.loads(capsys.readouterr().out)
    assert made["verified"] is True and made["rows"] > 0
    path = Path(made["file"])
    assert main(["restore", str(path), "--check"]) == 0
    assert "lesbar und vollständig" in capsys.readouterr().out
    assert main(["restore", str(path)]) == 0
    out = capsys.readouterr().out
    assert "wiederhergestellt und geprüft" in out and "bisherige Datenbank" in out
    assert main(["restore", str(path.with_name("fehlt.duckdb"))]) == 2
    assert "nicht gefunden" in capsys.readouterr().err
    assert SYSTEM.name in {
        a for (a,) in db.cursor().execute("SELECT actor FROM audit_log").fetchall()
    }
