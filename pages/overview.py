"""Übersicht: headline figures of the selected period."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from kpi.overview import headline, projects_by_status, reporting_status
from loaders.enums import STATUS_LABELS
from ui import format as fmt
from ui.data import load

st.title("Übersicht")
ctx = st.session_state["ctx"]

if ctx.period is None:
    st.info(
        "Noch keine Meldungen vorhanden. Laden Sie eine Vorhabenliste über "
        "`python -m loaders ingest` oder die Seite „Daten einreichen“ hoch."
    )
    st.stop()

args = {"period": ctx.period, "include_unpublished": ctx.include_unpublished}
figures = load(headline, **args)
st.caption(f"Berichtsperiode {ctx.period}")

c1, c2, c3 = st.columns(3)
c1.metric(
    "Vorhaben",
    fmt.number(figures["projects"]),
    help="Anzahl der Vorhaben in der jeweils neuesten Meldung jeder Behörde für die "
    "Berichtsperiode (standardmäßig nur veröffentlichte Meldungen).",
)
c2.metric(
    "davon in Umsetzung",
    fmt.number(figures["projects_active"]),
    help="Vorhaben mit Status „in Umsetzung“ oder „in Neuausrichtung“.",
)
c3.metric(
    "Meldequote",
    fmt.percent(figures["reporting_rate"]),
    help=f"Behörden mit Meldung für {ctx.period} ÷ Behörden, die melden sollen: "
    f"{figures['authorities_reported']} von {figures['authorities_expected']}.",
)
st.caption(
    f"{figures['authorities_reported']} von {figures['authorities_expected']} Behörden haben "
    f"für {ctx.period} gemeldet. Neueste Meldung: {fmt.date(figures['newest_report'])}."
)

st.subheader("Vorhaben nach Status")
status = load(projects_by_status, **args).copy()
status["Status"] = status["status"].map(STATUS_LABELS)
status = status.rename(columns={"projects": "Vorhaben"})
left, right = st.columns([3, 2])
chart = (
    alt.Chart(status)
    .mark_bar()
    .encode(
        x=alt.X("Vorhaben:Q", title="Vorhaben", axis=alt.Axis(format="d")),
        y=alt.Y("Status:N", sort=list(status["Status"]), title=None),
        tooltip=["Status", "Vorhaben"],
    )
    .properties(height=220)
)
left.altair_chart(chart, width="stretch")
right.dataframe(status[["Status", "Vorhaben"]], hide_index=True, width="stretch")

st.subheader("Meldungen der Behörden")
reports = load(reporting_status, **args)
missing = reports[~reports["reported"]]
if missing.empty:
    st.success(f"Alle Behörden haben für {ctx.period} gemeldet.")
else:
    st.warning(
        f"{len(missing)} Behörden haben für {ctx.period} noch nicht gemeldet: "
        + ", ".join(missing["short_name"])
    )
table = pd.DataFrame(
    {
        "Behörde": reports["short_name"],
        "gemeldet": reports["reported"].map({True: "✅ ja", False: "❌ nein"}),
        "Vorhaben": reports["row_count"],
        "eingegangen am": reports["submitted_at"],
        "neueste Meldung": reports["latest_period"],
    }
)
st.dataframe(
    table,
    hide_index=True,
    width="stretch",
    column_config={
        "eingegangen am": st.column_config.DatetimeColumn(format="DD.MM.YYYY"),
        "Vorhaben": st.column_config.NumberColumn(format="%d"),
    },
)
