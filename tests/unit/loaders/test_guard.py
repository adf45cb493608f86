"""Hostile files: each is refused before any parser runs, with a clear German message, and the
database is unchanged (only the audit entry of the refusal is written).

"Before any parser runs" is checked directly: the readers are replaced by a tripwire, so a
file that got past the guard would fail the test instead of being parsed. How fast the guard
is goes to the report, not into assertions (no timed assertions in tests).
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from loaders import ingest as ingest_module
from loaders.errors import FileRefused
from loaders.guard import MAX_ZIP_ENTRIES, guard
from loaders.ingest import ingest
from store import connection as db
from store.identity import Identity
from tests.builders import csv_bytes, rows, xlsx_bytes

ADMIN = Identity(name="Test Admin", role="admin")
MB = 1_048_576

_PARTS = {
    "[Content_Types].xml": (
        '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
        'content-types"><Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/'
        'sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.'
        'spreadsheetml.worksheet+xml"/></Types>'
    ),
    "_rels/.rels": (
        '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
        '2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
        'officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
        "</Relationships>"
    ),
    "xl/workbook.xml": (
        '<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/'
        'spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/'
        '2006/relationships"><sheets><sheet name="Vorhaben" sheetId="1" r:id="rId1"/>'
        "</sheets></workbook>"
    ),
    "xl/_rels/workbook.xml.rels": (
        '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
        '2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
        'officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
        "</Relationships>"
    ),
}


def _workbook(sheet_xml: bytes, *, extra: dict[str, bytes] | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in _PARTS.items():
            archive.writestr(name, text)
        archive.writestr("xl/worksheets/sheet1.xml", sheet_xml)
        for name, content in (extra or {}).items():
            archive.writestr(name, content)
    return buffer.getvalue()


def _sheet(rows_xml: bytes, *, dimension: str | None) -> bytes:
    dim = f'<dimension ref="{dimension}"/>'.encode() if dimension else b""
    return (
        b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/'
        b'spreadsheetml/2006/main">' + dim + b"<sheetData>" + rows_xml + b"</sheetData></worksheet>"
    )


def _numbered_rows(count: int) -> bytes:
    """Rows whose numbers differ, so they compress like real data (ratio ~7), not like a
    run of identical bytes that the ratio check alone would catch."""
    return b"".join(b'<row r="%d"><c><v>%d</v></c></row>' % (i, i) for i in range(1, count + 1))


@pytest.fixture(scope="module")
def million_rows() -> bytes:
    """A workbook of about 5 MB that expands to a million rows (no <dimension>)."""
    return _workbook(_sheet(_numbered_rows(1_000_000), dimension=None))


@pytest.fixture
def tripwire(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any parser call after the guard fails the test."""

    def parsed(*_args, **_kwargs):
        raise AssertionError("a hostile file reached the parser")

    monkeypatch.setattr(ingest_module, "read_sheets", parsed)


def _state() -> tuple[int, int, int]:
    cur = db.cursor()
    return (
        cur.execute("SELECT count(*) FROM submission").fetchall()[0][0],
        cur.execute("SELECT count(*) FROM project_report").fetchall()[0][0],
        db.data_version(),
    )


def _ingest(data: bytes, name: str) -> None:
    ingest(
        data=data,
        file_name=name,
        kind="projects",
        authority="ba-mitte",
        period="2026-Q3",
        identity=ADMIN,
    )


def _macro_workbook() -> bytes:
    return _workbook(
        _sheet(_numbered_rows(3), dimension="A1:A3"), extra={"xl/vbaProject.bin": b"\x00" * 64}
    )


def _bomb() -> bytes:
    """One entry of 25 MB blanks: compresses about 1000:1."""
    return _workbook(_sheet(b"<row><c><v>0</v></c></row>" + b" " * (25 * MB), dimension=None))


def _many_entries() -> bytes:
    extra = {f"xl/media/image{i}.png": b"x" for i in range(MAX_ZIP_ENTRIES + 1)}
    return _workbook(_sheet(_numbered_rows(3), dimension="A1:A3"), extra=extra)


