"""Online-Dienste: every table has its CSV/Excel buttons (ui.export, audited like on the
other pages) with exactly the rows shown and the active filters; filter boxes speak German."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from kpi.export import ExportMeta, to_xlsx

APP = str(Path(__file__).resolve().parents[2] / "app.py")
PAGE = "pages/online-dienste.py"


def _open(role: str = "analyst") -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["demo_role"] = role
    at.run()
    at.switch_page(PAGE).run()
    assert not at.exception, at.exception
    return at


@pytest.fixture
def captured(monkeypatch: pytest.MonkeyPatch) -> dict[str, tuple[pd.DataFrame, dict]]:
    import ui.export

    found: dict[str, tuple[pd.DataFrame, dict]] = {}

    def capture(frame: pd.DataFrame, **kwargs: Any) -> None:
        found[kwargs["key"]] = (frame.copy(), kwargs)

    monkeypatch.setattr(ui.export, "table_downloads", capture)
    return found


def _shown(at: AppTest, column: str) -> pd.DataFrame:
    """The first table on the page with this column (page order)."""
    return next(d.value for d in at.dataframe if column in d.value.columns)


def test_table_exports_and_german_placeholders(
    demo_db: Path, captured: dict[str, tuple[pd.DataFrame, dict]], monkeypatch: pytest.MonkeyPatch
) -> None:
    at = _open()
    # every table of the page hands its frame to ui.export.table_downloads …
    assert {
        "od_distribution_table",
        "od_trend_table",
        "od_services_table",
        "od_ozg_table",
        "od_new_online_table",
        "od_adoption_table",
        "od_sources_table",
    } <= set(captured)
    placeholders = {m.key: m.placeholder for m in at.multiselect if m.key.startswith("od_")}
    assert placeholders == {
        "od_themenfeld": "alle Themenfelder",
        "od_bereitsteller": "alle Bereitsteller",
        "od_reifegrad": "alle Reifegrade",
        "od_behoerde": "alle Behörden",
    }

    # … exactly as shown, with the active filters
    at.multiselect(key="od_reifegrad").set_value([3]).run()
    shown = _shown(at, "Reifegrad Berlin")  # the service table
    frame, kwargs = captured["od_services_table"]
    pd.testing.assert_frame_equal(frame, shown, check_dtype=False)
    assert set(frame["Reifegrad"]) == {3}
    assert kwargs["filters"]["Reifegrad"] == "3"
    assert kwargs["filters"]["Berichtsperiode"] == at.session_state["ctx"].period
    ozg, _ = captured["od_ozg_table"]
    pd.testing.assert_frame_equal(ozg, _shown(at, "Quote inkl. Bund/EfA"), check_dtype=False)
    distribution, dist_kwargs = captured["od_distribution_table"]
    assert list(distribution.columns)[0] == "Themenfeld"
    assert dist_kwargs["filters"]["Gliederung"] == "Themenfeld"
    # the 14-digit LeiKa key stays an identifier in Excel, not a number with separators
    book = to_xlsx(frame, meta=ExportMeta(title="t"), column_kinds=kwargs["column_kinds"])
    back = pd.read_excel(io.BytesIO(book), dtype=str, engine="calamine")
    assert list(back["LeiKa-Schlüssel"]) == list(frame["LeiKa-Schlüssel"].astype(str))

    # with the real ui.export: CSV and Excel buttons under the tables
    monkeypatch.undo()
    at = _open()
    keys = {b.key for b in at.get("download_button")}
    for table in ("od_distribution_table", "od_trend_table", "od_services_table", "od_ozg_table"):
        assert {f"{table}_csv", f"{table}_xlsx"} <= keys, table
