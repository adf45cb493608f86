"""The demo set is deterministic, plausible and has the planted gaps."""

from __future__ import annotations

from pathlib import Path

from data.demo import LAST_PERIOD, LATE_FOR_LAST_PERIOD, demo_project_files
from data.reference import AUTHORITIES, parse_period, period_ids
from store import connection as db


def test_generation_is_deterministic() -> None:
    first = [(f.file_name, f.data) for f in demo_project_files()]
    second = [(f.file_name, f.data) for f in demo_project_files()]
    assert first == second


def test_periods_and_late_authorities() -> None:
    files = list(demo_project_files())
    periods = {f.period_id for f in files}
    assert periods == set(period_ids(LAST_PERIOD, 8))
    last = {f.authority_id for f in files if f.period_id == LAST_PERIOD}
    assert last == {a.id for a in AUTHORITIES} - LATE_FOR_LAST_PERIOD
    assert parse_period("2026-Q3")[1].isoformat() == "2026-09-30"


def test_seeded_demo_database_is_labelled_and_realistic(demo_db: Path) -> None:
    cur = db.cursor()
    subs, demo = cur.execute(
        "SELECT count(*), count(*) FILTER (is_demo) FROM submission"
    ).fetchone()
    assert subs == demo > 200
    per_authority = cur.execute(
        "SELECT p.submission_id, count(*) FROM project_report p GROUP BY 1"
    ).fetchall()
    assert all(12 <= n <= 18 for _, n in per_authority)
    states = dict(
        cur.execute(
            "SELECT cost_reporting_status, count(*) FROM project_report GROUP BY 1"
        ).fetchall()
    )
    assert states.get("confidential", 0) > 0 and states.get("not_reported", 0) > 0
    lights = dict(
        cur.execute("SELECT traffic_light, count(*) FROM project_report GROUP BY 1").fetchall()
    )
    assert set(lights) == {"green", "yellow", "red"}
