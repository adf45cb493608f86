"""Column mapping for files whose headers the alias table does not know.

Each unrecognised header gets a suggested field (fuzzy match against the field's name, German
label and aliases); the user confirms or corrects it, the confirmed mapping is remembered per
authority and kind (``store.review``) and passed to ``loaders.ingest.prepare`` as
``column_overrides``. Next time the same headers are recognised without asking.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any, Literal

from loaders.errors import LoaderError
from loaders.fields import FieldSpec, alias_table
from loaders.guard import guard
from loaders.header import HEADER_SCAN_ROWS, header_key, map_table
from loaders.kinds import KINDS
from loaders.readers import RawSheet, read_sheets
from loaders.text import fold
from store.review import MappingEntry
from store.settings import get_settings

Source = Literal["erkannt", "gespeichert", "Vorschlag", "keiner"]
SOURCE_LABELS: dict[str, str] = {
    "erkannt": "am Spaltennamen erkannt",
    "gespeichert": "von Ihnen früher bestätigt",
    "Vorschlag": "Vorschlag (bitte prüfen)",
    "keiner": "kein Vorschlag",
}
SUGGEST_THRESHOLD = 0.62


@dataclass(frozen=True)
class ColumnSuggestion:
    position: int
    header: str
    field: str | None
    score: float
    source: Source


@dataclass(frozen=True)
class HeaderInspection:
    """The header row the app would use and what each of its columns means."""

    kind: str
    sheet: str
    header_row: int
    header_found: bool  # False: no row named two known fields; the row shown is a guess
    columns: tuple[ColumnSuggestion, ...]

    @property
    def unresolved(self) -> list[ColumnSuggestion]:
        return [c for c in self.columns if c.source in ("Vorschlag", "keiner")]

    @property
    def missing_required(self) -> list[FieldSpec]:
        mapped = {c.field for c in self.columns if c.field}
        return [f for f in KINDS[self.kind].fields if f.required and f.name not in mapped]

    @property
    def needs_confirmation(self) -> bool:
        """Ask the user when the header was not found, a required column is missing under
        the suggestions, or a column has a suggestion nobody confirmed yet."""
        return (
            not self.header_found
            or any(c.source == "Vorschlag" for c in self.columns)
            or bool(self.missing_required)
        )


def inspect_headers(
    *, data: bytes, file_name: str, kind: str, remembered: dict[str, str]
) -> HeaderInspection:
    """Find the header row (with the remembered mapping applied) and suggest fields for the
    columns that are still unknown. Raises LoaderError for unreadable files."""
    spec = KINDS[kind]
    settings = get_settings()
    file = guard(name=file_name, data=data, max_bytes=settings.max_upload_mb * 1_048_576)
    sheets = read_sheets(file, max_rows=settings.max_rows)
    overrides = {k: v for k, v in remembered.items() if v}
    try:
        table = map_table(sheets, fields=spec.fields, file_name=file_name, overrides=overrides)
        headers, sheet_name, header_row, found = table.headers, table.sheet, table.header_row, True
    except LoaderError:
        sheet, index = _guess_header_row(sheets)
        headers = [_text(c) for c in sheet.rows[index]] if sheet.rows else []
        sheet_name, header_row, found = sheet.name, sheet.first_row + index, False
    known = alias_table(spec.fields)
    columns: list[ColumnSuggestion] = []
    taken: set[str] = set()
    pending: list[tuple[int, str]] = []
    for position, header in enumerate(headers):
        if not header:
            continue
        key = fold(header)
        if key in remembered:
            field = remembered[key] or None
            columns.append(ColumnSuggestion(position, header, field, 1.0, "gespeichert"))
        elif (field := header_key(header, known)) is not None and field not in taken:
            columns.append(ColumnSuggestion(position, header, field, 1.0, "erkannt"))
        else:
            pending.append((position, header))
            continue
        if field:
            taken.add(field)
    columns.extend(_suggest(pending, spec.fields, taken))
    columns.sort(key=lambda c: c.position)
    return HeaderInspection(
        kind=kind,
        sheet=sheet_name,
        header_row=header_row,
        header_found=found,
        columns=tuple(columns),
    )


def suggest_field(header: str, fields: tuple[FieldSpec, ...]) -> tuple[str | None, float]:
    """Best field for one header and its similarity 0…1 (None below the threshold)."""
    best = _ranked(header, fields)
    if best and best[0][0] >= SUGGEST_THRESHOLD:
        return best[0][1], best[0][0]
    return None, best[0][0] if best else 0.0


def overrides_for(choices: dict[str, str | None]) -> dict[str, str]:
    """``column_overrides`` for ``prepare``: header as written → field, mapped columns only."""
    return {header: field for header, field in choices.items() if field}


def entries_for(choices: dict[str, str | None]) -> list[MappingEntry]:
    """What to remember: every confirmed header, '' for a column left unused."""
    return [
        MappingEntry(header_key=fold(header), header_text=header, field_name=field or "")
        for header, field in choices.items()
        if fold(header)
    ]


def check_choices(choices: dict[str, str | None], *, kind: str) -> list[str]:
    """German messages for choices that cannot be applied (each field used once; a header
    that the alias table always recognises cannot be switched off by an override)."""
    spec = KINDS[kind]
    labels = {f.name: f.label for f in spec.fields}
    known = alias_table(spec.fields)
    messages: list[str] = []
    used: dict[str, str] = {}
    for header, field in choices.items():
        if field is None:
            fixed = header_key(header, known)
            if fixed:
                messages.append(
                    f"Die Spalte „{header}“ wird an ihrem Namen immer als „{labels[fixed]}“ "
                    "erkannt. Bitte ein Feld wählen oder die Spalte in der Datei umbenennen."
                )
            continue
        if field in used:
            messages.append(
                f"„{labels.get(field, field)}“ ist zwei Spalten zugeordnet: „{used[field]}“ "
                f"und „{header}“. Jedes Feld darf nur einmal vorkommen."
            )
        else:
            used[field] = header
    return messages


def _suggest(
    pending: list[tuple[int, str]], fields: tuple[FieldSpec, ...], taken: set[str]
) -> list[ColumnSuggestion]:
    """Greedy assignment: the most similar (header, field) pairs first, each field once."""
    candidates: list[tuple[float, int, str, str]] = []
    for position, header in pending:
        for score, name in _ranked(header, fields):
            if name not in taken and score >= SUGGEST_THRESHOLD:
                candidates.append((score, position, header, name))
    candidates.sort(key=lambda c: (-c[0], c[1]))
    chosen: dict[int, ColumnSuggestion] = {}
    used = set(taken)
    for score, position, header, name in candidates:
        if position in chosen or name in used:
            continue
        chosen[position] = ColumnSuggestion(position, header, name, round(score, 2), "Vorschlag")
        used.add(name)
    return [
        chosen.get(position, ColumnSuggestion(position, header, None, 0.0, "keiner"))
        for position, header in pending
    ]


def _ranked(header: str, fields: tuple[FieldSpec, ...]) -> list[tuple[float, str]]:
    key = fold(header)
    if not key:
        return []
    scores = []
    for spec in fields:
        best = 0.0
        for word in (spec.name, spec.label, *spec.aliases):
            other = fold(word)
            if not other:
                continue
            ratio = difflib.SequenceMatcher(None, key, other, autojunk=False).ratio()
            if min(len(key), len(other)) >= 5 and (other in key or key in other):
                ratio = max(ratio, 0.8)
            best = max(best, ratio)
        scores.append((best, spec.name))
    return sorted(scores, key=lambda s: -s[0])


def _guess_header_row(sheets: list[RawSheet]) -> tuple[RawSheet, int]:
    """Without known headers: the row with the most text cells among the first rows, on the
    sheet with the most rows (instruction sheets are short)."""
    sheet = max(sheets, key=lambda s: len(s.rows))
    best_index, best_count = 0, -1
    for index, row in enumerate(sheet.rows[:HEADER_SCAN_ROWS]):
        count = sum(1 for c in row if isinstance(c, str) and c.strip())
        if count > best_count:
            best_index, best_count = index, count
    return sheet, best_index


def _text(cell: Any) -> str:
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return " ".join(str(cell).split())
