"""E-Akte forecast: no date where none can be given. A flat or nearly flat trend used to give
dates such as 13.08.2226; now the forecast is "nicht absehbar" with its reason.

Reports (workplaces live / 1.000 in scope), period ends 31.03., 30.06., 30.09.2026:

================  =========  =========  =========  =======================================
authority         2026-Q1    2026-Q2    2026-Q3    forecast (target 31.12.2027)
================  =========  =========  =========  =======================================
BA Mitte          100        300        500        17.05.2027 (see test_eakte.py)
LEA               351        351        352        +0,05 Pp./quarter → ~3.500 years: none
BA Steglitz-Z.    380        385        390        +0,5 Pp./quarter → 2057: beyond 2037
SenFin            400        400        400        flat: no progress
================  =========  =========  =========  =======================================
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from kpi.eakte import (
    FORECAST_HORIZON_YEARS,
    RULES,
    eakte_forecast,
    eakte_forecast_by_authority,
    forecast_label,
    horizon_date,
)
from kpi.selection import Selection
from store import connection as db
from store.identity import SYSTEM

HEADER = "Behörde;Status;Go-Live geplant;Go-Live ist;Arbeitsplätze gesamt;davon mit E-Akte"
TARGET = date(2027, 12, 31)
BEYOND = f"nicht absehbar (mehr als {FORECAST_HORIZON_YEARS} Jahre nach dem Zieltermin)"
LIVE = {
    "BA Mitte": (100, 300, 500),
    "LEA": (351, 351, 352),
    "BA Steglitz-Zehlendorf": (380, 385, 390),
    "SenFin": (400, 400, 400),
}


def collections(names: tuple[str, ...] = tuple(LIVE)) -> dict[str, bytes]:
    files = {}
    for index, period in enumerate(("2026-Q1", "2026-Q2", "2026-Q3")):
        lines = [f"{name};Rollout;30.06.2028;;1.000;{LIVE[name][index]}" for name in names]
        files[period] = ("\ufeff" + "\r\n".join([HEADER, *lines]) + "\r\n").encode("utf-8")
    return files


def load_rollout(names: tuple[str, ...] = tuple(LIVE)) -> None:
    """The reports of the table above (or of some of its authorities) as collection files."""
    from loaders.eakte import ingest_collection

    for period, data in collections(names).items():
        result = ingest_collection(
            data=data,
            file_name=f"eakte_{period}.csv",
            period=period,
            identity=SYSTEM,
            review_status="published",
        )
        assert result.outcome == "accepted", [p.as_line() for p in result.errors]


@pytest.fixture(scope="module")
def rollout(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    from loaders.setup import initialise
    from store.settings import get_settings
    from tests.conftest import use_database

    path = tmp_path_factory.mktemp("eakte_horizon") / "eakte.duckdb"
    with pytest.MonkeyPatch.context() as patch:
        use_database(patch, path)
        initialise(demo=False)
        load_rollout()
        yield path
        db.close()
    get_settings.cache_clear()


def _per_authority(target: date = TARGET):
    frame = eakte_forecast_by_authority(db.cursor(), period="2026-Q3", target_date=target)
    return frame.set_index("short_name")


def test_flat_and_nearly_flat_trends_give_no_date(rollout: Path) -> None:
    frame = _per_authority()
    assert frame.loc["BA Mitte", "outlook"] == "date"
    assert frame.loc["BA Mitte", "forecast_label"] == "17.05.2027"
    for name in ("LEA", "BA Steglitz-Zehlendorf"):
        assert frame.loc[name, "outlook"] == "beyond_horizon", name
        # the plain extrapolation is kept for the recommendation rule, never shown
        assert frame.loc[name, "forecast_date"] > date(2037, 12, 31), name
        assert not bool(frame.loc[name, "on_track"]), name
        assert frame.loc[name, "forecast_label"] == BEYOND, name
        assert frame.loc[name, "slope_per_quarter"] > 0  # it does rise, just far too slowly
    assert frame.loc["SenFin", "outlook"] == frame.loc["SenFin", "state"] == "no_progress"
    assert frame.loc["SenFin", "forecast_label"] == "nicht absehbar (kein Fortschritt)"


def test_the_cut_off_is_the_horizon_after_the_target(rollout: Path) -> None:
    # BA Mitte reaches 100 % on 17.05.2027: shown while that is at most ten years after the
    # target date, "nicht absehbar" from one day later on.
    shown = _per_authority(target=date(2017, 5, 17)).loc["BA Mitte"]
    assert (shown["outlook"], shown["forecast_label"]) == ("date", "17.05.2027")
    assert not bool(shown["on_track"])
    cut = _per_authority(target=date(2017, 5, 16)).loc["BA Mitte"]
    assert (cut["outlook"], cut["forecast_label"]) == ("beyond_horizon", BEYOND)


def test_overall_forecast_uses_the_same_rule(rollout: Path) -> None:
    cur = db.cursor()
    flat = eakte_forecast(
        cur, period="2026-Q3", target_date=TARGET, selection=Selection(authorities=("lea",))
    )
    assert (flat["outlook"], flat["label"]) == ("beyond_horizon", BEYOND)
    assert flat["on_track"] is False
    everyone = eakte_forecast(cur, period="2026-Q3", target_date=TARGET)
    assert everyone["outlook"] == "date"
    assert everyone["label"] == everyone["forecast_date"].strftime("%d.%m.%Y")


def test_labels_and_rule_text() -> None:
    assert forecast_label("date", date(2029, 9, 1)) == "01.09.2029"
    assert forecast_label("beyond_horizon", date(2226, 8, 13)) == BEYOND
    assert forecast_label("complete", date(2026, 9, 30)) == "erreicht"
    assert forecast_label("insufficient", None) == "zu wenig Daten"
    assert horizon_date(date(2027, 12, 31)) == date(2037, 12, 31)
    assert horizon_date(date(2028, 2, 29)) == date(2038, 2, 28)
    assert "nicht absehbar" in RULES["forecast"].lower()
    assert f"{FORECAST_HORIZON_YEARS} Jahre nach dem Zieltermin" in RULES["forecast"]
