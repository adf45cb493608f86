"""The trend's lean count (``quota_counts``, issue 8) gives exactly the figures of
``quota_figures(service_state(...))`` for every period, published only and with drafts."""

from __future__ import annotations

from pathlib import Path

import pytest

from data.generate import Scale, generate
from kpi import services
from store import connection as db
from tests.conftest import use_database


def _periods(cur) -> list[str]:
    rows = cur.execute(
        "SELECT DISTINCT period_id FROM submission WHERE kind IN ('catalog', 'services') ORDER BY 1"
    ).fetchall()
    return [r[0] for r in rows]


def _assert_same(cur) -> int:
    checked = 0
    for unpublished in (False, True):
        for period in _periods(cur):
            state = services.service_state(cur, period=period, include_unpublished=unpublished)
            assert services.quota_counts(
                cur, period=period, include_unpublished=unpublished
            ) == services.quota_figures(state), (period, unpublished)
            checked += 1
    return checked


def test_same_figures_on_the_demo_data(demo_db: Path) -> None:
    assert _assert_same(db.cursor()) >= 16


def test_same_figures_on_generated_data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "generated.duckdb"
    generate(Scale("t", authorities=33, projects=20, periods=8, services=150,
                   status_coverage=0.7), path)  # fmt: skip
    use_database(monkeypatch, path)
    assert _assert_same(db.cursor()) == 16
    trend = services.online_trend(db.cursor())
    assert list(trend["period"]) == _periods(db.cursor())


def test_empty_period_counts_nothing(empty_db: Path) -> None:
    figures = services.quota_counts(db.cursor(), period="2026-Q3")
    assert figures["services_in_scope"] == 0 and figures["online_quota_all"] is None
