"""axe-core over every registered page: zero serious or critical violations (BITV 2.0 /
WCAG 2.1 AA), in the light theme (all WCAG 2.1 A/AA rules and best practices) and in the dark
theme (contrast, the part that changes with the theme). Also per page: ``<html lang="de">``,
a browser title naming the page, exactly one ``<h1>`` with the page's title.

Findings of lower impact are not failures, except those in :data:`KEPT_FIXED` (fixed once, so
they must not come back); the others are listed in the README ("Barrierefreiheit") with a
reason. ``DASHBOARD_AXE_REPORT=path.json`` writes every finding to that file.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.visit import (
    axe_violations,
    describe,
    failing,
    visit_every_page,
    wait_idle,
    without_inactive,
)
from ui.lang import page_title
from ui.navigation import PAGES, PageSpec

pytestmark = pytest.mark.e2e

CONTRAST_RULES = ("color-contrast", "link-in-text-block")
# Moderate findings that were fixed and fail the test if they return: headings go h1 -> h2 ->
# h3 without a skip (page sections are ``st.header``).
KEPT_FIXED = ("heading-order",)


@dataclass(frozen=True)
class Known:
    """A serious finding caused by another developer's page code, reported to them (README
    "Barrierefreiheit"). Tolerated only while it still occurs: a fixed one fails the test
    until it is taken off the list, so the list cannot hide new findings or outlive a fix."""

    url_path: str
    rule: str
    element: str  # substring of the offending element's HTML
    scheme: str  # the run that finds it: "light" (all rules) or "dark" (contrast)
    reason: str


KNOWN: tuple[Known, ...] = ()


def _report(name: str, findings: list[str]) -> None:
    target = os.environ.get("DASHBOARD_AXE_REPORT")
    if not target:
        return
    path = Path(target)
    data = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    data[name] = findings
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")


def test_axe_finds_what_it_should(page: Any) -> None:
    """The bundled axe-core runs offline and reports a missing alternative text, an unlabelled
    input and a wrong language: the check can fail."""
    page.set_content(
        '<html lang="xx"><head><title>t</title></head><body><main><h1>Probe</h1>'
        '<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">'
        '<input type="text"><h3>Abschnitt</h3></main></body></html>'
    )
    found = axe_violations(page)
    ids = {v["id"] for v in failing(found)}
    assert {"image-alt", "label", "html-lang-valid"} <= ids
    assert set(KEPT_FIXED) <= {v["id"] for v in found}  # h1 -> h3 is found


def _check_page(
    page: Any, role: str, spec: PageSpec, *, scheme: str, seen: set[Known]
) -> tuple[list[str], list[str]]:
    where = f"{spec.title} ({role})"
    problems: list[str] = []
    if page.evaluate("document.documentElement.lang") != "de":
        problems.append(f"{where}: <html lang> is not 'de'")
    if page.title() != page_title(spec.title):
        problems.append(f"{where}: browser title {page.title()!r}")
    h1 = [t.strip() for t in page.locator("h1").all_inner_texts()]
    if h1 != [spec.title]:
        problems.append(f"{where}: <h1> elements {h1!r}, expected exactly [{spec.title!r}]")
    found = without_inactive(page, _axe(page, rules=None if scheme == "light" else CONTRAST_RULES))
    serious = failing(found)
    problems += describe(_unknown(serious, spec, seen, scheme), where=where)
    kept_fixed = [v for v in found if v["id"] in KEPT_FIXED and v not in serious]
    problems += describe(kept_fixed, where=where)
    others = describe([v for v in found if v not in serious and v not in kept_fixed], where=where)
    return problems, others


def _axe(page: Any, *, rules: tuple[str, ...] | None) -> list[dict[str, Any]]:
    """One retry when a late rerun replaced the document while axe was running."""
    from playwright.sync_api import Error

    try:
        return axe_violations(page, rules=rules)
    except Error as exc:
        if "context was destroyed" not in str(exc):
            raise
        wait_idle(page)
        return axe_violations(page, rules=rules)


def _unknown(
    violations: list[dict[str, Any]], spec: PageSpec, seen: set[Known], scheme: str
) -> list[dict[str, Any]]:
    """``violations`` without the nodes listed in :data:`KNOWN` (recorded in ``seen``)."""
    left = []
    for violation in violations:
        nodes = []
        for node in violation["nodes"]:
            match = next(
                (
                    k
                    for k in KNOWN
                    if k.url_path == spec.url_path
                    and k.scheme == scheme
                    and k.rule == violation["id"]
                    and k.element in node.get("html", "")
                ),
                None,
            )
            if match is None:
                nodes.append(node)
            else:
                seen.add(match)
        if nodes:
            left.append({**violation, "nodes": nodes})
    return left


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_every_page_has_no_serious_or_critical_violation(
    app_server: str, browser: Any, scheme: str
) -> None:
    context = browser.new_context(locale="de-DE", timezone_id="Europe/Berlin", color_scheme=scheme)
    page = context.new_page()
    problems: list[str] = []
    others: list[str] = []
    seen: set[Known] = set()

    def check(role: str, spec: PageSpec) -> None:
        found, minor = _check_page(page, role, spec, scheme=scheme, seen=seen)
        problems.extend(found)
        others.extend(minor)

    try:
        visited = visit_every_page(page, app_server, check)
    finally:
        context.close()
    _report(scheme, problems + others)
    assert {spec.path for _role, spec in visited} == {spec.path for spec in PAGES}
    assert not problems, f"{len(problems)} problems ({scheme} theme):\n" + "\n".join(problems)
    fixed = [k for k in KNOWN if k.scheme == scheme and k not in seen]
    assert not fixed, f"no longer found, take off KNOWN: {fixed}"
