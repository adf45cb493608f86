"""``ui.filters.requested``: what a link asked for, out of the query string the browser sends.

On a click on a page link, Streamlit 1.67's browser code sends the current page's bound
parameters (sorted by name) followed by the link's own; the query string below is the one
measured on the Behörden page's link "In der Vorhabenliste öffnen" (sidebar: LABO and
Polizei, Ampel rot; link: LABO, rot).
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from streamlit.runtime.scriptrunner_utils import script_run_context

from ui import filters

MERGED = (
    "ampel=rot&behoerde=LABO&behoerde=Polizei&profil=LABO"
    "&verweis=1&behoerde=LABO&ampel=rot&periode=2026-Q3"
)


def _requested(monkeypatch: pytest.MonkeyPatch, query: str) -> dict[str, list[str]]:
    ctx = SimpleNamespace(query_string=query)
    monkeypatch.setattr(script_run_context, "get_script_run_ctx", lambda: ctx)
    return filters.requested()


def test_a_link_s_parameters_are_those_after_its_marker(monkeypatch: pytest.MonkeyPatch) -> None:
    assert _requested(monkeypatch, MERGED) == {
        "behoerde": ["LABO"],
        "ampel": ["rot"],
        "periode": ["2026-Q3"],
    }


def test_without_a_marker_the_whole_query_counts(monkeypatch: pytest.MonkeyPatch) -> None:
    """A bookmark, an address typed in, the sidebar menu."""
    query = "behoerde=BA+Mitte&behoerde=LABO&ampel=gr%C3%BCn&status="
    assert _requested(monkeypatch, query) == {
        "behoerde": ["BA Mitte", "LABO"],
        "ampel": ["grün"],
        "status": [""],
    }
    assert _requested(monkeypatch, "") == {}
    assert _requested(monkeypatch, "ampel=rot&" * 5_000) == {}  # beyond the length limit


def test_the_link_built_by_filters_starts_with_the_marker() -> None:
    link = filters.Filters(
        selection=filters.Selection(), url={"ampel": ["rot"], "periode": ["2026-Q3"]}
    ).link(behoerde=["LABO"], ampel=None)
    assert list(link) == ["verweis", "periode", "behoerde"]
    assert link["behoerde"] == ["LABO"]


def test_quoted_values_are_escaped_shortened_and_counted() -> None:
    text = filters._quoted(["*a*", "x" * 60, "b", "c", "d", "e", "f"])
    assert text.startswith("„\\*a\\*“, „" + "x" * 39 + "…“")
    assert text.endswith("und 2 weitere")
