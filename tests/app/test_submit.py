"""Page "Daten einreichen" on a real DuckDB file: upload, validation report, column mapping,
preview, confirm, history and its exports."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from kpi.export import CSV_HEADER_LINE, ExportMeta, neutralise, to_csv, to_xlsx
from kpi.overview import headline
from store import connection as db
from tests.builders import csv_bytes
from tests.unit.loaders.test_validation_report import corrected_project_list, faulty_project_list

APP = str(Path(__file__).resolve().parents[2] / "app.py")
PAGE = "pages/einreichen.py"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _open(at: AppTest | None = None, *, role: str = "coordinator") -> AppTest:
    """Open the page as Pankow's coordinator (or an admin) in a new or existing session."""
    at = at or AppTest.from_file(APP, default_timeout=60)
    at.session_state["demo_role"] = role
    if role == "coordinator":
        at.session_state["demo_authority"] = "ba-pankow"
    at.run()
    if not at.title or at.title[0].value != "Daten einreichen":
        at.switch_page(PAGE).run()
    assert not at.exception, at.exception
    assert at.title[0].value == "Daten einreichen"
    return at


def _metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def _submissions() -> list[tuple[int, str, str, str]]:
    return (
        db.cursor()
        .execute(
            "SELECT id, file_name, review_status, submitted_by FROM submission "
            "WHERE authority_id = 'ba-pankow' AND period_id = '2026-Q3' ORDER BY id"
        )
        .fetchall()
    )


def test_coordinator_submits_for_own_authority_only(demo_db: Path) -> None:
    at = _open()
    kind = at.selectbox(key="submit_kind")
    assert kind.value == "projects"
    assert "Vorhabenliste" in kind.options and "Leistungskatalog" not in kind.options
    fixed = at.selectbox(key="submit_authority_fixed")
    assert fixed.disabled and fixed.value == "ba-pankow"
    assert at.selectbox(key="submit_period").value == "2026-Q3"
    labels = [b.label for b in at.get("download_button")]
    assert "Vorlage Vorhabenliste (.xlsx)" in labels
    assert at.checkbox(key="submit_prefill").value is True  # Pankow reported 2026-Q2


def test_faulty_file_gets_a_report_and_no_confirm_button(demo_db: Path) -> None:
    at = _open()
    at.file_uploader[0].set_value(("pankow_fehlerhaft.xlsx", faulty_project_list(), XLSX)).run()
    assert not at.exception, at.exception

    metrics = _metrics(at)
    assert metrics["Fehler"] == "9" and metrics["Hinweise"] == "1"
    report = _table(at, "Meldung")
    assert len(report) == 10
    assert set(report["Art"]) == {"Fehler", "Hinweis"}
    assert any("kann so nicht übernommen werden" in e.value for e in at.error)
    assert not [b for b in at.button if b.label.startswith("Meldung übernehmen")]
    downloads = [b.label for b in at.get("download_button")]
    assert "Prüfbericht mit markierten Zellen (.xlsx)" in downloads
    assert _submissions() == []
    rejected = (
        db.cursor()
        .execute(
            "SELECT count(*) FROM audit_log WHERE action = 'submission_rejected' "
            "AND authority_id = 'ba-pankow'"
        )
        .fetchone()
    )
    assert rejected == (1,)
    # a rerun does not log the same rejection again
    at.run()
    assert db.cursor().execute(
        "SELECT count(*) FROM audit_log WHERE action = 'submission_rejected'"
    ).fetchone() == (1,)


def _expected_preview(data: bytes):
    """The preview computed without the page, from the same stored rows."""
    from kpi.submissions import comparison_submission, submission_rows
    from loaders.ingest import prepare
    from loaders.preview import compare
    from store.identity import Identity

    prepared = prepare(
        data=data,
        file_name="x.xlsx",
        kind="projects",
        authority="ba-pankow",
        period="2026-Q3",
        identity=Identity(name="x", role="coordinator", authority_id="ba-pankow"),
    )
    cur = db.cursor()
    base = comparison_submission(cur, authority_id="ba-pankow", period="2026-Q3", kind="projects")
    old = submission_rows(cur, submission_id=base["id"], kind="projects")
    return compare(prepared.frame, old, kind="projects", baseline=base)


def _table(at: AppTest, column: str) -> pd.DataFrame:
    """The one table on the page that has ``column``."""
    found = [d.value for d in at.dataframe if column in d.value.columns]
    assert len(found) == 1, [list(d.value.columns) for d in at.dataframe]
    return found[0]


