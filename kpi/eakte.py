"""E-Akte rollout: workplaces live ÷ workplaces in scope, per authority and overall, the
status of every authority, the trend over the periods and a forecast of the completion date
against the target date (setting ``eakte_target_date``).

The current E-Akte status of an authority for a period is its latest submission of kind
``eakte`` for that period (published only unless asked otherwise). The overall share is
weighted: Σ workplaces live ÷ Σ workplaces in scope, never a mean of the authorities' shares.
Comparisons between periods are like for like: the previous period is summed over the same
authorities that reported in the selected one, so an authority reporting late does not move
the trend.
"""

from __future__ import annotations

import math
from datetime import date, timedelta

import duckdb
import pandas as pd

from kpi.common import CURRENT_SUBMISSIONS
from kpi.selection import SELECTION_CTE, Selection, authority_condition, resolve_today

STATUS_ORDER = ("planned", "pilot", "rollout", "productive")
FORECAST_WINDOW = 4  # periods the trend line is fitted over
# A straight line through a nearly flat trend reaches 100 % only in decades or centuries
# (13.08.2226 for +0,02 Pp. per quarter); such a date says nothing. Beyond this many years
# after the target date the forecast is "nicht absehbar" instead of a date.
FORECAST_HORIZON_YEARS = 10
_EPOCH = date(2000, 1, 1)

RULES: dict[str, str] = {
    "share": (
        "E-Akte-Quote = Arbeitsplätze mit E-Akte ÷ Arbeitsplätze im Geltungsbereich; über "
        "mehrere Behörden gewichtet (Summe ÷ Summe)."
    ),
    "delta": (
        "Veränderung gegenüber der Vorperiode, gerechnet über dieselben Behörden (die in "
        "beiden Perioden gemeldet haben)."
    ),
    "forecast": (
        "Prognose: Zuwachs der Quote je Tag als lineare Regression über die letzten "
        f"{FORECAST_WINDOW} Perioden (Stichtag = Periodenende), von der aktuellen Quote aus "
        "fortgeschrieben bis 100 %. Behörden ohne Meldung in der gewählten Periode zählen "
        "nicht mit. „Nicht absehbar“ statt eines Datums, wenn die Quote im Trend nicht steigt "
        f"oder 100 % erst mehr als {FORECAST_HORIZON_YEARS} Jahre nach dem Zieltermin "
        "erreicht würden (zu langsamer Fortschritt für eine belastbare Prognose)."
    ),
    "golive_overdue": (
        "Go-Live überfällig: geplanter Go-Live vor dem Ende der Periode, Status noch nicht "
        "„produktiv“."
    ),
}

# How each outlook reads where a date would stand (card, table, export).
FORECAST_LABELS: dict[str, str] = {
    "complete": "erreicht",
    "no_progress": "nicht absehbar (kein Fortschritt)",
    "beyond_horizon": (
        f"nicht absehbar (mehr als {FORECAST_HORIZON_YEARS} Jahre nach dem Zieltermin)"
    ),
    "insufficient": "zu wenig Daten",
    "no_data": "–",
}


def forecast_label(outlook: str, forecast_date: date | None) -> str:
    """The forecast as one German text: the date (``31.12.2027``) or why there is none."""
    if outlook == "date" and forecast_date is not None:
        return forecast_date.strftime("%d.%m.%Y")
    return FORECAST_LABELS.get(outlook, "–")


def horizon_date(target: date) -> date:
    """The last date still shown as a forecast: ``FORECAST_HORIZON_YEARS`` after the target."""
    try:
        return target.replace(year=target.year + FORECAST_HORIZON_YEARS)
    except ValueError:  # 29 February
        return target.replace(year=target.year + FORECAST_HORIZON_YEARS, day=28)


_ROWS = f"""
{CURRENT_SUBMISSIONS},
{SELECTION_CTE},
rows AS (
    SELECT cs.period_id, cs.authority_id, cs.submitted_at, cs.review_status,
           a.short_name, a.name AS authority_name, a.kind AS authority_kind,
           rp.end_date AS period_end,
           e.status, e.golive_planned, e.golive_actual, e.workplaces_in_scope,
           e.workplaces_live, e.accounts, e.active_users, e.legacy_migrated_pct, e.remarks
    FROM eakte_status e
    JOIN current_submission cs ON cs.id = e.submission_id
    JOIN authority a ON a.id = cs.authority_id
    JOIN reporting_period rp ON rp.id = cs.period_id
    CROSS JOIN sel
    WHERE {authority_condition(kind="a.kind", authority="a.id")}
)
"""  # noqa: S608 - fixed SQL, values bound


