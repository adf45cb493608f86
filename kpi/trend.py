"""Every portfolio KPI per reporting period, and the headline figures of one period with the
change against the previous period.

Each period is evaluated as of its own reference date (min(today, end of the period)), so an
old period keeps the figures it had; "previous period" is the newest period before the selected
one that holds any submission. Shares are weighted (sum ÷ sum).
"""

from __future__ import annotations

from datetime import date

import duckdb
import pandas as pd

from kpi.eakte import eakte_summary, eakte_trend, summary_from_trend
from kpi.portfolio import AGGREGATES
from kpi.reporting import reporting_trend
from kpi.selection import Selection
from kpi.variance import facts_params, facts_query

# Headline figures: key → (German label, how it is counted). Pages render them in this order.
HEADLINES: dict[str, tuple[str, str]] = {
    "projects": (
        "Vorhaben",
        "Vorhaben in der jeweils neuesten Meldung jeder Behörde für die Periode, nach den "
        "gewählten Filtern.",
    ),
    "active": ("davon in Umsetzung", "Status „in Umsetzung“ oder „in Neuausrichtung“."),
    "reporting_rate": (
        "Meldequote",
        "Behörden mit Vorhabenliste für die Periode ÷ Behörden, die melden sollen.",
    ),
    "overdue": (
        "überfällig",
        "Nicht abgeschlossen oder abgebrochen, Prognose-Ende oder geplantes Ende vor dem "
        "Stichtag (Ende der Periode, höchstens heute).",
    ),
    "computed_red_share": (
        "berechnet rot",
        "Anteil der Vorhaben mit berechneter Ampel rot (gegen die aktuelle Planung) an allen "
        "Vorhaben mit berechneter Ampel (Summe ÷ Summe).",
    ),
    "self_green_computed_red": (
        "selbst grün, berechnet rot",
        "Vorhaben, die die Behörde grün meldet, deren Kosten- oder Terminabweichung aber "
        "30 % oder mehr beträgt (gegen die aktuelle Planung).",
    ),
    "rebaselined": (
        "neu geplant",
        "Vorhaben, deren geplantes Ende oder Budget von der ursprünglichen Planung abweicht.",
    ),
    "budget_reported": (
        "Budget (gemeldet)",
        "Summe der Budgets mit gemeldeten Beträgen; „nicht gemeldet“ und „vertraulich“ "
        "werden nicht geschätzt.",
    ),
    "eakte_share": (
        "E-Akte-Quote",
        "Arbeitsplätze mit E-Akte ÷ Arbeitsplätze im Geltungsbereich (Summe ÷ Summe); "
        "Veränderung über dieselben Behörden wie in der Vorperiode.",
    ),
}


def portfolio_trend(
    cur: duckdb.DuckDBPyConnection,
    *,
    today: date | None = None,
    include_unpublished: bool = False,
    selection: Selection | None = None,
) -> pd.DataFrame:
    """One row per period with projects (oldest first): the portfolio aggregates, the share
    computed red, the Meldequote, and for every figure ``<name>_delta`` against the row before.
    """
    sql = facts_query(
        f"SELECT period_id, any_value(as_of) AS as_of, {AGGREGATES} FROM flagged "  # noqa: S608
        "WHERE selected GROUP BY period_id ORDER BY period_id"
    )
    params = facts_params(include_unpublished=include_unpublished, selection=selection, today=today)
    frame = cur.execute(sql, params).df()
    rates = reporting_trend(cur, include_unpublished=include_unpublished, selection=selection)
    frame = frame.merge(
        rates[["period_id", "reported", "expected", "rate"]].rename(
            columns={"rate": "reporting_rate"}
        ),
        on="period_id",
        how="left",
    )
    with_light = frame["with_computed_light"].astype("float64")
    frame["computed_red_share"] = (frame["computed_red"] / with_light).where(with_light > 0)
    frame["computed_red_original_share"] = (frame["computed_red_original"] / with_light).where(
        with_light > 0
    )
    numeric = [c for c in frame.columns if c not in ("period_id", "as_of")]
    for column in numeric:
        frame[f"{column}_delta"] = frame[column].astype("float64").diff()
    return frame


def headline(
    cur: duckdb.DuckDBPyConnection,
    *,
    period: str,
    today: date | None = None,
    include_unpublished: bool = False,
    selection: Selection | None = None,
) -> dict[str, dict[str, object]]:
    """Figures of :data:`HEADLINES` for the period: ``value``, ``previous`` (value of the
    previous period with data), ``delta`` and ``previous_period``; counts are ints, shares
    0…1, money in euros. A figure without data is None."""
    trend = portfolio_trend(
        cur, today=today, include_unpublished=include_unpublished, selection=selection
    )
    rates = reporting_trend(cur, include_unpublished=include_unpublished, selection=selection)
    eakte = eakte_summary(
        cur, period=period, include_unpublished=include_unpublished, selection=selection
    )
    return _headline(trend, rates, eakte, period=period)


