"""The project portfolio of a period: counts and budgets by group, lists of projects that need
attention, one project's history and the comparison of authorities.

Budgets are summed only where costs were reported as numbers; projects whose costs are
"nicht gemeldet" or "vertraulich" are counted in their own columns and never imputed. Shares
over groups are weighted (sum ÷ sum), never a mean of shares.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Literal

import duckdb
import numpy as np
import pandas as pd

from kpi.common import CURRENT_SUBMISSIONS
from kpi.selection import SELECTION_CTE, Selection, authority_condition, resolve_today
from kpi.variance import (
    PROJECT_COLUMNS,
    as_queried,
    facts_params,
    facts_query,
    period_facts,
    selected,
)

# Group-by columns an analyst may choose; identifiers only from here.
DIMENSIONS: dict[str, str] = {
    "status": "status",
    "programme": "programme",
    "topic_area": "topic_area",
    "authority": "authority_id",
    "authority_kind": "authority_kind",
    "traffic_light": "traffic_light",
    "computed_light": "computed_light",
}

RULES: dict[str, str] = {
    "projects": (
        "Vorhaben in der jeweils neuesten Meldung jeder Behörde für die Berichtsperiode "
        "(standardmäßig nur veröffentlichte Meldungen), nach den gewählten Filtern."
    ),
    "budget": (
        "Summe der Budgets (aktuelle Planung) der Vorhaben mit gemeldeten Beträgen. Vorhaben "
        "mit Kosten „nicht gemeldet“ oder „vertraulich“ werden gezählt, aber nicht geschätzt."
    ),
    "active": "Vorhaben mit Status „in Umsetzung“ oder „in Neuausrichtung“.",
}

# What a rule's name, columns and values may be: they are written into SQL text.
_IDENTIFIER = re.compile(r"[a-z][a-z0-9_]*")


@dataclass(frozen=True)
class Aggregate:
    """One portfolio aggregate: which rows it counts and, for a money sum, which amount.

    The counting rules exist only here: the SQL fragment :data:`AGGREGATES` (``kpi.trend``
    over all periods) and the pandas :func:`_indicators` (a period's facts after the filter
    selection) are both generated from :data:`AGGREGATE_RULES`, so the two cannot drift
    apart. Names, columns and values become SQL text, so they are checked to be plain
    identifiers; no user input ever reaches a rule.

    ``test`` says which rows count: ``all`` every row; ``true`` where the boolean ``column``
    is true; ``in`` where ``column`` holds one of ``values``; ``not_null`` where ``column``
    has a value. A missing value never passes ``true`` or ``in`` (SQL's FILTER: NULL is not
    true). With ``sum_of`` the aggregate is the sum of that money column over the counted
    rows (0 without any), else the number of counted rows."""

    name: str
    test: Literal["all", "true", "in", "not_null"]
    column: str | None = None
    values: tuple[str, ...] = ()
    sum_of: str | None = None

    def __post_init__(self) -> None:
        words = [self.name, *self.values]
        words += [w for w in (self.column, self.sum_of) if w is not None]
        if not all(_IDENTIFIER.fullmatch(word) for word in words):
            raise ValueError(f"aggregate {self.name!r}: only plain lower-case identifiers")
        if self.test not in ("all", "true", "in", "not_null"):
            raise ValueError(f"aggregate {self.name!r}: unknown test {self.test!r}")
        if (self.column is None) != (self.test == "all"):
            raise ValueError(f"aggregate {self.name!r}: a column for every test but 'all'")
        if bool(self.values) != (self.test == "in"):
            raise ValueError(f"aggregate {self.name!r}: values for the test 'in' only")

    def _condition(self) -> str | None:
        if self.test == "true":
            return self.column
        if self.test == "not_null":
            return f"{self.column} IS NOT NULL"
        if self.test == "in":
            if len(self.values) == 1:
                return f"{self.column} = '{self.values[0]}'"
            listed = ", ".join(f"'{value}'" for value in self.values)
            return f"{self.column} IN ({listed})"
        return None

    def sql(self) -> str:
        """The aggregate as a DuckDB select-list item."""
        condition = self._condition()
        if self.sum_of is not None:
            where = "" if condition is None else f" FILTER (WHERE {condition})"
            return f"coalesce(sum({self.sum_of}){where}, 0)::DOUBLE AS {self.name}"
        if self.test == "all":
            return f"count(*) AS {self.name}"
        if self.test == "not_null":
            return f"count({self.column}) AS {self.name}"
        return f"count(*) FILTER (WHERE {condition}) AS {self.name}"

    def counted(self, rows: pd.DataFrame) -> np.ndarray:
        """Per row of ``rows``: whether it counts, as :meth:`sql` decides it."""
        if self.test == "all":
            return np.ones(len(rows), dtype=bool)
        column = rows[self.column]
        if self.test == "true":
            return column.to_numpy(dtype=bool, na_value=False)
        if self.test == "in":
            return column.isin(self.values).to_numpy(dtype=bool, na_value=False)
        return column.notna().to_numpy(dtype=bool)


def _cost(name: str, status: str) -> Aggregate:
    return Aggregate(name, "in", "cost_reporting_status", (status,))


def _reported(name: str, amount: str) -> Aggregate:
    return Aggregate(name, "in", "cost_reporting_status", ("reported",), sum_of=amount)


# The portfolio aggregates in the order of the result columns (pages and exports rely on it).
AGGREGATE_RULES: tuple[Aggregate, ...] = (
    Aggregate("projects", "all"),
    Aggregate("active", "in", "status", ("in_progress", "reorienting")),
    Aggregate("completed", "in", "status", ("completed",)),
    Aggregate("overdue", "true", "overdue"),
    Aggregate("rebaselined", "true", "rebaselined"),
    Aggregate("self_red", "in", "traffic_light", ("red",)),
    Aggregate("computed_green", "in", "computed_light", ("green",)),
    Aggregate("computed_yellow", "in", "computed_light", ("yellow",)),
    Aggregate("computed_red", "in", "computed_light", ("red",)),
    Aggregate("computed_red_original", "in", "computed_light_original", ("red",)),
    Aggregate("with_computed_light", "not_null", "computed_light"),
    Aggregate("self_green_computed_red", "true", "self_green_computed_red"),
    Aggregate("self_green_computed_red_original", "true", "self_green_computed_red_original"),
    Aggregate("light_mismatch", "true", "light_mismatch"),
    _cost("costs_reported", "reported"),
    _cost("costs_not_reported", "not_reported"),
    _cost("costs_confidential", "confidential"),
    _reported("budget_reported", "budget"),
    _reported("expected_cost_reported", "expected_cost"),
)

# Aggregates that are sums of euros (the others are counts).
MONEY = frozenset(rule.name for rule in AGGREGATE_RULES if rule.sum_of is not None)

# The aggregates as a DuckDB select list over the facts (``flagged`` in ``facts_query``).
AGGREGATES = "\n    " + ",\n    ".join(rule.sql() for rule in AGGREGATE_RULES) + "\n"


# Functions whose filter selection applies to the period's facts (see
# ``kpi.variance.SELECTION_SPLIT``): ``ui.data.load`` caches :func:`period_facts` once per
# data version and period and applies each selection to it in pandas.
SELECTION_SPLIT: dict[str, tuple[str, str]] = {
    "projects_by": ("period_facts", "projects_by_of"),
    "portfolio_summary": ("period_facts", "portfolio_summary_of"),
    "overdue_projects": ("period_facts", "overdue_projects_of"),
    "rebaselined_projects": ("period_facts", "rebaselined_projects_of"),
    "light_disagreements": ("period_facts", "light_disagreements_of"),
    "end_date_timeline": ("period_facts", "end_date_timeline_of"),
    "project_choices": ("period_facts", "project_choices_of"),
}


def _params(
    *, include_unpublished: bool, selection: Selection | None, today: date | None
) -> list[object]:
    return facts_params(include_unpublished=include_unpublished, selection=selection, today=today)


def _flag(frame: pd.DataFrame, column: str) -> np.ndarray:
    """A boolean column as SQL's ``FILTER (WHERE column)`` reads it: NULL is not true."""
    return frame[column].to_numpy(dtype=bool, na_value=False)


