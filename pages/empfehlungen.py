"""Handlungsempfehlungen: the ranked recommendations of the period, each with its rule, its
evidence rows and a link to the filtered detail view; counts per rule and per authority;
admins acknowledge or dismiss an entry with a reason."""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd
import streamlit as st

from data.reference import parse_period
from kpi.recommendations import (
    EVIDENCE_KINDS,
    RANKING_TEXT,
    RULES,
    RULES_BY_ID,
    SEVERITY_LABELS,
    STATE_LABELS,
    STATE_TEXT,
    counts_by_authority,
    counts_by_rule,
    decision_history,
    filter_findings,
    recommendations,
    rule_catalogue,
)
from loaders.eakte import EAKTE_STATUS_LABELS
from loaders.enums import PROGRAMME_LABELS, STATUS_LABELS, TRAFFIC_LIGHT_LABELS
from store.recommendations import DecisionRefused, decide
from ui import charts
from ui import format as fmt
from ui.data import load
from ui.export import context_filters, page_as_of, table_downloads
from ui.filters import caption, escape, link_notice, render
from ui.navigation import pages_for
from ui.page_guard import guard_page

SEVERITY_ICONS = {"high": "🔴 hoch", "medium": "🟠 mittel", "low": "⚪ niedrig"}
STATE_ICONS = {
    "open": "offen",
    "acknowledged": "✔ zur Kenntnis genommen",
    "dismissed": "⏸ zurückgestellt",
}
# Views of the Vorhaben page that show exactly a rule's kind of evidence.
PROJECT_VIEWS = {"light_mismatch": "Ampel-Abweichung", "overdue": "überfällig"}
LIST_KEY = "empfehlungen_liste"
CHOICE_KEY = "empfehlung"

guard_page(__file__)
st.title("Handlungsempfehlungen")
ctx = st.session_state["ctx"]
if ctx.period is None:
    st.info(
        "Noch keine Meldungen vorhanden. Sobald Vorhabenlisten, Leistungs- oder E-Akte-Stände "
        "eingegangen sind, leitet diese Seite daraus Handlungsempfehlungen ab."
    )
    st.stop()

filters = render()
# Datenstand of the exports: the newest report the rules read (lists, E-Akte, services)
page_as_of(kinds=("projects", "eakte", "services"), selection=filters.selection)
today = date.today()
evaluation = load(
    recommendations,
    period=ctx.period,
    today=today,
    include_unpublished=ctx.include_unpublished,
    selection=filters.selection,
)
st.caption(
    f"Berichtsperiode {ctx.period} · Stichtag {fmt.date(min(today, parse_period(ctx.period)[1]))}"
    " · Regeln mit Schwellenwerten unten unter „Regeln und Schwellenwerte“"
)
caption(filters)
for message in st.session_state.pop("recommendation_done", []):
    st.success(message, icon=":material/check_circle:")

findings = evaluation.findings
everything = findings
states = findings["state"].value_counts()
cards = st.columns(4)
cards[0].metric(
    "offen",
    fmt.number(int(states.get("open", 0))),
    help="Empfehlungen, zu denen (für die aktuellen Belege) noch nichts entschieden ist. "
    + STATE_TEXT,
    border=True,
)
cards[1].metric(
    "davon hoch",
    fmt.number(int(((findings["state"] == "open") & (findings["severity"] == "high")).sum())),
    help="Offene Empfehlungen mit Dringlichkeit „hoch“; wann eine Regel „hoch“ meldet, steht "
    "in ihrer Bedingung.",
    border=True,
)
cards[2].metric(
    "zur Kenntnis genommen",
    fmt.number(int(states.get("acknowledged", 0))),
    help="Von der Datenverantwortung bestätigt (mit Begründung); bleiben in der Liste.",
    border=True,
)
cards[3].metric(
    "zurückgestellt",
    fmt.number(int(states.get("dismissed", 0))),
    help="Mit Begründung zurückgestellt; nur sichtbar, wenn der Filter „Bearbeitungsstand“ sie "
    "einschließt. " + STATE_TEXT,
    border=True,
)

