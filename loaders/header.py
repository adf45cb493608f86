"""Find the header row among title rows and instruction sheets, and map it to fields."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from loaders.errors import LoaderError, Problem
from loaders.fields import FieldSpec, alias_table
from loaders.readers import HEAD_ROWS, RawSheet, TextSheet, text_series
from loaders.text import fold

HEADER_SCAN_ROWS = HEAD_ROWS
_UNIT_SUFFIX = re.compile(r"(ineuro|ineur|euro|eur|inprozent|prozent|in)$")
_TOTAL_LABELS = ("summe", "gesamt", "insgesamt", "total", "gesamtsumme")


@dataclass
class MappedTable:
    """The data block of the chosen sheet with each column's field (or None if unknown).

    From a ``RawSheet`` the block is held as rows of cells; from a ``TextSheet`` as one text
    column per header position (``text_columns``), and ``rows`` is only built on request.
    ``column(i)`` gives either as a Series, so validators need not care.
    """

    sheet: str
    header_row: int  # Excel row number of the header
    headers: list[str]
    fields: list[str | None]
    row_numbers: list[int]
    problems: list[Problem] = field(default_factory=list)
    text_columns: list[pa.Array] | None = None
    from_excel: bool = False  # text_columns hold fastexcel's renderings of typed cells
    _rows: list[list[Any]] | None = field(default=None, repr=False)
    _columns: dict[int, pd.Series] = field(default_factory=dict, repr=False)

    @property
    def rows(self) -> list[list[Any]]:
        if self._rows is None:
            columns = [c.to_pylist() for c in self.text_columns or []]
            self._rows = [list(r) for r in zip(*columns, strict=True)] if columns else []
        return self._rows

    @property
    def row_count(self) -> int:
        return len(self.row_numbers)

    def column(self, position: int) -> pd.Series:
        """The cells of one column: text (pandas ``str``) from a TextSheet, else the cells as
        the reader returned them (object)."""
        if position not in self._columns:
            index = pd.RangeIndex(self.row_count)
            if self.text_columns is not None:
                self._columns[position] = text_series(self.text_columns[position], index)
            else:
                cells = [row[position] for row in self.rows]
                self._columns[position] = pd.Series(cells, index=index, dtype=object)
        return self._columns[position]


def header_key(cell: Any, table: dict[str, str]) -> str | None:
    """The field a header cell names, tolerating units such as ``in €`` or ``(EUR)``."""
    if cell is None or isinstance(cell, (int, float)):
        return None
    key = fold(cell)
    if not key:
        return None
    if key in table:
        return table[key]
    stripped = _UNIT_SUFFIX.sub("", key)
    return table.get(stripped) if stripped else None


def _score(row: list[Any], table: dict[str, str]) -> int:
    return len({f for f in (header_key(c, table) for c in row) if f})


def map_table(
    sheets: Sequence[RawSheet | TextSheet],
    *,
    fields: tuple[FieldSpec, ...],
    file_name: str,
    overrides: dict[str, str] | None = None,
) -> MappedTable:
    """Pick the sheet and row whose headers name the most known fields, then cut the data.

    ``overrides`` maps a folded header to a field (a mapping the user confirmed before); it
    wins over the alias table.
    """
    table = alias_table(fields)
    if overrides:
        table = {**table, **{fold(k): v for k, v in overrides.items() if v}}
    best: tuple[int, int, int] | None = None  # (score, -row index, sheet index)
    heads = [s.head if isinstance(s, TextSheet) else s.rows[:HEADER_SCAN_ROWS] for s in sheets]
    for s_index, head in enumerate(heads):
        for r_index, row in enumerate(head[:HEADER_SCAN_ROWS]):
            score = _score(row, table)
            candidate = (score, -r_index, -s_index)
            if best is None or candidate > best:
                best = candidate
    required = [f for f in fields if f.required]
    if best is None or best[0] < 2:
        labels = ", ".join(f"„{f.label}“" for f in required)
        raise LoaderError(
            f"In „{file_name}“ wurde keine Kopfzeile mit bekannten Spalten gefunden. "
            f"Erwartet werden mindestens die Spalten {labels}.",
            detail=f"no header row found in {file_name}",
        )
    sheet = sheets[-best[2]]
    header_index = -best[1]
    header_cells = heads[-best[2]][header_index]
    headers = [_header_text(c) for c in header_cells]
    mapped: list[str | None] = []
    seen: dict[str, str] = {}
    problems: list[Problem] = []
    header_row = sheet.first_row + header_index
    for text, cell in zip(headers, header_cells, strict=True):
        name = header_key(cell, table)
        if name and name in seen:
            problems.append(
                Problem(
                    "warning",
                    f"Die Spalte „{text}“ bedeutet dasselbe wie „{seen[name]}“; "
                    "übernommen wird nur die erste.",
                    row=header_row,
                    column=text,
                )
            )
            name = None
        elif name:
            seen[name] = text
        elif text:
            problems.append(
                Problem(
                    "warning",
                    f"Unbekannte Spalte „{text}“: Inhalt wird gespeichert, aber nicht ausgewertet.",
                    row=header_row,
                    column=text,
                )
            )
        mapped.append(name)
    for spec in required:
        if spec.name not in seen:
            problems.append(
                Problem(
                    "error",
                    f"Die Pflichtspalte „{spec.label}“ fehlt.",
                    row=header_row,
                    column=spec.label,
                    field=spec.name,
                )
            )
    width = len(headers)
    if isinstance(sheet, TextSheet):
        columns, kept = _data_columns(sheet, header_index + 1, width)
        return MappedTable(
            sheet=sheet.name,
            header_row=header_row,
            headers=headers,
            fields=mapped,
            row_numbers=(header_row + 1 + kept).tolist(),
            problems=problems,
            text_columns=columns,
            from_excel=sheet.from_excel,
        )
    body = sheet.rows[header_index + 1 :]
    numbers = list(range(header_row + 1, header_row + 1 + len(body)))
    rows, row_numbers = _data_rows(body, numbers, width)
    return MappedTable(
        sheet=sheet.name,
        header_row=header_row,
        headers=headers,
        fields=mapped,
        row_numbers=row_numbers,
        problems=problems,
        _rows=rows,
    )


def _header_text(cell: Any) -> str:
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return " ".join(str(cell).split())


def _blank(cell: Any) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


def _is_total(row: list[Any]) -> bool:
    for cell in row:
        if _blank(cell):
            continue
        return isinstance(cell, str) and fold(cell).startswith(_TOTAL_LABELS)
    return False


def _data_rows(
    body: list[list[Any]], numbers: list[int], width: int
) -> tuple[list[list[Any]], list[int]]:
    """Drop blank rows anywhere and a trailing totals row; pad or cut rows to the header."""
    end = len(body)
    while end > 0 and (all(_blank(c) for c in body[end - 1]) or _is_total(body[end - 1])):
        end -= 1
    rows: list[list[Any]] = []
    kept: list[int] = []
    for row, number in zip(body[:end], numbers[:end], strict=True):
        if all(_blank(c) for c in row):
            continue
        if len(row) < width:
            row = [*row, *([""] * (width - len(row)))]
        rows.append(row[:width])
        kept.append(number)
    return rows, kept


def _data_columns(sheet: TextSheet, start: int, width: int) -> tuple[list[pa.Array], np.ndarray]:
    """``_data_rows`` for a TextSheet: the same rows dropped, the block kept as columns.

    Returns the columns and the kept rows' offsets below the header."""
    keep = sheet.nonblank(start)
    end = len(keep)
    while end > 0 and (not keep[end - 1] or _is_total(sheet.row(start + end - 1))):
        end -= 1
    keep[end:] = False
    return sheet.columns(start, width, keep), np.flatnonzero(keep)
