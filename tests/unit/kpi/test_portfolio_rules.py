"""The portfolio counting rules (``kpi.portfolio.AGGREGATE_RULES``) against a hand-built facts
frame with known answers, in both forms generated from them: the pandas indicators behind the
per-selection figures and the SQL fragment ``AGGREGATES`` the trend runs in DuckDB.

The frame holds the cases where the two could part: missing values in flags, lights and the
cost status (SQL's FILTER does not count NULL, ``count(column)`` skips it), an amount whose
cost status is not "reported", amounts whose float sum is off in the last digit (0.1 + 0.2 +
0.3) and amounts that are no whole number of cents as floats (0.29 × 100 = 28.999…), while
the store sums DECIMAL(16, 2) exactly.
"""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd
import pytest

from kpi.portfolio import (
    AGGREGATE_RULES,
    AGGREGATES,
    MONEY,
    Aggregate,
    portfolio_summary_of,
    projects_by_of,
)
from kpi.variance import period_facts

NA, NAN, T, F = pd.NA, np.nan, True, False

# One row per project; the comment says what the row is there for.
_ROWS = [
    # status, traffic_light, computed_light, computed_light_original, cost_reporting_status,
    # overdue, rebaselined, self_green_computed_red, self_green_computed_red_original,
    # light_mismatch, budget, expected_cost
    # 1: counted almost everywhere
    ("in_progress", "red", "red", "red", "reported", T, F, F, F, T, 0.1, 0.29),
    # 2: self green, computed red; missing original light and expected cost
    ("reorienting", "green", "red", None, "reported", F, T, T, NA, T, 0.2, NAN),
    # 3: every flag and both computed lights missing: counts by status and cost status only
    ("completed", "green", None, None, "not_reported", NA, NA, NA, NA, NA, NAN, NAN),
    # 4: no status at all
    (None, "yellow", "yellow", "red", "confidential", F, F, F, T, F, NAN, NAN),
    # 5: amounts although the cost status is missing: never summed
    ("planned", None, "green", "green", None, NA, T, F, F, F, 5.0, 7.0),
    # 6: the third amount of 0.1 + 0.2 + 0.3
    ("in_progress", "green", "green", None, "reported", T, F, F, F, F, 0.3, 1.15),
]
_COLUMNS = [
    "status",
    "traffic_light",
    "computed_light",
    "computed_light_original",
    "cost_reporting_status",
    "overdue",
    "rebaselined",
    "self_green_computed_red",
    "self_green_computed_red_original",
    "light_mismatch",
    "budget",
    "expected_cost",
]

EXPECTED = {
    "projects": 6,
    "active": 3,  # rows 1, 2, 6
    "completed": 1,
    "overdue": 2,  # rows 1, 6; the missing flags of 3 and 5 do not count
    "rebaselined": 2,  # rows 2, 5
    "self_red": 1,
    "computed_green": 2,
    "computed_yellow": 1,
    "computed_red": 2,
    "computed_red_original": 2,  # rows 1, 4
    "with_computed_light": 5,  # all but row 3
    "self_green_computed_red": 1,
    "self_green_computed_red_original": 1,
    "light_mismatch": 2,
    "costs_reported": 3,
    "costs_not_reported": 1,
    "costs_confidential": 1,
    "budget_reported": 0.6,  # 0.1 + 0.2 + 0.3 in cents; row 5's 5.0 not reported
    "expected_cost_reported": 1.44,  # 0.29 + 1.15 (× 100 not whole in floats); row 2 none
}


def _facts() -> pd.DataFrame:
    """The rows typed as ``period_facts`` returns them: text, nullable booleans, floats."""
    frame = pd.DataFrame(_ROWS, columns=_COLUMNS)
    for column in _COLUMNS[:5]:
        frame[column] = frame[column].astype("str")
    for column in _COLUMNS[5:10]:
        frame[column] = frame[column].astype("boolean")
    return frame


def _duckdb(frame: pd.DataFrame, select: str) -> pd.DataFrame:
    """``select`` over ``frame`` in DuckDB, amounts as DECIMAL(16, 2) like the store's."""
    con = duckdb.connect()
    con.register("frame", frame)
    con.execute(
        "CREATE TABLE flagged AS SELECT * REPLACE (budget::DECIMAL(16, 2) AS budget, "
        "expected_cost::DECIMAL(16, 2) AS expected_cost) FROM frame"
    )
    return con.execute(select).df()


