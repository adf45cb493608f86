"""The project portfolio of a period: counts and budgets by group, lists of projects that need
attention, one project's history and the comparison of authorities.

Budgets are summed only where costs were reported as numbers; projects whose costs are
"nicht gemeldet" or "vertraulich" are counted in their own columns and never imputed. Shares
over groups are weighted (sum ÷ sum), never a mean of shares.
"""

from __future__ import annotations

from datetime import date

import duckdb
import pandas as pd

from kpi.common import CURRENT_SUBMISSIONS
from kpi.selection import SELECTION_CTE, Selection, authority_condition, resolve_today
from kpi.variance import PROJECT_COLUMNS, facts_params, facts_query

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

MONEY = frozenset({"budget_reported", "expected_cost_reported"})
AGGREGATES = """
    count(*) AS projects,
    count(*) FILTER (WHERE status IN ('in_progress', 'reorienting')) AS active,
    count(*) FILTER (WHERE status = 'completed') AS completed,
    count(*) FILTER (WHERE overdue) AS overdue,
    count(*) FILTER (WHERE rebaselined) AS rebaselined,
    count(*) FILTER (WHERE traffic_light = 'red') AS self_red,
    count(*) FILTER (WHERE computed_light = 'green') AS computed_green,
    count(*) FILTER (WHERE computed_light = 'yellow') AS computed_yellow,
    count(*) FILTER (WHERE computed_light = 'red') AS computed_red,
    count(*) FILTER (WHERE computed_light_original = 'red') AS computed_red_original,
    count(computed_light) AS with_computed_light,
    count(*) FILTER (WHERE self_green_computed_red) AS self_green_computed_red,
    count(*) FILTER (WHERE self_green_computed_red_original) AS self_green_computed_red_original,
    count(*) FILTER (WHERE light_mismatch) AS light_mismatch,
    count(*) FILTER (WHERE cost_reporting_status = 'reported') AS costs_reported,
    count(*) FILTER (WHERE cost_reporting_status = 'not_reported') AS costs_not_reported,
    count(*) FILTER (WHERE cost_reporting_status = 'confidential') AS costs_confidential,
    coalesce(sum(budget) FILTER (WHERE cost_reporting_status = 'reported'), 0)::DOUBLE
        AS budget_reported,
    coalesce(sum(expected_cost) FILTER (WHERE cost_reporting_status = 'reported'), 0)::DOUBLE
        AS expected_cost_reported
"""


def _params(
    *, include_unpublished: bool, selection: Selection | None, today: date | None
) -> list[object]:
    return facts_params(include_unpublished=include_unpublished, selection=selection, today=today)


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
    if dimension not in DIMENSIONS:
        raise ValueError(f"unknown dimension: {dimension}")
    column = DIMENSIONS[dimension]
    extra = ", any_value(short_name) AS short_name" if dimension == "authority" else ""
    sql = facts_query(
        f"SELECT {column} AS grp{extra}, {AGGREGATES} FROM flagged "  # noqa: S608 - allowlisted
        f"WHERE period_id = ? AND selected GROUP BY {column} ORDER BY projects DESC, grp"
    )
    params = _params(include_unpublished=include_unpublished, selection=selection, today=today)
    return cur.execute(sql, [*params, period]).df()


def portfolio_summary(
    cur: duckdb.DuckDBPyConnection,
    *,
    period: str,
    today: date | None = None,
    include_unpublished: bool = False,
    selection: Selection | None = None,
) -> dict[str, object]:
    """The aggregates of :func:`projects_by` over the whole selection, as one dict."""
    sql = facts_query(f"SELECT {AGGREGATES} FROM flagged WHERE period_id = ? AND selected")  # noqa: S608
    params = _params(include_unpublished=include_unpublished, selection=selection, today=today)
    frame = cur.execute(sql, [*params, period]).df()
    row = frame.iloc[0].to_dict()
    return {key: (float(v) if key in MONEY else int(v)) for key, v in row.items()}


def _project_list(
    cur: duckdb.DuckDBPyConnection,
    condition: str,
    order: str,
    *,
    period: str,
    today: date | None,
    include_unpublished: bool,
    selection: Selection | None,
) -> pd.DataFrame:
    sql = facts_query(
        f"SELECT {PROJECT_COLUMNS} FROM flagged "  # noqa: S608 - fixed conditions
        f"WHERE period_id = ? AND selected AND {condition} ORDER BY {order}"
    )
    params = _params(include_unpublished=include_unpublished, selection=selection, today=today)
    return cur.execute(sql, [*params, period]).df()


def overdue_projects(
    cur: duckdb.DuckDBPyConnection,
    *,
    period: str,
    today: date | None = None,
    include_unpublished: bool = False,
    selection: Selection | None = None,
) -> pd.DataFrame:
    """Projects not completed whose forecast or baseline end has passed; longest overdue first."""
    return _project_list(
        cur,
        "overdue",
        "least(coalesce(forecast_end, baseline_end), baseline_end) NULLS LAST, short_name",
        period=period,
        today=today,
        include_unpublished=include_unpublished,
        selection=selection,
    )


def rebaselined_projects(
    cur: duckdb.DuckDBPyConnection,
    *,
    period: str,
    today: date | None = None,
    include_unpublished: bool = False,
    selection: Selection | None = None,
) -> pd.DataFrame:
    """Projects whose current baseline differs from the original one."""
    return _project_list(
        cur,
        "rebaselined",
        "date_diff('day', original_end, baseline_end) DESC NULLS LAST, short_name",
        period=period,
        today=today,
        include_unpublished=include_unpublished,
        selection=selection,
    )


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
    return _project_list(
        cur,
        "(self_better_than_computed OR self_green_computed_red_original)",
        "self_green_computed_red DESC, self_green_computed_red_original DESC, short_name, "
        "project_id",
        period=period,
        today=today,
        include_unpublished=include_unpublished,
        selection=selection,
    )


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
    sql = facts_query(
        f"SELECT {PROJECT_COLUMNS} FROM flagged WHERE period_id = ? AND selected "  # noqa: S608
        "AND status NOT IN ('completed', 'cancelled') AND baseline_end IS NOT NULL "
        "AND forecast_end IS NOT NULL "
        "ORDER BY end_slip_days DESC, forecast_end, short_name, project_id LIMIT ?"
    )
    params = _params(include_unpublished=include_unpublished, selection=selection, today=today)
    return cur.execute(sql, [*params, period, limit]).df()


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
    sql = facts_query(
        "SELECT authority_id, short_name, project_id, title FROM flagged "
        "WHERE period_id = ? AND selected ORDER BY short_name, project_id"
    )
    params = _params(include_unpublished=include_unpublished, selection=selection, today=None)
    return cur.execute(sql, [*params, period]).df()


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
    live = merged["workplaces_live"].astype("float64")
    scope = merged["workplaces_in_scope"].astype("float64")
    merged["eakte_share"] = (live / scope).where(scope > 0)
    return merged


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
