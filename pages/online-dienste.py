"""Online-Dienste: how many administrative services Berlin offers online, and from whom."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from kpi import national
from kpi.services import (
    LEVELS,
    NEW_ONLINE_DAYS,
    NO_OFFER,
    PROVIDER_LABELS,
    adoption_candidates,
    catalogue_info,
    filter_services,
    maturity_distribution,
    newly_online,
    online_trend,
    ozg_summary,
    service_state,
    services_headline,
    status_sources,
)
from ui import charts
from ui import format as fmt
from ui.data import load
from ui.export import context_filters, page_as_of, table_downloads
from ui.page_guard import guard_page

LEVEL_RULE = (
    "Reifegrad ≥ 3 nach Reifegradmodell 1.1 (Online-Antrag einschließlich Nachweisen). "
    "Meldungen nach Reifegradmodell 2.0 (Stufen 0–7) zählen ab Stufe 3 (vollständiger "
    "Online-Antragsdienst) ebenso; „k.A.“ zählt als 0."
)
DIMENSION_LABELS = {"topic_area": "Themenfeld", "provider": "Bereitsteller", "authority": "Behörde"}
OFFER_LABELS = {"all": "inkl. Bund/EfA", "own": "nur Berliner Angebote"}


def delta_pp(value: float | None) -> str | None:
    """A change in percentage points, German style: ``+5,2 Pp.``"""
    if value is None or pd.isna(value):
        return "–"
    sign = "+" if value >= 0 else "−"
    return f"{sign}{fmt.number(abs(value), decimals=1)} Pp."


guard_page(__file__)
st.title("Online-Dienste")
ctx = st.session_state["ctx"]
if ctx.period is None:
    st.info(
        "Noch keine Daten vorhanden. Laden Sie zuerst den Leistungskatalog "
        "(`python -m loaders ingest KATALOG.xlsx --kind catalog --authority skzl "
        "--period 2026-Q3 --publish`) und danach den Stand der Onlinedienste (`--kind services`)."
    )
    st.stop()

args = {"period": ctx.period, "include_unpublished": ctx.include_unpublished}
catalogue = load(catalogue_info, **args)
if catalogue is None:
    st.info(
        "Für diese Auswahl gibt es noch keinen Leistungskatalog. Die Online-Quote braucht ihn "
        "als Nenner: bitte den Katalog einlesen (`python -m loaders ingest KATALOG.xlsx --kind "
        "catalog --authority skzl --period 2026-Q3 --publish`) oder die Seite „Daten "
        "einreichen“ nutzen."
    )
    st.stop()

page_as_of(kinds=("services", "catalog"))  # Datenstand of the exports
figures = load(services_headline, **args)
trend = load(online_trend, include_unpublished=ctx.include_unpublished)
current = trend[trend["period"] == ctx.period]
now = current.iloc[0] if not current.empty else None


def metric_delta(column: str) -> str | None:
    """The card's change against the previous period; none for the first period."""
    if now is None or pd.isna(now[column]):
        return None
    return delta_pp(now[column])


catalogue_note = (
    f"Leistungskatalog {catalogue['period']} (eingelesen am "
    f"{fmt.date(catalogue['submitted_at'])}, {fmt.number(catalogue['services'])} Leistungen"
    + (
        f", davon {fmt.number(catalogue['out_of_scope'])} ausgenommen)"
        if catalogue["out_of_scope"]
        else ")"
    )
)
if figures["services_status_as_of"] is None:
    status_note = "noch kein Stand der Onlinedienste gemeldet"
else:
    status_note = f"Stand der Angebote bis {fmt.date(figures['services_status_as_of'])}"
    if figures["services_status_oldest_as_of"] != figures["services_status_as_of"]:
        status_note += (
            f" (ältester einbezogener Stand {fmt.date(figures['services_status_oldest_as_of'])})"
        )