def test_corrected_file_preview_confirm_history(demo_db: Path) -> None:
    before = headline(db.cursor(), period="2026-Q3", include_unpublished=True)
    before_published = headline(db.cursor(), period="2026-Q3")
    at = _open()
    at.file_uploader[0].set_value(("pankow_korrigiert.xlsx", corrected_project_list(), XLSX)).run()
    assert not at.exception, at.exception

    metrics = _metrics(at)
    assert metrics["Fehler"] == "0" and metrics["Hinweise"] == "0"
    # compared with Pankow's 2026-Q2 list (no 2026-Q3 submission yet)
    expected = _expected_preview(corrected_project_list())
    assert expected.baseline["period_id"] == "2026-Q2"
    assert metrics["neu"] == str(len(expected.added)) and len(expected.added) > 0
    assert metrics["entfallen"] == str(len(expected.removed)) and len(expected.removed) > 0
    assert metrics["geändert"] == str(expected.changed_rows)
    assert any("Vorperiode 2026-Q2" in c.value for c in at.caption)
    confirm = [b for b in at.button if b.label == "Meldung übernehmen (12 Vorhaben)"]
    assert len(confirm) == 1

    confirm[0].click().run()
    stored = _submissions()
    assert [(s[1], s[2]) for s in stored] == [("pankow_korrigiert.xlsx", "draft")]
    assert stored[0][3] == "Demo Digitalisierungskoordination BA Pankow"

    assert at.title[0].value == "Daten einreichen"
    assert any(f"Meldung Nr. {stored[0][0]}" in s.value for s in at.success)
    assert any("Nicht veröffentlichte Meldungen einbeziehen" in c.value for c in at.caption)
    history = _table(at, "Kommentar der Prüfung")
    assert history["Nr."].iloc[0] == stored[0][0]
    assert history["Status"].iloc[0] == "Entwurf"
    # the overview counts the draft once unpublished submissions are included
    after = headline(db.cursor(), period="2026-Q3", include_unpublished=True)
    assert after["authorities_reported"] == before["authorities_reported"] + 1
    # published figures wait for the review
    assert headline(db.cursor(), period="2026-Q3") == before_published


def test_unknown_headers_lead_to_the_mapping_step_and_are_remembered(demo_db: Path) -> None:
    own = csv_bytes(
        [
            {
                "Vorhaben-Nr.": f"P-{n}",
                "Projekttitl": f"Vorhaben {n}",
                "Zustand": "in Umsetzung",
                "Ampelfarbe": "grün",
            }
            for n in (1, 2)
        ]
    )
    at = _open()
    at.file_uploader[0].set_value(("eigene_liste.csv", own, "text/csv")).run()
    assert not at.exception, at.exception
    assert any("Spaltenüberschriften" in w.value for w in at.warning)
    choosers = {s.label: s for s in at.selectbox if s.label.startswith("Spalte")}
    assert choosers["Spalte „Ampelfarbe“"].value == "traffic_light"
    assert not [b for b in at.button if b.label.startswith("Meldung übernehmen")]

    at.button[[b.label for b in at.button].index("Zuordnung bestätigen")].click().run()
    remembered = dict(
        db.cursor()
        .execute(
            "SELECT header_text, field_name FROM column_mapping WHERE authority_id = 'ba-pankow'"
        )
        .fetchall()
    )
    assert remembered["Ampelfarbe"] == "traffic_light"
    assert remembered["Projekttitl"] == "title"

    # the next upload of the same layout goes straight to the report and preview
    at = _open(AppTest.from_file(APP, default_timeout=60))
    at.file_uploader[0].set_value(("eigene_liste.csv", own, "text/csv")).run()
    assert not any("Spaltenüberschriften" in w.value for w in at.warning)
    assert _metrics(at)["Fehler"] == "0"
    assert [b for b in at.button if b.label == "Meldung übernehmen (2 Vorhaben)"]


def test_admin_may_submit_for_any_authority_and_publish_at_once(demo_db: Path) -> None:
    at = _open(role="admin")
    assert "Leistungskatalog" in at.selectbox(key="submit_kind").options
    at.selectbox(key="submit_authority").set_value("ba-pankow").run()
    at.file_uploader[0].set_value(("pankow.xlsx", corrected_project_list(), XLSX)).run()
    publish = [c for c in at.checkbox if c.label.startswith("Sofort veröffentlichen")]
    assert len(publish) == 1
    publish[0].check().run()
    before = headline(db.cursor(), period="2026-Q3")
    [b for b in at.button if b.label.startswith("Meldung übernehmen")][0].click().run()
    assert [s[2] for s in _submissions()] == ["published"]
    after = headline(db.cursor(), period="2026-Q3")
    assert after["authorities_reported"] == before["authorities_reported"] + 1


