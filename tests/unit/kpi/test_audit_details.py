"""The Protokoll's "Details" are short German text, translated at display time from the JSON
the writers store (which stays as it is); unknown keys get a neutral, labelled fallback."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from kpi.access import log_export
from kpi.audit import ACTION_LABELS, audit_entries, detail_text, log_file_refusal
from loaders.ingest import ingest
from store import connection as db
from store.identity import Identity
from store.review import change_review_status
from tests.builders import csv_bytes, project_row, rows

ADMIN = Identity(name="Admin", role="admin")
PANKOW = Identity(name="Koordination Pankow", role="coordinator", authority_id="ba-pankow")
# "key: value" with an English key, as the page showed before (``rows: 0``, ``kind: projects``)
RAW_KEY = re.compile(r"(^|; |· )[a-z_]+: ")


def _text(action: str, detail: dict[str, object]) -> str:
    return detail_text(action, json.dumps(detail, ensure_ascii=False))


@pytest.mark.parametrize(
    ("action", "detail", "expected"),
    [
        (
            "export",
            {
                "what": "Lagebericht 2026-Q3",
                "rows": 0,
                "format": "pdf",
                "filters": {"Berichtsperiode": "2026-Q3", "Meldungen": "nur veröffentlichte"},
            },
            "„Lagebericht 2026-Q3“ · PDF · Filter: Berichtsperiode 2026-Q3, "
            "Meldungen nur veröffentlichte",
        ),
        (
            "export",
            {"what": "Vorhaben nach Gruppe und Ampel", "rows": 0, "format": "png", "filters": {}},
            "„Vorhaben nach Gruppe und Ampel“ · PNG-Grafik",
        ),
        (
            "export",
            {"what": "Vorhaben", "rows": 363, "format": "csv", "filters": {"Periode": "2026-Q3"}},
            "„Vorhaben“ · 363 Zeilen · CSV · Filter: Periode 2026-Q3",
        ),
        (
            "submission_checked",
            {"kind": "projects", "from": "draft", "to": "checked", "comment": None},
            "Vorhabenliste · Entwurf → geprüft",
        ),
        (
            "submission_accepted",
            {"file": "a.csv", "kind": "projects", "rows": 17, "warnings": 2, "supersedes": 225},
            "Datei „a.csv“ · Vorhabenliste · 17 Zeilen · 2 Hinweise · ersetzt Meldung Nr. 225",
        ),
        (
            "submission_accepted",
            {"file": "a.csv", "kind": "eakte", "rows": 1, "warnings": 1, "collection": True},
            "Datei „a.csv“ · E-Akte-Stand · 1 Zeile · 1 Hinweis · Sammeldatei",
        ),
        (
            "submission_accepted",
            {"file": "s.xlsx", "kind": "projects", "rows": 14, "foreign_list": "SenFin"},
            "Datei „s.xlsx“ · Vorhabenliste · 14 Zeilen · Liste mit Kennzeichen von „SenFin“ "
            "bestätigt",
        ),
        (
            "submission_rejected",
            {"file": "b.xlsx", "kind": "projects", "errors": 9, "other_authority_rows": 0},
            "Datei „b.xlsx“ · Vorhabenliste · 9 Fehler",
        ),
        (
            "submission_rejected",
            {"file": "b.xlsx", "kind": "projects", "errors": 3, "other_authority_rows": 2},
            "Datei „b.xlsx“ · Vorhabenliste · 3 Fehler · 2 Zeilen einer anderen Behörde",
        ),
        (
            "action_refused",
            {"attempted": "read audit log", "required": ["admin"]},
            "Versuch: Protokoll lesen · erlaubt für: Datenverantwortung (CDO-Büro)",
        ),
        (
            "action_refused",
            {"file": "k.csv", "reason": "coordinator Kim may not submit kind catalog"},
            "Datei „k.csv“ · Grund: Rolle Digitalisierungskoordination darf "
            "„Leistungskatalog“ nicht einreichen",
        ),
        (
            "action_refused",
            {"file": "x.csv", "reason": "not allowed to submit"},
            "Datei „x.csv“ · Grund: keine Berechtigung für diese Behörde",
        ),
        (
            "file_refused",
            {"file": "bild.xlsx", "reason": "„bild.xlsx“ ist ein Bild (PNG), keine Tabelle."},
            "Datei „bild.xlsx“ · Grund: „bild.xlsx“ ist ein Bild (PNG), keine Tabelle.",
        ),
        (
            "column_mapping_saved",
            {"kind": "projects", "columns": {"Lfd. Nr.": "project_id", "Notiz": None}},
            "Vorhabenliste · 1 Spalte zugeordnet, 1 nicht ausgewertet",
        ),
        (
            "recommendation_dismissed",
            {
                "key": "overdue:ba-mitte",
                "rule": "overdue",
                "reason": "geklärt",
                "fingerprint": "ab",
            },
            "Regel „overdue“ · Begründung: „geklärt“",
        ),
    ],
)
def test_known_details_read_as_german(action: str, detail: dict[str, object], expected: str):
    assert _text(action, detail) == expected


def test_unknown_keys_are_shown_neutrally_not_dropped() -> None:
    text = _text("something_new", {"kind": "projects", "batch_size": 3, "dry": True})
    assert text == "Vorhabenliste · weitere Angabe (batch_size): 3 · weitere Angabe (dry): ja"
    assert detail_text("x", None) == ""
    assert detail_text("x", "kein JSON") == "weitere Angabe: kein JSON"


def test_entries_written_by_the_real_writers_read_as_german(empty_db: Path) -> None:
    """Every writer the tester saw on the page, through the code that writes it, then read
    back as the Protokoll reads it: German text, the stored JSON unchanged."""
    first = ingest(
        data=csv_bytes(rows(3)),
        file_name="pankow.csv",
        kind="projects",
        authority="ba-pankow",
        period="2026-Q3",
        identity=PANKOW,
    )
    second = ingest(
        data=csv_bytes([*rows(2), project_row(3, Ampel="rot")]),  # red, no reason: warning
        file_name="pankow2.csv",
        kind="projects",
        authority="ba-pankow",
        period="2026-Q3",
        identity=PANKOW,
    )
    assert (first.outcome, second.outcome) == ("accepted", "accepted")
    ingest(
        data=csv_bytes([project_row(1, Status="in Klärung")]),
        file_name="falsch.csv",
        kind="projects",
        authority="ba-pankow",
        period="2026-Q3",
        identity=PANKOW,
    )
    change_review_status(
        submission_id=int(second.submission_id or 0), to_status="checked", identity=ADMIN
    )
    log_export(  # what ui.export logs for a chart: no row count
        ADMIN,
        what="Ampel laut Meldung und berechnet",
        rows=None,
        file_format="svg",
        filters={"filters": {"Berichtsperiode": "2026-Q3"}},
    )
    log_file_refusal(
        PANKOW,
        authority_id="ba-pankow",
        period="2026-Q3",
        file_name="bild.xlsx",
        reason="„bild.xlsx“ ist ein Bild (PNG), keine Tabelle.",
    )
    entries = audit_entries(db.cursor(), identity=ADMIN)
    shown = dict(zip(entries["action"], entries["detail_text"], strict=False))  # newest wins
    assert shown["submission_checked"] == "Vorhabenliste · Entwurf → geprüft"
    assert shown["export"] == "„Ampel laut Meldung und berechnet“ · SVG-Grafik · Filter: " + (
        "Berichtsperiode 2026-Q3"
    )
    assert "Zeilen" not in shown["export"]  # a chart has no rows; "0 Zeilen" would be false
    exported = entries[entries["action"] == "export"]["detail"].iloc[0]
    assert "rows" not in json.loads(exported)  # not stored as 0 either
    assert shown["submission_rejected"] == "Datei „falsch.csv“ · Vorhabenliste · 1 Fehler"
    assert shown["file_refused"].startswith("Datei „bild.xlsx“ · Grund: „bild.xlsx“ ist ein Bild")
    accepted = entries[entries["action"] == "submission_accepted"]["detail_text"].tolist()
    assert accepted == [
        f"Datei „pankow2.csv“ · Vorhabenliste · 3 Zeilen · 1 Hinweis · "
        f"ersetzt Meldung Nr. {first.submission_id}",
        "Datei „pankow.csv“ · Vorhabenliste · 3 Zeilen · keine Hinweise",
    ]
    for text in entries["detail_text"]:
        assert not RAW_KEY.search(text), text
    stored = json.loads(entries[entries["action"] == "submission_checked"]["detail"].iloc[0])
    assert stored["from"] == "draft" and stored["to"] == "checked"  # the JSON is untouched
    assert set(entries["action"]) <= set(ACTION_LABELS)


def test_reference_data_changes_read_as_german(empty_db: Path) -> None:
    from datetime import date

    from store.reference import add_authority, set_due_date, update_authority

    add_authority(
        identity=ADMIN,
        name="Bezirksamt Testhausen",
        short_name="BA Testhausen",
        kind="district_office",
    )
    update_authority(
        identity=ADMIN,
        authority_id="itdz",
        name="IT-Dienstleistungszentrum Berlin",
        short_name="ITDZ",
        expected_to_report=False,
    )
    set_due_date(identity=ADMIN, period_id="2026-Q3", due_date=date(2026, 11, 30))
    entries = audit_entries(db.cursor(), identity=ADMIN)
    assert set(entries["action"]) >= {"authority_added", "authority_changed"}
    assert set(entries["action"]) <= set(ACTION_LABELS)
    for text in entries["detail_text"]:
        assert text and "weitere Angabe" not in text and not RAW_KEY.search(text), text
