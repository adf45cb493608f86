"""Daten einreichen: template, upload, column mapping, validation report, preview, confirm,
submission history. The page only drives the loaders; they check and write.

Admins may also choose an E-Akte collection file (several authorities in one file, one row
each): the same steps, driven by ``loaders.eakte``'s collection path, which stores one
submission per authority, all or nothing, and checks the role itself.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
import streamlit as st

from kpi.audit import log_file_refusal
from kpi.submissions import (
    authority_names,
    comparison_submission,
    history,
    submission_file,
    submission_periods,
    submission_rows,
    submittable_kinds,
)
from loaders.column_mapping import (
    SOURCE_LABELS,
    check_choices,
    entries_for,
    inspect_headers,
    overrides_for,
)
from loaders.eakte import (
    COLLECTION_LABEL,
    CollectionResult,
    PreparedCollection,
    collection_problem_table,
    commit_collection,
    compare_collection,
    prepare_collection,
)
from loaders.eakte import KIND as EAKTE_KIND
from loaders.errors import FileRefused, LoaderError, NotAllowed
from loaders.ingest import IngestResult, Prepared, commit, prepare
from loaders.kinds import KINDS
from loaders.preview import (
    CATEGORY_COSTS,
    CATEGORY_DATES,
    CATEGORY_LIGHT,
    Preview,
    categories_for,
    compare,
    stored_as,
)
from loaders.projects import foreign_list_problem
from loaders.template import TemplateInfo, build_template, template_file_name
from loaders.validation_report import counts, problem_table, report_file_name, report_xlsx
from store import connection as db
from store.review import STATUS_LABELS, ReviewRefused, remember_column_mapping, remembered_mapping
from ui import format as fmt
from ui.data import load
from ui.export import table_downloads
from ui.page_guard import guard_page

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
UNUSED = "— nicht auswerten —"
COLLECTION = "eakte_collection"  # the page's choice for an E-Akte collection file (admins)
_MD_SPECIAL = str.maketrans({c: "\\" + c for c in "\\`*_{}[]()#+!|<>~$"})


def md(text: object) -> str:
    """File names, headers and cell values come from uploads: never let them act as Markdown
    (links, images) in labels and messages."""
    return str(text).translate(_MD_SPECIAL)


def count_of(n: int, singular: str, plural: str) -> str:
    """``1 Hinweis``, ``2 Hinweise``: German number and the noun in the right number."""
    return f"{fmt.number(n)} {singular if n == 1 else plural}"


guard_page(__file__)
st.title("Daten einreichen")
ctx = st.session_state["ctx"]
identity = ctx.identity

if identity.role not in ("coordinator", "admin"):
    st.error("Meldungen einreichen dürfen nur Digitalisierungskoordinationen und das CDO-Büro.")
    st.stop()

state: dict[str, Any] = st.session_state.setdefault(
    "submit_state", {"files": {}, "round": 0, "committed": {}}
)

for note in state.pop("done", []):
    (st.success if note["ok"] else st.info)(md(note["text"]), icon="✅" if note["ok"] else "ℹ️")
    if note.get("hint"):
        st.caption(note["hint"])

# --- 1. what, when, for whom ------------------------------------------------------------------
names = load(authority_names)
c1, c2, c3 = st.columns(3)
kinds = submittable_kinds(identity.role, list(KINDS))
if identity.role == "admin" and EAKTE_KIND in kinds:
    kinds.insert(kinds.index(EAKTE_KIND) + 1, COLLECTION)
choice = c1.selectbox(
    "Art der Meldung",
    kinds,
    format_func=lambda k: COLLECTION_LABEL if k == COLLECTION else KINDS[k].label,
    key="submit_kind",
    help="Welche Liste Sie einreichen; jede Art hat ihre eigene Vorlage. Eine Sammeldatei "
    "enthält den E-Akte-Stand mehrerer Behörden, eine Zeile je Behörde.",
)
collection = choice == COLLECTION
kind = EAKTE_KIND if collection else choice
periods = load(submission_periods, today=dt.date.today())
default_period = periods.index(ctx.period) if ctx.period in periods else 0
period = c2.selectbox(
    "Berichtsperiode",
    periods,
    index=default_period,
    key="submit_period",
    help="Quartal, auf das sich die Meldung bezieht.",
)
if collection:
    authority_id = ""  # every row names its authority
    c3.selectbox(
        "Behörde",
        [COLLECTION],
        format_func=lambda _c: "je Zeile (Spalte „Behörde“)",
        disabled=True,
        key="submit_authority_collection",
        help="Jede Zeile der Sammeldatei nennt ihre Behörde; je Behörde entsteht eine Meldung.",
    )
elif identity.role == "coordinator":
    authority_id = identity.authority_id or ""
    c3.selectbox(
        "Behörde",
        [authority_id],
        format_func=lambda a: names.get(a, a),
        disabled=True,
        key="submit_authority_fixed",
        help="Koordinationen melden für die eigene Behörde.",
    )
else:
    authority_id = c3.selectbox(
        "Behörde",
        list(names),
        format_func=lambda a: names.get(a, a),
        key="submit_authority",
        help="Als CDO-Büro können Sie für jede Behörde einreichen.",
    )
if not collection and (not authority_id or not identity.may_submit_for(authority_id)):
    st.error("Sie dürfen nur Meldungen der eigenen Behörde einreichen.")
    st.stop()
spec = KINDS[kind]
authority_name = (
    "Sammeldatei (mehrere Behörden)" if collection else names.get(authority_id, authority_id)
)

# --- 2. template ------------------------------------------------------------------------------
st.header("1. Vorlage herunterladen")
baseline = (
    None
    if collection
    else load(comparison_submission, authority_id=authority_id, period=period, kind=kind)
)
prefill = st.checkbox(
    "Mit den Angaben der neuesten Meldung vorbefüllen",
    value=baseline is not None,
    disabled=baseline is None,
    key="submit_prefill",
    help="Übernimmt die neueste Meldung Ihrer Behörde (dieser oder der vorigen Periode), "
    "damit Sie nur ändern statt neu erfassen.",
)
if collection:
    st.caption(
        "Die Vorlage ist leer: eine Zeile je Behörde, die Spalte „Behörde“ ist Pflicht "
        "(Kennung, Kurzname oder Name)."
    )
elif baseline is None:
    st.caption(
        f"Für {authority_name} liegt noch keine Meldung „{spec.label}“ vor: Die Vorlage ist leer."
    )


def _template_bytes() -> bytes:
    rows = None
    if prefill and baseline is not None:
        rows = submission_rows(db.cursor(), submission_id=int(baseline["id"]), kind=kind)
    info = TemplateInfo(authority_name=authority_name, period=period, created_at=dt.datetime.now())
    return build_template(kind, info=info, prefill=rows)


st.download_button(
    f"Vorlage {spec.label} (.xlsx)",
    data=_template_bytes,
    file_name=template_file_name(kind, authority_id=authority_id or "sammeldatei", period=period),
    mime=XLSX_MIME,
    icon=":material/download:",
    key="submit_template",
    on_click="ignore",
    help="Excel-Vorlage mit Auswahllisten, Formaten und Anleitung.",
)

# --- 3. upload --------------------------------------------------------------------------------
st.header("2. Datei hochladen und prüfen")
# No ``type=`` restriction: Streamlit would refuse other files with an English message and
# no audit entry; the loaders' guard refuses them in German and writes the refusal to the log.
uploads = st.file_uploader(
    "Excel-Dateien (.xlsx) oder CSV-Dateien (.csv, .txt), mehrere möglich",
    accept_multiple_files=True,
    key=f"submit_upload_{state['round']}",
    help="Jede Datei wird einzeln geprüft und nach Ihrer Bestätigung als eigene Meldung "
    "übernommen. Nichts wird gespeichert, bevor Sie bestätigen. Andere Dateiarten werden "
    "bei der Prüfung abgewiesen.",
)


@dataclass
class FileState:
    """What the page knows about one uploaded file between reruns."""

    name: str
    data: bytes
    overrides: dict[str, str] = field(default_factory=dict)
    mapping_confirmed: bool = False
    prepared: Prepared | PreparedCollection | None = None
    prepared_for: str = ""
    rejection_logged: bool = False
    refusal: str | None = None  # German message of a refused file; audited once, then shown
    preview: Preview | None = None
    report: bytes | None = None


def _file_key(name: str, data: bytes) -> str:
    digest = hashlib.sha256(data).hexdigest()[:16]
    return f"{name}|{digest}|{choice}|{authority_id}|{period}"


def _remembered() -> dict[str, str | None]:
    """The authority's confirmed column mapping; a collection belongs to no one authority."""
    if collection:
        return {}
    return remembered_mapping(db.cursor(), authority_id=authority_id, kind=kind)


