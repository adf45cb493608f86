"""Every registered page renders on the demo data without an exception, for every role."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from ui.navigation import PAGES

APP = str(Path(__file__).resolve().parents[2] / "app.py")


@pytest.mark.parametrize("spec", PAGES, ids=[p.url_path for p in PAGES])
def test_page_renders_for_admin(demo_db: Path, spec) -> None:
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["demo_role"] = "admin"
    at.run()
    at.switch_page(spec.path).run()
    assert not at.exception, at.exception
    assert at.title and at.title[0].value == spec.title


def test_overview_shows_demo_figures(demo_db: Path) -> None:
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert int(metrics["Vorhaben"].replace(".", "")) > 300
    assert "%" in metrics["Meldequote"]
    assert any("Demodaten" in i.value for i in at.info)