def _cents(values: pd.Series, where: np.ndarray) -> np.ndarray:
    """Amounts in whole cents (DECIMAL(16, 2) in the store), 0 where not counted or empty.

    Summing cents as integers and dividing once gives exactly DuckDB's
    ``sum(decimal)::DOUBLE``; summing the floats would differ in the last digits."""
    amounts = values.to_numpy(dtype="float64", na_value=np.nan)
    counted = where & ~np.isnan(amounts)
    return np.where(counted, np.rint(np.where(counted, amounts, 0.0) * 100), 0).astype("int64")


def _indicators(rows: pd.DataFrame) -> pd.DataFrame:
    """One column per aggregate of :data:`AGGREGATE_RULES`, per row: 1 if the row counts,
    the cents of the amount for the money sums; the aggregates are the column sums."""
    columns: dict[str, np.ndarray] = {}
    for rule in AGGREGATE_RULES:
        counted = rule.counted(rows)
        if rule.sum_of is None:
            columns[rule.name] = counted.astype("int64")
        else:
            columns[rule.name] = _cents(rows[rule.sum_of], counted)
    return pd.DataFrame(columns, index=pd.RangeIndex(len(rows)))


def _money(frame: pd.DataFrame) -> pd.DataFrame:
    for name in MONEY:
        frame[name] = frame[name].astype("float64") / 100
    return frame