def _mapping_step(fs: FileState, key: str) -> bool:
    """True when the columns are clear (known or confirmed); else shows the mapping form."""
    inspection = inspect_headers(
        data=fs.data, file_name=fs.name, kind=kind, remembered=_remembered()
    )
    if fs.mapping_confirmed or not inspection.needs_confirmation:
        return True
    st.warning(
        "Nicht alle Spaltenüberschriften wurden erkannt. Bitte prüfen Sie die "
        "vorgeschlagene Zuordnung; "
        + (
            "sie gilt für diese Sammeldatei."
            if collection
            else "sie wird für Ihre Behörde gespeichert und beim nächsten Mal automatisch "
            "verwendet."
        ),
        icon="🧭",
    )
    st.caption(
        f"Kopfzeile: Blatt „{md(inspection.sheet)}“, Zeile {inspection.header_row}"
        + ("" if inspection.header_found else " (vermutet)")
    )
    labels = {f.name: f.label for f in spec.fields}
    options = [UNUSED, *labels]
    with st.form(key=f"map_{key}"):
        choices: dict[str, str | None] = {}
        for column in inspection.columns:
            preset = options.index(column.field) if column.field in labels else 0
            picked = st.selectbox(
                f"Spalte „{md(column.header)}“",
                options,
                index=preset,
                format_func=lambda o: o if o == UNUSED else labels[o],
                key=f"map_{key}_{column.position}",
                help=SOURCE_LABELS[column.source]
                + (
                    f" (Ähnlichkeit {fmt.percent(column.score, decimals=0)})"
                    if column.score
                    else ""
                ),
            )
            choices[column.header] = None if picked == UNUSED else picked
        missing = [
            f.label for f in spec.fields if f.required and f.name not in set(choices.values())
        ]
        if missing:
            st.caption("Pflichtspalten ohne Zuordnung: " + ", ".join(missing))
        confirmed = st.form_submit_button("Zuordnung bestätigen", type="primary")
    if confirmed:
        problems = check_choices(choices, kind=kind)
        if problems:
            for message in problems:
                st.error(md(message))
            return False
        try:
            if not collection:
                remember_column_mapping(
                    authority_id=authority_id,
                    kind=kind,
                    entries=entries_for(choices),
                    identity=identity,
                )
        except ReviewRefused as exc:
            st.error(md(exc.message))
            return False
        fs.overrides = overrides_for(choices)
        fs.mapping_confirmed = True
        st.rerun()
    return False


