"""A click on a link inside the app opens the target page with the link's filters.

Review defect 1: the evidence link of a recommendation ("Auf der Seite „Vorhaben“ ansehen")
carried ``behoerde`` and ``ampel`` in its href, but after the click the page showed the whole
portfolio, because Streamlit drops, on a page switch, the parameters the previous page had
bound to its widgets. Opening the same URL in a new tab worked; the click is what the browser
test covers (the AppTest twin is ``tests/app/test_link_filters.py``).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlparse

import pytest

from kpi.portfolio import light_disagreements
from kpi.recommendations import RULES_BY_ID
from kpi.selection import Selection, filter_options
from kpi.variance import project_variance
from store import connection as db
from tests.e2e.visit import wait_idle
from ui import format as fmt

pytestmark = pytest.mark.e2e

PERIOD = "2026-Q3"  # the demo data's newest period


def _metric(page: Any, label: str) -> Any:
    return (
        page.get_by_test_id("stMetric")
        .filter(has=page.get_by_test_id("stMetricLabel").get_by_text(label, exact=True))
        .get_by_test_id("stMetricValue")
    )


def _authority_ids(short_names: list[str]) -> tuple[str, ...]:
    by_name = {name: code for code, name in filter_options(db.cursor())["authorities"]}
    return tuple(by_name[name] for name in short_names)


def _query(url: str) -> dict[str, list[str]]:
    return parse_qs(urlparse(url).query, keep_blank_values=True)


def _open(page: Any, url: str, heading: str) -> None:
    from playwright.sync_api import expect

    response = page.goto(url, wait_until="domcontentloaded")
    assert response is not None and response.ok
    expect(page.get_by_role("heading", name=heading, level=1)).to_be_visible()
    wait_idle(page)


def _click(page: Any, label: str, heading: str) -> dict[str, list[str]]:
    """Click the page link ``label``; its query parameters as the href names them."""
    from playwright.sync_api import expect

    link = page.get_by_role("link", name=label)
    expect(link).to_have_count(1)
    params = _query(link.get_attribute("href") or "")
    link.click()
    expect(page.get_by_role("heading", name=heading, level=1)).to_be_visible()
    wait_idle(page)
    return params


def test_evidence_link_of_a_recommendation_keeps_authority_and_traffic_light(
    app_server: str, page: Any, demo_db: Path
) -> None:
    from playwright.sync_api import expect

    rule = urlencode({"regel": RULES_BY_ID["light_mismatch"].title})
    _open(page, f"{app_server}/empfehlungen?{rule}", "Handlungsempfehlungen")
    params = _click(page, "Auf der Seite „Vorhaben“ ansehen", "Vorhaben")
    assert params["ampel"] == ["grün", "gelb"] and len(params["behoerde"]) == 1
    (authority,) = params["behoerde"]

    selection = Selection(authorities=_authority_ids([authority]), lights=("green", "yellow"))
    args = {"period": PERIOD, "today": date.today()}
    expected = len(light_disagreements(db.cursor(), selection=selection, **args))
    assert 0 < expected < len(light_disagreements(db.cursor(), selection=Selection(), **args))
    expect(
        page.get_by_text(f"Gefiltert: Behörde: {authority} · Ampel (Meldung): grün, gelb")
    ).to_be_visible()
    expect(_metric(page, "Vorhaben")).to_have_text(fmt.number(expected))
    landed = _query(page.url)  # a bookmark of the view carries the filters
    assert landed.get("behoerde") == [authority]
    assert landed.get("ampel") == ["grün", "gelb"]
    assert landed.get("ansicht") == ["Ampel-Abweichung"]


def test_authority_profile_link_replaces_the_sidebar_authority(
    app_server: str, page: Any, demo_db: Path
) -> None:
    """Behörden → "In der Vorhabenliste öffnen", clicked while the sidebar filter names two
    authorities and a traffic light: the link's one authority wins, the light stays."""
    from playwright.sync_api import expect

    query = urlencode({"behoerde": ["LABO", "Polizei"], "ampel": "rot"}, doseq=True)
    _open(page, f"{app_server}/behoerden?{query}&profil=LABO", "Behörden")
    params = _click(page, "In der Vorhabenliste öffnen", "Vorhaben")
    assert params["behoerde"] == ["LABO"] and params["ampel"] == ["rot"]
    expected = len(
        project_variance(
            db.cursor(),
            period=PERIOD,
            today=date.today(),
            selection=Selection(authorities=_authority_ids(["LABO"]), lights=("red",)),
        )
    )
    expect(page.get_by_text("Gefiltert: Behörde: LABO · Ampel (Meldung): rot")).to_be_visible()
    expect(_metric(page, "Vorhaben")).to_have_text(fmt.number(expected))


def test_unknown_link_values_are_named(app_server: str, page: Any, demo_db: Path) -> None:
    """Review defect 12: an outdated or mistyped link says what it ignored."""
    from playwright.sync_api import expect

    _open(page, f"{app_server}/vorhaben?periode=2030-Q1&behoerde=Unsinn&ampel=lila", "Vorhaben")
    expect(
        page.get_by_text(
            f"Die Berichtsperiode „2030-Q1“ aus dem Link gibt es nicht; sie wurde ignoriert. "
            f"Gezeigt wird {PERIOD}."
        )
    ).to_be_visible()
    expect(
        page.get_by_text(
            "Unbekannte Werte im Link wurden ignoriert: Behörde „Unsinn“; Ampel (Meldung) „lila“."
        )
    ).to_be_visible()
    expect(page.get_by_text("Gefiltert:")).to_have_count(0)
