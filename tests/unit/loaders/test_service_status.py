"""Service status in the dashboard's template (kind ``services``): free-text providers, keys as
numbers, ``k.A.``, quarter dates; unknown keys are errors; the catalogue decides."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import xlsxwriter

from loaders.ingest import ingest
from store import connection as db
from store.identity import Identity

ADMIN = Identity(name="Test Admin", role="admin")
CATALOG = (
    "Leistungsschlüssel;Leistungsbezeichnung;OZG-ID;Themenfeld;Zuständige Behörde\r\n"
    "99000000000001;Wohngeld;101;Bauen & Wohnen;alle Bezirke\r\n"
    "99000000000002;Elterngeld;102;Familie & Kind;SenBJF\r\n"
    "99000000000003;Hundesteuer;103;Steuern & Zoll;SenFin\r\n"
    "nicht im LeiKa;Berliner Sonderleistung;;Querschnittsleistungen;LABO\r\n"
).encode()
HEADER = ["Leistungsschlüssel", "Leistungsbezeichnung", "OZG-ID", "Themenfeld", "Reifegrad",
          "Bereitstellung", "Online seit", "Link", "zuständig"]  # fmt: skip


def status_xlsx(rows: list[list[object]], header: list[str] = HEADER) -> bytes:
    """Like the authorities' files: keys as Excel numbers, levels as numbers or text."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet("Leistungen")
    sheet.write_row(0, 0, header)
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row):
            if isinstance(value, dt.date):
                sheet.write_datetime(r, c, value, book.add_format({"num_format": "dd.mm.yyyy"}))
            elif value is not None:
                sheet.write(r, c, value)
    book.close()
    return buffer.getvalue()


def load_catalogue() -> None:
    result = ingest(
        data=CATALOG,
        file_name="katalog.csv",
        kind="catalog",
        authority="skzl",
        period="2026-Q3",
        identity=ADMIN,
        review_status="published",
    )
    assert result.outcome == "accepted", [p.as_line() for p in result.problems]


def _ingest(data: bytes, name: str = "stand.xlsx"):
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
            "SELECT service_key, provider, provider_slot, origin_state, provider_authority_id, "
            "maturity_level, maturity_model, area_wide, online_since, url, source, as_of "
            "FROM service_status ORDER BY service_key, provider, provider_slot"
        )
        .fetchall()
    )


def test_template_as_authorities_fill_it(empty_db: Path) -> None:
    load_catalogue()
    link = "https://service.berlin.de/dienstleistung/123456/"
    data = status_xlsx(
        [
            [
                99000000000001,
                "Wohngeld: Online-Antrag",
                "999",
                "Gesundheit",
                3.0,
                "Bezirk",
                "Q2/2025",
                link,
                "alle Bezirke",
            ],
            [99000000000001, "Wohngeld", "101", "", 4.0, "EfA (Hamburg)", "2025-11-15", "", "LEA"],
            [99000000000002, "Elterngeld", "102", "", "k.A.", "Berlin", "", link, "SenBJF"],
            [
                99000000000002,
                "Elterngeld",
                "102",
                "",
                "3",
                "EfA Sachsen-Anhalt",
                dt.date(2024, 3, 1),
                "",
                "",
            ],
            [99000000000003, "Hundesteuer", "103", "", 2.0, "BA Mitte", "01.03.2024", "", ""],
            ["nicht im LeiKa", "Berliner Sonderleistung", "", "", "Stufe 1", "Bund", "", "", ""],
        ]  # fmt: skip
    )
    result = _ingest(data)
    assert result.outcome == "accepted", [p.as_line() for p in result.problems]
    assert result.row_count == 6
    end = dt.date(2026, 9, 30)
    assert _rows() == [
        ("99000000000001", "district", "", None, None, 3, "1.1", True, dt.date(2025, 4, 1), link,
         "report", end),
        ("99000000000001", "efa", "Hamburg", "Hamburg", "lea", 4, "1.1", None,
         dt.date(2025, 11, 15), None, "report", end),
        ("99000000000002", "efa", "Sachsen-Anhalt", "Sachsen-Anhalt", None, 3, "1.1", None,
         dt.date(2024, 3, 1), None, "report", end),
        ("99000000000002", "land", "", None, "senbjf", None, "1.1", None, None, link, "report",
         end),
        ("99000000000003", "district", "ba-mitte", None, "ba-mitte", 2, "1.1", False,
         dt.date(2024, 3, 1), None, "report", end),
        ("ohne-leika:berlinersonderleistung", "federal", "", None, None, 1, "1.1", None, None,
         None, "report", end),
    ]  # fmt: skip
    warnings = [p.message for p in result.warnings]
    assert any("k.A." in w and "Reifegrad 0" in w for w in warnings)
    assert any("Themenfeld vom Leistungskatalog ab" in w for w in warnings)
    assert any("OZG-ID vom Leistungskatalog ab" in w for w in warnings)