def _prepare(fs: FileState) -> Prepared | PreparedCollection | None:
    overrides = {k: v for k, v in _remembered().items() if v} | fs.overrides
    signature = json.dumps(overrides, sort_keys=True)
    if fs.prepared is not None and fs.prepared_for == signature:
        return fs.prepared
    with st.status(f"„{md(fs.name)}“ wird geprüft …", expanded=False) as status:
        status.write("Datei lesen, Kopfzeile finden, Werte prüfen …")
        if collection:
            fs.prepared = prepare_collection(
                data=fs.data,
                file_name=fs.name,
                period=period,
                identity=identity,
                column_overrides=overrides or None,
            )
        else:
            fs.prepared = prepare(
                data=fs.data,
                file_name=fs.name,
                kind=kind,
                authority=authority_id,
                period=period,
                identity=identity,
                column_overrides=overrides or None,
            )
        fs.prepared_for = signature
        fs.report = None
        fs.preview = None
        if fs.prepared.problems:  # a clean file has no report to offer (62 % of a clean check)
            status.write("Prüfbericht erstellen …")
            fs.report = report_xlsx(
                problems=fs.prepared.problems,
                data=fs.data,
                file_name=fs.name,
                kind=kind,
                column_overrides=overrides or None,
            )
        errors = len(fs.prepared.errors)
        status.update(
            label=f"„{md(fs.name)}“ geprüft: {count_of(errors, 'Fehler', 'Fehler')}, "
            f"{count_of(len(fs.prepared.problems) - errors, 'Hinweis', 'Hinweise')}",
            state="error" if errors else "complete",
        )
    return fs.prepared


