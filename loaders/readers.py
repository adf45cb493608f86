"""Turn a guarded file into sheets: every cell as the file holds it, nothing inferred.

Two shapes, the same cells:

- ``RawSheet`` (``read_sheets(..., as_text=False)``): rows of Python cells; Excel cells keep
  the type stored in the file (text, number, date), read cell by cell with python-calamine.
  Used wherever single cells are shown or written back (validation report, column mapping,
  preview of other kinds).
- ``TextSheet`` (``as_text=True``): every cell as text in Arrow columns, for the ingest of
  project lists. An .xlsx is read with fastexcel with *every* column forced to text, which
  keeps ``n/a`` in a number column as text; fastexcel renders the typed cells as text
  (numbers with at most nine decimals, ``2026-12-31 00:00:00`` for dates, ``true`` for
  booleans). Where such a rendering could mean something else than the typed cell did, the
  ingest reads the file again as ``RawSheet`` (see ``loaders.convert.excel_ambiguities``).

No reader default may turn a value into an empty cell: pandas' NA list, fastexcel's column type
inference and pyarrow's CSV reader all silently drop ``n/a`` in a number column, so none of
them is used here. Conversion happens explicitly, with error messages, in ``loaders.convert``.
"""

from __future__ import annotations

import csv
import io
import itertools
import logging
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
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


TEXT_DTYPE = pd.StringDtype("pyarrow", na_value=np.nan)  # pandas "str": Arrow, NaN = empty


def text_series(array: pa.Array | pa.ChunkedArray, index: pd.Index) -> pd.Series:
    """An Arrow string array as a pandas ``str`` Series without copying (``pd.Series(array)``
    takes a slow path through Python objects' checks)."""
    if array.type != pa.string():
        array = pc.cast(array, pa.string())
    return pd.Series(pd.arrays.ArrowStringArray(array, dtype=TEXT_DTYPE), index=index)


# What str.strip() removes: the readers and converters trim exactly these characters.
PY_WHITESPACE = "".join(chr(c) for c in range(0x110000) if chr(c).isspace())
HEAD_ROWS = 30  # rows a TextSheet keeps as Python lists for finding the header row


class TextSheet:
    """The cells of one sheet as text (``None`` = empty cell), column-wise in Arrow.

    ``head`` holds the first rows as Python lists (for finding the header row); the data
    block below the header comes out as columns (``columns``). ``first_row`` is the Excel/CSV
    row number of row 0. ``from_excel``: the texts of typed Excel cells are fastexcel's
    renderings, which the ingest checks for ambiguity before trusting them.
    """

    name: str
    first_row: int
    height: int
    head: list[list[str | None]]
    notes: list[str]
    from_excel: bool

    def row(self, index: int) -> list[str | None]:
        """One whole row (for the totals-row check at the end of the data)."""
        raise NotImplementedError

    def nonblank(self, start: int) -> np.ndarray:
        """Rows from ``start`` on: True where any cell holds more than whitespace."""
        raise NotImplementedError

    def columns(self, start: int, width: int, keep: np.ndarray) -> list[pa.Array]:
        """``width`` text columns of the rows ``start + i`` with ``keep[i]``; shorter rows are
        padded with empty cells, longer ones cut (as ``RawSheet`` rows are)."""
        raise NotImplementedError


class ArrowTextSheet(TextSheet):
    """An .xlsx sheet read by fastexcel, every column as text."""

    def __init__(self, name: str, arrays: list[pa.Array], first_row: int) -> None:
        self.name = name
        self.first_row = first_row
        self.notes = []
        self.from_excel = True
        self._arrays = arrays
        self.height = len(arrays[0]) if arrays else 0
        head_columns = [a.slice(0, HEAD_ROWS).to_pylist() for a in arrays]
        self.head = [list(r) for r in zip(*head_columns, strict=True)] if arrays else []

    def row(self, index: int) -> list[str | None]:
        return [a[index].as_py() for a in self._arrays]

    def nonblank(self, start: int) -> np.ndarray:
        count = self.height - start
        result = np.zeros(count, dtype=bool)
        for array in self._arrays:
            # only rows still blank need the next column (usually the first one settles all)
            todo = np.flatnonzero(~result)
            if todo.size == 0:
                break
            part = array.slice(start)
            if todo.size < count:
                part = part.take(pa.array(todo))
            filled = np.asarray(pc.fill_null(pc.greater(pc.utf8_length(part), 0), False))
            if not filled.any():
                continue
            spaces = np.asarray(
                pc.fill_null(pc.match_substring_regex(part, _WHITESPACE_ONLY), False)
            )
            result[todo[filled & ~spaces]] = True
        return result

    def columns(self, start: int, width: int, keep: np.ndarray) -> list[pa.Array]:
        selected = pa.array(keep)
        out = [pc.filter(a.slice(start), selected) for a in self._arrays[:width]]
        while len(out) < width:
            out.append(pa.nulls(int(keep.sum()), pa.string()))
        return out


