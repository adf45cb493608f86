"""The authorities' sample files (in the shared design folder, if present) through the CLI path."""

from __future__ import annotations

from pathlib import Path

import pytest

from loaders.ingest import ingest
from store import connection as db
from store.identity import SYSTEM

SAMPLES = Path(__file__).resolve().parents[3].parent / "shared" / "samples"
pytestmark = pytest.mark.skipif(not SAMPLES.is_dir(), reason="sample files not available")


def _ingest(name: str, authority: str):
    return ingest(
        data=(SAMPLES / name).read_bytes(),
        file_name=name,
        kind="projects",
        authority=authority,
        period="2026-Q3",
        identity=SYSTEM,
    )


def test_samples_accept_reject_and_repeat(empty_db: Path) -> None:
    senfin = _ingest("senfin_vorhaben_2026-Q3.xlsx", "SenFin")
    assert senfin.outcome == "accepted" and senfin.row_count == 14
    mitte = _ingest("ba-mitte_vorhaben_2026-Q3.csv", "BA Mitte")
    assert mitte.outcome == "accepted" and mitte.row_count == 17
    stored = db.cursor().execute("SELECT count(*) FROM project_report").fetchone()[0]

    pankow = _ingest("ba-pankow_vorhaben_fehlerhaft.xlsx", "BA Pankow")
    assert pankow.outcome == "rejected"
    found = {(p.row, p.column) for p in pankow.errors}
    assert found == {
        (7, "Vorhaben-Nr."),  # duplicate id
        (8, "Bezeichnung des Vorhabens"),  # missing title
        (9, "Ende (geplant)"),  # end before start
        (10, "Status"),  # "in Klärung"
        (11, "Budget in €"),  # negative
        (12, "Budget in €"),  # "ca. 50.000"
        (13, "Ampel"),  # "orange"
        (14, "Fortschritt"),  # 120 %
        (16, "Betroffene Leistungen (LeiKa)"),  # 13 digits
    }
    assert (15, "Ampel") in {(p.row, p.column) for p in pankow.warnings}  # red, no reason
    assert db.cursor().execute("SELECT count(*) FROM project_report").fetchone()[0] == stored

    again = _ingest("senfin_vorhaben_2026-Q3.xlsx", "senfin")
    assert again.outcome == "already_present"
