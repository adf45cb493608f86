"""Stammdaten: admins maintain the authorities (names, whether they are expected to report,
new ones) and the reporting periods' due dates. Writes go through ``store.reference`` (one
transaction with its audit entry each); the Meldequote and the missing-report lists follow."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from data.reference import AUTHORITY_KIND_LABELS, parse_period
from kpi.reference_admin import (
    RULES,
    authority_admin_table,
    due_date_periods,
    period_admin_table,
)
from store.reference import (
    ReferenceChangeRefused,
    add_authority,
    remove_authority,
    set_due_date,
    update_authority,
)
from ui import format as fmt
from ui.data import load
from ui.filters import escape
from ui.page_guard import guard_page

DONE_KEY = "stammdaten_done"
NEW_FORM_KEY = "stammdaten_new_form"


def _done(message: str) -> None:
    st.session_state.setdefault(DONE_KEY, []).append(message)
    st.rerun()


guard_page(__file__)
st.title("Stammdaten")
ctx = st.session_state["ctx"]
identity = ctx.identity
if identity.role != "admin":
    st.error("Nur die Datenverantwortlichen des CDO-Büros pflegen die Stammdaten.")
    st.stop()

for note in st.session_state.pop(DONE_KEY, []):
    st.success(escape(note), icon="✅")

st.caption(
    "Behörden und Berichtsperioden, mit denen alle Auswertungen rechnen. Jede Änderung steht "
    "im Protokoll und gilt sofort für Meldequote, fehlende Meldungen und Empfehlungen. Den "
    "Leistungskatalog laden Sie unter „Daten einreichen“ hoch; Konten kommen aus der "
    "Anmeldung (Gruppen des Identitätsanbieters)."
)

# --- Behörden -------------------------------------------------------------------------------
st.header("Behörden")
authorities = load(authority_admin_table)
if authorities.empty:
    st.info(
        "Noch keine Behörden angelegt. Die hinterlegten Behörden entstehen beim ersten Start "
        "(`python -m loaders init`); weitere legen Sie unten unter „Neue Behörde anlegen“ an."
    )
else:
    expected = int(authorities["expected_to_report"].sum())
    c1, c2, c3 = st.columns(3)
    c1.metric(
        "Behörden",
        fmt.number(len(authorities)),
        help="Alle angelegten Behörden, auch solche, die nicht mehr melden.",
    )
    c2.metric("melden Vorhaben", fmt.number(expected), help=RULES["expected"])
    c3.metric(
        "melden nicht",
        fmt.number(len(authorities) - expected),
        help="Behörden mit „meldet Vorhaben: nein“: sie zählen weder für die Meldequote noch "
        "als fehlende Meldung; ihre bisherigen Meldungen bleiben erhalten.",
    )
    shown = pd.DataFrame(
        {
            "Kurzname": authorities["short_name"],
            "Name": authorities["name"],
            "Art": authorities["kind"].map(AUTHORITY_KIND_LABELS),
            "übergeordnete Behörde": authorities["parent_short_name"].fillna("–"),
            "meldet Vorhaben": authorities["expected_to_report"].map({True: "ja", False: "nein"}),
            "Meldungen": authorities["submissions"],
            "neueste Periode": authorities["latest_period"].fillna("–"),
            "Kennung": authorities["authority_id"],
        }
    )
    st.dataframe(
        shown,
        hide_index=True,
        width="stretch",
        column_config={
            # a medium Name column keeps "meldet Vorhaben" and "Meldungen" in view
            "Name": st.column_config.TextColumn(width="medium"),
            "Meldungen": st.column_config.NumberColumn(format="%d", help=RULES["submissions"]),
            "meldet Vorhaben": st.column_config.TextColumn(help=RULES["expected"]),
            "neueste Periode": st.column_config.TextColumn(
                help="Neueste Periode, für die die Behörde etwas gemeldet hat."
            ),
            "Kennung": st.column_config.TextColumn(
                help="Feste Kennung für Uploads, Links und die Kommandozeile; nicht änderbar."
            ),
        },
        key="stammdaten_authorities",
    )

    st.subheader("Behörde bearbeiten")
    ids = list(authorities["authority_id"])
    by_id = authorities.set_index("authority_id")
    chosen = st.selectbox(
        "Behörde",
        ids,
        format_func=lambda a: f"{by_id.at[a, 'short_name']} – {by_id.at[a, 'name']}",
        key="stammdaten_authority",
        help="Die Behörde, deren Name, Kurzname oder Meldepflicht Sie ändern wollen.",
    )
    row = by_id.loc[chosen]
    with st.form(f"authority_edit_{chosen}", border=True):
        name = st.text_input(
            "Name", value=str(row["name"]), max_chars=200, key=f"authority_name_{chosen}"
        )
        short_name = st.text_input(
            "Kurzname",
            value=str(row["short_name"]),
            max_chars=60,
            key=f"authority_short_{chosen}",
            help="Erscheint in Tabellen und Diagrammen; muss eindeutig sein.",
        )
        reports = st.checkbox(
            "meldet Vorhaben (zählt für die Meldequote)",
            value=bool(row["expected_to_report"]),
            key=f"authority_expected_{chosen}",
            help=RULES["expected"]
            + " Abwählen z. B. für eine aufgelöste Behörde; ihre Meldungen bleiben erhalten.",
        )
        if st.form_submit_button("Änderungen speichern", type="primary"):
            try:
                result = update_authority(
                    identity=identity,
                    authority_id=chosen,
                    name=name,
                    short_name=short_name,
                    expected_to_report=reports,
                )
            except ReferenceChangeRefused as exc:
                st.error(escape(exc.message))
            else:
                if result.changed:
                    _done(result.message)
                st.info(escape(result.message))
    if bool(row["from_code"]) or int(row["submissions"]):
        st.caption(
            "Löschen ist nicht möglich: "
            + (
                "die Behörde hat Meldungen."
                if int(row["submissions"])
                else "die Behörde gehört zu den fest hinterlegten Behörden."
            )
            + " Wenn sie nicht mehr meldet, „meldet Vorhaben“ abwählen."
        )
    else:
        with st.expander("Behörde löschen"):
            st.write(
                "Nur für irrtümlich angelegte Behörden ohne Meldungen. Das Löschen steht im "
                "Protokoll."
            )
            if st.button("Endgültig löschen", key=f"authority_remove_{chosen}"):
                try:
                    result = remove_authority(identity=identity, authority_id=chosen)
                except ReferenceChangeRefused as exc:
                    st.error(escape(exc.message))
                else:
                    _done(result.message)

st.subheader("Neue Behörde anlegen")
form_round = st.session_state.get(NEW_FORM_KEY, 0)
parents = [None, *(list(authorities["authority_id"]) if not authorities.empty else [])]
short_names = (
    dict(zip(authorities["authority_id"], authorities["short_name"], strict=True))
    if not authorities.empty
    else {}
)
with st.form(f"authority_new_{form_round}", border=True):
    left, right = st.columns(2)
    new_short = left.text_input(
        "Kurzname",
        max_chars=60,
        placeholder="z. B. LAGetSi",
        help="Muss eindeutig sein.",
        key=f"new_short_{form_round}",
    )
    new_name = right.text_input(
        "Name",
        max_chars=200,
        key=f"new_name_{form_round}",
        placeholder="z. B. Landesamt für Arbeitsschutz, Gesundheitsschutz und technische "
        "Sicherheit",
    )
    new_kind = left.selectbox(
        "Art",
        list(AUTHORITY_KIND_LABELS),
        format_func=AUTHORITY_KIND_LABELS.get,
        key=f"new_kind_{form_round}",
        help="Senatsverwaltung, Bezirksamt, nachgeordnete Behörde oder Landesbetrieb.",
    )
    new_parent = right.selectbox(
        "übergeordnete Behörde",
        parents,
        format_func=lambda a: "keine" if a is None else short_names.get(a, a),
        help="Bei nachgeordneten Behörden und Landesbetrieben die zuständige Senatsverwaltung.",
        key=f"new_parent_{form_round}",
    )
    new_id = left.text_input(
        "Kennung (optional)",
        max_chars=60,
        key=f"new_id_{form_round}",
        help="Feste Kennung für Uploads und Links: Kleinbuchstaben, Ziffern, Bindestriche. "
        "Leer lassen, dann wird sie aus dem Kurznamen gebildet (z. B. „BA Mitte“ → "
        "„ba-mitte“).",
    )
    new_reports = right.checkbox(
        "meldet Vorhaben (zählt für die Meldequote)",
        value=True,
        help=RULES["expected"],
        key=f"new_expected_{form_round}",
    )
    if st.form_submit_button("Behörde anlegen", type="primary"):
        try:
            result = add_authority(
                identity=identity,
                name=new_name,
                short_name=new_short,
                kind=new_kind,
                authority_id=new_id,
                parent_id=new_parent,
                expected_to_report=new_reports,
            )
        except ReferenceChangeRefused as exc:
            st.error(escape(exc.message))
        else:
            st.session_state[NEW_FORM_KEY] = form_round + 1
            _done(result.message)

# --- Berichtsperioden -----------------------------------------------------------------------
st.header("Berichtsperioden")
periods = load(period_admin_table)
if periods.empty:
    st.info(
        "Noch keine Berichtsperiode angelegt. Eine Periode entsteht mit der ersten Meldung "
        "für sie; die Meldefrist der laufenden oder nächsten Periode können Sie unten schon "
        "vorher festlegen."
    )
else:
    changed = periods["due_date"] != periods["regular_due_date"]
    st.dataframe(
        pd.DataFrame(
            {
                "Periode": periods["period_id"],
                "Beginn": periods["start_date"],
                "Ende": periods["end_date"],
                "Meldefrist": periods["due_date"],
                "abweichend": changed.map({True: "ja", False: ""}),
                "eingegangene Meldungen": periods["submissions"],
                "Behörden mit Vorhabenliste": periods["authorities_with_projects"],
            }
        ),
        hide_index=True,
        width="stretch",
        column_config={
            "Beginn": st.column_config.DateColumn(format="DD.MM.YYYY"),
            "Ende": st.column_config.DateColumn(format="DD.MM.YYYY"),
            "Meldefrist": st.column_config.DateColumn(format="DD.MM.YYYY", help=RULES["due_date"]),
            "abweichend": st.column_config.TextColumn(
                help="ja: die Meldefrist weicht von der regulären (sechs Wochen nach "
                "Periodenende) ab."
            ),
            "eingegangene Meldungen": st.column_config.NumberColumn(
                format="%d", help=RULES["period_submissions"]
            ),
            "Behörden mit Vorhabenliste": st.column_config.NumberColumn(
                format="%d", help=RULES["period_authorities"]
            ),
        },
        key="stammdaten_periods",
    )

st.subheader("Meldefrist ändern")
today = dt.date.today()
choices = due_date_periods(list(periods["period_id"]), today=today)
stored = periods.set_index("period_id") if not periods.empty else None
period = st.selectbox(
    "Berichtsperiode",
    choices,
    format_func=lambda p: p if stored is not None and p in stored.index else f"{p} (neu)",
    key="stammdaten_period",
    help="Die gespeicherten Perioden sowie die laufende und die nächste.",
)
with st.form(f"due_date_{period}", border=True):
    current = (
        pd.Timestamp(stored.at[period, "due_date"]).date()
        if stored is not None and period in stored.index
        else None
    )
    regular = parse_period(period)[2]
    due = st.date_input(
        "Meldefrist",
        value=current or regular,
        format="DD.MM.YYYY",
        key=f"due_date_{period}",
        help=RULES["due_date"] + " Darf nicht vor dem Beginn der Periode liegen.",
    )
    if current is None:
        st.caption(
            f"Die Periode ist noch nicht angelegt; sie entsteht mit dieser Frist (regulär "
            f"{fmt.date(regular)})."
        )
    if st.form_submit_button("Meldefrist speichern", type="primary"):
        if due is None:
            st.error("Bitte ein Datum wählen.")
        else:
            try:
                result = set_due_date(identity=identity, period_id=period, due_date=due)
            except ReferenceChangeRefused as exc:
                st.error(escape(exc.message))
            else:
                if result.changed:
                    _done(result.message)
                st.info(escape(result.message))
