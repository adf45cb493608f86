"""Keyboard only: role switch, period filter, upload flow and exports without a mouse.

Every step is driven by ``page.keyboard`` (Tab to reach a control, typing, Enter, Space);
the test never clicks. The one thing a keyboard cannot do in a test is operate the operating
system's file dialog: it is opened with Enter on the uploader's button, and the file is handed
to that dialog (``FileChooser.set_files``), exactly what choosing it there would do.
Each step of the upload flow is also checked with axe-core (no serious or critical violation).

This module writes a submission, so it has its own server (``app_server`` is per module).
"""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest

from store.identity import ROLE_LABELS
from tests.builders import csv_bytes, project_row
from tests.e2e.visit import (
    IDLE,
    axe_violations,
    describe,
    failing,
    start,
    wait_idle,
    without_inactive,
)

pytestmark = pytest.mark.e2e

MAX_TABS = 250  # more tab stops than any page has; reaching the limit fails the test


def _active(page: Any) -> str:
    return page.evaluate(
        """() => { const e = document.activeElement;
            return e ? `${e.tagName} ${e.getAttribute('aria-label') || ''} ${
                (e.innerText || e.value || '').trim().slice(0, 60)}` : 'none'; }"""
    )


def tab_to(page: Any, predicate: str, *, what: str, backwards: bool = False) -> None:
    """Press Tab (or Shift+Tab) until the focused element satisfies the JavaScript
    ``predicate`` (a function of the element); proves it is reachable by keyboard."""
    key = "Shift+Tab" if backwards else "Tab"
    seen = []
    for _ in range(MAX_TABS):
        page.keyboard.press(key)
        if page.evaluate(f"(e => e && ({predicate}))(document.activeElement)"):
            return
        seen.append(_active(page))
    raise AssertionError(
        f"{what} not reached with {key}; focus went through:\n" + "\n".join(seen[-40:])
    )


def combobox(label: str) -> str:
    return f"e.getAttribute('role') === 'combobox' && e.getAttribute('aria-label') === '{label}'"


def control_with_text(tag: str, text: str) -> str:
    return f"e.tagName === '{tag}' && (e.innerText || '').includes('{text}')"


def choose_by_keyboard(page: Any, label: str, option: str, *, attempts: int = 1) -> None:
    """Focus the select box ``label`` with Tab, type the option, confirm with Enter (once:
    see ``tests/e2e/visit.choose_role``)."""
    box = page.get_by_role("combobox", name=label)
    for _ in range(attempts):
        if box.input_value() == option:
            return
        page.keyboard.press("Escape")
        page.evaluate("document.activeElement && document.activeElement.blur()")
        tab_to(page, combobox(label), what=f"select box {label!r}")
        page.keyboard.press("Control+A")
        page.keyboard.type(option, delay=10)
        page.get_by_role("option", name=option, exact=True).wait_for()
        page.keyboard.press("Enter")
        page.locator(IDLE).wait_for()
        page.wait_for_timeout(300)  # a rerun may still be on its way
        page.locator(IDLE).wait_for()
    assert box.input_value() == option, f"{label}: {option!r} could not be chosen"


def activate(page: Any, predicate: str, *, what: str, key: str = "Enter") -> None:
    page.evaluate("document.activeElement && document.activeElement.blur()")
    tab_to(page, predicate, what=what)
    page.keyboard.press(key)


def _assert_accessible(page: Any, step: str) -> None:
    wait_idle(page)
    found = without_inactive(page, axe_violations(page))
    problems = describe(failing(found), where=f"Daten einreichen, {step}")
    assert not problems, "\n".join(problems)


def test_upload_filters_and_exports_by_keyboard_only(app_server: str, page: Any) -> None:
    start(page, app_server)

    # Role and authority (the demo switcher), then the period filter, all by keyboard.
    choose_by_keyboard(page, "Rolle (Demo)", ROLE_LABELS["coordinator"])
    authority = page.get_by_role("combobox", name="Behörde (Demo)").input_value()
    wait_idle(page)
    period_box = page.get_by_role("combobox", name="Berichtsperiode").first
    periods_before = period_box.input_value()
    page.evaluate("document.activeElement && document.activeElement.blur()")
    tab_to(page, combobox("Berichtsperiode"), what="period filter")
    page.keyboard.press("ArrowDown")  # opens the list on the current period
    options = page.get_by_role("option").all_inner_texts()
    assert len(options) >= 2
    older = options[1] if options[0] == periods_before else options[0]
    page.keyboard.press("Escape")
    choose_by_keyboard(page, "Berichtsperiode", older)
    page.wait_for_url(f"**periode={older}**")
    wait_idle(page)

    # To the upload page through the sidebar menu.
    activate(page, control_with_text("A", "Daten einreichen"), what="menu link")
    page.get_by_role("heading", name="Daten einreichen", level=1).wait_for()
    wait_idle(page)
    _assert_accessible(page, "Start")

    # Export 1: the template, with Enter on its download button.
    with page.expect_download() as template:
        activate(page, control_with_text("BUTTON", "Vorlage"), what="template download")
    assert template.value.suggested_filename.endswith(".xlsx")
    assert template.value.path().read_bytes()[:2] == b"PK"  # an xlsx is a zip archive

    # Upload: Enter on the uploader's button opens the file dialog.
    records = [
        project_row(n, **{"Bezeichnung des Vorhabens": f"Tastaturtest {n}"}) for n in (1, 2, 3)
    ]
    with page.expect_file_chooser() as chooser:
        activate(
            page,
            "e.tagName === 'BUTTON' && !!e.closest('[data-testid=\"stFileUploaderDropzone\"]')",
            what="file uploader button",
        )
    chooser.value.set_files(
        {"name": "tastatur.csv", "mimeType": "text/csv", "buffer": csv_bytes(records)}
    )
    confirm = page.get_by_role("button", name="Meldung übernehmen (3 Vorhaben)")
    confirm.wait_for()
    _assert_accessible(page, "Prüfung und Vorschau")

    activate(page, control_with_text("BUTTON", "Meldung übernehmen"), what="confirm button")
    done = page.get_by_test_id("stAlert").filter(has_text="übernommen")
    done.wait_for()
    _assert_accessible(page, "nach der Übernahme")

    # Export 2: the submission history as CSV, again with Enter; it lists the new file.
    with page.expect_download() as history:
        activate(page, control_with_text("BUTTON", "CSV"), what="history CSV export")
    text = history.value.path().read_bytes().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert any("tastatur.csv" in row for row in rows), rows[:8]
    assert authority  # the coordinator's authority the upload went to