def projects_by(
    cur: duckdb.DuckDBPyConnection,
    *,
    period: str,
    dimension: str,
    today: date | None = None,
    include_unpublished: bool = False,
    selection: Selection | None = None,
) -> pd.DataFrame:
    """Counts and budgets per group of ``dimension`` (see :data:`DIMENSIONS`); a group without
    a value (e.g. no programme reported) is ``None``. Largest group first."""
    facts = period_facts(cur, period=period, today=today, include_unpublished=include_unpublished)
    return projects_by_of(facts, dimension=dimension, selection=selection)


def projects_by_of(
    facts: pd.DataFrame, *, dimension: str, selection: Selection | None = None
) -> pd.DataFrame:
    """:func:`projects_by` over :func:`kpi.variance.period_facts`."""
    if dimension not in DIMENSIONS:
        raise ValueError(f"unknown dimension: {dimension}")
    column = DIMENSIONS[dimension]
    rows = selected(facts, selection)
    groups = rows[column]
    sums = _indicators(rows).groupby(groups.to_numpy(), dropna=False, sort=False).sum()
    out = pd.DataFrame({"grp": pd.Series(sums.index, dtype=groups.dtype)})
    if dimension == "authority":
        names = rows.groupby(groups.to_numpy(), dropna=False, sort=False)["short_name"].first()
        out["short_name"] = pd.Series(names.reindex(sums.index).to_numpy(), dtype="str")
    out = pd.concat([out, _money(sums.reset_index(drop=True))], axis=1)
    out = out.sort_values(
        ["projects", "grp"], ascending=[False, True], na_position="last", kind="stable"
    )
    return as_queried(out)


# The lists of the Vorhaben page ("Ansicht"): which projects of the selection each one holds.
VIEWS = ("all", "overdue", "rebaselined", "mismatch")


def portfolio_summary(
    cur: duckdb.DuckDBPyConnection,
    *,
    period: str,
    today: date | None = None,
    include_unpublished: bool = False,
    selection: Selection | None = None,
    view: str = "all",
) -> dict[str, object]:
    """The aggregates of :func:`projects_by` over the whole selection, as one dict.

    With a ``view`` other than ``all`` (see :data:`VIEWS`) they are counted over the projects
    of that list only (:func:`overdue_projects`, :func:`rebaselined_projects`,
    :func:`light_disagreements`), so cards next to a list describe the listed projects."""
    facts = period_facts(cur, period=period, today=today, include_unpublished=include_unpublished)
    return portfolio_summary_of(facts, selection=selection, view=view)


