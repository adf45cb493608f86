"""Finding the data: header aliases, title rows, instruction sheets, totals rows."""

from __future__ import annotations

import pytest

from loaders.errors import LoaderError
from loaders.fields import PROJECT_FIELDS
from loaders.guard import guard
from loaders.header import map_table
from loaders.readers import read_sheets
from tests.builders import csv_bytes, project_row, rows, xlsx_bytes


def _map(name: str, data: bytes):
    sheets = read_sheets(guard(name=name, data=data, max_bytes=10_000_000), max_rows=1000)
    return map_table(sheets, fields=PROJECT_FIELDS, file_name=name)


@pytest.mark.parametrize(
    "header",
    ["Vorhaben-Nr.", "Lfd. Nr.", "Projekt-ID", "projekt id", "VORHABEN NR", "Vorhabennummer"],
)
def test_project_id_aliases(header: str) -> None:
    record = {header: "A-1", "Titel": "x", "Status": "laufend", "Ampelstatus": "grün"}
    table = _map("a.csv", csv_bytes([record]))
    assert table.fields == ["project_id", "title", "status", "traffic_light"]


def test_units_in_headers_are_tolerated() -> None:
    record = {"Vorhaben-Nr.": "A", "Budget (EUR)": "1", "Ist-Kosten in €": "1", "Titel": "t"}
    table = _map("a.csv", csv_bytes([record]))
    assert table.fields[1:3] == ["budget", "actual_cost"]


def test_instruction_sheet_title_rows_blank_rows_and_totals_are_skipped() -> None:
    data = xlsx_bytes(
        rows(3),
        title_rows=["Digitalisierungsvorhaben BA Test – Stand 30.09.2026", "Meldung 2026-Q3"],
        blank_rows_after_title=1,
        instructions_sheet=True,
        totals_row=True,
    )
    table = _map("t.xlsx", data)
    assert table.sheet == "Vorhaben"
    assert table.header_row == 4
    assert table.row_numbers == [5, 6, 7]
    assert [r[0] for r in table.rows] == ["T-001", "T-002", "T-003"]


def test_blank_rows_inside_the_data_are_dropped_but_numbering_kept() -> None:
    records = [project_row(1), dict.fromkeys(project_row(1), ""), project_row(3)]
    table = _map("t.csv", csv_bytes(records))
    assert table.row_numbers == [2, 4]


def test_unknown_columns_are_warnings_and_missing_required_columns_errors() -> None:
    record = {"Vorhaben-Nr.": "A", "Titel": "x", "Farbe": "blau"}
    table = _map("a.csv", csv_bytes([record]))
    severities = {(p.severity, p.column) for p in table.problems}
    assert ("warning", "Farbe") in severities
    assert ("error", "Status") in severities
    assert ("error", "Ampel") in severities


def test_no_header_at_all_is_a_clear_german_error() -> None:
    with pytest.raises(LoaderError) as caught:
        _map("a.csv", b"foo;bar\n1;2\n")
    assert "keine Kopfzeile" in caught.value.message
