"""A project list that evidently belongs to another authority is flagged (a warning, not an
error), and legitimate lists — ids without a prefix, a few taken-over projects — are not."""

from __future__ import annotations

from pathlib import Path

import pytest

from loaders.errors import Problem
from loaders.fields import PROJECT_FIELDS
from loaders.guard import guard
from loaders.header import map_table
from loaders.ingest import commit, prepare
from loaders.projects import FOREIGN_LIST, foreign_list_problem, validate_projects
from loaders.readers import read_sheets
from store import connection as db
from store.identity import Identity
from tests.builders import csv_bytes, project_row, xlsx_bytes

MITTE_KEYS = {"bamitte", "bezirksamtmitte"}
MITTE = Identity(name="Koordination Mitte", role="coordinator", authority_id="ba-mitte")


def _finding(records: list[dict[str, str]], *, own: set[str] = MITTE_KEYS) -> Problem | None:
    data = csv_bytes(records)
    sheets = read_sheets(guard(name="t.csv", data=data, max_bytes=10_000_000), max_rows=1000)
    table = map_table(sheets, fields=PROJECT_FIELDS, file_name="t.csv")
    result = validate_projects(table, authority_keys=own, strict_light_reason=False)
    found = [p for p in result.problems if p.field == FOREIGN_LIST]
    assert len(found) <= 1  # one finding per file, never one per row
    assert foreign_list_problem(result.problems) == (found[0] if found else None)
    return found[0] if found else None


def _ids(prefixes: list[str]) -> list[dict[str, str]]:
    return [
        project_row(n, **{"Vorhaben-Nr.": f"{p}-2025-{n:03d}"} if p else {"Vorhaben-Nr.": f"{n}"})
        for n, p in enumerate(prefixes, start=1)
    ]


def test_all_ids_of_another_authority_give_one_warning_naming_it() -> None:
    found = _finding(_ids(["SenFin"] * 14))
    assert found is not None
    assert found.severity == "warning"
    assert found.row is None and found.column == "Vorhaben-Nr." and found.value == "SenFin"
    assert "14 von 14 Vorhaben-Nummern beginnen mit dem Kürzel „SenFin“" in found.message


def test_prefix_is_matched_by_short_name_or_id_however_written() -> None:
    found = _finding(_ids(["BA-Pankow", "ba_pankow", "BA Pankow"]))
    assert found is not None and found.value == "BA Pankow"


@pytest.mark.parametrize(
    "prefixes",
    [
        ["BA-Mitte"] * 10,  # own prefix
        ["BA-Mitte"] * 9 + ["SenFin"],  # one project taken over from SenFin
        ["BA-Mitte"] * 5 + ["SenFin"] * 5,  # as many own as foreign: not evident
        [""] * 10,  # no prefix at all
        [""] * 6 + ["SenFin"] * 4,  # a minority of foreign ids among unprefixed ones
        ["V"] * 10,  # a prefix that is no authority's name
    ],
    ids=["own", "one-taken-over", "half", "unprefixed", "minority", "no-authority"],
)
def test_legitimate_lists_are_not_flagged(prefixes: list[str]) -> None:
    assert _finding(_ids(prefixes)) is None


def test_mostly_foreign_ids_among_unprefixed_ones_are_flagged() -> None:
    found = _finding(_ids([""] * 3 + ["LAGeSo"] * 7))
    assert found is not None and "7 von 10" in found.message and found.value == "LAGeSo"


def test_the_submitting_authority_is_never_foreign_to_itself() -> None:
    assert _finding(_ids(["SenFin"] * 5), own={"senfin", "senatsverwaltungfuerfinanzen"}) is None


def test_e_mail_domains_of_another_authority_are_evidence_too() -> None:
    records = [project_row(n, **{"E-Mail": f"p{n}@projekt.senfin.berlin.de"}) for n in range(1, 5)]
    found = _finding(records)
    assert found is not None and found.value == "SenFin"
    assert "4 von 4 E-Mail-Adressen gehören zu „SenFin“" in found.message
    own_mail = [project_row(n, **{"E-Mail": f"p{n}@ba-mitte.berlin.de"}) for n in range(1, 5)]
    assert _finding(own_mail) is None


def test_the_senfin_sample_shape_is_flagged_for_ba_mitte_but_still_accepted(
    empty_db: Path,
) -> None:
    """The sample the tester uploaded as BA Mitte, rebuilt in code: title rows naming SenFin,
    SenFin ids, SenFin e-mails. The upload is not rejected (a warning never blocks)."""
    records = [
        project_row(
            n,
            **{
                "Vorhaben-Nr.": f"SenFin-202{4 + n % 3}-{n:03d}",
                "E-Mail": f"projekt{n}@senfin.berlin.de",
            },
        )
        for n in range(1, 15)
    ]
    data = xlsx_bytes(
        records,
        title_rows=[
            "Digitalisierungsvorhaben Senatsverwaltung für Finanzen – Stand 30.09.2026",
            "Meldung zur Berichtsperiode 2026-Q3",
        ],
        blank_rows_after_title=1,
    )
    prepared = prepare(
        data=data,
        file_name="senfin_vorhaben_2026-Q3.xlsx",
        kind="projects",
        authority="ba-mitte",
        period="2026-Q3",
        identity=MITTE,
    )
    found = foreign_list_problem(prepared.problems)
    assert found is not None and found.severity == "warning" and found.value == "SenFin"
    assert "14 von 14 Vorhaben-Nummern" in found.message
    assert "14 von 14 E-Mail-Adressen" in found.message
    assert prepared.errors == []
    assert commit(prepared, identity=MITTE).outcome == "accepted"
    stored = db.cursor().execute("SELECT count(*) FROM submission").fetchone()
    assert stored == (1,)
    entry = (
        db.cursor()
        .execute(
            "SELECT detail->>'foreign_list' FROM audit_log WHERE action = 'submission_accepted'"
        )
        .fetchone()
    )
    assert entry == ("SenFin",)  # the coordinator confirmed a list marked as another's


def test_an_authority_renamed_by_an_admin_is_known_by_its_new_short_name(empty_db: Path) -> None:
    from store.reference import update_authority

    admin = Identity(name="Datenpflege", role="admin")
    update_authority(
        identity=admin,
        authority_id="senfin",
        name="Senatsverwaltung für Finanzen und Haushalt",
        short_name="SenFinH",
        expected_to_report=True,
    )
    records = [project_row(n, **{"Vorhaben-Nr.": f"SenFinH-2026-{n:03d}"}) for n in range(1, 6)]
    prepared = prepare(
        data=csv_bytes(records),
        file_name="vorhaben.csv",
        kind="projects",
        authority="ba-mitte",
        period="2026-Q3",
        identity=MITTE,
    )
    found = foreign_list_problem(prepared.problems)
    assert found is not None and found.value == "SenFinH"
