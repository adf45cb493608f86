"""Portfolio aggregates, lists, history, Meldequote and trend against the hand-computed
portfolio of ``test_variance`` (see its module docstring for every project).

Hand sums for 2026-Q2 (today 29.11.2026, reference date 30.06.2026):
budgets reported: A 100k + B 300k + C 50k + E 80k + G 40k + H 100k + I 100k + J 120k + K 10k
= 900k; F "nicht gemeldet" and D "vertraulich" counted apart, never imputed.
Expected cost (actual if completed, else forecast; none for cancelled G):
105k + 300k + 52k + 100k + 110k + 70k + 120k + 10k = 867k.
2026-Q1 holds A (on plan) and B (then ending 31.12.2025, so overdue at 31.03.2026 and
schedule −90/364 → yellow); budgets 100k + 200k = 300k.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from kpi import portfolio, reporting, trend
from kpi.selection import Selection
from store import connection as db
from tests.unit.kpi.test_variance import TODAY, portfolio_database

EXPECTED_AUTHORITIES = 31  # data.reference.AUTHORITIES, all expected to report
DISTRICTS = 12


@pytest.fixture(scope="module")
def portfolio_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    yield from portfolio_database(tmp_path_factory)


def test_projects_by_status_programme_and_authority_kind(portfolio_db: Path) -> None:
    cur = db.cursor()
    status = portfolio.projects_by(cur, period="2026-Q2", dimension="status", today=TODAY)
    assert dict(zip(status["grp"], status["projects"], strict=True)) == {
        "in_progress": 9,
        "completed": 1,
        "cancelled": 1,
    }
    programme = portfolio.projects_by(cur, period="2026-Q2", dimension="programme", today=TODAY)
    by_programme = programme.set_index("grp")
    assert by_programme["projects"].to_dict() == {
        "online_service": 8,
        "eakte": 2,
        "specialised_procedure": 1,
    }
    assert by_programme.loc["eakte", "budget_reported"] == pytest.approx(60_000)  # C + K
    assert by_programme.loc["specialised_procedure", "costs_confidential"] == 1  # D
    assert by_programme.loc["specialised_procedure", "budget_reported"] == 0
    kinds = portfolio.projects_by(cur, period="2026-Q2", dimension="authority_kind", today=TODAY)
    assert dict(zip(kinds["grp"], kinds["projects"], strict=True)) == {
        "senate_department": 10,
        "district_office": 1,
    }
    with pytest.raises(ValueError):
        portfolio.projects_by(cur, period="2026-Q2", dimension="title; DROP TABLE x", today=TODAY)


def test_summary_keeps_unreported_and_confidential_costs_apart(portfolio_db: Path) -> None:
    summary = portfolio.portfolio_summary(db.cursor(), period="2026-Q2", today=TODAY)
    assert summary["projects"] == 11
    assert summary["budget_reported"] == pytest.approx(900_000)
    assert summary["expected_cost_reported"] == pytest.approx(867_000)
    assert summary["costs_reported"] == 9
    assert summary["costs_not_reported"] == 1
    assert summary["costs_confidential"] == 1
    assert summary["overdue"] == 1
    assert summary["rebaselined"] == 2
    assert summary["self_red"] == 2  # G, K
    assert summary["computed_red"] == 3  # C, D, I
    assert summary["computed_red_original"] == 5  # + B, J
    assert summary["with_computed_light"] == 9  # F and G have none
    assert summary["self_green_computed_red"] == 2
    assert summary["self_green_computed_red_original"] == 4


def test_lists_of_projects_that_need_attention(portfolio_db: Path) -> None:
    cur = db.cursor()
    args = {"period": "2026-Q2", "today": TODAY}
    assert list(portfolio.overdue_projects(cur, **args)["project_id"]) == ["D"]
    assert list(portfolio.rebaselined_projects(cur, **args)["project_id"]) == ["B", "J"]
    assert list(portfolio.light_disagreements(cur, **args)["project_id"]) == [
        "C",
        "I",
        "B",
        "J",
        "D",
        "H",
    ]
    only_mitte = Selection(authorities=("ba-mitte",))
    assert portfolio.overdue_projects(cur, selection=only_mitte, **args).empty


def test_project_history_shows_how_the_plan_moved(portfolio_db: Path) -> None:
    history = portfolio.project_history(
        db.cursor(), authority_id="senfin", project_id="B", today=TODAY
    )
    assert list(history["period_id"]) == ["2026-Q1", "2026-Q2"]
    assert [d.date() for d in history["baseline_end"]] == [date(2025, 12, 31), date(2026, 12, 31)]
    assert list(history["budget"]) == [200_000, 300_000]
    assert list(history["computed_light"]) == ["yellow", "green"]
    assert history["schedule_variance"].iloc[0] == pytest.approx(-90 / 364)
    assert list(history["overdue"]) == [True, False]


def test_authority_comparison_lists_every_expected_authority(portfolio_db: Path) -> None:
    cur = db.cursor()
    table = portfolio.authority_comparison(cur, period="2026-Q2", today=TODAY)
    assert len(table) == EXPECTED_AUTHORITIES
    rows = table.set_index("authority_id")
    assert rows.loc["senfin", "projects"] == 10 and bool(rows.loc["senfin", "reported"])
    assert rows.loc["ba-mitte", "projects"] == 1
    assert rows.loc["ba-pankow", "projects"] == 0 and not bool(rows.loc["ba-pankow", "reported"])
    assert rows.loc["senfin", "budget_reported"] == pytest.approx(890_000)
    districts = portfolio.authority_comparison(
        cur,
        period="2026-Q2",
        today=TODAY,
        selection=Selection(authority_kinds=("district_office",)),
    )
    assert len(districts) == DISTRICTS


def test_reporting_rate_overview_and_freshness(portfolio_db: Path) -> None:
    cur = db.cursor()
    rate = reporting.reporting_rate(cur, period="2026-Q2")
    assert (rate["reported"], rate["expected"]) == (2, EXPECTED_AUTHORITIES)
    assert rate["rate"] == pytest.approx(2 / 31)
    rates = reporting.reporting_trend(cur)
    assert list(rates["reported"]) == [1, 2]
    assert rates["rate_delta"].iloc[1] == pytest.approx(1 / 31)
    overview = reporting.reporting_overview(cur, period="2026-Q2", today=TODAY).set_index(
        "authority_id"
    )
    assert overview["reported"].sum() == 2
    # due date 2026-Q2 = 30.06.2026 + 42 days = 11.08.2026; received 01.07.2026
    assert overview.loc["senfin", "days_after_due"] == -41
    assert overview.loc["senfin", "latest_period"] == "2026-Q2"
    assert overview.loc["senfin", "latest_age_days"] == (TODAY - date(2026, 7, 1)).days
    assert overview.loc["senfin", "periods_behind"] == 0
    assert overview["latest_period"].isna().sum() == 29
    q3 = reporting.reporting_overview(cur, period="2026-Q3", today=TODAY).set_index("authority_id")
    assert q3.loc["senfin", "periods_behind"] == 1 and not bool(q3.loc["senfin", "reported"])
    fresh = reporting.data_freshness(cur, period="2026-Q2").set_index("kind")
    assert fresh.loc["projects", "authorities"] == 2
    assert fresh.loc["projects", "rows"] == 11
    assert fresh.loc["eakte", "authorities"] == 0
    assert fresh.loc["projects", "reference_date"].date() == date(2026, 6, 30)


def test_trend_and_headline_deltas_against_previous_period(portfolio_db: Path) -> None:
    cur = db.cursor()
    frame = trend.portfolio_trend(cur, today=TODAY).set_index("period_id")
    assert list(frame.index) == ["2026-Q1", "2026-Q2"]
    assert frame.loc["2026-Q1", "projects"] == 2
    assert frame.loc["2026-Q1", "overdue"] == 1  # B at 31.03.2026
    assert frame.loc["2026-Q2", "projects_delta"] == 9
    assert frame.loc["2026-Q2", "computed_red_share"] == pytest.approx(3 / 9)
    figures = trend.headline(cur, period="2026-Q2", today=TODAY)
    assert list(figures) == list(trend.HEADLINES)
    assert figures["projects"] == {
        "value": 11,
        "previous": 2,
        "delta": 9,
        "previous_period": "2026-Q1",
    }
    assert figures["overdue"]["delta"] == 0
    assert figures["budget_reported"]["value"] == pytest.approx(900_000)
    assert figures["budget_reported"]["delta"] == pytest.approx(600_000)
    assert figures["computed_red_share"]["delta"] == pytest.approx(3 / 9)
    assert figures["reporting_rate"]["value"] == pytest.approx(2 / 31)
    assert figures["reporting_rate"]["delta"] == pytest.approx(1 / 31)
    assert figures["eakte_share"]["value"] is None  # no E-Akte reports in this fixture
    first = trend.headline(cur, period="2026-Q1", today=TODAY)
    assert first["projects"]["previous"] is None and first["projects"]["delta"] is None


def test_weighted_share_not_mean_of_shares(portfolio_db: Path) -> None:
    """Computed red over both authorities: (3 + 0) ÷ (8 + 1) = 1/3, not mean(3/8, 0/1)."""
    figures = trend.headline(db.cursor(), period="2026-Q2", today=TODAY)
    assert figures["computed_red_share"]["value"] == pytest.approx(3 / 9)
    assert figures["computed_red_share"]["value"] != pytest.approx((3 / 8 + 0) / 2)


def test_overview_cards_equal_headline_and_sparklines(portfolio_db: Path) -> None:
    cur = db.cursor()
    cards = trend.overview_cards(cur, period="2026-Q2", today=TODAY)
    assert cards["figures"] == trend.headline(cur, period="2026-Q2", today=TODAY)
    lines = trend.sparklines(cur, period="2026-Q2", today=TODAY)
    assert cards["lines"] == lines
    assert lines["periods"] == ["2026-Q1", "2026-Q2"]
    assert lines["projects"] == [2, 11]
    assert lines["computed_red_share"] == [0.0, pytest.approx(100 / 3, abs=0.01)]
    assert lines["eakte_share"] == [None, None]  # no E-Akte reports in this fixture
