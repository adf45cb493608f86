"""Übersicht: the catalogue row of "Datenstand je Quelle" names the catalogue in force, and
the tables that were cut off at 1440 px get the full width (no side-by-side columns)."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from kpi.services import catalogue_info
from store import connection as db
from ui import format as fmt

APP = str(Path(__file__).resolve().parents[2] / "app.py")
PERIOD = "2026-Q3"


def test_sources_and_full_width_tables(demo_db: Path) -> None:
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["demo_role"] = "analyst"
    at.run()
    assert not at.exception, at.exception
    assert at.session_state["ctx"].period == PERIOD

    sources = next(d.value for d in at.dataframe if "Quelle" in d.value.columns)
    catalogue = sources.set_index("Quelle").loc["Leistungskatalog"]
    info = catalogue_info(db.cursor(), period=PERIOD)
    assert info is not None and info["services"] > 0
    assert catalogue["Periode"] == info["period"]  # 2025-Q3 in the demo, not the period shown
    assert catalogue["Zeilen"] == info["services"]
    assert catalogue["neueste Meldung"] == fmt.date(info["submitted_at"])
    assert sources.set_index("Quelle").loc["Vorhabenlisten", "Periode"] == PERIOD

    headers = [h.value for h in at.header]
    assert "Wichtigste Empfehlungen" in headers  # fits one line at 390 px
    # overdue projects and missing reports are no longer squeezed into half-width columns
    in_columns = {h.value for column in at.columns for h in column.header}
    assert {"Überfällige Vorhaben", "Fehlende Meldungen"} <= set(headers) - in_columns
    top = next(d.value for d in at.dataframe if "Empfehlung" in d.value.columns)
    assert list(top.columns) == ["Rang", "Dringlichkeit", "Empfehlung"]
