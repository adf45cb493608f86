"""The Excel template an authority fills in: generated from the field definitions.

German headers (``FieldSpec.label``), an instructions sheet, drop-down lists for enumerated
fields from a hidden list sheet, date and number formats, the data range as an Excel table,
and optionally the authority's current rows prefilled, so updating means editing, not
retyping. Everything the template lets a user enter passes validation unchanged; a correctly
filled template ingests without a single message (tested as a round trip).
"""

from __future__ import annotations

import datetime as dt
import io
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd
import xlsxwriter
from xlsxwriter.utility import xl_col_to_name

from data.reference import TOPIC_AREAS
from loaders.eakte import EAKTE_STATUS_LABELS
from loaders.enums import PROGRAMME_LABELS, STATUS_LABELS, TRAFFIC_LIGHT_LABELS
from loaders.fields import FieldSpec
from loaders.kinds import KINDS

DATA_ROWS = 500  # rows covered by formats and drop-downs beyond the prefilled ones
LIST_SHEET = "Listen"
INSTRUCTIONS_SHEET = "Anleitung"

# Drop-down values per (kind, field). ``strict`` lists refuse other input in Excel; the
# topic areas only warn, because the validation accepts any Themenfeld text.
CHOICES: dict[tuple[str, str], tuple[tuple[str, ...], bool]] = {
    ("projects", "status"): (tuple(STATUS_LABELS.values()), True),
    ("projects", "traffic_light"): (tuple(TRAFFIC_LIGHT_LABELS.values()), True),
    ("projects", "programme"): (tuple(PROGRAMME_LABELS.values()), True),
    ("projects", "topic_area"): (tuple(name for _id, name in TOPIC_AREAS), False),
    ("eakte", "status"): (tuple(EAKTE_STATUS_LABELS.values()), True),
}
_VALUE_LABELS: dict[tuple[str, str], dict[str, str]] = {
    ("projects", "status"): STATUS_LABELS,
    ("projects", "traffic_light"): TRAFFIC_LIGHT_LABELS,
    ("projects", "programme"): PROGRAMME_LABELS,
    ("eakte", "status"): EAKTE_STATUS_LABELS,
}
_LEFT_OUT = {"authority"}  # optional: the authority is chosen on upload, not per row
_TYPE_HINTS = {
    "text": "Text",
    "enum": "Auswahlliste",
    "date": "Datum (TT.MM.JJJJ)",
    "money": "Betrag in Euro, oder „vertraulich“ / „nicht gemeldet“",
    "percent": "Zahl von 0 bis 100",
    "integer": "ganze Zahl",
    "leika_list": "14-stellige LeiKa-Schlüssel, mehrere durch ; getrennt",
    "id_list": "Ziffern, mehrere durch ; getrennt",
}


@dataclass(frozen=True)
class TemplateInfo:
    """Who the template is for; printed on the instructions sheet."""

    authority_name: str
    period: str
    created_at: dt.datetime


def template_fields(kind: str) -> tuple[FieldSpec, ...]:
    return tuple(f for f in KINDS[kind].fields if f.required or f.name not in _LEFT_OUT)


def template_file_name(kind: str, *, authority_id: str, period: str) -> str:
    return f"vorlage_{kind}_{authority_id}_{period}.xlsx"


def build_template(
    kind: str,
    *,
    info: TemplateInfo,
    prefill: pd.DataFrame | None = None,
) -> bytes:
    """The .xlsx template for ``kind``; ``prefill`` holds stored rows in canonical columns."""
    spec = KINDS[kind]
    fields = template_fields(kind)
    rows = _prefill_rows(prefill, fields, kind=kind) if prefill is not None else []
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False})
    book.set_properties(
        {"title": f"Vorlage {spec.label}", "subject": info.period, "author": "CDO Berlin"}
    )
    formats = _formats(book)
    instructions = book.add_worksheet(INSTRUCTIONS_SHEET)
    sheet = book.add_worksheet(spec.row_noun[:31])
    lists = book.add_worksheet(LIST_SHEET)
    list_ranges = _write_lists(lists, kind, fields, formats)
    lists.hide()
    _write_instructions(instructions, spec.label, fields, info, kind, formats)
    _write_data_sheet(sheet, kind, fields, rows, list_ranges, formats)
    sheet.activate()
    book.close()
    return buffer.getvalue()


