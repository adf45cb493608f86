"""Checks that run before any parser sees a file: size, type by content, zip bombs, macros.

Parsers are the attack surface; a file is only handed to one after these cheap checks pass.
The workbook checks read the zip directory and stream every worksheet's XML once (the
declared sizes and the ``<dimension>`` can lie, so neither alone is trusted): a small file
that would expand to a million rows is refused long before calamine would parse it.

What the parser would build decides: calamine places each cell by its ``r`` reference (or
after the previous one) and allocates the used range densely, rows × columns, so two cells
at ``A1`` and ``XFD1048576`` in a 1 kB file would make it allocate half a terabyte and abort
the process. The stream scan therefore bounds the range, not just the number of rows:

- Fast path, one RE2 pass (Arrow) per chunk: every ``<row>`` and ``<c>`` carries its ``r``
  reference first (written ``<c r="``), no row number exceeds the row limit, no column lies beyond
  ``MAX_CELLS // row limit`` (49 columns by default). Then the range has at most
  ``MAX_CELLS`` cells whatever else the file holds. Excel, LibreOffice, openpyxl and
  xlsxwriter write sheets like that.
- Anything else (cells without references, prefixed element names, wide sheets, references
  past the limit) is walked tag by tag in Python, following calamine's placement rules, and
  refused as soon as the rows, the cells or the range exceed their limits.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

import pyarrow as pa
import pyarrow.compute as pc

from loaders.errors import FileRefused

FileKind = Literal["xlsx", "csv", "json"]

MAX_ZIP_ENTRIES = 2_000
MAX_EXPANDED_BYTES = 200 * 1024 * 1024
MAX_COMPRESSION_RATIO = 200
MAX_CELLS = 5_000_000
ROW_SLACK = 100  # title, header, notes and totals rows above the data row limit
_TEXT_SUFFIXES = (".csv", ".txt", ".tsv")
_MACRO_SUFFIXES = (".xlsm", ".xltm", ".xlsb", ".xlam")
_RATIO_CHECK_MIN_BYTES = 1_048_576
_SCAN_CHUNK = 1 << 20
_DIMENSION = re.compile(rb"<(?:\w+:)?dimension\s+ref=\"[A-Z]*\d*:?[A-Z]*(\d+)\"")
_SHEET_PART = re.compile(r"^xl/worksheets/[^/]+\.xml$", re.IGNORECASE)
_FOREIGN_MAGIC = {
    b"%PDF-": "ein PDF-Dokument",
    b"\x89PNG": "ein Bild (PNG)",
    b"\xff\xd8\xff": "ein Bild (JPEG)",
    b"GIF8": "ein Bild (GIF)",
    b"MZ": "ein Programm",
    b"\x7fELF": "ein Programm",
    b"\x1f\x8b": "ein gepacktes Archiv (gzip)",
    b"Rar!": "ein gepacktes Archiv (RAR)",
    b"7z\xbc\xaf": "ein gepacktes Archiv (7z)",
}

_MIN_CELL_BYTES = len('<c r="A1"><v>1</v></c>')  # the smallest cell with a value and a reference
_TAG = re.compile(rb"<(/?)(?:[A-Za-z_][\w.\-]*:)?(row|c)(?=[\s/>])([^>]*)>")
_R_ATTRIBUTE = re.compile(rb"""(?:^|\s)r\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_CELL_REF = re.compile(rb"([A-Z]{1,3})([0-9]{1,7})")


@dataclass(frozen=True)
class GuardedFile:
    name: str
    data: bytes
    kind: FileKind


def _limit_text(value: int) -> str:
    return f"{value:,}".replace(",", ".")