as_of_text = f"Datenstand: {catalogue_note}; {status_note}."
st.caption(f"Berichtsperiode {ctx.period}. {as_of_text}")
if figures["services_with_status"] == 0:
    st.warning(
        "Für diese Periode liegt noch kein Stand der Onlinedienste vor: alle Leistungen zählen "
        "mit Reifegrad 0. Bitte den Stand einlesen (`--kind services`).",
        icon="⚠️",
    )

total = figures["services_in_scope"]
scope_rule = (
    f"Nenner: alle {fmt.number(total)} Leistungen im Katalog (ohne vom CDO-Büro "
    "ausgenommene); Leistungen ohne Meldung zählen mit Reifegrad 0. Jede Leistung zählt "
    "einmal, mit ihrem besten Angebot."
)

c1, c2, c3, c4 = st.columns(4)
c1.metric(
    "Online-Quote Berlin (eigene)",
    fmt.percent(figures["online_quota_own"]),
    delta=metric_delta("online_quota_own_delta_pp"),
    help=f"Leistungen mit einem Angebot des Landes Berlin oder eines Bezirks mit {LEVEL_RULE} "
    f"{fmt.number(figures['services_online_own'])} von {fmt.number(total)}. {scope_rule} "
    f"Veränderung in Prozentpunkten zur Vorperiode. {as_of_text}",
)
c2.metric(
    "Online-Quote inkl. Bund/EfA",
    fmt.percent(figures["online_quota_all"]),
    delta=metric_delta("online_quota_all_delta_pp"),
    help=f"Wie die Berliner Quote, aber auch Angebote des Bundes und nachgenutzte "
    f"EfA-Leistungen anderer Länder zählen: {fmt.number(figures['services_online_all'])} von "
    f"{fmt.number(total)}. {scope_rule} {as_of_text}",
)
c3.metric(
    "Vergleich: Reifegrad ≥ 2",
    fmt.percent(figures["level2_quota_all"]),
    help="Nur zum Vergleich: Das Dashboard des Bundes zählt eine Leistung schon ab Reifegrad 2 "
    f"(Formular-Assistent) als online. Inkl. Bund/EfA {fmt.number(figures['services_level2_all'])}"
    f" von {fmt.number(total)}; nur Berliner Angebote "
    f"{fmt.percent(figures['level2_quota_own'])}. Maßgeblich ist die Quote mit Reifegrad ≥ 3. "
    f"{as_of_text}",
)
c4.metric(
    "Leistungen im Katalog",
    fmt.number(total),
    help=f"Verwaltungsleistungen des für {ctx.period} gültigen Leistungskatalogs (der neueste "
    "Katalog bis zu dieser Periode), ohne vom CDO-Büro ausgenommene. Davon mit mindestens "
    f"einem gemeldeten Angebot: {fmt.number(figures['services_with_status'])}. {as_of_text}",
)

d1, d2, d3, d4 = st.columns(4)
district_rule = (
    f"Bezirksleistungen: {fmt.number(figures['district_services'])} Leistungen, für die laut "
    "Katalog alle Bezirke oder ein Bezirksamt zuständig sind oder für die ein Bezirk ein "
    "Angebot meldet."
)
d1.metric(
    "Bezirke: flächendeckend online",
    fmt.percent(figures["district_quota_area_wide"]),
    help=f"{district_rule} Gezählt: ein Bezirksangebot mit Reifegrad ≥ 3, das als "
    "flächendeckend gemeldet ist oder das jedes Bezirksamt meldet: "
    f"{fmt.number(figures['district_online_area_wide'])}. {as_of_text}",
)
d2.metric(
    "… in mindestens einem Bezirk",
    fmt.percent(figures["district_quota_any"]),
    help=f"{district_rule} Gezählt: mindestens ein Bezirk bietet die Leistung mit Reifegrad ≥ 3 "
    f"an: {fmt.number(figures['district_online_any'])}. {as_of_text}",
)
d3.metric(
    f"Neu online ({NEW_ONLINE_DAYS} Tage)",
    fmt.number(figures["services_new_online"]),
    help=f"Leistungen, deren erstes Angebot mit Reifegrad ≥ 3 (gleich von wem) in den "
    f"{NEW_ONLINE_DAYS} Tagen bis zum Periodenende online ging („Online seit“; Quartalsangaben "
    "zählen ab dem ersten Tag des Quartals). Ohne Datum, daher nicht zählbar: "
    f"{fmt.number(figures['services_online_without_date'])}. {as_of_text}",
)
d4.metric(
    "Nachnutzung prüfen",
    fmt.number(figures["services_adoption_candidates"]),
    help="Leistungen, für die ein EfA- oder Bundesangebot mit Reifegrad ≥ 3 besteht, Berlins "
    f"eigenes Angebot aber unter Reifegrad 3 liegt oder fehlt. {as_of_text}",
)