HOSTILE: dict[str, tuple[Callable[[], bytes], str, str]] = {
    "oversized": (lambda: b"a;b\n" * (6 * MB), "gross.csv", "größer als die erlaubten"),
    "empty": (lambda: b"", "leer.csv", "ist leer"),
    "pdf renamed to xlsx": (
        lambda: b"%PDF-1.7\n" + b"0" * 2000,
        "vorhaben.xlsx",
        "PDF-Dokument",
    ),
    "pdf renamed to csv": (lambda: b"%PDF-1.4\n1 0 obj", "vorhaben.csv", "PDF-Dokument"),
    "exe renamed to csv": (lambda: b"MZ\x90\x00" + b"\x00" * 100, "liste.csv", "Programm"),
    "text renamed to xlsx": (lambda: b"Vorhaben;Status\n1;2\n", "liste.xlsx", "keine gültige"),
    "xlsm by name": (lambda: xlsx_bytes(rows(2)), "liste.xlsm", "Makros"),
    "vbaProject.bin inside xlsx": (_macro_workbook, "liste.xlsx", "Makros (VBA)"),
    "legacy xls / encrypted OLE": (
        lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600,
        "liste.xlsx",
        "alten Excel-Format",
    ),
    "broken zip": (lambda: b"PK\x03\x04" + b"\x00" * 200, "liste.xlsx", "beschädigt"),
    "zip without workbook": (
        lambda: _zip_of({"word/document.xml": b"<w/>", "[Content_Types].xml": b"<T/>"}),
        "liste.xlsx",
        "keine Excel-Arbeitsmappe",
    ),
    "too many zip entries": (_many_entries, "liste.xlsx", "ungewöhnlich viele"),
    "zip bomb (ratio)": (_bomb, "liste.xlsx", "zu groß werden"),
    "declared million rows": (
        lambda: _workbook(_sheet(_numbered_rows(5), dimension="A1:A1000000")),
        "liste.xlsx",
        "1.000.000 Zeilen",
    ),
    "dimension lies (small) but 150k rows": (
        lambda: _workbook(_sheet(_numbered_rows(150_000), dimension="A1:A10")),
        "liste.xlsx",
        "mehr als 100.100 Zeilen",
    ),
    "NUL bytes in csv": (
        lambda: b"Vorhaben-Nr.;Titel\nV-1;ab\x00cd\n",
        "liste.csv",
        "NUL-Zeichen",
    ),
    "NUL bytes in utf-16 csv": (
        lambda: "Vorhaben-Nr.;Titel\nV-1;a\x00b\n".encode("utf-16"),
        "liste.csv",
        "NUL-Zeichen",
    ),
    "csv row limit": (lambda: b"a;b\n" + b"1;2\n" * 100_200, "liste.csv", "100.000"),
    "image renamed to csv": (lambda: b"\x89PNG\r\n\x1a\n" + b"0" * 50, "liste.csv", "Bild"),
    "unsupported type": (lambda: b"<html></html>", "liste.html", "Nur Excel-Arbeitsmappen"),
}


def _zip_of(parts: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in parts.items():
            archive.writestr(name, content)
    return buffer.getvalue()


@pytest.mark.parametrize("case", list(HOSTILE), ids=list(HOSTILE))
def test_hostile_file_is_refused_with_a_german_message(case: str) -> None:
    build, name, expected = HOSTILE[case]
    with pytest.raises(FileRefused) as caught:
        guard(name=name, data=build(), max_bytes=20 * MB, max_rows=100_000)
    assert expected in caught.value.message, caught.value.message
    assert f"„{name}“" in caught.value.message  # the user sees which file


def test_every_hostile_file_leaves_the_database_unchanged(empty_db: Path, tripwire) -> None:
    """Through the real upload path: refused before parsing, no data changed, each refusal
    audit-logged with the file name."""
    before = _state()
    for case, (build, name, expected) in HOSTILE.items():
        with pytest.raises(FileRefused, match=re.escape(expected)):
            _ingest(build(), name)
        assert _state() == before, f"{case}: a refused file changed data"
    audit = db.cursor().execute("SELECT action, detail FROM audit_log ORDER BY id").fetchall()
    assert [a for a, _d in audit] == ["file_refused"] * len(HOSTILE)
    assert all(
        name in detail for (_a, detail), (_b, name, _e) in zip(audit, HOSTILE.values(), strict=True)
    )


def test_five_megabyte_file_expanding_to_a_million_rows_is_refused(
    million_rows: bytes, empty_db: Path, tripwire
) -> None:
    assert len(million_rows) < 6 * MB  # about 5 MB on the wire …
    declared = zipfile.ZipFile(io.BytesIO(million_rows)).getinfo("xl/worksheets/sheet1.xml")
    assert declared.file_size > 35 * MB  # … about 40 MB expanded, yet no simple ratio bomb
    assert declared.file_size / declared.compress_size < 20
    before = _state()
    with pytest.raises(FileRefused) as caught:
        _ingest(million_rows, "eine-million.xlsx")
    assert "mehr als 100.100 Zeilen" in caught.value.message
    assert "nicht eingelesen" in caught.value.message
    assert _state() == before


def test_row_limit_follows_the_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    data = _workbook(_sheet(_numbered_rows(700), dimension=None))
    assert guard(name="ok.xlsx", data=data, max_bytes=MB, max_rows=1000).kind == "xlsx"
    with pytest.raises(FileRefused, match="mehr als 600 Zeilen"):
        guard(name="zu-lang.xlsx", data=data, max_bytes=MB, max_rows=500)


@pytest.mark.parametrize(
    ("data", "name", "kind"),
    [
        (xlsx_bytes(rows(5), title_rows=["Meldung"], instructions_sheet=True), "a.xlsx", "xlsx"),
        (csv_bytes(rows(5)), "a.csv", "csv"),
        (csv_bytes(rows(5), encoding="cp1252"), "a.txt", "csv"),
        (csv_bytes(rows(5), encoding="utf-16"), "a.csv", "csv"),
        (csv_bytes(rows(5), bom=True), "A.CSV", "csv"),
    ],
)
def test_ordinary_files_pass(data: bytes, name: str, kind: str) -> None:
    assert guard(name=name, data=data, max_bytes=MB, max_rows=1000).kind == kind


def test_row_counter_does_not_miss_tags_split_across_chunks(monkeypatch) -> None:
    """The streamed count must see a ``<row`` cut in two by a chunk boundary."""
    from loaders import guard as guard_module

    body = _numbered_rows(300)
    data = _workbook(_sheet(body, dimension=None))
    monkeypatch.setattr(guard_module, "_SCAN_CHUNK", 7)  # boundaries everywhere
    with pytest.raises(FileRefused, match="mehr als 200 Zeilen"):
        guard(name="x.xlsx", data=data, max_bytes=MB, max_rows=100)
    guard(name="x.xlsx", data=data, max_bytes=MB, max_rows=200)  # 300 rows ≤ 200 + slack