def _show_report(fs: FileState, prepared: Prepared | PreparedCollection, key: str) -> None:
    summary = counts(prepared.problems)
    m1, m2, m3 = st.columns(3)
    m1.metric(
        "Fehler",
        fmt.number(summary["errors"]),
        help="Fehler verhindern die Übernahme der ganzen Datei.",
    )
    m2.metric(
        "Hinweise",
        fmt.number(summary["warnings"]),
        help="Hinweise blockieren nicht, sollten aber geprüft werden.",
    )
    m3.metric(
        "Behörden" if collection else spec.row_noun,
        fmt.number(len(prepared.frame)),
        help="Datenzeilen unter der Kopfzeile (leere Zeilen und Summenzeilen zählen nicht)"
        + ("; eine Zeile je Behörde." if collection else "."),
    )
    if prepared.problems:
        st.markdown("**Prüfbericht**")
        st.dataframe(
            collection_problem_table(prepared)
            if isinstance(prepared, PreparedCollection)
            else problem_table(prepared.problems),
            hide_index=True,
            width="stretch",
            column_config={"Zeile": st.column_config.NumberColumn(format="%d")},
            placeholder="–",  # a finding about the whole file has no row
            key=f"report_{key}",
        )
        st.download_button(
            "Prüfbericht mit markierten Zellen (.xlsx)",
            data=fs.report or b"",
            file_name=report_file_name(fs.name),
            mime=XLSX_MIME,
            icon=":material/download:",
            key=f"report_dl_{key}",
            on_click="ignore",
        )


def _show_preview(preview: Preview) -> None:
    st.markdown("**Vorschau der Änderungen**")
    base = preview.baseline
    if collection:
        st.caption(
            "Verglichen wird jede Behörde der Datei mit ihrem aktuellen E-Akte-Stand (Meldung "
            "dieser Periode, sonst der Vorperiode); neu sind Behörden ohne bisherige Meldung. "
            "Behörden, die die Datei nicht nennt, bleiben unverändert."
        )
    elif base is None:
        st.caption(
            f"Erste Meldung „{spec.label}“ von {authority_name}: Alle {spec.row_noun} sind neu."
        )
    else:
        where = (
            f"der aktuellen Meldung für {period}"
            if base["same_period"]
            else f"der Meldung der Vorperiode {base['period_id']}"
        )
        st.caption(
            f"Verglichen mit {where} (Nr. {base['id']} vom {fmt.date(base['submitted_at'])}, "
            f"{STATUS_LABELS.get(str(base['review_status']), base['review_status'])})."
        )
    if not preview.comparable:
        st.caption(
            f"Für die Art „{spec.label}“ ist kein Zeilenvergleich mit der bisherigen Meldung "
            "möglich; die Datei wurde vollständig geprüft."
        )
        return
    c = preview.counts
    p1, p2, p3, p4 = st.columns(4)
    p1.metric("neu", fmt.number(c.get("neu", 0)), help="In der Datei, bisher nicht gemeldet.")
    p2.metric("geändert", fmt.number(c.get("geändert", 0)), help="Mindestens ein Feld anders.")
    p3.metric("entfallen", fmt.number(c.get("entfallen", 0)), help="Bisher gemeldet, fehlt jetzt.")
    p4.metric("unverändert", fmt.number(preview.unchanged), help="Alle Felder gleich.")
    applies = categories_for(kind)
    parts = [
        f"{wording} {fmt.number(c.get(category, 0))}"
        for category, wording in (
            (CATEGORY_LIGHT, "geänderter Ampel:"),
            (CATEGORY_DATES, "geänderten Terminen:"),
            (CATEGORY_COSTS, "geänderten Kosten:"),
        )
        if category in applies
    ]
    if parts:
        st.caption("Davon mit " + ", ".join(parts) + ".")
    t_new, t_changed, t_removed = st.tabs(
        [
            f"Neu ({len(preview.added)})",
            f"Geändert ({preview.changed_rows})",
            f"Entfallen ({len(preview.removed)})",
        ]
    )
    with t_new:
        if preview.added.empty:
            st.caption("Keine neuen Einträge.")
        else:
            st.dataframe(preview.added, hide_index=True, width="stretch")
    with t_changed:
        if preview.changes.empty:
            st.caption("Keine geänderten Einträge.")
        else:
            st.dataframe(preview.changes.drop(columns=["Feld"]), hide_index=True, width="stretch")
    with t_removed:
        if preview.removed.empty:
            st.caption("Keine entfallenen Einträge.")
        else:
            st.dataframe(preview.removed, hide_index=True, width="stretch")