def portfolio_summary_of(
    facts: pd.DataFrame, *, selection: Selection | None = None, view: str = "all"
) -> dict[str, object]:
    """:func:`portfolio_summary` over :func:`kpi.variance.period_facts`."""
    if view not in VIEWS:
        raise ValueError(f"unknown view: {view}")
    rows = (
        selected(facts, selection)
        if view == "all"
        else _project_list(facts, selection, "disagreement" if view == "mismatch" else view)
    )
    sums = _indicators(rows).sum()
    return {
        key: (float(sums[key]) / 100 if key in MONEY else int(sums[key]))
        for key in (rule.name for rule in AGGREGATE_RULES)
    }


def _ordered(rows: pd.DataFrame, keys: list[tuple[pd.Series, bool]]) -> pd.DataFrame:
    """``rows`` sorted by the key columns (ascending flags), missing values last as in SQL;
    ties keep the facts' order (authority, project id)."""
    frame = pd.DataFrame({f"k{n}": key for n, (key, _) in enumerate(keys)})
    order = frame.sort_values(
        list(frame.columns),
        ascending=[ascending for _, ascending in keys],
        na_position="last",
        kind="stable",
    ).index
    return as_queried(rows.loc[order])


def _rank_desc(values: pd.Series) -> pd.Series:
    """A boolean column for ``ORDER BY column DESC`` (NULLS LAST): true, false, missing."""
    return values.map({True: 0, False: 1}).astype("float64")


def _project_list(facts: pd.DataFrame, selection: Selection | None, condition: str) -> pd.DataFrame:
    rows = selected(facts, selection)
    if condition == "overdue":
        rows = rows[_flag(rows, "overdue")]
        passed = rows[["forecast_end", "baseline_end"]].min(axis=1)  # least() skips NULL
        return _ordered(rows, [(passed, True), (rows["short_name"], True)])
    if condition == "rebaselined":
        rows = rows[_flag(rows, "rebaselined")]
        moved = (rows["baseline_end"] - rows["original_end"]).dt.days
        return _ordered(rows, [(moved, False), (rows["short_name"], True)])
    rows = rows[
        _flag(rows, "self_better_than_computed") | _flag(rows, "self_green_computed_red_original")
    ]
    return _ordered(
        rows,
        [
            (_rank_desc(rows["self_green_computed_red"]), True),
            (_rank_desc(rows["self_green_computed_red_original"]), True),
            (rows["short_name"], True),
            (rows["project_id"], True),
        ],
    )


def overdue_projects(
    cur: duckdb.DuckDBPyConnection,
    *,
    period: str,
    today: date | None = None,
    include_unpublished: bool = False,
    selection: Selection | None = None,
) -> pd.DataFrame:
    """Projects not completed whose forecast or baseline end has passed; longest overdue first."""
    facts = period_facts(cur, period=period, today=today, include_unpublished=include_unpublished)
    return overdue_projects_of(facts, selection=selection)


def overdue_projects_of(facts: pd.DataFrame, *, selection: Selection | None = None) -> pd.DataFrame:
    """:func:`overdue_projects` over :func:`kpi.variance.period_facts`."""
    return _project_list(facts, selection, "overdue")


def rebaselined_projects(
    cur: duckdb.DuckDBPyConnection,
    *,
    period: str,
    today: date | None = None,
    include_unpublished: bool = False,
    selection: Selection | None = None,
) -> pd.DataFrame:
    """Projects whose current baseline differs from the original one."""
    facts = period_facts(cur, period=period, today=today, include_unpublished=include_unpublished)
    return rebaselined_projects_of(facts, selection=selection)


def rebaselined_projects_of(
    facts: pd.DataFrame, *, selection: Selection | None = None
) -> pd.DataFrame:
    """:func:`rebaselined_projects` over :func:`kpi.variance.period_facts`."""
    return _project_list(facts, selection, "rebaselined")


def light_disagreements(
    cur: duckdb.DuckDBPyConnection,
    *,
    period: str,
    today: date | None = None,
    include_unpublished: bool = False,
    selection: Selection | None = None,
) -> pd.DataFrame:
    """Projects whose computed light (current or original baseline) is worse than the light
    the authority reported; "self green, computed red" first."""
    facts = period_facts(cur, period=period, today=today, include_unpublished=include_unpublished)
    return light_disagreements_of(facts, selection=selection)