def _headline(
    trend: pd.DataFrame, rates: pd.DataFrame, eakte: dict[str, object], *, period: str
) -> dict[str, dict[str, object]]:
    current = trend[trend["period_id"] == period]
    earlier = trend[trend["period_id"] < period]
    previous = earlier.iloc[-1] if not earlier.empty else None
    result: dict[str, dict[str, object]] = {}
    for key in ("projects", "active", "overdue", "self_green_computed_red", "rebaselined"):
        value = int(current[key].iloc[0]) if not current.empty else 0
        before = None if previous is None else int(previous[key])
        result[key] = _figure(value, before, previous)
    for key in ("computed_red_share", "budget_reported"):
        value = _float(current[key].iloc[0]) if not current.empty else None
        before = None if previous is None else _float(previous[key])
        result[key] = _figure(value, before, previous)
    rate_now = rates[rates["period_id"] == period]
    rate_before = rates[rates["period_id"] < period]
    result["reporting_rate"] = {
        "value": _float(rate_now["rate"].iloc[0]) if not rate_now.empty else None,
        "previous": _float(rate_before["rate"].iloc[-1]) if not rate_before.empty else None,
        "previous_period": None if rate_before.empty else str(rate_before["period_id"].iloc[-1]),
        "reported": int(rate_now["reported"].iloc[0]) if not rate_now.empty else 0,
        "expected": int(rate_now["expected"].iloc[0]) if not rate_now.empty else 0,
    }
    result["reporting_rate"]["delta"] = _delta(
        result["reporting_rate"]["value"], result["reporting_rate"]["previous"]
    )
    result["eakte_share"] = {
        "value": eakte["share"],
        "previous": eakte["previous_share"],
        "delta": eakte["share_delta"],
        "previous_period": eakte["previous_period"],
        "authorities": eakte["authorities"],
    }
    return {key: result[key] for key in HEADLINES}


def _float(value: object) -> float | None:
    return None if value is None or pd.isna(value) else float(value)  # type: ignore[arg-type]


def _delta(value: object, previous: object) -> float | None:
    if value is None or previous is None:
        return None
    return float(value) - float(previous)  # type: ignore[arg-type]


def _figure(value: object, previous: object, previous_row: pd.Series | None) -> dict[str, object]:
    return {
        "value": value,
        "previous": previous,
        "delta": _delta(value, previous),
        "previous_period": None if previous_row is None else str(previous_row["period_id"]),
    }


SPARKLINE_KEYS = (
    "projects",
    "active",
    "reporting_rate",
    "overdue",
    "computed_red_share",
    "self_green_computed_red",
    "rebaselined",
    "budget_reported",
)


def sparklines(
    cur: duckdb.DuckDBPyConnection,
    *,
    period: str,
    today: date | None = None,
    include_unpublished: bool = False,
    selection: Selection | None = None,
) -> dict[str, list[object]]:
    """The headline figures per period up to ``period`` (oldest first, ``periods`` names
    them); shares in percent (E-Akte over the authorities reporting in ``period``), None
    where a period has no value."""
    frame = portfolio_trend(
        cur, today=today, include_unpublished=include_unpublished, selection=selection
    )
    eakte = eakte_trend(
        cur, include_unpublished=include_unpublished, selection=selection, cohort_period=period
    )
    return _lines(frame, eakte, period=period)


def _lines(frame: pd.DataFrame, eakte: pd.DataFrame, *, period: str) -> dict[str, list[object]]:
    frame = frame[frame["period_id"] <= period]
    lines: dict[str, list[object]] = {"periods": list(frame["period_id"])}
    for key in SPARKLINE_KEYS:
        values = frame[key].astype("float64")
        if key.endswith("share") or key == "reporting_rate":
            values = values * 100
        lines[key] = [None if pd.isna(v) else round(float(v), 2) for v in values]
    shares = dict(zip(eakte["period_id"], eakte["share"], strict=True))
    lines["eakte_share"] = [
        None if pd.isna(shares.get(p)) else round(float(shares[p]) * 100, 2)
        for p in lines["periods"]
    ]
    return lines


def overview_cards(
    cur: duckdb.DuckDBPyConnection,
    *,
    period: str,
    today: date | None = None,
    include_unpublished: bool = False,
    selection: Selection | None = None,
) -> dict[str, dict[str, object]]:
    """:func:`headline` (``figures``) and :func:`sparklines` (``lines``) from one pass over
    the periods: the overview needs both, and the trend is the expensive part."""
    trend = portfolio_trend(
        cur, today=today, include_unpublished=include_unpublished, selection=selection
    )
    cohort = eakte_trend(
        cur, include_unpublished=include_unpublished, selection=selection, cohort_period=period
    )
    eakte = summary_from_trend(cohort, period=period)
    rates = reporting_trend(cur, include_unpublished=include_unpublished, selection=selection)
    return {
        "figures": _headline(trend, rates, eakte, period=period),
        "lines": _lines(trend, cohort, period=period),
    }
