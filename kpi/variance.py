"""Cost and schedule variance per project, the computed traffic light and the flags derived
from them (overdue, re-baselined, self-assessment disagrees).

Rules (DESIGN.md, shown next to every number in the UI through :data:`RULES`):

* **Cost variance** = (budget − (actual cost if completed, else forecast cost)) ÷ budget.
  Only for costs reported as numbers; "nicht gemeldet" and "vertraulich" stay empty, never
  imputed. A completed project without actual cost has no cost variance.
* **Schedule variance** = (baseline end − expected end) ÷ planned duration, where the expected
  end is the actual end, else max(forecast end, reference date); planned duration = baseline
  end − planned start (actual start if no planned start). Without a forecast end the variance
  is known only once the baseline end has passed (then the project ends no earlier than the
  reference date); before that it stays empty. Completed projects without an actual end use
  their forecast end.
* **Bands**: |v| < 10 % green, 10 % ≤ |v| < 30 % yellow, |v| ≥ 30 % red (also for projects
  cheaper or earlier than planned: a plan that far off is no plan). The computed light is the
  worse of the two bands; cancelled projects get none.
* Both are computed twice: against the **current** baseline and against the **original** one
  (``baseline_end_original`` / ``budget_original``; where a report leaves them empty, the
  baseline of the earliest report of the same project id of that authority is taken), so
  re-baselining cannot turn a project green.
* **Reference date** ("Stichtag") of a period = min(today, last day of the period): a report
  describes the state at the end of its quarter, and ``today`` is a keyword argument so every
  figure is reproducible.
* **Overdue**: not completed or cancelled, and the forecast end or the baseline end lies before
  the reference date. **Re-baselined**: current baseline end or budget differs from the
  original one.
"""

from __future__ import annotations

from datetime import date

import duckdb
import pandas as pd

from kpi.common import CURRENT_SUBMISSIONS
from kpi.selection import (
    ALL,
    SELECTION_CTE,
    Selection,
    authority_condition,
    project_condition,
    resolve_today,
)

GREEN_LIMIT = 0.10
RED_LIMIT = 0.30
LIGHT_ORDER = ("green", "yellow", "red")

RULES: dict[str, str] = {
    "cost_variance": (
        "Kostenabweichung = (Budget − Kosten) ÷ Budget; Kosten = Ist-Kosten bei "
        "abgeschlossenen Vorhaben, sonst Kostenprognose. Negativ = teurer als geplant. Nur für "
        "gemeldete Beträge; „nicht gemeldet“ und „vertraulich“ bleiben leer."
    ),
    "schedule_variance": (
        "Terminabweichung = (geplantes Ende − erwartetes Ende) ÷ geplante Dauer; erwartetes "
        "Ende = Ist-Ende, sonst das spätere von Prognose-Ende und Stichtag. Negativ = später "
        "als geplant."
    ),
    "bands": "Ampel berechnet: |Abweichung| < 10 % grün, 10–30 % gelb, ab 30 % rot; "
    "es zählt die schlechtere von Kosten- und Terminabweichung.",
    "original": (
        "Gegen die ursprüngliche Planung: ursprüngliches Ende und Budget laut Meldung, sonst "
        "die Planung der frühesten Meldung desselben Vorhabens dieser Behörde. So kann eine "
        "Neuplanung ein Vorhaben nicht grün rechnen."
    ),
    "overdue": (
        "Überfällig: nicht abgeschlossen oder abgebrochen, und Prognose-Ende oder geplantes "
        "Ende liegen vor dem Stichtag."
    ),
    "rebaselined": (
        "Neu geplant: geplantes Ende oder Budget weichen von der ursprünglichen Planung ab."
    ),
    "as_of": "Stichtag = Ende der Berichtsperiode, höchstens heute.",
    "mismatch": (
        "Abweichung der Selbsteinschätzung: berechnete Ampel (gegen die aktuelle Planung) "
        "schlechter als die gemeldete Ampel."
    ),
}


def _band(column: str) -> str:
    return (
        f"CASE WHEN {column} IS NULL THEN NULL "
        f"WHEN abs({column}) < {GREEN_LIMIT} THEN 'green' "
        f"WHEN abs({column}) < {RED_LIMIT} THEN 'yellow' ELSE 'red' END"
    )


def _rank(column: str) -> str:
    return f"CASE {column} WHEN 'green' THEN 0 WHEN 'yellow' THEN 1 WHEN 'red' THEN 2 END"


def _light(rank_expression: str) -> str:
    return f"CASE {rank_expression} WHEN 0 THEN 'green' WHEN 1 THEN 'yellow' WHEN 2 THEN 'red' END"


