"""Übersicht: headline figures with deltas, Datenstand per source, the traffic-light picture,
overdue projects and missing reports, and links into the detail pages."""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from data.reference import AUTHORITY_KIND_LABELS, parse_period
from kpi.portfolio import overdue_projects
from kpi.reporting import RULES as REPORTING_RULES
from kpi.reporting import data_freshness, reporting_overview
from kpi.trend import HEADLINES, overview_cards
from kpi.variance import RULES, light_comparison
from ui import charts
from ui import format as fmt
from ui.data import load
from ui.export import page_as_of, report_downloads
from ui.filters import caption, empty_notice, render
from ui.page_guard import guard_page

guard_page(__file__)
st.title("Übersicht")
ctx = st.session_state["ctx"]

if ctx.period is None:
    st.info(
        "Noch keine Meldungen vorhanden. Laden Sie eine Vorhabenliste über "
        "`python -m loaders ingest` oder die Seite „Daten einreichen“ hoch."
    )
    st.stop()

public = ctx.identity.role == "public"
filters = render()
# Datenstand of the chart downloads: the newest report behind the page's figures
page_as_of(kinds=("projects", "eakte", "services"), selection=filters.selection)
today = date.today()
as_of = min(today, parse_period(ctx.period)[1])
args = {
    "period": ctx.period,
    "include_unpublished": ctx.include_unpublished,
    "selection": filters.selection,
}
cards_data = load(overview_cards, today=today, **args)
figures, sparks = cards_data["figures"], cards_data["lines"]
previous = figures["projects"]["previous_period"]
st.caption(
    f"Berichtsperiode {ctx.period} · Stichtag {fmt.date(as_of)}"
    + (f" · Veränderung gegenüber {previous}" if previous else "")
)
caption(filters)
if not public:
    report_downloads(period=ctx.period, include_unpublished=ctx.include_unpublished)

CARDS = (
    ("projects", "count", "normal"),
    ("active", "count", "normal"),
    ("reporting_rate", "share", "normal"),
    ("overdue", "count", "inverse"),
    ("eakte_share", "share", "normal"),
    ("computed_red_share", "share", "inverse"),
    ("self_green_computed_red", "count", "inverse"),
    ("rebaselined", "count", "inverse"),
    ("budget_reported", "money", "off"),
)


def _value(key: str, kind: str) -> str:
    value = figures[key]["value"]
    if kind == "share":
        return fmt.percent(value)
    if kind == "money":
        return charts.money_short(value)
    return fmt.number(value)


def _help(key: str) -> str:
    label, rule = HEADLINES[key]
    figure = figures[key]
    extra = ""
    if key == "reporting_rate":
        extra = f" {figure['reported']} von {figure['expected']} Behörden."
    if key == "eakte_share" and figure.get("authorities") is not None:
        extra = f" {figure['authorities']} Behörden mit Meldung."
    if figure.get("previous_period"):
        kind = kind_of(key)
        before = figure["previous"]
        shown = (
            fmt.percent(before)
            if kind == "share"
            else fmt.money(before)
            if kind == "money"
            else fmt.number(before)
        )
        extra += f" Vorperiode {figure['previous_period']}: {shown}."
    if kind_of(key) == "money":
        extra += f" Genau: {fmt.money(figure['value'])}."
    return rule + extra


def kind_of(key: str) -> str:
    return next(k for c, k, _ in CARDS if c == key)


rows = (CARDS[:5], CARDS[5:])
for row in rows:
    columns = st.columns(len(row))  # the second row has four cards: wider, nothing cut off
    for column, (key, kind, colour) in zip(columns, row, strict=False):
        column.metric(
            HEADLINES[key][0],
            _value(key, kind),
            delta=charts.delta_text(figures[key]["delta"], kind=kind),
            delta_color=colour,
            help=_help(key),
            border=True,
        )
_rate = figures["reporting_rate"]
_missing_note = (
    f" Die Veränderungen vergleichen mit allen Meldungen für {_rate['previous_period']}; "
    "Behörden, deren Meldung noch fehlt, fehlen auch in diesen Zahlen."
    if _rate.get("previous_period") and _rate["reported"] < _rate["expected"]
    else ""
)
st.caption(
    f"{_rate['reported']} von {_rate['expected']} Behörden haben für {ctx.period} gemeldet."
    + _missing_note
)
with st.expander("Verlauf der Kennzahlen je Berichtsperiode", icon=":material/timeline:"):
    history = pd.DataFrame({"Periode": sparks["periods"]})
    for key, _kind, _colour in CARDS:
        unit = " in %" if key.endswith("share") or key == "reporting_rate" else ""
        history[HEADLINES[key][0] + unit] = sparks[key]
    st.dataframe(
        history.iloc[::-1],
        hide_index=True,
        width="stretch",
        column_config={c: charts.COUNT for c in history.columns if c != "Periode"},
    )
    st.caption(
        "Jede Periode zu ihrem eigenen Stichtag gerechnet (Ende der Periode, höchstens heute); "
        "Anteile in Prozent, E-Akte über die Behörden mit Meldung in der gewählten Periode."
    )

