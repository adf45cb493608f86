"""Vorhaben on the demo data: the list in every view, filter combinations from the URL and
the widgets, the charts by group with their tables, the empty state and one project's
history."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from streamlit.testing.v1 import AppTest

from kpi import portfolio
from kpi.selection import Selection
from kpi.variance import project_variance
from store import connection as db

APP = str(Path(__file__).resolve().parents[2] / "app.py")
PERIOD = "2026-Q3"


def _app(**query: str | list[str]) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["demo_role"] = "analyst"
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    return at.switch_page("pages/vorhaben.py").run()


def _args(selection: Selection = Selection()) -> dict[str, object]:  # noqa: B008
    return {"period": PERIOD, "today": date.today(), "selection": selection}


def _table(at: AppTest):  # noqa: ANN202 - the project list is the first table
    return at.dataframe[0].value


def test_views_groups_and_german_columns(demo_db: Path) -> None:
    at = _app()
    assert not at.exception, at.exception
    cur = db.cursor()
    table = _table(at)
    assert len(table) == len(project_variance(cur, **_args()))
    assert {
        "Ampel (Meldung)",
        "Ampel berechnet",
        "Ampel ursprüngl. Planung",
        "Kostenangabe",
    } <= set(table.columns)
    assert table["Ampel berechnet"].str.contains("grün|gelb|rot|keine").all()  # word, not colour
    # confidential costs: amount empty, state written out
    confidential = table[table["Kostenangabe"] == "vertraulich"]
    assert not confidential.empty and confidential["Budget in €"].isna().all()
    for view, function in (
        ("overdue", portfolio.overdue_projects),
        ("rebaselined", portfolio.rebaselined_projects),
        ("mismatch", portfolio.light_disagreements),
    ):
        at.radio(key="ansicht").set_value(view).run()
        assert not at.exception, at.exception
        assert len(_table(at)) == len(function(cur, **_args())), view
    at.radio(key="ansicht").set_value("all").run()
    at.segmented_control(key="gruppe").set_value("programme").run()
    side = at.dataframe[1].value
    grouped = portfolio.projects_by(cur, dimension="programme", **_args())
    assert list(side["Vorhaben"]) == list(grouped["projects"])
    assert "Onlinedienst (OZG)" in set(side["Programm"])
    at.segmented_control(key="gruppe").set_value("topic_area").run()
    side = at.dataframe[1].value
    grouped = portfolio.projects_by(cur, dimension="topic_area", **_args())
    assert list(side["Vorhaben"]) == list(grouped["projects"])
    assert {"Familie & Kind", "ohne Angabe"} <= set(side["Themenfeld"])


def test_filter_combinations_from_url_and_widgets(demo_db: Path) -> None:
    at = _app(art="Bezirksamt", ampel="rot")
    cur = db.cursor()
    selection = Selection(authority_kinds=("district_office",), lights=("red",))
    expected = project_variance(cur, **_args(selection))
    assert 0 < len(_table(at)) == len(expected)
    assert set(_table(at)["Ampel (Meldung)"]) == {"🔴 rot"}
    at.multiselect(key="status").set_value(["paused", "in_progress"]).run()
    narrower = Selection(
        authority_kinds=("district_office",),
        lights=("red",),
        statuses=("paused", "in_progress"),
    )
    assert len(_table(at)) == len(project_variance(cur, **_args(narrower))) < len(expected)
    at.multiselect(key="programm").set_value(["eakte"]).run()
    narrowest = Selection(
        authority_kinds=("district_office",),
        lights=("red",),
        statuses=("paused", "in_progress"),
        programmes=("eakte",),
    )
    assert len(_table(at)) == len(project_variance(cur, **_args(narrowest)))


def test_empty_selection_says_so(demo_db: Path) -> None:
    selection = Selection(authority_kinds=("state_enterprise",), statuses=("cancelled",))
    assert project_variance(db.cursor(), **_args(selection)).empty
    at = _app(art="Landesbetrieb / Anstalt", status="abgebrochen")
    assert not at.exception, at.exception
    assert any("Keine Vorhaben für diese Auswahl" in i.value for i in at.info)
    assert not at.dataframe  # no empty table, no empty chart


def test_project_history_across_periods(demo_db: Path) -> None:
    at = _app(behoerde="BA Mitte")
    cur = db.cursor()
    moved = portfolio.rebaselined_projects(cur, **_args(Selection(authorities=("ba-mitte",)))).iloc[
        0
    ]
    key = f"ba-mitte/{moved['project_id']}"
    at.selectbox(key="vorhaben").set_value(key).run()
    assert not at.exception, at.exception
    history = portfolio.project_history(
        cur, authority_id="ba-mitte", project_id=moved["project_id"], today=date.today()
    )
    moves = at.dataframe[-1].value
    assert list(moves["Periode"]) == list(history["period_id"])
    assert moves["Ende geplant"].nunique() > 1 or moves["Budget in €"].nunique() > 1  # re-planned
    labels = {m.label for m in at.metric}
    assert {"Ampel berechnet", "gegen ursprüngliche Planung"} <= labels