def guard(*, name: str, data: bytes, max_bytes: int, max_rows: int | None = None) -> GuardedFile:
    """Decide the file type from its content and refuse anything unsafe or unsupported.

    ``max_rows`` defaults to the configured row limit; the guard allows a little slack for
    title and header rows, the readers and the ingest check the exact limit afterwards.
    """
    if max_rows is None:
        from store.settings import get_settings

        max_rows = get_settings().max_rows
    lower = name.lower()
    if len(data) == 0:
        raise FileRefused(f"Die Datei „{name}“ ist leer.")
    if len(data) > max_bytes:
        size = f"{len(data) / 1_048_576:.1f}".replace(".", ",")
        raise FileRefused(
            f"Die Datei „{name}“ ist mit {size} MB größer als die erlaubten "
            f"{max_bytes / 1_048_576:.0f} MB."
        )
    if lower.endswith(_MACRO_SUFFIXES):
        raise FileRefused(
            f"„{name}“: Dateien mit Makros oder im Binärformat werden nicht angenommen. "
            "Bitte als Excel-Arbeitsmappe (.xlsx) speichern."
        )
    if lower.endswith(".xls") or data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise FileRefused(
            f"„{name}“ ist im alten Excel-Format (.xls) oder verschlüsselt. Bitte ohne "
            "Kennwort als .xlsx oder .csv speichern."
        )
    if data[:4] == b"PK\x03\x04":
        _check_workbook_zip(name, data, max_rows=max_rows)
        return GuardedFile(name=name, data=data, kind="xlsx")
    for magic, what in _FOREIGN_MAGIC.items():
        if data.startswith(magic):
            raise FileRefused(
                f"„{name}“ ist {what}, keine Tabelle. Nur Excel-Arbeitsmappen (.xlsx) und "
                "CSV-Dateien (.csv, .txt) werden angenommen."
            )
    if lower.endswith((".xlsx", ".xltx")):
        raise FileRefused(
            f"„{name}“ ist keine gültige Excel-Datei (.xlsx), obwohl die Endung das angibt."
        )
    if lower.endswith(".json"):  # the Berlin service portal's export (kind "services")
        _check_json(name, data)
        return GuardedFile(name=name, data=data, kind="json")
    if not lower.endswith(_TEXT_SUFFIXES):
        raise FileRefused(
            f"„{name}“: Nur Excel-Arbeitsmappen (.xlsx) und CSV-Dateien (.csv, .txt) "
            "werden angenommen."
        )
    _check_text(name, data, max_rows=max_rows)
    return GuardedFile(name=name, data=data, kind="csv")


def _check_json(name: str, data: bytes) -> None:
    """A JSON export is one object; NUL bytes outside UTF-16 mean binary content. Its size is
    bounded by ``max_bytes``; the reader counts the entries against the row limit."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return
    if b"\x00" in data or data.removeprefix(b"\xef\xbb\xbf").lstrip()[:1] != b"{":
        raise FileRefused(f"„{name}“ ist keine JSON-Exportdatei (erwartet wird ein JSON-Objekt).")


def _check_text(name: str, data: bytes, *, max_rows: int) -> None:
    """NUL bytes mean binary content (UTF-16 carries them by design, so it is decoded first);
    counting line breaks bounds the rows before the CSV parser runs."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise FileRefused(
                f"„{name}“: Die Zeichenkodierung ist ungültig. Bitte als CSV (UTF-8) speichern."
            ) from exc
        has_nul, lines = "\x00" in text, text.count("\n")
    else:
        has_nul, lines = b"\x00" in data, data.count(b"\n")
    if has_nul:
        raise FileRefused(
            f"„{name}“ enthält Binärdaten (NUL-Zeichen) und ist keine Textdatei. "
            "Bitte als CSV (UTF-8) speichern."
        )
    if lines > max_rows + ROW_SLACK:
        raise FileRefused(
            f"„{name}“ hat {_limit_text(lines)} Zeilen; erlaubt sind höchstens "
            f"{_limit_text(max_rows)} Datenzeilen."
        )


def _check_workbook_zip(name: str, data: bytes, *, max_rows: int) -> None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise FileRefused(f"„{name}“ ist beschädigt und kann nicht gelesen werden.") from exc
    infos = archive.infolist()
    if len(infos) > MAX_ZIP_ENTRIES:
        raise FileRefused(f"„{name}“ enthält ungewöhnlich viele Bestandteile und wird abgelehnt.")
    names = {info.filename for info in infos}
    if any(n.lower().endswith("vbaproject.bin") for n in names):
        raise FileRefused(
            f"„{name}“ enthält Makros (VBA) und wird aus Sicherheitsgründen abgelehnt."
        )
    if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
        raise FileRefused(f"„{name}“ ist keine Excel-Arbeitsmappe (.xlsx).")
    if any(info.flag_bits & 0x1 for info in infos):
        raise FileRefused(f"„{name}“ ist verschlüsselt. Bitte ohne Kennwort als .xlsx speichern.")
    too_big = FileRefused(
        f"„{name}“ würde beim Entpacken zu groß werden und wird abgelehnt "
        "(Schutz vor manipulierten Dateien)."
    )
    expanded = sum(info.file_size for info in infos)
    compressed = max(1, sum(info.compress_size for info in infos))
    if expanded > MAX_EXPANDED_BYTES or expanded / compressed > MAX_COMPRESSION_RATIO:
        raise too_big
    for info in infos:
        if (
            info.file_size > _RATIO_CHECK_MIN_BYTES
            and info.file_size / max(1, info.compress_size) > MAX_COMPRESSION_RATIO
        ):
            raise too_big
    content_types = archive.read("[Content_Types].xml")[:1_000_000].lower()
    if b"macroenabled" in content_types or b"vbaproject" in content_types:
        raise FileRefused(
            f"„{name}“ enthält Makros (VBA) und wird aus Sicherheitsgründen abgelehnt."
        )
    for info in infos:
        if _SHEET_PART.match(info.filename):
            _check_sheet(name, archive, info, max_rows=max_rows, too_big=too_big)


