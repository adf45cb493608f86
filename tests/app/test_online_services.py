"""The Online-Dienste page on the demo data: cards with counting rules, filters, drill-down."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from kpi import services as k
from store import connection as db

APP = str(Path(__file__).resolve().parents[2] / "app.py")
PAGE = "pages/online-dienste.py"
PERCENT = re.compile(r"^\d{1,3},\d %$")


def open_page() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["demo_role"] = "analyst"
    at.run()
    at.switch_page(PAGE).run()
    assert not at.exception, at.exception
    return at


def table_with(at: AppTest, column: str) -> pd.DataFrame:
    found = [d.value for d in at.dataframe if column in d.value.columns]
    assert found, f"no table with column {column!r}"
    return found[0]


def service_tables(at: AppTest) -> list[pd.DataFrame]:
    """Tables of services in page order: the filtered table, then (once an OZG-Leistung is
    chosen) its services, then the expanders' tables."""
    return [d.value for d in at.dataframe if "Reifegrad Berlin" in d.value.columns]


def count_caption(at: AppTest) -> str:
    return next(c.value for c in at.caption if re.match(r"^[\d.]+ von [\d.]+ Leistungen", c.value))


@pytest.fixture
def expected(demo_db: Path) -> dict[str, object]:
    cur = db.cursor()
    period = cur.execute("SELECT max(period_id) FROM submission").fetchone()[0]
    return {
        "period": period,
        "figures": k.services_headline(cur, period=period),
        "state": k.service_state(cur, period=period),
    }


def test_cards_show_quotas_with_counting_rule_and_as_of(expected: dict) -> None:
    at = open_page()
    assert at.title[0].value == "Online-Dienste"
    metrics = {m.label: m for m in at.metric}
    figures = expected["figures"]
    own = metrics["Online-Quote Berlin (eigene)"]
    every = metrics["Online-Quote inkl. Bund/EfA"]
    assert PERCENT.match(own.value) and PERCENT.match(every.value)
    assert own.value == f"{figures['online_quota_own'] * 100:.1f} %".replace(".", ",")
    assert every.value == f"{figures['online_quota_all'] * 100:.1f} %".replace(".", ",")
    assert own.delta.endswith("Pp.")
    assert metrics["Leistungen im Katalog"].value == f"{figures['services_in_scope']:,}".replace(
        ",", "."
    )
    for label in (
        "Vergleich: Reifegrad ≥ 2",
        "Bezirke: flächendeckend online",
        "… in mindestens einem Bezirk",
        "Neu online (90 Tage)",
        "Nachnutzung prüfen",
    ):
        assert label in metrics
    for metric in metrics.values():
        assert "Datenstand" in metric.help, metric.label
    assert "Reifegrad ≥ 3" in own.help and "Reifegrad 0" in own.help
    assert "Reifegradmodell 2.0" in own.help
    assert any("Datenstand: Leistungskatalog" in c.value for c in at.caption)


def test_service_table_filters(expected: dict) -> None:
    state = expected["state"]
    at = open_page()
    total = len(state)
    assert count_caption(at).startswith(f"{total:,} von {total:,}".replace(",", "."))

    at.text_input(key="od_suche").input("Wohngeld").run()
    wanted = k.filter_services(state, text="Wohngeld")
    assert 0 < len(wanted) < total
    assert len(service_tables(at)[0]) == len(wanted)
    assert set(service_tables(at)[0]["Leistung"]) == set(wanted["name"])

    at.text_input(key="od_suche").input("").run()
    at.multiselect(key="od_themenfeld").select("familie-kind").run()
    at.selectbox(key="od_online").select("nein").run()
    wanted = k.filter_services(state, topic_areas=("familie-kind",), online=False)
    shown = service_tables(at)[0]
    assert len(shown) == len(wanted) > 0
    assert set(shown["Themenfeld"]) == {"Familie & Kind"}
    assert (shown["Reifegrad"] < 3).all()

    at.multiselect(key="od_bereitsteller").select("none").run()
    wanted = k.filter_services(
        state, topic_areas=("familie-kind",), online=False, providers=("none",)
    )
    shown = service_tables(at)[0]
    assert len(shown) == len(wanted) > 0
    assert set(shown["bestes Angebot"]) == {"kein Angebot"}

    at.text_input(key="od_suche").input("gibt es nicht xyz").run()
    assert any("Keine Leistung passt" in i.value for i in at.info)


def test_maturity_by_provider_and_drill_down_from_ozg(expected: dict) -> None:
    at = open_page()
    by_topic = table_with(at, "Themenfeld")
    assert "Reifegrad 3" in by_topic.columns and len(by_topic) == 14
    at.radio(key="od_gliederung").set_value("provider").run()
    by_provider = table_with(at, "Bereitsteller")
    assert list(by_provider["Bereitsteller"]) == [
        "Bund",
        "EfA",
        "Land Berlin",
        "Bezirk",
        "kein Angebot",
    ]
    trend = table_with(at, "Δ Berlin")
    assert len(trend) == 8

    state = expected["state"]
    bundle = state["ozg_id"].value_counts().index[0]
    at.selectbox(key="od_ozg").select(bundle).run()
    members = service_tables(at)[1]
    wanted = state[state["ozg_id"] == bundle]
    assert len(members) == len(wanted) > 1
    assert set(members["OZG-ID"]) == {bundle}
    assert set(members["LeiKa-Schlüssel"]) == set(wanted["leika_key"].fillna("nicht im LeiKa"))


def test_empty_database_says_what_to_do(empty_db: Path) -> None:
    at = open_page()
    assert any("Leistungskatalog" in i.value and "--kind catalog" in i.value for i in at.info)
    assert not at.metric


def test_catalogue_without_status_counts_everything_as_zero(empty_db: Path) -> None:
    from loaders.ingest import ingest
    from store.identity import Identity

    catalogue = (
        "Leistungsschlüssel;Leistungsbezeichnung;Themenfeld\r\n"
        "99000000000001;Wohngeld;Bauen & Wohnen\r\n"
        "99000000000002;Elterngeld;Familie & Kind\r\n"
    ).encode()
    result = ingest(
        data=catalogue,
        file_name="katalog.csv",
        kind="catalog",
        authority="skzl",
        period="2026-Q3",
        identity=Identity(name="Test", role="admin"),
        review_status="published",
    )
    assert result.outcome == "accepted"
    at = open_page()
    assert any("noch kein Stand der Onlinedienste" in w.value for w in at.warning)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Online-Quote Berlin (eigene)"] == "0,0 %"
    assert metrics["Leistungen im Katalog"] == "2"
