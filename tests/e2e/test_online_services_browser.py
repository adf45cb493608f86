"""The Online-Dienste page as a browser shows it, served by a real ``streamlit run``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from kpi.overview import periods
from kpi.services import filter_services, service_state, services_headline
from store import connection as db
from tests.e2e.visit import start
from ui import format as fmt

pytestmark = pytest.mark.e2e


def test_online_services_page_shows_quotas_chart_and_searchable_table(
    app_server: str, page: Any, demo_db: Path
) -> None:
    from playwright.sync_api import expect

    cur = db.cursor()
    newest = periods(cur)[0]
    figures = services_headline(cur, period=newest)
    state = service_state(cur, period=newest)
    found = filter_services(state, text="Wohngeld")
    assert figures["services_in_scope"] > 900 and 0 < len(found) < len(state)

    start(page, app_server)  # the first run of a fresh server replaces the menu: wait for it
    page.get_by_test_id("stSidebar").get_by_role("link", name="Online-Dienste").click()
    expect(page.get_by_role("heading", name="Online-Dienste", level=1)).to_be_visible()

    def metric_value(label: str) -> Any:
        metric = page.get_by_test_id("stMetric").filter(
            has=page.get_by_test_id("stMetricLabel").get_by_text(label, exact=True)
        )
        return metric.get_by_test_id("stMetricValue")

    expect(metric_value("Online-Quote inkl. Bund/EfA")).to_have_text(
        fmt.percent(figures["online_quota_all"])
    )
    expect(metric_value("Online-Quote Berlin (eigene)")).to_have_text(
        fmt.percent(figures["online_quota_own"])
    )
    expect(
        page.get_by_text(f"Berichtsperiode {newest}. Datenstand: Leistungskatalog")
    ).to_be_visible()
    expect(page.get_by_test_id("stVegaLiteChart").first).to_be_visible()

    total = fmt.number(len(state))
    expect(page.get_by_text(f"{total} von {total} Leistungen")).to_be_visible()
    search = page.get_by_role("textbox", name="Suche")
    search.fill("Wohngeld")
    search.press("Enter")
    expect(page.get_by_text(f"{fmt.number(len(found))} von {total} Leistungen")).to_be_visible()
