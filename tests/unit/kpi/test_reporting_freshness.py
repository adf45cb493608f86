"""Datenstand je Quelle: the catalogue row describes the catalogue in force for the period
(the one the Online-Quote divides by), not only catalogues read in for that very period."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from kpi import services
from kpi.reporting import data_freshness
from kpi.selection import Selection
from store import connection as db
from tests.unit.kpi.test_services import fixture_db, fixture_template  # noqa: F401 - fixtures

# the services fixture database (catalogue 2026-Q2, statuses), shared with test_services.py
WITH_FIXTURE = pytest.mark.usefixtures("fixture_db")


def _catalogue_row(period: str, **kwargs: object) -> pd.Series:
    fresh = data_freshness(db.cursor(), period=period, **kwargs).set_index("kind")
    return fresh.loc["catalog"]


@WITH_FIXTURE
def test_catalogue_of_an_earlier_period_stays_in_force() -> None:
    # The fixture's only catalogue was read in for 2026-Q2 (10 services, 1 out of scope).
    row = _catalogue_row("2026-Q3")
    info = services.catalogue_info(db.cursor(), period="2026-Q3")
    assert info is not None and info["period"] == "2026-Q2"
    assert row["source"] == "Leistungskatalog"
    assert row["data_period"] == "2026-Q2"
    assert (row["rows"], row["out_of_scope"], row["authorities"]) == (10, 1, 1)
    assert row["newest_received"] == row["oldest_received"] == pd.Timestamp(info["submitted_at"])
    assert row["reference_date"].date() == dt.date(2026, 6, 30)  # end of the catalogue's period


@WITH_FIXTURE
def test_catalogue_row_ignores_authority_filters() -> None:
    # The catalogue is Berlin-wide; a filter on one Bezirk must not hide it.
    row = _catalogue_row("2026-Q3", selection=Selection(authorities=("ba-mitte",)))
    assert (row["data_period"], row["rows"]) == ("2026-Q2", 10)


@WITH_FIXTURE
def test_other_sources_keep_the_selected_period() -> None:
    fresh = data_freshness(db.cursor(), period="2026-Q3").set_index("kind")
    assert fresh.loc["services", "data_period"] == "2026-Q3"
    assert fresh.loc["services", "authorities"] == 1  # skzl's status for 2026-Q3
    assert pd.isna(fresh.loc["projects", "rows"])  # the fixture has no project lists


def test_without_any_catalogue(empty_db: Path) -> None:
    row = _catalogue_row("2026-Q3")
    assert pd.isna(row["data_period"]) and row["authorities"] == 0 and pd.isna(row["rows"])
