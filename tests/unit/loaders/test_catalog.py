"""The service catalogue (kind ``catalog``): messy keys and types read exactly, re-import keeps
the status history, and every problem is reported."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
import xlsxwriter

from loaders.ingest import ingest, prepare
from store import connection as db
from store.identity import Identity

ADMIN = Identity(name="Test Admin", role="admin")
HEADER = ["Leistungsschlüssel", "Leistungsbezeichnung", "LeiKa-Typ", "OZG-ID", "OZG-Leistung",
          "Themenfeld", "Zuständige Behörde"]  # fmt: skip


def catalogue_csv(rows: list[list[str]], header: list[str] = HEADER) -> bytes:
    lines = [";".join(header)] + [";".join(r) for r in rows]
    return ("\ufeff" + "\r\n".join(lines) + "\r\n").encode("utf-8")


def catalogue_xlsx(rows: list[list[object]], header: list[str] = HEADER) -> bytes:
    """Keys given as int are written as Excel numbers in scientific format (``9,9E+13``)."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet("Katalog")
    scientific = book.add_format({"num_format": "0.0E+00"})
    sheet.write_row(0, 0, header)
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row):
            if isinstance(value, int):
                sheet.write_number(r, c, value, scientific)
            elif value is not None:
                sheet.write(r, c, value)
    book.close()
    return buffer.getvalue()


def _ingest(data: bytes, name: str = "katalog.csv", **kwargs):
    args = dict(kind="catalog", authority="skzl", period="2026-Q3", identity=ADMIN)
    args.update(kwargs)
    return ingest(data=data, file_name=name, review_status="published", **args)


def _services() -> dict[str, tuple]:
    rows = (
        db.cursor()
        .execute(
            "SELECT service_key, leika_key, name, leika_type, ozg_id, topic_area, "
            "responsible_authority_id, district_executed, first_submission_id, last_submission_id "
            "FROM service ORDER BY service_key"
        )
        .fetchall()
    )
    return {r[0]: r[1:] for r in rows}


def test_messy_catalogue_is_read_as_it_means(empty_db: Path) -> None:
    data = catalogue_xlsx(
        [
            [
                99330622127000,
                "Wohngeld Bewilligung",
                "2/3",
                "10430",
                "Wohngeld",
                "Bauen & Wohnen",
                "alle Bezirke",
            ],
            [
                "99 722 926 763 000",
                "Elterngeld",
                "1,2/3",
                10209,
                "Elterngeld",
                "Familie und Kind",
                "SenBJF",
            ],
            [
                "nicht im LeiKa",
                "Berliner Sonderleistung",
                "Typ 4",
                "",
                "",
                "querschnitt",
                "BA Mitte",
            ],
            [
                99566441884000,
                "Hundesteuer Anmeldung",
                4,
                "10062",
                "Hundesteuer",
                "Steuern & Zoll",
                "Senatsverwaltung für Finanzen",
            ],
        ]  # fmt: skip
    )
    result = _ingest(data, "katalog.xlsx")
    assert result.outcome == "accepted", [p.as_line() for p in result.problems]
    assert result.errors == [] and result.warnings == []
    services = _services()
    assert set(services) == {
        "99330622127000",
        "99722926763000",
        "99566441884000",
        "ohne-leika:berlinersonderleistung",
    }
    wohngeld = services["99330622127000"]
    assert wohngeld[:5] == (
        "99330622127000",
        "Wohngeld Bewilligung",
        "2/3",
        "10430",
        "bauen-wohnen",
    )
    assert wohngeld[5] is None and wohngeld[6] is True  # all Bezirke: district-executed
    assert services["99722926763000"][2:5] == ("1, 2/3", "10209", "familie-kind")
    assert services["99722926763000"][5] == "senbjf"
    special = services["ohne-leika:berlinersonderleistung"]
    assert special[0] is None and special[2] == "4" and special[4] == "querschnitt"
    assert special[5] == "ba-mitte" and special[6] is True
    assert services["99566441884000"][2] == "4" and services["99566441884000"][5] == "senfin"


def test_5000_keys_stored_as_excel_numbers_come_back_exact(empty_db: Path) -> None:
    keys = [99_000_000_000_000 + n * 7_919_000 + (n % 997) for n in range(5_200)]
    topics = ("Gesundheit", "Bildung", "Umwelt", "Familie & Kind")
    rows = [
        [key, f"Leistung {n}", "2/3", str(10_000 + n % 600), f"OZG {n % 600}", topics[n % 4], ""]
        for n, key in enumerate(keys)
    ]
    result = _ingest(catalogue_xlsx(rows), "grosser_katalog.xlsx")
    assert result.outcome == "accepted", [p.as_line() for p in result.errors[:5]]
    assert result.row_count == 5_200
    stored = {r[0] for r in db.cursor().execute("SELECT leika_key FROM service").fetchall()}
    assert stored == {str(k) for k in keys}
    assert all(len(k) == 14 for k in stored)


def test_keys_cut_by_excel_csv_export_are_errors_not_guesses(empty_db: Path) -> None:
    data = catalogue_csv(
        [
            ["9,9E+13", "Gekürzter Schlüssel", "1", "1", "A", "Gesundheit", ""],
            ["9933062212700", "Dreizehn Ziffern", "1", "1", "A", "Gesundheit", ""],
            ["", "Ohne Schlüssel", "1", "1", "A", "Gesundheit", ""],
        ]
    )
    result = _ingest(data)
    assert result.outcome == "rejected"
    messages = {p.row: p.message for p in result.errors}
    assert "Exponentialschreibweise" in messages[2] and "als Text formatieren" in messages[2]
    assert "genau 14 Ziffern" in messages[3]
    assert "leer" in messages[4]
    assert db.cursor().execute("SELECT count(*) FROM service").fetchone()[0] == 0


