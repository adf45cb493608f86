"""Vorhaben: the filterable project list, charts by status / programme / authority, the
timeline of planned vs forecast end dates, and one project's history across the periods."""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from data.reference import AUTHORITY_KIND_LABELS, parse_period
from kpi.portfolio import (
    RULES as PORTFOLIO_RULES,
)
from kpi.portfolio import (
    end_date_timeline,
    light_disagreements,
    overdue_projects,
    portfolio_summary,
    project_choices,
    project_history,
    projects_by,
    rebaselined_projects,
    unreported_amounts_missing,
)
from kpi.variance import RULES, project_variance
from loaders.enums import COST_STATUS_LABELS, PROGRAMME_LABELS, STATUS_LABELS
from ui import charts
from ui import format as fmt
from ui.data import load
from ui.export import context_filters, page_as_of, table_downloads
from ui.filters import caption, empty_notice, link_notice, render
from ui.page_guard import guard_page

VIEWS = {
    "all": ("alle Vorhaben", project_variance, PORTFOLIO_RULES["projects"]),
    "overdue": ("überfällig", overdue_projects, RULES["overdue"]),
    "rebaselined": ("neu geplant", rebaselined_projects, RULES["rebaselined"]),
    "mismatch": ("Ampel-Abweichung", light_disagreements, RULES["mismatch"]),
}
TIMELINE_LIMIT = 25  # rows of the timeline: the largest slips first
GROUPS = {
    "status": ("Status", STATUS_LABELS),
    "programme": ("Programm", PROGRAMME_LABELS),
    "topic_area": ("Themenfeld", None),
    "authority": ("Behörde", None),
    "authority_kind": ("Behördenart", AUTHORITY_KIND_LABELS),
}

guard_page(__file__)
st.title("Vorhaben")
ctx = st.session_state["ctx"]
if ctx.period is None:
    st.info("Noch keine Meldungen vorhanden. Laden Sie zuerst eine Vorhabenliste hoch.")
    st.stop()

filters = render()
today = date.today()
args = {
    "period": ctx.period,
    "today": today,
    "include_unpublished": ctx.include_unpublished,
    "selection": filters.selection,
}
st.caption(
    f"Berichtsperiode {ctx.period} · Stichtag {fmt.date(min(today, parse_period(ctx.period)[1]))}"
)
caption(filters)

view = st.radio(
    "Ansicht",
    list(VIEWS),
    format_func=lambda v: VIEWS[v][0],
    index=0,
    horizontal=True,
    key="ansicht",
    bind="query-params",
    help="Alle Vorhaben der Auswahl oder nur die, die Aufmerksamkeit brauchen.",
)
label, function, rule = VIEWS[view]
link_notice({"ansicht": [name for name, *_ in VIEWS.values()]}, labels={"ansicht": "Ansicht"})
table, config = charts.project_table_of(function, **args)
if table.empty:
    empty_notice(filters)
    st.stop()

summary = load(portfolio_summary, view=view, **args)
# Every card of the row counts the projects of the list below (filters and view).
scope = (
    " Gezählt über alle Vorhaben der Filterauswahl."
    if view == "all"
    else f" Gezählt über die Vorhaben der Liste „{label}“ (Filterauswahl und Ansicht), "
    "wie die Karte „Vorhaben“."
)
budget_help = PORTFOLIO_RULES["budget"] + scope
if summary["costs_reported"]:
    budget_help += f" Genau: {fmt.money(summary['budget_reported'])}."
else:
    budget_help += " Keines dieser Vorhaben hat Beträge gemeldet, daher kein Budget (–)."
cards = st.columns([0.8, 1.35, 1.15, 1.0, 1.3])  # wide enough for label and value
cards[0].metric("Vorhaben", fmt.number(len(table)), help=rule + scope, border=True)
cards[1].metric(
    "Budget (gemeldet)",
    charts.money_short(summary["budget_reported"]) if summary["costs_reported"] else "–",
    help=budget_help,
    border=True,
)
cards[2].metric(
    "Kosten nicht gemeldet",
    fmt.number(summary["costs_not_reported"]),
    help="Vorhaben ohne Kostenangabe; ihre Budgets fehlen in der Summe." + scope,
    border=True,
)
cards[3].metric(
    "Kosten vertraulich",
    fmt.number(summary["costs_confidential"]),
    help="Vorhaben mit vertraulichen Kosten; ihre Budgets fehlen in der Summe." + scope,
    border=True,
)
cards[4].metric(
    "selbst grün, berechnet rot",
    fmt.number(summary["self_green_computed_red"]),
    help="Vorhaben, die ihre Ampel grün melden, deren berechnete Ampel aber rot ist. "
    + RULES["bands"]
    + scope,
    border=True,
)

