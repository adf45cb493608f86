"""Prüfung & Freigabe: the CDO office reviews incoming submissions (draft → checked →
published) with a comment; every step lands in the audit log (store.review)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from kpi.submissions import (
    comparison_submission,
    review_events,
    review_queue,
    submission,
    submission_file,
    submission_rows,
)
from loaders.kinds import KINDS
from loaders.preview import CATEGORY_COSTS, CATEGORY_DATES, CATEGORY_LIGHT, compare
from store import connection as db
from store.identity import ROLE_LABELS
from store.review import STATUS_LABELS, ReviewRefused, allowed_steps, change_review_status
from ui import format as fmt
from ui.data import load
from ui.export import table_downloads
from ui.page_guard import guard_page

_MD_SPECIAL = str.maketrans({c: "\\" + c for c in "\\`*_{}[]()#+!|<>~$"})
STEP_LABELS = {
    ("draft", "checked"): "Als geprüft markieren",
    ("checked", "published"): "Veröffentlichen",
    ("checked", "draft"): "Zurück an Entwurf",
    ("published", "checked"): "Veröffentlichung zurücknehmen",
}


def md(text: object) -> str:
    """Uploaded names and comments must not act as Markdown."""
    return str(text).translate(_MD_SPECIAL)


guard_page(__file__)
st.title("Prüfung & Freigabe")
ctx = st.session_state["ctx"]
identity = ctx.identity
if identity.role != "admin":
    st.error("Nur die Datenverantwortlichen des CDO-Büros prüfen und veröffentlichen Meldungen.")
    st.stop()

for note in st.session_state.pop("review_done", []):
    st.success(md(note), icon="✅")

st.caption(
    "Eingegangene Meldungen werden geprüft und veröffentlicht: Entwurf → geprüft → "
    "veröffentlicht. Die Auswertungen zeigen standardmäßig nur veröffentlichte Meldungen."
)

f1, f2, f3 = st.columns(3)
statuses = f1.multiselect(
    "Prüfstatus",
    list(STATUS_LABELS),
    default=["draft", "checked"],
    format_func=STATUS_LABELS.get,
    key="review_statuses",
    placeholder="Prüfstatus wählen …",
)
period_choice = f2.selectbox(
    "Berichtsperiode",
    ["alle", *ctx.periods],
    index=(ctx.periods.index(ctx.period) + 1) if ctx.period in ctx.periods else 0,
    key="review_period",
)
kind_choice = f3.selectbox(
    "Art",
    ["alle", *KINDS],
    format_func=lambda k: "alle" if k == "alle" else KINDS[k].label,
    key="review_kind",
)
queue = load(
    review_queue,
    statuses=tuple(statuses),
    period=None if period_choice == "alle" else period_choice,
    kind=None if kind_choice == "alle" else kind_choice,
)

if queue.empty:
    st.success(
        "Keine Meldungen mit diesem Prüfstatus. Neue Meldungen der Behörden erscheinen hier, "
        "sobald sie eingereicht sind; ändern Sie die Filter, um ältere zu sehen."
    )
    st.stop()

shown = pd.DataFrame(
    {
        "Nr.": queue["id"],
        "Behörde": queue["short_name"],
        "Periode": queue["period_id"],
        "Art": queue["kind"].map(lambda k: KINDS[k].label if k in KINDS else k),
        "Datei": queue["file_name"],
        "Zeilen": queue["row_count"],
        "eingereicht von": queue["submitted_by"],
        "eingereicht am": queue["submitted_at"],
        "Status": queue["review_status"].map(STATUS_LABELS),
        "überholt": queue["superseded"].map({True: "ja", False: ""}),
    }
)
st.header(f"Eingang ({len(shown)})")
st.dataframe(
    shown,
    hide_index=True,
    width="stretch",
    column_config={
        "Nr.": st.column_config.NumberColumn(format="%d"),
        "Zeilen": st.column_config.NumberColumn(format="%d"),
        "eingereicht am": st.column_config.DatetimeColumn(format="DD.MM.YYYY HH:mm"),
        "überholt": st.column_config.TextColumn(
            help="Die Behörde hat für dieselbe Periode später eine neuere Meldung eingereicht."
        ),
    },
    key="review_queue_table",
)
table_downloads(
    shown,
    title="Eingang Prüfung",
    key="review_queue_export",
    filters={
        "Prüfstatus": ", ".join(STATUS_LABELS[s] for s in statuses) or "keiner",
        "Berichtsperiode": period_choice,
        "Art": "alle" if kind_choice == "alle" else KINDS[kind_choice].label,
    },
)

ids = [int(i) for i in queue["id"]]
labels = {
    int(r.id): f"Nr. {r.id} · {r.short_name} · {r.period_id} · "
    f"{KINDS[r.kind].label if r.kind in KINDS else r.kind} · {STATUS_LABELS[r.review_status]}"
    for r in queue.itertuples()
}
chosen = st.selectbox("Meldung prüfen", ids, format_func=labels.get, key="review_choice")
item = load(submission, submission_id=chosen)
if item is None:
    st.warning("Diese Meldung gibt es nicht mehr. Bitte die Ansicht neu laden.")
    st.stop()

with st.container(border=True):
    st.header(f"Meldung Nr. {chosen}")
    m1, m2, m3, m4 = st.columns(4)
    m1.metric("Behörde", str(item["short_name"]), help=str(item["authority_name"]))
    m2.metric("Periode", str(item["period_id"]))
    m3.metric("Zeilen", fmt.number(int(item["row_count"])), help="Datenzeilen der Meldung.")
    m4.metric(
        "Status",
        STATUS_LABELS[str(item["review_status"])],
        help="Entwurf → geprüft → veröffentlicht. Nur veröffentlichte Meldungen zählen "
        "standardmäßig in den Auswertungen.",
    )
    st.text(
        f"Datei: {item['file_name']} · eingereicht von {item['submitted_by']} am "
        f"{fmt.date(item['submitted_at'])}"
    )
    if bool(queue.loc[queue["id"] == chosen, "superseded"].any()):
        st.warning(
            "Für dieselbe Behörde, Periode und Art gibt es eine neuere Meldung. Die "
            "Auswertungen zeigen immer die neueste; diese hier zu veröffentlichen ändert dort "
            "nichts.",
            icon="⏭️",
        )

    kind = str(item["kind"])
    if kind in KINDS:
        base = load(
            comparison_submission,
            authority_id=str(item["authority_id"]),
            period=str(item["period_id"]),
            kind=kind,
            before_id=chosen,
            published_only=True,
        )
        rows = load(submission_rows, submission_id=chosen, kind=kind)
        if rows is not None:
            old = load(submission_rows, submission_id=int(base["id"]), kind=kind) if base else None
            preview = compare(rows, old, kind=kind, baseline=base)
            c = preview.counts
            st.markdown("**Änderungen gegenüber dem veröffentlichten Stand**")
            if base is None:
                st.caption("Bisher nichts veröffentlicht: alle Einträge sind neu.")
            else:
                st.caption(
                    f"Verglichen mit Meldung Nr. {base['id']} ({base['period_id']}, "
                    f"{STATUS_LABELS[str(base['review_status'])]})."
                )
            p1, p2, p3, p4 = st.columns(4)
            p1.metric("neu", fmt.number(c["neu"]), help="Nicht im veröffentlichten Stand.")
            p2.metric("geändert", fmt.number(c["geändert"]), help="Mindestens ein Feld anders.")
            p3.metric("entfallen", fmt.number(c["entfallen"]), help="Fehlen in dieser Meldung.")
            p4.metric("unverändert", fmt.number(preview.unchanged), help="Alle Felder gleich.")
            st.caption(
                f"Geänderte Ampeln: {c[CATEGORY_LIGHT]}, Termine: {c[CATEGORY_DATES]}, "
                f"Kosten: {c[CATEGORY_COSTS]} (jeweils Anzahl Einträge)."
            )
            if not preview.changes.empty:
                with st.expander(f"Geänderte Felder ({len(preview.changes)})"):
                    st.dataframe(
                        preview.changes.drop(columns=["Feld"]), hide_index=True, width="stretch"
                    )
            if not preview.added.empty:
                with st.expander(f"Neue Einträge ({len(preview.added)})"):
                    st.dataframe(preview.added, hide_index=True, width="stretch")
            if not preview.removed.empty:
                with st.expander(f"Entfallene Einträge ({len(preview.removed)})"):
                    st.dataframe(preview.removed, hide_index=True, width="stretch")

    events = load(review_events, submission_id=chosen)
    if not events.empty:
        st.markdown("**Prüfverlauf**")
        st.dataframe(
            pd.DataFrame(
                {
                    "am": events["occurred_at"],
                    "von": events["actor"],
                    "Rolle": events["role"].map(ROLE_LABELS),
                    "Schritt": [
                        f"{STATUS_LABELS[a]} → {STATUS_LABELS[b]}"
                        for a, b in zip(events["from_status"], events["to_status"], strict=True)
                    ],
                    "Kommentar": events["comment"].fillna(""),
                }
            ),
            hide_index=True,
            width="stretch",
            column_config={"am": st.column_config.DatetimeColumn(format="DD.MM.YYYY HH:mm")},
        )

    stored = submission_file(db.cursor(), submission_id=chosen, authority_id=None)
    if stored is not None:
        st.download_button(
            "Eingereichte Datei herunterladen",
            data=stored[1],
            file_name=stored[0],
            icon=":material/download:",
            key=f"review_file_{chosen}",
            on_click="ignore",
        )

    status = str(item["review_status"])
    comment = st.text_area(
        "Kommentar",
        key=f"review_comment_{chosen}",
        placeholder="z. B. Plausibel; Ampelbegründungen nachgereicht.",
        help="Wird mit dem Prüfschritt gespeichert und der Behörde im Verlauf angezeigt. "
        "Pflicht bei einem Schritt zurück.",
    )
    buttons = st.container(horizontal=True)
    for target in allowed_steps(status):
        forward = target != "draft" and not (status == "published")
        if buttons.button(
            STEP_LABELS[(status, target)],
            type="primary" if forward else "secondary",
            key=f"review_step_{chosen}_{target}",
        ):
            try:
                result = change_review_status(
                    submission_id=chosen,
                    to_status=target,
                    identity=identity,
                    comment=comment,
                    expected_status=status,
                )
            except ReviewRefused as exc:
                st.error(md(exc.message))
            else:
                st.session_state.setdefault("review_done", []).append(result.message)
                st.session_state.pop(f"review_comment_{chosen}", None)  # one comment per step
                st.rerun()