def _refuse(fs: FileState, exc: LoaderError, *, audited: bool) -> None:
    """Show a refused file's German message and audit the refusal once per uploaded file
    (``audited``: the loaders wrote the entry already). Later reruns only show the message."""
    if not audited:
        log_file_refusal(
            identity,
            authority_id=authority_id or None,
            period=period,
            file_name=fs.name,
            reason=exc.message,
        )
    fs.refusal = exc.message
    st.error(md(exc.message), icon="🚫")


def _already_stored(prepared: Prepared | PreparedCollection) -> dict[str, int]:
    """Authority → number of the stored submission with the same content: what ``commit``
    would answer "already present" for (it compares the same hash)."""
    if isinstance(prepared, PreparedCollection):
        hashes = prepared.hashes
    else:
        hashes = {prepared.authority_id: prepared.content_sha256}
    found = {
        a: stored_as(authority_id=a, period_id=period, kind=kind, content_sha256=digest)
        for a, digest in hashes.items()
    }
    return {a: n for a, n in found.items() if n is not None}


def _show_already_stored(prepared: Prepared | PreparedCollection) -> bool:
    """Say before "übernehmen" when nothing new would be saved; True if nothing would be."""
    stored = _already_stored(prepared)
    if not stored:
        return False
    if isinstance(prepared, PreparedCollection) and len(stored) < len(prepared.hashes):
        st.info(
            f"{count_of(len(stored), 'Behörde', 'Behörden')} dieser Datei "
            f"{'hat' if len(stored) == 1 else 'haben'} für {period} bereits genau diesen "
            "E-Akte-Stand gemeldet; für sie wird nichts Neues gespeichert.",
            icon="ℹ️",
        )
        return False
    numbers = ", ".join(f"Nr. {n}" for n in sorted(stored.values()))
    st.info(
        f"Dieser Inhalt ist bereits gespeichert (Meldung {numbers}); eine Übernahme würde "
        "nichts Neues speichern. Laden Sie eine geänderte Datei hoch, wenn sich etwas "
        "geändert hat.",
        icon="ℹ️",
    )
    return True