def _check_sheet(
    name: str,
    archive: zipfile.ZipFile,
    info: zipfile.ZipInfo,
    *,
    max_rows: int,
    too_big: FileRefused,
) -> None:
    """Refuse a sheet whose declared or actual used range exceeds the limits (module doc):
    the ``<dimension>`` near the start, then the RE2 pass, then, only if that finds anything
    unusual, the walk along calamine's rules."""
    limit = max_rows + ROW_SLACK
    sheet = info.filename.rsplit("/", 1)[-1].removesuffix(".xml")

    def refuse(rows: int, *, at_least: bool) -> FileRefused:
        return FileRefused(
            f"„{name}“: Das Tabellenblatt ({sheet}) hat {'mehr als ' if at_least else ''}"
            f"{_limit_text(rows)} Zeilen; erlaubt sind höchstens {_limit_text(max_rows)} "
            "Datenzeilen. Die Datei wurde nicht eingelesen."
        )

    too_many_cells = FileRefused(
        f"„{name}“: Das Tabellenblatt ({sheet}) hat mehr als {_limit_text(MAX_CELLS)} Zellen "
        "und wird nicht eingelesen."
    )
    envelope = _envelope(limit)
    # A stored cell needs a value and (on the fast path) a reference, so a sheet smaller than
    # this cannot hold too many cells; only bigger ones are counted.
    count_cells = info.file_size > MAX_CELLS * _MIN_CELL_BYTES
    usual = envelope is not None
    cells = 0
    for index, segment in enumerate(_segments(name, archive, info, too_big=too_big)):
        if index == 0:
            if b"\x00" in segment[:200]:  # UTF-16/32: the byte patterns would not see tags
                raise FileRefused(
                    f"„{name}“: Das Tabellenblatt ({sheet}) ist ungewöhnlich kodiert "
                    "(nicht UTF-8) und wird nicht eingelesen."
                )
            match = _DIMENSION.search(segment[:65_536])
            if match and int(match.group(1)) > limit:
                raise refuse(int(match.group(1)), at_least=False)
        if not usual:
            continue
        data = _binary(segment)
        if pc.any(pc.match_substring_regex(data, envelope)).as_py():
            usual = False
            continue
        if count_cells:  # on the fast path every cell starts with exactly '<c r="'
            cells += segment.count(b'<c r="')
            if cells > MAX_CELLS:
                raise too_many_cells
    if usual:
        return
    _walk_sheet(
        name,
        archive,
        info,
        limit=limit,
        too_big=too_big,
        refuse=refuse,
        too_many_cells=too_many_cells,
    )


def _segments(
    name: str, archive: zipfile.ZipFile, info: zipfile.ZipInfo, *, too_big: FileRefused
) -> Iterator[bytes]:
    """The sheet's XML in pieces that end before a ``<``, so that no tag is split; at most
    ``MAX_EXPANDED_BYTES`` in all (the size in the zip directory can lie)."""
    read = 0
    carry = b""
    try:
        with archive.open(info) as stream:
            while chunk := stream.read(_SCAN_CHUNK):
                read += len(chunk)
                if read > MAX_EXPANDED_BYTES:
                    raise too_big
                window = carry + chunk
                cut = window.rfind(b"<")
                if cut <= 0:
                    carry = window
                    continue
                carry = window[cut:]
                yield window[:cut]
            if carry:
                yield carry
    except (zipfile.BadZipFile, OSError, EOFError) as exc:  # also CRC and size mismatches
        raise FileRefused(f"„{name}“ ist beschädigt und kann nicht gelesen werden.") from exc


def _binary(segment: bytes) -> pa.Array:
    """One bytes object as a one-element Arrow binary array, without copying."""
    offsets = pa.array([0, len(segment)], pa.int64()).buffers()[1]
    return pa.LargeBinaryArray.from_buffers(
        pa.large_binary(), 1, [None, offsets, pa.py_buffer(segment)]
    )


