"""``ui.data.load`` with split functions (issue 8): the selection-independent part is computed
once per data version, each selection only applies its filter, and the results are what the
kpi functions give uncached."""

from __future__ import annotations

import functools
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import streamlit as st

from kpi import portfolio, variance
from kpi import recommendations as rec
from kpi.selection import Selection
from store import connection as db
from store.identity import SYSTEM
from store.recommendations import decide
from ui.data import load

PERIOD = "2026-Q3"
TODAY = date(2026, 11, 29)
DISTRICTS = Selection(authority_kinds=("district_office",))
ONLINE = Selection(programmes=("online_service",))


def _count(monkeypatch: pytest.MonkeyPatch, module: Any, name: str, calls: list[str]) -> None:
    real = getattr(module, name)

    @functools.wraps(real)  # same module and name: the cache looks the function up there
    def counted(*args: Any, **kwargs: Any) -> Any:
        calls.append(name)
        return real(*args, **kwargs)

    monkeypatch.setattr(module, name, counted)


@pytest.fixture
def calls(demo_db: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Calls of the split parts made through the cache, by name."""
    made: list[str] = []
    for module, name in (
        (rec, "rule_findings"),
        (rec, "select"),
        (variance, "period_facts"),
        (portfolio, "portfolio_summary_of"),
        (portfolio, "projects_by_of"),
    ):
        _count(monkeypatch, module, name, made)
    st.cache_data.clear()
    yield made
    st.cache_data.clear()


def _recommendations(selection: Selection) -> rec.Evaluation:
    return load(
        rec.recommendations,
        period=PERIOD,
        today=TODAY,
        include_unpublished=False,
        selection=selection,
    )


def _rules(calls: list[str]) -> list[str]:
    return [name for name in calls if name in ("rule_findings", "select")]


def test_rules_are_evaluated_once_for_every_selection(calls: list[str]) -> None:
    districts = _recommendations(DISTRICTS)
    online = _recommendations(ONLINE)
    again = _recommendations(DISTRICTS)
    assert _rules(calls) == ["rule_findings", "select", "select"]
    uncached = rec.recommendations(db.cursor(), period=PERIOD, today=TODAY, selection=DISTRICTS)
    pd.testing.assert_frame_equal(districts.findings, uncached.findings)
    pd.testing.assert_frame_equal(again.findings, uncached.findings)
    assert len(online.findings) != len(districts.findings)


def test_a_decision_refreshes_the_cached_rules(calls: list[str]) -> None:
    """A decision bumps ``data_version``: the cached rule evidence must not hide it."""
    before = _recommendations(DISTRICTS)
    first = before.findings.iloc[0]
    decide(
        key=first["key"],
        rule_id=first["rule_id"],
        period=PERIOD,
        state="acknowledged",
        fingerprint=first["fingerprint"],
        identity=SYSTEM,
        reason="Mit der Behörde besprochen",
    )
    after = _recommendations(DISTRICTS)
    assert _rules(calls) == ["rule_findings", "select", "rule_findings", "select"]
    state = after.findings.set_index("key").loc[first["key"], "state"]
    assert first["state"] == "open" and state == "acknowledged"


def test_project_figures_share_one_facts_frame(calls: list[str]) -> None:
    args = {"period": PERIOD, "today": TODAY, "include_unpublished": False}
    summary = load(portfolio.portfolio_summary, selection=DISTRICTS, **args)
    grouped = load(portfolio.projects_by, dimension="status", selection=ONLINE, **args)
    load(portfolio.projects_by, dimension="status", selection=ONLINE, **args)  # cache hit
    assert calls == ["period_facts", "portfolio_summary_of", "projects_by_of"]
    cur = db.cursor()
    assert summary == portfolio.portfolio_summary(cur, selection=DISTRICTS, **args)
    pd.testing.assert_frame_equal(
        grouped, portfolio.projects_by(cur, dimension="status", selection=ONLINE, **args)
    )
    # another period is another frame
    load(portfolio.portfolio_summary, selection=DISTRICTS, **{**args, "period": "2026-Q2"})
    assert calls.count("period_facts") == 2


def test_only_kpi_functions_are_called(demo_db: Path) -> None:
    with pytest.raises(ValueError, match="not a kpi function"):
        load(pd.DataFrame.head)
