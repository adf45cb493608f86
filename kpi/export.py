"""Exports of what is on screen: CSV and .xlsx tables, PNG and SVG charts. No Streamlit here.

Every file says which filters were active, how fresh the data is and when it was exported.
Formula injection: a cell text that starts with ``=``, ``+``, ``-``, ``@``, tab or CR is
prefixed with ``'`` in CSV (so Excel shows it as text) and written as a text cell in .xlsx
(never a formula); real numbers stay numbers in both.
"""

from __future__ import annotations

import csv
import datetime as dt
import decimal
import io
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd
import xlsxwriter

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
CSV_DELIMITER = ";"
CSV_META_LINES = 4  # Titel, Filter, Datenstand, Exportiert am — then one blank line
CSV_HEADER_LINE = CSV_META_LINES + 1  # rows to skip when reading the table back
MAX_COLUMN_WIDTH = 60

ColumnKind = Literal["integer", "decimal", "money", "percent", "share", "date", "datetime", "text"]

_XLSX_FORMATS: dict[str, str] = {
    "integer": "#,##0",
    "decimal": "#,##0.0##",
    "money": '#,##0.00 "€"',
    "percent": '0.0 "%"',  # values already in percent (83.9)
    "share": "0.0%",  # values as share 0…1 (0.839)
    "date": "dd.mm.yyyy",
    "datetime": "dd.mm.yyyy hh:mm",
}


@dataclass(frozen=True)
class ExportMeta:
    """What every exported file states about itself."""

    title: str
    filters: Mapping[str, str] = field(default_factory=dict)
    as_of: dt.datetime | dt.date | None = None
    exported_at: dt.datetime = field(default_factory=dt.datetime.now)
    exported_by: str | None = None
    # How the as-of date was found (e.g. "neueste berücksichtigte Meldung"), and what to say
    # when there is none; written into the file next to the date.
    as_of_note: str | None = None
    as_of_missing: str = "unbekannt"

    def filter_text(self) -> str:
        if not self.filters:
            return "keine"
        return "; ".join(f"{k}: {v}" for k, v in self.filters.items())

    def as_of_text(self) -> str:
        return _german_datetime(self.as_of) if self.as_of is not None else "unbekannt"

    def as_of_line(self) -> str:
        """The Datenstand as the file states it: the date and how it was found."""
        if self.as_of is None:
            return self.as_of_missing
        text = self.as_of_text()
        return f"{text} ({self.as_of_note})" if self.as_of_note else text

    def lines(self) -> list[tuple[str, str]]:
        """Label, value pairs; CSV writes exactly ``CSV_META_LINES`` of them."""
        return [
            ("Titel", self.title),
            ("Filter", self.filter_text()),
            ("Datenstand", self.as_of_line()),
            ("Exportiert am", _german_datetime(self.exported_at)),
        ]

    def caption(self) -> list[str]:
        """Lines under a chart title."""
        return [
            f"Filter: {self.filter_text()}",
            f"Datenstand: {self.as_of_line()} · exportiert am {_german_datetime(self.exported_at)}",
        ]


def neutralise(value: Any) -> Any:
    """Text that a spreadsheet would run as a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def file_stem(title: str, *, exported_at: dt.datetime) -> str:
    """A safe ASCII file name stem from a German title."""
    folded = (
        title.lower().replace("ä", "ae").replace("ö", "oe").replace("ü", "ue").replace("ß", "ss")
    )
    slug = re.sub(r"[^a-z0-9]+", "_", folded).strip("_")[:60] or "export"
    return f"{slug}_{exported_at:%Y-%m-%d_%H%M}"


# --- CSV -----------------------------------------------------------------------------------


def to_csv(frame: pd.DataFrame, *, meta: ExportMeta) -> bytes:
    """UTF-8 with BOM, ``;`` separated, decimal comma, dates as 31.12.2026, so German Excel
    opens it correctly. The first ``CSV_META_LINES`` lines describe the export, then one
    blank line, then the table with its header."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=CSV_DELIMITER, lineterminator="\r\n")
    for label, value in meta.lines():
        writer.writerow([label, neutralise(value)])
    writer.writerow([])
    writer.writerow([neutralise(str(c)) for c in frame.columns])
    columns = [frame[c].tolist() for c in frame.columns]
    for values in zip(*columns, strict=True) if columns else ():
        writer.writerow([_csv_cell(v) for v in values])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _csv_cell(value: Any) -> str:
    if _is_missing(value):
        return ""
    if isinstance(value, (bool, np.bool_)):
        return "ja" if value else "nein"
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, (float, np.floating, decimal.Decimal)):
        return f"{float(value):.15g}".replace(".", ",")
    if isinstance(value, (pd.Timestamp, dt.datetime, dt.date)):
        return _german_datetime(value)
    if isinstance(value, (list, tuple, np.ndarray)):
        return neutralise("; ".join(str(v) for v in value))
    return str(neutralise(str(value)))


