"""Page "Prüfung & Freigabe": admins see incoming submissions and move them draft → checked →
published with a comment; the overview counts a submission once it is published."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from kpi.overview import headline
from loaders.ingest import ingest
from store import connection as db
from store.identity import Identity
from tests.unit.loaders.test_validation_report import corrected_project_list
from ui.navigation import pages_for

APP = str(Path(__file__).resolve().parents[2] / "app.py")
PAGE = "pages/pruefung.py"


def _draft() -> int:
    result = ingest(
        data=corrected_project_list(),
        file_name="pankow_2026-Q3.xlsx",
        kind="projects",
        authority="ba-pankow",
        period="2026-Q3",
        identity=Identity(name="Koordination Pankow", role="coordinator", authority_id="ba-pankow"),
    )
    assert result.outcome == "accepted" and result.submission_id is not None
    return result.submission_id


def _open(at: AppTest | None = None) -> AppTest:
    at = at or AppTest.from_file(APP, default_timeout=60)
    at.session_state["demo_role"] = "admin"
    at.run()
    if not at.title or at.title[0].value != "Prüfung & Freigabe":
        at.switch_page(PAGE).run()
    assert not at.exception, at.exception
    assert at.title[0].value == "Prüfung & Freigabe"
    return at


def _status(submission_id: int) -> str:
    row = (
        db.cursor()
        .execute("SELECT review_status FROM submission WHERE id = ?", [submission_id])
        .fetchone()
    )
    return str(row[0])


def _button(at: AppTest, label: str):
    found = [b for b in at.button if b.label == label]
    assert len(found) == 1, [b.label for b in at.button]
    return found[0]


def test_only_admins_have_the_review_page() -> None:
    for role in ("public", "analyst", "coordinator"):
        assert PAGE not in {p.path for p in pages_for(role)}
    assert PAGE in {p.path for p in pages_for("admin")}


def test_check_and_publish_with_comment(demo_db: Path) -> None:
    at = _open()
    assert any("Keine Meldungen mit diesem Prüfstatus" in s.value for s in at.success)
    sid = _draft()
    published_before = headline(db.cursor(), period="2026-Q3")
    at = _open(at)

    queue = next(d.value for d in at.dataframe if "überholt" in d.value.columns)
    assert list(queue["Nr."]) == [sid]
    assert queue["Behörde"].iloc[0] == "BA Pankow"
    assert at.selectbox(key="review_choice").value == sid
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Status"] == "Entwurf"
    assert metrics["Zeilen"] == "12"
    assert "neu" in metrics and "geändert" in metrics  # change against the published state

    at.text_area(key=f"review_comment_{sid}").input("Plausibel, Ampeln begründet.")
    _button(at, "Als geprüft markieren").click().run()
    assert _status(sid) == "checked"
    at = _open(at)
    events = next(d.value for d in at.dataframe if "Kommentar" in d.value.columns)
    assert list(events["Kommentar"]) == ["Plausibel, Ampeln begründet."]
    assert headline(db.cursor(), period="2026-Q3") == published_before

    _button(at, "Veröffentlichen").click().run()
    assert _status(sid) == "published"
    after = headline(db.cursor(), period="2026-Q3")
    assert after["authorities_reported"] == published_before["authorities_reported"] + 1
    assert after["projects"] == published_before["projects"] + 12
    actions = [
        r[0]
        for r in db.cursor()
        .execute("SELECT action FROM audit_log WHERE submission_id = ? ORDER BY id", [sid])
        .fetchall()
    ]
    assert actions == ["submission_accepted", "submission_checked", "submission_published"]

    # published submissions leave the default queue
    at = _open(at)
    assert any("Keine Meldungen mit diesem Prüfstatus" in s.value for s in at.success)


def test_a_step_back_without_comment_is_refused_on_the_page(demo_db: Path) -> None:
    sid = _draft()
    at = _open()
    _button(at, "Als geprüft markieren").click().run()
    at = _open(at)
    _button(at, "Zurück an Entwurf").click().run()
    assert any("Kommentar nötig" in e.value for e in at.error)
    assert _status(sid) == "checked"


def test_queue_table_is_exported_as_shown(demo_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import ui.export

    _draft()
    captured: dict[str, pd.DataFrame] = {}
    monkeypatch.setattr(
        ui.export, "table_downloads", lambda frame, **kw: captured.setdefault(kw["key"], frame)
    )
    at = _open()
    shown = next(d.value for d in at.dataframe if "überholt" in d.value.columns)
    pd.testing.assert_frame_equal(
        captured["review_queue_export"].reset_index(drop=True),
        shown.reset_index(drop=True),
        check_dtype=False,
    )


def test_review_status_filter_has_a_german_placeholder(demo_db: Path) -> None:
    """Cleared, Streamlit's default would read "Choose options"."""
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["demo_role"] = "admin"
    at.run()
    at.switch_page("pages/pruefung.py").run()
    assert not at.exception, at.exception
    assert at.multiselect(key="review_statuses").proto.placeholder == "Prüfstatus wählen …"
