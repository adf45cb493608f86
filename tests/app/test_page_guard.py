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
