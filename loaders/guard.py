"""Checks that run before any parser sees a file: size, type by content, zip bombs, macros.

Parsers are the attack surface; a file is only handed to one after these cheap checks pass.
The workbook checks read the zip directory and stream the worksheets' XML through a byte
counter, so a small file that would expand to a million rows is refused after reading its
``<dimension>`` (or after counting past the row limit), long before calamine would parse it.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from typing import Literal

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


_ROW_TAGS = (b"<row", b":row ", b":row>")
_CELL_TAGS = (b"<c ", b"<c>", b":c ")


def _count(data: bytes, tags: tuple[bytes, ...]) -> int:
    return sum(data.count(tag) for tag in tags)


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
    """Refuse a sheet whose declared or actual row count exceeds the limit, reading only as
    much of its XML as needed: the ``<dimension>`` near the start, then a streamed count."""
    limit = max_rows + ROW_SLACK
    sheet = info.filename.rsplit("/", 1)[-1].removesuffix(".xml")

    def refuse(rows: int, *, at_least: bool) -> FileRefused:
        return FileRefused(
            f"„{name}“: Das Tabellenblatt ({sheet}) hat {'mehr als ' if at_least else ''}"
            f"{_limit_text(rows)} Zeilen; erlaubt sind höchstens {_limit_text(max_rows)} "
            "Datenzeilen. Die Datei wurde nicht eingelesen."
        )

    rows = cells = read = 0
    tail = b""
    try:
        with archive.open(info) as stream:
            first = True
            while chunk := stream.read(_SCAN_CHUNK):
                read += len(chunk)
                if read > MAX_EXPANDED_BYTES:
                    raise too_big
                if first:
                    first = False
                    match = _DIMENSION.search(chunk[:65_536])
                    if match and int(match.group(1)) > limit:
                        raise refuse(int(match.group(1)), at_least=False)
                window = tail + chunk
                # the tail was counted with the previous chunk already; only matches that
                # span the boundary are new, so the tail's own matches are subtracted
                rows += _count(window, _ROW_TAGS) - _count(tail, _ROW_TAGS)
                cells += _count(window, _CELL_TAGS) - _count(tail, _CELL_TAGS)
                tail = window[-8:]
                if rows > limit:
                    raise refuse(limit, at_least=True)
                if cells > MAX_CELLS:
                    raise FileRefused(
                        f"„{name}“: Das Tabellenblatt ({sheet}) hat mehr als "
                        f"{_limit_text(MAX_CELLS)} Zellen und wird nicht eingelesen."
                    )
    except (zipfile.BadZipFile, OSError, EOFError) as exc:  # also CRC and size mismatches
        raise FileRefused(f"„{name}“ ist beschädigt und kann nicht gelesen werden.") from exc