def _formats(book: xlsxwriter.Workbook) -> dict[str, Any]:
    return {
        "date": book.add_format({"num_format": "dd.mm.yyyy"}),
        "money": book.add_format({"num_format": '#,##0.00 "€"'}),
        "percent": book.add_format({"num_format": '0 "%"'}),
        "integer": book.add_format({"num_format": "0"}),
        "text": book.add_format({"num_format": "@"}),
        "title": book.add_format({"bold": True, "font_size": 14}),
        "bold": book.add_format({"bold": True}),
        "wrap": book.add_format({"text_wrap": True, "valign": "top"}),
        "required": book.add_format({"bold": True, "bg_color": "#FDE9D9"}),
    }


def _cell_format(field: FieldSpec, formats: dict[str, Any]) -> Any:
    if field.type in ("date", "money", "percent", "integer"):
        return formats[field.type]
    return formats["text"]  # ids, keys and lists stay text (no 9,9E+13)


def _write_lists(
    lists: Any, kind: str, fields: Sequence[FieldSpec], formats: dict[str, Any]
) -> dict[str, str]:
    ranges: dict[str, str] = {}
    col = 0
    for field in fields:
        choice = CHOICES.get((kind, field.name))
        if not choice:
            continue
        values, _strict = choice
        lists.write_string(0, col, field.label, formats["bold"])
        for r, value in enumerate(values, start=1):
            lists.write_string(r, col, value)
        letter = xl_col_to_name(col)
        ranges[field.name] = f"={LIST_SHEET}!${letter}$2:${letter}${len(values) + 1}"
        col += 1
    return ranges


def _write_instructions(
    ws: Any,
    label: str,
    fields: Sequence[FieldSpec],
    info: TemplateInfo,
    kind: str,
    formats: dict[str, Any],
) -> None:
    ws.set_column(0, 0, 34)
    ws.set_column(1, 1, 10)
    ws.set_column(2, 2, 44)
    ws.set_column(3, 3, 60)
    ws.write_string(0, 0, f"Vorlage {label}", formats["title"])
    lines = (
        f"Behörde: {info.authority_name}",
        f"Berichtsperiode: {info.period}",
        f"Erstellt am: {info.created_at:%d.%m.%Y %H:%M}",
        "",
        "So füllen Sie die Vorlage aus:",
        "1. Tragen Sie im nächsten Blatt je Vorhaben eine Zeile ein (vorhandene Zeilen "
        "aktualisieren, neue unten anfügen, entfallene löschen).",
        "2. Ändern Sie die Spaltenüberschriften nicht; zusätzliche Spalten werden "
        "gespeichert, aber nicht ausgewertet.",
        "3. Felder mit Auswahlliste: bitte einen Wert aus der Liste wählen.",
        "4. Datumsangaben als TT.MM.JJJJ, Beträge in Euro ohne Zusatz wie „ca.“.",
        "5. Bei gelber oder roter Ampel bitte eine Begründung angeben.",
        "6. Speichern Sie als .xlsx und laden Sie die Datei auf der Seite „Daten einreichen“ hoch.",
    )
    for r, line in enumerate(lines, start=1):
        ws.write_string(r, 0, line)
    top = len(lines) + 2
    for c, head in enumerate(("Spalte", "Pflicht", "Format", "Erlaubte Werte / Hinweis")):
        ws.write_string(top, c, head, formats["bold"])
    for r, field in enumerate(fields, start=top + 1):
        choice = CHOICES.get((kind, field.name))
        allowed = ", ".join(choice[0]) if choice else ""
        hint = "; ".join(t for t in (allowed, field.help) if t)
        ws.write_string(r, 0, field.label, formats["bold"] if field.required else None)
        ws.write_string(r, 1, "ja" if field.required else "")
        ws.write_string(r, 2, _TYPE_HINTS.get(field.type, field.type))
        ws.write_string(r, 3, hint, formats["wrap"])


def _write_data_sheet(
    ws: Any,
    kind: str,
    fields: Sequence[FieldSpec],
    rows: list[list[Any]],
    list_ranges: dict[str, str],
    formats: dict[str, Any],
) -> None:
    last_row = max(len(rows), 1) + DATA_ROWS
    columns = []
    for c, field in enumerate(fields):
        cell_format = _cell_format(field, formats)
        columns.append({"header": field.label, "format": cell_format})
        width = max(12, min(42, len(field.label) + 4))
        if field.type == "text" and field.name in ("title", "goal", "remarks"):
            width = 40
        ws.set_column(c, c, width, cell_format)  # also formats rows typed below the table
        _validate(ws, kind, field, c, last_row, list_ranges)
    ws.add_table(
        0,
        0,
        last_row,
        len(fields) - 1,
        {
            "name": f"Meldung_{kind}",
            "style": "Table Style Medium 2",
            "columns": columns,
        },
    )
    for r, row in enumerate(rows, start=1):
        for c, (field, value) in enumerate(zip(fields, row, strict=True)):
            _write_value(ws, r, c, field, value, formats)
    ws.freeze_panes(1, 1)
    for c, field in enumerate(fields):
        if field.required:
            ws.write_comment(0, c, "Pflichtfeld", {"visible": False})


