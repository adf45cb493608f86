"""The Excel template: structure (lists, formats, table) and the round trip generate → fill by
code → ingest with not a single message."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from kpi.submissions import comparison_submission, submission_rows
from loaders.enums import PROGRAMME_LABELS, STATUS_LABELS, TRAFFIC_LIGHT_LABELS
from loaders.ingest import ingest, prepare
from loaders.preview import compare
from loaders.template import (
    INSTRUCTIONS_SHEET,
    LIST_SHEET,
    TemplateInfo,
    build_template,
    template_fields,
)
from store import connection as db
from store.identity import Identity

COORDINATOR = Identity(name="Koordination Pankow", role="coordinator", authority_id="ba-pankow")
INFO = TemplateInfo(
    authority_name="Bezirksamt Pankow", period="2026-Q3", created_at=dt.datetime(2026, 10, 1, 9, 0)
)


def _book(data: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(data))


def test_template_has_instructions_data_table_and_hidden_lists() -> None:
    book = _book(build_template("projects", info=INFO))

    assert book.sheetnames == [INSTRUCTIONS_SHEET, "Vorhaben", LIST_SHEET]
    assert book[LIST_SHEET].sheet_state == "hidden"
    assert book.active.title == "Vorhaben"
    sheet = book["Vorhaben"]
    headers = [c.value for c in sheet[1]]
    assert headers == [f.label for f in template_fields("projects")]
    assert "Behörde" not in headers  # chosen on upload, not per row
    assert sheet.freeze_panes == "B2"
    table = sheet.tables["Meldung_projects"]
    assert table.ref.startswith("A1:")
    instructions = "\n".join(
        str(c.value) for row in book[INSTRUCTIONS_SHEET].iter_rows() for c in row if c.value
    )
    assert "Bezirksamt Pankow" in instructions and "2026-Q3" in instructions
    assert "Pflicht" in instructions


def test_every_enumerated_field_has_a_drop_down_from_the_list_sheet() -> None:
    book = _book(build_template("projects", info=INFO))
    sheet = book["Vorhaben"]
    lists = book[LIST_SHEET]
    column_of = {c.value: c.column_letter for c in sheet[1]}
    list_values = {
        lists.cell(1, col).value: [
            lists.cell(r, col).value
            for r in range(2, lists.max_row + 1)
            if lists.cell(r, col).value
        ]
        for col in range(1, lists.max_column + 1)
    }
    validations = {str(dv.sqref).split(":")[0]: dv for dv in sheet.data_validations.dataValidation}
    for label, expected in (
        ("Status", STATUS_LABELS),
        ("Ampel", TRAFFIC_LIGHT_LABELS),
        ("Programm / Kategorie", PROGRAMME_LABELS),
    ):
        dv = validations[f"{column_of[label]}2"]
        assert dv.type == "list"
        assert dv.formula1.startswith(f"{LIST_SHEET}!$")
        assert dv.errorStyle in (None, "stop")  # "stop" is the default and left out
        assert dv.showErrorMessage
        assert list_values[label] == list(expected.values())
    date_dv = validations[f"{column_of['Beginn']}2"]
    assert date_dv.type == "date"
    assert validations[f"{column_of['Fortschritt in %']}2"].type == "decimal"
    assert validations[f"{column_of['Risiko (1–5)']}2"].type == "whole"


def _column_format(sheet: object, column: int) -> str:
    """The number format a cell typed into this column gets (column default style)."""
    for dim in sheet.column_dimensions.values():  # type: ignore[attr-defined]
        if dim.min <= column <= dim.max:
            return str(dim.number_format)
    return "General"


def test_cell_formats_for_dates_money_and_text_keys() -> None:
    sheet = _book(build_template("projects", info=INFO))["Vorhaben"]
    column_of = {c.value: c.column for c in sheet[1]}
    assert _column_format(sheet, column_of["Beginn"]).lower() == "dd.mm.yyyy"
    assert _column_format(sheet, column_of["Ende (Prognose)"]).lower() == "dd.mm.yyyy"
    assert "#,##0.00" in _column_format(sheet, column_of["Budget in €"])
    assert _column_format(sheet, column_of["Betroffene Leistungen (LeiKa)"]) == "@"
    assert _column_format(sheet, column_of["Vorhaben-Nr."]) == "@"
    assert _column_format(sheet, column_of["Fortschritt in %"]) == '0 "%"'


def _fill(data: bytes, records: list[dict[str, object]]) -> bytes:
    """Type values into the template the way a user does in Excel (openpyxl keeps the
    table, the lists and the validations)."""
    book = _book(data)
    sheet = book["Vorhaben"]
    column_of = {c.value: c.column for c in sheet[1]}
    for r, record in enumerate(records, start=2):
        for label, value in record.items():
            sheet.cell(r, column_of[label], value)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


RECORDS: list[dict[str, object]] = [
    {
        "Vorhaben-Nr.": "PAN-2026-001",
        "Bezeichnung des Vorhabens": "Digitale Gewerbeanmeldung",
        "Ziel": "Anträge vollständig online",
        "Programm / Kategorie": "Onlinedienst (OZG)",
        "Themenfeld": "Unternehmensführung & -entwicklung",
        "Status": "in Umsetzung",
        "Phase": "Umsetzung",
        "Ampel": "gelb",
        "Begründung Ampel": "Lieferverzug Dienstleister",
        "Risiko (1–5)": 3,
        "Beginn": dt.datetime(2025, 3, 1),
        "Beginn (Ist)": dt.datetime(2025, 4, 1),
        "Ende (ursprünglich geplant)": dt.datetime(2026, 12, 31),
        "Ende (geplant)": dt.datetime(2027, 3, 31),
        "Ende (Prognose)": dt.datetime(2027, 6, 30),
        "Budget ursprünglich in €": 250000,
        "Budget in €": 280000.5,
        "Kostenprognose in €": 300000,
        "Ist-Kosten in €": 120000.25,
        "Fortschritt in %": 45,
        "EfA-Typ": "EfA-Nachnutzung",
        "Betroffene Leistungen (LeiKa)": "99108011000000; 99108012000000",
        "OZG-ID": "10045",
        "Finanzierung": "OZG-Mittel",
        "Ansprechperson": "Projektbüro",
        "E-Mail": "projekt@ba-pankow.berlin.de",
        "Bemerkungen": "Pilot im Bürgeramt",
    },
    {
        "Vorhaben-Nr.": "PAN-2026-002",
        "Bezeichnung des Vorhabens": "Einführung E-Akte",
        "Programm / Kategorie": "E-Akte",
        "Status": "abgeschlossen",
        "Ampel": "grün",
        "Beginn": dt.datetime(2023, 1, 1),
        "Ende (geplant)": dt.datetime(2025, 12, 31),
        "Ende (Ist)": dt.datetime(2025, 11, 30),
        "Budget in €": "vertraulich",
        "Fortschritt in %": 100,
        "Betroffene Leistungen (LeiKa)": "nicht im LeiKa",
    },
    {
        "Vorhaben-Nr.": "PAN-2026-003",
        "Bezeichnung des Vorhabens": "WLAN-Ausbau Dienstgebäude",
        "Programm / Kategorie": "Infrastruktur / Basisdienst",
        "Status": "nicht begonnen",
        "Ampel": "rot",
        "Begründung Ampel": "Ausschreibung verzögert",
        "Beginn": dt.datetime(2026, 10, 1),
        "Ende (geplant)": dt.datetime(2027, 9, 30),
        "Budget in €": 80000,
        "Fortschritt in %": 0,
    },
]


def test_template_filled_by_code_ingests_without_a_single_message(empty_db: Path) -> None:
    filled = _fill(build_template("projects", info=INFO), RECORDS)

    result = ingest(
        data=filled,
        file_name="vorlage_ausgefuellt.xlsx",
        kind="projects",
        authority="ba-pankow",
        period="2026-Q3",
        identity=COORDINATOR,
    )

    assert result.outcome == "accepted", [p.as_line() for p in result.problems]
    assert result.problems == []
    assert result.row_count == 3
    rows = submission_rows(db.cursor(), submission_id=result.submission_id, kind="projects")
    first = rows.set_index("project_id").loc["PAN-2026-001"]
    assert first["traffic_light"] == "yellow" and first["status"] == "in_progress"
    assert float(first["budget"]) == 280000.5
    assert float(first["progress_pct"]) == 45.0
    assert list(first["leika_keys"]) == ["99108011000000", "99108012000000"]
    assert pd.Timestamp(first["forecast_end"]).date() == dt.date(2027, 6, 30)
    second = rows.set_index("project_id").loc["PAN-2026-002"]
    assert second["cost_reporting_status"] == "confidential"
    assert list(second["leika_keys"]) == []


def test_every_drop_down_value_is_accepted_by_the_validation(empty_db: Path) -> None:
    records = []
    n = 0
    for status in STATUS_LABELS.values():
        for light in TRAFFIC_LIGHT_LABELS.values():
            for programme in PROGRAMME_LABELS.values():
                n += 1
                records.append(
                    {
                        "Vorhaben-Nr.": f"X-{n:03d}",
                        "Bezeichnung des Vorhabens": f"Vorhaben {n}",
                        "Status": status,
                        "Ampel": light,
                        "Begründung Ampel": "" if light == "grün" else "Begründung",
                        "Programm / Kategorie": programme,
                    }
                )
    filled = _fill(build_template("projects", info=INFO), records)
    prepared = prepare(
        data=filled,
        file_name="alle_werte.xlsx",
        kind="projects",
        authority="ba-pankow",
        period="2026-Q3",
        identity=COORDINATOR,
    )
    assert prepared.problems == []
    assert len(prepared.frame) == len(STATUS_LABELS) * 3 * len(PROGRAMME_LABELS)


@pytest.mark.parametrize("authority_id", ["ba-pankow", "polizei"])
def test_prefilled_template_reproduces_the_current_submission(
    demo_db: Path, authority_id: str
) -> None:
    """Updating means editing: the prefilled template ingests for the next period without a
    message and, unedited, changes nothing (the Polizei keeps its costs confidential)."""
    cur = db.cursor()
    base = comparison_submission(cur, authority_id=authority_id, period="2026-Q3", kind="projects")
    assert base is not None
    stored = submission_rows(cur, submission_id=base["id"], kind="projects")
    data = build_template("projects", info=INFO, prefill=stored)

    admin = Identity(name="CDO", role="admin")
    result = ingest(
        data=data,
        file_name="vorlage_vorbefuellt.xlsx",
        kind="projects",
        authority=authority_id,
        period="2026-Q4",
        identity=admin,
    )

    assert result.outcome == "accepted", [p.as_line() for p in result.problems]
    assert result.problems == []
    again = submission_rows(db.cursor(), submission_id=result.submission_id, kind="projects")
    preview = compare(again, stored, kind="projects")
    assert preview.is_empty, preview.changes.head()
    assert preview.unchanged == len(stored)


def test_eakte_template_round_trip(empty_db: Path) -> None:
    book = _book(build_template("eakte", info=INFO))
    sheet = book.worksheets[1]
    column_of = {c.value: c.column for c in sheet[1]}
    labels = {f.name: f.label for f in template_fields("eakte")}
    sheet.cell(2, column_of[labels["status"]], "Rollout")
    sheet.cell(2, column_of[labels["workplaces_in_scope"]], 400)
    sheet.cell(2, column_of[labels["workplaces_live"]], 120)
    out = io.BytesIO()
    book.save(out)

    result = ingest(
        data=out.getvalue(),
        file_name="eakte.xlsx",
        kind="eakte",
        authority="ba-pankow",
        period="2026-Q3",
        identity=COORDINATOR,
    )
    assert result.outcome == "accepted", [p.as_line() for p in result.problems]
    assert result.problems == []
