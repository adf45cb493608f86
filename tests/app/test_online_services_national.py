"""Online-Dienste at national scale: the nationwide section drills down from the states to
one municipality's services; a Berlin-only database shows no such section."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from data.generate import Scale, generate
from kpi import national
from store import connection as db
from tests.conftest import use_database

APP = str(Path(__file__).resolve().parents[2] / "app.py")
SMALL = Scale("t", authorities=33, projects=40, periods=2, services=30, status_coverage=0.8,
              municipalities=40)  # fmt: skip


@pytest.fixture(scope="module")
def national_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("national") / "national.duckdb"
    generate(SMALL, path)
    return path


@pytest.fixture
def national_db(national_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    path = tmp_path / "national.duckdb"
    path.write_bytes(national_template.read_bytes())
    use_database(monkeypatch, path)
    yield path
    db.close()


def _online_services(role: str = "analyst") -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    at.session_state["demo_role"] = role
    at.run()
    at.switch_page("pages/online-dienste.py").run()
    assert not at.exception, at.exception
    return at


def _select(at: AppTest, label: str, value: str) -> None:
    [box for box in at.selectbox if box.label == label][0].set_value(value).run()
    assert not at.exception, at.exception


def test_drill_down_from_states_to_one_municipality(national_db: Path) -> None:
    at = _online_services()
    assert any(h.value.startswith("Bundesweit") for h in at.subheader)
    total = national.headline(db.cursor())
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["überall online"] == str(total["services_everywhere"])
    assert metrics["Verfügbarkeit Deutschland"].endswith("%")
    assert at.dataframe[-1].value.shape[0] == 16  # one row per state

    _select(at, "Land", "09")
    districts = national.coverage(db.cursor(), level="district", parent="09")
    assert list(at.dataframe[-1].value["Kreis"]) == list(districts["name"])

    district = districts["code"].iloc[0]
    _select(at, "Kreis", district)
    municipality = national.regions(db.cursor(), parent=district)["code"].iloc[0]
    _select(at, "Gemeinde", municipality)
    offers = national.municipality_services(db.cursor(), ags=municipality)
    table = at.dataframe[-1].value
    assert len(table) == SMALL.services
    assert sorted(table["Reifegrad"]) == sorted(offers["maturity_level"])
    assert f"{int(offers['online'].sum())} von {SMALL.services} Leistungen online" in (
        at.caption[-1].value
    )


def test_topic_filter_narrows_the_services(national_db: Path) -> None:
    at = _online_services()
    topic = national.topic_areas(db.cursor())["topic_area"].iloc[0]
    _select(at, "Themenfeld (bundesweit)", topic)
    expected = national.headline(db.cursor(), topic_area=topic)
    assert f"{expected['services']} Leistungen ×" in " ".join(c.value for c in at.caption)


def test_berlin_only_database_has_no_national_section(demo_db: Path) -> None:
    at = _online_services()
    assert not any(h.value.startswith("Bundesweit") for h in at.subheader)
    assert not [box for box in at.selectbox if box.label == "Land"]
