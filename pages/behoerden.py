"""Behörden: all authorities compared, and one authority's profile (its projects, services,
E-Akte status and reporting history)."""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from data.reference import AUTHORITY_KIND_LABELS
from kpi.eakte import RULES as EAKTE_RULES
from kpi.eakte import eakte_by_authority
from kpi.portfolio import RULES as PORTFOLIO_RULES
from kpi.portfolio import authority_comparison, authority_services, linked_services
from kpi.reporting import RULES as REPORTING_RULES
from kpi.reporting import SOURCES, reporting_overview, submission_history
from kpi.selection import Selection
from kpi.variance import project_variance
from loaders.eakte import EAKTE_STATUS_LABELS
from ui import charts
from ui import format as fmt
from ui.data import load
from ui.export import context_filters, page_as_of, table_downloads
from ui.filters import caption, empty_notice, link_notice, render
from ui.page_guard import guard_page

REVIEW_LABELS = {"draft": "Entwurf", "checked": "geprüft", "published": "veröffentlicht"}

guard_page(__file__)
st.title("Behörden")
ctx = st.session_state["ctx"]
if ctx.period is None:
    st.info("Noch keine Meldungen vorhanden. Laden Sie zuerst eine Vorhabenliste hoch.")
    st.stop()

filters = render()
today = date.today()
args = {
    "period": ctx.period,
    "include_unpublished": ctx.include_unpublished,
    "selection": filters.selection,
}
st.caption(f"Berichtsperiode {ctx.period}")
caption(filters)

comparison = load(authority_comparison, today=today, **args)
if comparison.empty:
    st.info(
        "Keine Behörden für diese Auswahl. Lockern Sie die Filter „Behördenart“ oder "
        "„Behörde“ in der Seitenleiste.",
        icon=":material/search_off:",
    )
    st.stop()

# The exports state the newest project list or E-Akte report the figures rest on.
page_as_of(kinds=("projects", "eakte"), selection=filters.selection)

# --- Comparison ------------------------------------------------------------------------------
st.header("Vergleich aller Behörden")
table = pd.DataFrame(
    {
        "Behörde": comparison["short_name"],
        "Art": comparison["authority_kind"].map(AUTHORITY_KIND_LABELS),
        "gemeldet": comparison["reported"].map({True: "✅ ja", False: "❌ nein"}),
        "eingegangen am": comparison["submitted_at"],
        "Vorhaben": comparison["projects"],
        "in Umsetzung": comparison["active"],
        "überfällig": comparison["overdue"],
        "berechnet rot": comparison["computed_red"],
        "selbst grün, berechnet rot": comparison["self_green_computed_red"],
        "neu geplant": comparison["rebaselined"],
        "Budget in €": comparison["budget_reported"],
        "Kosten n. gem./vertr.": comparison["costs_not_reported"]
        + comparison["costs_confidential"],
        "E-Akte-Quote in %": (comparison["eakte_share"] * 100).round(1),
    }
)
if filters.selection.restricts_projects:
    st.caption(
        "Die Vorhabenzahlen berücksichtigen die Vorhabenfilter (Programm, Themenfeld, Status, "
        "Ampel); Meldestand und E-Akte-Quote gelten für die ganze Behörde."
    )
chart_rows = comparison[comparison["projects"] > 0].rename(columns={"short_name": "label"})
if chart_rows.empty:
    empty_notice(filters)
else:
    long = charts.light_counts_long(chart_rows, category="Behörde")
    charts.chart(
        charts.spec(
            charts.light_stack,
            long,
            category="Behörde",
            value="Vorhaben",
            light="Ampel berechnet",
            sort=list(chart_rows.sort_values("projects", ascending=False)["label"]),
        ),
        title="Ampeln nach Behörde",
    )
st.dataframe(
    table,
    hide_index=True,
    width="stretch",
    placeholder="–",  # no reported amount, no report, no E-Akte share: a dash, not "None"
    column_config={
        "eingegangen am": st.column_config.DatetimeColumn(format="DD.MM.YYYY"),
        "Budget in €": charts.COUNT,
        "E-Akte-Quote in %": st.column_config.NumberColumn(
            format="localized", help=EAKTE_RULES["share"]
        ),
        "berechnet rot": st.column_config.NumberColumn(format="localized", help=None),
    },
)
st.caption(
    f"{REPORTING_RULES['reporting_rate']} {PORTFOLIO_RULES['budget']} Budget leer: die Behörde "
    "hat keinen Betrag gemeldet (alle Kosten vertraulich oder nicht gemeldet, oder keine "
    "Vorhabenliste). Die Grafik zeigt je "
    "Behörde ihre Vorhaben nach berechneter Ampel; die Tabelle enthält dieselben Zahlen."
)
table_downloads(
    table,
    title=f"Behördenvergleich {ctx.period}",
    key="authorities_table",
    filters=context_filters(**filters.export_filters()),
)

