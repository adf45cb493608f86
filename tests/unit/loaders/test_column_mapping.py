"""Column mapping for unknown headers: suggestions, confirmation rules, remembered per
authority and applied on the next upload without asking."""

from __future__ import annotations

from pathlib import Path

import pytest

from loaders.column_mapping import (
    check_choices,
    entries_for,
    inspect_headers,
    overrides_for,
    suggest_field,
)
from loaders.fields import PROJECT_FIELDS
from loaders.ingest import ingest
from store import connection as db
from store.identity import Identity
from store.review import ReviewRefused, remember_column_mapping, remembered_mapping
from tests.builders import csv_bytes

PANKOW = Identity(name="Koordination Pankow", role="coordinator", authority_id="ba-pankow")
MITTE = Identity(name="Koordination Mitte", role="coordinator", authority_id="ba-mitte")

# Headers an authority's own spreadsheet uses: three known, the rest not in the alias table.
OWN_HEADERS = (
    "Vorhaben-Nr.",
    "Projekttitl",  # typo of "Projekttitel"
    "Zustand",
    "Ampelfarbe",
    "Geplantes Projektende",
    "Interne Notiz",
)


def _own_file(*, rows: int = 3) -> bytes:
    records = [
        {
            "Vorhaben-Nr.": f"P-{n}",
            "Projekttitl": f"Vorhaben {n}",
            "Zustand": "in Umsetzung",
            "Ampelfarbe": "grün",
            "Geplantes Projektende": "31.12.2027",
            "Interne Notiz": "nur intern",
        }
        for n in range(1, rows + 1)
    ]
    return csv_bytes(records)


def test_suggestions_for_unknown_headers(empty_db: Path) -> None:
    inspection = inspect_headers(
        data=_own_file(), file_name="eigene.csv", kind="projects", remembered={}
    )
    by_header = {c.header: c for c in inspection.columns}

    assert by_header["Vorhaben-Nr."].source == "erkannt"
    assert by_header["Vorhaben-Nr."].field == "project_id"
    assert by_header["Projekttitl"].field == "title"
    assert by_header["Projekttitl"].source == "Vorschlag"
    assert by_header["Ampelfarbe"].field == "traffic_light"
    assert by_header["Geplantes Projektende"].field == "baseline_end"
    assert by_header["Interne Notiz"].field is None
    assert by_header["Interne Notiz"].source == "keiner"
    assert inspection.header_found is False  # only one header was known by its name
    assert inspection.needs_confirmation
    assert by_header["Zustand"].field == "status"  # contains the alias "Stand"
    assert inspection.missing_required == []


def test_each_field_is_suggested_once() -> None:
    assert suggest_field("Ampelfarbe", PROJECT_FIELDS)[0] == "traffic_light"
    assert suggest_field("xyz", PROJECT_FIELDS)[0] is None


def test_choices_are_checked_before_they_are_saved() -> None:
    duplicate = {"Projekttitl": "title", "Bezeichnung intern": "title"}
    assert any("zwei Spalten" in m for m in check_choices(duplicate, kind="projects"))
    # a header the alias table knows cannot be switched off by an override
    assert any("immer als" in m for m in check_choices({"Status": None}, kind="projects"))
    assert check_choices({"Projekttitl": "title", "Interne Notiz": None}, kind="projects") == []


def test_confirmed_mapping_is_remembered_and_used_next_time(empty_db: Path) -> None:
    choices = {
        "Vorhaben-Nr.": "project_id",
        "Projekttitl": "title",
        "Zustand": "status",
        "Ampelfarbe": "traffic_light",
        "Geplantes Projektende": "baseline_end",
        "Interne Notiz": None,
    }
    saved = remember_column_mapping(
        authority_id="ba-pankow", kind="projects", entries=entries_for(choices), identity=PANKOW
    )
    assert saved == 6
    remembered = remembered_mapping(db.cursor(), authority_id="ba-pankow", kind="projects")
    assert remembered["ampelfarbe"] == "traffic_light"
    assert remembered["internenotiz"] == ""

    again = inspect_headers(
        data=_own_file(), file_name="eigene.csv", kind="projects", remembered=remembered
    )
    assert not again.needs_confirmation
    assert {c.source for c in again.columns} == {"gespeichert"}

    result = ingest(
        data=_own_file(),
        file_name="eigene.csv",
        kind="projects",
        authority="ba-pankow",
        period="2026-Q3",
        identity=PANKOW,
        column_overrides=overrides_for(choices),
    )
    assert result.outcome == "accepted", [p.as_line() for p in result.problems]
    # the column left unused is kept but not evaluated: the only message is that warning
    assert [p.column for p in result.problems] == ["Interne Notiz"]
    assert result.row_count == 3

    # another authority does not inherit Pankow's mapping
    assert remembered_mapping(db.cursor(), authority_id="ba-mitte", kind="projects") == {}


def test_mapping_for_another_authority_is_refused_and_logged(empty_db: Path) -> None:
    with pytest.raises(ReviewRefused):
        remember_column_mapping(
            authority_id="ba-pankow",
            kind="projects",
            entries=entries_for({"Ampelfarbe": "traffic_light"}),
            identity=MITTE,
        )
    assert remembered_mapping(db.cursor(), authority_id="ba-pankow", kind="projects") == {}
    row = (
        db.cursor()
        .execute("SELECT actor, action, authority_id FROM audit_log ORDER BY id DESC LIMIT 1")
        .fetchone()
    )
    assert row == ("Koordination Mitte", "action_refused", "ba-pankow")


def test_known_headers_need_no_mapping_step(empty_db: Path) -> None:
    data = csv_bytes(
        [
            {
                "Vorhaben-Nr.": "A-1",
                "Bezeichnung des Vorhabens": "x",
                "Status": "laufend",
                "Ampel": "grün",
            }
        ]
    )
    inspection = inspect_headers(data=data, file_name="ok.csv", kind="projects", remembered={})
    assert inspection.header_found
    assert not inspection.needs_confirmation
    assert all(c.source == "erkannt" for c in inspection.columns)