st.header("Reifegrad nach Themenfeld, Bereitsteller und Behörde")
g1, g2 = st.columns(2)
dimension = g1.radio(
    "Gliederung",
    list(DIMENSION_LABELS),
    format_func=DIMENSION_LABELS.get,
    horizontal=True,
    key="od_gliederung",
)
offers = g2.radio(
    "Angebote",
    list(OFFER_LABELS),
    format_func=OFFER_LABELS.get,
    horizontal=True,
    key="od_angebote",
    disabled=dimension == "provider",
    help="Bestes Angebot je Leistung: einschließlich Bund und EfA oder nur Angebote des Landes "
    "Berlin und der Bezirke. Nach Bereitsteller zählt jede Leistung bei jedem Bereitsteller, "
    "der sie anbietet, mit dessen Reifegrad.",
)
distribution = load(maturity_distribution, by=dimension, offers=offers, **args).copy()
distribution["Reifegrad"] = "Reifegrad " + distribution["level"].astype(str)
group_label = DIMENSION_LABELS[dimension]
groups = list(dict.fromkeys(distribution["group"]))
left, right = st.columns([3, 2])
chart = (
    alt.Chart(distribution.rename(columns={"group": group_label, "services": "Leistungen"}))
    .mark_bar()
    .encode(
        y=alt.Y(f"{group_label}:N", sort=groups, title=None, axis=alt.Axis(labelLimit=260)),
        x=alt.X("Leistungen:Q", stack="zero", title="Leistungen", axis=alt.Axis(format="d")),
        color=alt.Color(
            "Reifegrad:O",
            sort=[f"Reifegrad {n}" for n in LEVELS],
            legend=alt.Legend(title=None, orient="bottom"),
        ),
        order=alt.Order("level:O"),
        tooltip=[group_label, "Reifegrad", "Leistungen"],
    )
    .properties(height=max(220, 26 * len(groups)))
)
charts.chart(chart, container=left, title="Reifegrad-Verteilung")
table = distribution.pivot(index="group", columns="level", values="services").reindex(groups)
table.columns = [f"Reifegrad {n}" for n in table.columns]
quota = distribution.drop_duplicates("group").set_index("group")["group_quota"].reindex(groups)
table["Online-Quote"] = quota.map(fmt.percent)
table = table.reset_index().rename(columns={"group": group_label})
right.dataframe(table, hide_index=True, width="stretch")
right.caption(
    "Online-Quote je Zeile: Leistungen mit Reifegrad ≥ 3 ÷ Leistungen der Zeile "
    "(Summe durch Summe)."
)
with right:
    table_downloads(
        table,
        title=f"Reifegrad nach {group_label} {ctx.period}",
        key="od_distribution_table",
        filters=context_filters(
            Gliederung=group_label,
            Angebote="" if dimension == "provider" else OFFER_LABELS[offers],
        ),
    )

st.header("Entwicklung je Berichtsperiode")
if trend.empty:
    st.info("Noch keine Perioden mit Leistungskatalog oder Stand der Onlinedienste.")