def _validate(
    ws: Any, kind: str, field: FieldSpec, col: int, last_row: int, list_ranges: dict[str, str]
) -> None:
    hint = (field.help or _TYPE_HINTS.get(field.type, ""))[:250]
    common = {"input_title": field.label[:32], "input_message": hint} if hint else {}
    if field.name in list_ranges:
        strict = CHOICES[(kind, field.name)][1]
        options = {
            "validate": "list",
            "source": list_ranges[field.name],
            "error_type": "stop" if strict else "warning",
            "error_title": "Wert nicht in der Liste",
            "error_message": "Bitte einen Wert aus der Auswahlliste wählen.",
        }
    elif field.type == "date":
        options = {
            "validate": "date",
            "criteria": "between",
            "minimum": dt.date(1990, 1, 1),
            "maximum": dt.date(2100, 12, 31),
            "error_type": "stop",
            "error_message": "Bitte ein Datum als TT.MM.JJJJ eingeben.",
        }
    elif field.type == "percent":
        options = {
            "validate": "decimal",
            "criteria": "between",
            "minimum": 0,
            "maximum": 100,
            "error_type": "stop",
            "error_message": "Bitte eine Zahl von 0 bis 100 eingeben (Prozent).",
        }
    elif field.type == "integer" and field.name == "risk_rating":
        options = {
            "validate": "integer",
            "criteria": "between",
            "minimum": 1,
            "maximum": 5,
            "error_type": "stop",
            "error_message": "Bitte eine ganze Zahl von 1 bis 5 eingeben.",
        }
    elif common:
        options = {"validate": "any"}
    else:
        return
    ws.data_validation(1, col, last_row, col, {**options, **common})


def _write_value(
    ws: Any, row: int, col: int, field: FieldSpec, value: Any, formats: dict[str, Any]
) -> None:
    cell_format = _cell_format(field, formats)
    if value is None:
        return
    if isinstance(value, str):
        ws.write_string(row, col, value, cell_format)
    elif isinstance(value, dt.date):
        ws.write_datetime(row, col, value, cell_format)
    else:
        ws.write_number(row, col, value, cell_format)


def _prefill_rows(
    frame: pd.DataFrame, fields: Sequence[FieldSpec], *, kind: str
) -> list[list[Any]]:
    """Stored rows (canonical columns) back into the values a user would type."""
    confidential = (
        frame["cost_reporting_status"].eq("confidential")
        if "cost_reporting_status" in frame
        else pd.Series(False, index=frame.index)
    )
    money_fields = [f.name for f in fields if f.type == "money"]
    out: list[list[Any]] = []
    for index, record in frame.iterrows():
        row: list[Any] = []
        wrote_confidential = False
        for field in fields:
            value = record.get(field.name)
            cell = _user_value(field, value, kind=kind)
            if (
                cell is None
                and field.type == "money"
                and bool(confidential.at[index])
                and not wrote_confidential
                and field.name == money_fields[0]
            ):
                cell = "vertraulich"
                wrote_confidential = True
            row.append(cell)
        out.append(row)
    return out


def _missing(value: Any) -> bool:
    if value is None or value is pd.NaT or value is pd.NA:
        return True
    return isinstance(value, float) and math.isnan(value)


def _user_value(field: FieldSpec, value: Any, *, kind: str) -> Any:
    if field.type in ("leika_list", "id_list"):
        if _missing(value):
            return None
        items = [str(v) for v in value]
        if not items:
            return "nicht im LeiKa" if field.type == "leika_list" else None
        return "; ".join(items)
    if _missing(value):
        return None
    if field.type == "date":
        stamp = pd.Timestamp(value)
        return None if pd.isna(stamp) else stamp.date()
    if field.type in ("money", "percent"):
        return float(value)
    if field.type == "integer":
        return int(value)
    if field.type == "enum":
        return _VALUE_LABELS.get((kind, field.name), {}).get(str(value), str(value))
    text = str(value)
    return text or None