def _params(include_unpublished: bool, selection: Selection | None) -> list[object]:
    return [
        "eakte",
        include_unpublished,
        *(selection or Selection()).params(today=resolve_today(None)),
    ]


def eakte_by_authority(
    cur: duckdb.DuckDBPyConnection,
    *,
    period: str,
    include_unpublished: bool = False,
    selection: Selection | None = None,
) -> pd.DataFrame:
    """Every authority that has reported its E-Akte status up to the period: this period's
    figures (empty if it did not report), its share and the change since its previous report.
    """
    sql = f"""
    WITH {_ROWS},
    known AS (
        SELECT authority_id, any_value(short_name) AS short_name,
               any_value(authority_kind) AS authority_kind,
               max(period_id) AS latest_period
        FROM rows WHERE period_id <= ? GROUP BY authority_id
    ),
    previous AS (
        SELECT authority_id, arg_max(period_id, period_id) AS previous_period,
               arg_max(workplaces_live, period_id) AS previous_live,
               arg_max(workplaces_in_scope, period_id) AS previous_in_scope
        FROM rows WHERE period_id < ? GROUP BY authority_id
    )
    SELECT k.authority_id, k.short_name, k.authority_kind,
           r.period_id IS NOT NULL AS reported, k.latest_period,
           r.status, r.golive_planned, r.golive_actual,
           r.workplaces_in_scope, r.workplaces_live, r.accounts, r.active_users,
           r.legacy_migrated_pct, r.submitted_at,
           CAST(r.workplaces_live AS DOUBLE) / nullif(r.workplaces_in_scope, 0) AS share,
           p.previous_period, p.previous_live,
           CAST(p.previous_live AS DOUBLE) / nullif(p.previous_in_scope, 0) AS previous_share,
           coalesce(r.status <> 'productive' AND r.golive_planned <= rp.end_date, FALSE)
               AS golive_overdue
    FROM known k
    LEFT JOIN rows r ON r.authority_id = k.authority_id AND r.period_id = ?
    LEFT JOIN previous p ON p.authority_id = k.authority_id
    LEFT JOIN reporting_period rp ON rp.id = ?
    ORDER BY reported DESC, share DESC NULLS LAST, k.short_name
    """  # noqa: S608 - fixed SQL, values bound
    frame = cur.execute(
        sql, [*_params(include_unpublished, selection), period, period, period, period]
    ).df()
    frame["share_delta"] = frame["share"] - frame["previous_share"]
    return frame


def eakte_trend(
    cur: duckdb.DuckDBPyConnection,
    *,
    include_unpublished: bool = False,
    selection: Selection | None = None,
    cohort_period: str | None = None,
) -> pd.DataFrame:
    """Per period (oldest first): authorities reporting, Σ live, Σ in scope, the weighted share
    and its change against the previous period, and the authorities per status.

    With ``cohort_period`` only the authorities that reported in that period are counted in
    every period (like for like)."""
    sql = f"""
    WITH {_ROWS},
    cohort AS (SELECT DISTINCT authority_id FROM rows WHERE period_id = ?)
    SELECT period_id, any_value(period_end) AS period_end, count(*) AS authorities,
           sum(workplaces_live)::BIGINT AS workplaces_live,
           sum(workplaces_in_scope)::BIGINT AS workplaces_in_scope,
           sum(workplaces_live)::DOUBLE / nullif(sum(workplaces_in_scope), 0) AS share,
           sum(active_users)::BIGINT AS active_users,
           count(*) FILTER (WHERE status = 'planned') AS planned,
           count(*) FILTER (WHERE status = 'pilot') AS pilot,
           count(*) FILTER (WHERE status = 'rollout') AS rollout,
           count(*) FILTER (WHERE status = 'productive') AS productive
    FROM rows
    WHERE ?::VARCHAR IS NULL OR authority_id IN (SELECT authority_id FROM cohort)
    GROUP BY period_id ORDER BY period_id
    """  # noqa: S608 - fixed SQL, values bound
    frame = cur.execute(
        sql, [*_params(include_unpublished, selection), cohort_period, cohort_period]
    ).df()
    frame["share_delta"] = frame["share"].diff()
    return frame


