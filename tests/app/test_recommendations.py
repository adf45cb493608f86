"""The Handlungsempfehlungen page on the demo data: ranked list, evidence, link into the
filtered view, counts, page filters; admins acknowledge and dismiss with a reason, dismissed
entries stay visible under a filter and come back when their evidence changes."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from urllib.parse import parse_qs

import pandas as pd
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from kpi.similarity import normalise
from store import connection as db

APP = str(Path(__file__).resolve().parents[2] / "app.py")
PAGE = "pages/empfehlungen.py"
PERIOD = "2026-Q3"


@pytest.fixture
def demo(demo_db: Path) -> Iterator[Path]:
    # ui.data caches by data_version only; another test's database may share the number.
    st.cache_data.clear()
    yield demo_db
    st.cache_data.clear()


def open_page(role: str = "admin") -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    at.session_state["demo_role"] = role
    at.run()
    at.switch_page(PAGE).run()
    assert not at.exception, at.exception
    return at


def ranked(at: AppTest) -> pd.DataFrame:
    return next(d.value for d in at.dataframe if "Rang" in d.value.columns)


def metric(at: AppTest, label: str) -> int:
    return int(next(m.value for m in at.metric if m.label == label).replace(".", ""))


def detail(at: AppTest, key: str) -> AppTest:
    at.selectbox(key="empfehlung").set_value(key).run()
    assert not at.exception, at.exception
    return at


def decide(at: AppTest, state: str, reason: str) -> AppTest:
    at.radio(key="decision_state").set_value(state)
    at.text_area(key="decision_reason").input(reason)
    next(b for b in at.button if b.label == "Speichern").click().run()
    assert not at.exception, at.exception
    return at


def test_ranked_list_evidence_link_and_counts(demo: Path) -> None:
    at = open_page(role="analyst")
    assert at.title[0].value == "Handlungsempfehlungen"
    table = ranked(at)
    assert len(table) > 50
    assert list(table["Rang"]) == sorted(table["Rang"])
    order = {"🔴 hoch": 0, "🟠 mittel": 1, "⚪ niedrig": 2}
    assert list(table["Dringlichkeit"].map(order)) == sorted(table["Dringlichkeit"].map(order))
    assert metric(at, "offen") == len(table)
    # Every rule has a hit on the demo data, counted per rule and per authority.
    per_rule = next(
        d.value for d in at.dataframe if "Regel" in d.value.columns and "offen" in d.value.columns
    )
    assert len(per_rule) == 10 and (per_rule["Empfehlungen"] > 0).all()
    per_authority = next(d.value for d in at.dataframe if "Regeln" in d.value.columns)
    assert "BA Pankow" in set(per_authority["Behörde"])
    # The first entry is open below: its rule, evidence and the link into the filtered view.
    assert any(c.value.startswith("Regel: ") for c in at.caption)
    assert any(c.value.startswith("Bedingung: ") for c in at.caption)
    # Analysts read and export, but do not decide.
    assert not [b for b in at.button if b.label == "Speichern"]
    assert any(b.label == "Excel" for b in at.get("download_button"))

    detail(at, "missing_report:ba-pankow")
    evidence = next(d.value for d in at.dataframe if "Perioden zurück" in d.value.columns)
    assert list(evidence["Behörde"]) == ["BA Pankow"]
    assert list(evidence["neueste Meldung"]) == ["2026-Q2"]
    links = [link.proto for link in at.main.get("page_link")]
    behoerden = next(p for p in links if p.page.endswith("behoerden"))
    assert parse_qs(behoerden.query_string)["behoerde"] == ["BA Pankow"]
    assert parse_qs(behoerden.query_string)["periode"] == [PERIOD]

    detail(at, "light_mismatch:labo")
    link = next(
        p for p in (x.proto for x in at.main.get("page_link")) if p.page.endswith("vorhaben")
    )
    query = parse_qs(link.query_string)
    assert query["behoerde"] == ["LABO"] and query["ansicht"] == ["Ampel-Abweichung"]
    assert sorted(query["ampel"]) == ["gelb", "grün"]


def test_page_filters_rule_severity_and_global_authority(demo: Path) -> None:
    at = open_page(role="analyst")
    total = len(ranked(at))
    at.multiselect(key="regel").set_value(["similar_projects"]).run()
    clusters = ranked(at)
    assert set(clusters["Regel"]) == {"Bündelung / Standardisierung prüfen"}
    assert 0 < len(clusters) < total
    chatbot = clusters[
        clusters["Behörden"] == "BA Lichtenberg, BA Treptow-Köpenick, LABO, SenInnSport"
    ]
    assert len(chatbot) == 1  # the planted, differently worded cluster
    at.multiselect(key="regel").set_value([]).run()
    at.multiselect(key="dringlichkeit").set_value(["high"]).run()
    assert set(ranked(at)["Dringlichkeit"]) == {"🔴 hoch"}
    at.multiselect(key="dringlichkeit").set_value([]).run()
    at.multiselect(key="behoerde").set_value(["ba-pankow"]).run()
    pankow = ranked(at)
    assert len(pankow) > 0
    assert all("BA Pankow" in names for names in pankow["Behörden"])
    at.multiselect(key="regel").set_value(["eakte_behind"]).run()
    assert not at.exception
    assert any("Keine Handlungsempfehlungen für diese Auswahl" in i.value for i in at.info)


def test_admin_acknowledges_and_dismisses_with_reason(demo: Path) -> None:
    at = open_page(role="admin")
    before = len(ranked(at))

    detail(at, "missing_report:ba-pankow")
    decide(at, "acknowledged", "")  # no reason
    assert any("Begründung" in e.value for e in at.error)
    decide(at, "acknowledged", "Erinnerung an BA Pankow verschickt")
    assert any("zur Kenntnis genommen" in s.value for s in at.success)
    table = ranked(at)
    row = table[table["Empfehlung"].str.startswith("BA Pankow: keine Vorhabenliste")]
    assert list(row["Bearbeitungsstand"]) == ["✔ zur Kenntnis genommen"]
    assert metric(at, "zur Kenntnis genommen") == 1

    detail(at, "missing_report:laf")
    decide(at, "dismissed", "LAF meldet ab 2027 über die SenASGIVA")
    table = ranked(at)
    assert len(table) == before - 1
    assert not table["Empfehlung"].str.startswith("LAF:").any()
    assert metric(at, "zurückgestellt") == 1
    # Dismissed entries stay visible under the filter.
    at.multiselect(key="stand").set_value(["dismissed"]).run()
    shown = ranked(at)
    assert len(shown) == 1 and shown["Bearbeitungsstand"].iloc[0] == "⏸ zurückgestellt"
    assert any("LAF meldet ab 2027" in t.value for t in at.text)

    rows = (
        db.cursor()
        .execute(
            "SELECT action, actor, authority_id, period_id, detail FROM audit_log "
            "WHERE action LIKE 'recommendation_%' ORDER BY id"
        )
        .fetchall()
    )
    assert [r[0] for r in rows] == ["recommendation_acknowledged", "recommendation_dismissed"]
    assert rows[1][2:4] == ("laf", PERIOD)
    assert json.loads(rows[1][4])["reason"] == "LAF meldet ab 2027 über die SenASGIVA"


def test_dismissed_entry_comes_back_when_its_evidence_changes(demo: Path) -> None:
    from data.demo import demo_project_files
    from loaders.ingest import ingest
    from store.identity import Identity

    at = open_page(role="admin")
    at.multiselect(key="regel").set_value(["similar_projects"]).run()
    clusters = ranked(at)
    # The planted cluster's leading title: all four appear once, so the shortest, then A–Z.
    key = "similar_projects:" + normalise("Bürgeranfragen-Chatbot im Bürgeramt")
    detail(at, key)
    box = at.selectbox(key="empfehlung")
    assert "Bürgeranfragen-Chatbot im Bürgeramt" in box.format_func(box.value)
    decide(at, "dismissed", "Bündelung läuft bereits über das ITDZ")
    assert len(ranked(at)) == len(clusters) - 1

    # BA Treptow-Köpenick corrects its list: the chatbot project is renamed.
    original = next(
        f
        for f in demo_project_files()
        if f.authority_id == "ba-treptow-koepenick" and f.period_id == PERIOD
    )
    corrected = original.data.decode("utf-8").replace(
        "KI-Chatbot Bürgeranfragen Bürgeramt", "Digitale Gewerbeanmeldung"
    )
    result = ingest(
        data=corrected.encode("utf-8"),
        file_name="korrektur.csv",
        kind="projects",
        authority="ba-treptow-koepenick",
        period=PERIOD,
        identity=Identity(name="Test Admin", role="admin"),
        review_status="published",
        submitted_at=datetime(2026, 11, 20, 10, 0),
    )
    assert result.outcome == "accepted", [p.as_line() for p in result.errors]

    at.run()
    back = ranked(at)
    again = back[back["Behörden"].str.contains("LABO, SenInnSport")]
    assert list(again["Bearbeitungsstand"]) == ["offen"]
    assert list(again["Behörden"]) == ["BA Lichtenberg, LABO, SenInnSport"]
    detail(at, key)
    assert any("Belege geändert" in w.value for w in at.warning)