# The exports (list and charts) state the newest project list they rest on.
page_as_of(kinds=("projects",), selection=filters.selection)
st.header(f"Liste: {label}")
st.dataframe(
    table,
    hide_index=True,
    width="stretch",
    height=420,
    column_config=config,
    placeholder="–",  # no amount (confidential, not reported) or no date: a dash, not "None"
)
st.caption(f"{rule} {RULES['as_of']}")
table_downloads(
    table,
    title=f"Vorhaben {label} {ctx.period}",
    key="projects_table",
    filters=context_filters(Ansicht=label, **filters.export_filters()),
)

# --- Charts by group ----------------------------------------------------------------------
st.header("Verteilung")
group = st.segmented_control(
    "Gruppiert nach",
    list(GROUPS),
    format_func=lambda g: GROUPS[g][0],
    default="status",
    required=True,
    key="gruppe",
    bind="query-params",
)
link_notice({"gruppe": [label for label, _names in GROUPS.values()]}, labels={"gruppe": "Gruppe"})
group_label, names = GROUPS[group]
grouped = load(projects_by, dimension=group, **args).copy()
if group == "authority":
    grouped["label"] = grouped["short_name"]
else:
    grouped["label"] = grouped["grp"].map(lambda v: names.get(v, v) if names else v)
grouped["label"] = grouped["label"].fillna("ohne Angabe")
long = charts.light_counts_long(grouped, category=group_label)
side = pd.DataFrame(
    {
        group_label: grouped["label"],
        "Vorhaben": grouped["projects"],
        "überfällig": grouped["overdue"],
        "berechnet rot": grouped["computed_red"],
        "Budget in €": unreported_amounts_missing(grouped)["budget_reported"],
        "Kosten n. gem./vertr.": grouped["costs_not_reported"] + grouped["costs_confidential"],
    }
)
charts.show(
    charts.spec(
        charts.light_stack,
        long,
        category=group_label,
        value="Vorhaben",
        light="Ampel berechnet",
        sort=list(grouped["label"]),
    ),
    side,
    column_config={"Budget in €": charts.COUNT},
    placeholder="–",
    title="Vorhaben nach Gruppe und Ampel",
)
st.caption(
    "Alle Vorhaben der Filterauswahl, unabhängig von der Ansicht der Liste. Farbe und Zeichen: "
    f"berechnete Ampel. {RULES['bands']} {PORTFOLIO_RULES['budget']} Budget leer: keines der "
    "Vorhaben der Gruppe hat Beträge gemeldet."
)

# --- Timeline ---------------------------------------------------------------------------------
st.header("Zeitplan: geplantes und prognostiziertes Ende")
timeline = load(end_date_timeline, limit=TIMELINE_LIMIT, **args)
if timeline.empty:
    st.info(
        "Keine offenen Vorhaben (weder abgeschlossen noch abgebrochen) mit geplantem und "
        "prognostiziertem Ende in dieser Auswahl. Lockern Sie die Filter in der Seitenleiste."
    )
else:
    shown = timeline.assign(
        label=timeline["short_name"] + " · " + timeline["title"],
        light=timeline["computed_light"].map(charts.light_label),
        slip_days=timeline["end_slip_days"],
    )
    charts.show(
        charts.spec(
            charts.timeline,
            shown[["label", "baseline_end", "forecast_end", "light", "slip_days"]],
            label="label",
            light="light",
        ),
        pd.DataFrame(
            {
                "Vorhaben": shown["label"],
                "Ende geplant": shown["baseline_end"],
                "Ende Prognose": shown["forecast_end"],
                "Verzug in Tagen": shown["slip_days"],
            }
        ),
        column_config={
            "Ende geplant": charts.DATE,
            "Ende Prognose": charts.DATE,
            "Verzug in Tagen": charts.COUNT,
        },
        title="Zeitplan geplant und Prognose",
    )
    open_note = "(weder abgeschlossen noch abgebrochen)"
    if len(timeline) == TIMELINE_LIMIT:
        which = (
            f"Die {fmt.number(TIMELINE_LIMIT)} offenen Vorhaben {open_note} der Auswahl mit dem "
            "größten Abstand"
        )
    elif len(timeline) == 1:
        which = f"Das einzige offene Vorhaben {open_note} der Auswahl mit beiden Terminen: Abstand"
    else:
        which = (
            f"Alle {fmt.number(len(timeline))} offenen Vorhaben {open_note} der Auswahl mit "
            "beiden Terminen, geordnet nach dem Abstand"
        )
    st.caption(
        f"{which} zwischen geplantem Ende (Kreis) und Prognose (Zeichen und Farbe nach "
        "berechneter Ampel). Unabhängig von der Ansicht der Liste."
    )

