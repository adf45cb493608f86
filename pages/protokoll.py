"""Protokoll: the audit log for admins — read, filter, export."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from kpi.access import log_export
from kpi.audit import (
    MAX_ENTRIES,
    action_label,
    audit_actions,
    audit_authorities,
    audit_entries,
)
from kpi.export import ExportMeta, file_stem, to_csv, to_xlsx
from loaders.errors import NotAllowed
from store import connection as db
from store.identity import ROLE_LABELS
from ui.page_guard import guard_page

guard_page(__file__)
st.title("Protokoll")
ctx = st.session_state["ctx"]
st.caption(
    "Jede Meldung, Ablehnung, jeder Prüfschritt, Export und jede verweigerte Aktion – mit "
    "wer, wann und was. Einträge werden in derselben Transaktion wie die Daten geschrieben "
    "und nie geändert."
)

# Read uncached: audit entries are written without bumping data_version (refusals, exports),
# so a cached read would go stale, and the log should not sit in the shared cache anyway.
try:
    known_actions = audit_actions(db.cursor(), identity=ctx.identity)
except NotAllowed as exc:
    st.error(exc.message)
    st.stop()

today = dt.date.today()
left, middle, right = st.columns([2, 3, 2])
period = left.date_input(
    "Zeitraum",
    value=(today - dt.timedelta(days=90), today),
    format="DD.MM.YYYY",
    key="audit_range",
    help="Einträge vom ersten bis einschließlich zum letzten Tag.",
)
chosen = middle.multiselect(
    "Aktion",
    known_actions,
    format_func=action_label,
    key="audit_actions",
    placeholder="alle Aktionen",
)
names = audit_authorities(db.cursor(), identity=ctx.identity)
authority = right.selectbox(
    "Behörde",
    [None, *sorted(names, key=lambda a: names[a])],
    format_func=lambda a: "alle Behörden" if a is None else names.get(a, a),
    key="audit_authority",
)
actor = st.text_input(
    "Wer (Teil des Namens)", key="audit_actor", help="Groß- und Kleinschreibung egal."
)

dates = tuple(period) if isinstance(period, (tuple, list)) else (period,)
since = dates[0] if dates else None
until = dates[1] if len(dates) > 1 else since  # while the second day is being picked
entries = audit_entries(
    db.cursor(),
    identity=ctx.identity,
    since=since,
    until=until,
    actions=tuple(sorted(chosen)),
    actor=actor.strip() or None,
    authority_id=authority,
)

if entries.empty:
    st.info(
        "Keine Einträge für diese Auswahl. Zeitraum erweitern oder Filter zurücksetzen, um "
        "mehr zu sehen."
    )
    st.stop()

st.caption(
    f"{len(entries)} Einträge, neueste zuerst"
    + (f" (höchstens {MAX_ENTRIES} werden gezeigt)." if len(entries) >= MAX_ENTRIES else ".")
)
table = pd.DataFrame(
    {
        "Zeitpunkt": entries["occurred_at"],
        "Wer": entries["actor"],
        "Rolle": entries["role"].map(lambda r: ROLE_LABELS.get(r, r)),
        "Aktion": entries["action_label"],
        "Behörde": entries["authority_id"].map(lambda a: names.get(a, a) if a else ""),
        "Periode": entries["period_id"],
        "Meldung Nr.": entries["submission_id"],
        "Details": entries["detail_text"],
    }
)
st.dataframe(
    table,
    hide_index=True,
    width="stretch",
    column_config={
        "Zeitpunkt": st.column_config.DatetimeColumn(format="DD.MM.YYYY HH:mm:ss"),
        "Meldung Nr.": st.column_config.NumberColumn(format="%d"),
        "Details": st.column_config.TextColumn(
            help="Was der Eintrag festhält, in Worten (Datei, Art, Zeilen, Hinweise, Grund); "
            "gespeichert bleibt der Eintrag unverändert."
        ),
    },
)
filters = {
    "Zeitraum": f"{since:%d.%m.%Y} – {until:%d.%m.%Y}" if since and until else "alle",
    "Aktion": ", ".join(action_label(a) for a in chosen) or "alle",
    "Behörde": names.get(authority, "alle") if authority else "alle",
    "Wer": actor.strip() or "alle",
}
stamp = dt.datetime.now()


def _download(fmt: str):  # built on click; every export is written to the audit log
    def make() -> bytes:
        meta = ExportMeta(
            title="Protokoll", filters=filters, as_of=stamp, exported_by=ctx.identity.name
        )
        content = (
            to_csv(table, meta=meta)
            if fmt == "csv"
            else to_xlsx(
                table,
                meta=meta,
                column_kinds={"Zeitpunkt": "datetime", "Meldung Nr.": "integer"},
            )
        )
        log_export(  # filters nested like every other export's, so the details read alike
            ctx.identity,
            what="Protokoll",
            rows=len(table),
            file_format=fmt,
            filters={"filters": filters},
        )
        return content

    return make


stem = file_stem("Protokoll", exported_at=stamp)
left, right, _rest = st.columns([1, 1, 6])
left.download_button(
    "CSV",
    data=_download("csv"),
    file_name=f"{stem}.csv",
    mime="text/csv",
    key="audit_export_csv",
    icon=":material/download:",
    help="Protokoll wie angezeigt als CSV (UTF-8, Semikolon) – öffnet in deutschem Excel.",
    on_click="ignore",
)
right.download_button(
    "Excel",
    data=_download("xlsx"),
    file_name=f"{stem}.xlsx",
    mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    key="audit_export_xlsx",
    icon=":material/download:",
    help="Protokoll wie angezeigt als Excel-Datei; Filter und Exportzeit im Blatt „Info“.",
    on_click="ignore",
)
