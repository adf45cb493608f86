"""Checks that run before any parser sees a file: size, type by content, zip bombs, macros.

Parsers are the attack surface; a file is only handed to one after these cheap checks pass.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from typing import Literal

from loaders.errors import FileRefused

FileKind = Literal["xlsx", "csv"]

MAX_ZIP_ENTRIES = 2_000
MAX_EXPANDED_BYTES = 200 * 1024 * 1024
MAX_COMPRESSION_RATIO = 200
_TEXT_SUFFIXES = (".csv", ".txt", ".tsv")


@dataclass(frozen=True)
class GuardedFile:
    name: str
    data: bytes
    kind: FileKind


def guard(*, name: str, data: bytes, max_bytes: int) -> GuardedFile:
    """Decide the file type from its content and refuse anything unsafe or unsupported."""
    lower = name.lower()
    if len(data) == 0:
        raise FileRefused(f"Die Datei „{name}“ ist leer.")
    if len(data) > max_bytes:
        raise FileRefused(
            f"Die Datei „{name}“ ist mit {len(data) / 1_048_576:.1f} MB größer als die "
            f"erlaubten {max_bytes / 1_048_576:.0f} MB.".replace(".", ",")
        )
    if lower.endswith((".xlsm", ".xltm", ".xlsb")):
        raise FileRefused(
            f"„{name}“: Dateien mit Makros oder im Binärformat werden nicht angenommen. "
            "Bitte als Excel-Arbeitsmappe (.xlsx) speichern."
        )
    if lower.endswith(".xls") or data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise FileRefused(
            f"„{name}“ ist im alten Excel-Format (.xls). Bitte als .xlsx oder .csv speichern."
        )
    if data[:4] == b"PK\x03\x04":
        _check_workbook_zip(name, data)
        return GuardedFile(name=name, data=data, kind="xlsx")
    if lower.endswith((".xlsx", ".xltx")):
        raise FileRefused(
            f"„{name}“ ist keine gültige Excel-Datei (.xlsx), obwohl die Endung das angibt."
        )
    if data[:5] == b"%PDF-" or not lower.endswith(_TEXT_SUFFIXES):
        raise FileRefused(
            f"„{name}“: Nur Excel-Arbeitsmappen (.xlsx) und CSV-Dateien (.csv, .txt) "
            "werden angenommen."
        )
    return GuardedFile(name=name, data=data, kind="csv")


def _check_workbook_zip(name: str, data: bytes) -> None:
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
    expanded = sum(info.file_size for info in infos)
    compressed = max(1, sum(info.compress_size for info in infos))
    if expanded > MAX_EXPANDED_BYTES or expanded / compressed > MAX_COMPRESSION_RATIO:
        raise FileRefused(
            f"„{name}“ würde beim Entpacken zu groß werden und wird abgelehnt "
            "(Schutz vor manipulierten Dateien)."
        )
