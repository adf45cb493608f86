"""The Themenfeld filter on the demo data: the demo projects carry topic areas, so a URL with
``?themenfeld=`` narrows the Vorhaben page to a non-empty, correct set."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from store import connection as db

APP = str(Path(__file__).resolve().parents[2] / "app.py")
PERIOD = "2026-Q3"


def _projects_with_topic(topic: str) -> int:
    """Counted straight from the tables: the latest published list of every authority."""
    row = (
        db.cursor()
        .execute(
            """
            SELECT count(*) FROM project_report p
            WHERE p.topic_area = ? AND p.submission_id IN (
                SELECT max(id) FROM submission
                WHERE kind = 'projects' AND period_id = ? AND review_status = 'published'
                GROUP BY authority_id
            )
            """,
            [topic, PERIOD],
        )
        .fetchone()
    )
    return int(row[0]) if row else 0


def test_topic_area_from_the_url_narrows_the_project_list(demo_db: Path) -> None:
    topic = "Familie & Kind"
    expected = _projects_with_topic(topic)
    assert expected > 0
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["demo_role"] = "analyst"
    at.query_params["themenfeld"] = topic
    at.run()
    at.switch_page("pages/vorhaben.py").run()
    assert not at.exception, at.exception
    assert at.multiselect(key="themenfeld").value == [topic]
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Vorhaben"] == str(expected)
    assert len(at.dataframe[0].value) == expected
    assert any(c.value.startswith("Gefiltert") and topic in c.value for c in at.caption)
