"""E-Akte: rollout progress per authority and overall, the trend and the forecast of the
completion date against the target date."""

from __future__ import annotations

from datetime import timedelta

import pandas as pd
import streamlit as st

from data.reference import AUTHORITY_KIND_LABELS
from kpi.eakte import (
    FORECAST_HORIZON_YEARS,
    RULES,
    eakte_by_authority,
    eakte_forecast,
    eakte_forecast_by_authority,
    eakte_summary,
    eakte_trend,
)
from loaders.eakte import EAKTE_STATUS_LABELS
from store.settings import get_settings
from ui import charts
from ui import format as fmt
from ui.data import load
from ui.export import context_filters, page_as_of, table_downloads
from ui.filters import caption, render
from ui.page_guard import guard_page

guard_page(__file__)
st.title("E-Akte")
ctx = st.session_state["ctx"]
if ctx.period is None:
    st.info("Noch keine Meldungen vorhanden.")
    st.stop()

filters = render(project_filters=False)
target = get_settings().eakte_target_date
args = {
    "period": ctx.period,
    "include_unpublished": ctx.include_unpublished,
    "selection": filters.selection,
}
st.caption(f"Berichtsperiode {ctx.period} · Zieltermin {fmt.date(target)}")
caption(filters)

summary = load(eakte_summary, **args)
if summary["authorities"] == 0:
    st.info(
        f"Für {ctx.period} liegt in dieser Auswahl kein E-Akte-Stand vor. Die Behörden melden "
        "ihn mit der Meldungsart „E-Akte-Stand“ (Seite „Daten einreichen“ oder "
        "`python -m loaders ingest DATEI --kind eakte`); Sammeldateien mehrerer Behörden "
        "spielt die Datenverantwortung mit `python -m loaders.eakte DATEI --period …` ein. "
        "Sonst die Filter in der Seitenleiste lockern.",
        icon=":material/search_off:",
    )
    st.stop()

page_as_of(kinds=("eakte",), selection=filters.selection)  # Datenstand of the exports
forecast = load(eakte_forecast, target_date=target, **args)
authorities = load(eakte_by_authority, **args)
overdue = int(authorities["golive_overdue"].sum())

# Two rows: five cards in one row cut off the forecast date and the longer labels.
top, bottom = st.columns(3), st.columns(2)
cards = [top[0], top[1], bottom[0], top[2], bottom[1]]
cards[0].metric(
    "E-Akte-Quote",
    fmt.percent(summary["share"]),
    delta=charts.delta_text(summary["share_delta"], kind="share"),
    help=f"{RULES['share']} {RULES['delta']}"
    + (
        f" Vorperiode {summary['previous_period']}: {fmt.percent(summary['previous_share'])}."
        if summary["previous_period"]
        else ""
    ),
    border=True,
)
cards[1].metric(
    "Arbeitsplätze mit E-Akte",
    fmt.number(summary["workplaces_live"]),
    help=f"Von {fmt.number(summary['workplaces_in_scope'])} Arbeitsplätzen im "
    f"Geltungsbereich der {summary['authorities']} Behörden mit Meldung für {ctx.period}.",
    border=True,
)
cards[2].metric(
    "Behörden mit Meldung",
    fmt.number(summary["authorities"]),
    help="Behörden mit E-Akte-Stand für die Periode; "
    f"{fmt.number(int((~authorities['reported']).sum()))} weitere haben früher gemeldet.",
    border=True,
)
cards[3].metric(
    "Prognose 100 %",
    forecast["label"],
    delta=None
    if forecast["on_track"] is None
    else ("im Plan" if forecast["on_track"] else "nach dem Zieltermin"),
    delta_color="normal" if forecast["on_track"] else "inverse",
    delta_arrow="off",
    help=RULES["forecast"]
    + f" Zieltermin {fmt.date(target)} (Einstellung DASHBOARD_EAKTE_TARGET_DATE).",
    border=True,
)
cards[4].metric(
    "Go-Live überfällig",
    fmt.number(overdue),
    help=RULES["golive_overdue"],
    border=True,
)

outlook = forecast["outlook"]
if outlook == "date":
    pace = fmt.number(forecast["slope_per_quarter"] * 100, decimals=1)
    needed = forecast["required_per_quarter"]
    message = (
        f"Bei gleichbleibendem Tempo (+{pace} Prozentpunkte je Quartal) arbeiten alle "
        f"Arbeitsplätze am {fmt.date(forecast['forecast_date'])} mit der E-Akte"
    )
    if forecast["on_track"]:
        st.success(message + f" – vor dem Zieltermin {fmt.date(target)}.", icon=":material/check:")
    else:
        months = (forecast["forecast_date"] - target).days / 30.44
        st.warning(
            message
            + f" – rund {fmt.number(months)} Monate nach dem Zieltermin {fmt.date(target)}. "
            + (
                f"Nötig wären +{fmt.number(needed * 100, decimals=1)} Prozentpunkte je Quartal."
                if needed is not None and needed != float("inf")
                else "Der Zieltermin ist bereits verstrichen."
            ),
            icon=":material/warning:",
        )
elif outlook == "no_progress":
    st.warning(
        "Die Quote steigt im Trend der letzten Perioden nicht; ein Abschlussdatum ist nicht "
        "absehbar.",
        icon=":material/warning:",
    )
elif outlook == "beyond_horizon":
    pace = fmt.number(forecast["slope_per_quarter"] * 100, decimals=1)
    st.warning(
        f"Die Quote steigt nur um +{pace} Prozentpunkte je Quartal; so würden 100 % erst mehr "
        f"als {FORECAST_HORIZON_YEARS} Jahre nach dem Zieltermin {fmt.date(target)} erreicht. "
        "Ein Abschlussdatum ist nicht absehbar."
        + (
            f" Nötig wären +{fmt.number(forecast['required_per_quarter'] * 100, decimals=1)} "
            "Prozentpunkte je Quartal."
            if forecast["required_per_quarter"] not in (None, float("inf"))
            else ""
        ),
        icon=":material/warning:",
    )

