"""Budgets in the comparison of authorities are never imputed: an authority whose costs are all
confidential or not reported, or that sent no list, has no budget (empty), not 0 €; a real
sum of reported amounts stays a number, also when it is 0 € (review defect 8)."""

from __future__ import annotations

import math
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from kpi import portfolio
from kpi.selection import Selection
from loaders.ingest import ingest
from store import connection as db
from store.identity import Identity
from tests.builders import csv_bytes, project_row

PERIOD = "2026-Q2"
TODAY = date(2026, 11, 29)
SYSTEM = Identity(name="Test", role="admin")

LISTS = {
    # every amount confidential (the Polizei case of the review)
    "polizei": [
        project_row(1, **{"Budget in €": "vertraulich", "Ist-Kosten in €": "vertraulich"}),
        project_row(2, **{"Budget in €": "vertraulich", "Ist-Kosten in €": "vertraulich"}),
    ],
    # no amount reported
    "lvwa": [
        project_row(1, **{"Budget in €": "nicht gemeldet", "Ist-Kosten in €": "nicht gemeldet"})
    ],
    # one reported amount next to a confidential one: the reported one is the sum
    "senfin": [
        project_row(1, **{"Budget in €": "120.000,00"}),
        project_row(2, **{"Budget in €": "vertraulich", "Ist-Kosten in €": "vertraulich"}),
    ],
    # a reported budget of 0 € is a real amount
    "ba-mitte": [project_row(1, **{"Budget in €": "0,00", "Ist-Kosten in €": "0,00"})],
}


@pytest.fixture
def budgets_db(empty_db: Path) -> Path:
    for authority, rows in LISTS.items():
        result = ingest(
            data=csv_bytes(rows),
            file_name=f"{authority}.csv",
            kind="projects",
            authority=authority,
            period=PERIOD,
            identity=SYSTEM,
            review_status="published",
        )
        assert result.outcome == "accepted", [p.as_line() for p in result.errors]
    return empty_db


def _budget(table: pd.DataFrame, authority: str) -> float:
    return float(table.set_index("authority_id").loc[authority, "budget_reported"])


def test_no_reported_amount_gives_no_budget(budgets_db: Path) -> None:
    table = portfolio.authority_comparison(db.cursor(), period=PERIOD, today=TODAY)
    rows = table.set_index("authority_id")
    assert rows.loc["polizei", "costs_confidential"] == 2
    assert math.isnan(_budget(table, "polizei"))
    assert math.isnan(_budget(table, "lvwa"))
    assert math.isnan(_budget(table, "ba-pankow"))  # sent no list at all
    assert math.isnan(float(rows.loc["polizei", "expected_cost_reported"]))
    assert _budget(table, "senfin") == pytest.approx(120_000)
    assert _budget(table, "ba-mitte") == 0.0  # reported 0 € stays a number
    # counts stay counts
    assert rows.loc["ba-pankow", "projects"] == 0
    # the column total is the sum of the reported amounts only
    assert table["budget_reported"].sum() == pytest.approx(120_000)


def test_project_filters_can_leave_an_authority_without_reported_amounts(
    budgets_db: Path,
) -> None:
    # every project is "in Umsetzung": a filter on "pausiert" leaves nothing to sum anywhere
    table = portfolio.authority_comparison(
        db.cursor(),
        period=PERIOD,
        today=TODAY,
        selection=Selection(statuses=("paused",)),
    )
    assert (table["projects"] == 0).all()
    assert table["budget_reported"].isna().all()


def test_unreported_amounts_missing_keeps_real_sums() -> None:
    frame = pd.DataFrame(
        {
            "costs_reported": [0, 1, 2],
            "budget_reported": [0.0, 0.0, 5.5],
            "expected_cost_reported": [0.0, 3.0, 1.0],
        }
    )
    out = portfolio.unreported_amounts_missing(frame)
    assert out["budget_reported"].isna().tolist() == [True, False, False]
    assert out["budget_reported"].tolist()[1:] == [0.0, 5.5]
    assert out["expected_cost_reported"].isna().tolist() == [True, False, False]
    assert frame["budget_reported"].tolist() == [0.0, 0.0, 5.5]  # input unchanged