def test_unknown_key_rejects_the_template_and_names_the_key(empty_db: Path) -> None:
    load_catalogue()
    data = status_xlsx(
        [
            [99000000000001, "Wohngeld", "", "", 3, "Bezirk", "", "", ""],
            [99123456789000, "Unbekannt", "", "", 3, "Land Berlin", "", "", ""],
            ["nicht im LeiKa", "Nirgends", "", "", 1, "Land Berlin", "", "", ""],
        ]
    )
    result = _ingest(data)
    assert result.outcome == "rejected"
    unknown = [p for p in result.errors if "nicht im Leistungskatalog" in p.message]
    assert [(p.row, p.value) for p in unknown] == [(3, "99123456789000"), (4, "Nirgends")]
    assert _rows() == []


def test_levels_are_checked_against_their_model(empty_db: Path) -> None:
    load_catalogue()
    header = [*HEADER[:5], "Reifegradmodell", "Bereitstellung"]
    data = status_xlsx(
        [
            [99000000000001, "", "", "", 5, "", "Land Berlin"],
            [99000000000002, "", "", "", 6, "2.0", "Land Berlin"],
            [99000000000003, "", "", "", 8, "2.0", "Land Berlin"],
            [99000000000003, "", "", "", 2.5, "1.1", "Bezirk"],
            [99000000000002, "", "", "", "hoch", "", "Bezirk"],
            [99000000000001, "", "", "", 1, "3.0", "Bezirk"],
        ],
        header,
    )
    result = _ingest(data)
    assert result.outcome == "rejected"
    by_row = {p.row: p.message for p in result.errors}
    assert sorted(by_row) == [2, 4, 5, 6, 7]
    assert "Reifegradmodell 1.1 nicht" in by_row[2] and "2.0" in by_row[2]
    assert "Stufen 0–7" in by_row[4]
    assert "ganze Zahl" in by_row[5] and "ganze Zahl" in by_row[6]
    assert "Reifegradmodell" in by_row[7]


def test_model_2_levels_are_stored_as_reported(empty_db: Path) -> None:
    load_catalogue()
    header = ["Leistungsschlüssel", "Reifegrad", "Reifegradmodell", "Bereitstellung"]
    result = _ingest(status_xlsx([[99000000000002, 6, 2.0, "Land Berlin"]], header))
    assert result.outcome == "accepted", [p.as_line() for p in result.problems]
    assert [(r[5], r[6]) for r in _rows()] == [(6, "2.0")]


def test_provider_duplicates_unknown_providers_and_bad_links(empty_db: Path) -> None:
    load_catalogue()
    data = status_xlsx(
        [
            [99000000000001, "", "", "", 3, "Land Berlin", "", "javascript:alert(1)", ""],
            [99000000000001, "", "", "", 2, "Berlin", "", "", ""],
            [99000000000002, "", "", "", 2, "Landkreis", "", "", ""],
            [99000000000003, "", "", "", 2, "", "", "", ""],
            [99000000000003, "", "", "", 2, "EfA (Atlantis)", "gestern", "", ""],
        ]
    )
    result = _ingest(data)
    assert result.outcome == "rejected"
    errors = {(p.row, p.field) for p in result.errors}
    assert errors == {
        (3, "provider"),
        (4, "provider"),
        (5, "provider"),
        (6, "provider"),
        (6, "online_since"),
    }
    assert "früheren Zeile" in next(p.message for p in result.errors if p.row == 3)
    assert [(p.row, p.field) for p in result.warnings if p.field == "url"] == [(2, "url")]


def test_status_needs_a_catalogue_first(empty_db: Path) -> None:
    result = _ingest(status_xlsx([[99000000000001, "", "", "", 3, "Bund", "", "", ""]]))
    assert result.outcome == "rejected"
    assert "noch kein Leistungskatalog" in result.errors[0].message


def test_as_of_column_and_period_end_default(empty_db: Path) -> None:
    load_catalogue()
    header = ["Leistungsschlüssel", "Reifegrad", "Bereitstellung", "Stand"]
    data = status_xlsx(
        [
            [99000000000001, 3, "Bund", "15.08.2026"],
            [99000000000002, 3, "Bund", ""],
        ],
        header,
    )
    result = _ingest(data)
    assert result.outcome == "accepted"
    assert [r[11] for r in _rows()] == [dt.date(2026, 8, 15), dt.date(2026, 9, 30)]
