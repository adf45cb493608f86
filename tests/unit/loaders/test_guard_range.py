"""The guard bounds the range the parser would allocate, not only the number of rows.

calamine places each cell by its reference and allocates the used range densely (rows ×
columns): two cells at A1 and XFD1048576 in a 1 kB workbook made it request half a terabyte
and abort the process, and the former guard (counting ``<row`` and ``<c`` tags) let that
file through. Ordinary workbooks take the single RE2 pass; everything unusual is walked
along calamine's placement rules.
"""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

import pytest

from loaders import guard as guard_module
from loaders import ingest as ingest_module
from loaders.errors import FileRefused
from loaders.guard import guard
from loaders.ingest import ingest
from loaders.template import TemplateInfo, build_template
from store.identity import Identity
from tests.builders import rows, xlsx_bytes
from tests.unit.loaders.test_guard import _sheet, _workbook

ADMIN = Identity(name="Test Admin", role="admin")
MB = 1_048_576


def _cells(*refs: str, rows_with_refs: bool = True) -> bytes:
    """One row element per cell, each cell with a value and the given reference."""
    parts = []
    for ref in refs:
        number = ref.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
        row = f'<row r="{number}">' if rows_with_refs else "<row>"
        parts.append(f'{row}<c r="{ref}"><v>1</v></c></row>')
    return "".join(parts).encode()


def _incompressible_wide_row(cells: int) -> bytes:
    rng = random.Random(1)
    values = b"".join(b"<c><v>%d</v></c>" % rng.randrange(10**9) for _ in range(cells))
    return b'<row r="1">' + values + b"</row>"


HUGE_RANGES = {
    "A1 and XFD1048576 (a lying dimension)": (
        _sheet(_cells("A1", "XFD1048576"), dimension="A1:A2"),
        "100.100 Zeilen",
    ),
    "A1 and XFD100000: rows allowed, range too wide": (
        _sheet(_cells("A1", "XFD100000"), dimension="A1:A2"),
        "5.000.000 Zellen",
    ),
    "the same without row references": (
        _sheet(_cells("A1", "XFD100000", rows_with_refs=False), dimension=None),
        "5.000.000 Zellen",
    ),
    "a row of 20,000 cells without references, then row 90,000": (
        _sheet(
            _incompressible_wide_row(20_000) + b'<row r="90000"><c><v>1</v></c></row>',
            dimension=None,
        ),
        "5.000.000 Zellen",
    ),
}


@pytest.mark.parametrize("case", list(HUGE_RANGES), ids=list(HUGE_RANGES))
def test_a_huge_range_is_refused_before_any_parser(case: str) -> None:
    sheet, expected = HUGE_RANGES[case]
    data = _workbook(sheet)
    assert len(data) < 400_000
    with pytest.raises(FileRefused) as refused:
        guard(name="klein.xlsx", data=data, max_bytes=20 * MB, max_rows=100_000)
    assert expected in refused.value.message
    assert "„klein.xlsx“" in refused.value.message


def test_a_huge_range_never_reaches_the_readers(
    empty_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def parsed(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("a hostile file reached the parser")

    monkeypatch.setattr(ingest_module, "read_sheets", parsed)
    for sheet, expected in HUGE_RANGES.values():
        with pytest.raises(FileRefused, match=expected):
            ingest(
                data=_workbook(sheet),
                file_name="klein.xlsx",
                kind="projects",
                authority="ba-mitte",
                period="2026-Q3",
                identity=ADMIN,
            )


def test_small_unusual_sheets_pass_after_the_walk() -> None:
    """Prefixed elements, cells without references, a wide but short sheet: fine."""
    prefixed = b'<x:row r="1"><x:c r="A1"><x:v>1</x:v></x:c></x:row>'
    wide = _cells("A1", "XFD2")  # 2 rows x 16,384 columns
    without_refs = b"<row><c><v>1</v></c><c><v>2</v></c></row>" * 50
    for body in (prefixed, wide, without_refs):
        guard(
            name="ok.xlsx",
            data=_workbook(_sheet(body, dimension=None)),
            max_bytes=MB,
            max_rows=1000,
        )


def test_a_utf16_sheet_is_refused() -> None:
    xml = _sheet(_cells("A1"), dimension="A1").decode().encode("utf-16")
    with pytest.raises(FileRefused, match="nicht UTF-8"):
        guard(name="x.xlsx", data=_workbook(xml), max_bytes=MB, max_rows=1000)


def _never_walked(monkeypatch: pytest.MonkeyPatch) -> None:
    def walked(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("an ordinary sheet was walked tag by tag")

    monkeypatch.setattr(guard_module, "_walk_sheet", walked)


@pytest.mark.parametrize("kind", ["projects", "services", "catalog", "eakte"])
def test_templates_take_the_single_pass(kind: str, monkeypatch: pytest.MonkeyPatch) -> None:
    _never_walked(monkeypatch)
    info = TemplateInfo("BA Test", "2026-Q3", dt.datetime(2026, 10, 1))
    guard(name="v.xlsx", data=build_template(kind, info=info), max_bytes=MB, max_rows=100_000)


def test_generated_lists_take_the_single_pass(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.bench.generate import project_rows, write_xlsx

    path = tmp_path / "v.xlsx"
    write_xlsx(path, project_rows(300))
    _never_walked(monkeypatch)
    guard(name="v.xlsx", data=path.read_bytes(), max_bytes=MB, max_rows=1000)


def test_single_pass_sees_references_across_chunk_boundaries(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    walk = guard_module._walk_sheet
    monkeypatch.setattr(guard_module, "_SCAN_CHUNK", 5)
    data = xlsx_bytes(rows(20), title_rows=["Titel"], instructions_sheet=True)
    _never_walked(monkeypatch)
    guard(name="ok.xlsx", data=data, max_bytes=MB, max_rows=1000)
    monkeypatch.setattr(guard_module, "_walk_sheet", walk)
    beyond = _workbook(_sheet(_cells("A1", "B1101"), dimension="A1:B2"))
    with pytest.raises(FileRefused, match="mehr als 1.100 Zeilen"):
        guard(name="x.xlsx", data=beyond, max_bytes=MB, max_rows=1000)


def test_walk_and_single_pass_agree_on_ordinary_files(monkeypatch: pytest.MonkeyPatch) -> None:
    """Forcing the walk on files the single pass accepts changes nothing."""
    files = [
        xlsx_bytes(rows(50), title_rows=["Titel"], instructions_sheet=True, totals_row=True),
        _workbook(_sheet(_cells("A1", "B1100"), dimension="A1:B1100")),
    ]
    monkeypatch.setattr(guard_module, "_envelope", lambda limit: None)
    for data in files:
        guard(name="ok.xlsx", data=data, max_bytes=MB, max_rows=1000)