def light_disagreements_of(
    facts: pd.DataFrame, *, selection: Selection | None = None
) -> pd.DataFrame:
    """:func:`light_disagreements` over :func:`kpi.variance.period_facts`."""
    return _project_list(facts, selection, "disagreement")


def end_date_timeline(
    cur: duckdb.DuckDBPyConnection,
    *,
    period: str,
    today: date | None = None,
    include_unpublished: bool = False,
    selection: Selection | None = None,
    limit: int = 30,
) -> pd.DataFrame:
    """Projects not yet completed or cancelled with a planned and a forecast end, the ``limit``
    with the largest slip (forecast − planned end) first: the timeline's rows."""
    facts = period_facts(cur, period=period, today=today, include_unpublished=include_unpublished)
    return end_date_timeline_of(facts, selection=selection, limit=limit)


def end_date_timeline_of(
    facts: pd.DataFrame, *, selection: Selection | None = None, limit: int = 30
) -> pd.DataFrame:
    """:func:`end_date_timeline` over :func:`kpi.variance.period_facts`."""
    rows = selected(facts, selection)
    open_ = rows["status"].notna() & ~rows["status"].isin(["completed", "cancelled"])
    rows = rows[open_ & rows["baseline_end"].notna() & rows["forecast_end"].notna()]
    ordered = _ordered(
        rows,
        [
            (rows["end_slip_days"], False),
            (rows["forecast_end"], True),
            (rows["short_name"], True),
            (rows["project_id"], True),
        ],
    )
    return as_queried(ordered.head(max(0, limit)))


def project_history(
    cur: duckdb.DuckDBPyConnection,
    *,
    authority_id: str,
    project_id: str,
    today: date | None = None,
    include_unpublished: bool = False,
) -> pd.DataFrame:
    """Every period's report of one project (oldest first): how dates, costs and lights moved."""
    sql = facts_query(
        f"SELECT {PROJECT_COLUMNS} FROM flagged WHERE authority_id = ? AND project_id = ? "  # noqa: S608
        "ORDER BY period_id"
    )
    params = _params(include_unpublished=include_unpublished, selection=None, today=today)
    return cur.execute(sql, [*params, authority_id, project_id]).df()


def project_choices(
    cur: duckdb.DuckDBPyConnection,
    *,
    period: str,
    include_unpublished: bool = False,
    selection: Selection | None = None,
) -> pd.DataFrame:
    """(authority, project id, title) of the selected projects of the period, for pickers."""
    facts = period_facts(cur, period=period, today=None, include_unpublished=include_unpublished)
    return project_choices_of(facts, selection=selection)


def project_choices_of(facts: pd.DataFrame, *, selection: Selection | None = None) -> pd.DataFrame:
    """:func:`project_choices` over :func:`kpi.variance.period_facts` (in its order)."""
    return selected(facts, selection)[["authority_id", "short_name", "project_id", "title"]]


