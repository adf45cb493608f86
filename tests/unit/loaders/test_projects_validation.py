"""Every rule of a project list, each problem located as the user sees the file."""

from __future__ import annotations

from loaders.fields import PROJECT_FIELDS
from loaders.guard import guard
from loaders.header import map_table
from loaders.projects import validate_projects
from loaders.readers import read_sheets
from tests.builders import csv_bytes, project_row, xlsx_bytes


def _validate(data: bytes, name: str = "t.csv", *, strict: bool = False):
    sheets = read_sheets(guard(name=name, data=data, max_bytes=10_000_000), max_rows=1000)
    table = map_table(sheets, fields=PROJECT_FIELDS, file_name=name)
    return validate_projects(table, authority_keys={"batest"}, strict_light_reason=strict)


def test_valid_list_converts_every_field() -> None:
    result = _validate(csv_bytes([project_row(1)]))
    assert result.problems == []
    row = result.frame.iloc[0]
    assert row["project_id"] == "T-001"
    assert row["status"] == "in_progress"
    assert row["traffic_light"] == "green"
    assert row["programme"] == "online_service"
    assert row["budget"] == 120000.0 and row["actual_cost"] == 45000.5
    assert row["progress_pct"] == 40.0
    assert row["leika_keys"] == ["99123005017000"]
    assert str(row["baseline_end"].date()) == "2026-12-31"
    assert row["cost_reporting_status"] == "reported"


def test_synonyms_and_emoji_are_normalised() -> None:
    records = [
        project_row(1, Ampel="Grün ", Status="laufend"),
        project_row(2, Ampel="🟢", Status="abgeschlossen"),
        project_row(3, Ampel="gruen", Status="geplant"),
        project_row(4, Ampel="GELB", Status="pausiert", **{"Begründung Ampel": "Verzug"}),
    ]
    result = _validate(csv_bytes(records))
    assert result.problems == []
    assert result.frame["traffic_light"].tolist() == ["green", "green", "green", "yellow"]
    assert result.frame["status"].tolist() == ["in_progress", "completed", "not_started", "paused"]


def test_every_problem_is_collected_with_row_id_column_and_value() -> None:
    records = [
        project_row(1),
        project_row(1, **{"Bezeichnung des Vorhabens": "Doppelt"}),  # duplicate id, row 3
        project_row(3, **{"Bezeichnung des Vorhabens": ""}),  # missing title, row 4
        project_row(4, Beginn="01.07.2025", **{"Ende (geplant)": "01.06.2025"}),  # row 5
        project_row(5, Status="in Klärung"),  # row 6
        project_row(6, Ampel="orange"),  # row 7
        project_row(7, **{"Budget in €": "-5.000,00"}),  # row 8
        project_row(8, **{"Budget in €": "ca. 50.000"}),  # row 9
        project_row(9, Fortschritt="120 %"),  # row 10
        project_row(10, **{"Betroffene Leistungen (LeiKa)": "9905001210400"}),  # row 11
        project_row(11, Ampel="rot"),  # row 12: red without reason → warning
    ]
    result = _validate(csv_bytes(records))
    errors = {(p.row, p.column, p.value) for p in result.errors}
    assert errors == {
        (3, "Vorhaben-Nr.", "T-001"),
        (4, "Bezeichnung des Vorhabens", ""),
        (5, "Ende (geplant)", "01.06.2025"),
        (6, "Status", "in Klärung"),
        (7, "Ampel", "orange"),
        (8, "Budget in €", "-5.000,00"),
        (9, "Budget in €", "ca. 50.000"),
        (10, "Fortschritt", "120 %"),
        (11, "Betroffene Leistungen (LeiKa)", "9905001210400"),
    }
    assert [(p.row, p.column) for p in result.warnings] == [(12, "Ampel")]
    by_row = {p.row: p for p in result.errors}
    assert by_row[6].project_id == "T-005"
    assert "Unbekannter Wert für Status" in by_row[6].message
    assert by_row[9].message.startswith("Kein gültiger Betrag")


def test_light_without_reason_is_an_error_in_strict_mode() -> None:
    result = _validate(csv_bytes([project_row(1, Ampel="gelb")]), strict=True)
    assert [p.column for p in result.errors] == ["Ampel"]


def test_typed_excel_cells_validate_like_text() -> None:
    records = [project_row(1), project_row(2, Fortschritt="100 %")]
    result = _validate(xlsx_bytes(records, title_rows=["Titel"]), name="t.xlsx")
    assert result.problems == []
    assert result.frame["progress_pct"].tolist() == [40.0, 100.0]
    assert result.frame["budget"].tolist() == [120000.0, 120000.0]
    assert result.frame["source_row"].tolist() == [3, 4]


def test_confidential_costs_stay_a_state() -> None:
    record = project_row(1, **{"Budget in €": "vertraulich", "Ist-Kosten in €": "vertraulich"})
    result = _validate(csv_bytes([record]))
    assert result.problems == []
    assert result.frame["cost_reporting_status"].iloc[0] == "confidential"
    assert result.frame["budget"].isna().iloc[0]


def test_rows_of_another_authority_are_refused() -> None:
    record = {**project_row(1), "Behörde": "BA Mitte"}
    result = _validate(csv_bytes([record]))
    assert [p.column for p in result.errors] == ["Behörde"]
