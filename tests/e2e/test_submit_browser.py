"""A coordinator submits through the real file uploader; the CDO office publishes; the
overview's figures change.

BA Pankow is late for 2026-Q3 in the demo set. Its coordinator uploads a faulty project list
(generated in code, with the kinds of errors of the faulty sample) and sees the validation
report, then a corrected list, sees the preview and confirms. A coordinator's submission is a
draft: the overview counts it at once with the toggle "Nicht veröffentlichte Meldungen
einbeziehen", and by default once an admin has checked and published it on "Prüfung &
Freigabe". The test walks both.

The expected figures come from ``demo_db``, a copy of the same demo database the server runs
on, with the same file ingested in-process (the server's file is locked by its process).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from kpi.overview import headline
from loaders.ingest import ingest, prepare
from store import connection as db
from store.identity import ROLE_LABELS, Identity
from tests.e2e.visit import open_page, start, wait_idle
from tests.unit.loaders.test_validation_report import corrected_project_list, faulty_project_list
from ui import format as fmt
from ui.navigation import PAGES

pytestmark = pytest.mark.e2e

PERIOD = "2026-Q3"
SAMPLE = (
    Path(__file__).resolve().parents[3]
    / "shared"
    / "samples"
    / "ba-pankow_vorhaben_fehlerhaft.xlsx"
)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PANKOW = Identity(
    name="Demo Digitalisierungskoordination BA Pankow", role="coordinator", authority_id="ba-pankow"
)
OVERVIEW = next(p for p in PAGES if p.path == "pages/uebersicht.py")
SUBMIT = next(p for p in PAGES if p.path == "pages/einreichen.py")
REVIEW = next(p for p in PAGES if p.path == "pages/pruefung.py")


def _metric(page: Any, label: str, *, within: Any = None) -> Any:
    scope = within if within is not None else page
    # Elements of the previous run stay in the page, marked stale, until the new run replaced
    # them; under load that can outlast an assertion, so only live metrics are considered.
    return (
        scope.locator('[data-testid="stElementContainer"]:not([data-stale="true"])')
        .get_by_test_id("stMetric")
        .filter(has=page.get_by_test_id("stMetricLabel").get_by_text(label, exact=True))
        .get_by_test_id("stMetricValue")
    )


def _file_card(page: Any, name: str) -> Any:
    """The bordered block the page draws for one uploaded file (the innermost container
    holding its name; outer containers hold it too and come first in document order)."""
    return (
        page.get_by_test_id("stVerticalBlock")
        .filter(has=page.get_by_text(f"📄 {name}", exact=True))
        .last
    )


def _choose(page: Any, label: str, option: str, *, type_first: bool = False) -> None:
    """Pick ``option`` in the sidebar select box ``label`` with the mouse and wait until the
    rerun shows it (one box with that label, holding that value). Long option lists are
    virtualised: ``type_first`` filters them so the option is rendered."""
    box = page.get_by_test_id("stSidebar").get_by_role("combobox", name=label)
    box.click()
    if type_first:
        box.press_sequentially(option[:6])
    page.get_by_role("option", name=option, exact=True).click()
    page.wait_for_function(
        """([label, option]) => {
            const boxes = [...document.querySelectorAll('input[role=combobox]')]
                .filter(e => e.getAttribute('aria-label') === label);
            return boxes.length === 1 && boxes[0].value === option;
        }""",
        arg=[label, option],
    )
    wait_idle(page)


def _upload(page: Any, name: str, data: bytes) -> None:
    page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(
        files=[{"name": name, "mimeType": XLSX, "buffer": data}]
    )


def _toggle_unpublished(page: Any, *, on: bool) -> None:
    toggle = page.get_by_role("switch", name="Nicht veröffentlichte Meldungen einbeziehen")
    if toggle.is_checked() != on:
        page.get_by_test_id("stSidebar").get_by_text(
            "Nicht veröffentlichte Meldungen einbeziehen"
        ).click()
    wait_idle(page)
    assert toggle.is_checked() == on


def _expected(demo_db: Path) -> tuple[dict[str, object], dict[str, object], int]:
    """(published figures before, figures once the corrected list counts, its error count of
    the faulty list)."""
    cur = db.cursor()
    before = headline(cur, period=PERIOD)
    faulty = prepare(
        data=faulty_project_list(),
        file_name="f.xlsx",
        kind="projects",
        authority="ba-pankow",
        period=PERIOD,
        identity=PANKOW,
    )
    result = ingest(
        data=corrected_project_list(),
        file_name="pankow_korrigiert.xlsx",
        kind="projects",
        authority="ba-pankow",
        period=PERIOD,
        identity=PANKOW,
        review_status="published",
    )
    assert result.outcome == "accepted"
    after = headline(db.cursor(), period=PERIOD)
    return before, after, len(faulty.errors)


def test_coordinator_submits_and_the_overview_changes(
    app_server: str, page: Any, demo_db: Path
) -> None:
    from playwright.sync_api import expect

    before, after, faulty_errors = _expected(demo_db)
    assert after["authorities_reported"] == before["authorities_reported"] + 1
    assert fmt.percent(after["reporting_rate"]) != fmt.percent(before["reporting_rate"])

    start(page, app_server)
    # The first browser session of a freshly started server loses a demo role picked in the
    # sidebar on the next rerun (seen with Streamlit 1.67; later sessions keep it), so this
    # test works in a second session. Reported to the lead; not what this test is about.
    page.reload(wait_until="domcontentloaded")
    wait_idle(page)
    expect(_metric(page, "Meldequote")).to_have_text(fmt.percent(before["reporting_rate"]))
    expect(_metric(page, "Vorhaben")).to_have_text(fmt.number(before["projects"]))

    # --- as BA Pankow's coordinator: faulty list → report --------------------------------
    _choose(page, "Rolle (Demo)", ROLE_LABELS["coordinator"])
    _choose(page, "Behörde (Demo)", "BA Pankow", type_first=True)
    open_page(page, SUBMIT)
    main = page.get_by_test_id("stMainBlockContainer")
    fixed = main.get_by_role("combobox", name="Behörde", exact=True)
    expect(fixed).to_have_value("BA Pankow")
    expect(fixed).to_be_disabled()

    _upload(page, "pankow_fehlerhaft.xlsx", faulty_project_list())
    wait_idle(page)
    faulty = _file_card(page, "pankow_fehlerhaft.xlsx")
    expect(_metric(page, within=faulty, label="Fehler")).to_have_text(str(faulty_errors))
    expect(_metric(page, within=faulty, label="Hinweise")).to_have_text("1")
    expect(faulty.get_by_text("kann so nicht übernommen werden")).to_be_visible()
    expect(
        faulty.get_by_role("button", name=re.compile("Prüfbericht mit markierten Zellen"))
    ).to_be_visible()
    expect(faulty.get_by_role("button", name=re.compile("Meldung übernehmen"))).to_have_count(0)

    if SAMPLE.is_file():  # the real sample, where the shared folder is present
        _upload(page, SAMPLE.name, SAMPLE.read_bytes())
        wait_idle(page)
        sample = _file_card(page, SAMPLE.name)
        expect(sample.get_by_text("kann so nicht übernommen werden")).to_be_visible()
        assert int(_metric(page, within=sample, label="Fehler").inner_text()) > 0

    # --- corrected list → preview → confirm ----------------------------------------------
    _upload(page, "pankow_korrigiert.xlsx", corrected_project_list())
    wait_idle(page)
    corrected = _file_card(page, "pankow_korrigiert.xlsx")
    expect(_metric(page, within=corrected, label="Fehler")).to_have_text("0")
    expect(corrected.get_by_text("Vorschau der Änderungen")).to_be_visible()
    expect(
        corrected.get_by_text(re.compile("Verglichen mit der Meldung der Vorperiode 2026-Q2"))
    ).to_be_visible()
    expect(_metric(page, within=corrected, label="neu")).to_have_text(re.compile(r"^\d+$"))
    confirm = corrected.get_by_role("button", name="Meldung übernehmen (12 Vorhaben)")
    expect(confirm).to_be_visible()
    confirm.click()
    wait_idle(page)
    success = page.get_by_test_id("stAlert").filter(has_text="übernommen (12 Vorhaben)")
    expect(success).to_be_visible()
    number = re.search(r"Meldung Nr\. (\d+)", success.inner_text())
    assert number is not None
    expect(page.get_by_text(re.compile("als Entwurf gespeichert"))).to_be_visible()

    # --- overview: a draft counts only with the toggle ------------------------------------
    open_page(page, OVERVIEW)
    expect(_metric(page, "Meldequote")).to_have_text(fmt.percent(before["reporting_rate"]))
    _toggle_unpublished(page, on=True)
    expect(_metric(page, "Meldequote")).to_have_text(fmt.percent(after["reporting_rate"]))
    expect(_metric(page, "Vorhaben")).to_have_text(fmt.number(after["projects"]))
    expect(page.get_by_test_id("stAlert").filter(has_text="nicht veröffentlichte")).to_be_visible()
    _toggle_unpublished(page, on=False)

    # --- as the CDO office: check and publish ---------------------------------------------
    _choose(page, "Rolle (Demo)", ROLE_LABELS["admin"])
    open_page(page, REVIEW)
    choice = page.get_by_role("combobox", name="Meldung prüfen")
    expect(choice).to_have_value(re.compile(rf"^Nr\. {number.group(1)} · BA Pankow · {PERIOD}"))
    page.get_by_role("textbox", name="Kommentar").fill("Plausibel.")
    page.get_by_role("button", name="Als geprüft markieren").click()
    wait_idle(page)
    expect(page.get_by_test_id("stAlert").filter(has_text="ist jetzt „geprüft“")).to_be_visible()
    page.get_by_role("button", name="Veröffentlichen").click()
    wait_idle(page)
    expect(
        page.get_by_test_id("stAlert").filter(has_text="ist jetzt „veröffentlicht“")
    ).to_be_visible()

    # --- published: the overview's default view changes --------------------------------------
    open_page(page, OVERVIEW)
    expect(_metric(page, "Meldequote")).to_have_text(fmt.percent(after["reporting_rate"]))
    expect(_metric(page, "Vorhaben")).to_have_text(fmt.number(after["projects"]))