else:
    series = {
        "online_quota_own": "Berlin (≥ 3)",
        "online_quota_all": "inkl. Bund/EfA (≥ 3)",
        "level2_quota_all": "Vergleich ≥ 2 inkl. Bund/EfA",
    }
    long = trend.melt(id_vars="period", value_vars=list(series), var_name="key", value_name="q")
    long["Quote"] = long["key"].map(series)
    long["Anteil"] = long["q"] * 100
    left, right = st.columns([3, 2])
    line = (
        alt.Chart(long.rename(columns={"period": "Periode"}))
        .mark_line(point=True)
        .encode(
            x=alt.X("Periode:O", title=None),
            y=alt.Y(
                "Anteil:Q", title="Anteil der Leistungen in %", scale=alt.Scale(domain=[0, 100])
            ),
            color=alt.Color(
                "Quote:N",
                sort=list(series.values()),
                legend=alt.Legend(title=None, orient="bottom"),
            ),
            strokeDash=alt.StrokeDash("Quote:N", sort=list(series.values()), legend=None),
            tooltip=["Periode", "Quote", alt.Tooltip("Anteil:Q", format=".1f")],
        )
        .properties(height=260)
    )
    charts.chart(line, container=left, title="Online-Quote je Berichtsperiode")
    trend_table = pd.DataFrame(
        {
            "Periode": trend["period"],
            "Leistungen": trend["services_in_scope"],
            "Berlin (≥ 3)": trend["online_quota_own"].map(fmt.percent),
            "Δ Berlin": trend["online_quota_own_delta_pp"].map(delta_pp),
            "inkl. Bund/EfA (≥ 3)": trend["online_quota_all"].map(fmt.percent),
            "Δ inkl. Bund/EfA": trend["online_quota_all_delta_pp"].map(delta_pp),
            "Vergleich ≥ 2": trend["level2_quota_all"].map(fmt.percent),
        }
    )
    right.dataframe(trend_table, hide_index=True, width="stretch")
    right.caption("Δ: Veränderung zur Vorperiode in Prozentpunkten (Pp.).")
    with right:
        table_downloads(
            trend_table,
            title="Online-Quote je Berichtsperiode",
            key="od_trend_table",
            filters=context_filters(),
        )

st.header("Leistungen")
state = load(service_state, **args)
topic_options = (
    state[["topic_area", "topic_name"]].dropna().drop_duplicates().sort_values("topic_name")
)
topic_names = dict(zip(topic_options["topic_area"], topic_options["topic_name"], strict=True))
provider_names = {**PROVIDER_LABELS, NO_OFFER: "kein Angebot"}
f1, f2, f3 = st.columns(3)
text = f1.text_input(
    "Suche",
    key="od_suche",
    placeholder="Bezeichnung, LeiKa-Schlüssel oder OZG-ID",
    help="Sucht in Leistungsbezeichnung, LeiKa-Schlüssel, OZG-ID und OZG-Leistung.",
)
topics = f2.multiselect(
    "Themenfeld",
    list(topic_names),
    format_func=topic_names.get,
    key="od_themenfeld",
    placeholder="alle Themenfelder",
)
providers = f3.multiselect(
    "Bereitsteller",
    list(provider_names),
    format_func=provider_names.get,
    key="od_bereitsteller",
    placeholder="alle Bereitsteller",
    help="Leistungen mit einem Angebot dieses Bereitstellers (gleich welcher Reifegrad).",
)
f4, f5, f6 = st.columns(3)
levels = f4.multiselect(
    "Reifegrad (bestes Angebot)",
    list(LEVELS),
    format_func=lambda n: f"Reifegrad {n}",
    key="od_reifegrad",
    placeholder="alle Reifegrade",
)
authority_names = sorted(state["authority_name"].unique())
authorities = f5.multiselect(
    "Behörde", authority_names, key="od_behoerde", placeholder="alle Behörden"
)
online_choice = f6.selectbox(
    "Online (Reifegrad ≥ 3)",
    ["alle", "ja", "nein"],
    key="od_online",
    help="Bestes Angebot einschließlich Bund und EfA.",
)
filtered = filter_services(
    state,
    text=text,
    topic_areas=tuple(topics),
    providers=tuple(providers),
    levels=tuple(levels),
    authorities=tuple(authorities),
    online={"alle": None, "ja": True, "nein": False}[online_choice],
)


