"""``ui.data.load_selected``: the selection-independent part is computed once per data version,
each selection only applies its filter (issue 8), and the result is what the kpi functions give
uncached."""

from __future__ import annotations

import functools
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import streamlit as st

from kpi import recommendations as rec
from kpi.selection import Selection
from store import connection as db
from store.identity import SYSTEM
from store.recommendations import decide
from ui.data import load, load_selected

PERIOD = "2026-Q3"
TODAY = date(2026, 11, 29)
DISTRICTS = Selection(authority_kinds=("district_office",))
ONLINE = Selection(programmes=("online_service",))


@pytest.fixture
def counted(demo_db: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Calls of ``rule_findings`` and ``select`` made through the cache, by name."""
    calls: list[str] = []
    real_base, real_select = rec.rule_findings, rec.select

    @functools.wraps(real_base)  # same module and name: the cache looks them up there
    def rule_findings(cur: Any, **kwargs: Any) -> rec.RuleFindings:
        calls.append("rule_findings")
        return real_base(cur, **kwargs)

    @functools.wraps(real_select)
    def select(found: rec.RuleFindings, **kwargs: Any) -> rec.Evaluation:
        calls.append("select")
        return real_select(found, **kwargs)

    monkeypatch.setattr(rec, "rule_findings", rule_findings)
    monkeypatch.setattr(rec, "select", select)
    st.cache_data.clear()
    yield calls
    st.cache_data.clear()


def _load(selection: Selection) -> rec.Evaluation:
    return load_selected(
        rec.select,
        rec.rule_findings,
        period=PERIOD,
        today=TODAY,
        include_unpublished=False,
        selection=selection,
    )


def test_rules_are_evaluated_once_for_every_selection(counted: list[str]) -> None:
    districts = _load(DISTRICTS)
    online = _load(ONLINE)
    again = _load(DISTRICTS)
    assert counted == ["rule_findings", "select", "select"]
    # the same base entry serves a plain ``load`` of it
    load(rec.rule_findings, period=PERIOD, today=TODAY, include_unpublished=False)
    assert counted == ["rule_findings", "select", "select"]
    uncached = rec.evaluate(db.cursor(), period=PERIOD, today=TODAY, selection=DISTRICTS)
    pd.testing.assert_frame_equal(districts.findings, uncached.findings)
    pd.testing.assert_frame_equal(again.findings, uncached.findings)
    assert len(online.findings) != len(districts.findings)


def test_a_decision_refreshes_the_base(counted: list[str]) -> None:
    """A decision bumps ``data_version``: the cached base must not hide it."""
    before = _load(DISTRICTS)
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
    after = _load(DISTRICTS)
    assert counted == ["rule_findings", "select", "rule_findings", "select"]
    state = after.findings.set_index("key").loc[first["key"], "state"]
    assert before.findings.iloc[0]["state"] == "open" and state == "acknowledged"


def test_only_kpi_functions_are_called(demo_db: Path) -> None:
    with pytest.raises(ValueError, match="not a kpi function"):
        load_selected(pd.DataFrame.head, rec.rule_findings, period=PERIOD, selection=None)
