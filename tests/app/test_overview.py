"""Übersicht on the demo data: cards with deltas, Datenstand, traffic-light picture, overdue
and missing reports, filters from the URL and from the widgets, the empty state, and the
public view without project details."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from kpi.selection import ALL, Selection
from kpi.trend import HEADLINES, headline
from store import connection as db
from store.settings import get_settings
from ui import format as fmt

APP = str(Path(__file__).resolve().parents[2] / "app.py")
PERIOD = "2026-Q3"


def _app(**query: str | list[str]) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["demo_role"] = "analyst"
    for key, value in query.items():
        at.query_params[key] = value
    return at.run()


def _metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def _table(at: AppTest, column: str):  # noqa: ANN202 - the table that has this column
    return next(frame.value for frame in at.dataframe if column in frame.value.columns)


def _figures(selection: Selection = ALL) -> dict[str, dict[str, object]]:
    return headline(db.cursor(), period=PERIOD, today=date.today(), selection=selection)


def test_cards_with_deltas_and_every_section(demo_db: Path) -> None:
    at = _app()
    assert not at.exception, at.exception
    expected = _figures()
    metrics = _metrics(at)
    assert set(metrics) == {label for label, _rule in HEADLINES.values()}
    assert metrics["Vorhaben"] == fmt.number(expected["projects"]["value"])
    assert metrics["Meldequote"] == fmt.percent(expected["reporting_rate"]["value"])
    assert metrics["E-Akte-Quote"] == fmt.percent(expected["eakte_share"]["value"])
    cards = {m.label: m for m in at.metric}
    delta = int(expected["projects"]["delta"])
    assert cards["Vorhaben"].proto.delta == f"{'-' if delta < 0 else '+'}{fmt.number(abs(delta))}"
    assert all(m.proto.help for m in at.metric)  # every number says how it is counted
    # Datenstand: one row per source; traffic-light grid: one row per reported light
    sources = _table(at, "Quelle")
    assert list(sources["Quelle"]) == [
        "Vorhabenlisten",
        "E-Akte-Stand",
        "Stand der Onlinedienste",
        "Leistungskatalog",
    ]
    grid = _table(at, "Ampel laut Meldung")
    assert (
        int(grid.drop(columns=["Ampel laut Meldung"]).sum().sum()) == expected["projects"]["value"]
    )
    history = _table(at, "Periode")  # every figure per period, newest first
    assert history["Periode"].iloc[0] == PERIOD
    assert history["Vorhaben"].iloc[0] == expected["projects"]["value"]
    assert history["Vorhaben"].iloc[1] == expected["projects"]["previous"]
    assert any("noch keine Vorhabenliste" in w.value for w in at.warning)  # 5 late authorities
    # the deltas compare with a complete previous period: said next to the reporting count
    assert any(
        "26 von 31 Behörden" in c.value and "deren Meldung noch fehlt" in c.value
        for c in at.caption
    )
    links = {link.proto.page for link in at.get("page_link")}  # url paths of the targets
    assert {"vorhaben", "behoerden", "e-akte"} <= links


def test_filters_from_url_and_widgets(demo_db: Path) -> None:
    at = _app(art="Bezirksamt")
    districts = Selection(authority_kinds=("district_office",))
    assert _metrics(at)["Vorhaben"] == fmt.number(_figures(districts)["projects"]["value"])
    assert any("Gefiltert: Behördenart" in c.value for c in at.caption)
    at.multiselect(key="status").set_value(["paused"]).run()
    paused = Selection(authority_kinds=("district_office",), statuses=("paused",))
    value = _figures(paused)["projects"]["value"]
    assert 0 < value < _figures(districts)["projects"]["value"]
    assert _metrics(at)["Vorhaben"] == fmt.number(value)
    at.segmented_control(key="basis").set_value("original").run()
    assert not at.exception
    grid = _table(at, "Ampel laut Meldung")
    assert int(grid.drop(columns=["Ampel laut Meldung"]).sum().sum()) == value


def test_empty_selection_says_so(demo_db: Path) -> None:
    at = _app(behoerde="BA Pankow")  # late with its 2026-Q3 list
    assert not at.exception
    assert _metrics(at)["Vorhaben"] == "0"
    assert any("Keine Vorhaben für diese Auswahl" in i.value for i in at.info)


def test_public_view_shows_aggregates_but_no_project_details(
    demo_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DASHBOARD_PUBLIC_VIEW", "true")
    get_settings.cache_clear()
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["demo_role"] = "public"
    at.run()
    assert not at.exception, at.exception
    assert "Vorhaben" in _metrics(at)
    columns = {c for frame in at.dataframe for c in frame.value.columns}
    assert not columns & {"Ende geplant", "Ende Prognose"}  # no project rows
    assert "überfällig" in _metrics(at)  # the overdue projects as a count only
    assert "vorhaben" not in {link.proto.page for link in at.get("page_link")}