if figures["projects"]["value"] == 0:
    empty_notice(filters)

# --- Datenstand ---------------------------------------------------------------------------
st.header("Datenstand je Quelle")
fresh = load(
    data_freshness,
    period=ctx.period,
    include_unpublished=ctx.include_unpublished,
    selection=filters.selection,
)
st.dataframe(
    pd.DataFrame(
        {
            "Quelle": fresh["source"],
            "Periode": fresh["data_period"].fillna("–"),
            "Behörden": fresh["authorities"],
            "Zeilen": fresh["rows"].fillna(0).astype("int64"),
            "Stichtag": fresh["reference_date"].map(fmt.date),
            "älteste Meldung": fresh["oldest_received"].map(fmt.date),
            "neueste Meldung": fresh["newest_received"].map(fmt.date),
            "Datenstand der Zeilen": fresh["data_as_of"].map(fmt.date),
        }
    ),
    hide_index=True,
    width="stretch",
    column_config={
        "Periode": st.column_config.TextColumn(
            help="Berichtsperiode der Meldungen; beim Leistungskatalog die Periode des "
            "gültigen Katalogs."
        ),
        "Behörden": charts.COUNT,
        "Zeilen": charts.COUNT,
    },
)
st.caption(REPORTING_RULES["freshness"])

# --- Ampelbild ------------------------------------------------------------------------------
st.header("Ampeln: gemeldet und berechnet")
baseline = st.segmented_control(
    "Berechnet gegen",
    ["current", "original"],
    format_func={"current": "aktuelle Planung", "original": "ursprüngliche Planung"}.get,
    default="current",
    required=True,
    key="basis",
    bind="query-params",
    help=RULES["original"],
)
grid = load(light_comparison, today=today, baseline=baseline, **args).copy()
grid["Ampel laut Meldung"] = grid["traffic_light"].map(charts.light_label)
grid["Ampel berechnet"] = grid["computed"].map(charts.light_label)
grid = grid.rename(columns={"projects": "Vorhaben"})
table = grid.pivot(index="Ampel laut Meldung", columns="Ampel berechnet", values="Vorhaben")
table = table.reindex(
    index=charts.LIGHT_LABELS, columns=[*charts.LIGHT_LABELS, charts.light_label(None)]
).reset_index()
charts.show(
    charts.spec(
        charts.light_matrix,
        grid[["Ampel laut Meldung", "Ampel berechnet", "Vorhaben"]],
        row="Ampel laut Meldung",
        column="Ampel berechnet",
        value="Vorhaben",
    ),
    table,
    title="Ampel laut Meldung und berechnet",
)
worse = int(grid.loc[grid["computed_worse"], "Vorhaben"].sum())
green_red = int(
    grid.loc[(grid["traffic_light"] == "green") & (grid["computed"] == "red"), "Vorhaben"].sum()
)
st.caption(
    f"{RULES['bands']} {fmt.number(worse)} Vorhaben melden eine bessere Ampel als berechnet, "
    f"davon „selbst grün, berechnet rot“: {fmt.number(green_red)}."
)
if not public:
    st.page_link(
        "pages/vorhaben.py",
        label="Abweichende Ampeln im Einzelnen",
        icon=":material/arrow_forward:",
        query_params=filters.link(ansicht="Ampel-Abweichung"),
    )

# --- Überfällig und fehlende Meldungen ---------------------------------------------------------
# One below the other: side by side, each table got half the width and was cut off at 1440 px.
st.header("Überfällige Vorhaben")
st.caption(RULES["overdue"])
if public:
    st.metric("überfällig", fmt.number(figures["overdue"]["value"]), help=HEADLINES["overdue"][1])
