"""Download buttons for tables, charts and the period report.

Page owners pass exactly what they show (the displayed DataFrame, the Altair chart) plus the
active filters; the files come from ``kpi.export`` / ``kpi.report``. Files are built only when
the button is clicked (deferred download), and every export is written to the audit log.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd
import streamlit as st
from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx

from kpi import export
from kpi.access import ROLES_EXPORTING, log_export
from kpi.report import collect, report_file_stem, report_filters, report_pdf, report_xlsx
from kpi.reporting import SOURCES, data_freshness
from kpi.selection import Selection
from store import connection as db
from store.identity import Identity
from ui.data import load

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
AS_OF_NOTE = "neueste berücksichtigte Meldung"
AS_OF_MISSING = "keine Meldung in der Auswahl"
_PAGE_AS_OF = "_export_page_as_of"


@dataclass(frozen=True)
class PageAsOf:
    """The Datenstand of a page's exports and the sources it was taken from."""

    as_of: dt.datetime | None
    sources: tuple[str, ...]

    @property
    def note(self) -> str:
        return f"{AS_OF_NOTE}: " + ", ".join(SOURCES.get(k, k) for k in self.sources)


def page_as_of(
    *, kinds: Sequence[str] = ("projects",), selection: Selection | None = None
) -> dt.datetime | None:
    """The Datenstand of the current page: when the newest report its figures rest on was
    received — the same definition as the Lagebericht's ("neueste berücksichtigte Meldung"):
    the current submissions of the period (published only unless drafts are shown) of the
    given ``kinds``, for the authorities of ``selection``.

    Every export of this page run that does not pass its own ``as_of`` (tables, and the
    chart downloads of ``ui.charts``) states it; pages that never call this keep "unbekannt".
    """
    ctx = st.session_state.get("ctx")
    newest: dt.datetime | None = None
    if ctx is not None and ctx.period:
        fresh = load(
            data_freshness,
            period=ctx.period,
            include_unpublished=ctx.include_unpublished,
            selection=selection or Selection(),
        )
        value = fresh.loc[fresh["kind"].isin(list(kinds)), "newest_received"].max()
        newest = None if pd.isna(value) else pd.Timestamp(value).to_pydatetime()
    st.session_state[_PAGE_AS_OF] = (_page(), PageAsOf(as_of=newest, sources=tuple(kinds)))
    return newest


def _page() -> str | None:
    run = get_script_run_ctx()
    return getattr(run, "page_script_hash", None) if run is not None else None


def _page_default() -> PageAsOf | None:
    """What :func:`page_as_of` set in this page (a value of another page does not count)."""
    entry = st.session_state.get(_PAGE_AS_OF)
    if entry is None or entry[0] != _page():
        return None
    return entry[1]


def may_export(identity: Identity) -> bool:
    """Analysts, coordinators and admins export; the public view shows figures only."""
    return identity.role in ROLES_EXPORTING


def context_filters(**extra: str) -> dict[str, str]:
    """The global filters of the sidebar (period, publication toggle) plus page filters."""
    ctx = st.session_state.get("ctx")
    filters: dict[str, str] = {}
    if ctx is not None:
        if ctx.period:
            filters["Berichtsperiode"] = ctx.period
        filters["Meldungen"] = (
            "einschließlich nicht veröffentlichter (Entwürfe)"
            if ctx.include_unpublished
            else "nur veröffentlichte"
        )
    filters.update({k: v for k, v in extra.items() if v})
    return filters


def table_downloads(
    frame: pd.DataFrame,
    *,
    title: str,
    key: str,
    filters: Mapping[str, str] | None = None,
    as_of: dt.datetime | dt.date | None = None,
    column_kinds: Mapping[str, export.ColumnKind] | None = None,
) -> None:
    """CSV and .xlsx buttons for a table exactly as shown (same rows, same columns)."""
    identity = _identity()
    if identity is None or not may_export(identity):
        return
    filters = dict(filters if filters is not None else context_filters())
    snapshot = frame.copy()
    stamp = dt.datetime.now()
    stem = export.file_stem(title, exported_at=stamp)
    row = st.container(horizontal=True)
    row.download_button(
        "CSV",
        data=_deferred(
            lambda meta: export.to_csv(snapshot, meta=meta),
            title=title,
            filters=filters,
            as_of=as_of,
            identity=identity,
            fmt="csv",
            rows=len(snapshot),
        ),
        file_name=f"{stem}.csv",
        mime="text/csv",
        key=f"{key}_csv",
        icon=":material/download:",
        help="Tabelle als CSV (UTF-8, Semikolon) – öffnet in deutschem Excel korrekt.",
        on_click="ignore",
    )
    row.download_button(
        "Excel",
        data=_deferred(
            lambda meta: export.to_xlsx(snapshot, meta=meta, column_kinds=column_kinds),
            title=title,
            filters=filters,
            as_of=as_of,
            identity=identity,
            fmt="xlsx",
            rows=len(snapshot),
        ),
        file_name=f"{stem}.xlsx",
        mime=XLSX_MIME,
        key=f"{key}_xlsx",
        icon=":material/download:",
        help="Tabelle als Excel-Datei mit Filtern, Datenstand und Exportzeit im Blatt „Info“.",
        on_click="ignore",
    )