# --- Profile ---------------------------------------------------------------------------------
st.header("Profil einer Behörde")
names = dict(zip(comparison["authority_id"], comparison["short_name"], strict=True))
preset = filters.selection.authorities
authority_id = st.selectbox(
    "Behörde",
    list(names),
    index=list(names).index(preset[0]) if len(preset) == 1 and preset[0] in names else None,
    format_func=names.get,
    key="profil",
    bind="query-params",
    placeholder="Behörde wählen …",
    help="Vorhaben, Leistungen, E-Akte-Stand und Meldehistorie einer Behörde.",
)
link_notice({"profil": list(names.values())}, labels={"profil": "Profil"})
if authority_id is None:
    st.caption("Wählen Sie eine Behörde, um ihr Profil zu sehen.")
    st.stop()

row = comparison.set_index("authority_id").loc[authority_id]
st.text(f"{row['name']} ({AUTHORITY_KIND_LABELS.get(row['authority_kind'], '')})")
cards = st.columns(5)
cards[0].metric("Vorhaben", fmt.number(row["projects"]), help=PORTFOLIO_RULES["projects"])
cards[1].metric("überfällig", fmt.number(row["overdue"]))
cards[2].metric("berechnet rot", fmt.number(row["computed_red"]))
cards[3].metric(
    "Budget (gemeldet)",
    charts.money_short(row["budget_reported"]),
    help=PORTFOLIO_RULES["budget"]
    + (
        f" Genau: {fmt.money(row['budget_reported'])}."
        if pd.notna(row["budget_reported"])
        else " Keines der Vorhaben hat Beträge gemeldet, daher kein Budget (–)."
    ),
)
cards[4].metric(
    "Meldung",
    fmt.date(row["submitted_at"]) if row["reported"] else "fehlt",
    help=f"Eingang der Vorhabenliste für {ctx.period}; fällig am {fmt.date(row['due_date'])}.",
)

own = Selection(
    authorities=(authority_id,),
    programmes=filters.selection.programmes,
    topic_areas=filters.selection.topic_areas,
    statuses=filters.selection.statuses,
    lights=filters.selection.lights,
)
projects_tab, services_tab, eakte_tab, history_tab = st.tabs(
    ["Vorhaben", "Leistungen", "E-Akte", "Meldehistorie"]
)
with projects_tab:
    projects = load(
        project_variance,
        period=ctx.period,
        today=today,
        include_unpublished=ctx.include_unpublished,
        selection=own,
    )
    if projects.empty:
        empty_notice(filters)
    else:
        shown, config = charts.project_table(projects)
        st.dataframe(
            shown.drop(columns=["Behörde"]),
            hide_index=True,
            width="stretch",
            column_config=config,
            placeholder="–",
        )
        st.page_link(
            "pages/vorhaben.py",
            label="In der Vorhabenliste öffnen",
            icon=":material/arrow_forward:",
            query_params=filters.link(behoerde=[names[authority_id]]),
        )