else:
    late = load(overdue_projects, today=today, **args)
    if late.empty:
        st.success("Keine überfälligen Vorhaben in dieser Auswahl.")
    else:
        shown = late.head(10)
        st.dataframe(
            pd.DataFrame(
                {
                    "Behörde": shown["short_name"],
                    "Vorhaben": shown["title"],
                    "Ende geplant": shown["baseline_end"],
                    "Ende Prognose": shown["forecast_end"],
                    "Ampel berechnet": shown["computed_light"].map(charts.light_label),
                }
            ),
            hide_index=True,
            width="stretch",
            column_config={"Ende geplant": charts.DATE, "Ende Prognose": charts.DATE},
        )
        st.page_link(
            "pages/vorhaben.py",
            label=f"Alle {fmt.number(len(late))} überfälligen Vorhaben",
            icon=":material/arrow_forward:",
            query_params=filters.link(ansicht="überfällig"),
        )
st.header("Fehlende Meldungen")
st.caption(REPORTING_RULES["age"])
reports = load(
    reporting_overview,
    period=ctx.period,
    today=today,
    include_unpublished=ctx.include_unpublished,
    selection=filters.selection,
)
missing = reports[~reports["reported"]]
if missing.empty:
    st.success(f"Alle Behörden dieser Auswahl haben für {ctx.period} gemeldet.")
else:
    st.warning(
        f"{fmt.number(len(missing))} Behörden haben für {ctx.period} noch keine Vorhabenliste.",
        icon=":material/schedule:",
    )
    st.dataframe(
        pd.DataFrame(
            {
                "Behörde": missing["short_name"],
                "Art": missing["authority_kind"].map(AUTHORITY_KIND_LABELS),
                "neueste Meldung für": missing["latest_period"].fillna("noch nie"),
                "eingegangen am": missing["latest_submitted_at"],
                "Tage seitdem": missing["latest_age_days"],
            }
        ),
        hide_index=True,
        width="stretch",
        column_config={
            "eingegangen am": st.column_config.DatetimeColumn(format="DD.MM.YYYY"),
            "Tage seitdem": charts.COUNT,
        },
    )
if not public:
    st.page_link(
        "pages/behoerden.py",
        label="Meldestand aller Behörden",
        icon=":material/arrow_forward:",
        query_params=filters.link(),
    )

if not public:
    st.header("Weiter zu")
    row = st.container(horizontal=True)
    row.page_link(
        "pages/vorhaben.py",
        label="Vorhaben",
        icon=":material/list_alt:",
        query_params=filters.link(),
    )
    row.page_link(
        "pages/behoerden.py",
        label="Behörden",
        icon=":material/account_balance:",
        query_params=filters.link(),
    )
    row.page_link(
        "pages/e-akte.py",
        label="E-Akte",
        icon=":material/folder_open:",
        query_params=filters.link(),
    )

# --- Handlungsempfehlungen (issue 7): the top five, not for the public view ----------------------
if not public:
    from kpi.recommendations import recommendations, top_from

    # "Handlungsempfehlungen" is too long for one line at 390 px; the link below names it.
    st.header("Wichtigste Empfehlungen")
    advice = load(
        recommendations,
        period=ctx.period,
        today=today,
        include_unpublished=ctx.include_unpublished,
        selection=filters.selection,
    )
    top = top_from(advice.findings, n=5)
    if top.empty:
        st.success("Für diese Auswahl schlägt keine Regel an (oder alle sind zurückgestellt).")
    else:
        st.dataframe(
            pd.DataFrame(
                {
                    "Rang": top["rank"],
                    "Dringlichkeit": top["severity"].map(
                        {"high": "🔴 hoch", "medium": "🟠 mittel", "low": "⚪ niedrig"}
                    ),
                    "Empfehlung": top["title"],
                }
            ),
            hide_index=True,
            width="stretch",
            # narrow rank and urgency columns: the recommendation gets the room and is not
            # cut off at 1440 px (its longest titles are about 100 characters)
            column_config={
                "Rang": st.column_config.NumberColumn(format="%d", width=56),
                "Dringlichkeit": st.column_config.TextColumn(width=110),
                "Empfehlung": st.column_config.TextColumn(width=760),
            },
        )
        st.caption(
            "Die fünf ranghöchsten nicht zurückgestellten Empfehlungen: zuerst nach "
            "Dringlichkeit, dann nach Tragweite (Anteil am Ganzen, an dem die Regel misst). "
            "Regel und Belege jeder Empfehlung: Seite „Handlungsempfehlungen“."
        )
    st.page_link(
        "pages/empfehlungen.py",
        label=f"Alle {fmt.number(len(advice.findings))} Handlungsempfehlungen mit Belegen",
        icon=":material/arrow_forward:",
        query_params=filters.link(),
    )