# --- Trend and forecast ----------------------------------------------------------------------
st.header("Verlauf und Prognose")
trend = load(
    eakte_trend,
    include_unpublished=ctx.include_unpublished,
    selection=filters.selection,
    cohort_period=ctx.period,
)
trend = trend[trend["period_id"] <= ctx.period]
history = pd.DataFrame(
    {
        "date": pd.to_datetime(trend["period_end"]),
        "share": trend["share"],
        "period": trend["period_id"],
    }
)
projection = pd.DataFrame(columns=["date", "share", "label"])
if outlook == "date" and forecast["as_of"] is not None:
    end = min(forecast["forecast_date"], forecast["as_of"] + timedelta(days=365 * 12))
    share_end = forecast["share"] + forecast["slope_per_day"] * (end - forecast["as_of"]).days
    projection = pd.DataFrame(
        {
            "date": pd.to_datetime([forecast["as_of"], end]),
            "share": [forecast["share"], min(share_end, 1.0)],
            "label": ["Stand", "Prognose"],
        }
    )
trend_table = pd.DataFrame(
    {
        "Periode": trend["period_id"],
        "Behörden": trend["authorities"],
        "Arbeitsplätze": trend["workplaces_in_scope"],
        "mit E-Akte": trend["workplaces_live"],
        "Quote in %": (trend["share"] * 100).round(1),
        "Veränderung in Pp.": (trend["share_delta"] * 100).round(1),
    }
)
charts.show(
    charts.spec(
        charts.forecast_chart, history, projection=projection, target_date=pd.Timestamp(target)
    ),
    trend_table,
    column_config={
        "Behörden": charts.COUNT,
        "Arbeitsplätze": charts.COUNT,
        "mit E-Akte": charts.COUNT,
        "Quote in %": charts.COUNT,
        "Veränderung in Pp.": charts.COUNT,
    },
    title="E-Akte Trend und Prognose",
)
st.caption(
    f"Gezählt über die {summary['authorities']} Behörden mit Meldung für {ctx.period} "
    "(in jeder Periode dieselben), damit eine verspätete Meldung den Verlauf nicht verzerrt. "
    + RULES["forecast"]
)

# --- Per authority ---------------------------------------------------------------------------
st.header("Stand je Behörde")
per_authority = load(eakte_forecast_by_authority, target_date=target, **args)
reported = authorities[authorities["reported"]].merge(
    per_authority[["authority_id", "forecast_label", "on_track"]],
    on="authority_id",
    how="left",
)
bars = pd.DataFrame(
    {
        "Behörde": reported["short_name"],
        "Quote in %": (reported["share"] * 100).round(1),
    }
)
table = pd.DataFrame(
    {
        "Behörde": reported["short_name"],
        "Art": reported["authority_kind"].map(AUTHORITY_KIND_LABELS),
        "Status": reported["status"].map(EAKTE_STATUS_LABELS),
        "Quote in %": (reported["share"] * 100).round(1),
        "Veränderung in Pp.": (reported["share_delta"] * 100).round(1),
        "mit E-Akte": reported["workplaces_live"],
        "Arbeitsplätze": reported["workplaces_in_scope"],
        "aktive Nutzer": reported["active_users"],
        "Go-Live geplant": reported["golive_planned"],
        "Go-Live ist": reported["golive_actual"],
        "Go-Live überfällig": reported["golive_overdue"].map({True: "⚠ ja", False: ""}),
        "Prognose 100 %": reported["forecast_label"].fillna("–"),
        "bis Zieltermin": reported["on_track"].map({True: "✅ ja", False: "❌ nein"}),
    }
)
left, right = st.columns([2, 3])
charts.chart(
    charts.spec(
        charts.bar,
        bars,
        category="Behörde",
        value="Quote in %",
        value_title="Arbeitsplätze mit E-Akte in %",
        value_format=",.1f",
        axis_format=",d",
    ),
    container=left,
    title="E-Akte Quote nach Behörde",
)
right.dataframe(
    table,
    hide_index=True,
    width="stretch",
    column_config={
        "Quote in %": st.column_config.NumberColumn(format="localized", help=RULES["share"]),
        "Veränderung in Pp.": st.column_config.NumberColumn(
            format="localized", help="Gegenüber der vorigen Meldung der Behörde."
        ),
        "mit E-Akte": charts.COUNT,
        "Arbeitsplätze": charts.COUNT,
        "aktive Nutzer": charts.COUNT,
        "Go-Live geplant": charts.DATE,
        "Go-Live ist": charts.DATE,
        "Prognose 100 %": st.column_config.TextColumn(help=RULES["forecast"]),
    },
)
table_downloads(
    table,
    title=f"E-Akte je Behörde {ctx.period}",
    key="eakte_table",
    filters=context_filters(**filters.export_filters()),
)
status_counts = summary["status"]
st.caption(
    "Status: "
    + ", ".join(
        f"{EAKTE_STATUS_LABELS[s]} {fmt.number(status_counts[s])}" for s in EAKTE_STATUS_LABELS
    )
    + ". "
    + RULES["golive_overdue"]
)
missing = authorities[~authorities["reported"]]
if not missing.empty:
    st.warning(
        f"Ohne E-Akte-Stand für {ctx.period}: "
        + ", ".join(
            f"{name} (zuletzt {period})"
            for name, period in zip(missing["short_name"], missing["latest_period"], strict=True)
        ),
        icon=":material/schedule:",
    )
