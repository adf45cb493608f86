"""Reading project lists as text (fastexcel, every column forced to text) changes nothing.

The ingest reads .xlsx and CSV files of kind ``projects`` column-wise as text. These tests
pin down how fastexcel renders typed Excel cells as text, show that both readers find the
same table, and that ``prepare`` gives the same rows, problems and content hash either way,
including the files where a rendering is ambiguous and the ingest reads cell by cell.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import xlsxwriter

from loaders import ingest as ingest_module
from loaders import readers
from loaders.fields import PROJECT_FIELDS
from loaders.guard import guard
from loaders.header import map_table
from loaders.ingest import prepare
from loaders.readers import RawSheet, TextSheet, read_sheets
from store.identity import Identity
from tests.builders import csv_bytes, project_row, rows, xlsx_bytes

ADMIN = Identity(name="Test Admin", role="admin")
SAMPLES = Path(__file__).resolve().parents[3].parent / "shared" / "samples"


def _book(build: Callable[[Any, Any], None], *, name: str = "Vorhaben") -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    build(book, book.add_worksheet(name))
    book.close()
    return buffer.getvalue()


def _sheets(data: bytes, name: str = "t.xlsx", *, as_text: bool) -> list:
    guarded = guard(name=name, data=data, max_bytes=10_000_000, max_rows=1000)
    return read_sheets(guarded, max_rows=1000, as_text=as_text)


def test_fastexcel_renders_typed_cells_as_text_like_this() -> None:
    """The renderings the converters and the ambiguity check rely on (fastexcel 0.21)."""

    def build(book: Any, ws: Any) -> None:
        date = book.add_format({"num_format": "dd.mm.yyyy"})
        stamp = book.add_format({"num_format": "dd.mm.yyyy hh:mm"})
        clock = book.add_format({"num_format": "hh:mm"})
        ws.merge_range("A1:C1", "Titel über drei Spalten")
        cells = [
            lambda r: ws.write_string(r, 0, "n/a"),
            lambda r: ws.write_number(r, 0, 1234.5),
            lambda r: ws.write_number(r, 0, 5),
            lambda r: ws.write_number(r, 0, 99123005017000),
            lambda r: ws.write_number(r, 0, 1e16),
            lambda r: ws.write_number(r, 0, 1 / 3),
            lambda r: ws.write_number(r, 0, 123456789.12),
            lambda r: ws.write_datetime(r, 0, dt.date(2026, 12, 31), date),
            lambda r: ws.write_datetime(r, 0, dt.datetime(2026, 12, 31, 13, 45, 10), stamp),
            lambda r: ws.write_datetime(r, 0, dt.time(13, 45), clock),
            lambda r: ws.write_boolean(r, 0, True),
            lambda r: ws.write_formula(r, 0, "=1+1", None, 2),
            lambda r: ws.write_formula(r, 0, '="a"&"b"', None, "ab"),
            lambda r: ws.write_formula(r, 0, "=1/0", None, "#DIV/0!"),
            lambda r: None,  # an empty cell inside the data
            lambda r: ws.write_string(r, 2, "x"),  # makes the sheet three columns wide
        ]
        for r, write in enumerate(cells, start=2):
            write(r)

    sheet = _sheets(_book(build), as_text=True)[0]
    assert isinstance(sheet, TextSheet)
    assert sheet.first_row == 1
    column = [row[0] for row in sheet.head]
    assert column == [
        "Titel über drei Spalten",
        None,
        "n/a",  # text stays text: never an empty value
        "1234.5",
        "5",  # integers stored as floats: no ".0"
        "99123005017000",  # 14-digit LeiKa key exactly, no "e+13"
        "10000000000000000",
        "0.333333333",  # nine decimals at most
        "123456789.120000005",  # the double's digits, not Python's repr "123456789.12"
        "2026-12-31 00:00:00",
        "2026-12-31 13:45:10",
        "1899-12-31 13:45:00",  # a time of day
        "true",
        "2",  # formulas: their cached values
        "ab",
        None,  # an error value is an empty cell (python-calamine: "")
        None,
        None,
    ]
    assert sheet.head[0][1:] == [None, None]  # merged cells: the value sits in the first


SHAPES: dict[str, bytes] = {
    "title rows, instructions, totals": xlsx_bytes(
        rows(3),
        title_rows=["Vorhaben BA Test – Stand 30.09.2026", "Meldung 2026-Q3"],
        blank_rows_after_title=1,
        instructions_sheet=True,
        totals_row=True,
    ),
    "offset and blank rows": xlsx_bytes(
        [project_row(1), dict.fromkeys(project_row(1), ""), project_row(3)],
        title_rows=["Titel"],
        blank_rows_after_title=2,
        start_row=3,
    ),
    "text cells only": xlsx_bytes(rows(4), typed=False),
}


@pytest.mark.parametrize("shape", list(SHAPES))
def test_both_readers_find_the_same_table(shape: str) -> None:
    data = SHAPES[shape]
    typed = map_table(_sheets(data, as_text=False), fields=PROJECT_FIELDS, file_name="t.xlsx")
    text = map_table(_sheets(data, as_text=True), fields=PROJECT_FIELDS, file_name="t.xlsx")
    assert text.text_columns is not None and typed.text_columns is None
    assert (text.sheet, text.header_row, text.headers, text.fields) == (
        typed.sheet,
        typed.header_row,
        typed.headers,
        typed.fields,
    )
    assert text.row_numbers == typed.row_numbers
    assert text.problems == typed.problems


def test_hidden_sheets_hidden_columns_and_columns_left_of_the_data() -> None:
    """Hidden sheets are skipped, hidden columns read like the others, by both readers."""

    def build(book: Any, ws: Any) -> None:
        ws.write_row(2, 1, ["Vorhaben-Nr.", "Titel", "Status", "Ampel"])
        ws.write_row(3, 1, ["A-1", "Eins", "laufend", "grün"])
        ws.set_column(2, 2, None, None, {"hidden": True})
        hidden = book.add_worksheet("Listen")
        hidden.write_row(0, 0, ["Vorhaben-Nr.", "Titel", "Status", "Ampel"])
        hidden.hide()

    data = _book(build)
    for as_text in (False, True):
        sheets = _sheets(data, as_text=as_text)
        assert [s.name for s in sheets] == ["Vorhaben"]
        table = map_table(sheets, fields=PROJECT_FIELDS, file_name="t.xlsx")
        assert (table.header_row, table.row_numbers) == (3, [4])
        assert table.rows == [["A-1", "Eins", "laufend", "grün"]]


def test_fastexcel_failure_falls_back_to_the_cell_reader(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import fastexcel

    def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("unreadable")

    monkeypatch.setattr(fastexcel, "read_excel", broken)
    sheets = _sheets(xlsx_bytes(rows(2)), as_text=True)
    assert all(isinstance(s, RawSheet) for s in sheets)


def _prepare(data: bytes, name: str) -> ingest_module.Prepared:
    return prepare(
        data=data,
        file_name=name,
        kind="projects",
        authority="BA Mitte",
        period="2026-Q3",
        identity=ADMIN,
    )


def _both(data: bytes, name: str, monkeypatch: pytest.MonkeyPatch) -> tuple:
    """``prepare`` as the ingest runs it, and with every file read cell by cell."""
    text = _prepare(data, name)
    with monkeypatch.context() as patch:
        patch.setattr(ingest_module, "_TEXT_READ_KINDS", frozenset())
        typed = _prepare(data, name)
    return text, typed


def _assert_same(text: ingest_module.Prepared, typed: ingest_module.Prepared) -> None:
    assert text.problems == typed.problems
    pd.testing.assert_frame_equal(text.frame, typed.frame)
    assert text.content_sha256 == typed.content_sha256


def _typed_workbook(records: list[dict[str, Any]], extra: Callable[[Any, Any, int], None]) -> bytes:
    def build(book: Any, ws: Any) -> None:
        headers = list(records[0])
        date = book.add_format({"num_format": "dd.mm.yyyy"})
        ws.write_row(0, 0, headers)
        for r, record in enumerate(records, start=1):
            for c, header in enumerate(headers):
                value = record[header]
                if isinstance(value, dt.date):
                    ws.write_datetime(r, c, value, date)
                elif isinstance(value, bool):
                    ws.write_boolean(r, c, value)
                elif isinstance(value, (int, float)):
                    ws.write_number(r, c, value)
                else:
                    ws.write_string(r, c, str(value))
        extra(book, ws, len(records) + 1)

    return _book(build)


FILES: dict[str, Callable[[], bytes]] = {
    "csv": lambda: csv_bytes(rows(5), encoding="cp1252"),
    "xlsx with typed cells": lambda: xlsx_bytes(rows(5), title_rows=["Titel"]),
    "xlsx with problems": lambda: xlsx_bytes(
        [
            project_row(1),
            project_row(1, Status="in Klärung"),
            project_row(3, **{"Budget in €": "ca. 50.000", "Fortschritt": "120 %"}),
            project_row(4, **{"Betroffene Leistungen (LeiKa)": "9905001210400"}),
            project_row(5, Ampel="rot"),
        ],
        title_rows=["Titel"],
    ),
}


@pytest.mark.parametrize("name", list(FILES))
def test_prepare_gives_the_same_result_with_either_reader(
    name: str, empty_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    suffix = "csv" if name == "csv" else "xlsx"
    text, typed = _both(FILES[name](), f"liste.{suffix}", monkeypatch)
    _assert_same(text, typed)


@pytest.mark.skipif(not SAMPLES.is_dir(), reason="sample files not available")
@pytest.mark.parametrize(
    "sample",
    [
        "senfin_vorhaben_2026-Q3.xlsx",
        "ba-mitte_vorhaben_2026-Q3.csv",
        "ba-pankow_vorhaben_fehlerhaft.xlsx",
    ],
)
def test_samples_give_the_same_result_with_either_reader(
    sample: str, empty_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text, typed = _both((SAMPLES / sample).read_bytes(), sample, monkeypatch)
    _assert_same(text, typed)


AMBIGUOUS: dict[str, tuple[list[dict[str, Any]], Callable[[Any, Any, int], None], str, Any]] = {
    # a number cell 12.345 (three decimals) renders like the German text for 12345
    "three decimals in a money column": (
        [{**project_row(1), "Budget in €": 12.345}],
        lambda book, ws, r: None,
        "budget",
        12.345,
    ),
    # a boolean cell reads "WAHR" cell by cell, "true" as text
    "boolean in a text column": (
        [{**project_row(1), "Bemerkungen": True}],
        lambda book, ws, r: None,
        "remarks",
        "WAHR",
    ),
    # a date cell in a text column reads as a German date
    "date in a text column": (
        [{**project_row(1), "Bemerkungen": dt.date(2026, 3, 31)}],
        lambda book, ws, r: None,
        "remarks",
        "31.03.2026",
    ),
    # a number cell in a date column is a serial number, the text "2026" is not a date
    "number in a date column": (
        [{**project_row(1), "Beginn": 2026}],
        lambda book, ws, r: None,
        "planned_start",
        pd.Timestamp("1905-07-18"),
    ),
    # the message shows the end date as the user sees it (31.05.2025), not as rendered
    "date cell in a message": (
        [
            {
                **project_row(1),
                "Beginn": dt.date(2025, 7, 1),
                "Ende (geplant)": dt.date(2025, 6, 1),
            }
        ],
        lambda book, ws, r: None,
        "message",
        "01.06.2025",
    ),
}


@pytest.mark.parametrize("case", list(AMBIGUOUS))
def test_ambiguous_renderings_are_read_cell_by_cell(
    case: str, empty_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    records, extra, column, expected = AMBIGUOUS[case]
    data = _typed_workbook(records, extra)
    calls: list[bool] = []
    real = ingest_module.read_sheets

    def spy(file: Any, **kwargs: Any) -> Any:
        calls.append(kwargs.get("as_text", False))
        return real(file, **kwargs)

    monkeypatch.setattr(ingest_module, "read_sheets", spy)
    text, typed = _both(data, "liste.xlsx", monkeypatch)
    assert calls[:2] == [True, False]  # read as text, then again cell by cell
    _assert_same(text, typed)
    if column == "message":
        assert [p.value for p in text.errors] == [expected]
    else:
        assert text.frame[column].iloc[0] == expected


def test_plain_files_are_read_once(empty_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[bool] = []
    real = readers.read_sheets

    def spy(file: Any, **kwargs: Any) -> Any:
        calls.append(kwargs.get("as_text", False))
        return real(file, **kwargs)

    monkeypatch.setattr(ingest_module, "read_sheets", spy)
    _prepare(xlsx_bytes(rows(3), title_rows=["Titel"], instructions_sheet=True), "liste.xlsx")
    assert calls == [True]