def test_every_problem_is_reported_at_once(empty_db: Path) -> None:
    data = catalogue_csv(
        [
            ["99000000000001", "Eins", "1", "1", "A", "Gesundheit", ""],
            ["99000000000001", "Doppelt", "1", "1", "A", "Gesundheit", ""],
            ["99000000000002", "Zwei", "2/3", "1", "A", "Weltraum", ""],
            ["99000000000003", "", "x", "1", "A", "Umwelt", "Amt für Zauberei"],
        ]
    )
    result = _ingest(data)
    assert result.outcome == "rejected"
    errors = {(p.row, p.field) for p in result.errors}
    assert errors == {(3, "leika_key"), (4, "topic_area"), (5, "name")}
    assert "zuerst in Zeile 2" in next(p.message for p in result.errors if p.row == 3)
    warnings = {(p.row, p.field) for p in result.warnings}
    assert {(5, "leika_type"), (5, "responsible")} <= warnings


def test_leika_type_turned_into_a_date_by_excel_is_recovered(empty_db: Path) -> None:
    import datetime as dt

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, HEADER)
    sheet.write_row(1, 0, ["99000000000001", "Eins"])
    sheet.write_datetime(1, 2, dt.datetime(2026, 3, 2), book.add_format({"num_format": "dd.mm."}))
    sheet.write_row(1, 3, ["1", "A", "Gesundheit"])
    book.close()
    result = _ingest(buffer.getvalue(), "katalog.xlsx")
    assert result.outcome == "accepted"
    assert [p.field for p in result.warnings] == ["leika_type"]
    assert _services()["99000000000001"][2] == "2/3"


def test_catalogue_belongs_to_the_senatskanzlei(empty_db: Path) -> None:
    prepared = prepare(
        data=catalogue_csv([["99000000000001", "Eins", "1", "1", "A", "Gesundheit", ""]]),
        file_name="katalog.csv",
        kind="catalog",
        authority="BA Mitte",
        period="2026-Q3",
        identity=ADMIN,
    )
    assert len(prepared.errors) == 1
    assert "Senatskanzlei" in prepared.errors[0].message


def test_reimport_updates_classification_and_keeps_status_history(empty_db: Path) -> None:
    first = _ingest(
        catalogue_csv(
            [
                ["99000000000001", "Alter Name", "1", "11", "A", "Gesundheit", "SenWGP"],
                ["99000000000002", "Bleibt", "2", "12", "B", "Umwelt", ""],
            ]
        ),
        period="2026-Q1",
    )
    status = (
        "Leistungsschlüssel;Reifegrad;Bereitstellung\r\n99000000000001;3;Land Berlin\r\n"
    ).encode()
    reported = ingest(
        data=status,
        file_name="stand.csv",
        kind="services",
        authority="skzl",
        period="2026-Q1",
        identity=ADMIN,
        review_status="published",
    )
    assert reported.outcome == "accepted", [p.as_line() for p in reported.problems]
    second = _ingest(
        catalogue_csv(
            [
                ["99000000000001", "Neuer Name", "2/3", "21", "C", "Bildung", "SenBJF"],
                ["99000000000003", "Neu", "1", "13", "D", "Umwelt", ""],
            ]
        ),
        period="2026-Q2",
    )
    assert second.outcome == "accepted"
    services = _services()
    renamed = services["99000000000001"]
    assert renamed[1:5] == ("Neuer Name", "2/3", "21", "bildung")
    assert renamed[5] == "senbjf"
    assert (renamed[7], renamed[8]) == (first.submission_id, second.submission_id)
    assert "99000000000002" in services  # no longer listed, but still known
    cur = db.cursor()
    assert cur.execute("SELECT count(*) FROM service_status").fetchone()[0] == 1
    snapshots = cur.execute(
        "SELECT submission_id, count(*) FROM catalog_entry GROUP BY 1 ORDER BY 1"
    ).fetchall()
    assert snapshots == [(first.submission_id, 2), (second.submission_id, 2)]


def test_scope_column_takes_services_out_and_back_in(empty_db: Path) -> None:
    header = [*HEADER, "Nicht im Geltungsbereich (Begründung)"]
    row = ["99000000000001", "Eins", "1", "1", "A", "Gesundheit", ""]
    _ingest(catalogue_csv([[*row, "in Berlin nicht erbracht"]], header), period="2026-Q1")
    reason = "SELECT out_of_scope_reason FROM service"
    assert db.cursor().execute(reason).fetchone()[0] == "in Berlin nicht erbracht"
    _ingest(catalogue_csv([row]), period="2026-Q2")  # no scope column: the admin's mark stays
    assert db.cursor().execute(reason).fetchone()[0] == "in Berlin nicht erbracht"
    _ingest(catalogue_csv([[*row, ""]], header), period="2026-Q3")
    assert db.cursor().execute(reason).fetchone()[0] is None


@pytest.mark.parametrize("same", [True, False])
def test_same_catalogue_again_is_already_present(empty_db: Path, same: bool) -> None:
    rows = [["99000000000001", "Eins", "1", "1", "A", "Gesundheit", ""]]
    _ingest(catalogue_csv(rows))
    again = rows if same else [["99000000000001", "Eins (neu)", "1", "1", "A", "Gesundheit", ""]]
    result = _ingest(catalogue_csv(again), "anders.csv")
    assert result.outcome == ("already_present" if same else "accepted")