def service_table(frame: pd.DataFrame) -> pd.DataFrame:
    """The columns the tables show, with German headers."""
    return pd.DataFrame(
        {
            "LeiKa-Schlüssel": frame["leika_key"].fillna("nicht im LeiKa"),
            "Leistung": frame["name"],
            "OZG-ID": frame["ozg_id"],
            "OZG-Leistung": frame["ozg_name"],
            "Themenfeld": frame["topic_name"],
            "Behörde": frame["authority_name"],
            "Reifegrad": frame["all_level"],
            "Reifegrad Berlin": frame["own_level"],
            "bestes Angebot": frame["best_offer"].fillna("kein Angebot"),
            "online seit": pd.to_datetime(frame["online_since"]),
            "Stand": pd.to_datetime(frame["as_of"]),
            "Link": frame["url"],
        }
    )


SERVICE_COLUMNS = {
    "online seit": st.column_config.DateColumn(format="DD.MM.YYYY"),
    "Stand": st.column_config.DateColumn(format="DD.MM.YYYY"),
    "Link": st.column_config.LinkColumn(display_text="öffnen"),
    "Reifegrad": st.column_config.NumberColumn(
        format="%d", help="Bestes Angebot einschließlich Bund und EfA (0–4, Modell 1.1)"
    ),
    "Reifegrad Berlin": st.column_config.NumberColumn(
        format="%d", help="Bestes Angebot des Landes Berlin oder eines Bezirks"
    ),
}
# The LeiKa key is a 14-digit identifier, not an amount: text in Excel, no thousands separator.
SERVICE_EXPORT_KINDS = {"LeiKa-Schlüssel": "text", "OZG-ID": "text"}
st.caption(
    f"{fmt.number(len(filtered))} von {fmt.number(len(state))} Leistungen. Reifegrad: bestes "
    "Angebot (0 = kein Angebot gemeldet)."
)
if filtered.empty:
    st.info("Keine Leistung passt zu den Filtern. Bitte Filter lockern oder die Suche ändern.")
else:
    shown_services = service_table(filtered)
    st.dataframe(
        shown_services,
        hide_index=True,
        width="stretch",
        column_config=SERVICE_COLUMNS,
        key="od_tabelle",
    )
    table_downloads(
        shown_services,
        title=f"Leistungen {ctx.period}",
        key="od_services_table",
        filters=context_filters(
            Suche=text.strip(),
            Themenfeld=", ".join(topic_names[t] for t in topics),
            Bereitsteller=", ".join(provider_names[p] for p in providers),
            Reifegrad=", ".join(str(n) for n in levels),
            Behörde=", ".join(authorities),
            Online="" if online_choice == "alle" else online_choice,
        ),
        column_kinds=SERVICE_EXPORT_KINDS,
    )

st.header("OZG-Leistungen und ihre Verwaltungsleistungen")
bundles = load(ozg_summary, **args)
bundle_names = {
    bundle.ozg_id: f"{bundle.ozg_name or 'ohne Bezeichnung'} (OZG-ID {bundle.ozg_id})"
    for bundle in bundles.sort_values("ozg_name").itertuples()
}
chosen = st.selectbox(
    "OZG-Leistung",
    list(bundle_names),
    index=None,
    format_func=bundle_names.get,
    placeholder="OZG-Leistung wählen, um ihre LeiKa-Leistungen zu sehen …",
    key="od_ozg",
    help="Eine OZG-Leistung bündelt Verwaltungsleistungen (LeiKa). Sie gilt hier als online, "
    "wenn ihre Leistungen online sind; die Quote zählt jede LeiKa-Leistung einzeln.",
)
if chosen is None:
    overview = pd.DataFrame(
        {
            "OZG-ID": bundles["ozg_id"],
            "OZG-Leistung": bundles["ozg_name"],
            "Themenfeld": bundles["topic_name"],
            "Leistungen": bundles["services"],
            "online (Berlin)": bundles["online_own"],
            "online (inkl. Bund/EfA)": bundles["online_all"],
            "Quote inkl. Bund/EfA": bundles["online_quota_all"].map(fmt.percent),
        }
    )
    st.dataframe(overview, hide_index=True, width="stretch", key="od_ozg_tabelle")
    table_downloads(
        overview,
        title=f"OZG-Leistungen {ctx.period}",
        key="od_ozg_table",
        filters=context_filters(),
        column_kinds={"OZG-ID": "text"},
    )