def chart_downloads(
    chart: Any,
    *,
    title: str,
    key: str,
    filters: Mapping[str, str] | None = None,
    as_of: dt.datetime | dt.date | None = None,
) -> None:
    """PNG and SVG buttons for an Altair chart; rendered offline by vl-convert."""
    identity = _identity()
    if identity is None or not may_export(identity):
        return
    filters = dict(filters if filters is not None else context_filters())
    spec = chart if isinstance(chart, dict) else chart.to_dict()
    stem = export.file_stem(title, exported_at=dt.datetime.now())
    row = st.container(horizontal=True)
    row.download_button(
        "PNG",
        data=_deferred(
            lambda meta: export.chart_png(spec, meta=meta),
            title=title,
            filters=filters,
            as_of=as_of,
            identity=identity,
            fmt="png",
        ),
        file_name=f"{stem}.png",
        mime="image/png",
        key=f"{key}_png",
        icon=":material/image:",
        on_click="ignore",
    )
    row.download_button(
        "SVG",
        data=_deferred(
            lambda meta: export.chart_svg(spec, meta=meta),
            title=title,
            filters=filters,
            as_of=as_of,
            identity=identity,
            fmt="svg",
        ),
        file_name=f"{stem}.svg",
        mime="image/svg+xml",
        key=f"{key}_svg",
        icon=":material/image:",
        on_click="ignore",
    )


def report_downloads(*, period: str, include_unpublished: bool, key: str = "lagebericht") -> None:
    """The period report ("Lagebericht") as .xlsx and PDF for the selected period."""
    identity = _identity()
    if identity is None or not may_export(identity):
        return
    filters = report_filters(period=period, include_unpublished=include_unpublished)
    stem = report_file_stem(period, exported_at=dt.datetime.now())

    def build(kind: str) -> Callable[[], bytes]:
        def make() -> bytes:
            stamp = dt.datetime.now()
            data = collect(db.cursor(), period=period, include_unpublished=include_unpublished)
            content = (
                report_xlsx(data, exported_at=stamp, exported_by=identity.name)
                if kind == "xlsx"
                else report_pdf(data, exported_at=stamp, exported_by=identity.name)
            )
            _audit(identity, title=f"Lagebericht {period}", fmt=kind, filters=filters, rows=None)
            return content

        return make

    row = st.container(horizontal=True)
    row.download_button(
        "Lagebericht (Excel)",
        data=build("xlsx"),
        file_name=f"{stem}.xlsx",
        mime=XLSX_MIME,
        key=f"{key}_xlsx",
        icon=":material/table_view:",
        help="Ein Tabellenblatt je Ansicht, dazu Filter, Datenstand und Exportzeit.",
        on_click="ignore",
    )
    row.download_button(
        "Lagebericht (PDF)",
        data=build("pdf"),
        file_name=f"{stem}.pdf",
        mime="application/pdf",
        key=f"{key}_pdf",
        icon=":material/picture_as_pdf:",
        help="Kennzahlen, Hauptdiagramme und fehlende Meldungen für die Besprechung.",
        on_click="ignore",
    )


def _identity() -> Identity | None:
    ctx = st.session_state.get("ctx")
    return getattr(ctx, "identity", None)


def _deferred(
    make: Callable[[export.ExportMeta], bytes],
    *,
    title: str,
    filters: dict[str, str],
    as_of: dt.datetime | dt.date | None,
    identity: Identity,
    fmt: str,
    rows: int | None = None,
) -> Callable[[], bytes]:
    """Build the file when clicked (``run`` runs outside the script thread: no Streamlit
    calls in it; the page's Datenstand is looked up now, during the page run)."""

    default = _page_default() if as_of is None else None
    note = default.note if default is not None else None
    stamp = default.as_of if default is not None else as_of
    missing = AS_OF_MISSING if default is not None else "unbekannt"

    def run() -> bytes:
        meta = export.ExportMeta(
            title=title,
            filters=filters,
            as_of=stamp,
            exported_at=dt.datetime.now(),
            exported_by=identity.name,
            as_of_note=note,
            as_of_missing=missing,
        )
        content = make(meta)
        _audit(identity, title=title, fmt=fmt, filters=filters, rows=rows)
        return content

    return run


def _audit(
    identity: Identity, *, title: str, fmt: str, filters: Mapping[str, str], rows: int | None
) -> None:
    """No file leaves without its audit entry (``kpi.access.log_export`` also re-checks the
    role below the UI): if the entry cannot be written, the download fails too."""
    log_export(
        identity,
        what=title,
        rows=rows,
        file_format=fmt,
        filters={"filters": dict(filters)},
    )
