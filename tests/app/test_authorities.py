"""Behörden on the demo data: the comparison of all authorities under filters, one
authority's profile (projects, services, E-Akte, reporting history) and the empty state."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from streamlit.testing.v1 import AppTest

from kpi.portfolio import authority_comparison
from kpi.reporting import submission_history
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
    return at.switch_page("pages/behoerden.py").run()


def test_comparison_and_profile(demo_db: Path) -> None:
    at = _app()
    assert not at.exception, at.exception
    cur = db.cursor()
    comparison = at.dataframe[0].value
    expected = authority_comparison(cur, period=PERIOD, today=date.today())
    assert len(comparison) == len(expected) == 31
    assert comparison["Vorhaben"].sum() == expected["projects"].sum()
    assert set(comparison["gemeldet"]) == {"✅ ja", "❌ nein"}
    at.selectbox(key="profil").set_value("ba-mitte").run()
    assert not at.exception, at.exception
    assert [t.label for t in at.tabs] == ["Vorhaben", "Leistungen", "E-Akte", "Meldehistorie"]
    own = project_variance(
        cur, period=PERIOD, today=date.today(), selection=Selection(authorities=("ba-mitte",))
    )
    tables = [frame.value for frame in at.dataframe]
    projects = next(t for t in tables if "Nr." in t.columns and "Ampel berechnet" in t.columns)
    assert sorted(projects["Nr."]) == sorted(own["project_id"])
    history = next(t for t in tables if "Prüfstatus" in t.columns)
    assert len(history) == len(submission_history(cur, authority_id="ba-mitte"))
    assert {"Vorhabenlisten", "E-Akte-Stand"} <= set(history["Art"])
    labels = {m.label for m in at.metric}
    assert {"E-Akte-Quote", "Arbeitsplätze mit E-Akte", "Go-Live geplant"} <= labels


def test_filters_narrow_the_comparison(demo_db: Path) -> None:
    at = _app(art="Bezirksamt", status="pausiert")
    comparison = at.dataframe[0].value
    assert len(comparison) == 12  # the twelve Bezirksämter
    expected = authority_comparison(
        db.cursor(),
        period=PERIOD,
        today=date.today(),
        selection=Selection(authority_kinds=("district_office",), statuses=("paused",)),
    )
    assert list(comparison["Vorhaben"]) == list(expected["projects"])
    assert any("Vorhabenfilter" in c.value for c in at.caption)


def test_profile_of_an_authority_without_report(demo_db: Path) -> None:
    at = _app(behoerde="BA Pankow")  # late for 2026-Q3: preselected as the only authority
    assert not at.exception, at.exception
    assert at.selectbox(key="profil").value == "ba-pankow"
    assert any("Keine Vorhaben für diese Auswahl" in i.value for i in at.info)
    assert {m.label: m.value for m in at.metric}["Meldung"] == "fehlt"
    assert any("Kein E-Akte-Stand" in w.value for w in at.warning)