else:
    members = filter_services(state, ozg_id=chosen)
    summary = bundles[bundles["ozg_id"] == chosen].iloc[0]
    st.caption(
        f"{fmt.number(summary['services'])} Verwaltungsleistungen, davon online inkl. Bund/EfA "
        f"{fmt.number(summary['online_all'])}, mit Berliner Angebot "
        f"{fmt.number(summary['online_own'])}."
    )
    members_shown = service_table(members)
    st.dataframe(
        members_shown,
        hide_index=True,
        width="stretch",
        column_config=SERVICE_COLUMNS,
        key="od_ozg_leistungen",
    )
    table_downloads(
        members_shown,
        title=f"Leistungen der OZG-Leistung {chosen} {ctx.period}",
        key="od_ozg_members_table",
        filters=context_filters(**{"OZG-Leistung": bundle_names[chosen]}),
        column_kinds=SERVICE_EXPORT_KINDS,
    )

with st.expander(
    f"Neu online in den letzten {NEW_ONLINE_DAYS} Tagen ({fmt.number(figures['services_new_online'])})"
):
    new = load(newly_online, **args)
    if new.empty:
        st.info(f"In den {NEW_ONLINE_DAYS} Tagen bis zum Periodenende ging keine Leistung online.")
    else:
        new_shown = service_table(new)
        st.dataframe(new_shown, hide_index=True, width="stretch", column_config=SERVICE_COLUMNS)
        table_downloads(
            new_shown,
            title=f"Neu online {NEW_ONLINE_DAYS} Tage {ctx.period}",
            key="od_new_online_table",
            filters=context_filters(),
            column_kinds=SERVICE_EXPORT_KINDS,
        )

with st.expander(f"Nachnutzung prüfen ({fmt.number(figures['services_adoption_candidates'])})"):
    candidates = load(adoption_candidates, **args)
    if candidates.empty:
        st.info("Kein EfA- oder Bundesangebot ≥ 3, das Berlin nicht schon selbst erreicht.")
    else:
        candidates_shown = pd.DataFrame(
            {
                "LeiKa-Schlüssel": candidates["leika_key"].fillna("nicht im LeiKa"),
                "Leistung": candidates["name"],
                "Themenfeld": candidates["topic_name"],
                "Behörde": candidates["authority_name"],
                "Angebot zur Nachnutzung": candidates["reuse_offer"],
                "Reifegrad dort": candidates["reuse_level"],
                "Reifegrad Berlin": candidates["own_level"],
            }
        )
        st.dataframe(candidates_shown, hide_index=True, width="stretch")
        table_downloads(
            candidates_shown,
            title=f"Nachnutzung prüfen {ctx.period}",
            key="od_adoption_table",
            filters=context_filters(),
            column_kinds=SERVICE_EXPORT_KINDS,
        )

with st.expander("Datenquellen dieser Periode"):
    sources = load(status_sources, **args)
    if sources.empty:
        st.info("Für diese Periode wurde noch kein Stand der Onlinedienste eingelesen.")
    else:
        sources_shown = pd.DataFrame(
            {
                "Quelle": sources["source_label"],
                "Behörde": sources["authority"],
                "Periode": sources["period_id"],
                "eingegangen am": pd.to_datetime(sources["submitted_at"]),
                "Stand": pd.to_datetime(sources["as_of"]),
                "Angebote": sources["offers"],
            }
        )
        st.dataframe(
            sources_shown,
            hide_index=True,
            width="stretch",
            column_config={
                "eingegangen am": st.column_config.DatetimeColumn(format="DD.MM.YYYY"),
                "Stand": st.column_config.DateColumn(format="DD.MM.YYYY"),
            },
        )
        st.caption(
            "Je Behörde und Quelle zählt ihr neuester Stand bis zur gewählten Periode "
            "(letzter bekannter Stand). PVOG-Export: „ok“ gilt als Reifegrad 3; "
            "Service-Portal: Online-Link = Reifegrad 3, sonst Reifegrad 1 (Information)."
        )
        table_downloads(
            sources_shown,
            title=f"Datenquellen Onlinedienste {ctx.period}",
            key="od_sources_table",
            filters=context_filters(),
            column_kinds={"eingegangen am": "datetime", "Stand": "date"},
        )


