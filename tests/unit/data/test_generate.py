"""The load-data generator at the tiny scale: the same SQL as berlin/national, in seconds.

The generated rows must be what the loaders would accept and what the KPIs expect, the
national roll-ups must agree with the matrix they summarise (checked against an independent
pandas count), and the output must be deterministic for a seed.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest

from data.generate import SCALES, STATES, Scale, extra_authorities, generate, main, state_layout
from store import connection as db
from tests.conftest import use_database

TINY = SCALES["tiny"]


@pytest.fixture(scope="module")
def tiny_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("generate") / "tiny.duckdb"
    generate(TINY, path)
    return path


@pytest.fixture
def cur(tiny_db: Path, monkeypatch: pytest.MonkeyPatch):
    use_database(monkeypatch, tiny_db)
    yield db.cursor()
    db.close()


def _one(cur, sql: str, params: list[object] | None = None) -> object:
    return cur.execute(sql, params or []).fetchone()[0]


def test_state_layout_keeps_the_total_and_the_city_states() -> None:
    for total in (60, 1_000, 11_000):
        layout = state_layout(total)
        assert sum(state[4] for state in layout) == total
        by_code = {state[0]: state for state in layout}
        assert by_code["11"][4] == 1 and by_code["02"][4] == 1 and by_code["04"][4] == 2
        assert all(1 <= state[3] <= state[4] for state in layout)  # districts <= municipalities
    assert len(state_layout(11_000)) == len(STATES) == 16
    with pytest.raises(ValueError):
        state_layout(10)


def test_extra_authorities_are_unique_and_deterministic() -> None:
    rows = extra_authorities(120, seed=1)
    assert (
        len({r[0] for r in rows}) == len({r[1] for r in rows}) == len({r[2] for r in rows}) == 120
    )
    assert rows == extra_authorities(120, seed=1)
    assert rows != extra_authorities(120, seed=2)


def test_sizes_follow_the_scale(cur) -> None:
    assert _one(cur, "SELECT count(*) FROM authority") == TINY.authorities
    assert _one(cur, "SELECT count(*) FROM service") == TINY.services
    assert _one(cur, "SELECT count(DISTINCT period_id) FROM submission") == TINY.periods
    assert _one(cur, "SELECT count(*) FROM region WHERE level = 'municipality'") == 60
    assert _one(cur, "SELECT count(*) FROM region WHERE level = 'state'") == 16
    assert _one(cur, "SELECT count(*) FROM service_availability") == 60 * TINY.services
    # every project submission's row count is the number of its rows
    mismatched = _one(
        cur,
        "SELECT count(*) FROM submission s WHERE s.kind = 'projects' AND s.row_count <> "
        "(SELECT count(*) FROM project_report p WHERE p.submission_id = s.id)",
    )
    assert mismatched == 0
    assert _one(cur, "SELECT count(*) FROM submission WHERE NOT is_demo") == 0


def test_rows_obey_the_loaders_rules(cur) -> None:
    # a yellow or red light always has a reason
    assert (
        _one(
            cur,
            "SELECT count(*) FROM project_report WHERE traffic_light <> 'green' "
            "AND traffic_light_reason IS NULL",
        )
        == 0
    )
    # amounts only where costs are reported as numbers, never imputed
    assert (
        _one(
            cur,
            "SELECT count(*) FROM project_report WHERE cost_reporting_status <> 'reported' "
            "AND coalesce(budget, budget_original, forecast_cost, actual_cost) IS NOT NULL",
        )
        == 0
    )
    assert (
        _one(
            cur,
            "SELECT count(*) FROM project_report WHERE status = 'completed' "
            "AND (actual_end IS NULL OR progress_pct <> 100)",
        )
        == 0
    )
    statuses = {r[0] for r in cur.execute("SELECT DISTINCT status FROM project_report").fetchall()}
    assert {"in_progress", "completed"} <= statuses
    # project ids are unique within an authority's submission (the primary key) and stable
    # across periods: the same id keeps its title
    assert (
        _one(
            cur,
            "SELECT count(*) FROM (SELECT s.authority_id, p.project_id FROM project_report p "
            "JOIN submission s ON s.id = p.submission_id GROUP BY ALL "
            "HAVING count(DISTINCT p.title) > 1)",
        )
        == 0
    )
    # the newest period has late authorities and drafts, as the Meldequote needs
    newest = _one(cur, "SELECT max(period_id) FROM submission")
    expected = _one(cur, "SELECT count(*) FROM authority WHERE expected_to_report")
    reported = _one(
        cur,
        "SELECT count(DISTINCT authority_id) FROM submission WHERE kind = 'projects' "
        "AND period_id = ?",
        [newest],
    )
    assert 0 < reported < expected


def test_status_history_rises_and_uses_both_maturity_models(tmp_path: Path, monkeypatch) -> None:
    path = tmp_path / "history.duckdb"
    generate(replace(TINY, periods=8, municipalities=0), path)
    use_database(monkeypatch, path)
    cur = db.cursor()
    models = {
        r[0] for r in cur.execute("SELECT DISTINCT maturity_model FROM service_status").fetchall()
    }
    assert models == {"1.1", "2.0"}
    assert _one(cur, "SELECT count(*) FROM region") == 0  # no national part asked for
    per_period = cur.execute(
        "SELECT s.period_id, avg(CASE WHEN st.maturity_model = '2.0' "
        "THEN least(st.maturity_level, 4) ELSE st.maturity_level END) "
        "FROM service_status st JOIN submission s ON s.id = st.submission_id "
        "GROUP BY ALL ORDER BY 1"
    ).fetchall()
    assert len(per_period) == 8
    assert per_period[-1][1] > per_period[0][1]  # services move up over the periods
    assert (
        _one(
            cur,
            "SELECT count(*) FROM service_status WHERE maturity_level >= 3 AND url IS NULL",
        )
        == 0
    )


def test_eakte_live_workplaces_stay_within_scope(cur) -> None:
    assert _one(cur, "SELECT count(*) FROM eakte_status") > 0
    assert (
        _one(cur, "SELECT count(*) FROM eakte_status WHERE workplaces_live > workplaces_in_scope")
        == 0
    )


def test_region_hierarchy_and_populations_add_up(cur) -> None:
    orphans = _one(
        cur,
        "SELECT count(*) FROM region c LEFT JOIN region p ON p.code = c.parent_code "
        "WHERE c.level <> 'state' AND (p.code IS NULL OR left(c.code, length(p.code)) <> p.code)",
    )
    assert orphans == 0
    totals = dict(
        cur.execute("SELECT level, sum(population) FROM region GROUP BY level").fetchall()
    )
    assert totals["state"] == totals["district"] == totals["municipality"] > 80_000_000


def test_rollups_agree_with_the_matrix(cur) -> None:
    matrix = cur.execute(
        "SELECT m.ags, m.service_no, m.maturity_level, r.population, sv.topic_area "
        "FROM service_availability m JOIN region r ON r.ags = m.ags "
        "JOIN availability_service a USING (service_no) "
        "JOIN service sv ON sv.service_key = a.service_key"
    ).df()
    matrix["online"] = matrix["maturity_level"] >= 3
    matrix["state"] = (matrix["ags"] // 1_000_000).map("{:02d}".format)

    per_muni = cur.execute(
        "SELECT ags, topic_area, services, online, level2 FROM availability_municipality"
    ).df()
    expected = (
        matrix.groupby(["ags", "topic_area"])
        .agg(services=("service_no", "size"), online=("online", "sum"))
        .reset_index()
    )
    merged = expected.merge(per_muni, on=["ags", "topic_area"], suffixes=("", "_rollup"))
    assert len(merged) == len(expected) == len(per_muni)
    assert (merged["services"] == merged["services_rollup"]).all()
    assert (merged["online"] == merged["online_rollup"]).all()

    per_state = cur.execute(
        "SELECT state_code, service_no, municipalities, online_municipalities, "
        "online_population FROM availability_state_service"
    ).df()
    grouped = matrix.groupby(["state", "service_no"])
    expected_state = pd.DataFrame(
        {
            "municipalities": grouped.size(),
            "online_municipalities": grouped["online"].sum(),
            "online_population": grouped.apply(
                lambda g: int(g.loc[g["online"], "population"].sum()), include_groups=False
            ),
        }
    ).reset_index()
    merged = expected_state.merge(
        per_state,
        left_on=["state", "service_no"],
        right_on=["state_code", "service_no"],
        suffixes=("", "_rollup"),
    )
    assert len(merged) == len(expected_state) == len(per_state)
    for column in ("municipalities", "online_municipalities", "online_population"):
        assert (merged[column] == merged[f"{column}_rollup"]).all(), column


def test_same_seed_same_data_other_seed_other_data(tmp_path: Path, monkeypatch) -> None:
    small = Scale("t", authorities=33, projects=30, periods=2, services=20, status_coverage=0.7,
                  municipalities=20)  # fmt: skip

    def fingerprint(path: Path) -> tuple[object, ...]:
        use_database(monkeypatch, path)
        cur = db.cursor()
        result = tuple(
            cur.execute(sql).fetchone()[0]
            for sql in (
                "SELECT sum(hash(project_id, title, status, traffic_light, budget, forecast_end))"
                " FROM project_report",
                "SELECT sum(hash(service_key, provider, maturity_level)) FROM service_status",
                "SELECT sum(hash(ags, service_no, maturity_level, provider_code)) "
                "FROM service_availability",
                "SELECT sum(hash(code, name, population)) FROM region",
            )
        )
        db.close()
        return result

    generate(small, tmp_path / "a.duckdb")
    generate(small, tmp_path / "b.duckdb")
    generate(replace(small, seed=small.seed + 1), tmp_path / "c.duckdb")
    a, b, c = (fingerprint(tmp_path / f"{n}.duckdb") for n in "abc")
    assert a == b
    assert all(x != y for x, y in zip(a, c, strict=True))


def test_cli_refuses_to_overwrite_without_force(tmp_path: Path, capsys) -> None:
    out = tmp_path / "cli.duckdb"
    out.write_bytes(b"")
    assert main(["--scale", "tiny", "--out", str(out)]) == 2
    assert "existiert bereits" in capsys.readouterr().err
    assert main(["--scale", "tiny", "--out", str(out), "--force"]) == 0
    assert "matrix_rows 7,200" in capsys.readouterr().out
