"""Build project lists in the shapes authorities send, in code (small and deterministic)."""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date
from typing import Any

import xlsxwriter

HEADERS = (
    "Vorhaben-Nr.",
    "Bezeichnung des Vorhabens",
    "Programm / Kategorie",
    "Status",
    "Ampel",
    "Begründung Ampel",
    "Beginn",
    "Ende (geplant)",
    "Ende (Prognose)",
    "Budget in €",
    "Ist-Kosten in €",
    "Fortschritt",
    "Betroffene Leistungen (LeiKa)",
    "Ansprechperson",
)


def project_row(n: int, **overrides: Any) -> dict[str, Any]:
    """One valid project as an authority writes it (German text values)."""
    row: dict[str, Any] = {
        "Vorhaben-Nr.": f"T-{n:03d}",
        "Bezeichnung des Vorhabens": f"Testvorhaben {n}",
        "Programm / Kategorie": "Onlinedienst (OZG)",
        "Status": "in Umsetzung",
        "Ampel": "grün",
        "Begründung Ampel": "",
        "Beginn": "01.02.2025",
        "Ende (geplant)": "31.12.2026",
        "Ende (Prognose)": "31.12.2026",
        "Budget in €": "120.000,00",
        "Ist-Kosten in €": "45.000,50",
        "Fortschritt": "40 %",
        "Betroffene Leistungen (LeiKa)": "99123005017000",
        "Ansprechperson": "Projektbüro",
    }
    row.update(overrides)
    return row


def rows(count: int) -> list[dict[str, Any]]:
    return [project_row(n) for n in range(1, count + 1)]


def csv_bytes(
    records: Sequence[dict[str, Any]],
    *,
    encoding: str = "utf-8",
    delimiter: str = ";",
    title_lines: Sequence[str] = (),
    bom: bool = False,
) -> bytes:
    headers = list(records[0]) if records else list(HEADERS)
    lines = list(title_lines)
    lines.append(delimiter.join(headers))
    for record in records:
        cells = []
        for h in headers:
            value = str(record.get(h, ""))
            if any(c in value for c in (delimiter, '"', "\n")):
                value = '"' + value.replace('"', '""') + '"'
            cells.append(value)
        lines.append(delimiter.join(cells))
    text = "\r\n".join(lines) + "\r\n"
    if encoding == "utf-16":
        return text.encode("utf-16")  # with BOM, like Excel's "Unicode text"
    data = text.encode(encoding)
    return (b"\xef\xbb\xbf" + data) if bom else data


def xlsx_bytes(
    records: Sequence[dict[str, Any]],
    *,
    sheet: str = "Vorhaben",
    title_rows: Sequence[str] = (),
    blank_rows_after_title: int = 0,
    instructions_sheet: bool = False,
    totals_row: bool = False,
    start_row: int = 0,
    typed: bool = True,
) -> bytes:
    """An .xlsx like authorities send; ``typed`` writes dates as Excel dates and money and
    percentages as numbers (as Excel does when cells are formatted), else everything as text."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    if instructions_sheet:
        info = book.add_worksheet("Hinweise")
        info.write(0, 0, "Bitte je Vorhaben eine Zeile ausfüllen. Pflichtfelder sind fett.")
        info.write(1, 0, "Status: geplant, in Umsetzung, abgeschlossen …")
    ws = book.add_worksheet(sheet)
    date_fmt = book.add_format({"num_format": "dd.mm.yyyy"})
    money_fmt = book.add_format({"num_format": '#,##0.00 "€"'})
    pct_fmt = book.add_format({"num_format": "0%"})
    r = start_row
    for title in title_rows:
        ws.merge_range(r, 0, r, 6, title)
        r += 1
    r += blank_rows_after_title
    headers = list(records[0]) if records else list(HEADERS)
    for c, h in enumerate(headers):
        ws.write_string(r, c, h)
    r += 1
    for record in records:
        for c, h in enumerate(headers):
            value = record.get(h, "")
            if typed and h in ("Beginn", "Ende (geplant)", "Ende (Prognose)") and value:
                if isinstance(value, date):
                    ws.write_datetime(r, c, value, date_fmt)
                    continue
                d, m, y = (int(x) for x in str(value).split("."))
                ws.write_datetime(r, c, date(y, m, d), date_fmt)
            elif typed and h in ("Budget in €", "Ist-Kosten in €") and _is_german_number(value):
                ws.write_number(r, c, _german(value), money_fmt)
            elif typed and h == "Fortschritt" and str(value).endswith("%"):
                ws.write_number(r, c, float(str(value).rstrip(" %")) / 100, pct_fmt)
            elif isinstance(value, (int, float)):
                ws.write_number(r, c, value)
            else:
                ws.write_string(r, c, str(value))
        r += 1
    if totals_row:
        r += 1
        ws.write_string(r, 0, "Summe")
        ws.write_formula(r, 9, f"=SUM(J2:J{r})", money_fmt, 0)
    book.close()
    return buffer.getvalue()


def _is_german_number(value: Any) -> bool:
    try:
        _german(value)
    except ValueError:
        return False
    return True


def _german(value: Any) -> float:
    return float(str(value).replace(".", "").replace(",", "."))