def test_the_hand_built_frame_has_the_traps_it_claims() -> None:
    frame = _facts()
    assert frame["status"].isna().sum() == 1
    assert frame["overdue"].isna().sum() == 2
    assert frame["budget"].notna().sum() == 4
    reported = frame["cost_reporting_status"] == "reported"
    # summed as floats, the reported budgets are off in the last digit
    assert sum(frame.loc[reported, "budget"].dropna()) != EXPECTED["budget_reported"]
    assert int(frame.loc[0, "expected_cost"] * 100) == 28  # truncated, not 29 cents


def test_pandas_counts_every_aggregate_as_known() -> None:
    summary = portfolio_summary_of(_facts())
    assert summary == EXPECTED
    assert list(summary) == list(EXPECTED)
    assert all(isinstance(summary[k], float if k in MONEY else int) for k in summary)


def test_the_sql_fragment_counts_every_aggregate_as_known() -> None:
    result = _duckdb(_facts(), f"SELECT {AGGREGATES} FROM flagged")
    assert list(result.columns) == list(EXPECTED)
    assert result.iloc[0].to_dict() == EXPECTED


def test_an_empty_selection_counts_zero_in_both() -> None:
    zero = {key: (0.0 if key in MONEY else 0) for key in EXPECTED}
    assert portfolio_summary_of(_facts().head(0)) == zero
    result = _duckdb(_facts().head(0), f"SELECT {AGGREGATES} FROM flagged")
    assert result.iloc[0].to_dict() == zero


def test_groups_sum_cents_and_keep_the_missing_group() -> None:
    frame = _facts()
    by_light = projects_by_of(frame, dimension="computed_light").set_index("grp")
    assert by_light.loc["red", "budget_reported"] == 0.3  # 0.1 + 0.2, not 0.30000000000000004
    assert by_light.loc["green", "expected_cost_reported"] == 1.15  # row 5's 7.0 not reported
    assert by_light.loc["red", "expected_cost_reported"] == 0.29
    assert by_light.loc["red", "self_green_computed_red"] == 1
    missing = by_light[by_light.index.isna()]
    assert missing["projects"].tolist() == [1]
    assert missing["with_computed_light"].tolist() == [0]
    sql = _duckdb(
        frame,
        f"SELECT computed_light AS grp, {AGGREGATES} FROM flagged GROUP BY computed_light "
        "ORDER BY projects DESC, grp",
    )
    pd.testing.assert_frame_equal(by_light.reset_index(), sql)


@pytest.mark.parametrize(
    ("kwargs", "reason"),
    [
        ({"name": "x'; DROP TABLE project_report; --", "test": "all"}, "name"),
        ({"name": "red", "test": "in", "column": "light", "values": ("red') OR (1=1",)}, "value"),
        ({"name": "red", "test": "true", "column": "overdue OR true"}, "column"),
        ({"name": "euros", "test": "all", "sum_of": "budget * 100"}, "money column"),
        ({"name": "red", "test": "in", "column": "light"}, "in without values"),
        ({"name": "red", "test": "true", "column": "overdue", "values": ("x",)}, "values"),
        ({"name": "red", "test": "all", "column": "overdue"}, "all with a column"),
        ({"name": "red", "test": "true"}, "no column"),
        ({"name": "red", "test": "equals", "column": "light"}, "unknown test"),
    ],
)
def test_a_rule_that_could_change_the_sql_is_refused(kwargs: dict, reason: str) -> None:
    with pytest.raises(ValueError):
        Aggregate(**kwargs)


def test_rules_have_unique_names_and_money_is_their_sums() -> None:
    names = [rule.name for rule in AGGREGATE_RULES]
    assert len(names) == len(set(names))
    assert names == list(EXPECTED)  # the result columns, in the order pages rely on
    assert {rule.name for rule in AGGREGATE_RULES if rule.sum_of} == MONEY


def test_every_column_a_rule_reads_is_in_the_period_facts(empty_db: object) -> None:
    from store import connection as db

    facts = period_facts(db.cursor(), period="2026-Q3")
    read = {rule.column for rule in AGGREGATE_RULES} | {rule.sum_of for rule in AGGREGATE_RULES}
    assert read - {None} <= set(facts.columns)
    assert set(_COLUMNS) <= set(facts.columns)