# --- XLSX ----------------------------------------------------------------------------------


def to_xlsx(
    frame: pd.DataFrame,
    *,
    meta: ExportMeta,
    column_kinds: Mapping[str, ColumnKind] | None = None,
    sheet_name: str = "Daten",
) -> bytes:
    """One data sheet (header frozen, autofilter, German number and date formats, fitted
    column widths) and an "Info" sheet with title, filters, as-of date and export time."""
    buffer = io.BytesIO()
    book = _workbook(buffer)
    formats = _book_formats(book)
    write_sheet(book, formats, frame, sheet_name=sheet_name, column_kinds=column_kinds)
    write_info_sheet(book, formats, meta, rows=len(frame))
    book.close()
    return buffer.getvalue()


def _workbook(buffer: io.BytesIO) -> xlsxwriter.Workbook:
    # Text is never turned into formulas, numbers or links behind the caller's back.
    return xlsxwriter.Workbook(
        buffer,
        {
            "in_memory": True,
            "strings_to_formulas": False,
            "strings_to_numbers": False,
            "strings_to_urls": False,
            "nan_inf_to_errors": False,
        },
    )


def _book_formats(book: xlsxwriter.Workbook) -> dict[str, Any]:
    formats: dict[str, Any] = {
        k: book.add_format({"num_format": v}) for k, v in _XLSX_FORMATS.items()
    }
    formats["header"] = book.add_format(
        {"bold": True, "text_wrap": True, "valign": "top", "bg_color": "#DDEBF7", "border": 1}
    )
    formats["text"] = None
    formats["bold"] = book.add_format({"bold": True})
    formats["wrap"] = book.add_format({"text_wrap": True, "valign": "top"})
    return formats


def write_sheet(
    book: xlsxwriter.Workbook,
    formats: dict[str, Any],
    frame: pd.DataFrame,
    *,
    sheet_name: str,
    column_kinds: Mapping[str, ColumnKind] | None = None,
) -> Any:
    """Write one table sheet; used by ``to_xlsx`` and the period report."""
    ws = book.add_worksheet(_sheet_name(sheet_name))
    kinds = {c: (column_kinds or {}).get(c) or infer_kind(frame[c]) for c in frame.columns}
    for c, column in enumerate(frame.columns):
        ws.write_string(0, c, str(column), formats["header"])
    for c, column in enumerate(frame.columns):
        kind = kinds[column]
        fmt = formats.get(kind)
        width = len(str(column))
        for r, value in enumerate(frame[column].tolist(), start=1):
            width = max(width, _write_xlsx_cell(ws, r, c, value, kind, fmt))
        ws.set_column(c, c, min(MAX_COLUMN_WIDTH, max(8, width + 2)))
    ws.freeze_panes(1, 0)
    if len(frame.columns):
        ws.autofilter(0, 0, max(len(frame), 1), len(frame.columns) - 1)
    return ws


def write_info_sheet(
    book: xlsxwriter.Workbook, formats: dict[str, Any], meta: ExportMeta, *, rows: int | None
) -> Any:
    ws = book.add_worksheet("Info")
    lines = list(meta.lines())
    if meta.exported_by:
        lines.append(("Exportiert von", meta.exported_by))
    if rows is not None:
        lines.append(("Zeilen", str(rows)))
    lines.append(
        (
            "Hinweis",
            "Texte, die mit =, +, -, @ beginnen, sind als Text gespeichert, nicht als Formel.",
        )
    )
    for r, (label, value) in enumerate(lines):
        ws.write_string(r, 0, label, formats["bold"])
        ws.write_string(r, 1, value, formats["wrap"])
    ws.set_column(0, 0, 16)
    ws.set_column(1, 1, 100)
    return ws


