"""The demo set is deterministic, plausible and has the planted gaps."""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd

from data.demo import LAST_PERIOD, LATE_FOR_LAST_PERIOD, demo_project_files, topic_area
from data.reference import AUTHORITIES, TOPIC_AREAS, parse_period, period_ids
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


def _last_period_rows() -> list[dict[str, str]]:
    rows: list[dict[str, str]] = []
    for demo in demo_project_files():
        if demo.period_id == LAST_PERIOD:
            text = demo.data.decode("utf-8-sig")
            rows += [
                dict(row, authority_id=demo.authority_id)
                for row in csv.DictReader(io.StringIO(text), delimiter=";")
            ]
    return rows


def test_topic_areas_are_reference_names_derived_from_title_and_authority() -> None:
    rows = _last_period_rows()
    names = {name for _id, name in TOPIC_AREAS}
    assert {r["Themenfeld"] for r in rows} == names | {""}  # all 14, and internal projects
    for row in rows:
        assert row["Themenfeld"] == topic_area(
            row["Bezeichnung des Vorhabens"], row["authority_id"]
        )
    by_title = {(r["authority_id"], r["Bezeichnung des Vorhabens"]): r["Themenfeld"] for r in rows}
    assert by_title[("ba-lichtenberg", "Chatbot für Bürgeranfragen im Bürgeramt")] == (
        "Querschnittsleistungen"
    )
    assert all(
        r["Themenfeld"] == "" for r in rows if r["Bezeichnung des Vorhabens"] == "Einführung E-Akte"
    )
    # a department's funding programme belongs to its own field
    assert topic_area("Digitale Förderantragsstellung", "senasgiva") == "Arbeit & Ruhestand"
    assert topic_area("Digitale Förderantragsstellung", "skzl") == "Forschung & Förderung"


def _count_by_topic(cur: duckdb.DuckDBPyConnection) -> dict[str | None, int]:
    """Projects of the latest published list per authority for the last period, by the
    Themenfeld as stored, counted without the kpi package."""
    rows = cur.execute(
        """
        SELECT p.topic_area, count(*) FROM project_report p
        JOIN submission s ON s.id = p.submission_id
        WHERE s.id IN (
            SELECT max(id) FROM submission
            WHERE kind = 'projects' AND period_id = ? AND review_status = 'published'
            GROUP BY authority_id
        )
        GROUP BY 1
        """,
        [LAST_PERIOD],
    ).fetchall()
    return {topic: n for topic, n in rows}


def test_topic_area_filter_and_grouping_count_the_demo_projects(demo_db: Path) -> None:
    from kpi.portfolio import portfolio_summary, projects_by
    from kpi.selection import Selection, filter_options

    cur = db.cursor()
    expected = _count_by_topic(cur)
    assert sum(expected.values()) == 363  # the demo portfolio of the last period, unchanged
    today = date(2026, 11, 15)
    for topic in ("Familie & Kind", "Ein- & Auswanderung", "Gesundheit"):
        summary = portfolio_summary(
            cur, period=LAST_PERIOD, today=today, selection=Selection(topic_areas=(topic,))
        )
        assert summary["projects"] == expected[topic] > 0, topic
    grouped = projects_by(cur, period=LAST_PERIOD, dimension="topic_area", today=today)
    counted = {
        (None if pd.isna(g) else g): int(n)
        for g, n in zip(grouped["grp"], grouped["projects"], strict=True)
    }
    assert counted == expected
    offered = {value for value, _label in filter_options(cur)["topic_areas"]}
    assert {t for t in expected if t} <= offered