# --- Bundesweit (issue 8): availability per state, district and municipality -----------------
# Shown only when an availability matrix was loaded; Berlin-only databases never query it.
nat_snapshot = None
if load(national.has_national_data):
    st.subheader("Bundesweit: Online-Verfügbarkeit je Land, Kreis und Gemeinde")
    nat_snapshot = load(national.snapshot, period=ctx.period)
    if nat_snapshot is None:
        st.info(
            f"Für {ctx.period} liegt noch keine bundesweite Verfügbarkeitsmatrix vor. Bitte eine "
            "spätere Berichtsperiode wählen."
        )


@st.fragment
def national_section() -> None:
    """Drill-down through states, districts and municipalities. A fragment: choosing a state
    or municipality reruns only this section, not the Berlin figures above (issue 8)."""
    nat_topics = load(national.topic_areas)
    nat_topic_label = dict(zip(nat_topics["topic_area"], nat_topics["name"], strict=True))
    n1, n2, n3, n4 = st.columns(4)
    nat_topic = n1.selectbox(
        "Themenfeld (bundesweit)",
        [None, *nat_topic_label],
        format_func=lambda t: "alle Themenfelder" if t is None else nat_topic_label[t],
        key="od_bund_themenfeld",
    )
    nat_args = {"period": ctx.period, "topic_area": nat_topic}
    nat_states = load(national.regions)
    nat_state = n2.selectbox(
        "Land",
        [None, *nat_states["code"]],
        format_func=lambda c: (
            "alle Länder"
            if c is None
            else dict(zip(nat_states["code"], nat_states["name"], strict=True))[c]
        ),
        key="od_bund_land",
    )
    nat_district = nat_muni = None
    if nat_state is not None:
        nat_districts = load(national.regions, parent=nat_state)
        nat_names = dict(zip(nat_districts["code"], nat_districts["name"], strict=True))
        nat_district = n3.selectbox(
            "Kreis",
            [None, *nat_names],
            format_func=lambda c: "alle Kreise" if c is None else nat_names[c],
            key="od_bund_kreis",
        )
    if nat_district is not None:
        nat_munis = load(national.regions, parent=nat_district)
        nat_muni_names = dict(zip(nat_munis["code"], nat_munis["name"], strict=True))
        nat_muni = n4.selectbox(
            "Gemeinde",
            [None, *nat_muni_names],
            format_func=lambda c: "alle Gemeinden" if c is None else nat_muni_names[c],
            key="od_bund_gemeinde",
        )
    nat_total = load(national.headline, **nat_args)
    st.caption(
        f"Verfügbarkeitsmatrix Stand {fmt.date(nat_total['as_of'])} (Periode "
        f"{nat_total['snapshot_period']}): {fmt.number(nat_total['services'])} Leistungen × "
        f"{fmt.number(nat_total['municipalities'])} Gemeinden. {national.RULES['snapshot']}"
    )
    m1, m2, m3, m4 = st.columns(4)
    m1.metric(
        "Verfügbarkeit Deutschland",
        fmt.percent(nat_total["coverage"]),
        help=national.RULES["coverage"],
    )
    m2.metric(
        "bevölkerungsgewichtet",
        fmt.percent(nat_total["population_coverage"]),
        help=national.RULES["population"],
    )
    m3.metric(
        "überall online",
        fmt.number(nat_total["services_everywhere"]),
        help=f"{national.RULES['everywhere']} Von {fmt.number(nat_total['services'])} Leistungen; "
        f"in mindestens einer Gemeinde: {fmt.number(nat_total['services_anywhere'])}.",
    )
    m4.metric(
        "Vergleich: Reifegrad ≥ 2",
        fmt.percent(nat_total["level2_coverage"]),
        help=national.RULES["level2"],
    )
    if nat_muni is not None:
        nat_offers = load(national.municipality_services, ags=nat_muni, **nat_args)
        st.caption(
            f"{nat_muni_names[nat_muni]}: {fmt.number(int(nat_offers['online'].sum()))} von "
            f"{fmt.number(len(nat_offers))} Leistungen online (Reifegrad ≥ 3)."
        )
        nat_offers_shown = pd.DataFrame(
            {
                "LeiKa-Schlüssel": nat_offers["leika_key"],
                "Leistung": nat_offers["name"],
                "Themenfeld": nat_offers["topic_name"],
                "Reifegrad": nat_offers["maturity_level"],
                "Angebot von": nat_offers["provider"],
            }
        )
        st.dataframe(nat_offers_shown, hide_index=True, width="stretch", key="od_bund_leistungen")
        table_downloads(
            nat_offers_shown,
            title=f"Leistungen {nat_muni_names[nat_muni]} {ctx.period}",
            key="od_bund_leistungen_table",
            filters=context_filters(Gemeinde=nat_muni_names[nat_muni]),
            column_kinds=SERVICE_EXPORT_KINDS,
        )
    else:
        nat_level = (
            "state" if nat_state is None else "district" if nat_district is None else "municipality"
        )
        nat_rows = load(
            national.coverage, level=nat_level, parent=nat_district or nat_state, **nat_args
        )
        nat_label = national.LEVEL_LABELS[nat_level]
        nat_shown = pd.DataFrame(
            {
                nat_label: nat_rows["name"],
                "Gemeinden": nat_rows["municipalities"],
                "Einwohner": nat_rows["population"],
                "Verfügbarkeit": nat_rows["coverage"].map(fmt.percent),
                "bevölkerungsgewichtet": nat_rows["population_coverage"].map(fmt.percent),
                "überall online": nat_rows["services_everywhere"],
                "in mind. einer Gemeinde": nat_rows["services_anywhere"],
                "Vergleich ≥ 2": nat_rows["level2_coverage"].map(fmt.percent),
            }
        )
        nat_left, nat_right = st.columns([2, 3])
        nat_bars = nat_rows.nlargest(40, "population") if len(nat_rows) > 40 else nat_rows
        nat_left.altair_chart(
            alt.Chart(
                nat_bars.assign(Anteil=nat_bars["coverage"] * 100).rename(
                    columns={"name": nat_label}
                )
            )
            .mark_bar()
            .encode(
                x=alt.X("Anteil:Q", title="Verfügbarkeit in %", scale=alt.Scale(domain=[0, 100])),
                y=alt.Y(f"{nat_label}:N", sort="-x", title=None, axis=alt.Axis(labelLimit=200)),
                tooltip=[nat_label, alt.Tooltip("Anteil:Q", format=".1f")],
            )
            .properties(height=max(200, 18 * len(nat_bars))),
            width="stretch",
        )
        if len(nat_rows) > 40:
            nat_left.caption("Diagramm: die 40 einwohnerstärksten; alle Zeilen in der Tabelle.")
        nat_right.dataframe(nat_shown, hide_index=True, width="stretch", key="od_bund_tabelle")
        with nat_right:
            table_downloads(
                nat_shown,
                title=f"Verfügbarkeit je {nat_label} {ctx.period}",
                key="od_bund_table",
                filters=context_filters(
                    Themenfeld="" if nat_topic is None else nat_topic_label[nat_topic],
                    Land=""
                    if nat_state is None
                    else dict(zip(nat_states["code"], nat_states["name"], strict=True))[nat_state],
                    Kreis="" if nat_district is None else nat_names[nat_district],
                ),
            )


if nat_snapshot is not None:
    national_section()
