"""``python -m loaders``: exit codes and German messages, never a traceback."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.builders import csv_bytes, project_row, rows

ROOT = Path(__file__).resolve().parents[3]


def _run(db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DASHBOARD_DB": str(db), "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "loaders", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    good = tmp_path / "gut.csv"
    good.write_bytes(csv_bytes(rows(3), encoding="cp1252"))
    bad = tmp_path / "kaputt.csv"
    bad.write_bytes(csv_bytes([project_row(1, Ampel="orange"), project_row(2, Status="?")]))
    return {"good": good, "bad": bad}


def test_init_ingest_again_and_reject(tmp_path: Path, files: dict[str, Path]) -> None:
    db = tmp_path / "cli.duckdb"
    init = _run(db, "init")
    assert init.returncode == 0 and "Datenbank bereit" in init.stdout

    args = ("--kind", "projects", "--authority", "BA Mitte", "--period", "2026-Q3")
    first = _run(db, "ingest", str(files["good"]), *args)
    assert first.returncode == 0, first.stderr
    assert "übernommen (3 Vorhaben)" in first.stdout

    again = _run(db, "ingest", str(files["good"]), *args, "--json")
    assert again.returncode == 0
    assert json.loads(again.stdout)["outcome"] == "already_present"

    bad = _run(db, "ingest", str(files["bad"]), *args)
    assert bad.returncode == 1
    lines = [line for line in bad.stdout.splitlines() if line.startswith("Fehler:")]
    assert len(lines) == 2 and "orange" in bad.stdout
    assert "Traceback" not in bad.stderr


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"file": "fehlt.csv"}, "nicht gefunden"),
        ({"authority": "Atlantis"}, "Unbekannte Behörde"),
        ({"period": "Q3-2026"}, "Berichtsperiode"),
    ],
)
def test_usage_errors_exit_2(
    tmp_path: Path, files: dict[str, Path], change: dict[str, str], expected: str
) -> None:
    db = tmp_path / "cli.duckdb"
    file = str(tmp_path / change["file"]) if "file" in change else str(files["good"])
    result = _run(
        db,
        "ingest",
        file,
        "--kind",
        "projects",
        "--authority",
        change.get("authority", "ba-mitte"),
        "--period",
        change.get("period", "2026-Q3"),
    )
    assert result.returncode == 2
    assert expected in result.stderr
    assert "Traceback" not in result.stderr


def test_database_held_by_another_process(tmp_path: Path, files: dict[str, Path]) -> None:
    db = tmp_path / "held.duckdb"
    assert _run(db, "init").returncode == 0
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); print('ready', flush=True); "
            "time.sleep(30)",
            str(db),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "ready"
        started = time.monotonic()
        result = _run(
            db,
            "ingest",
            str(files["good"]),
            "--kind",
            "projects",
            "--authority",
            "ba-mitte",
            "--period",
            "2026-Q3",
        )
        assert result.returncode == 3
        assert "verwendet" in result.stderr
        assert "Traceback" not in result.stderr
        assert time.monotonic() - started < 30
    finally:
        holder.kill()
        holder.wait()
