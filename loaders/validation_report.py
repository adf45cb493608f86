"""The validation report as a table and as an .xlsx with the offending cells marked.

The workbook has the problem list (Excel row, project id, column, value, message) and a copy
of the uploaded data block where every cell with an error is red and every cell with a
warning yellow, each with the message as a cell note, so the coordinator can fix the file
where the problem is. File contents are written as values, never as formulas.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from typing import Any

import pandas as pd
import xlsxwriter

from loaders.errors import LoaderError, Problem
from loaders.guard import guard
from loaders.header import MappedTable, map_table
from loaders.kinds import KINDS
from loaders.readers import read_sheets
from store.settings import get_settings

SEVERITY_LABELS = {"error": "Fehler", "warning": "Hinweis"}
REPORT_COLUMNS = ("Art", "Zeile", "Vorhaben-Nr.", "Spalte", "Wert", "Meldung")


def problem_table(problems: Sequence[Problem]) -> pd.DataFrame:
    """The report as shown on screen: errors first, then by row."""
    ordered = sorted(problems, key=lambda p: (p.severity != "error", p.row or 0))
    return pd.DataFrame(
        {
            "Art": [SEVERITY_LABELS[p.severity] for p in ordered],
            "Zeile": pd.array([p.row for p in ordered], dtype="Int64"),
            "Vorhaben-Nr.": [p.project_id or "" for p in ordered],
            "Spalte": [p.column or "" for p in ordered],
            "Wert": [p.value or "" for p in ordered],
            "Meldung": [p.message for p in ordered],
        },
        columns=list(REPORT_COLUMNS),
    )


def counts(problems: Sequence[Problem]) -> dict[str, int]:
    errors = sum(1 for p in problems if p.severity == "error")
    rows = {p.row for p in problems if p.severity == "error" and p.row is not None}
    return {
        "errors": errors,
        "warnings": len(problems) - errors,
        "rows_with_errors": len(rows),
    }


def report_xlsx(
    *,
    problems: Sequence[Problem],
    data: bytes,
    file_name: str,
    kind: str,
    column_overrides: dict[str, str] | None = None,
    created_at: dt.datetime | None = None,
) -> bytes:
    """Problem list plus the marked data block; the file is read again the same way
    ``prepare`` read it, so rows and columns match the messages."""
    table = _mapped(data=data, file_name=file_name, kind=kind, overrides=column_overrides)
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(
        buffer,
        {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False},
    )
    bold = book.add_format({"bold": True})
    wrap = book.add_format({"text_wrap": True, "valign": "top"})
    error_fmt = book.add_format({"bg_color": "#F4B6B6", "border": 1, "border_color": "#C00000"})
    warning_fmt = book.add_format({"bg_color": "#FFE699", "border": 1, "border_color": "#BF8F00"})
    date_fmt = book.add_format({"num_format": "dd.mm.yyyy"})
    date_error = book.add_format(
        {"num_format": "dd.mm.yyyy", "bg_color": "#F4B6B6", "border": 1, "border_color": "#C00000"}
    )
    date_warning = book.add_format(
        {"num_format": "dd.mm.yyyy", "bg_color": "#FFE699", "border": 1, "border_color": "#BF8F00"}
    )

    summary = counts(problems)
    report = book.add_worksheet("Prüfbericht")
    report.write_string(0, 0, f"Prüfbericht für „{file_name}“", bold)
    report.write_string(
        1,
        0,
        f"{summary['errors']} Fehler, {summary['warnings']} Hinweis{'' if summary['warnings'] == 1 else 'e'}; erstellt am "
        f"{(created_at or dt.datetime.now()):%d.%m.%Y %H:%M}. Fehler verhindern die "
        "Übernahme, Hinweise nicht.",
    )
    frame = problem_table(problems)
    top = 3
    for c, head in enumerate(frame.columns):
        report.write_string(top, c, head, bold)
    for r, record in enumerate(frame.itertuples(index=False), start=top + 1):
        fmt = error_fmt if record[0] == SEVERITY_LABELS["error"] else warning_fmt
        report.write_string(r, 0, record[0], fmt)
        if pd.notna(record[1]):
            report.write_number(r, 1, int(record[1]))
        for c in (2, 3, 4):
            report.write_string(r, c, str(record[c]))
        report.write_string(r, 5, str(record[5]), wrap)
    report.set_column(0, 0, 9)
    report.set_column(1, 1, 7)
    report.set_column(2, 3, 24)
    report.set_column(4, 4, 22)
    report.set_column(5, 5, 90)
    if len(frame):
        report.autofilter(top, 0, top + len(frame), len(frame.columns) - 1)
    report.freeze_panes(top + 1, 0)

    if table is not None:
        marked = book.add_worksheet("Datei mit Markierungen")
        marks = _marks(problems, table)
        # Same Excel row numbers as in the uploaded file: the header sits on its own row.
        header_r = table.header_row - 1
        for c, head in enumerate(table.headers):
            marked.write_string(header_r, c, head, bold)
            marked.set_column(c, c, max(10, min(40, len(head) + 2)))
        for row, number in zip(table.rows, table.row_numbers, strict=True):
            r = number - 1
            for c, value in enumerate(row):
                mark = marks.get((number, c))
                fmt = None
                if mark:
                    fmt = error_fmt if mark[0] == "error" else warning_fmt
                    if isinstance(value, (dt.date, dt.datetime)):
                        fmt = date_error if mark[0] == "error" else date_warning
                elif isinstance(value, (dt.date, dt.datetime)):
                    fmt = date_fmt
                _write_cell(marked, r, c, value, fmt)
                if mark:
                    marked.write_comment(r, c, "\n".join(mark[1])[:2000], {"x_scale": 2})
        for (number, c), (severity, messages) in marks.items():
            if number == table.header_row:  # missing or duplicate header
                marked.write_comment(header_r, c, "\n".join(messages)[:2000], {"x_scale": 2})
                marked.write_string(
                    header_r,
                    c,
                    table.headers[c] if c < len(table.headers) else "",
                    error_fmt if severity == "error" else warning_fmt,
                )
        marked.freeze_panes(header_r + 1, 0)
    book.close()
    return buffer.getvalue()


def report_file_name(file_name: str) -> str:
    stem = file_name.rsplit(".", 1)[0]
    return f"pruefbericht_{stem}.xlsx"


def _mapped(
    *, data: bytes, file_name: str, kind: str, overrides: dict[str, str] | None
) -> MappedTable | None:
    settings = get_settings()
    try:
        file = guard(name=file_name, data=data, max_bytes=settings.max_upload_mb * 1_048_576)
        sheets = read_sheets(file, max_rows=settings.max_rows)
        return map_table(
            sheets, fields=KINDS[kind].fields, file_name=file_name, overrides=overrides
        )
    except LoaderError:
        return None


def _marks(
    problems: Sequence[Problem], table: MappedTable
) -> dict[tuple[int, int], tuple[str, list[str]]]:
    """(Excel row, column index) → (worst severity, messages) for located problems."""
    positions = {h: i for i, h in enumerate(table.headers) if h}
    by_field = {f: i for i, f in enumerate(table.fields) if f}
    marks: dict[tuple[int, int], tuple[str, list[str]]] = {}
    for p in problems:
        if p.row is None:
            continue
        col = positions.get(p.column or "")
        if col is None and p.field:
            col = by_field.get(p.field)
        if col is None:
            continue
        severity, messages = marks.get((p.row, col), ("warning", []))
        if p.severity == "error":
            severity = "error"
        messages.append(f"{SEVERITY_LABELS[p.severity]}: {p.message}")
        marks[(p.row, col)] = (severity, messages)
    return marks


def _write_cell(ws: Any, r: int, c: int, value: Any, fmt: Any) -> None:
    if value is None or (isinstance(value, str) and value == ""):
        ws.write_blank(r, c, None, fmt)
    elif isinstance(value, bool):
        ws.write_boolean(r, c, value, fmt)
    elif isinstance(value, (int, float)):
        ws.write_number(r, c, value, fmt)
    elif isinstance(value, (dt.datetime, dt.date)):
        ws.write_datetime(r, c, value, fmt)
    elif isinstance(value, dt.time):
        ws.write_string(r, c, value.isoformat(), fmt)
    else:
        ws.write_string(r, c, str(value), fmt)
