"""The German overview as a browser shows it, served by a real ``streamlit run``."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from kpi.overview import headline, periods
from store import connection as db
from ui import format as fmt

pytestmark = pytest.mark.e2e


def _expected_figures() -> dict[str, object]:
    """The newest period's headline from the same demo data, read without the app."""
    cur = db.cursor()
    newest = periods(cur)[0]
    return headline(cur, period=newest)


def test_overview_shows_demo_figures_in_german(app_server: str, page: Any, demo_db: Path) -> None:
    from playwright.sync_api import expect

    expected = _expected_figures()
    assert int(expected["projects"]) > 0  # the demo set must give the page something to show

    response = page.goto(app_server, wait_until="domcontentloaded")
    assert response is not None and response.ok

    expect(page.get_by_role("heading", name="Übersicht", level=1)).to_be_visible()

    metric = page.get_by_test_id("stMetric").filter(
        has=page.get_by_test_id("stMetricLabel").get_by_text("Vorhaben", exact=True)
    )
    value = metric.get_by_test_id("stMetricValue")
    expect(value).to_have_text(fmt.number(expected["projects"]))
    assert re.fullmatch(r"\d{1,3}(\.\d{3})*", value.inner_text().strip())

    notice = page.get_by_test_id("stAlert").filter(has_text="Demodaten")
    expect(notice).to_be_visible()
    expect(notice).to_contain_text("alle Vorhaben und Zahlen sind erfunden")

    expect(page.get_by_text(f"Berichtsperiode {expected['period']}")).to_be_visible()
