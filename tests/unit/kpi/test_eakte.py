"""E-Akte KPIs against a rollout computed by hand.

Reports (workplaces live / in scope):

=========  ==============  ==============  ==================================
period     BA Mitte        SenFin          LAGeSo
=========  ==============  ==============  ==================================
2026-Q1    100 / 1.000     0 / 500         –
2026-Q2    300 / 1.000     100 / 500       200 / 200 (produktiv)
2026-Q3    500 / 1.000     200 / 500 (*)   – (late)
=========  ==============  ==============  ==================================

(*) SenFin sends its own one-row report in 2026-Q3; the rest arrives as collection files.

2026-Q3 overall: 700 / 1.500 = 46,7 %. Like for like (BA Mitte + SenFin) 2026-Q2:
400 / 1.500 = 26,7 % → +20 points; 2026-Q1: 100 / 1.500 = 6,7 %.
Trend line over the period ends 31.03., 30.06., 30.09.2026 (x = 0, 91, 183 days; y = 1/15,
4/15, 7/15): x̄ = 274/3, Σ(x−x̄)(y−ȳ) = 91.333·0.2 + 91.667·0.2 = 36,6,
Σ(x−x̄)² = 8341,78 + 0,11 + 8402,78 = 16744,67 → slope 0,0021857 per day. From 7/15 to 100 %:
(8/15) ÷ 0,0021857 = 244,0 days → 245 (rounded up) → 02.06.2027.
BA Mitte alone (0,1 / 0,3 / 0,5): same slope, 0,5 ÷ slope = 228,75 → 229 days → 17.05.2027.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest

from kpi.eakte import (
    eakte_by_authority,
    eakte_forecast,
    eakte_forecast_by_authority,
    eakte_summary,
    eakte_trend,
)
from kpi.selection import Selection
from store import connection as db
from store.identity import SYSTEM

HEADER = "Behörde;Status;Go-Live geplant;Go-Live ist;Arbeitsplätze gesamt;davon mit E-Akte"
SLOPE = 36.6 / (8341.777777777777 + 0.1111111111111111 + 8402.777777777777)


def _file(lines: list[str], *, header: str = HEADER) -> bytes:
    return ("\ufeff" + "\r\n".join([header, *lines]) + "\r\n").encode("utf-8")


def _ingest() -> None:
    from loaders.eakte import ingest_collection
    from loaders.ingest import ingest

    collections = {
        "2026-Q1": [
            "BA Mitte;Pilot;30.06.2026;;1.000;100",
            "SenFin;geplant;31.12.2026;;500;0",
        ],
        "2026-Q2": [
            "BA Mitte;Rollout;30.06.2026;;1.000;300",
            "SenFin;Pilot;31.12.2026;;500;100",
            "LAGeSo;produktiv;01.05.2026;01.05.2026;200;200",
        ],
        "2026-Q3": ["BA Mitte;Rollout;30.06.2026;;1.000;500"],
    }
    for period, lines in collections.items():
        result = ingest_collection(
            data=_file(lines),
            file_name=f"eakte_{period}.csv",
            period=period,
            identity=SYSTEM,
            review_status="published",
        )
        assert result.outcome == "accepted", [p.as_line() for p in result.errors]
    own = ingest(
        data=_file(
            ["Rollout;31.12.2026;;500;200"],
            header="Status;Go-Live geplant;Go-Live ist;Arbeitsplätze gesamt;davon mit E-Akte",
        ),
        file_name="senfin_eakte.csv",
        kind="eakte",
        authority="senfin",
        period="2026-Q3",
        identity=SYSTEM,
        review_status="published",
    )
    assert own.outcome == "accepted", [p.as_line() for p in own.errors]


@pytest.fixture(scope="module")
def rollout(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    from loaders.setup import initialise
    from store.settings import get_settings
    from tests.conftest import use_database

    path = tmp_path_factory.mktemp("eakte") / "eakte.duckdb"
    with pytest.MonkeyPatch.context() as patch:
        use_database(patch, path)
        initialise(demo=False)
        _ingest()
        yield path
        db.close()
    get_settings.cache_clear()


def test_share_per_authority_with_change_since_previous_report(rollout: Path) -> None:
    frame = eakte_by_authority(db.cursor(), period="2026-Q3").set_index("authority_id")
    assert list(frame.index) == ["ba-mitte", "senfin", "lageso"]  # reported first, by share
    assert frame.loc["ba-mitte", "share"] == pytest.approx(0.5)
    assert frame.loc["ba-mitte", "share_delta"] == pytest.approx(0.2)
    assert frame.loc["senfin", "share"] == pytest.approx(0.4)
    assert frame.loc["senfin", "previous_share"] == pytest.approx(0.2)
    assert not bool(frame.loc["lageso", "reported"])
    assert frame.loc["lageso", "latest_period"] == "2026-Q2"
    # BA Mitte planned its go-live for 30.06.2026 and is still in rollout
    assert bool(frame.loc["ba-mitte", "golive_overdue"])
    assert not bool(frame.loc["senfin", "golive_overdue"])


def test_overall_share_is_weighted_and_compared_like_for_like(rollout: Path) -> None:
    summary = eakte_summary(db.cursor(), period="2026-Q3")
    assert summary["authorities"] == 2
    assert (summary["workplaces_live"], summary["workplaces_in_scope"]) == (700, 1500)
    assert summary["share"] == pytest.approx(700 / 1500)  # not mean(0.5, 0.4) = 0.45
    assert summary["previous_period"] == "2026-Q2"
    assert summary["previous_share"] == pytest.approx(400 / 1500)  # without LAGeSo
    assert summary["share_delta"] == pytest.approx(0.2)
    assert summary["status"] == {"planned": 0, "pilot": 0, "rollout": 2, "productive": 0}


def test_trend_with_and_without_cohort(rollout: Path) -> None:
    cur = db.cursor()
    everyone = eakte_trend(cur).set_index("period_id")
    assert everyone.loc["2026-Q2", "share"] == pytest.approx(600 / 1700)
    assert everyone.loc["2026-Q2", "productive"] == 1
    cohort = eakte_trend(cur, cohort_period="2026-Q3").set_index("period_id")
    assert list(cohort["share"]) == pytest.approx([100 / 1500, 400 / 1500, 700 / 1500])
    assert cohort.loc["2026-Q3", "share_delta"] == pytest.approx(0.2)


def test_forecast_of_completion_against_target(rollout: Path) -> None:
    cur = db.cursor()
    late = eakte_forecast(cur, period="2026-Q3", target_date=date(2026, 12, 31))
    assert late["state"] == "forecast"
    assert late["points"] == 3
    assert late["slope_per_day"] == pytest.approx(SLOPE)
    assert late["forecast_date"] == date(2026, 9, 30) + timedelta(days=245)
    assert late["forecast_date"] == date(2027, 6, 2)
    assert late["on_track"] is False
    # 8/15 missing, 92 days = 92/91.3125 quarters left
    assert late["required_per_quarter"] == pytest.approx((8 / 15) / (92 / 91.3125))
    in_time = eakte_forecast(cur, period="2026-Q3", target_date=date(2027, 12, 31))
    assert in_time["on_track"] is True
    first = eakte_forecast(cur, period="2026-Q1", target_date=date(2027, 12, 31))
    assert first["state"] == "insufficient" and first["forecast_date"] is None


def test_forecast_per_authority(rollout: Path) -> None:
    frame = eakte_forecast_by_authority(
        db.cursor(), period="2026-Q3", target_date=date(2027, 3, 31)
    ).set_index("authority_id")
    assert list(frame.index) == ["ba-mitte", "senfin"]
    assert frame.loc["ba-mitte", "forecast_date"] == date(2027, 5, 17)  # 229 days
    assert frame.loc["senfin", "forecast_date"] == date(2026, 9, 30) + timedelta(days=275)
    assert not frame["on_track"].any()


def test_authority_filters_apply(rollout: Path) -> None:
    cur = db.cursor()
    districts = Selection(authority_kinds=("district_office",))
    summary = eakte_summary(cur, period="2026-Q3", selection=districts)
    assert summary["share"] == pytest.approx(0.5)
    nobody = eakte_summary(cur, period="2026-Q3", selection=Selection(authorities=("lea",)))
    assert nobody["share"] is None and nobody["authorities"] == 0
    forecast = eakte_forecast(
        cur,
        period="2026-Q3",
        target_date=date(2027, 12, 31),
        selection=Selection(authorities=("lea",)),
    )
    assert forecast["state"] == "no_data"
