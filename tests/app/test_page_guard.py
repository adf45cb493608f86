"""A page script run directly (a URL naming its file in a fresh session makes Streamlit run it
as the main script, without app.py) must refuse to show anything."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from store.identity import Identity
from ui.navigation import PAGES, WITHOUT_SIGN_IN, pages_for

ROOT = Path(__file__).resolve().parents[2]
GUARDED = [p for p in PAGES if p.path not in WITHOUT_SIGN_IN]


@pytest.mark.parametrize("spec", GUARDED, ids=[p.url_path for p in GUARDED])
def test_page_run_without_the_app_is_refused(demo_db: Path, spec) -> None:
    at = AppTest.from_file(str(ROOT / spec.path), default_timeout=60).run()
    assert not at.exception, at.exception
    assert not at.title
    assert any("nicht freigegeben" in e.value for e in at.error)


def test_page_outside_the_role_is_refused_even_with_a_session(demo_db: Path) -> None:
    from ui.session import Context

    audit = next(p for p in PAGES if p.url_path == "protokoll")
    assert audit not in pages_for("analyst")
    at = AppTest.from_file(str(ROOT / audit.path), default_timeout=60)
    at.session_state["ctx"] = Context(
        identity=Identity(name="A", role="analyst"),
        period="2026-Q3",
        include_unpublished=False,
        periods=["2026-Q3"],
    )
    at.run()
    assert not at.title
    assert any("nicht freigegeben" in e.value for e in at.error)


@pytest.mark.first_server_run
def test_first_run_of_the_process_with_a_deep_link_goes_through_the_app(demo_db: Path) -> None:
    """The first run of a process still uses Streamlit's legacy ``pages/`` discovery (AppTest
    starts every app that way): a URL naming a page runs that script without ``app.py``. The
    guard must hand the run to ``app.py`` — the page shows, with the navigation's identity."""
    target = next(p for p in PAGES if p.url_path == "vorhaben")
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.session_state["demo_role"] = "analyst"
    at.switch_page(target.path).run()
    assert not at.exception, at.exception
    assert not [e.value for e in at.error if "nicht freigegeben" in e.value]
    assert [t.value for t in at.title] == ["Vorhaben"]


@pytest.mark.first_server_run
def test_first_run_with_a_deep_link_outside_the_role_gets_the_default_page(
    demo_db: Path,
) -> None:
    audit = next(p for p in PAGES if p.url_path == "protokoll")
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.session_state["demo_role"] = "analyst"
    at.switch_page(audit.path).run()
    assert not at.exception, at.exception
    assert [t.value for t in at.title] == ["Übersicht"]