class RowsTextSheet(TextSheet):
    """A CSV file: ragged rows of text, turned into columns for the data block only."""

    def __init__(self, name: str, rows: list[list[str]], notes: list[str]) -> None:
        self.name = name
        self.first_row = 1
        self.notes = notes
        self.from_excel = False
        self._rows = rows
        self.height = len(rows)
        self.head = [list(r) for r in rows[:HEAD_ROWS]]

    def row(self, index: int) -> list[str | None]:
        return list(self._rows[index])

    def nonblank(self, start: int) -> np.ndarray:
        # the whole row counts, also cells right of the header (as for RawSheet rows); the
        # first cell usually settles it
        return np.fromiter(
            (
                bool(r) and (r[0].strip() != "" or "".join(r).strip() != "")
                for r in self._rows[start:]
            ),
            dtype=bool,
            count=self.height - start,
        )

    def columns(self, start: int, width: int, keep: np.ndarray) -> list[pa.Array]:
        rows = list(itertools.compress(self._rows[start:], keep))
        if not rows:
            return [pa.array([], pa.string()) for _ in range(width)]
        if set(map(len, rows)) != {width}:  # ragged rows: pad with empty cells, cut extra ones
            rows = [
                r[:width] if len(r) >= width else [*r, *([None] * (width - len(r)))] for r in rows
            ]
        # one Arrow array of all cells, row by row, then every width-th cell per column: far
        # cheaper than transposing 100,000 Python lists with zip(*rows)
        cells = pa.array(list(itertools.chain.from_iterable(rows)), pa.string())
        count = len(rows)
        return [cells.take(pa.array(np.arange(i, count * width, width))) for i in range(width)]


def _regex_class(chars: str) -> str:
    return "".join(f"\\x{{{ord(c):x}}}" for c in chars)


_WHITESPACE_ONLY = f"^[{_regex_class(PY_WHITESPACE)}]+$"


def read_sheets(
    file: GuardedFile, *, max_rows: int, as_text: bool = False
) -> list[RawSheet] | list[TextSheet]:
    """The sheets of ``file``; ``as_text`` reads .xlsx and CSV as ``TextSheet`` (falls back to
    ``RawSheet`` when fastexcel cannot read a workbook that python-calamine can)."""
    if file.kind == "xlsx":
        if as_text:
            text_sheets = _read_xlsx_text(file, max_rows=max_rows)
            if text_sheets is not None:
                return text_sheets
        return _read_xlsx(file, max_rows=max_rows)
    if file.kind == "json":  # the service portal's export, flattened into one table
        from loaders.portal_json import read_portal_json

        return [read_portal_json(file, max_rows=max_rows)]
    sheet = _read_csv(file, max_rows=max_rows)
    if as_text:
        return [RowsTextSheet(sheet.name, sheet.rows, sheet.notes)]
    return [sheet]


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


def _read_xlsx_text(file: GuardedFile, *, max_rows: int) -> list[TextSheet] | None:
    """Visible sheets as text columns via fastexcel; None if fastexcel fails anywhere, so
    the caller reads the file cell by cell instead (and refuses it the same way as before).

    ``skip_rows=0`` makes row 0 Excel's row 1; leading empty rows are then cut so that row 0
    is the first used row, as python-calamine's range starts (header search window).
    """
    import fastexcel

    try:
        workbook = calamine.CalamineWorkbook.from_filelike(io.BytesIO(file.data))
        reader = fastexcel.read_excel(file.data)
    except Exception as exc:
        log.info("xlsx not readable as text, reading cell by cell: %s", exc)
        return None
    sheets: list[TextSheet] = []
    for meta in workbook.sheets_metadata:
        if meta.visible != calamine.SheetVisibleEnum.Visible:
            continue  # hidden sheets hold lists for drop-downs, not data
        try:
            batch = reader.load_sheet(
                meta.name, header_row=None, skip_rows=0, dtypes="string", eager=True
            )
        except Exception as exc:
            log.info("sheet %s not readable as text: %s", meta.name, exc)
            return None
        arrays = [_as_string(column) for column in batch.columns]
        first = _first_used_row(arrays)
        if first is None:
            continue  # an empty sheet: python-calamine skips it as well
        arrays = [a.slice(first) for a in arrays]
        height = len(arrays[0])
        if height > max_rows + 100:
            raise FileRefused(
                f"„{file.name}“: Das Blatt „{meta.name}“ hat {height:,} Zeilen; erlaubt "
                f"sind höchstens {max_rows:,}.".replace(",", ".")
            )
        sheets.append(ArrowTextSheet(meta.name, arrays, first_row=first + 1))
    if not sheets:
        raise FileRefused(f"„{file.name}“ enthält kein sichtbares Tabellenblatt.")
    return sheets


def _as_string(column: pa.Array) -> pa.Array:
    if column.type == pa.string():
        return column
    if column.type == pa.null():
        return pa.nulls(len(column), pa.string())
    return pc.cast(column, pa.string())


def _first_used_row(arrays: list[pa.Array]) -> int | None:
    """Index of the first row with any non-empty cell (an empty text cell counts, as in
    python-calamine's range)."""
    first: int | None = None
    for array in arrays:
        if array.null_count == len(array):
            continue
        valid = np.asarray(pc.is_valid(array))
        index = int(valid.argmax())
        first = index if first is None else min(first, index)
    return first


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
    try:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        rows: list[list[Any]] = list(itertools.islice(reader, max_rows + 101))
    except csv.Error as exc:
        raise FileRefused(f"„{file.name}“ ist keine gültige CSV-Datei: {exc}") from exc
    if len(rows) > max_rows + 100:
        raise FileRefused(f"„{file.name}“ hat mehr als {max_rows:,} Zeilen.".replace(",", "."))
    names = {";": "Semikolon", "\t": "Tabulator", ",": "Komma"}
    return RawSheet(
        name=file.name,
        rows=rows,
        first_row=1,
        notes=[f"Kodierung {encoding}, Trennzeichen {names[delimiter]}"],
    )