def _ratio(numerator: str, denominator: str) -> str:
    return (
        f"CASE WHEN {denominator} > 0 THEN "
        f"round(CAST({numerator} AS DOUBLE) / CAST({denominator} AS DOUBLE), 9) END"
    )


_COST = _ratio("pl.budget - pl.expected_cost", "pl.budget")
_COST_ORIGINAL = _ratio("pl.original_budget - pl.expected_cost", "pl.original_budget")
_SCHEDULE = _ratio(
    "date_diff('day', pl.expected_end, pl.baseline_end)",
    "date_diff('day', pl.start_date, pl.baseline_end)",
)
_SCHEDULE_ORIGINAL = _ratio(
    "date_diff('day', pl.expected_end, pl.original_end)",
    "date_diff('day', pl.start_date, pl.original_end)",
)
_WORST = _light(f"greatest({_rank('b.cost_band')}, {_rank('b.schedule_band')})")
_WORST_ORIGINAL = _light(
    f"greatest({_rank('b.cost_band_original')}, {_rank('b.schedule_band_original')})"
)
_COMPUTED_RANK = _rank("f.computed_light")
_SELF_RANK = _rank("f.traffic_light")
_SELECTED = " AND ".join(
    (
        authority_condition(kind="f.authority_kind", authority="f.authority_id"),
        project_condition(
            programme="f.programme",
            topic_area="f.topic_area",
            status="f.status",
            light="f.traffic_light",
        ),
    )
)

# All projects of every period's current submissions with their variance and flags; the
# selection applies in the last step so comparisons with earlier reports see every report.
# Parameters: CURRENT_SUBMISSIONS [kind, include_unpublished] + SELECTION_CTE.
FACTS_CTE = f"""
{CURRENT_SUBMISSIONS},
{SELECTION_CTE},
reports AS (
    SELECT cs.period_id, cs.authority_id, cs.id AS submission_id, cs.submitted_at,
           cs.review_status, a.short_name, a.name AS authority_name, a.kind AS authority_kind,
           p.project_id, p.title, p.programme, p.topic_area, p.status, p.phase,
           p.traffic_light, p.traffic_light_reason, p.planned_start, p.actual_start,
           p.baseline_end_original, p.baseline_end, p.forecast_end, p.actual_end,
           p.budget_original, p.budget, p.forecast_cost, p.actual_cost,
           p.cost_reporting_status, p.progress_pct, p.leika_keys,
           rp.end_date AS period_end, least(sel.today, rp.end_date) AS as_of,
           coalesce(p.planned_start, p.actual_start) AS start_date,
           first_value(p.baseline_end_original) OVER whole AS first_end_original,
           first_value(p.baseline_end) OVER whole AS first_end,
           first_value(p.budget_original) OVER whole AS first_budget_original,
           first_value(p.budget) OVER whole AS first_budget,
           first_value(cs.period_id) OVER whole AS first_period,
           lag(cs.period_id) OVER history AS previous_period,
           lag(p.baseline_end) OVER history AS previous_baseline_end,
           lag(p.budget) OVER history AS previous_budget,
           lag(p.forecast_end) OVER history AS previous_forecast_end,
           lag(p.traffic_light) OVER history AS previous_light,
           lag(p.status) OVER history AS previous_status
    FROM project_report p
    JOIN current_submission cs ON cs.id = p.submission_id
    JOIN authority a ON a.id = cs.authority_id
    JOIN reporting_period rp ON rp.id = cs.period_id
    CROSS JOIN sel
    WINDOW whole AS (
               PARTITION BY cs.authority_id, p.project_id ORDER BY cs.period_id
               ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING),
           history AS (PARTITION BY cs.authority_id, p.project_id ORDER BY cs.period_id)
),
planned AS (
    SELECT r.*,
           coalesce(r.baseline_end_original, r.first_end_original, r.first_end) AS original_end,
           r.baseline_end_original IS NULL AS original_end_derived,
           CASE WHEN r.cost_reporting_status = 'reported'
                THEN coalesce(r.budget_original, r.first_budget_original, r.first_budget)
           END AS original_budget,
           r.budget_original IS NULL AS original_budget_derived,
           CASE WHEN r.status = 'cancelled' THEN NULL
                WHEN r.status = 'completed' THEN coalesce(r.actual_end, r.forecast_end)
                WHEN r.actual_end IS NOT NULL THEN r.actual_end
                WHEN r.forecast_end IS NOT NULL THEN greatest(r.forecast_end, r.as_of)
                WHEN r.baseline_end < r.as_of THEN r.as_of
           END AS expected_end,
           CASE WHEN r.status = 'cancelled' OR r.cost_reporting_status <> 'reported' THEN NULL
                WHEN r.status = 'completed' THEN r.actual_cost
                ELSE r.forecast_cost
           END AS expected_cost
    FROM reports r
),
variances AS (
    SELECT pl.*,
           {_COST} AS cost_variance,
           {_COST_ORIGINAL} AS cost_variance_original,
           {_SCHEDULE} AS schedule_variance,
           {_SCHEDULE_ORIGINAL} AS schedule_variance_original
    FROM planned pl
),
bands AS (
    SELECT v.*,
           {_band("v.cost_variance")} AS cost_band,
           {_band("v.schedule_variance")} AS schedule_band,
           {_band("v.cost_variance_original")} AS cost_band_original,
           {_band("v.schedule_variance_original")} AS schedule_band_original
    FROM variances v
),
facts AS (
    SELECT b.*,
           CASE WHEN b.status = 'cancelled' THEN NULL ELSE {_WORST} END AS computed_light,
           CASE WHEN b.status = 'cancelled' THEN NULL ELSE {_WORST_ORIGINAL} END
               AS computed_light_original,
           b.status NOT IN ('completed', 'cancelled')
               AND (b.forecast_end < b.as_of OR b.baseline_end < b.as_of) AS overdue,
           coalesce(b.baseline_end <> b.original_end, FALSE)
               OR coalesce(b.budget <> b.original_budget, FALSE) AS rebaselined,
           coalesce(b.baseline_end <> b.previous_baseline_end, FALSE)
               OR coalesce(b.budget <> b.previous_budget, FALSE) AS rebaselined_since_previous,
           date_diff('day', b.previous_forecast_end, b.forecast_end) AS forecast_slip_days,
           date_diff('day', b.baseline_end, b.forecast_end) AS end_slip_days
    FROM bands b
),
flagged AS (
    SELECT f.*,
           coalesce({_COMPUTED_RANK} > {_SELF_RANK}, FALSE) AS self_better_than_computed,
           coalesce(f.computed_light <> f.traffic_light, FALSE) AS light_mismatch,
           f.traffic_light = 'green' AND coalesce(f.computed_light = 'red', FALSE)
               AS self_green_computed_red,
           f.traffic_light = 'green' AND coalesce(f.computed_light_original = 'red', FALSE)
               AS self_green_computed_red_original,
           {_SELECTED} AS selected
    FROM facts f CROSS JOIN sel
)
"""  # noqa: S608 - fixed SQL, values bound