def authority_comparison(
    cur: duckdb.DuckDBPyConnection,
    *,
    period: str,
    today: date | None = None,
    include_unpublished: bool = False,
    selection: Selection | None = None,
) -> pd.DataFrame:
    """One row per authority expected to report (within the authority filters): whether and
    when it reported, its portfolio aggregates (project filters applied) and its E-Akte share.
    The money sums are empty where no project reported an amount (see
    :func:`unreported_amounts_missing`); counts of an authority without a list are 0.
    """
    sql = f"""
    WITH {CURRENT_SUBMISSIONS},
    {SELECTION_CTE},
    eakte_current AS (
        SELECT cs.authority_id, e.workplaces_live, e.workplaces_in_scope, e.status
        FROM eakte_status e
        JOIN (
            SELECT * FROM (
                SELECT s.id, s.authority_id, s.period_id, row_number() OVER (
                    PARTITION BY s.authority_id, s.period_id ORDER BY s.id DESC) AS rn
                FROM submission s
                WHERE s.kind = 'eakte' AND (s.review_status = 'published' OR ?)
            ) WHERE rn = 1
        ) cs ON cs.id = e.submission_id
        WHERE cs.period_id = ?
    )
    SELECT a.id AS authority_id, a.short_name, a.name, a.kind AS authority_kind,
           cs.id IS NOT NULL AS reported, cs.submitted_at, rp.due_date,
           ec.workplaces_live, ec.workplaces_in_scope, ec.status AS eakte_status
    FROM authority a
    CROSS JOIN sel
    LEFT JOIN current_submission cs ON cs.authority_id = a.id AND cs.period_id = ?
    LEFT JOIN reporting_period rp ON rp.id = ?
    LEFT JOIN eakte_current ec ON ec.authority_id = a.id
    WHERE a.expected_to_report
      AND {authority_condition(kind="a.kind", authority="a.id")}
    ORDER BY a.kind, a.short_name
    """  # noqa: S608 - fixed SQL, values bound
    sel_params = (selection or Selection()).params(today=resolve_today(today))
    base = cur.execute(
        sql,
        [
            "projects",
            include_unpublished,
            *sel_params,
            include_unpublished,
            period,
            period,
            period,
        ],
    ).df()
    groups = projects_by(
        cur,
        period=period,
        dimension="authority",
        today=today,
        include_unpublished=include_unpublished,
        selection=selection,
    ).rename(columns={"grp": "authority_id"})
    merged = base.merge(groups.drop(columns=["short_name"]), on="authority_id", how="left")
    counts = [c for c in groups.columns if c not in ("authority_id", "short_name")]
    merged[counts] = merged[counts].fillna(0)
    for name in counts:
        if name not in MONEY:
            merged[name] = merged[name].astype("int64")
    merged = unreported_amounts_missing(merged)
    live = merged["workplaces_live"].astype("float64")
    scope = merged["workplaces_in_scope"].astype("float64")
    merged["eakte_share"] = (live / scope).where(scope > 0)
    return merged


def unreported_amounts_missing(frame: pd.DataFrame) -> pd.DataFrame:
    """The money sums of :data:`MONEY` emptied (NaN) in rows where no project reported its
    costs (``costs_reported`` = 0): costs are never imputed, and 0 € would be an imputed
    amount for an authority whose costs are all confidential or that sent no list at all.
    A real sum of reported amounts stays a number, even when it is 0 €."""
    out = frame.copy()
    none_reported = out["costs_reported"] == 0
    for name in MONEY:
        out[name] = out[name].astype("float64").mask(none_reported)
    return out


def linked_services(
    cur: duckdb.DuckDBPyConnection,
    *,
    period: str,
    authority_id: str,
    include_unpublished: bool = False,
) -> pd.DataFrame:
    """Services (LeiKa keys) the authority's projects of the period name, with the catalogue
    name where the catalogue knows the key, and the projects naming each."""
    sql = f"""
    WITH {CURRENT_SUBMISSIONS},
    keys AS (
        SELECT unnest(p.leika_keys) AS leika_key, p.project_id, p.title
        FROM project_report p JOIN current_submission cs ON cs.id = p.submission_id
        WHERE cs.period_id = ? AND cs.authority_id = ?
    )
    SELECT k.leika_key, any_value(sv.name) AS service_name,
           count(DISTINCT k.project_id) AS projects,
           string_agg(DISTINCT k.project_id, ', ' ORDER BY k.project_id) AS project_ids
    FROM keys k LEFT JOIN service sv ON sv.leika_key = k.leika_key
    GROUP BY k.leika_key ORDER BY projects DESC, k.leika_key
    """  # noqa: S608 - fixed SQL, values bound
    return cur.execute(sql, ["projects", include_unpublished, period, authority_id]).df()


def authority_services(
    cur: duckdb.DuckDBPyConnection,
    *,
    period: str,
    authority_id: str,
    include_unpublished: bool = False,
) -> dict[str, object]:
    """The services the authority is responsible for (catalogue valid for the period) with the
    Online-Quote over them, counted by the rules of ``kpi.services``; ``services`` is empty
    when no catalogue has been loaded."""
    from kpi.services import quota_figures, service_state

    state = service_state(cur, period=period, include_unpublished=include_unpublished)
    if state.empty or "authority_id" not in state.columns:
        return {"figures": None, "services": state.head(0)}
    own = state[state["authority_id"] == authority_id]
    return {"figures": quota_figures(own) if not own.empty else None, "services": own}
