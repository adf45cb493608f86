"""E-Akte page: where the trend gives no plausible completion date, the card, the table and
its export say "nicht absehbar" with the reason instead of a date centuries ahead."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from kpi.eakte import FORECAST_HORIZON_YEARS
from kpi.export import ExportMeta, to_csv
from tests.unit.kpi.test_eakte_forecast_horizon import load_rollout

APP = str(Path(__file__).resolve().parents[2] / "app.py")
BEYOND = f"nicht absehbar (mehr als {FORECAST_HORIZON_YEARS} Jahre nach dem Zieltermin)"


def _open() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["demo_role"] = "analyst"
    at.run()
    at.switch_page("pages/e-akte.py").run()
    assert not at.exception, at.exception
    return at


def test_table_and_export_say_not_foreseeable(
    empty_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import ui.export

    load_rollout()
    captured: dict[str, Any] = {}
    monkeypatch.setattr(
        ui.export, "table_downloads", lambda frame, **kw: captured.setdefault(kw["key"], frame)
    )
    at = _open()
    table = next(d.value for d in at.dataframe if "Go-Live geplant" in d.value.columns)
    forecast = dict(zip(table["Behörde"], table["Prognose 100 %"], strict=True))
    assert forecast == {
        "BA Mitte": "17.05.2027",
        "LEA": BEYOND,
        "BA Steglitz-Zehlendorf": BEYOND,
        "SenFin": "nicht absehbar (kein Fortschritt)",
    }
    exported = captured["eakte_table"]
    pd.testing.assert_frame_equal(
        exported.reset_index(drop=True), table.reset_index(drop=True), check_dtype=False
    )
    csv = to_csv(exported, meta=ExportMeta(title="E-Akte", filters={})).decode("utf-8-sig")
    assert BEYOND in csv and "nicht absehbar (kein Fortschritt)" in csv


def test_card_and_message_for_a_nearly_flat_trend(empty_db: Path) -> None:
    load_rollout(("LEA",))
    at = _open()
    metrics = {m.label: m for m in at.metric}
    assert metrics["Prognose 100 %"].value == BEYOND
    assert "nicht absehbar" in metrics["Prognose 100 %"].help.lower()
    assert any("nicht absehbar" in w.value and "31.12.2027" in w.value for w in at.warning)
