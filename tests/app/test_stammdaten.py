"""Page "Stammdaten": admins see every authority with its submissions, edit one, add one and
set a period's due date; invalid input gives a German message and changes nothing."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from streamlit.testing.v1 import AppTest

from kpi.reporting import reporting_rate
from store import connection as db
from ui.navigation import pages_for

APP = str(Path(__file__).resolve().parents[2] / "app.py")
PAGE = "pages/stammdaten.py"


def _open(at: AppTest | None = None) -> AppTest:
    at = at or AppTest.from_file(APP, default_timeout=60)
    at.session_state["demo_role"] = "admin"
    at.run()
    if not at.title or at.title[0].value != "Stammdaten":
        at.switch_page(PAGE).run()
    assert not at.exception, at.exception
    assert at.title[0].value == "Stammdaten"
    return at


def _button(at: AppTest, label: str):
    found = [b for b in at.button if b.label == label]
    assert len(found) == 1, [b.label for b in at.button]
    return found[0]


def _table(at: AppTest, column: str):
    return next(d.value for d in at.dataframe if column in d.value.columns)


def _texts(elements) -> list[str]:
    """Messages as the user reads them (the page escapes Markdown with backslashes)."""
    return [e.value.replace("\\", "") for e in elements]


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


def test_only_admins_have_the_page() -> None:
    for role in ("public", "analyst", "coordinator"):
        assert PAGE not in {p.path for p in pages_for(role)}
    assert PAGE in {p.path for p in pages_for("admin")}


def test_table_and_marking_an_authority_as_not_reporting(demo_db: Path) -> None:
    at = _open()
    authorities = _table(at, "meldet Vorhaben").set_index("Kennung")
    count = int(db.cursor().execute("SELECT count(*) FROM authority").fetchone()[0])
    assert len(authorities) == count
    assert authorities.at["lea", "übergeordnete Behörde"] == "SenInnSport"
    assert authorities.at["lea", "Art"] == "nachgeordnete Behörde"
    assert authorities.at["ba-mitte", "meldet Vorhaben"] == "ja"
    mitte = db.cursor().execute("SELECT count(*) FROM submission WHERE authority_id = 'ba-mitte'")
    assert authorities.at["ba-mitte", "Meldungen"] == mitte.fetchone()[0] > 0
    assert all(m.help for m in at.metric)

    expected_before = reporting_rate(db.cursor(), period="2026-Q3")["expected"]
    at.selectbox(key="stammdaten_authority").set_value("laf").run()
    at.checkbox(key="authority_expected_laf").uncheck()
    _button(at, "Änderungen speichern").click().run()
    assert not at.exception, at.exception
    assert _authority("laf")[4] is False
    assert any("meldet Vorhaben: ja → nein" in s for s in _texts(at.success))
    assert _table(at, "meldet Vorhaben").set_index("Kennung").at["laf", "meldet Vorhaben"] == (
        "nein"
    )
    assert reporting_rate(db.cursor(), period="2026-Q3")["expected"] == expected_before - 1


def test_invalid_edit_shows_german_error_and_changes_nothing(demo_db: Path) -> None:
    at = _open()
    at.selectbox(key="stammdaten_authority").set_value("lea").run()
    at.text_input(key="authority_short_lea").input("LABO")
    _button(at, "Änderungen speichern").click().run()
    assert not at.exception, at.exception
    assert any("Kurznamen „LABO“ führt schon" in e for e in _texts(at.error))
    assert _authority("lea")[1] == "LEA"


def test_add_authority_through_the_form(demo_db: Path) -> None:
    at = _open()
    at.text_input(key="new_short_0").input("LAGetSi")
    at.text_input(key="new_name_0").input("Landesamt für Arbeitsschutz")
    at.selectbox(key="new_kind_0").set_value("subordinate_agency")
    at.selectbox(key="new_parent_0").set_value("senasgiva")
    _button(at, "Behörde anlegen").click().run()
    assert not at.exception, at.exception
    assert _authority("lagetsi") == (
        "Landesamt für Arbeitsschutz",
        "LAGetSi",
        "subordinate_agency",
        "senasgiva",
        True,
    )
    assert any("LAGetSi" in s and "angelegt" in s for s in _texts(at.success))
    assert at.text_input(key="new_short_1").value == ""  # the form is empty again
    # the new authority has no submissions and is not from the code list: it can be removed
    at.selectbox(key="stammdaten_authority").set_value("lagetsi").run()
    _button(at, "Endgültig löschen").click().run()
    assert _authority("lagetsi") is None


def test_due_date_change_and_refusal(demo_db: Path) -> None:
    at = _open()
    periods = _table(at, "Meldefrist").set_index("Periode")
    assert periods.at["2026-Q3", "eingegangene Meldungen"] > 0
    at.selectbox(key="stammdaten_period").set_value("2026-Q3").run()
    at.date_input(key="due_date_2026-Q3").set_value(date(2026, 6, 1))
    _button(at, "Meldefrist speichern").click().run()
    assert any("liegt vor dem Beginn der Periode 2026-Q3" in e for e in _texts(at.error))

    at.date_input(key="due_date_2026-Q3").set_value(date(2026, 11, 30))
    _button(at, "Meldefrist speichern").click().run()
    assert not at.exception, at.exception
    due = db.cursor().execute("SELECT due_date FROM reporting_period WHERE id = '2026-Q3'")
    assert due.fetchone()[0] == date(2026, 11, 30)
    periods = _table(at, "Meldefrist").set_index("Periode")
    assert periods.at["2026-Q3", "abweichend"] == "ja"


def test_empty_database_says_what_to_do(empty_db: Path) -> None:
    at = _open()
    assert any("Noch keine Berichtsperiode angelegt" in i for i in _texts(at.info))
    assert _table(at, "meldet Vorhaben")["Meldungen"].sum() == 0
