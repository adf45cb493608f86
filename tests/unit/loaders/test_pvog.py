"""The Data Hub's PVOG export as service status: providers from the ARS, "ok" as level 3,
unknown keys and excluded lines reported and not taken over."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import xlsxwriter

from loaders.ingest import ingest
from store import connection as db
from store.identity import Identity
from tests.unit.loaders.test_service_status import load_catalogue

ADMIN = Identity(name="Test Admin", role="admin")
COLUMNS = ("leika_key,leika_name,leika_bezeichnung,ars,ozgid,ozg_bezeichnung,url,online_status,"
           "aktiv,art_flaechendeckung,begruendung_nicht_beruecksichtigt,datenstand_pvog_import")  # fmt: skip


def pvog_csv(lines: list[str]) -> bytes:
    return ("\r\n".join([COLUMNS, *lines]) + "\r\n").encode("utf-8")


def _ingest(data: bytes, name: str = "pvog_berlin.csv"):
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
            "SELECT service_key, provider, provider_slot, maturity_level, maturity_derived, "
            "area_wide, url, source, as_of FROM service_status "
            "ORDER BY service_key, provider, provider_slot"
        )
        .fetchall()
    )


def test_pvog_export_with_offers_from_above_and_unknown_keys(empty_db: Path) -> None:
    load_catalogue()
    data = pvog_csv(
        [
            "99000000000001,Wohngeld,,000000000000,101,Wohngeld,https://bund.example/wg,ok,ja,"
            "bundesweit flächendeckend,,2026-09-28",
            "99000000000001,Wohngeld,,020000000000,101,Wohngeld,https://hh.example/wg,nicht ok,"
            "ja,landesweit flächendeckend,,2026-09-28",
            "99000000000002,Elterngeld,,150000000000,102,Elterngeld,https://st.example/eg,ok,ja,"
            ",,2026-09-27",
            "99000000000002,Elterngeld,,110000000000,102,Elterngeld,https://be.example/eg,ok,nein,"
            "landesweit flächendeckend,,2026-09-27",
            "99000000000003,Hundesteuer,,110000000003,103,Hundesteuer,https://ba.example/hs,ok,,"
            "nicht flächendeckend,,",
            "99777000000000,Fremd,,000000000000,,,https://bund.example/x,ok,ja,,,2026-09-28",
            "99000000000003,Hundesteuer,,000000000000,103,Hundesteuer,https://bund.example/hs,ok,"
            "ja,,Dublette,2026-09-28",
        ]
    )
    result = _ingest(data)
    assert result.outcome == "accepted", [p.as_line() for p in result.problems]
    assert _rows() == [
        ("99000000000001", "efa", "Hamburg", None, True, True, "https://hh.example/wg", "pvog",
         dt.date(2026, 9, 28)),
        ("99000000000001", "federal", "", 3, True, True, "https://bund.example/wg", "pvog",
         dt.date(2026, 9, 28)),
        ("99000000000002", "efa", "Sachsen-Anhalt", 3, True, None, "https://st.example/eg",
         "pvog", dt.date(2026, 9, 27)),
        ("99000000000002", "land", "", None, True, True, "https://be.example/eg", "pvog",
         dt.date(2026, 9, 27)),
        ("99000000000003", "district", "", 3, True, False, "https://ba.example/hs", "pvog",
         dt.date(2026, 9, 30)),
    ]  # fmt: skip
    unknown = [p for p in result.warnings if "nicht im Leistungskatalog" in p.message]
    assert [(p.row, p.value) for p in unknown] == [(7, "99777000000000")]
    excluded = [p for p in result.warnings if "nicht berücksichtigt" in p.message]
    assert [(p.row, p.value) for p in excluded] == [(8, "Dublette")]


def test_several_online_services_of_one_offer_keep_the_best(empty_db: Path) -> None:
    load_catalogue()
    data = pvog_csv(
        [
            "99000000000001,Wohngeld,,000000000000,,,https://a.example,nicht ok,ja,,,2026-09-01",
            "99000000000001,Wohngeld,,000000000000,,,https://b.example,ok,ja,,,2026-08-01",
            "99000000000001,Wohngeld,,000000000000,,,https://c.example,nicht ok,ja,,,2026-09-20",
        ]
    )
    result = _ingest(data)
    assert result.outcome == "accepted"
    assert [(r[3], r[6]) for r in _rows()] == [(3, "https://b.example")]
    assert any("3 Zeilen" not in p.message and "2 Zeilen" in p.message for p in result.warnings)


def test_ars_as_excel_number_gets_its_zeros_back(empty_db: Path) -> None:
    load_catalogue()
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, ["leika_key", "ars", "online_status", "datenstand_pvog_import"])
    sheet.write_row(1, 0, [99000000000001, 20000000000, "ok", "2026-09-28"])
    sheet.write_row(2, 0, [99000000000002, 0, "ok", "2026-09-28"])
    book.close()
    result = _ingest(buffer.getvalue(), "pvog.xlsx")
    assert result.outcome == "accepted", [p.as_line() for p in result.problems]
    assert [r[1:3] for r in _rows()] == [("efa", "Hamburg"), ("federal", "")]


def test_broken_lines_reject_the_export(empty_db: Path) -> None:
    load_catalogue()
    data = pvog_csv(
        [
            "99000000000001,Wohngeld,,990000000000,,,https://a.example,ok,ja,,,2026-09-01",
            "99000000000002,Elterngeld,,000000000000,,,https://a.example,vielleicht,ja,,,",
            "9,9E+13,x,,000000000000,,,https://a.example,ok,ja,,,",
        ]
    )
    result = _ingest(data)
    assert result.outcome == "rejected"
    assert {(p.row, p.field) for p in result.errors} >= {(2, "ars"), (3, "online_status")}
    assert _rows() == []