def _confirm(fs: FileState, prepared: Prepared | PreparedCollection, key: str) -> None:
    foreign = foreign_list_problem(prepared.problems)
    confirmed_own = True
    if foreign is not None:
        confirmed_own = st.checkbox(
            f"Ich habe die Datei geprüft: Sie enthält die Vorhaben von {authority_name}.",
            key=f"own_list_{key}",
            help="Die Vorhaben-Nummern oder E-Mail-Adressen der Datei deuten auf "
            f"„{md(foreign.value)}“. Erst nach dieser Bestätigung lässt sich die Meldung "
            "übernehmen.",
        )
    publish = False
    if identity.role == "admin":
        publish = st.checkbox(
            "Sofort veröffentlichen (ohne Prüfschritt)",
            key=f"publish_{key}",
            help="Nur für das CDO-Büro. Sonst wird die Meldung als Entwurf gespeichert.",
        )
    label = (
        f"Meldungen übernehmen ({fmt.number(len(prepared.frame))} Behörden, je eine Meldung)"
        if collection
        else f"Meldung übernehmen ({fmt.number(len(prepared.frame))} {spec.row_noun})"
    )
    if st.button(label, type="primary", key=f"confirm_{key}", disabled=not confirmed_own):
        status = "published" if publish else "draft"
        try:
            result: IngestResult | CollectionResult = (
                commit_collection(prepared, identity=identity, review_status=status)
                if isinstance(prepared, PreparedCollection)
                else commit(prepared, identity=identity, review_status=status)
            )
        except LoaderError as exc:
            st.error(md(exc.message))
            return
        _finish(key, result, published=publish)


def _finish(key: str, result: IngestResult | CollectionResult, *, published: bool) -> None:
    ok = result.outcome == "accepted"
    hint = None
    if ok and not published and collection:
        hint = (
            "Je Behörde ist eine Meldung als Entwurf gespeichert. Die Auswertungen zählen sie, "
            "sobald sie unter „Prüfung & Freigabe“ veröffentlicht sind; sofort sichtbar sind "
            "sie mit dem Schalter „Nicht veröffentlichte Meldungen einbeziehen“."
        )
    elif ok and not published:
        hint = (
            "Die Meldung ist als Entwurf gespeichert. Die Auswertungen zählen sie, sobald das "
            "CDO-Büro sie geprüft und veröffentlicht hat; sofort sichtbar ist sie mit dem "
            "Schalter „Nicht veröffentlichte Meldungen einbeziehen“ in der Seitenleiste."
        )
    elif ok:
        hint = (
            "Die Meldungen sind" if collection else "Die Meldung ist"
        ) + " veröffentlicht und ab sofort in allen Auswertungen enthalten."
    state.setdefault("done", []).append({"ok": ok, "text": result.message, "hint": hint})
    state["files"].pop(key, None)
    state["committed"][key] = result.message
    if all(k in state["committed"] for k in current_keys):
        state["round"] += 1  # every listed file is done: start with an empty uploader
        state["committed"] = {}
    st.rerun()


files: dict[str, FileState] = state["files"]
listed = [(u, u.getvalue()) for u in uploads or []]
current_keys = [_file_key(u.name, data) for u, data in listed]
for (upload, data), key in zip(listed, current_keys, strict=True):
    if key in state["committed"]:
        st.text(f"📄 {upload.name}: {state['committed'][key]}")
        continue
    fs = files.setdefault(key, FileState(name=upload.name, data=data))
    with st.container(border=True):
        st.text(f"📄 {upload.name}")
        if fs.refusal is not None:  # refused (and audited) on an earlier run
            st.error(md(fs.refusal), icon="🚫")
            continue
        try:
            if not _mapping_step(fs, key):  # guards and reads the file: nothing audits it
                continue
        except LoaderError as exc:
            _refuse(fs, exc, audited=False)
            continue
        try:
            prepared = _prepare(fs)
        except NotAllowed as exc:  # the loaders audit every refused permission
            _refuse(fs, exc, audited=True)
            continue
        except LoaderError as exc:  # prepare audits refused files; the collection path not
            _refuse(fs, exc, audited=isinstance(exc, FileRefused) and not collection)
            continue
        if prepared is None:
            continue
        _show_report(fs, prepared, key)
        if prepared.errors:
            if not fs.rejection_logged:  # writes the rejection to the audit log
                if isinstance(prepared, PreparedCollection):
                    commit_collection(prepared, identity=identity)
                else:
                    commit(prepared, identity=identity)
                fs.rejection_logged = True
            st.error(
                f"„{md(fs.name)}“ kann so nicht übernommen werden: {len(prepared.errors)} Fehler. "
                "Bitte korrigieren Sie die markierten Zellen (Prüfbericht herunterladen) und "
                "laden Sie die Datei erneut hoch. Es wurden keine Daten übernommen"
                + (" – für keine Behörde der Sammeldatei." if collection else "."),
                icon="🚫",
            )
            continue
        if fs.preview is None and isinstance(prepared, PreparedCollection):
            current: dict[str, pd.DataFrame | None] = {}
            for each in prepared.authority_ids:
                found = comparison_submission(
                    db.cursor(), authority_id=each, period=period, kind=kind
                )
                current[each] = (
                    submission_rows(db.cursor(), submission_id=int(found["id"]), kind=kind)
                    if found
                    else None
                )
            fs.preview = compare_collection(prepared, current=current)
        if fs.preview is None:
            baseline_now = comparison_submission(
                db.cursor(), authority_id=authority_id, period=period, kind=kind
            )
            old_rows = (
                submission_rows(db.cursor(), submission_id=int(baseline_now["id"]), kind=kind)
                if baseline_now
                else None
            )
            fs.preview = compare(prepared.frame, old_rows, kind=kind, baseline=baseline_now)
        foreign = foreign_list_problem(prepared.problems)
        if foreign is not None:
            st.warning(md(foreign.message), icon="⚠️")
        _show_preview(fs.preview)
        if _show_already_stored(prepared):
            continue
        _confirm(fs, prepared, key)

