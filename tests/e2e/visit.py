"""Walking the running app page by page, as the browser tests and the screenshot script do.

Every registered page (``ui.navigation.PAGES``) is visited once, under the most privileged
demo role that may open it, so pages added later are covered without touching the tests.
Navigation goes through the sidebar menu (a single-page app: the demo role chosen in the
sidebar stays for the session), and a page counts as loaded when its ``<h1>`` shows the
registered title and Streamlit reports the script run as finished.
"""

from __future__ import annotations

from typing import Any

from store.identity import ROLE_LABELS
from ui.navigation import PAGES, PageSpec

ROLE_PREFERENCE = ("admin", "coordinator", "analyst", "public")
DEFAULT_ROLE = "analyst"  # the demo switcher's first entry
IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'
CHARTS_DRAWN = """() => [...document.querySelectorAll('.vega-embed')]
    .every(e => e.querySelector('svg, canvas'))"""


def role_for(spec: PageSpec) -> str:
    return next(r for r in ROLE_PREFERENCE if r in spec.roles)


def pages_by_role() -> dict[str, list[PageSpec]]:
    """Each registered page under one role; roles in ``ROLE_PREFERENCE`` order."""
    grouped: dict[str, list[PageSpec]] = {}
    for spec in PAGES:
        grouped.setdefault(role_for(spec), []).append(spec)
    return {role: grouped[role] for role in ROLE_PREFERENCE if role in grouped}


def wait_idle(page: Any) -> None:
    """Script run finished, and every Vega chart drawn (they render after the run)."""
    page.locator(IDLE).wait_for()
    page.wait_for_function(CHARTS_DRAWN)


def title_heading(page: Any, spec: PageSpec) -> Any:
    return page.get_by_role("heading", name=spec.title, level=1, exact=True)


def start(page: Any, base_url: str) -> None:
    """Open the app's default page and wait until it has run."""
    default = next(spec for spec in PAGES if spec.default)
    response = page.goto(base_url, wait_until="domcontentloaded")
    assert response is not None and response.ok
    title_heading(page, default).wait_for()
    wait_idle(page)


def role_value(page: Any) -> str:
    return page.get_by_role("combobox", name="Rolle (Demo)").input_value()


def choose_role(page: Any, role: str, *, attempts: int = 1) -> None:
    """Pick a demo role in the sidebar switcher.

    One attempt: the first change after a server start used to be dropped (Streamlit's legacy
    first run, see ``ui/page_guard.py``); a retry here would hide that defect coming back.
    """
    label = ROLE_LABELS[role]
    box = page.get_by_role("combobox", name="Rolle (Demo)")
    for _ in range(attempts):
        if box.input_value() == label:
            break
        box.fill("")
        box.press_sequentially(label, delay=10)
        page.get_by_role("option", name=label, exact=True).wait_for()
        box.press("Enter")
        page.locator(IDLE).wait_for()
        page.wait_for_timeout(300)  # a rerun may still be on its way
        page.locator(IDLE).wait_for()
        box.press("Escape")
    assert box.input_value() == label, f"demo role {label!r} could not be chosen"
    wait_idle(page)


def menu_link(page: Any, spec: PageSpec) -> Any:
    """The sidebar menu's link to ``spec`` (the default page's link has an empty href)."""
    href = "" if spec.default else spec.url_path
    return page.locator(f'[data-testid="stSidebar"] a[href="{href}"]').first


def open_page(page: Any, spec: PageSpec) -> None:
    """Go to ``spec`` through the sidebar menu and wait until it has run."""
    menu_link(page, spec).click()
    title_heading(page, spec).wait_for()
    wait_idle(page)


def visit_every_page(page: Any, base_url: str, on_page: Any) -> list[tuple[str, PageSpec]]:
    """Visit every registered page once and call ``on_page(role, spec)`` on each."""
    visited: list[tuple[str, PageSpec]] = []
    start(page, base_url)
    default = next(spec for spec in PAGES if spec.default)
    for role, specs in pages_by_role().items():
        if visited:  # switch roles on the default page, which every role may open
            open_page(page, default)
        choose_role(page, role)
        for spec in specs:
            open_page(page, spec)
            on_page(role, spec)
            visited.append((role, spec))
    return visited


# --- axe-core --------------------------------------------------------------------------------

FAILING_IMPACTS = frozenset({"serious", "critical"})
AXE_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice")


def axe_violations(page: Any, *, rules: tuple[str, ...] | None = None) -> list[dict[str, Any]]:
    """axe-core's violations on the current page: WCAG 2.1 A/AA and best practices, or only
    ``rules``. axe-core ships inside ``axe-playwright-python`` and runs in the page: no
    network."""
    from axe_playwright_python.sync_playwright import Axe

    run_only = (
        {"type": "rule", "values": list(rules)}
        if rules
        else {"type": "tag", "values": list(AXE_TAGS)}
    )
    result = Axe().run(page, options={"runOnly": run_only, "resultTypes": ["violations"]})
    return list(result.response["violations"])


def describe(violations: list[dict[str, Any]], *, where: str) -> list[str]:
    """One line per violation and element: where, rule, impact, element, axe's message."""
    lines = []
    for violation in violations:
        for node in violation["nodes"]:
            checks = node.get("any", []) + node.get("all", []) + node.get("none", [])
            message = checks[0]["message"] if checks else violation["help"]
            html = " ".join(node.get("html", "").split())[:160]
            lines.append(f"{where}: {violation['id']} ({violation['impact']}) {html} – {message}")
    return lines


def failing(violations: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [v for v in violations if v.get("impact") in FAILING_IMPACTS]


_INACTIVE = """(selector) => {
    const element = document.querySelector(selector);
    const widget = element && element.closest('[data-testid="stElementContainer"]');
    return !!(widget && widget.querySelector(
        'input:disabled, button:disabled, textarea:disabled, [aria-disabled="true"]'));
}"""


def without_inactive(page: Any, violations: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Drop contrast findings on the text of disabled widgets: WCAG 1.4.3 exempts inactive
    user-interface components, but axe-core does not see that a widget's label belongs to
    a disabled control."""
    kept = []
    for violation in violations:
        nodes = violation["nodes"]
        if violation["id"] == "color-contrast":
            nodes = [
                n
                for n in nodes
                if not (
                    len(n.get("target", [])) == 1
                    and isinstance(n["target"][0], str)
                    and page.evaluate(_INACTIVE, n["target"][0])
                )
            ]
        if nodes:
            kept.append({**violation, "nodes": nodes})
    return kept