# --- Page filters (bound to the URL, like the global filters) ---------------------------------
left, middle, right = st.columns(3)
rule_ids = left.multiselect(
    "Regel",
    [rule.id for rule in RULES],
    format_func=lambda r: RULES_BY_ID[r].title,
    key="regel",
    bind="query-params",
    placeholder="alle",
)
severities = middle.multiselect(
    "Dringlichkeit",
    list(SEVERITY_LABELS),
    format_func=SEVERITY_LABELS.get,
    key="dringlichkeit",
    bind="query-params",
    placeholder="alle",
)
if "stand" not in st.session_state and "stand" not in st.query_params:
    st.session_state["stand"] = ["open", "acknowledged"]
chosen_states = right.multiselect(
    "Bearbeitungsstand",
    list(STATE_LABELS),
    format_func=STATE_LABELS.get,
    key="stand",
    bind="query-params",
    placeholder="alle",
    help="Standard: offene und zur Kenntnis genommene. Zurückgestellte erscheinen, wenn Sie "
    "„zurückgestellt“ hinzunehmen.",
)
link_notice(
    {
        "regel": [rule.title for rule in RULES],
        "dringlichkeit": SEVERITY_LABELS.values(),
        "stand": STATE_LABELS.values(),
    },
    labels={"regel": "Regel", "dringlichkeit": "Dringlichkeit", "stand": "Bearbeitungsstand"},
)
shown = filter_findings(
    findings,
    rule_ids=tuple(rule_ids),
    severities=tuple(severities),
    states=tuple(chosen_states),
)

# --- Ranked list ------------------------------------------------------------------------------
st.header("Rangliste")
st.caption(RANKING_TEXT)
if shown.empty:
    if everything.empty:
        st.success(
            f"Für {ctx.period} und diese Auswahl schlägt keine Regel an. Prüfen Sie eine andere "
            "Berichtsperiode oder lockern Sie die Filter in der Seitenleiste.",
            icon=":material/task_alt:",
        )
    else:
        st.info(
            f"Keine Handlungsempfehlungen für diese Auswahl ({fmt.number(len(everything))} "
            "insgesamt). Nehmen Sie weitere Regeln, Dringlichkeiten oder Bearbeitungsstände "
            "in die Filter auf.",
            icon=":material/search_off:",
        )
    st.stop()


def _impact(impact: float, unit: str) -> str:
    if unit == "€":
        return fmt.money(impact)
    return f"{fmt.number(impact)} {unit}"


ranked = pd.DataFrame(
    {
        "Rang": shown["rank"],
        "Dringlichkeit": shown["severity"].map(SEVERITY_ICONS),
        "Regel": shown["rule_title"],
        "Empfehlung": shown["title"],
        "Behörden": shown["authorities"],
        "Tragweite": [_impact(i, u) for i, u in zip(shown["impact"], shown["unit"], strict=True)],
        "Anteil am Ganzen in %": (shown["impact_share"] * 100).round(2),
        "Belege": shown["evidence_rows"],
        "Bearbeitungsstand": shown["state"].map(STATE_ICONS),
    }
)
keys = list(shown["key"])
st.session_state["_empfehlung_keys"] = keys


def _open_selected() -> None:
    """A click on a row of the list opens that recommendation below."""
    selection = st.session_state.get(LIST_KEY)
    rows = getattr(getattr(selection, "selection", None), "rows", None) or []
    listed = st.session_state.get("_empfehlung_keys", [])
    if rows and rows[0] < len(listed):
        st.session_state[CHOICE_KEY] = listed[rows[0]]


