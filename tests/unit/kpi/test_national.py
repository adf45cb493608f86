"""National coverage KPIs against a hand-counted matrix: 2 states, 3 districts, 4
municipalities, 3 services (fixture built in code through ``store.national``)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from kpi import national
from store import connection as db
from store import national as writes

PROJECT_ROOT = Path(__file__).resolve().parents[3]

REGIONS = [
    ("01", "state", "Nordland", "NL", None, None, None),
    ("01001", "district", "Kreis Eins", None, "01", None, None),
    ("01001001", "municipality", "Adorf", None, "01001", 1001001, 1000),
    ("01001002", "municipality", "Bedorf", None, "01001", 1001002, 3000),
    ("01002", "district", "Stadt Zwei", None, "01", None, None),
    ("01002001", "municipality", "Stadt Zwei", None, "01002", 1002001, 6000),
    ("02", "state", "Südland", "SL", None, None, None),
    ("02000", "district", "Südland", None, "02", None, None),
    ("02000000", "municipality", "Südland", None, "02000", 2000000, 10000),
]
SERVICES = [("99000000000001", "Antrag A", "bildung"), ("99000000000002", "Antrag B", "bildung")]
SERVICES += [("99000000000003", "Antrag C", "gesundheit")]
A, B, C = (key for key, _, _ in SERVICES)
# (AGS, service, level, provider of the best offer)
MATRIX = [
    (1001001, A, 3, "municipal"),
    (1001001, B, 0, None),
    (1001001, C, 4, "federal"),
    (1001002, A, 3, "municipal"),
    (1001002, B, 2, "state"),
    (1001002, C, 4, "federal"),
    (1002001, A, 1, "municipal"),
    (1002001, B, 3, "efa"),
    (1002001, C, 4, "federal"),
    (2000000, A, 0, None),
    (2000000, B, 0, None),
    (2000000, C, 2, "federal"),
]


@pytest.fixture
def cur(empty_db: Path):
    with db.write_transaction() as w:
        w.executemany(
            "INSERT INTO service (service_key, leika_key, name, topic_area, "
            "first_submission_id, last_submission_id) VALUES (?, ?, ?, ?, 0, 0)",
            [(key, key, name, topic) for key, name, topic in SERVICES],
        )
        writes.insert_regions(w, REGIONS)
        assert writes.register_services(w) == 3
        snapshot = writes.new_snapshot(
            w, period_id="2026-Q2", as_of=dt.date(2026, 6, 30), source="test", is_demo=False
        )
        frame = pd.DataFrame(MATRIX, columns=["ags", "service_key", "maturity_level", "provider"])
        writes.insert_availability(w, snapshot_id=snapshot, frame=frame)
        for state in writes.state_codes(w):
            writes.write_rollups(w, snapshot_id=snapshot, state_code=state)
        assert writes.finish_snapshot(w, snapshot_id=snapshot) == 12
    return db.cursor()


def test_states_hand_counted(cur) -> None:
    states = national.coverage(cur, level="state", period="2026-Q3").set_index("code")
    north, south = states.loc["01"], states.loc["02"]
    assert north["name"] == "Nordland" and north["municipalities"] == 3
    assert north["population"] == 10_000 and north["services"] == 3
    assert (north["pairs"], north["online"], north["level2"]) == (9, 6, 7)
    assert north["coverage"] == pytest.approx(6 / 9)
    assert north["level2_coverage"] == pytest.approx(7 / 9)
    assert north["population_coverage"] == pytest.approx((1000 * 2 + 3000 * 2 + 6000 * 2) / 30000)
    assert (north["services_anywhere"], north["services_everywhere"]) == (3, 1)
    assert (north["online_federal"], north["online_efa"], north["online_municipal"]) == (3, 1, 2)
    assert (south["pairs"], south["online"], south["level2"]) == (3, 0, 1)
    assert south["coverage"] == 0 and south["population_coverage"] == 0
    assert (south["services_anywhere"], south["services_everywhere"]) == (0, 0)


def test_germany_is_sum_over_sum(cur) -> None:
    total = national.headline(cur, period="2026-Q3")
    assert (total["states"], total["municipalities"], total["services"]) == (2, 4, 3)
    assert (total["pairs"], total["online"]) == (12, 6)
    assert total["coverage"] == pytest.approx(0.5)
    assert total["level2_coverage"] == pytest.approx(8 / 12)
    # Südland's 10,000 inhabitants have nothing online: a mean of the states' shares (1/3 and
    # 2/3 -> 1/2) would overstate it
    assert total["population_coverage"] == pytest.approx(20_000 / 60_000)
    assert (total["services_anywhere"], total["services_everywhere"]) == (3, 0)
    assert total["as_of"] == dt.date(2026, 6, 30)


def test_districts_of_a_state(cur) -> None:
    districts = national.coverage(cur, level="district", parent="01").set_index("code")
    assert list(districts.index) == ["01001", "01002"]
    one, two = districts.loc["01001"], districts.loc["01002"]
    assert (one["municipalities"], one["pairs"], one["online"]) == (2, 6, 4)
    assert (one["services_anywhere"], one["services_everywhere"]) == (2, 2)  # A and C
    assert one["population_coverage"] == pytest.approx(8000 / 12000)
    assert (two["municipalities"], two["online"]) == (1, 2)
    assert (two["services_anywhere"], two["services_everywhere"]) == (2, 2)  # B and C


def test_municipalities_and_one_municipalitys_services(cur) -> None:
    munis = national.coverage(cur, level="municipality", parent="01001")
    assert list(munis["name"]) == ["Adorf", "Bedorf"]
    assert list(munis["online"]) == [2, 2] and list(munis["services_everywhere"]) == [2, 2]
    offers = national.municipality_services(cur, ags="01002001").set_index("service_key")
    assert offers.loc[A, "maturity_level"] == 1 and offers.loc[A, "provider"] == "Kommune"
    assert offers.loc[B, "provider"] == "EfA" and bool(offers.loc[B, "online"])
    assert offers.loc[C, "provider"] == "Bund" and offers.loc[C, "maturity_level"] == 4
    none = national.municipality_services(cur, ags="02000000").set_index("service_key")
    assert none.loc[A, "provider"] == "kein Angebot"


def test_topic_filter(cur) -> None:
    north = national.coverage(cur, level="state", topic_area="bildung").set_index("code").loc["01"]
    assert (north["services"], north["pairs"], north["online"]) == (2, 6, 3)
    assert (north["services_anywhere"], north["services_everywhere"]) == (2, 0)
    district = national.coverage(cur, level="district", parent="01", topic_area="gesundheit")
    assert list(district["services_everywhere"]) == [1, 1]


def test_period_picks_the_snapshot(cur) -> None:
    assert national.has_national_data(cur)
    assert national.snapshot(cur, period="2026-Q1") is None
    assert national.coverage(cur, level="state", period="2026-Q1").empty
    assert national.headline(cur, period="2026-Q1") == {}
    assert national.snapshot(cur, period="2026-Q2")["municipalities"] == 4


def test_refusals(cur) -> None:
    with pytest.raises(ValueError):
        national.coverage(cur, level="galaxy")
    with pytest.raises(ValueError):
        national.coverage(cur, level="district")  # needs a state: reads the matrix
    with db.write_transaction() as w, pytest.raises(ValueError):
        frame = pd.DataFrame(
            [(1001001, "99999999999999", 3, "federal")],
            columns=["ags", "service_key", "maturity_level", "provider"],
        )
        writes.insert_availability(w, snapshot_id=1, frame=frame)


def test_berlin_without_matrix(empty_db: Path) -> None:
    cur = db.cursor()
    assert not national.has_national_data(cur)
    assert national.coverage(cur, level="state").empty


def test_only_the_national_modules_read_the_matrix() -> None:
    """Berlin's figures must never touch the 66-million-row table (issue 8)."""
    allowed = {"kpi/national.py", "store/national.py", "store/generate.py"}
    readers = {
        str(path.relative_to(PROJECT_ROOT))
        for folder in ("kpi", "store", "ui", "pages", "loaders")
        for path in (PROJECT_ROOT / folder).rglob("*.py")
        if "service_availability" in path.read_text(encoding="utf-8")
    }
    assert readers <= allowed, readers - allowed
    assert "kpi/national.py" in readers
