"""Cost and schedule variance, computed lights and flags against a portfolio computed by hand.

The fixture ``portfolio`` ingests two periods through the real loaders (German CSV):

2026-Q1, SenFin: A and B (their first reports, so their original baselines).
2026-Q2, SenFin: A … J; BA Mitte: K. Reference date of 2026-Q2 with today = 29.11.2026 is
30.06.2026 (the end of the period).

Hand computation for 2026-Q2 (variance = (plan − expected) ÷ plan; days between dates):

====  =====================================================  ===========  ==========
 id   cost | schedule (current)                              computed     original
====  =====================================================  ===========  ==========
 A    (100k−105k)/100k = −5 %  | 0                           green        green
 B    (300k−300k)/300k = 0     | 0                           green        red: cost (200k−300k)/200k
                                                                          = −50 %, schedule
                                                                          −365/364 (P1 plan)
 C    (50k−52k)/50k = −4 %     | −91/180 = −50,6 %           red          red
 D    confidential             | (31.03.−30.06.)/273 = −91/273 = −33,3 %  red   red
 E    completed: (80k−100k)/80k = −25 % | −31/364 = −8,5 %   yellow       yellow
 F    not reported | no forecast, end not passed → none      none         none
 G    cancelled → none                                       none         none
 H    (100k−110k)/100k = −10 % (boundary) | 0                yellow       yellow
 I    (100k−70k)/100k = +30 % (boundary)  | 0                red          red
 J    (120k−120k)/120k = 0 | 0; reported original 30.06.2026 green        red: schedule
      and 100k                                                            −184/180, cost −20 %
 K    (BA Mitte) 0 | 0                                       green        green
====  =====================================================  ===========  ==========
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import pandas as pd
import pytest

from kpi.selection import Selection
from kpi.variance import light_comparison, project_variance
from store import connection as db
from store.identity import SYSTEM

TODAY = date(2026, 11, 29)
HEADER = (
    "Vorhaben-Nr.",
    "Bezeichnung des Vorhabens",
    "Programm / Kategorie",
    "Themenfeld",
    "Status",
    "Ampel",
    "Begründung Ampel",
    "Beginn",
    "Ende (ursprünglich geplant)",
    "Ende (geplant)",
    "Ende (Prognose)",
    "Ende (Ist)",
    "Budget ursprünglich in €",
    "Budget in €",
    "Kostenprognose in €",
    "Ist-Kosten in €",
)


def _row(
    pid: str,
    *,
    status: str = "in Umsetzung",
    light: str = "grün",
    start: str = "01.01.2026",
    end: str = "31.12.2026",
    forecast: str = "31.12.2026",
    actual_end: str = "",
    original_end: str = "",
    original_budget: str = "",
    budget: str = "100.000,00",
    forecast_cost: str = "100.000,00",
    actual_cost: str = "",
    programme: str = "Onlinedienst (OZG)",
    topic: str = "Bildung",
) -> dict[str, str]:
    return {
        "Vorhaben-Nr.": pid,
        "Bezeichnung des Vorhabens": f"Vorhaben {pid}",
        "Programm / Kategorie": programme,
        "Themenfeld": topic,
        "Status": status,
        "Ampel": light,
        "Begründung Ampel": "" if light == "grün" else "Verzug beim Dienstleister",
        "Beginn": start,
        "Ende (ursprünglich geplant)": original_end,
        "Ende (geplant)": end,
        "Ende (Prognose)": forecast,
        "Ende (Ist)": actual_end,
        "Budget ursprünglich in €": original_budget,
        "Budget in €": budget,
        "Kostenprognose in €": forecast_cost,
        "Ist-Kosten in €": actual_cost,
    }


def _csv(rows: list[dict[str, str]]) -> bytes:
    lines = [";".join(HEADER)] + [";".join(r[h] for h in HEADER) for r in rows]
    return ("\r\n".join(lines) + "\r\n").encode("cp1252")


PERIOD_1 = [
    _row("A", forecast_cost="105.000,00"),
    _row(
        "B",
        start="01.01.2025",
        end="31.12.2025",
        forecast="31.12.2025",
        budget="200.000,00",
        forecast_cost="200.000,00",
    ),
]
PERIOD_2_SENFIN = [
    _row("A", forecast_cost="105.000,00"),
    _row("B", start="01.01.2025", budget="300.000,00", forecast_cost="300.000,00"),
    _row(
        "C",
        end="30.06.2026",
        forecast="29.09.2026",
        budget="50.000,00",
        forecast_cost="52.000,00",
        programme="E-Akte",
    ),
    _row(
        "D",
        light="gelb",
        start="01.07.2025",
        end="31.03.2026",
        forecast="30.04.2026",
        budget="vertraulich",
        forecast_cost="vertraulich",
        programme="Fachverfahren",
    ),
    _row(
        "E",
        status="abgeschlossen",
        light="gelb",
        start="01.01.2025",
        end="31.12.2025",
        forecast="",
        actual_end="31.01.2026",
        budget="80.000,00",
        forecast_cost="90.000,00",
        actual_cost="100.000,00",
    ),
    _row(
        "F",
        forecast="",
        budget="nicht gemeldet",
        forecast_cost="nicht gemeldet",
        topic="Gesundheit",
    ),
    _row("G", status="abgebrochen", light="rot", budget="40.000,00", forecast_cost="90.000,00"),
    _row("H", forecast_cost="110.000,00"),
    _row("I", forecast_cost="70.000,00"),
    _row(
        "J",
        original_end="30.06.2026",
        original_budget="100.000,00",
        budget="120.000,00",
        forecast_cost="120.000,00",
    ),
]
PERIOD_2_MITTE = [
    _row("K", light="rot", budget="10.000,00", forecast_cost="10.000,00", programme="E-Akte")
]


def ingest_portfolio() -> None:
    from loaders.ingest import ingest

    for authority, period, rows in (
        ("senfin", "2026-Q1", PERIOD_1),
        ("senfin", "2026-Q2", PERIOD_2_SENFIN),
        ("ba-mitte", "2026-Q2", PERIOD_2_MITTE),
    ):
        result = ingest(
            data=_csv(rows),
            file_name=f"{authority}_{period}.csv",
            kind="projects",
            authority=authority,
            period=period,
            identity=SYSTEM,
            review_status="published",
            submitted_at=datetime(2026, 7, 1, 9, 0) if period == "2026-Q2" else None,
        )
        assert result.outcome == "accepted", [p.as_line() for p in result.errors]


def portfolio_database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A database holding the portfolio above, for one test module (read-only tests)."""
    from loaders.setup import initialise
    from store.settings import get_settings
    from tests.conftest import use_database

    path = tmp_path_factory.mktemp("portfolio") / "portfolio.duckdb"
    with pytest.MonkeyPatch.context() as patch:
        use_database(patch, path)
        initialise(demo=False)
        ingest_portfolio()
        yield path
        db.close()
    get_settings.cache_clear()


