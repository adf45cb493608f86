"""Exports of Vorhaben, Behörden and E-Akte state the real Datenstand: the receipt of the
newest report their figures rest on, as the Lagebericht defines it — not "unbekannt"
(review defect 6). The Behörden table and its export leave the budget empty where no amount
was reported (review defect 8)."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

import ui.export
from kpi.export import CSV_HEADER_LINE, CSV_META_LINES, ExportMeta
from kpi.report import collect
from kpi.reporting import data_freshness
from kpi.selection import Selection
from store import connection as db

APP = str(Path(__file__).resolve().parents[2] / "app.py")
PERIOD = "2026-Q3"


@pytest.fixture
def built(monkeypatch: pytest.MonkeyPatch) -> dict[str, Callable[[], bytes]]:
    """The file builders the download buttons of a page run hold, by title and format (a
    deferred download is built only on a click, which AppTest cannot make)."""
    builders: dict[str, Callable[[], bytes]] = {}
    original = ui.export._deferred

    def recording(make: Any, **kwargs: Any) -> Callable[[], bytes]:
        run = original(make, **kwargs)
        builders[f"{kwargs['title']}|{kwargs['fmt']}"] = run
        return run

    monkeypatch.setattr(ui.export, "_deferred", recording)
    return builders


def _page(page: str, *, authority: str | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["demo_role"] = "analyst"
    at.run()
    at = at.switch_page(page).run()
    if authority is not None:  # the sidebar filter "Behörde"
        at.multiselect(key="behoerde").set_value([authority]).run()
    assert not at.exception, at.exception
    return at


def _csv_meta(content: bytes) -> dict[str, str]:
    lines = content.decode("utf-8-sig").splitlines()[:CSV_META_LINES]
    return dict(line.split(";", 1) for line in lines)


def _xlsx_meta(content: bytes) -> dict[str, str]:
    sheet = openpyxl.load_workbook(io.BytesIO(content))["Info"]
    return {row[0]: row[1] for row in sheet.iter_rows(values_only=True)}


def _stamp(value: Any) -> str:
    return ExportMeta(title="", as_of=value).as_of_text()


def _newest(kinds: tuple[str, ...], selection: Selection | None = None) -> Any:
    fresh = data_freshness(db.cursor(), period=PERIOD, selection=selection)
    return fresh.loc[fresh["kind"].isin(kinds), "newest_received"].max()


def test_vorhaben_export_states_the_lagebericht_datenstand(
    demo_db: Path, built: dict[str, Callable[[], bytes]]
) -> None:
    _page("pages/vorhaben.py")
    lagebericht = collect(db.cursor(), period=PERIOD).as_of
    assert lagebericht is not None
    expected = f"{_stamp(lagebericht)} (neueste berücksichtigte Meldung: Vorhabenlisten)"
    title = f"Vorhaben alle Vorhaben {PERIOD}"
    assert _csv_meta(built[f"{title}|csv"]())["Datenstand"] == expected
    assert _xlsx_meta(built[f"{title}|xlsx"]())["Datenstand"] == expected
    # the charts of the page (PNG/SVG through ui.charts) carry the same stamp
    assert any(key.endswith("|png") for key in built)


def test_filtered_exports_state_the_newest_report_of_the_selection(
    demo_db: Path, built: dict[str, Callable[[], bytes]]
) -> None:
    _page("pages/vorhaben.py", authority="ba-mitte")
    own = _newest(("projects",), Selection(authorities=("ba-mitte",)))
    assert own != _newest(("projects",))  # BA Mitte did not send the newest list
    meta = _csv_meta(built[f"Vorhaben alle Vorhaben {PERIOD}|csv"]())
    assert meta["Datenstand"].startswith(_stamp(own) + " (")


def test_behoerden_and_eakte_exports_state_their_datenstand(
    demo_db: Path, built: dict[str, Callable[[], bytes]]
) -> None:
    at = _page("pages/behoerden.py")
    content = built[f"Behördenvergleich {PERIOD}|csv"]()
    meta = _csv_meta(content)
    # review defect 8 on screen and in the file: no reported amount, no budget (not 0 €)
    shown = at.dataframe[0].value.set_index("Behörde")
    assert shown.loc["Polizei", "Kosten n. gem./vertr."] == shown.loc["Polizei", "Vorhaben"] > 0
    assert pd.isna(shown.loc["Polizei", "Budget in €"])
    assert pd.isna(shown.loc["BA Pankow", "Budget in €"])  # sent no list
    assert at.dataframe[0].proto.placeholder == "–"  # shown as a dash, not "None"
    rows = pd.read_csv(
        io.BytesIO(content), sep=";", skiprows=CSV_HEADER_LINE, dtype=str, keep_default_na=False
    ).set_index("Behörde")
    assert rows.loc["Polizei", "Budget in €"] == rows.loc["BA Pankow", "Budget in €"] == ""
    assert rows.loc["SenFin", "Budget in €"] not in ("", "0")
    assert meta["Datenstand"] == (
        f"{_stamp(_newest(('projects', 'eakte')))} (neueste berücksichtigte Meldung: "
        "Vorhabenlisten, E-Akte-Stand)"
    )
    built.clear()
    _page("pages/e-akte.py")
    meta = _xlsx_meta(built[f"E-Akte je Behörde {PERIOD}|xlsx"]())
    assert meta["Datenstand"] == (
        f"{_stamp(_newest(('eakte',)))} (neueste berücksichtigte Meldung: E-Akte-Stand)"
    )


def test_a_selection_without_reports_says_so(
    demo_db: Path, built: dict[str, Callable[[], bytes]]
) -> None:
    at = _page("pages/behoerden.py", authority="ba-pankow")  # late for 2026-Q3
    assert not at.exception
    meta = _csv_meta(built[f"Behördenvergleich {PERIOD}|csv"]())
    assert meta["Datenstand"] == "keine Meldung in der Auswahl"


def test_overview_and_recommendation_exports_state_their_datenstand(
    demo_db: Path, built: dict[str, Callable[[], bytes]], monkeypatch: pytest.MonkeyPatch
) -> None:
    import kpi.export

    kinds = ("projects", "eakte", "services")
    newest = _newest(kinds)
    _page("pages/uebersicht.py")
    charts = [key for key in built if key.endswith("|svg")]
    assert charts  # the page's chart downloads (no tables of its own)
    made: list[ExportMeta] = []
    real = kpi.export.ExportMeta

    def recording(**kwargs: Any) -> ExportMeta:
        made.append(real(**kwargs))
        return made[-1]

    monkeypatch.setattr(kpi.export, "ExportMeta", recording)
    built[charts[0]]()
    assert made and made[-1].as_of_text() == _stamp(newest)
    assert "Vorhabenlisten" in (made[-1].as_of_note or "")
    built.clear()
    monkeypatch.setattr(kpi.export, "ExportMeta", real)
    _page("pages/empfehlungen.py")
    tables = [key for key in built if key.endswith("|csv")]
    assert tables
    for key in tables:
        assert _csv_meta(built[key]())["Datenstand"].startswith(_stamp(newest) + " ("), key