def facts_params(
    *, include_unpublished: bool, selection: Selection | None, today: date | None
) -> list[object]:
    return [
        "projects",
        include_unpublished,
        *(selection or ALL).params(today=resolve_today(today)),
    ]


def facts_query(select: str) -> str:
    """``WITH <facts> <select>``: ``select`` reads ``flagged`` (filter on ``selected``)."""
    return f"WITH {FACTS_CTE} {select}"


PROJECT_COLUMNS = """
    period_id, authority_id, short_name, authority_name, authority_kind, project_id, title,
    programme, topic_area, status, phase, traffic_light, traffic_light_reason, computed_light,
    computed_light_original, cost_band, schedule_band, cost_band_original,
    schedule_band_original, cost_variance, schedule_variance, cost_variance_original,
    schedule_variance_original, planned_start, actual_start, baseline_end, original_end,
    original_end_derived, forecast_end, actual_end, expected_end, budget, original_budget,
    original_budget_derived, forecast_cost, actual_cost, expected_cost, cost_reporting_status,
    progress_pct, overdue, rebaselined, rebaselined_since_previous, forecast_slip_days,
    end_slip_days,
    light_mismatch, self_better_than_computed, self_green_computed_red,
    self_green_computed_red_original, previous_period, previous_light, previous_forecast_end,
    first_period, as_of, submitted_at, review_status, leika_keys
"""


# Functions whose filter selection applies to a selection-independent frame: name → (the
# frame's function, the function applying a selection to it). ``ui.data.load`` caches the
# frame once per data version, period and publication state and each selection's result on
# its own, so a new filter does not run the window functions over all reports again.
SELECTION_SPLIT: dict[str, tuple[str, str]] = {
    "project_variance": ("period_facts", "project_variance_of"),
    "light_comparison": ("period_facts", "light_comparison_of"),
}

_PERIOD_FACTS_SQL = facts_query(
    f"SELECT {PROJECT_COLUMNS} FROM flagged WHERE period_id = ? "  # noqa: S608 - fixed columns
    "ORDER BY short_name, project_id"
)
_SELECTION_COLUMNS = {
    "authority_kinds": "authority_kind",
    "authorities": "authority_id",
    "programmes": "programme",
    "topic_areas": "topic_area",
    "statuses": "status",
    "lights": "traffic_light",
}