with services_tab:
    responsible = load(
        authority_services,
        period=ctx.period,
        authority_id=authority_id,
        include_unpublished=ctx.include_unpublished,
    )
    figures = responsible["figures"]
    if figures is None:
        st.info(
            "Für diese Behörde sind im Leistungskatalog keine Leistungen zugeordnet, oder es "
            "ist noch kein Katalog eingelesen."
        )
    else:
        quota = st.columns(3)
        quota[0].metric("Leistungen (zuständig)", fmt.number(figures["services_in_scope"]))
        quota[1].metric(
            "Online-Quote Berlin",
            fmt.percent(figures["online_quota_own"]),
            help="Leistungen mit Berliner Angebot ab Reifegrad 3 ÷ zuständige Leistungen "
            "(Leistungen ohne Meldung zählen als Reifegrad 0).",
        )
        quota[2].metric(
            "Online-Quote inkl. Bund/EfA",
            fmt.percent(figures["online_quota_all"]),
            help="Wie links, aber auch Angebote des Bundes und anderer Länder (EfA).",
        )
        services = responsible["services"]
        st.dataframe(
            pd.DataFrame(
                {
                    "Leistung": services["name"],
                    "LeiKa": services["leika_key"],
                    "Themenfeld": services["topic_name"],
                    "Reifegrad Berlin": services["own_level"],
                    "Reifegrad inkl. Bund/EfA": services["all_level"],
                }
            ),
            hide_index=True,
            width="stretch",
        )
    linked = load(
        linked_services,
        period=ctx.period,
        authority_id=authority_id,
        include_unpublished=ctx.include_unpublished,
    )
    st.markdown("**Leistungen, die die Vorhaben der Behörde nennen**")
    if linked.empty:
        st.caption("Die Vorhaben dieser Behörde nennen keine LeiKa-Schlüssel.")
    else:
        st.dataframe(
            pd.DataFrame(
                {
                    "LeiKa": linked["leika_key"],
                    "Leistung": linked["service_name"].fillna("nicht im Katalog"),
                    "Vorhaben": linked["projects"],
                    "Vorhaben-Nr.": linked["project_ids"],
                }
            ),
            hide_index=True,
            width="stretch",
        )

with eakte_tab:
    eakte = load(
        eakte_by_authority,
        period=ctx.period,
        include_unpublished=ctx.include_unpublished,
        selection=Selection(authorities=(authority_id,)),
    )
    if eakte.empty:
        st.info("Diese Behörde hat noch keinen E-Akte-Stand gemeldet.")
    else:
        status = eakte.iloc[0]
        if not status["reported"]:
            st.warning(
                f"Kein E-Akte-Stand für {ctx.period}; zuletzt gemeldet für "
                f"{status['latest_period']}."
            )
        else:
            shown = st.columns(4)
            shown[0].metric(
                "E-Akte-Quote",
                fmt.percent(status["share"]),
                delta=charts.delta_text(status["share_delta"], kind="share"),
                help=EAKTE_RULES["share"] + " Veränderung gegenüber der vorigen Meldung.",
            )
            shown[1].metric(
                "Arbeitsplätze mit E-Akte",
                f"{fmt.number(status['workplaces_live'])} von "
                f"{fmt.number(status['workplaces_in_scope'])}",
            )
            shown[2].metric("Status", EAKTE_STATUS_LABELS.get(status["status"], "–"))
            shown[3].metric(
                "Go-Live geplant",
                fmt.date(status["golive_planned"]),
                delta="überfällig" if status["golive_overdue"] else None,
                delta_color="inverse",
                delta_arrow="off",
                help=EAKTE_RULES["golive_overdue"],
            )
        st.page_link(
            "pages/e-akte.py",
            label="E-Akte-Einführung aller Behörden",
            icon=":material/arrow_forward:",
            query_params=filters.link(),
        )

with history_tab:
    history = load(
        submission_history,
        authority_id=authority_id,
        include_unpublished=ctx.include_unpublished,
    )
    overview = load(
        reporting_overview,
        period=ctx.period,
        today=today,
        include_unpublished=ctx.include_unpublished,
        selection=Selection(authorities=(authority_id,)),
    )
    latest = overview.iloc[0] if not overview.empty else None
    if latest is not None and pd.notna(latest["latest_period"]):
        st.caption(
            f"Neueste Vorhabenliste: {latest['latest_period']}, eingegangen am "
            f"{fmt.date(latest['latest_submitted_at'])} "
            f"(vor {fmt.number(latest['latest_age_days'])} Tagen). " + REPORTING_RULES["age"]
        )
    if history.empty:
        st.info("Von dieser Behörde liegen noch keine Meldungen vor.")
    else:
        st.dataframe(
            pd.DataFrame(
                {
                    "Periode": history["period_id"],
                    "Art": history["kind"].map(SOURCES).fillna(history["kind"]),
                    "Nr.": history["submission_id"],
                    "Datei": history["file_name"],
                    "eingegangen am": history["submitted_at"],
                    "Zeilen": history["row_count"],
                    "Prüfstatus": history["review_status"].map(REVIEW_LABELS),
                    "gültig": history["current"].map({True: "✅ gilt", False: "überholt"}),
                }
            ),
            hide_index=True,
            width="stretch",
            column_config={
                "eingegangen am": st.column_config.DatetimeColumn(format="DD.MM.YYYY HH:mm"),
                "Nr.": st.column_config.NumberColumn(format="%d"),
                "Zeilen": charts.COUNT,
            },
        )