st.dataframe(
    ranked,
    hide_index=True,
    width="stretch",
    height=min(560, 38 + 35 * len(ranked)),
    key=LIST_KEY,
    on_select=_open_selected,
    selection_mode="single-row",
    column_config={
        "Rang": charts.COUNT,
        "Belege": charts.COUNT,
        "Anteil am Ganzen in %": st.column_config.NumberColumn(
            format="localized",
            help="Tragweite ÷ Ganzes, an dem die Regel misst (z. B. gemeldetes Gesamtbudget).",
        ),
        "Tragweite": st.column_config.TextColumn(
            help="Budget, Leistungen, Arbeitsplätze oder Vorhaben, die die Empfehlung betrifft; "
            "wie gezählt wird, steht bei jeder Regel."
        ),
    },
)
st.caption(
    f"{fmt.number(len(shown))} von {fmt.number(len(everything))} Empfehlungen. Zeile anklicken "
    "oder unten auswählen, um Belege und Verknüpfung zu öffnen."
)
table_downloads(
    ranked,
    title=f"Handlungsempfehlungen {ctx.period}",
    key="recommendations_list",
    filters=context_filters(
        Regel=", ".join(RULES_BY_ID[r].title for r in rule_ids),
        Dringlichkeit=", ".join(SEVERITY_LABELS[s] for s in severities),
        Bearbeitungsstand=", ".join(STATE_LABELS[s] for s in chosen_states),
        **filters.export_filters(),
    ),
    column_kinds={"Anteil am Ganzen in %": "percent", "Rang": "integer", "Belege": "integer"},
)

# --- One recommendation: rule, evidence, link, decision ---------------------------------------
st.header("Empfehlung im Detail")
if st.session_state.get(CHOICE_KEY) not in keys:
    st.session_state[CHOICE_KEY] = keys[0]
labels = dict(zip(keys, shown["rank"].astype(str) + ". " + shown["title"], strict=True))
key = st.selectbox(
    "Empfehlung",
    keys,
    format_func=labels.get,
    key=CHOICE_KEY,
    help="Die Empfehlungen der Rangliste, in ihrer Reihenfolge.",
)
item = shown.set_index("key").loc[key]
rule = RULES_BY_ID[str(item["rule_id"])]

st.markdown(f"**{escape(str(item['title']))}**")
st.caption(
    f"Regel: {rule.title} · Dringlichkeit: {SEVERITY_LABELS[str(item['severity'])]} · "
    f"Bearbeitungsstand: {STATE_LABELS[str(item['state'])]}"
)
facts, why = st.columns([1, 2])
facts.metric(
    f"Tragweite ({item['unit']})",
    charts.money_short(float(item["impact"]))
    if item["unit"] == "€"
    else fmt.number(float(item["impact"])),
    help=f"{rule.impact}: {_impact(float(item['impact']), str(item['unit']))}; Anteil "
    f"{rule.whole}: {fmt.number(float(item['impact_share']) * 100, decimals=2)} %.",
    border=True,
)
facts.metric(
    "Belege",
    fmt.number(int(item["evidence_rows"])),
    help="Zeilen, auf die die Regel anschlägt (Tabelle unten).",
    border=True,
)
why.markdown(f"**Warum das zählt:** {rule.why}")
why.markdown(f"**Nächster Schritt:** {rule.next_step}")
why.caption(f"Bedingung: {rule.condition(evaluation.thresholds)}")

if bool(item["evidence_changed"]):
    st.warning(
        "Diese Empfehlung war bereits bearbeitet; seitdem haben sich ihre Belege geändert, "
        "deshalb ist sie wieder offen.",
        icon=":material/update:",
    )
elif item["state"] != "open":
    st.info(
        f"{STATE_LABELS[str(item['state'])]} von {item['decided_by']} am "
        f"{fmt.date(item['decided_at'])}. Begründung:",
        icon=":material/assignment_turned_in:",
    )
    st.text(str(item["decision_reason"]))