def period_facts(
    cur: duckdb.DuckDBPyConnection,
    *,
    period: str,
    today: date | None = None,
    include_unpublished: bool = False,
) -> pd.DataFrame:
    """Every project of the period with variances, lights and flags, unfiltered, ordered by
    authority and project id: the frame the selection-taking functions filter.

    The window functions behind it run over all reports of all periods (≈ 40 ms at berlin
    scale); they do not depend on the filters, so this is computed once per data version and
    period and every filter selection is applied to the finished rows (:func:`selected`)."""
    params = facts_params(include_unpublished=include_unpublished, selection=None, today=today)
    return cur.execute(_PERIOD_FACTS_SQL, [*params, period]).df()


def selected(facts: pd.DataFrame, selection: Selection | None) -> pd.DataFrame:
    """The rows of ``facts`` the selection chooses (the same rule as ``selected`` in SQL: an
    empty filter chooses all, a missing value never matches a filter), typed as DuckDB types
    a query result of just these rows."""
    selection = selection or ALL
    mask = pd.Series(True, index=facts.index)
    for name, column in _SELECTION_COLUMNS.items():
        wanted = getattr(selection, name)
        if wanted:
            mask &= facts[column].isin(wanted).to_numpy(dtype=bool, na_value=False)
    return as_queried(facts.loc[mask])


def as_queried(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with a fresh index and the dtypes DuckDB gives a result holding exactly these
    rows: nullable booleans and integers only where a value is missing (DuckDB returns
    ``bool``/``int64`` for a column without NULLs, ``boolean``/``Int64`` otherwise), and text
    columns without any value as ``object`` holding ``None`` (DuckDB's type for them)."""
    frame = frame.reset_index(drop=True)
    for column in frame.columns:
        dtype = frame[column].dtype
        if isinstance(dtype, pd.StringDtype):
            if not frame[column].notna().any():
                frame[column] = pd.Series([None] * len(frame), dtype=object)
            continue
        if not pd.api.types.is_extension_array_dtype(dtype):
            continue
        if pd.api.types.is_bool_dtype(dtype) or pd.api.types.is_integer_dtype(dtype):
            if not frame[column].isna().any():
                frame[column] = frame[column].to_numpy(dtype=dtype.numpy_dtype)
    return frame


def project_variance(
    cur: duckdb.DuckDBPyConnection,
    *,
    period: str,
    today: date | None = None,
    include_unpublished: bool = False,
    selection: Selection | None = None,
) -> pd.DataFrame:
    """One row per selected project of the period, with variances, lights and flags."""
    facts = period_facts(cur, period=period, today=today, include_unpublished=include_unpublished)
    return project_variance_of(facts, selection=selection)


def project_variance_of(facts: pd.DataFrame, *, selection: Selection | None = None) -> pd.DataFrame:
    """:func:`project_variance` over :func:`period_facts`."""
    return selected(facts, selection)


_GRID_LIGHTS = ("green", "yellow", "red")
_GRID_COMPUTED = ("green", "yellow", "red", "none")


def light_comparison(
    cur: duckdb.DuckDBPyConnection,
    *,
    period: str,
    today: date | None = None,
    include_unpublished: bool = False,
    selection: Selection | None = None,
    baseline: str = "current",
) -> pd.DataFrame:
    """Self-assessed × computed light: every combination (zeros included), with counts and
    whether the computed light is worse than the reported one.

    ``baseline`` is ``current`` or ``original``; a missing computed light is ``none``.
    """
    facts = period_facts(cur, period=period, today=today, include_unpublished=include_unpublished)
    return light_comparison_of(facts, selection=selection, baseline=baseline)


def light_comparison_of(
    facts: pd.DataFrame, *, selection: Selection | None = None, baseline: str = "current"
) -> pd.DataFrame:
    """:func:`light_comparison` over :func:`period_facts`."""
    if baseline not in ("current", "original"):
        raise ValueError(f"unknown baseline: {baseline}")
    computed = "computed_light" if baseline == "current" else "computed_light_original"
    rows = selected(facts, selection)
    counts = (
        pd.DataFrame(
            {
                "traffic_light": rows["traffic_light"],
                "computed": rows[computed].astype(object).where(rows[computed].notna(), "none"),
            }
        )
        .groupby(["traffic_light", "computed"], dropna=True)
        .size()
        .to_dict()
    )
    order = {light: n for n, light in enumerate(_GRID_LIGHTS)}
    grid = [(light, c) for light in _GRID_LIGHTS for c in _GRID_COMPUTED]
    return pd.DataFrame(
        {
            "traffic_light": [light for light, _ in grid],
            "computed": [c for _, c in grid],
            "projects": pd.Series([counts.get(cell, 0) for cell in grid], dtype="int64"),
            "computed_worse": pd.Series(
                [c != "none" and order[c] > order[light] for light, c in grid], dtype=bool
            ),
        }
    )
