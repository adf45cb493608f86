"""Turn a guarded file into raw sheets: every cell as the file holds it, nothing inferred.

Excel cells keep the type stored in the file (text, number, date); CSV cells are text. No
reader default may turn a value into an empty cell: pandas' NA list, fastexcel's column type
inference and pyarrow's CSV reader all silently drop ``n/a`` in a number column, so none of
them is used here. Conversion happens explicitly, with error messages, in ``loaders.convert``.
"""

from __future__ import annotations

import csv
import io
import logging
from dataclasses import dataclass, field
from typing import Any

import python_calamine as calamine

from loaders.errors import FileRefused
from loaders.guard import GuardedFile

log = logging.getLogger(__name__)

_CANDIDATE_DELIMITERS = (";", "\t", ",")


@dataclass
class RawSheet:
    """The cells of one sheet; ``first_row`` is the Excel/CSV row number of ``rows[0]``."""

    name: str
    rows: list[list[Any]]
    first_row: int = 1
    notes: list[str] = field(default_factory=list)


def read_sheets(file: GuardedFile, *, max_rows: int) -> list[RawSheet]:
    if file.kind == "xlsx":
        return _read_xlsx(file, max_rows=max_rows)
    if file.kind == "json":  # the service portal's export, flattened into one table
        from loaders.portal_json import read_portal_json

        return [read_portal_json(file, max_rows=max_rows)]
    return [_read_csv(file, max_rows=max_rows)]


def _read_xlsx(file: GuardedFile, *, max_rows: int) -> list[RawSheet]:
    try:
        workbook = calamine.CalamineWorkbook.from_filelike(io.BytesIO(file.data))
    except Exception as exc:  # calamine raises its own error types per format problem
        log.info("xlsx unreadable: %s", exc)
        raise FileRefused(
            f"„{file.name}“ kann nicht als Excel-Arbeitsmappe gelesen werden."
        ) from exc
    sheets: list[RawSheet] = []
    for meta in workbook.sheets_metadata:
        if meta.visible != calamine.SheetVisibleEnum.Visible:
            continue  # hidden sheets hold lists for drop-downs, not data
        try:
            sheet = workbook.get_sheet_by_name(meta.name)
        except Exception as exc:
            log.info("sheet %s unreadable: %s", meta.name, exc)
            continue
        if sheet.height > max_rows + 100:
            raise FileRefused(
                f"„{file.name}“: Das Blatt „{meta.name}“ hat {sheet.height:,} Zeilen; erlaubt "
                f"sind höchstens {max_rows:,}.".replace(",", ".")
            )
        rows = sheet.to_python(skip_empty_area=True)
        start = sheet.start or (0, 0)
        sheets.append(RawSheet(name=meta.name, rows=rows, first_row=int(start[0]) + 1))
    if not sheets:
        raise FileRefused(f"„{file.name}“ enthält kein sichtbares Tabellenblatt.")
    return sheets


def decode_text(data: bytes) -> tuple[str, str]:
    """(text, encoding): BOMs first, then strict UTF-8, then Windows-1252 (German Excel)."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="strict"), "UTF-8 mit BOM"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), "UTF-16"
    try:
        return data.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "Windows-1252"
    except UnicodeDecodeError:
        return data.decode("latin-1"), "ISO-8859-1"


def sniff_delimiter(text: str) -> str:
    """The delimiter that splits the most lines into the same number of fields.

    German numbers carry commas and titles carry no delimiter at all, so counting characters
    is misleading; consistency of the field count over the first lines is not.
    """
    sample = text[:20_000].splitlines()[:40]
    best, best_score = ";", -1
    for delimiter in _CANDIDATE_DELIMITERS:
        counts: dict[int, int] = {}
        for row in csv.reader(sample, delimiter=delimiter):
            if len(row) > 1:
                counts[len(row)] = counts.get(len(row), 0) + 1
        if not counts:
            continue
        width, lines = max(counts.items(), key=lambda item: (item[1], item[0]))
        score = lines * 1000 + width
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _read_csv(file: GuardedFile, *, max_rows: int) -> RawSheet:
    try:
        text, encoding = decode_text(file.data)
    except UnicodeDecodeError as exc:
        raise FileRefused(
            f"„{file.name}“: Die Zeichenkodierung ist ungültig. Bitte als CSV (UTF-8) speichern."
        ) from exc
    if "\x00" in text:
        raise FileRefused(
            f"„{file.name}“ enthält Binärdaten (NUL-Zeichen) und ist keine Textdatei."
        )
    delimiter = sniff_delimiter(text)
    rows: list[list[Any]] = []
    try:
        for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter):
            rows.append(row)
            if len(rows) > max_rows + 100:
                raise FileRefused(
                    f"„{file.name}“ hat mehr als {max_rows:,} Zeilen.".replace(",", ".")
                )
    except csv.Error as exc:
        raise FileRefused(f"„{file.name}“ ist keine gültige CSV-Datei: {exc}") from exc
    names = {";": "Semikolon", "\t": "Tabulator", ",": "Komma"}
    return RawSheet(
        name=file.name,
        rows=rows,
        first_row=1,
        notes=[f"Kodierung {encoding}, Trennzeichen {names[delimiter]}"],
    )
