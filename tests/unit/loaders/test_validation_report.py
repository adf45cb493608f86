"""The validation report: one table of every problem, and an .xlsx copy of the upload with the
offending cells marked where they are.

``faulty_project_list`` / ``corrected_project_list`` build a project list with the same kinds
of errors as the faulty sample authorities send (duplicate id, empty title, unknown status,
negative and "ca." amounts, unknown traffic light, progress over 100 %, end before start,
13-digit LeiKa key, yellow/red without reason); the page and browser tests use them too.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

import openpyxl

from loaders.ingest import prepare
from loaders.validation_report import counts, problem_table, report_xlsx
from store.identity import Identity
from tests.builders import project_row, xlsx_bytes

PANKOW = Identity(name="Koordination Pankow", role="coordinator", authority_id="ba-pankow")
TITLE_ROWS = ("Digitalisierungsvorhaben Bezirksamt Pankow", "Meldung zur Berichtsperiode 2026-Q3")

# Excel row of each data record: two title rows, one blank row, header in row 4.
FIRST_DATA_ROW = 5

# record index → (column header, error?) the faulty list breaks
FAULTS: dict[int, tuple[str, bool]] = {
    1: ("Ampel", False),  # yellow without a reason: a warning only
    2: ("Vorhaben-Nr.", True),  # duplicate of row 1's id
    3: ("Bezeichnung des Vorhabens", True),  # empty
    4: ("Status", True),  # "in Klärung"
    5: ("Budget in €", True),  # negative
    6: ("Budget in €", True),  # "ca. 50.000"
    7: ("Ampel", True),  # "orange"
    8: ("Fortschritt", True),  # 120 %
    9: ("Ende (geplant)", True),  # before the start
    10: ("Betroffene Leistungen (LeiKa)", True),  # 13 digits
}


def _base(n: int) -> dict[str, Any]:
    return project_row(
        n,
        **{
            "Vorhaben-Nr.": f"BA-Pankow-2026-{n:03d}",
            "Bezeichnung des Vorhabens": f"Vorhaben Pankow {n}",
        },
    )


def faulty_records() -> list[dict[str, Any]]:
    records = [_base(n) for n in range(0, 12)]
    records[1].update({"Ampel": "gelb", "Begründung Ampel": ""})
    records[2]["Vorhaben-Nr."] = records[1]["Vorhaben-Nr."]
    records[3]["Bezeichnung des Vorhabens"] = ""
    records[4]["Status"] = "in Klärung"
    records[5]["Budget in €"] = "-5.000,00"
    records[6]["Budget in €"] = "ca. 50.000"
    records[7]["Ampel"] = "orange"
    records[8]["Fortschritt"] = "120 %"
    records[9].update({"Beginn": "01.07.2025", "Ende (geplant)": "01.06.2025"})
    records[10]["Betroffene Leistungen (LeiKa)"] = "9905001210400"
    return records


def corrected_records() -> list[dict[str, Any]]:
    """The same projects, fixed; also one changed traffic light against the demo data."""
    records = [_base(n) for n in range(0, 12)]
    records[1].update({"Ampel": "gelb", "Begründung Ampel": "Personalengpass"})
    return records


def faulty_project_list() -> bytes:
    return xlsx_bytes(
        faulty_records(),
        title_rows=TITLE_ROWS,
        blank_rows_after_title=1,
        instructions_sheet=True,
        totals_row=True,
        typed=False,
    )


def corrected_project_list() -> bytes:
    return xlsx_bytes(
        corrected_records(),
        title_rows=TITLE_ROWS,
        blank_rows_after_title=1,
        instructions_sheet=True,
        typed=False,
    )


def _prepared(data: bytes, name: str = "pankow_fehlerhaft.xlsx"):
    return prepare(
        data=data,
        file_name=name,
        kind="projects",
        authority="ba-pankow",
        period="2026-Q3",
        identity=PANKOW,
    )


def test_every_fault_is_reported_with_row_id_column_and_value(empty_db: Path) -> None:
    prepared = _prepared(faulty_project_list())
    table = problem_table(prepared.problems)

    assert list(table.columns) == ["Art", "Zeile", "Vorhaben-Nr.", "Spalte", "Wert", "Meldung"]
    errors = table[table["Art"] == "Fehler"]
    assert list(table["Art"]) == sorted(table["Art"], key=lambda a: a != "Fehler")
    located = {(int(r.Zeile), r.Spalte) for r in errors.itertuples()}
    expected = {(FIRST_DATA_ROW + i, col) for i, (col, is_error) in FAULTS.items() if is_error}
    assert located == expected
    value_of = {(int(r.Zeile), r.Spalte): r.Wert for r in table.itertuples()}
    assert value_of[(FIRST_DATA_ROW + 6, "Budget in €")] == "ca. 50.000"
    assert value_of[(FIRST_DATA_ROW + 7, "Ampel")] == "orange"
    summary = counts(prepared.problems)
    assert summary == {"errors": 9, "warnings": 1, "rows_with_errors": 9}


def test_corrected_list_has_no_problem(empty_db: Path) -> None:
    prepared = _prepared(corrected_project_list(), "pankow_korrigiert.xlsx")
    assert prepared.problems == []
    assert len(prepared.frame) == 12


def test_report_workbook_marks_the_offending_cells(empty_db: Path) -> None:
    data = faulty_project_list()
    prepared = _prepared(data)
    report = report_xlsx(
        problems=prepared.problems, data=data, file_name="pankow_fehlerhaft.xlsx", kind="projects"
    )
    book = openpyxl.load_workbook(io.BytesIO(report))
    assert book.sheetnames == ["Prüfbericht", "Datei mit Markierungen"]

    listing = book["Prüfbericht"]
    header_row = next(r for r in range(1, 10) if listing.cell(r, 1).value == "Art")
    listed = [
        listing.cell(r, 6).value
        for r in range(header_row + 1, listing.max_row + 1)
        if listing.cell(r, 6).value
    ]
    assert len(listed) == len(prepared.problems) == 10
    assert "9 Fehler, 1 Hinweis;" in str(listing.cell(2, 1).value)

    marked = book["Datei mit Markierungen"]
    headers = {marked.cell(4, c).value: c for c in range(1, marked.max_column + 1)}
    red, yellow = "FFF4B6B6", "FFFFE699"
    for index, (column, is_error) in FAULTS.items():
        cell = marked.cell(FIRST_DATA_ROW + index, headers[column])
        assert cell.fill.fgColor.rgb == (red if is_error else yellow), cell.coordinate
        assert cell.comment is not None and cell.comment.text.startswith(
            "Fehler" if is_error else "Hinweis"
        )
    # the data sits at the same Excel rows as in the upload, unmarked cells stay plain
    assert marked.cell(FIRST_DATA_ROW + 6, headers["Budget in €"]).value == "ca. 50.000"
    clean = marked.cell(FIRST_DATA_ROW, headers["Bezeichnung des Vorhabens"])
    assert clean.value == "Vorhaben Pankow 0" and clean.comment is None
    assert clean.fill.fgColor.rgb in ("00000000", None)


def test_file_content_is_never_written_as_a_formula(empty_db: Path) -> None:
    records = [_base(1), _base(2)]
    records[0]["Bezeichnung des Vorhabens"] = '=HYPERLINK("http://example.invalid","klick")'
    records[1]["Ampel"] = "orange"
    data = xlsx_bytes(records, typed=False)
    prepared = _prepared(data, "formel.xlsx")
    report = report_xlsx(
        problems=prepared.problems, data=data, file_name="formel.xlsx", kind="projects"
    )

    archive = zipfile.ZipFile(io.BytesIO(report))
    sheets = [n for n in archive.namelist() if n.startswith("xl/worksheets/sheet")]
    assert sheets and all("<f>" not in archive.read(n).decode() for n in sheets)
    book = openpyxl.load_workbook(io.BytesIO(report))
    titles = [c.value for row in book["Datei mit Markierungen"].iter_rows() for c in row]
    assert '=HYPERLINK("http://example.invalid","klick")' in titles