for stale in [k for k in files if k not in current_keys]:
    files.pop(stale)

if not uploads:
    st.caption(
        "Laden Sie die ausgefüllte Vorlage oder Ihre eigene Liste hoch. Unbekannte "
        "Spaltenüberschriften können Sie im nächsten Schritt zuordnen."
    )

# --- 4. history -------------------------------------------------------------------------------
st.header("Bisherige Meldungen")
past = (
    load(history, authority_id=None, kind=kind)
    if collection
    else load(history, authority_id=authority_id)
)
if past.empty:
    st.info(
        f"Noch keine Meldung zum {spec.label}."
        if collection
        else f"{authority_name} hat noch keine Meldung eingereicht."
    )
else:
    shown = pd.DataFrame(
        {
            "Nr.": past["id"],
            **({"Behörde": past["short_name"]} if collection else {}),
            "Periode": past["period_id"],
            "Art": past["kind"].map(lambda k: KINDS[k].label if k in KINDS else k),
            "Datei": past["file_name"],
            "Zeilen": past["row_count"],
            "eingereicht von": past["submitted_by"],
            "eingereicht am": past["submitted_at"],
            "Status": past["review_status"].map(STATUS_LABELS),
            "Kommentar der Prüfung": past["last_comment"].fillna(""),
        }
    )
    st.dataframe(
        shown,
        hide_index=True,
        width="stretch",
        column_config={
            "Nr.": st.column_config.NumberColumn(format="%d"),
            "Zeilen": st.column_config.NumberColumn(format="%d"),
            "eingereicht am": st.column_config.DatetimeColumn(format="DD.MM.YYYY HH:mm"),
        },
        key="submit_history",
    )
    table_downloads(
        shown,
        title=f"Meldungen {spec.label}" if collection else f"Meldungen {authority_name}",
        key="submit_history_export",
        filters={"Art": spec.label} if collection else {"Behörde": authority_name},
    )
    with_file = past[past["has_file"]]
    if not with_file.empty:
        chosen = st.selectbox(
            "Eingereichte Datei herunterladen",
            list(with_file["id"]),
            format_func=lambda i: (
                f"Nr. {i}: " + str(with_file.loc[with_file["id"] == i, "file_name"].iloc[0])
            ),
            key="submit_history_file",
        )
        stored = submission_file(
            db.cursor(),
            submission_id=int(chosen),
            authority_id=None if identity.role == "admin" else identity.authority_id,
        )
        if stored is not None:
            st.download_button(
                "Datei herunterladen",
                data=stored[1],
                file_name=stored[0],
                icon=":material/download:",
                key="submit_history_download",
                on_click="ignore",
            )
