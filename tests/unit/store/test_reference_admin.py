"""Admins' changes of reference data (store.reference): validated, one transaction with its
audit entry and a data_version bump, never overwritten by the next start, and really moving
the Meldequote, the missing-report lists and the recommendations."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from kpi.overview import headline, reporting_status
from kpi.recommendations import recommendations
from kpi.reference_admin import authority_admin_table, due_date_periods, period_admin_table
from kpi.reporting import reporting_overview, reporting_rate
from loaders.setup import initialise
from store import connection as db
from store.identity import Identity
from store.reference import (
    ReferenceChangeRefused,
    add_authority,
    derive_authority_id,
    remove_authority,
    set_due_date,
    update_authority,
)

ADMIN = Identity(name="Datenpflege", role="admin")
ANALYST = Identity(name="Analyse", role="analyst")


def _authority(authority_id: str) -> tuple | None:
    return (
        db.cursor()
        .execute(
            "SELECT name, short_name, kind, parent_id, expected_to_report FROM authority "
            "WHERE id = ?",
            [authority_id],
        )
        .fetchone()
    )


def _audit(action: str) -> list[tuple]:
    return (
        db.cursor()
        .execute(
            "SELECT actor, role, authority_id, period_id, detail FROM audit_log "
            "WHERE action = ? ORDER BY id",
            [action],
        )
        .fetchall()
    )


def _count(table: str) -> int:
    return int(db.cursor().execute(f"SELECT count(*) FROM {table}").fetchone()[0])


def _due(period_id: str) -> date | None:
    row = (
        db.cursor()
        .execute("SELECT due_date FROM reporting_period WHERE id = ?", [period_id])
        .fetchone()
    )
    return row[0] if row else None


# --- surviving a restart -----------------------------------------------------------------------


def test_an_admins_edit_survives_initialise(empty_db: Path) -> None:
    update_authority(
        identity=ADMIN,
        authority_id="senfin",
        name="Senatsverwaltung für Finanzen (neu)",
        short_name="SenFin neu",
        expected_to_report=True,
    )
    update_authority(
        identity=ADMIN,
        authority_id="itdz",
        name="IT-Dienstleistungszentrum Berlin",
        short_name="ITDZ",
        expected_to_report=False,
    )
    set_due_date(identity=ADMIN, period_id="2026-Q3", due_date=date(2026, 11, 30))
    db.cursor().execute("UPDATE topic_area SET name = 'Bildung (umbenannt)' WHERE id = 'bildung'")

    initialise(demo=False)
    db.close()  # a real restart: a new process opens the file again
    initialise(demo=False)

    assert _authority("senfin")[:2] == ("Senatsverwaltung für Finanzen (neu)", "SenFin neu")
    assert _authority("itdz")[4] is False
    assert _due("2026-Q3") == date(2026, 11, 30)
    name = db.cursor().execute("SELECT name FROM topic_area WHERE id = 'bildung'").fetchone()
    assert name == ("Bildung (umbenannt)",)


def test_initialise_still_inserts_missing_reference_rows(empty_db: Path) -> None:
    before = _count("authority"), _count("topic_area")
    with db.write_transaction() as cur:
        cur.execute("DELETE FROM authority WHERE id = 'lea'")
        cur.execute("DELETE FROM topic_area WHERE id = 'umwelt'")
    initialise(demo=False)
    assert (_count("authority"), _count("topic_area")) == before
    assert _authority("lea") == ("Landesamt für Einwanderung", "LEA", "subordinate_agency",
                                 "seninnsport", True)  # fmt: skip


# --- adding --------------------------------------------------------------------------------------


def test_add_authority_writes_row_audit_and_bumps_data_version(empty_db: Path) -> None:
    version = db.data_version()
    result = add_authority(
        identity=ADMIN,
        name="Landesamt für Arbeitsschutz, Gesundheitsschutz und technische Sicherheit",
        short_name="LAGetSi",
        kind="subordinate_agency",
        parent_id="senasgiva",
    )
    assert result.changed and result.authority_id == "lagetsi"
    assert _authority("lagetsi") == (
        "Landesamt für Arbeitsschutz, Gesundheitsschutz und technische Sicherheit",
        "LAGetSi",
        "subordinate_agency",
        "senasgiva",
        True,
    )
    assert db.data_version() == version + 1
    [(actor, role, authority_id, _period, detail)] = _audit("authority_added")
    assert (actor, role, authority_id) == ("Datenpflege", "admin", "lagetsi")
    assert "Behörde angelegt: LAGetSi" in json.loads(detail)["change"]


def test_derived_ids_follow_the_code_style() -> None:
    assert derive_authority_id("BA Köpenick-Süd") == "ba-koepenick-sued"
    assert derive_authority_id("  LAGeSo ") == "lageso"


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"short_name": "LEA"}, "Den Kurznamen „LEA“ führt schon „LEA“"),
        ({"short_name": "ba mitte"}, "Den Kurznamen „ba mitte“ führt schon „BA Mitte“"),
        ({"authority_id": "labo"}, "Die Kennung „labo“ ist schon vergeben"),
        ({"short_name": "Neu", "name": "Bezirksamt Pankow"}, "Den Namen „Bezirksamt Pankow“"),
        ({"kind": "ministry"}, "Unbekannte Art „ministry“"),
        ({"authority_id": "Neu Amt!"}, "ist ungültig"),
        ({"name": "   "}, "Bitte den Namen der Behörde angeben."),
        ({"short_name": ""}, "Bitte einen Kurznamen angeben"),
        ({"parent_id": "gibtsnicht"}, "Die übergeordnete Behörde „gibtsnicht“ gibt es nicht."),
    ],
)
def test_invalid_new_authority_is_refused_in_german_and_writes_nothing(
    empty_db: Path, fields: dict[str, str], message: str
) -> None:
    args = {"name": "Neues Landesamt", "short_name": "NLA", "kind": "subordinate_agency"}
    args.update(fields)
    before = _count("authority"), _count("audit_log"), db.data_version()
    with pytest.raises(ReferenceChangeRefused) as refused:
        add_authority(identity=ADMIN, **args)
    assert message in refused.value.message
    assert (_count("authority"), _count("audit_log"), db.data_version()) == before


def test_only_admins_change_reference_data_and_refusals_are_logged(empty_db: Path) -> None:
    version = db.data_version()
    with pytest.raises(ReferenceChangeRefused, match="may not change reference data"):
        update_authority(
            identity=ANALYST,
            authority_id="itdz",
            name="ITDZ",
            short_name="ITDZ",
            expected_to_report=False,
        )
    with pytest.raises(ReferenceChangeRefused):
        set_due_date(identity=ANALYST, period_id="2026-Q3", due_date=date(2026, 12, 1))
    with pytest.raises(ReferenceChangeRefused):
        add_authority(identity=ANALYST, name="X-Amt", short_name="X", kind="state_enterprise")
    assert _authority("itdz")[4] is True
    assert _due("2026-Q3") is None
    assert _authority("x") is None
    refused = _audit("action_refused")
    assert [json.loads(r[4])["attempted"] for r in refused] == [
        "Behörde ändern",
        "Meldefrist ändern",
        "Behörde anlegen",
    ]
    assert db.data_version() == version  # refusals write the audit only


# --- editing -------------------------------------------------------------------------------------


def test_update_writes_a_readable_audit_entry(empty_db: Path) -> None:
    result = update_authority(
        identity=ADMIN,
        authority_id="itdz",
        name="IT-Dienstleistungszentrum Berlin",
        short_name="ITDZ Berlin",
        expected_to_report=False,
    )
    assert result.changed
    assert _authority("itdz")[1:] == ("ITDZ Berlin", "state_enterprise", "seninnsport", False)
    [(_actor, _role, authority_id, _period, detail)] = _audit("authority_changed")
    assert authority_id == "itdz"
    assert json.loads(detail)["change"] == (
        "ITDZ: Kurzname „ITDZ“ → „ITDZ Berlin“; meldet Vorhaben: ja → nein"
    )


def test_update_without_change_writes_nothing(empty_db: Path) -> None:
    version = db.data_version()
    result = update_authority(
        identity=ADMIN,
        authority_id="lea",
        name=" Landesamt  für Einwanderung ",
        short_name="LEA",
        expected_to_report=True,
    )
    assert not result.changed and "Keine Änderung" in result.message
    assert db.data_version() == version
    assert _audit("authority_changed") == []


def test_update_refuses_a_short_name_of_another_authority(empty_db: Path) -> None:
    with pytest.raises(ReferenceChangeRefused, match="Kurznamen „LABO“ führt schon"):
        update_authority(
            identity=ADMIN,
            authority_id="lea",
            name="Landesamt für Einwanderung",
            short_name="LABO",
            expected_to_report=False,
        )
    assert _authority("lea")[1:] == ("LEA", "subordinate_agency", "seninnsport", True)


# --- removing ------------------------------------------------------------------------------------


def test_remove_only_unused_authorities_added_by_admins(demo_db: Path) -> None:
    with pytest.raises(ReferenceChangeRefused, match="fest hinterlegten"):
        remove_authority(identity=ADMIN, authority_id="ba-pankow")
    add_authority(identity=ADMIN, name="Testamt", short_name="Testamt", kind="state_enterprise")
    assert _authority("testamt") is not None
    db.cursor().execute(
        "INSERT INTO submission (authority_id, period_id, kind, file_name, content_sha256, "
        "submitted_by, submitted_at, row_count) VALUES "
        "('testamt', '2026-Q3', 'projects', 'x.csv', 'abc', 'x', now(), 0)"
    )
    with pytest.raises(ReferenceChangeRefused, match="1 Meldungen"):
        remove_authority(identity=ADMIN, authority_id="testamt")
    assert _authority("testamt") is not None
    db.cursor().execute("DELETE FROM submission WHERE authority_id = 'testamt'")

    remove_authority(identity=ADMIN, authority_id="testamt")
    assert _authority("testamt") is None
    assert [r[2] for r in _audit("authority_removed")] == ["testamt"]


# --- due dates -----------------------------------------------------------------------------------


def test_due_date_before_the_period_start_is_refused(demo_db: Path) -> None:
    before = _due("2026-Q3")
    with pytest.raises(ReferenceChangeRefused) as refused:
        set_due_date(identity=ADMIN, period_id="2026-Q3", due_date=date(2026, 6, 30))
    assert refused.value.message.startswith(
        "Die Meldefrist 30.06.2026 liegt vor dem Beginn der Periode 2026-Q3 (01.07.2026)."
    )
    with pytest.raises(ReferenceChangeRefused, match="mehr als ein Jahr"):
        set_due_date(identity=ADMIN, period_id="2026-Q3", due_date=date(2062, 11, 11))
    with pytest.raises(ReferenceChangeRefused, match="keine Berichtsperiode"):
        set_due_date(identity=ADMIN, period_id="2026-Q5", due_date=date(2026, 11, 11))
    assert _due("2026-Q3") == before
    assert _audit("period_due_date_changed") == []


def test_due_date_change_and_new_period(demo_db: Path) -> None:
    assert _due("2026-Q3") == date(2026, 11, 11)  # six weeks after the end
    version = db.data_version()
    set_due_date(identity=ADMIN, period_id="2026-Q3", due_date=date(2026, 7, 1))
    set_due_date(identity=ADMIN, period_id="2027-Q1", due_date=date(2027, 5, 2))
    assert _due("2026-Q3") == date(2026, 7, 1)  # the period's first day is allowed
    assert _due("2027-Q1") == date(2027, 5, 2)
    assert db.data_version() == version + 2
    changes = [(r[3], json.loads(r[4])["change"]) for r in _audit("period_due_date_changed")]
    assert changes == [
        ("2026-Q3", "Meldefrist 2026-Q3: 11.11.2026 → 01.07.2026"),
        ("2027-Q1", "Periode 2027-Q1 angelegt, Meldefrist 02.05.2027 (regulär 12.05.2027)"),
    ]
    table = period_admin_table(db.cursor()).set_index("period_id")
    assert table.at["2027-Q1", "submissions"] == 0
    assert table.at["2026-Q3", "submissions"] > 0
    assert table.at["2026-Q3", "due_date"] != table.at["2026-Q3", "regular_due_date"]


def test_due_date_periods_offer_the_current_and_next_quarter() -> None:
    assert due_date_periods(["2026-Q3", "2026-Q2"], today=date(2026, 12, 3)) == [
        "2027-Q1",
        "2026-Q4",
        "2026-Q3",
        "2026-Q2",
    ]
    assert due_date_periods([], today=date(2026, 12, 31))[:1] == ["2027-Q1"]


# --- the figures follow --------------------------------------------------------------------------


def test_not_expected_authority_leaves_meldequote_and_missing_lists(demo_db: Path) -> None:
    cur = db.cursor()
    rate = reporting_rate(cur, period="2026-Q3")
    cards = headline(cur, period="2026-Q3")
    missing = set(reporting_status(cur, period="2026-Q3").query("~reported")["authority_id"])
    assert "laf" in missing  # late in the demo set

    update_authority(
        identity=ADMIN,
        authority_id="laf",
        name="Landesamt für Flüchtlingsangelegenheiten",
        short_name="LAF",
        expected_to_report=False,
    )
    cur = db.cursor()
    after = reporting_rate(cur, period="2026-Q3")
    assert after["expected"] == rate["expected"] - 1
    assert after["reported"] == rate["reported"]
    assert headline(cur, period="2026-Q3")["authorities_expected"] == (
        cards["authorities_expected"] - 1
    )
    assert "laf" not in set(reporting_status(cur, period="2026-Q3")["authority_id"])
    assert "laf" not in set(reporting_overview(cur, period="2026-Q3")["authority_id"])
    table = authority_admin_table(cur).set_index("authority_id")
    assert not table.at["laf", "expected_to_report"]
    assert table.at["laf", "submissions"] > 0  # its history stays


def _missing_report_subjects(today: date) -> set[str]:
    found = recommendations(db.cursor(), period="2026-Q3", today=today)
    rows = found.evidence.get("missing_report")
    return set() if rows is None else set(rows["authority_id"])


def test_recommendations_follow_expected_flag_and_due_date(demo_db: Path) -> None:
    today = date(2026, 11, 20)  # after the regular due date 11.11.2026
    assert {"laf", "ba-pankow"} <= _missing_report_subjects(today)

    update_authority(
        identity=ADMIN,
        authority_id="laf",
        name="Landesamt für Flüchtlingsangelegenheiten",
        short_name="LAF",
        expected_to_report=False,
    )
    subjects = _missing_report_subjects(today)
    assert "laf" not in subjects and "ba-pankow" in subjects

    set_due_date(identity=ADMIN, period_id="2026-Q3", due_date=date(2026, 11, 30))
    assert _missing_report_subjects(today) == set()  # not late before the new due date