# --- One project -------------------------------------------------------------------------------
st.header("Einzelnes Vorhaben")
choices = load(
    project_choices,
    period=ctx.period,
    include_unpublished=ctx.include_unpublished,
    selection=filters.selection,
)
keys = [f"{a}/{p}" for a, p in zip(choices["authority_id"], choices["project_id"], strict=True)]
titles = dict(
    zip(
        keys,
        choices["short_name"] + " · " + choices["project_id"] + " · " + choices["title"],
        strict=True,
    )
)
chosen = st.selectbox(
    "Vorhaben",
    keys,
    index=None,
    format_func=titles.get,
    key="vorhaben",
    bind="query-params",
    placeholder="Vorhaben wählen …",
    help="Zeigt den Verlauf über alle Berichtsperioden: Termine, Kosten und Ampeln.",
)
link_notice({"vorhaben": list(titles.values())}, labels={"vorhaben": "Vorhaben"})
if chosen is None:
    st.caption("Wählen Sie ein Vorhaben, um seinen Verlauf zu sehen.")
    st.stop()

authority_id, project_id = chosen.split("/", 1)
history = load(
    project_history,
    authority_id=authority_id,
    project_id=project_id,
    today=today,
    include_unpublished=ctx.include_unpublished,
)
latest = history.iloc[-1]
st.text(f"{latest['short_name']} · {latest['project_id']} · {latest['title']}")
facts = st.columns(4)
facts[0].metric("Ampel (Meldung)", charts.light_label(latest["traffic_light"]))
facts[1].metric(
    "Ampel berechnet", charts.light_label(latest["computed_light"]), help=RULES["bands"]
)
facts[2].metric(
    "gegen ursprüngliche Planung",
    charts.light_label(latest["computed_light_original"]),
    help=RULES["original"],
)
facts[3].metric(
    "Budget",
    fmt.money(latest["budget"])
    if latest["cost_reporting_status"] == "reported"
    else COST_STATUS_LABELS[latest["cost_reporting_status"]],
)
dates = history.melt(
    id_vars=["period_id"],
    value_vars=["baseline_end", "original_end", "forecast_end"],
    var_name="Termin",
    value_name="Datum",
).dropna()
dates["Termin"] = dates["Termin"].map(
    {
        "baseline_end": "Ende geplant",
        "original_end": "Ende ursprünglich",
        "forecast_end": "Prognose",
    }
)
moves = pd.DataFrame(
    {
        "Periode": history["period_id"],
        "Status": history["status"].map(STATUS_LABELS),
        "Ampel (Meldung)": history["traffic_light"].map(charts.light_label),
        "Ampel berechnet": history["computed_light"].map(charts.light_label),
        "Ende geplant": history["baseline_end"],
        "Ende Prognose": history["forecast_end"],
        "Budget in €": history["budget"].astype("float64"),
        "Kostenprognose in €": history["forecast_cost"].astype("float64"),
        "Kostenangabe": history["cost_reporting_status"].map(COST_STATUS_LABELS),
        "Fortschritt in %": history["progress_pct"],
    }
)
charts.show(
    charts.spec(
        charts.dates_over_periods,
        dates.assign(Datum=pd.to_datetime(dates["Datum"])),
        x="period_id",
        y="Datum",
        series="Termin",
        domain=["Ende geplant", "Ende ursprünglich", "Prognose"],
    ),
    moves,
    column_config={
        "Ende geplant": charts.DATE,
        "Ende Prognose": charts.DATE,
        "Budget in €": charts.COUNT,
        "Kostenprognose in €": charts.COUNT,
        "Fortschritt in %": charts.COUNT,
    },
    placeholder="–",
    title="Termine eines Vorhabens über die Perioden",
)
st.caption(
    "Wie sich Termine, Kosten und Ampeln des Vorhabens über die Berichtsperioden bewegt haben "
    "(je Periode die gültige Meldung der Behörde)."
)
