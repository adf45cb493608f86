"""Information requests: an authority's own data, a person's data, access checks, workbook."""

from __future__ import annotations

import io
from datetime import datetime
from pathlib import Path

import pandas as pd
import pytest

from kpi import personal_data
from loaders.errors import NotAllowed
from loaders.ingest import ingest
from store import connection as db
from store.identity import SYSTEM, Identity
from tests.builders import csv_bytes, project_row

PANKOW = Identity(name="Koordination Pankow", role="coordinator", authority_id="ba-pankow")
SPANDAU = Identity(name="Koordination Spandau", role="coordinator", authority_id="ba-spandau")
ANALYST = Identity(name="Ana Lyse", role="analyst")


def _upload(authority: str, identity: Identity, records: list[dict[str, str]]) -> int:
    result = ingest(
        data=csv_bytes(records),
        file_name=f"{authority}.csv",
        kind="projects",
        authority=authority,
        period="2026-Q2",
        identity=identity,
        submitted_at=datetime(2026, 7, 1, 10, 0),
    )
    assert result.outcome == "accepted", result.message
    return int(result.submission_id)


@pytest.fixture
def stored(empty_db: Path) -> dict[str, int]:
    pankow = _upload(
        "ba-pankow",
        PANKOW,
        [
            project_row(
                1,
                **{"Ansprechperson": "Erika Muster (Projektleitung)", "E-Mail": "e.muster@x.de"},
            ),
            project_row(2, **{"Ansprechperson": '=HYPERLINK("http://x")', "E-Mail": ""}),
        ],
    )
    spandau = _upload(
        "ba-spandau",
        SPANDAU,
        [project_row(1, **{"Ansprechperson": "Max Beispiel", "E-Mail": "E.Muster@x.de"})],
    )
    return {"pankow": pankow, "spandau": spandau}


def test_coordinator_gets_own_authority_data_with_contacts(stored: dict[str, int]) -> None:
    sheets = personal_data.authority_data(db.cursor(), identity=PANKOW, authority_id="ba-pankow")

    assert list(sheets)[0] == "Meldungen" and "Protokoll" in sheets
    submissions = sheets["Meldungen"]
    assert submissions["Meldung"].tolist() == [stored["pankow"]]
    assert submissions["eingereicht von"].tolist() == ["Koordination Pankow"]

    projects = sheets["Vorhaben"]
    assert set(projects["Meldung"]) == {stored["pankow"]}  # nothing of BA Spandau
    assert projects["Ansprechperson"].tolist() == [
        "Erika Muster (Projektleitung)",
        '=HYPERLINK("http://x")',
    ]
    assert "E-Mail" in projects.columns and "Berichtsperiode" in projects.columns

    audit = sheets["Protokoll"]
    assert len(audit) >= 1 and set(audit["Behörde"]) == {"ba-pankow"}


def test_admin_may_request_any_authority(stored: dict[str, int]) -> None:
    sheets = personal_data.authority_data(db.cursor(), identity=SYSTEM, authority_id="ba-spandau")
    assert sheets["Vorhaben"]["Ansprechperson"].tolist() == ["Max Beispiel"]


@pytest.mark.parametrize("identity", [SPANDAU, ANALYST], ids=["other-coordinator", "analyst"])
def test_others_are_refused_and_the_refusal_is_audited(
    stored: dict[str, int], identity: Identity
) -> None:
    with pytest.raises(NotAllowed) as refused:
        personal_data.authority_data(db.cursor(), identity=identity, authority_id="ba-pankow")
    assert "eigene Behörde" in refused.value.message
    row = (
        db.cursor()
        .execute(
            "SELECT actor, detail FROM audit_log WHERE action = 'action_refused' ORDER BY id DESC"
        )
        .fetchone()
    )
    assert row is not None and row[0] == identity.name and "ba-pankow" in row[1]


def test_person_search_finds_contact_and_submitter(stored: dict[str, int]) -> None:
    by_email = personal_data.person_data(db.cursor(), identity=SYSTEM, email=" e.muster@X.de ")
    contacts = by_email["Ansprechperson"]
    # the e-mail matches in both authorities' lists, whatever its case
    assert sorted(contacts["Behörde"]) == ["ba-pankow", "ba-spandau"]
    assert "Meldungen" not in by_email  # a search by e-mail has no submitter name

    by_name = personal_data.person_data(db.cursor(), identity=SYSTEM, name="erika muster")
    assert by_name["Ansprechperson"]["Behörde"].tolist() == ["ba-pankow"]  # part of the field
    by_submitter = personal_data.person_data(
        db.cursor(), identity=SYSTEM, name="Koordination Pankow"
    )
    assert by_submitter["Meldungen"]["Meldung"].tolist() == [stored["pankow"]]
    assert len(by_submitter["Protokoll"]) >= 1
    assert by_submitter["Ansprechperson"].empty


def test_person_search_is_for_admins_and_needs_a_criterion(stored: dict[str, int]) -> None:
    with pytest.raises(NotAllowed):
        personal_data.person_data(db.cursor(), identity=PANKOW, name="Erika Muster")
    with pytest.raises(ValueError):
        personal_data.person_data(db.cursor(), identity=SYSTEM, name="  ")


def test_workbook_has_info_and_data_sheets_and_no_formulas(stored: dict[str, int]) -> None:
    sheets = personal_data.authority_data(db.cursor(), identity=PANKOW, authority_id="ba-pankow")
    data = personal_data.to_xlsx(
        sheets,
        title="Auskunft BA Pankow",
        exported_by=PANKOW.name,
        exported_at=datetime(2026, 7, 2),
    )
    book = pd.read_excel(io.BytesIO(data), sheet_name=None, engine="calamine")
    assert list(book)[0] == "Info" and {"Meldungen", "Vorhaben", "Protokoll"} <= set(book)
    info = dict(zip(book["Info"].iloc[:, 0], book["Info"].iloc[:, 1], strict=False))
    assert info.get("Exportiert von") == PANKOW.name
    # written as text, not as a formula (a formula cell would read back as its result)
    assert '=HYPERLINK("http://x")' in book["Vorhaben"]["Ansprechperson"].tolist()
