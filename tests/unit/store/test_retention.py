"""Retention: contacts of superseded submissions go after the set days, with an audit entry."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from loaders.ingest import ingest
from store import connection as db
from store.identity import SYSTEM, Identity
from store.retention import ACTION, remove_superseded_contacts
from tests.builders import csv_bytes, project_row

ROOT = Path(__file__).resolve().parents[3]
T0 = datetime(2026, 1, 10, 9, 0)


def _upload(*, authority: str, period: str, at: datetime, publish: bool, title: str = "A") -> int:
    records = [
        project_row(
            n,
            **{
                "Bezeichnung des Vorhabens": f"{title} {n}",
                "Ansprechperson": f"Erika Muster {n}",
                "E-Mail": f"erika{n}@example.org",
            },
        )
        for n in (1, 2)
    ]
    result = ingest(
        data=csv_bytes(records),
        file_name=f"{authority}-{title}.csv",
        kind="projects",
        authority=authority,
        period=period,
        identity=SYSTEM,
        review_status="published" if publish else "draft",
        submitted_at=at,
    )
    assert result.outcome == "accepted", result.message
    assert result.submission_id is not None
    return int(result.submission_id)


def _contacts(submission_id: int) -> list[tuple[object, object]]:
    return (
        db.cursor()
        .execute(
            "SELECT contact, contact_email FROM project_report WHERE submission_id = ? "
            "ORDER BY project_id",
            [submission_id],
        )
        .fetchall()
    )


def _has_file(submission_id: int) -> bool:
    row = (
        db.cursor()
        .execute("SELECT original_file IS NOT NULL FROM submission WHERE id = ?", [submission_id])
        .fetchone()
    )
    return bool(row and row[0])


def _titles(submission_id: int) -> list[str]:
    rows = (
        db.cursor()
        .execute(
            "SELECT title FROM project_report WHERE submission_id = ? ORDER BY project_id",
            [submission_id],
        )
        .fetchall()
    )
    return [r[0] for r in rows]


@pytest.fixture
def history(empty_db: Path) -> dict[str, int]:
    """BA Pankow: published v1 (T0), published v2 (T0+10 d) → v1 superseded at T0+10 d.
    SenFin: published v1 (T0), newer *draft* v2 (T0+10 d) → v1 still current when published.
    BA Mitte: draft d1 (T0), draft d2 (T0+100 d) → d1 superseded at T0+100 d."""
    return {
        "pankow_v1": _upload(authority="BA Pankow", period="2026-Q1", at=T0, publish=True),
        "pankow_v2": _upload(
            authority="BA Pankow",
            period="2026-Q1",
            at=T0 + timedelta(days=10),
            publish=True,
            title="B",
        ),
        "senfin_v1": _upload(authority="SenFin", period="2026-Q1", at=T0, publish=True),
        "senfin_draft": _upload(
            authority="SenFin",
            period="2026-Q1",
            at=T0 + timedelta(days=10),
            publish=False,
            title="B",
        ),
        "mitte_d1": _upload(authority="BA Mitte", period="2026-Q1", at=T0, publish=False),
        "mitte_d2": _upload(
            authority="BA Mitte",
            period="2026-Q1",
            at=T0 + timedelta(days=100),
            publish=False,
            title="B",
        ),
    }


def test_nothing_is_removed_before_the_retention_period_ends(history: dict[str, int]) -> None:
    version = db.data_version()
    result = remove_superseded_contacts(
        identity=SYSTEM, retention_days=30, now=T0 + timedelta(days=39)
    )
    assert result.submissions == []
    assert db.data_version() == version  # no write, caches stay valid
    assert _contacts(history["pankow_v1"])[0] == ("Erika Muster 1", "erika1@example.org")


def test_superseded_contacts_and_file_are_removed_with_audit(history: dict[str, int]) -> None:
    now = T0 + timedelta(days=41)  # v1 of BA Pankow superseded 31 days ago
    version = db.data_version()
    result = remove_superseded_contacts(identity=SYSTEM, retention_days=30, now=now)

    assert [s.submission_id for s in result.submissions] == [history["pankow_v1"]]
    assert result.applied and result.contact_rows == 2 and result.files == 1
    assert _contacts(history["pankow_v1"]) == [(None, None), (None, None)]
    assert not _has_file(history["pankow_v1"])
    assert _titles(history["pankow_v1"]) == ["A 1", "A 2"]  # the rest of the report stays
    assert db.data_version() == version + 1
    # Current submissions keep their contacts, including SenFin's published one with a newer
    # draft, and BA Mitte's first draft (its successor arrived only 100 days after T0).
    for key in ("pankow_v2", "senfin_v1", "senfin_draft", "mitte_d1", "mitte_d2"):
        assert _contacts(history[key])[0] == ("Erika Muster 1", "erika1@example.org"), key
        assert _has_file(history[key]), key

    audit = (
        db.cursor()
        .execute(
            "SELECT actor, role, authority_id, period_id, submission_id, detail, occurred_at "
            "FROM audit_log WHERE action = ?",
            [ACTION],
        )
        .fetchall()
    )
    assert len(audit) == 1
    actor, role, authority, period, submission_id, detail, occurred_at = audit[0]
    assert (actor, role, authority, period) == (SYSTEM.name, "admin", "ba-pankow", "2026-Q1")
    assert submission_id == history["pankow_v1"] and occurred_at == now
    assert json.loads(detail) == {
        "contact_rows": 2,
        "original_file_removed": True,
        "superseded_at": (T0 + timedelta(days=10)).isoformat(timespec="seconds"),
        "retention_days": 30,
    }

    again = remove_superseded_contacts(identity=SYSTEM, retention_days=30, now=now)
    assert again.submissions == []  # idempotent: nothing left to remove, no second entry


def test_drafts_are_superseded_by_any_newer_submission(history: dict[str, int]) -> None:
    result = remove_superseded_contacts(
        identity=SYSTEM, retention_days=0, now=T0 + timedelta(days=100)
    )
    assert {s.submission_id for s in result.submissions} == {
        history["pankow_v1"],
        history["mitte_d1"],
    }
    assert _contacts(history["mitte_d1"])[1] == (None, None)
    assert _contacts(history["senfin_v1"])[1] == ("Erika Muster 2", "erika2@example.org")


def test_dry_run_changes_nothing(history: dict[str, int]) -> None:
    version = db.data_version()
    result = remove_superseded_contacts(
        identity=SYSTEM, retention_days=30, now=T0 + timedelta(days=41), dry_run=True
    )
    assert [s.submission_id for s in result.submissions] == [history["pankow_v1"]]
    assert not result.applied and "Probelauf" in result.message()
    assert _contacts(history["pankow_v1"])[0] == ("Erika Muster 1", "erika1@example.org")
    assert db.data_version() == version


def test_only_admins_may_apply_retention(history: dict[str, int]) -> None:
    analyst = Identity(name="Ana Lyse", role="analyst")
    with pytest.raises(PermissionError):
        remove_superseded_contacts(identity=analyst, retention_days=0)
    assert _contacts(history["pankow_v1"])[0][0] == "Erika Muster 1"


def test_cli_applies_retention_and_reports_json(history: dict[str, int], empty_db: Path) -> None:
    db.close()  # the CLI runs in its own process and needs the file
    env = {**os.environ, "DASHBOARD_DB": str(empty_db), "PYTHONPATH": str(ROOT)}
    command = [sys.executable, "-m", "loaders", "retention", "--days", "0", "--json"]
    done = subprocess.run(
        command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["applied"] is True and report["retention_days"] == 0
    assert set(report["submissions"]) == {history["pankow_v1"], history["mitte_d1"]}
    assert report["contact_rows"] == 4
    assert _contacts(history["pankow_v1"])[0] == (None, None)

    negative = subprocess.run(
        [*command[:4], "--days", "-1"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert negative.returncode == 2 and "negativ" in negative.stderr