def eakte_summary(
    cur: duckdb.DuckDBPyConnection,
    *,
    period: str,
    include_unpublished: bool = False,
    selection: Selection | None = None,
) -> dict[str, object]:
    """Overall figures of the period and, like for like, of the previous period."""
    trend = eakte_trend(
        cur, include_unpublished=include_unpublished, selection=selection, cohort_period=period
    )
    return summary_from_trend(trend, period=period)


def summary_from_trend(trend: pd.DataFrame, *, period: str) -> dict[str, object]:
    """:func:`eakte_summary` from an :func:`eakte_trend` of the period's cohort."""
    current = trend[trend["period_id"] == period]
    earlier = trend[trend["period_id"] < period]
    status_counts = {s: 0 for s in STATUS_ORDER}
    if current.empty:
        return {
            "period": period,
            "authorities": 0,
            "workplaces_live": 0,
            "workplaces_in_scope": 0,
            "share": None,
            "previous_period": None,
            "previous_share": None,
            "share_delta": None,
            "active_users": 0,
            "status": status_counts,
        }
    row = current.iloc[0]
    previous = earlier.iloc[-1] if not earlier.empty else None
    share = None if pd.isna(row["share"]) else float(row["share"])
    previous_share = (
        None if previous is None or pd.isna(previous["share"]) else float(previous["share"])
    )
    for status in STATUS_ORDER:
        status_counts[status] = int(row[status])
    return {
        "period": period,
        "authorities": int(row["authorities"]),
        "workplaces_live": int(row["workplaces_live"]),
        "workplaces_in_scope": int(row["workplaces_in_scope"]),
        "share": share,
        "previous_period": None if previous is None else str(previous["period_id"]),
        "previous_share": previous_share,
        "share_delta": (
            None if share is None or previous_share is None else share - previous_share
        ),
        "active_users": int(row["active_users"]) if not pd.isna(row["active_users"]) else 0,
        "status": status_counts,
    }


def _slope(ends: pd.Series, shares: pd.Series) -> float | None:
    """Least-squares slope of share over days (the same as SQL ``regr_slope``)."""
    days = (pd.to_datetime(ends) - pd.Timestamp(_EPOCH)).dt.days.astype("float64")
    spread = ((days - days.mean()) ** 2).sum()
    if spread == 0:
        return None
    return float(((days - days.mean()) * (shares - shares.mean())).sum() / spread)


def _forecast(
    *,
    share: float | None,
    as_of: date | None,
    slope_per_day: float | None,
    points: int,
    target: date,
) -> dict[str, object]:
    """Completion date by extrapolating from the current share with the fitted slope."""
    result: dict[str, object] = {
        "share": share,
        "as_of": as_of,
        "points": points,
        "slope_per_day": slope_per_day,
        "slope_per_quarter": None if slope_per_day is None else slope_per_day * 91.3125,
        "target_date": target,
        "forecast_date": None,
        "on_track": None,
        "required_per_quarter": None,
        "state": "insufficient",
    }
    if share is None or as_of is None:
        result.update(state="no_data", outlook="no_data", label=forecast_label("no_data", None))
        return result
    days_left = (target - as_of).days
    if share < 1:
        result["required_per_quarter"] = (
            (1 - share) / (days_left / 91.3125) if days_left > 0 else math.inf
        )
    if share >= 1:
        result.update(state="complete", forecast_date=as_of, on_track=True)
    elif points < 2 or slope_per_day is None or math.isnan(slope_per_day):
        result["state"] = "insufficient"
    elif slope_per_day <= 0:
        result.update(state="no_progress", on_track=False)
    else:
        days = math.ceil((1 - share) / slope_per_day)
        forecast = as_of + timedelta(days=min(days, 365 * 200))
        result.update(state="forecast", forecast_date=forecast, on_track=forecast <= target)
        # The plain extrapolation stays in forecast_date (the recommendation rule compares it
        # with the target); past the horizon it is no date anyone should read.
        beyond = days > (horizon_date(target) - as_of).days
        result["outlook"] = "beyond_horizon" if beyond else "date"
    result.setdefault("outlook", result["state"])
    found = result["forecast_date"]
    result["label"] = forecast_label(
        str(result["outlook"]), found if isinstance(found, date) else None
    )
    return result


