"""E-Akte on the demo data: overall and per-authority progress, trend with forecast against
the target date, authority filters, and an authority outside the rollout."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from kpi.eakte import eakte_by_authority, eakte_forecast, eakte_summary
from kpi.selection import Selection
from store import connection as db
from store.settings import get_settings
from ui import format as fmt

APP = str(Path(__file__).resolve().parents[2] / "app.py")
PERIOD = "2026-Q3"


def _app(**query: str | list[str]) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["demo_role"] = "analyst"
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    return at.switch_page("pages/e-akte.py").run()


def test_progress_trend_and_forecast(demo_db: Path) -> None:
    at = _app()
    assert not at.exception, at.exception
    cur = db.cursor()
    summary = eakte_summary(cur, period=PERIOD)
    forecast = eakte_forecast(cur, period=PERIOD, target_date=get_settings().eakte_target_date)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["E-Akte-Quote"] == fmt.percent(summary["share"])
    assert metrics["Arbeitsplätze mit E-Akte"] == fmt.number(summary["workplaces_live"])
    assert metrics["Prognose 100 %"] == fmt.date(forecast["forecast_date"])
    assert forecast["on_track"] is False  # the demo rollout is too slow for 31.12.2027
    assert any(fmt.date(forecast["forecast_date"]) in w.value for w in at.warning)
    trend, per_authority = at.dataframe[0].value, at.dataframe[1].value
    assert trend["Periode"].iloc[-1] == PERIOD
    reported = eakte_by_authority(cur, period=PERIOD)
    assert len(per_authority) == int(reported["reported"].sum())
    late = reported.loc[~reported["reported"], "short_name"]
    assert all(any(name in w.value for w in at.warning) for name in late)
    assert at.get("multiselect")  # filters shown …
    assert "status" not in {w.key for w in at.multiselect}  # … but no project filters here


def test_authority_filters_apply(demo_db: Path) -> None:
    at = _app(art="Bezirksamt")
    districts = eakte_summary(
        db.cursor(), period=PERIOD, selection=Selection(authority_kinds=("district_office",))
    )
    assert {m.label: m.value for m in at.metric}["E-Akte-Quote"] == fmt.percent(districts["share"])
    assert set(at.dataframe[1].value["Art"]) == {"Bezirksamt"}


def test_authority_outside_the_rollout(demo_db: Path) -> None:
    at = _app(behoerde="ITDZ")
    assert not at.exception, at.exception
    assert any("kein E-Akte-Stand" in i.value for i in at.info)
    assert not at.metric
