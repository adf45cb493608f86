"""CSV and Excel shapes authorities send are read without losing a cell."""

from __future__ import annotations

import pytest

from loaders.guard import guard
from loaders.readers import decode_text, read_sheets, sniff_delimiter
from tests.builders import csv_bytes, rows, xlsx_bytes


def _read(name: str, data: bytes):
    return read_sheets(guard(name=name, data=data, max_bytes=10_000_000), max_rows=1000)


@pytest.mark.parametrize(
    ("encoding", "bom", "expected"),
    [
        ("utf-8", False, "UTF-8"),
        ("utf-8", True, "UTF-8 mit BOM"),
        ("cp1252", False, "Windows-1252"),
        ("utf-16", False, "UTF-16"),
    ],
)
def test_csv_encodings_keep_umlauts(encoding: str, bom: bool, expected: str) -> None:
    data = csv_bytes(
        [{"Vorhaben-Nr.": "A-1", "Bezeichnung des Vorhabens": "Bürgeramt Straßenland"}],
        encoding=encoding,
        bom=bom,
    )
    text, detected = decode_text(data)
    assert detected == expected
    sheet = _read("liste.csv", data)[0]
    assert sheet.rows[1] == ["A-1", "Bürgeramt Straßenland"]


@pytest.mark.parametrize("delimiter", [";", ",", "\t"])
def test_delimiters_are_sniffed_even_with_decimal_commas(delimiter: str) -> None:
    records = rows(5)
    data = csv_bytes(records, delimiter=delimiter, title_lines=["Vorhabenliste BA Mitte"])
    assert sniff_delimiter(data.decode()) == delimiter
    sheet = _read("liste.txt", data)[0]
    assert sheet.rows[1][0] == "Vorhaben-Nr."
    assert sheet.rows[2][9] == "120.000,00"


def test_quoted_newline_stays_in_one_cell() -> None:
    records = [{"Vorhaben-Nr.": "A-1", "Bemerkungen": "Abhängig von\n(2. Los)"}]
    sheet = _read("x.csv", csv_bytes(records))[0]
    assert sheet.rows[1] == ["A-1", "Abhängig von\n(2. Los)"]
    assert len(sheet.rows) == 2


def test_xlsx_keeps_text_in_number_columns_and_reports_real_row_numbers() -> None:
    records = rows(2)
    records[1]["Budget in €"] = "n/a"
    data = xlsx_bytes(records, title_rows=["Titel"], blank_rows_after_title=1, start_row=2)
    sheet = next(s for s in _read("x.xlsx", data) if s.name == "Vorhaben")
    # rows 1-2 are empty: the sheet starts at Excel row 3 with the merged title
    assert sheet.first_row == 3
    assert sheet.rows[0][0] == "Titel"
    header_index = next(i for i, r in enumerate(sheet.rows) if r and r[0] == "Vorhaben-Nr.")
    assert sheet.first_row + header_index == 5
    budget = sheet.rows[header_index + 2][9]
    assert budget == "n/a"  # never turned into an empty value
    assert sheet.rows[header_index + 1][9] == 120000.0


def test_hidden_sheets_are_not_read() -> None:
    import io

    import xlsxwriter

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    book.add_worksheet("Daten").write(0, 0, "x")
    hidden = book.add_worksheet("Listen")
    hidden.write(0, 0, "grün")
    hidden.hide()
    book.close()
    names = [s.name for s in _read("t.xlsx", buffer.getvalue())]
    assert names == ["Daten"]
