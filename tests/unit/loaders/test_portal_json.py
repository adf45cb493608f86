"""The Berlin service portal's JSON export as service status: found by portal id or LeiKa key,
Bezirk vs Land from the authorities, online link as level 3, unknown ids reported."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from loaders.errors import FileRefused
from loaders.guard import guard
from loaders.ingest import ingest
from loaders.readers import read_sheets
from store import connection as db
from store.identity import Identity

ADMIN = Identity(name="Test Admin", role="admin")
CATALOG = (
    "Leistungsschlüssel;Leistungsbezeichnung;Themenfeld;Service-Portal-ID\r\n"
    "99000000000001;Wohngeld;Bauen & Wohnen;120001\r\n"
    "99000000000002;Elterngeld;Familie & Kind;\r\n"
    "99000000000003;Hundesteuer;Steuern & Zoll;120003\r\n"
).encode()
DISTRICTS = [
    "Bezirksamt Mitte",
    "Bezirksamt Friedrichshain-Kreuzberg",
    "Bezirksamt Pankow",
    "Bezirksamt Charlottenburg-Wilmersdorf",
    "Bezirksamt Spandau",
    "Bezirksamt Steglitz-Zehlendorf",
    "Bezirksamt Tempelhof-Schöneberg",
    "Bezirksamt Neukölln",
    "Bezirksamt Treptow-Köpenick",
    "Bezirksamt Marzahn-Hellersdorf",
    "Bezirksamt Lichtenberg",
    "Bezirksamt Reinickendorf",
]


def service(sid: str, name: str, authorities: list[str], link: str = "", **extra) -> dict:
    return {
        "id": sid,
        "name": name,
        "authorities": [{"id": str(n), "name": a} for n, a in enumerate(authorities)],
        "onlineprocessing": {"link": link, "description": "Online beantragen"},
        "meta": {"lastupdate": "2026-09-14 10:12:00", "url": f"https://service.berlin.de/d/{sid}/"},
        **extra,
    }


def envelope(data: list[dict], *, datacount: int | None = None) -> bytes:
    document = {
        "created": "2026-09-29T06:30:00+02:00",
        "datacount": len(data) if datacount is None else datacount,
        "locale": "de",
        "data": data,
    }
    return json.dumps(document, ensure_ascii=False, indent=1).encode("utf-8")


def _ingest(data: bytes, name: str = "dienstleistungen.json"):
    catalogue = ingest(
        data=CATALOG,
        file_name="katalog.csv",
        kind="catalog",
        authority="skzl",
        period="2026-Q3",
        identity=ADMIN,
        review_status="published",
    )
    assert catalogue.outcome in ("accepted", "already_present")
    return ingest(
        data=data,
        file_name=name,
        kind="services",
        authority="skzl",
        period="2026-Q3",
        identity=ADMIN,
        review_status="published",
    )


def _rows() -> list[tuple]:
    return (
        db.cursor()
        .execute(
            "SELECT service_key, provider, provider_slot, provider_authority_id, maturity_level, "
            "maturity_derived, area_wide, url, source, as_of FROM service_status "
            "ORDER BY service_key, provider, provider_slot"
        )
        .fetchall()
    )


def test_portal_export_with_unknown_services_reported(empty_db: Path) -> None:
    data = envelope(
        [
            service("120001", "Wohngeld beantragen", DISTRICTS, "https://service.berlin.de/a/1"),
            service(
                "555",
                "Elterngeld",
                ["Senatsverwaltung für Bildung, Jugend und Familie"],
                leika="99000000000002",
            ),
            service(
                "120003",
                "Hundesteuer",
                ["Bezirksamt Pankow - Steuerstelle"],
                "https://service.berlin.de/a/3",
            ),
            service("777", "Nicht im Katalog", ["Senatskanzlei"], "https://x.example/7"),
            service("888", "Auch nicht", ["LABO"], leika="99888000000000"),
        ]  # fmt: skip
    )
    result = _ingest(data)
    assert result.outcome == "accepted", [p.as_line() for p in result.problems]
    as_of = dt.date(2026, 9, 14)
    assert _rows() == [
        ("99000000000001", "district", "", None, 3, True, True, "https://service.berlin.de/a/1",
         "portal", as_of),
        ("99000000000002", "land", "", "senbjf", 1, True, None,
         "https://service.berlin.de/d/555/", "portal", as_of),
        ("99000000000003", "district", "ba-pankow", "ba-pankow", 3, True, False,
         "https://service.berlin.de/a/3", "portal", as_of),
    ]  # fmt: skip
    unknown = [p for p in result.warnings if "nicht im Leistungskatalog" in p.message]
    assert [p.row for p in unknown] == [4, 5]
    assert "Portal-ID 777" in unknown[0].value and "LeiKa 99888000000000" in unknown[1].value


def test_count_mismatch_and_unsafe_links_are_warnings(empty_db: Path) -> None:
    data = envelope(
        [service("120001", "Wohngeld", ["Senatskanzlei"], "javascript:alert(1)")], datacount=40
    )
    result = _ingest(data)
    assert result.outcome == "accepted"
    assert [r[4] for r in _rows()] == [1]  # no safe online link: information only
    messages = " ".join(p.message for p in result.warnings)
    assert "datacount" in messages and "http(s)" in messages


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b'{"data": [', "keine gültige JSON-Datei"),
        (b'{"created": "x", "items": []}', "kein Export des Service-Portals"),
        (b"[1, 2, 3]", "JSON-Objekt"),
        (b'{"data": [' + b"[" * 100_000 + b"]" * 100_000 + b"]}", "keine gültige JSON-Datei"),
    ],
)
def test_files_that_are_no_portal_export_are_refused(content: bytes, expected: str) -> None:
    with pytest.raises(FileRefused) as refused:
        guarded = guard(name="export.json", data=content, max_bytes=10_000_000, max_rows=1000)
        read_sheets(guarded, max_rows=1000)
    assert expected in refused.value.message


def test_empty_export_is_rejected_without_data(empty_db: Path) -> None:
    result = _ingest(envelope([]))
    assert result.outcome == "rejected"
    assert _rows() == []