def test_history_export_holds_exactly_the_table_on_screen(
    demo_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The page hands ``ui.export.table_downloads`` the very frame it shows; that frame,
    exported and read back, has the same rows and columns; an injected formula file name
    stays text."""
    import ui.export
    from loaders.ingest import ingest
    from store.identity import Identity

    formula_name = '=HYPERLINK("http://example.invalid","klick").xlsx'
    result = ingest(
        data=corrected_project_list(),
        file_name=formula_name,
        kind="projects",
        authority="ba-pankow",
        period="2026-Q3",
        identity=Identity(name="x", role="coordinator", authority_id="ba-pankow"),
    )
    assert result.outcome == "accepted"

    captured: dict[str, Any] = {}

    def capture(frame: pd.DataFrame, **kwargs: Any) -> None:
        captured[kwargs["key"]] = (frame.copy(), kwargs)

    monkeypatch.setattr(ui.export, "table_downloads", capture)
    at = _open()
    on_screen = _table(at, "Kommentar der Prüfung")
    frame, kwargs = captured["submit_history_export"]
    pd.testing.assert_frame_equal(
        frame.reset_index(drop=True), on_screen.reset_index(drop=True), check_dtype=False
    )
    assert kwargs["filters"] == {"Behörde": "BA Pankow"}

    meta = ExportMeta(title=kwargs["title"], filters=kwargs["filters"])
    csv_back = pd.read_csv(
        io.BytesIO(to_csv(frame, meta=meta)),
        sep=";",
        decimal=",",
        skiprows=CSV_HEADER_LINE,
        encoding="utf-8-sig",
        keep_default_na=False,
    )
    assert list(csv_back.columns) == list(on_screen.columns)
    assert len(csv_back) == len(on_screen)
    assert list(csv_back["Nr."]) == list(on_screen["Nr."])
    assert list(csv_back["Datei"]) == [neutralise(n) for n in on_screen["Datei"]]
    assert csv_back["Datei"].iloc[0] == "'" + formula_name

    xlsx_back = pd.read_excel(io.BytesIO(to_xlsx(frame, meta=meta)), engine="calamine")
    assert list(xlsx_back.columns) == list(on_screen.columns)
    assert list(xlsx_back["Nr."]) == list(on_screen["Nr."])
    assert list(xlsx_back["Datei"]) == list(on_screen["Datei"])
    assert xlsx_back["Datei"].iloc[0] == formula_name


# --- validation report only when there is something to report ------------------------------


def test_report_is_built_only_for_files_with_findings(
    demo_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A clean file skips the xlsx report (most of a clean check's time); a faulty one gets
    it, with its download button."""
    import loaders.validation_report as validation_report

    built: list[str] = []
    real = validation_report.report_xlsx

    def counting(**kwargs: Any) -> bytes:
        built.append(kwargs["file_name"])
        return real(**kwargs)

    monkeypatch.setattr(validation_report, "report_xlsx", counting)
    at = _open()
    at.file_uploader[0].set_value(("sauber.xlsx", corrected_project_list(), XLSX)).run()
    assert not at.exception, at.exception
    assert _metrics(at)["Fehler"] == "0" and _metrics(at)["Hinweise"] == "0"
    assert built == []
    assert "Prüfbericht mit markierten Zellen (.xlsx)" not in [
        b.label for b in at.get("download_button")
    ]
    assert [b for b in at.button if b.label == "Meldung übernehmen (12 Vorhaben)"]

    at = _open(AppTest.from_file(APP, default_timeout=60))
    at.file_uploader[0].set_value(("fehlerhaft.xlsx", faulty_project_list(), XLSX)).run()
    assert built == ["fehlerhaft.xlsx"]
    assert "Prüfbericht mit markierten Zellen (.xlsx)" in [
        b.label for b in at.get("download_button")
    ]


# --- E-Akte collection file (several authorities in one file): admins only ------------------

EAKTE_HEADER = "Behörde;Status;Go-Live geplant;Go-Live ist;Arbeitsplätze gesamt;davon mit E-Akte"
EAKTE_ROWS = [
    "BA Mitte;Rollout;31.12.2026;;2.112;1.588",
    "Bezirksamt Pankow;produktiv;01.04.2024;15.04.2024;848;848",
    "SenFin;Pilot;30.06.2025;;1.685;1.576",
]
EAKTE_AUTHORITIES = ["ba-mitte", "ba-pankow", "senfin"]


def _eakte_csv(rows: list[str]) -> bytes:
    return ("\ufeff" + "\r\n".join([EAKTE_HEADER, *rows]) + "\r\n").encode("utf-8")


def _eakte_state() -> tuple[int, int, int, int]:
    """(E-Akte submissions, E-Akte rows, data version, rejections logged)."""
    cur = db.cursor()

    def one(sql: str) -> int:
        row = cur.execute(sql).fetchone()
        return int(row[0]) if row else 0

    return (
        one("SELECT count(*) FROM submission WHERE kind = 'eakte'"),
        one("SELECT count(*) FROM eakte_status"),
        db.data_version(),
        one("SELECT count(*) FROM audit_log WHERE action = 'submission_rejected'"),
    )


def _collection_page() -> AppTest:
    at = _open(role="admin")
    kinds = at.selectbox(key="submit_kind")
    assert "E-Akte-Stand: Sammeldatei (mehrere Behörden)" in kinds.options
    kinds.set_value("eakte_collection").run()
    at.selectbox(key="submit_period").set_value("2026-Q3").run()
    assert not at.exception, at.exception
    assert at.selectbox(key="submit_authority_collection").disabled
    return at


def test_admin_uploads_an_eakte_collection_one_submission_per_authority(demo_db: Path) -> None:
    cur = db.cursor()
    earlier = {
        str(r[0])
        for r in cur.execute(
            "SELECT DISTINCT authority_id FROM submission WHERE kind = 'eakte' "
            "AND period_id <= '2026-Q3'"
        ).fetchall()
    }
    assert set(EAKTE_AUTHORITIES) <= earlier  # so the preview compares, nothing is "neu"
    at = _collection_page()
    before = _eakte_state()  # after the first run: the app's start-up check writes once
    at.file_uploader[0].set_value(("eakte_sammlung.csv", _eakte_csv(EAKTE_ROWS), "text/csv")).run()
    assert not at.exception, at.exception
    metrics = _metrics(at)
    assert metrics["Fehler"] == "0" and metrics["Behörden"] == "3"
    assert metrics["neu"] == "0" and metrics["entfallen"] == "0"
    assert int(metrics["geändert"]) + int(metrics["unverändert"]) == 3
    assert any("jede Behörde der Datei" in c.value for c in at.caption)
    confirm = [b for b in at.button if b.label.startswith("Meldungen übernehmen")]
    assert [b.label for b in confirm] == ["Meldungen übernehmen (3 Behörden, je eine Meldung)"]
    assert _eakte_state() == before  # nothing stored before the confirmation

    confirm[0].click().run()
    assert not at.exception, at.exception
    stored = cur.execute(
        "SELECT s.authority_id, s.review_status, s.file_name, e.workplaces_in_scope, "
        "e.workplaces_live FROM submission s JOIN eakte_status e ON e.submission_id = s.id "
        "WHERE s.kind = 'eakte' AND s.id > (SELECT max(id) FROM submission WHERE kind = 'eakte' "
        "AND file_name <> 'eakte_sammlung.csv') ORDER BY s.authority_id"
    ).fetchall()
    assert stored == [
        ("ba-mitte", "draft", "eakte_sammlung.csv", 2112, 1588),
        ("ba-pankow", "draft", "eakte_sammlung.csv", 848, 848),
        ("senfin", "draft", "eakte_sammlung.csv", 1685, 1576),
    ]
    after = _eakte_state()
    assert after[:3] == (before[0] + 3, before[1] + 3, before[2] + 1)  # one transaction
    assert any("3 Meldungen" in s.value for s in at.success)
    history = _table(at, "Kommentar der Prüfung")
    assert set(history["Behörde"].head(3)) == {"BA Mitte", "BA Pankow", "SenFin"}

    # one bad row rejects the whole file; every problem names row, authority, column, value
    bad = [*EAKTE_ROWS]
    bad[1] = "Bezirksamt Pankow;produktiv;01.04.2024;15.04.2024;848;900"  # live > scope
    bad.append("Bezirksamt Atlantis;Pilot;;;10;1")  # unknown authority
    at = _collection_page()
    at.file_uploader[0].set_value(("eakte_fehler.csv", _eakte_csv(bad), "text/csv")).run()
    assert not at.exception, at.exception
    assert _metrics(at)["Fehler"] == "2"
    report = _table(at, "Meldung")
    assert list(report.columns) == ["Art", "Zeile", "Behörde", "Spalte", "Wert", "Meldung"]
    assert {(r.Zeile, r.Behörde, r.Spalte, r.Wert) for r in report.itertuples()} == {
        (3, "BA Pankow", "davon mit E-Akte", "900"),
        (5, "Bezirksamt Atlantis", "Behörde", "Bezirksamt Atlantis"),
    }
    assert any("für keine Behörde der Sammeldatei" in e.value for e in at.error)
    assert not [b for b in at.button if b.label.startswith("Meldungen übernehmen")]
    rejected = _eakte_state()
    assert rejected[:3] == after[:3]  # database unchanged
    assert rejected[3] == after[3] + 1  # only the rejection is logged


def test_coordinator_is_not_offered_a_collection(demo_db: Path) -> None:
    at = _open()
    options = at.selectbox(key="submit_kind").options
    assert "E-Akte-Stand" in options
    assert "E-Akte-Stand: Sammeldatei (mehrere Behörden)" not in options