def infer_kind(series: pd.Series) -> ColumnKind:
    if pd.api.types.is_bool_dtype(series):
        return "text"
    if pd.api.types.is_integer_dtype(series):
        return "integer"
    if pd.api.types.is_float_dtype(series):
        values = series.dropna()
        if not values.empty and (values == values.round()).all():
            return "integer"
        return "decimal"
    if pd.api.types.is_datetime64_any_dtype(series):
        values = series.dropna()
        if not values.empty and (values == values.dt.normalize()).all():
            return "date"
        return "datetime"
    sample = series.dropna()
    if not sample.empty and sample.map(lambda v: isinstance(v, dt.date)).all():
        if sample.map(lambda v: isinstance(v, dt.datetime)).any():
            return "datetime"
        return "date"
    return "text"


def _write_xlsx_cell(ws: Any, r: int, c: int, value: Any, kind: str, fmt: Any) -> int:
    """Write one value with its proper cell type; returns its display width."""
    if _is_missing(value):
        ws.write_blank(r, c, None, fmt)
        return 0
    if isinstance(value, (bool, np.bool_)):
        ws.write_string(r, c, "ja" if value else "nein")
        return 4
    if isinstance(value, (int, float, np.integer, np.floating, decimal.Decimal)):
        number = float(value)
        if math.isinf(number):
            ws.write_string(r, c, "∞" if number > 0 else "-∞")
            return 2
        ws.write_number(r, c, number, fmt)
        return len(f"{number:,.2f}")
    if isinstance(value, (pd.Timestamp, dt.datetime, dt.date)):
        stamp = pd.Timestamp(value)
        if stamp.tzinfo is not None:
            stamp = stamp.tz_localize(None)
        date_fmt = fmt if kind in ("date", "datetime") else None
        ws.write_datetime(r, c, stamp.to_pydatetime(), date_fmt)
        return 16 if kind == "datetime" else 10
    if isinstance(value, (list, tuple, np.ndarray)):
        value = "; ".join(str(v) for v in value)
    text = str(value)
    ws.write_string(r, c, text)  # a text cell: "=HYPERLINK(…)" stays text
    return len(text)


def _sheet_name(name: str) -> str:
    cleaned = re.sub(r"[\[\]:*?/\\]", " ", name).strip() or "Daten"
    return cleaned[:31]


# --- charts --------------------------------------------------------------------------------


def chart_spec(chart: Any, *, meta: ExportMeta) -> dict[str, Any]:
    """The Vega-Lite spec of an Altair chart (or a spec dict) with the export's title and the
    filters / as-of lines as subtitle."""
    spec = dict(chart if isinstance(chart, dict) else chart.to_dict())
    spec["title"] = {"text": meta.title, "subtitle": meta.caption(), "anchor": "start"}
    spec.setdefault("background", "white")
    return spec


def chart_png(chart: Any, *, meta: ExportMeta, scale: float = 2.0) -> bytes:
    """PNG rendered offline by vl-convert, German number and date formats."""
    import vl_convert as vlc

    return vlc.vegalite_to_png(
        chart_spec(chart, meta=meta),
        scale=scale,
        format_locale="de-DE",
        time_format_locale="de-DE",
    )


def chart_svg(chart: Any, *, meta: ExportMeta) -> bytes:
    import vl_convert as vlc

    svg = vlc.vegalite_to_svg(
        chart_spec(chart, meta=meta), format_locale="de-DE", time_format_locale="de-DE"
    )
    return svg.encode("utf-8")


# --- helpers -------------------------------------------------------------------------------


def _is_missing(value: Any) -> bool:
    if value is None or value is pd.NaT or value is pd.NA:
        return True
    if isinstance(value, (float, np.floating)):
        return math.isnan(float(value))
    return False


def _german_datetime(value: Any) -> str:
    if value is None or _is_missing(value):
        return ""
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    if isinstance(value, dt.datetime):
        if value.time() == dt.time():
            return value.strftime("%d.%m.%Y")
        return value.strftime("%d.%m.%Y %H:%M")
    if isinstance(value, dt.date):
        return value.strftime("%d.%m.%Y")
    return str(value)