def _evidence_table(rows: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, Any], dict[str, str]]:
    """The evidence as shown: German headers, labels for codes, shares in percent."""
    table: dict[str, Any] = {}
    config: dict[str, Any] = {}
    kinds: dict[str, str] = {}
    for column, label in rule.columns.items():
        if column not in rows.columns:
            continue
        kind = EVIDENCE_KINDS.get(column, "text")
        values = rows[column]
        if kind == "money":
            label = f"{label} in €"
            values = values.astype("float64").round(2)
            config[label] = charts.COUNT
            kinds[label] = "money"
        elif kind == "share":
            label = f"{label} in %"
            values = (values.astype("float64") * 100).round(1)
            config[label] = st.column_config.NumberColumn(format="localized")
            kinds[label] = "percent"
        elif kind == "date":
            values = pd.to_datetime(values).dt.date
            config[label] = charts.DATE
            kinds[label] = "date"
        elif kind in ("integer", "decimal"):
            values = values.astype("Float64")
            config[label] = charts.COUNT
            kinds[label] = "integer" if kind == "integer" else "decimal"
        elif kind == "light":
            values = values.map(charts.light_label)
        elif kind == "status":
            values = values.map(lambda v: STATUS_LABELS.get(v, v))
        elif kind == "eakte_status":
            values = values.map(lambda v: EAKTE_STATUS_LABELS.get(v, v))
        elif kind == "programme":
            values = values.map(lambda v: PROGRAMME_LABELS.get(v, v))
        table[label] = values
    return pd.DataFrame(table), config, kinds


evidence = evaluation.evidence_of(key)
st.markdown("**Belege**")
evidence_table, evidence_config, evidence_kinds = _evidence_table(evidence)
st.dataframe(evidence_table, hide_index=True, width="stretch", column_config=evidence_config)
table_downloads(
    evidence_table,
    title=f"Belege {rule.title} {ctx.period}",
    key=f"evidence_{rule.id}",
    filters=context_filters(Empfehlung=str(item["title"]), **filters.export_filters()),
    column_kinds=evidence_kinds,  # type: ignore[arg-type]
)

# The filtered detail view: the global filters plus the recommendation's authorities.
visible = {spec.title: spec.path for spec in pages_for(ctx.identity.role)}
target = visible.get(rule.target)
if target is not None:
    changes: dict[str, Any] = {}
    if rule.target in ("Vorhaben", "Behörden", "E-Akte") and item["link_authorities"]:
        with_id = evidence[evidence["authority_id"].notna()]
        changes["behoerde"] = sorted({str(n) for n in with_id["short_name"]})
    if rule.id in PROJECT_VIEWS:
        changes["ansicht"] = PROJECT_VIEWS[rule.id]
    if item["link_lights"]:
        changes["ampel"] = [TRAFFIC_LIGHT_LABELS[code] for code in item["link_lights"]]
    st.page_link(
        target,
        label=f"Auf der Seite „{rule.target}“ ansehen",
        icon=":material/arrow_forward:",
        query_params=filters.link(**changes),
    )
    if rule.target == "Online-Dienste":
        st.caption(
            "Die Seite Online-Dienste hat eigene Filter: dort Themenfeld oder Behörde wählen."
        )

history = load(decision_history, key=key)
if not history.empty:
    with st.expander(f"Verlauf der Bearbeitung ({len(history)})", icon=":material/history:"):
        st.dataframe(
            pd.DataFrame(
                {
                    "am": history["decided_at"],
                    "von": history["decided_by"],
                    "Bearbeitungsstand": history["state"].map(STATE_LABELS),
                    "Begründung": history["reason"],
                    "Periode": history["period_id"],
                }
            ),
            hide_index=True,
            width="stretch",
            column_config={"am": st.column_config.DatetimeColumn(format="DD.MM.YYYY HH:mm")},
        )