@pytest.fixture(scope="module")
def portfolio(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    yield from portfolio_database(tmp_path_factory)


def _by_id(frame):  # noqa: ANN001, ANN202 - test helper
    return frame.set_index("project_id")


def test_variances_and_lights_match_the_hand_computation(portfolio: Path) -> None:
    frame = _by_id(project_variance(db.cursor(), period="2026-Q2", today=TODAY))
    assert len(frame) == 11
    assert frame.loc["A", "cost_variance"] == pytest.approx(-0.05)
    assert frame.loc["A", "schedule_variance"] == pytest.approx(0.0)
    assert frame.loc["C", "schedule_variance"] == pytest.approx(-91 / 180)
    assert frame.loc["C", "cost_variance"] == pytest.approx(-0.04)
    assert frame.loc["D", "schedule_variance"] == pytest.approx(-91 / 273)
    assert frame.loc["E", "cost_variance"] == pytest.approx(-0.25)  # actual cost, completed
    assert frame.loc["E", "schedule_variance"] == pytest.approx(-31 / 364)  # actual end
    assert frame.loc["H", "cost_variance"] == pytest.approx(-0.10)
    assert frame.loc["I", "cost_variance"] == pytest.approx(0.30)
    expected = {
        "A": "green",
        "B": "green",
        "C": "red",
        "D": "red",
        "E": "yellow",
        "F": None,
        "G": None,
        "H": "yellow",  # exactly 10 % is yellow
        "I": "red",  # exactly 30 % is red, also when cheaper
        "J": "green",
        "K": "green",
    }
    computed = {k: (v if isinstance(v, str) else None) for k, v in frame["computed_light"].items()}
    assert computed == expected


def test_rebaselined_project_is_green_against_current_and_red_against_original(
    portfolio: Path,
) -> None:
    frame = _by_id(project_variance(db.cursor(), period="2026-Q2", today=TODAY))
    b = frame.loc["B"]
    assert b["computed_light"] == "green"
    assert b["computed_light_original"] == "red"
    # original derived from B's earliest report (2026-Q1): end 31.12.2025, budget 200k
    assert bool(b["original_end_derived"]) and bool(b["original_budget_derived"])
    assert b["original_end"].date() == date(2025, 12, 31)
    assert b["original_budget"] == pytest.approx(200_000)
    assert b["cost_variance_original"] == pytest.approx(-0.5)
    assert b["schedule_variance_original"] == pytest.approx(-365 / 364)
    assert bool(b["rebaselined"]) and bool(b["rebaselined_since_previous"])
    assert bool(b["self_green_computed_red_original"])
    assert not bool(b["self_green_computed_red"])
    # J reports its original baseline itself; the report wins over the derivation
    j = frame.loc["J"]
    assert j["computed_light"] == "green" and j["computed_light_original"] == "red"
    assert j["schedule_variance_original"] == pytest.approx(-184 / 180)
    assert j["cost_variance_original"] == pytest.approx(-0.2)
    assert not bool(j["original_end_derived"])
    # A kept its plan: not re-baselined, green both ways
    assert frame.loc["A", "computed_light_original"] == "green"
    assert not bool(frame.loc["A", "rebaselined"])


def test_costs_not_reported_or_confidential_are_never_imputed(portfolio: Path) -> None:
    frame = _by_id(project_variance(db.cursor(), period="2026-Q2", today=TODAY))
    assert frame.loc["D", "cost_reporting_status"] == "confidential"
    assert frame.loc["F", "cost_reporting_status"] == "not_reported"
    for pid in ("D", "F"):
        assert pd.isna(frame.loc[pid, "cost_variance"])
        assert pd.isna(frame.loc[pid, "cost_band"])
    # F has no forecast end and its baseline end has not passed: no schedule variance either
    assert pd.isna(frame.loc["F", "schedule_variance"])


def test_flags_overdue_and_disagreement(portfolio: Path) -> None:
    frame = _by_id(project_variance(db.cursor(), period="2026-Q2", today=TODAY))
    assert set(frame.index[frame["overdue"]]) == {"D"}  # C ends on the reference date: not yet
    assert set(frame.index[frame["self_green_computed_red"]]) == {"C", "I"}
    assert set(frame.index[frame["self_better_than_computed"]]) == {"C", "D", "H", "I"}
    assert set(frame.index[frame["rebaselined"]]) == {"B", "J"}
    assert frame.loc["D", "as_of"].date() == date(2026, 6, 30)


def test_today_is_injectable_and_caps_the_reference_date(portfolio: Path) -> None:
    frame = _by_id(project_variance(db.cursor(), period="2026-Q2", today=date(2026, 4, 15)))
    assert frame.loc["D", "as_of"].date() == date(2026, 4, 15)
    # expected end = max(forecast 30.04.2026, 15.04.2026) → −30/273, yellow
    assert frame.loc["D", "schedule_variance"] == pytest.approx(-30 / 273)
    assert frame.loc["D", "computed_light"] == "yellow"
    assert bool(frame.loc["D", "overdue"])  # baseline end 31.03.2026 passed


def test_selection_filters_rows(portfolio: Path) -> None:
    cur = db.cursor()
    districts = project_variance(
        cur,
        period="2026-Q2",
        today=TODAY,
        selection=Selection(authority_kinds=("district_office",)),
    )
    assert list(districts["project_id"]) == ["K"]
    eakte = project_variance(
        cur, period="2026-Q2", today=TODAY, selection=Selection(programmes=("eakte",))
    )
    assert sorted(eakte["project_id"]) == ["C", "K"]
    red = project_variance(cur, period="2026-Q2", today=TODAY, selection=Selection(lights=("red",)))
    assert sorted(red["project_id"]) == ["G", "K"]
    health = project_variance(
        cur, period="2026-Q2", today=TODAY, selection=Selection(topic_areas=("Gesundheit",))
    )
    assert list(health["project_id"]) == ["F"]
    none = project_variance(
        cur,
        period="2026-Q2",
        today=TODAY,
        selection=Selection(authorities=("ba-mitte",), statuses=("completed",)),
    )
    assert none.empty


def test_light_comparison_counts_every_combination(portfolio: Path) -> None:
    grid = light_comparison(db.cursor(), period="2026-Q2", today=TODAY)
    counts = {(r.traffic_light, r.computed): r.projects for r in grid.itertuples()}
    assert len(counts) == 12  # 3 self-assessed × (3 computed + none)
    expected = {
        ("green", "green"): 3,  # A, B, J
        ("green", "yellow"): 1,  # H
        ("green", "red"): 2,  # C, I
        ("green", "none"): 1,  # F
        ("yellow", "yellow"): 1,  # E
        ("yellow", "red"): 1,  # D
        ("red", "green"): 1,  # K
        ("red", "none"): 1,  # G
    }
    assert {k: v for k, v in counts.items() if v} == expected
    original = light_comparison(db.cursor(), period="2026-Q2", today=TODAY, baseline="original")
    by_original = {(r.traffic_light, r.computed): r.projects for r in original.itertuples()}
    assert by_original["green", "red"] == 4  # B and J join C and I
    assert by_original["green", "green"] == 1  # A
