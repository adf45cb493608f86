"""Every file the upload page refuses reaches the Protokoll exactly once, with the German
message the user saw — also a .png, which the uploader no longer filters out in English."""

from __future__ import annotations

import json
import struct
import zlib
from pathlib import Path

from streamlit.testing.v1 import AppTest

from store import connection as db
from tests.app.test_submit import _collection_page, _open


def _png() -> bytes:
    """A valid 1×1 PNG, built in code."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data)
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\0\0\0\0"))
        + chunk(b"IEND", b"")
    )


def _refusals(file_name: str) -> list[tuple[str, str | None, str | None, dict[str, str]]]:
    rows = (
        db.cursor()
        .execute(
            "SELECT action, authority_id, period_id, detail FROM audit_log "
            "WHERE action IN ('file_refused', 'action_refused') "
            "AND json_extract_string(detail, '$.file') = ? ORDER BY id",
            [file_name],
        )
        .fetchall()
    )
    return [(a, b, p, json.loads(d)) for a, b, p, d in rows]


def _upload(at: AppTest, name: str, data: bytes, mime: str) -> AppTest:
    at.file_uploader[0].set_value((name, data, mime)).run()
    assert not at.exception, at.exception
    return at


def test_a_picture_renamed_to_xlsx_is_refused_in_german_and_logged_once(demo_db: Path) -> None:
    at = _upload(_open(), "bild.xlsx", _png(), "image/png")
    errors = [e.value for e in at.error]
    assert any("ist ein Bild" in e and "keine Tabelle" in e for e in errors), errors
    assert not [b for b in at.button if b.label.startswith("Meldung übernehmen")]
    logged = _refusals("bild.xlsx")
    assert len(logged) == 1
    action, authority, period, detail = logged[0]
    assert (action, authority, period) == ("file_refused", "ba-pankow", "2026-Q3")
    assert "ist ein Bild (PNG), keine Tabelle" in detail["reason"]  # the message shown
    at.run()  # reruns show the message again but do not log it again
    assert any("ist ein Bild" in e.value for e in at.error)
    assert len(_refusals("bild.xlsx")) == 1


def test_a_png_is_refused_by_the_loaders_in_german_not_by_the_uploader(demo_db: Path) -> None:
    at = _open()
    assert at.file_uploader[0].proto.type == []  # no English refusal by Streamlit
    _upload(at, "bild.png", _png(), "image/png")
    errors = [e.value for e in at.error]
    assert errors and all("not allowed" not in e for e in errors), errors
    assert any("bild.png" in e for e in errors), errors
    assert [r[0] for r in _refusals("bild.png")] == ["file_refused"]


def test_a_refused_collection_file_is_logged_once_too(demo_db: Path) -> None:
    at = _upload(_collection_page(), "sammlung.xlsx", _png(), "image/png")
    assert any("ist ein Bild" in e.value for e in at.error)
    at.run()
    logged = _refusals("sammlung.xlsx")
    assert [(a, b, p) for a, b, p, _d in logged] == [("file_refused", None, "2026-Q3")]