def eakte_forecast(
    cur: duckdb.DuckDBPyConnection,
    *,
    period: str,
    target_date: date,
    include_unpublished: bool = False,
    selection: Selection | None = None,
    window: int = FORECAST_WINDOW,
) -> dict[str, object]:
    """When the whole rollout reaches 100 % if the trend of the last ``window`` periods holds.

    ``state``: ``forecast`` (``forecast_date``, ``on_track``), ``complete``, ``no_progress``
    (the trend does not rise), ``insufficient`` (fewer than two periods), ``no_data``.

    ``outlook`` says what may be shown: ``date`` (the forecast date), ``beyond_horizon`` (the
    trend rises so slowly that 100 % would come more than ``FORECAST_HORIZON_YEARS`` after
    the target: "nicht absehbar", whatever ``forecast_date`` holds), or the state itself.
    ``label`` is the German text for card, table and export (:func:`forecast_label`)."""
    trend = eakte_trend(
        cur, include_unpublished=include_unpublished, selection=selection, cohort_period=period
    )
    points = trend[trend["period_id"] <= period].tail(window).dropna(subset=["share"])
    slope = _slope(points["period_end"], points["share"]) if len(points) >= 2 else None
    last = trend[trend["period_id"] == period]
    share = None if last.empty or pd.isna(last["share"].iloc[0]) else float(last["share"].iloc[0])
    as_of = None if last.empty else pd.Timestamp(last["period_end"].iloc[0]).date()
    result = _forecast(
        share=share, as_of=as_of, slope_per_day=slope, points=len(points), target=target_date
    )
    result["period"] = period
    return result


def eakte_forecast_by_authority(
    cur: duckdb.DuckDBPyConnection,
    *,
    period: str,
    target_date: date,
    include_unpublished: bool = False,
    selection: Selection | None = None,
    window: int = FORECAST_WINDOW,
) -> pd.DataFrame:
    """The forecast of :func:`eakte_forecast` for every authority that reported in the period,
    each from its own last ``window`` reports."""
    sql = f"""
    WITH {_ROWS},
    numbered AS (
        SELECT r.*, row_number() OVER (
                   PARTITION BY authority_id ORDER BY period_id DESC) AS back
        FROM rows r WHERE period_id <= ?
    ),
    fitted AS (
        SELECT authority_id,
               regr_slope(CAST(workplaces_live AS DOUBLE) / nullif(workplaces_in_scope, 0),
                          date_diff('day', ?::DATE, period_end)) AS slope,
               count(*) AS points
        FROM numbered WHERE back <= ? GROUP BY authority_id
    )
    SELECT r.authority_id, r.short_name, r.authority_kind, r.status, r.period_end,
           CAST(r.workplaces_live AS DOUBLE) / nullif(r.workplaces_in_scope, 0) AS share,
           f.slope, f.points
    FROM rows r JOIN fitted f USING (authority_id)
    WHERE r.period_id = ?
    ORDER BY r.short_name
    """  # noqa: S608 - fixed SQL, values bound
    frame = cur.execute(
        sql, [*_params(include_unpublished, selection), period, _EPOCH, window, period]
    ).df()
    rows = []
    for record in frame.itertuples(index=False):
        share = None if pd.isna(record.share) else float(record.share)
        slope = None if pd.isna(record.slope) else float(record.slope)
        forecast = _forecast(
            share=share,
            as_of=pd.Timestamp(record.period_end).date(),
            slope_per_day=slope,
            points=int(record.points),
            target=target_date,
        )
        rows.append(
            {
                "authority_id": record.authority_id,
                "short_name": record.short_name,
                "authority_kind": record.authority_kind,
                "status": record.status,
                "share": share,
                "slope_per_quarter": forecast["slope_per_quarter"],
                "forecast_date": forecast["forecast_date"],
                "on_track": forecast["on_track"],
                "state": forecast["state"],
                "outlook": forecast["outlook"],
                "forecast_label": forecast["label"],
                "points": int(record.points),
            }
        )
    columns = [
        "authority_id",
        "short_name",
        "authority_kind",
        "status",
        "share",
        "slope_per_quarter",
        "forecast_date",
        "on_track",
        "state",
        "outlook",
        "forecast_label",
        "points",
    ]
    return pd.DataFrame(rows, columns=columns)