if ctx.identity.role == "admin":
    with st.form("decision", border=True, clear_on_submit=True):
        st.markdown("**Bearbeiten**")
        state = st.radio(
            "Bearbeitungsstand",
            ["acknowledged", "dismissed", "open"],
            format_func={
                "acknowledged": "zur Kenntnis genommen",
                "dismissed": "zurückstellen",
                "open": "wieder öffnen",
            }.get,
            horizontal=True,
            key="decision_state",
        )
        reason = st.text_area(
            "Begründung",
            key="decision_reason",
            max_chars=1000,
            placeholder="z. B. Gespräch mit der Behörde am 12.12. vereinbart / Meldung liegt "
            "per Mail vor",
            help="Pflicht beim Bestätigen und Zurückstellen; steht im Verlauf und im Protokoll. "
            + STATE_TEXT,
        )
        if st.form_submit_button("Speichern", type="primary"):
            try:
                done = decide(
                    key=key,
                    rule_id=rule.id,
                    period=ctx.period,
                    state=state,
                    reason=reason,
                    fingerprint=str(item["fingerprint"]),
                    identity=ctx.identity,
                    authority_id=item["link_authorities"][0]
                    if len(item["link_authorities"]) == 1
                    else None,
                )
            except DecisionRefused as exc:
                st.error(escape(exc.message))
            else:
                st.session_state.setdefault("recommendation_done", []).append(
                    f"{escape(str(item['title']))}: {done.message}"
                )
                st.rerun()

# --- Counts -----------------------------------------------------------------------------------
st.header("Je Regel und je Behörde")
st.caption("Gezählt werden die Empfehlungen der Rangliste (mit den gewählten Filtern).")
per_rule = counts_by_rule(shown)
rule_table = pd.DataFrame(
    {
        "Regel": per_rule["rule_title"],
        "Empfehlungen": per_rule["recommendations"],
        "hoch": per_rule["high"],
        "mittel": per_rule["medium"],
        "niedrig": per_rule["low"],
        "offen": per_rule["open"],
        "Belege": per_rule["evidence_rows"],
    }
)
charts.show(
    charts.bar(
        rule_table,
        category="Regel",
        value="Empfehlungen",
        value_title="Empfehlungen",
        sort=list(rule_table["Regel"]),
    ),
    rule_table,
    column_config={c: charts.COUNT for c in rule_table.columns if c != "Regel"},
    title="Empfehlungen nach Regel",
)
per_authority = counts_by_authority(shown)
authority_table = pd.DataFrame(
    {
        "Behörde": per_authority["authority"],
        "Empfehlungen": per_authority["recommendations"],
        "hoch": per_authority["high"],
        "offen": per_authority["open"],
        "Regeln": per_authority["rules"],
    }
)
st.dataframe(
    authority_table,
    hide_index=True,
    width="stretch",
    height=min(420, 38 + 35 * len(authority_table)),
    column_config={c: charts.COUNT for c in ("Empfehlungen", "hoch", "offen")},
)
st.caption(
    "Ein Cluster ähnlicher Vorhaben zählt bei jeder beteiligten Behörde; „Bezirke“ steht für "
    "Leistungen, für die laut Katalog alle Bezirke zuständig sind."
)
table_downloads(
    authority_table,
    title=f"Handlungsempfehlungen je Behörde {ctx.period}",
    key="recommendations_per_authority",
)

with st.expander("Regeln und Schwellenwerte", icon=":material/rule:"):
    catalogue = rule_catalogue(evaluation.thresholds)
    st.dataframe(
        pd.DataFrame(
            {
                "Regel": catalogue["title"],
                "Dringlichkeit": catalogue["severity"],
                "Bedingung": catalogue["condition"],
                "Tragweite": catalogue["impact"],
                "Nächster Schritt": catalogue["next_step"],
            }
        ),
        hide_index=True,
        width="stretch",
    )
    st.caption(
        "Schwellenwerte kommen aus den Einstellungen (Umgebungsvariablen "
        "DASHBOARD_RECOMMENDATION_…, siehe README). " + RANKING_TEXT
    )
