"""What the upload page says between the check and "übernehmen": a list of another authority
(warning and an explicit confirmation), content already stored, and German wording that fits
the kind (singular/plural, no traffic light or costs for the E-Akte)."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from store import connection as db
from tests.app.test_submit import APP, XLSX, _eakte_csv, _metrics, _open
from tests.builders import xlsx_bytes
from tests.unit.loaders.test_validation_report import corrected_project_list, corrected_records

CONFIRM = "Meldung übernehmen"


def _confirm_buttons(at: AppTest) -> list:
    return [b for b in at.button if b.label.startswith(CONFIRM)]


def _pankow_projects() -> int:
    row = (
        db.cursor()
        .execute(
            "SELECT count(*) FROM submission WHERE authority_id = 'ba-pankow' "
            "AND period_id = '2026-Q3' AND kind = 'projects'"
        )
        .fetchone()
    )
    return int(row[0]) if row else 0


def test_a_list_of_another_authority_is_warned_and_needs_a_confirmation(demo_db: Path) -> None:
    records = corrected_records()
    for n, record in enumerate(records):
        record["Vorhaben-Nr."] = f"BA-Mitte-2026-{n:03d}"  # BA Mitte's list, uploaded by Pankow
    at = _open()
    at.file_uploader[0].set_value(("mitte.xlsx", xlsx_bytes(records, typed=False), XLSX)).run()
    assert not at.exception, at.exception
    assert _metrics(at)["Fehler"] == "0"  # a warning, not an error
    warnings = [w.value for w in at.warning if "gehört anscheinend nicht" in w.value]
    assert len(warnings) == 1 and "BA Mitte" in warnings[0] and "12 von 12" in warnings[0]
    report = next(d for d in at.dataframe if "Meldung" in d.value.columns)
    assert report.proto.placeholder == "–"  # the file-level finding has no row: no "None"
    (button,) = _confirm_buttons(at)
    assert button.disabled
    own = [c for c in at.checkbox if c.label.startswith("Ich habe die Datei geprüft")]
    assert len(own) == 1 and "BA Pankow" in own[0].label
    assert _pankow_projects() == 0
    own[0].check().run()
    (button,) = _confirm_buttons(at)
    assert not button.disabled
    button.click().run()
    assert not at.exception, at.exception
    assert _pankow_projects() == 1


def test_an_identical_re_upload_is_named_before_anything_is_confirmed(demo_db: Path) -> None:
    at = _open()
    at.file_uploader[0].set_value(("pankow.xlsx", corrected_project_list(), XLSX)).run()
    assert not [i for i in at.info if "bereits gespeichert" in i.value]
    _confirm_buttons(at)[0].click().run()
    assert not at.exception, at.exception
    number = db.cursor().execute("SELECT max(id) FROM submission").fetchone()[0]

    at = _open(AppTest.from_file(APP, default_timeout=60))
    at.file_uploader[0].set_value(("pankow_nochmal.xlsx", corrected_project_list(), XLSX)).run()
    assert not at.exception, at.exception
    notes = [i.value for i in at.info if "bereits gespeichert" in i.value]
    assert notes == [
        f"Dieser Inhalt ist bereits gespeichert (Meldung Nr. {number}); eine Übernahme würde "
        "nichts Neues speichern. Laden Sie eine geänderte Datei hoch, wenn sich etwas "
        "geändert hat."
    ]
    assert _metrics(at)["unverändert"] == "12"
    assert _confirm_buttons(at) == []  # nothing to confirm
    assert _pankow_projects() == 1


def test_check_summary_uses_singular_and_plural(demo_db: Path) -> None:
    records = corrected_records()  # one yellow light with reason: no finding at all
    records[2].update({"Ampel": "rot", "Begründung Ampel": ""})  # one warning
    at = _open()
    at.file_uploader[0].set_value(("eins.xlsx", xlsx_bytes(records, typed=False), XLSX)).run()
    assert [s.label for s in at.status] == ["„eins.xlsx“ geprüft: 0 Fehler, 1 Hinweis"]


def test_e_akte_preview_counts_only_what_an_e_akte_status_has(demo_db: Path) -> None:
    at = _open()
    at.selectbox(key="submit_kind").set_value("eakte").run()
    data = _eakte_csv(["BA Pankow;produktiv;01.04.2024;15.05.2024;848;848"])
    at.file_uploader[0].set_value(("eakte.csv", data, "text/csv")).run()
    assert not at.exception, at.exception
    summaries = [c.value for c in at.caption if c.value.startswith("Davon mit")]
    assert len(summaries) == 1, [c.value for c in at.caption]
    assert "Terminen" in summaries[0]
    assert "Ampel" not in summaries[0] and "Kosten" not in summaries[0]


def test_template_texts_fit_every_kind(demo_db: Path) -> None:
    at = _open(role="admin")
    at.selectbox(key="submit_kind").set_value("services").run()
    at.selectbox(key="submit_authority").set_value("ba-charlottenburg-wilmersdorf").run()
    assert not at.exception, at.exception
    assert at.checkbox(key="submit_prefill").label == (
        "Mit den Angaben der neuesten Meldung vorbefüllen"
    )
    captions = [c.value for c in at.caption]
    assert (
        "Für BA Charlottenburg-Wilmersdorf liegt noch keine Meldung „Stand der Onlinedienste“ "
        "vor: Die Vorlage ist leer." in captions
    ), captions
    assert not [c for c in captions if "keine Stand" in c]