@lru_cache(maxsize=8)
def _envelope(limit: int) -> str | None:
    """RE2 pattern of everything outside the fast path's shape (module doc), or None if the
    row limit leaves no room for a column (then every sheet is walked)."""
    columns = MAX_CELLS // limit
    if columns < 1:
        return None
    number = f'0*{_greater_than(limit)}"'
    return "|".join(
        (
            r"<[A-Za-z_][A-Za-z0-9_.\-]*:(row|c)[\s/>]",  # prefixed element names
            # exactly '<row r="' and '<c r="' (so that counting '<c r="' counts the cells)
            r'<row([\t\n\r>/]| [^r]| r[^=]| r=[^"]| r="[^0-9]| r="[0-9]+[^0-9"])',
            r'<c([\t\n\r>/]| [^r]| r[^=]| r=[^"]| r="[^A-Z]| r="[A-Z]{4})',
            r'<c r="[A-Z]+([^A-Z0-9]|[0-9]+[^0-9"])',
            r'<row r="' + number,
            r'<c r="[A-Z]+' + number,
            r'<c r="' + _letters_greater_than(columns) + "[0-9]",
            r'\sr="0*"',  # row 0 or an empty reference
        )
    )


def _greater_than(n: int) -> str:
    """RE2 alternation matching the decimal numbers (no leading zero) greater than ``n``."""
    digits = str(n)
    options = [f"[1-9][0-9]{{{len(digits)},}}"]
    for i, digit in enumerate(digits):
        if digit != "9":
            rest = len(digits) - i - 1
            options.append(f"{digits[:i]}[{int(digit) + 1}-9][0-9]{{{rest}}}")
    return "(" + "|".join(options) + ")"


def _column_letters(number: int) -> str:
    letters = ""
    while number:
        number, remainder = divmod(number - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters


def _letters_greater_than(columns: int) -> str:
    """RE2 alternation matching column letters beyond column number ``columns``."""
    letters = _column_letters(columns)
    options = [f"[A-Z]{{{len(letters) + 1},}}"]
    for i, letter in enumerate(letters):
        if letter != "Z":
            rest = len(letters) - i - 1
            options.append(f"{letters[:i]}[{chr(ord(letter) + 1)}-Z][A-Z]{{{rest}}}")
    return "(" + "|".join(options) + ")"


def _column_number(letters: bytes) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + letter - 64
    return number


def _walk_sheet(
    name: str,
    archive: zipfile.ZipFile,
    info: zipfile.ZipInfo,
    *,
    limit: int,
    too_big: FileRefused,
    refuse: Callable[..., FileRefused],
    too_many_cells: FileRefused,
) -> None:
    """Place every ``<row>`` and ``<c>`` the way calamine does (a cell's own reference, else
    after the previous cell of the row; a row's reference, else after the previous row) and
    refuse once the rows, the cells or the used range exceed their limits. Empty elements
    count as if they held a value, so the walk never underestimates."""
    row_index = col_index = cells = 0
    left: int | None = None
    bottom = right = -1
    damaged = FileRefused(f"„{name}“ ist beschädigt und kann nicht gelesen werden.")
    for segment in _segments(name, archive, info, too_big=too_big):
        for match in _TAG.finditer(segment):
            closing, element, attributes = match.groups()
            empty = attributes.endswith(b"/")
            if element == b"row":
                if closing:
                    row_index, col_index = row_index + 1, 0
                    continue
                reference = _reference(attributes)
                if reference is not None:
                    if not reference.isdigit() or int(reference) < 1:
                        raise damaged
                    row_index = int(reference) - 1
                if empty:
                    row_index, col_index = row_index + 1, 0
                if row_index + 1 > limit:
                    raise refuse(limit, at_least=True)
                continue
            if closing:
                continue
            reference = _reference(attributes)
            if reference is None:
                row, col = row_index, col_index
            else:
                parsed = _CELL_REF.fullmatch(reference)
                if parsed is None or int(parsed.group(2)) < 1:
                    raise damaged
                row, col = int(parsed.group(2)) - 1, _column_number(parsed.group(1)) - 1
            col_index = col + 1
            cells += 1
            left = col if left is None else min(left, col)
            bottom, right = max(bottom, row), max(right, col)
            if bottom + 1 > limit:
                raise refuse(limit, at_least=True)
            # the text reader's range starts at row 1 (fastexcel, skip_rows=0), hence bottom + 1
            if cells > MAX_CELLS or (bottom + 1) * (right - left + 1) > MAX_CELLS:
                raise too_many_cells


def _reference(attributes: bytes) -> bytes | None:
    match = _R_ATTRIBUTE.search(attributes)
    if match is None:
        return None
    return match.group(1) if match.group(1) is not None else match.group(2)
