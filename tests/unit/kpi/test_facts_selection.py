"""Project figures computed from the period's facts frame with the selection applied in pandas
(issue 8) equal the per-selection SQL they replace, value for value and type for type.

The reference functions below are the SQL implementations before the split (a facts CTE per
call, ``selected`` evaluated in SQL). The SQL left the order of ties open in two lists
(overdue, rebaselined: same date, same authority); the reference breaks them by project id,
as the facts frame does. Compared on the demo data and on the hand-computed portfolio of
``test_variance``, for several selections.

The aggregates on both sides come from the one rule list ``kpi.portfolio.AGGREGATE_RULES``
(SQL: ``AGGREGATES``; pandas: ``_indicators``), so here the two generators are compared on
real facts; ``test_portfolio_rules`` checks each rule against known answers.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pytest

from kpi import portfolio, variance
from kpi.portfolio import AGGREGATES, DIMENSIONS, MONEY
from kpi.selection import Selection
from kpi.variance import PROJECT_COLUMNS, _rank, facts_params, facts_query
from store import connection as db
from tests.unit.kpi.test_variance import TODAY, portfolio_database

# --- the SQL before issue 8 -------------------------------------------------------------------


def _params(include_unpublished: bool, selection: Selection | None, today: date | None) -> list:
    return facts_params(include_unpublished=include_unpublished, selection=selection, today=today)


def sql_project_variance(cur: duckdb.DuckDBPyConnection, *, period: str, **kw: Any) -> pd.DataFrame:
    sql = facts_query(
        f"SELECT {PROJECT_COLUMNS} FROM flagged WHERE period_id = ? AND selected "
        "ORDER BY short_name, project_id"
    )
    return cur.execute(sql, [*_params(**kw), period]).df()


def sql_light_comparison(
    cur: duckdb.DuckDBPyConnection, *, period: str, baseline: str = "current", **kw: Any
) -> pd.DataFrame:
    computed = "computed_light" if baseline == "current" else "computed_light_original"
    sql = facts_query(
        f"""
        , grid AS (
            SELECT s.light AS traffic_light, c.light AS computed, s.ord * 10 + c.ord AS ord
            FROM (SELECT unnest(['green', 'yellow', 'red']) AS light,
                         unnest([0, 1, 2]) AS ord) s
            CROSS JOIN (SELECT unnest(['green', 'yellow', 'red', 'none']) AS light,
                               unnest([0, 1, 2, 3]) AS ord) c
        ),
        counts AS (
            SELECT traffic_light, coalesce({computed}, 'none') AS computed, count(*) AS projects
            FROM flagged WHERE period_id = ? AND selected GROUP BY ALL
        )
        SELECT g.traffic_light, g.computed, coalesce(c.projects, 0) AS projects,
               g.computed <> 'none' AND {_rank("g.computed")} > {_rank("g.traffic_light")}
                   AS computed_worse
        FROM grid g LEFT JOIN counts c USING (traffic_light, computed)
        ORDER BY g.ord
        """
    )
    return cur.execute(sql, [*_params(**kw), period]).df()


def sql_projects_by(
    cur: duckdb.DuckDBPyConnection, *, period: str, dimension: str, **kw: Any
) -> pd.DataFrame:
    column = DIMENSIONS[dimension]
    extra = ", any_value(short_name) AS short_name" if dimension == "authority" else ""
    sql = facts_query(
        f"SELECT {column} AS grp{extra}, {AGGREGATES} FROM flagged "
        f"WHERE period_id = ? AND selected GROUP BY {column} ORDER BY projects DESC, grp"
    )
    return cur.execute(sql, [*_params(**kw), period]).df()


def sql_portfolio_summary(
    cur: duckdb.DuckDBPyConnection, *, period: str, **kw: Any
) -> dict[str, object]:
    sql = facts_query(f"SELECT {AGGREGATES} FROM flagged WHERE period_id = ? AND selected")
    row = cur.execute(sql, [*_params(**kw), period]).df().iloc[0].to_dict()
    return {key: (float(v) if key in MONEY else int(v)) for key, v in row.items()}


def _sql_list(condition: str, order: str) -> Callable[..., pd.DataFrame]:
    def run(cur: duckdb.DuckDBPyConnection, *, period: str, **kw: Any) -> pd.DataFrame:
        sql = facts_query(
            f"SELECT {PROJECT_COLUMNS} FROM flagged "
            f"WHERE period_id = ? AND selected AND {condition} ORDER BY {order}"
        )
        return cur.execute(sql, [*_params(**kw), period]).df()

    return run


sql_overdue = _sql_list(
    "overdue",
    "least(coalesce(forecast_end, baseline_end), baseline_end) NULLS LAST, short_name, project_id",
)
sql_rebaselined = _sql_list(
    "rebaselined",
    "date_diff('day', original_end, baseline_end) DESC NULLS LAST, short_name, project_id",
)
sql_disagreements = _sql_list(
    "(self_better_than_computed OR self_green_computed_red_original)",
    "self_green_computed_red DESC, self_green_computed_red_original DESC, short_name, project_id",
)


def sql_timeline(
    cur: duckdb.DuckDBPyConnection, *, period: str, limit: int = 30, **kw: Any
) -> pd.DataFrame:
    sql = facts_query(
        f"SELECT {PROJECT_COLUMNS} FROM flagged WHERE period_id = ? AND selected "
        "AND status NOT IN ('completed', 'cancelled') AND baseline_end IS NOT NULL "
        "AND forecast_end IS NOT NULL "
        "ORDER BY end_slip_days DESC, forecast_end, short_name, project_id LIMIT ?"
    )
    return cur.execute(sql, [*_params(**kw), period, limit]).df()


def sql_choices(
    cur: duckdb.DuckDBPyConnection, *, period: str, include_unpublished: bool, **kw: Any
) -> pd.DataFrame:
    sql = facts_query(
        "SELECT authority_id, short_name, project_id, title FROM flagged "
        "WHERE period_id = ? AND selected ORDER BY short_name, project_id"
    )
    params = _params(include_unpublished, kw["selection"], None)
    return cur.execute(sql, [*params, period]).df()


# --- comparison ---------------------------------------------------------------------------------


def _compare(cur: duckdb.DuckDBPyConnection, period: str, today: date, unpublished: bool) -> int:
    """Every split function against its SQL for every selection; returns the rows compared."""
    rows = 0
    for name, selection in SELECTIONS.items():
        kw = {"today": today, "include_unpublished": unpublished, "selection": selection}
        cases: list[tuple[str, Any, Any]] = [
            (
                "project_variance",
                variance.project_variance(cur, period=period, **kw),
                sql_project_variance(cur, period=period, **kw),
            ),
            (
                "overdue",
                portfolio.overdue_projects(cur, period=period, **kw),
                sql_overdue(cur, period=period, **kw),
            ),
            (
                "rebaselined",
                portfolio.rebaselined_projects(cur, period=period, **kw),
                sql_rebaselined(cur, period=period, **kw),
            ),
            (
                "disagreements",
                portfolio.light_disagreements(cur, period=period, **kw),
                sql_disagreements(cur, period=period, **kw),
            ),
            (
                "timeline",
                portfolio.end_date_timeline(cur, period=period, limit=25, **kw),
                sql_timeline(cur, period=period, limit=25, **kw),
            ),
            (
                "choices",
                portfolio.project_choices(
                    cur, period=period, include_unpublished=unpublished, selection=selection
                ),
                sql_choices(cur, period=period, **kw),
            ),
        ]
        for baseline in ("current", "original"):
            cases.append(
                (
                    f"light_comparison {baseline}",
                    variance.light_comparison(cur, period=period, baseline=baseline, **kw),
                    sql_light_comparison(cur, period=period, baseline=baseline, **kw),
                )
            )
        for dimension in DIMENSIONS:
            cases.append(
                (
                    f"projects_by {dimension}",
                    portfolio.projects_by(cur, period=period, dimension=dimension, **kw),
                    sql_projects_by(cur, period=period, dimension=dimension, **kw),
                )
            )
        for what, result, expected in cases:
            pd.testing.assert_frame_equal(
                result.reset_index(drop=True), expected, obj=f"{what} / {name}"
            )
            rows += len(expected)
        summary = portfolio.portfolio_summary(cur, period=period, **kw)
        assert summary == sql_portfolio_summary(cur, period=period, **kw), name
        assert list(summary) == list(sql_portfolio_summary(cur, period=period, **kw))
    return rows


SELECTIONS = {
    "alle": Selection(),
    "Bezirksämter": Selection(authority_kinds=("district_office",)),
    "Senat": Selection(authority_kinds=("senate_department",)),
    "zwei Behörden": Selection(authorities=("ba-lichtenberg", "senfin")),
    "Onlinedienste in Umsetzung": Selection(
        programmes=("online_service",), statuses=("in_progress",)
    ),
    "gelb und rot": Selection(lights=("yellow", "red")),
    "Themenfeld": Selection(topic_areas=("Familie & Kind", "Bildung")),
    "nichts": Selection(authorities=("keine-behoerde",)),
}


@pytest.mark.parametrize("include_unpublished", [False, True])
def test_demo_figures_from_the_facts_frame_equal_the_sql(
    demo_db: Path, include_unpublished: bool
) -> None:
    cur = db.cursor()
    for period in ("2026-Q3", "2025-Q4"):
        assert _compare(cur, period, date(2026, 11, 29), include_unpublished) > 1_000


@pytest.fixture(scope="module")
def portfolio_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    yield from portfolio_database(tmp_path_factory)


def test_portfolio_figures_from_the_facts_frame_equal_the_sql(portfolio_db: Path) -> None:
    cur = db.cursor()
    for period in ("2026-Q1", "2026-Q2"):
        assert _compare(cur, period, TODAY, False) > 0
