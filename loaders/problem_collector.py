"""Turn masks over a validated frame into located problems (row, column as written, value)."""

from __future__ import annotations

import json
from collections.abc import Callable

import pandas as pd

from loaders import convert
from loaders.errors import Problem, Severity
from loaders.fields import FieldSpec
from loaders.header import MappedTable


def blank(index: pd.Index) -> pd.Series:
    """Empty cells as ``None`` (``pd.Series(None, dtype=object)`` would hold NaN, which the
    converters rightly read as a number cell)."""
    return pd.Series([None] * len(index), index=index, dtype=object)


def column(raw: pd.DataFrame, name: str) -> pd.Series:
    """The raw cells of a mapped field, or empty cells when the file lacks the column."""
    return raw[name] if name in raw else blank(raw.index)


def raw_frame(table: MappedTable) -> pd.DataFrame:
    """One object column per mapped field, cells exactly as the reader returned them."""
    columns = {f: i for i, f in enumerate(table.fields) if f}
    matrix = pd.DataFrame(table.rows, dtype=object) if table.rows else pd.DataFrame()
    raw = pd.DataFrame(index=range(len(table.rows)))
    for name, position in columns.items():
        raw[name] = matrix[position] if not matrix.empty else pd.Series(dtype=object)
    return raw


def extra_columns(table: MappedTable) -> list[str | None] | None:
    """Unmapped columns of every row as JSON, so nothing the file held is thrown away."""
    positions = [
        (h, i)
        for i, (h, f) in enumerate(zip(table.headers, table.fields, strict=True))
        if f is None and h
    ]
    if not positions or not table.rows:
        return None
    out: list[str | None] = []
    for row in table.rows:
        values = {h: convert.cell_text(row[i]) for h, i in positions if convert.cell_text(row[i])}
        out.append(json.dumps(values, ensure_ascii=False) if values else None)
    return out


class Collector:
    """Collects problems; ``column`` is the header as the file wrote it."""

    def __init__(
        self, raw: pd.DataFrame, table: MappedTable, fields: tuple[FieldSpec, ...]
    ) -> None:
        self.raw = raw
        self.rows = pd.Series(table.row_numbers, index=raw.index, dtype="int64")
        self.column_of = {f: h for h, f in zip(table.headers, table.fields, strict=True) if f}
        self.labels = {f.name: f.label for f in fields}
        self.problems: list[Problem] = list(table.problems)

    def add(
        self,
        mask: pd.Series,
        field: str,
        message: str | Callable[[str], str],
        *,
        severity: Severity = "error",
        values: pd.Series | None = None,
    ) -> None:
        """One problem per True cell of ``mask``; ``values`` overrides the cell text shown."""
        if not mask.any():
            return
        column = self.column_of.get(field, self.labels.get(field, field))
        source = values if values is not None else self.raw.get(field)
        for index in mask[mask].index:
            value = convert.cell_text(source.at[index]) if source is not None else ""
            text = message(value) if callable(message) else message
            self.problems.append(
                Problem(
                    severity,
                    text,
                    row=int(self.rows.at[index]),
                    column=column,
                    value=value,
                    field=field,
                )
            )

    def file_problem(self, message: str, *, severity: Severity = "error") -> None:
        self.problems.append(Problem(severity, message))

    def sorted(self) -> list[Problem]:
        return sorted(self.problems, key=lambda p: (p.row or 0, p.severity != "error"))
