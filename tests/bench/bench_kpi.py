"""The heaviest KPI computations at each scale: DuckDB (the ``kpi`` functions the pages call)
beside the same computation in pandas over the raw tables.

    python -m tests.bench.bench_kpi                          # demo, berlin, national
    python -m tests.bench.bench_kpi --scales national --runs 5

Every pandas result is compared with the DuckDB result; a difference is marked in the table
(and printed), so both sides demonstrably compute the same thing. pandas gets its input tables already loaded (the load is
reported separately: a dashboard holding them in memory would pay it once per data change).
Times are medians of ``--runs`` runs in one process per scale, best-of not used. Not part of
the test suite.

Cases:

- **Online-Quote** (period): catalogue valid for the period, newest status per authority and
  source, best level per service (own / incl. Bund/EfA), quotas ≥ 3 and ≥ 2.
- **Online-Quote trend**: the same for every period (the trend chart).
- **Projects per status** (period): current submission per authority, projects per status.
- **Variance facts** (period): ``kpi.variance.project_variance`` (window functions over every
  report); DuckDB only.
- **National coverage per state**: over the raw 66-million-row matrix in DuckDB and in pandas,
  and from the roll-ups (what the page reads).
- **National districts of Bayern**: services online in at least one / every municipality per
  district (the matrix restricted to one state).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

from tests.bench.bench_pages_scale import DEFAULT_DB_DIR, PROJECT_ROOT, SCALES, database
from ui.format import number


def timed(function: Callable[[], Any], runs: int) -> tuple[float, Any]:
    """(median milliseconds, last result)."""
    times, result = [], None
    for _ in range(runs):
        started = time.perf_counter()
        result = function()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), result


# --- pandas implementations --------------------------------------------------------------------


def _published(submissions: pd.DataFrame, unpublished: bool) -> pd.DataFrame:
    return submissions if unpublished else submissions[submissions["review_status"] == "published"]


def pandas_quota(t: dict[str, pd.DataFrame], period: str, unpublished: bool = False) -> dict:
    """``kpi.services.quota_figures(service_state(...))`` (the counts) in pandas."""
    subs = _published(t["submission"], unpublished)
    cats = subs[subs["kind"] == "catalog"]
    earlier = cats[cats["period_id"] <= period]
    if len(earlier):
        catalogue = earlier.sort_values(["period_id", "id"], ascending=False).iloc[0]
    else:
        catalogue = cats.sort_values(["period_id", "id"], ascending=[True, False]).iloc[0]
    entries = t["catalog_entry"]
    keys = entries.loc[entries["submission_id"] == catalogue["id"], "service_key"]
    services = t["service"]
    in_scope = services[services["service_key"].isin(keys) & services["out_of_scope_reason"].isna()]
    status = subs[(subs["kind"] == "services") & (subs["period_id"] <= period)]
    sources = t["status_sources"].merge(status, left_on="submission_id", right_on="id")
    newest = sources.sort_values(["period_id", "id"], ascending=False).drop_duplicates(
        ["authority_id", "source"]
    )
    offers = t["service_status"]
    offers = offers[
        offers["submission_id"].isin(newest["id"])
        & offers["service_key"].isin(in_scope["service_key"])
    ]
    level = offers["maturity_level"].where(
        offers["maturity_model"] != "2.0", offers["maturity_level"].clip(upper=4)
    )
    offers = offers.assign(level=level)
    own = (
        offers[offers["provider"].isin(["land", "district"])].groupby("service_key")["level"].max()
    )
    best = offers.groupby("service_key")["level"].max()
    frame = pd.DataFrame(index=in_scope["service_key"])
    frame["own"] = own.reindex(frame.index).fillna(0)
    frame["all"] = best.reindex(frame.index).fillna(0)
    return {
        "services_in_scope": len(frame),
        "services_online_own": int((frame["own"] >= 3).sum()),
        "services_online_all": int((frame["all"] >= 3).sum()),
        "services_level2_own": int((frame["own"] >= 2).sum()),
        "services_level2_all": int((frame["all"] >= 2).sum()),
    }


def pandas_trend(t: dict[str, pd.DataFrame], unpublished: bool = False) -> list[dict]:
    subs = _published(t["submission"], unpublished)
    periods = sorted(subs.loc[subs["kind"].isin(["catalog", "services"]), "period_id"].unique())
    return [{"period": p, **pandas_quota(t, p, unpublished)} for p in periods]


def pandas_projects_by_status(t: dict[str, pd.DataFrame], period: str) -> dict[str, int]:
    subs = _published(t["submission"], False)
    current = (
        subs[subs["kind"] == "projects"]
        .sort_values("id", ascending=False)
        .drop_duplicates(["authority_id", "period_id"])
    )
    ids = current.loc[current["period_id"] == period, "id"]
    reports = t["project_report"]
    counts = reports.loc[reports["submission_id"].isin(ids), "status"].value_counts()
    return {str(k): int(v) for k, v in counts.items()}


def pandas_state_coverage(matrix: pd.DataFrame) -> pd.DataFrame:
    state = matrix["ags"] // 1_000_000
    online = matrix["maturity_level"] >= 3
    return (
        pd.DataFrame({"state": state, "online": online})
        .groupby("state")
        .agg(pairs=("online", "size"), online=("online", "sum"))
    )


def pandas_districts(matrix: pd.DataFrame, state: int) -> pd.DataFrame:
    rows = matrix[(matrix["ags"] >= state * 1_000_000) & (matrix["ags"] < (state + 1) * 1_000_000)]
    per = (
        pd.DataFrame(
            {
                "district": rows["ags"] // 1000,
                "service_no": rows["service_no"],
                "online": rows["maturity_level"] >= 3,
            }
        )
        .groupby(["district", "service_no"])["online"]
        .agg(["size", "sum"])
    )
    per["anywhere"] = per["sum"] > 0
    per["everywhere"] = per["sum"] == per["size"]
    return per.groupby("district")[["anywhere", "everywhere"]].sum()


# --- the cases -----------------------------------------------------------------------------------


def worker(scale: str, runs: int) -> list[dict[str, Any]]:
    from kpi import national, overview, services, variance
    from store import connection as db

    cur = db.cursor()
    period = cur.execute(
        "SELECT max(period_id) FROM submission WHERE kind = 'projects'"
    ).fetchone()[0]
    results: list[dict[str, Any]] = []

    def record(
        case: str,
        duck_ms: float,
        pandas_ms: float | None,
        load_ms: float | None,
        same: bool | None = None,
    ) -> None:
        results.append(
            {
                "scale": scale,
                "case": case,
                "duckdb_ms": duck_ms,
                "pandas_ms": pandas_ms,
                "pandas_load_ms": load_ms,
                "ratio": pandas_ms / duck_ms if pandas_ms else None,
                "same_result": same,
            }
        )
        if same is False:
            print(f"RESULTS DIFFER: {scale} {case}", file=sys.stderr, flush=True)
        print(
            f"{scale:9} {case:40} duckdb {duck_ms:8.1f} ms  pandas "
            f"{'–' if pandas_ms is None else f'{pandas_ms:8.1f} ms'}",
            file=sys.stderr,
            flush=True,
        )

    started = time.perf_counter()
    tables = {
        name: cur.execute(f"SELECT * FROM {name}").df()
        for name in ("submission", "catalog_entry", "service", "service_status", "project_report")
    }
    tables["status_sources"] = cur.execute(
        "SELECT DISTINCT submission_id, source FROM service_status"
    ).df()
    load_ms = (time.perf_counter() - started) * 1000

    def duck_quota() -> dict:
        figures = services.quota_figures(services.service_state(db.cursor(), period=period))
        return {k: figures[k] for k in pandas_quota(tables, period)}

    duck_ms, duck = timed(duck_quota, runs)
    pandas_ms, pand = timed(lambda: pandas_quota(tables, period), runs)
    record(f"Online-Quote {period}", duck_ms, pandas_ms, load_ms, duck == pand)

    # The same counts as one lean aggregate in SQL (what the quota alone costs in DuckDB);
    # NULL levels ("k.A.") count as 0 as the counting rule says.
    lean_sql = f"""
    WITH {services._CATALOGUE}, {services._STATUS_SUBMISSIONS},
    scope AS (
        SELECT sv.service_key FROM catalog_entry ce JOIN service sv USING (service_key)
        WHERE ce.submission_id = (SELECT id FROM catalogue) AND sv.out_of_scope_reason IS NULL
    ),
    best AS (
        SELECT service_key,
               max(level) FILTER (WHERE provider IN ('land', 'district')) AS own,
               max(level) AS best
        FROM (SELECT service_key, provider,
                     CASE WHEN maturity_model = '2.0' AND maturity_level > 4 THEN 4
                          ELSE maturity_level END AS level
              FROM service_status
              WHERE submission_id IN (SELECT id FROM status_submission)
                AND service_key IN (SELECT service_key FROM scope))
        GROUP BY service_key
    )
    SELECT count(*), sum((coalesce(own, 0) >= 3)::INT), sum((coalesce(best, 0) >= 3)::INT),
           sum((coalesce(own, 0) >= 2)::INT), sum((coalesce(best, 0) >= 2)::INT)
    FROM scope LEFT JOIN best USING (service_key)
    """

    def duck_lean() -> dict:
        row = db.cursor().execute(lean_sql, {"period": period, "unpublished": False}).fetchone()
        return dict(zip(pandas_quota(tables, period), map(int, row), strict=True))

    duck_ms, duck = timed(duck_lean, runs)
    record(f"Online-Quote {period}, nur Zählung (SQL)", duck_ms, pandas_ms, load_ms, duck == pand)

    def duck_trend() -> list[dict]:
        trend = services.online_trend(db.cursor())
        keys = ["period", *pandas_quota(tables, period)]
        return [
            {k: (v if k == "period" else int(v)) for k, v in r.items()}
            for r in trend[keys].to_dict("records")
        ]

    duck_ms, duck = timed(duck_trend, max(1, runs // 2))
    pandas_ms, pand = timed(lambda: pandas_trend(tables), max(1, runs // 2))
    record(f"Online-Quote-Trend ({len(duck)} Perioden)", duck_ms, pandas_ms, load_ms, duck == pand)

    def duck_status() -> dict[str, int]:
        frame = overview.projects_by_status(db.cursor(), period=period)
        return {r.status: int(r.projects) for r in frame.itertuples() if r.projects}

    duck_ms, duck = timed(duck_status, runs)
    pandas_ms, pand = timed(lambda: pandas_projects_by_status(tables, period), runs)
    record(f"Vorhaben je Status {period}", duck_ms, pandas_ms, load_ms, duck == pand)

    duck_ms, _ = timed(lambda: variance.project_variance(db.cursor(), period=period), runs)
    record(f"Abweichungen aller Vorhaben {period}", duck_ms, None, None)

    if national.has_national_data(cur):
        started = time.perf_counter()
        matrix = cur.execute(
            "SELECT ags, service_no, maturity_level FROM service_availability"
        ).df()
        matrix_ms = (time.perf_counter() - started) * 1000
        raw_sql = (
            "SELECT ags // 1000000 AS state, count(*) AS pairs, "
            "sum((maturity_level >= 3)::INTEGER) AS online FROM service_availability GROUP BY 1"
        )
        duck_ms, duck = timed(lambda: db.cursor().execute(raw_sql).df(), runs)
        pandas_ms, pand = timed(lambda: pandas_state_coverage(matrix), runs)
        duck = duck.set_index("state").sort_index()
        same = (duck["pairs"].to_numpy() == pand["pairs"].to_numpy()).all() and (
            duck["online"].to_numpy() == pand["online"].to_numpy()
        ).all()
        record(
            f"Verfügbarkeit je Land, Matrix ({number(len(matrix))} Zeilen)",
            duck_ms,
            pandas_ms,
            matrix_ms,
            bool(same),
        )
        rollup_ms, rollup = timed(lambda: national.coverage(db.cursor(), level="state"), runs)
        same = (rollup["online"].to_numpy() == pand["online"].to_numpy()).all()
        record(
            "Verfügbarkeit je Land, Roll-up (Seite)", rollup_ms, pandas_ms, matrix_ms, bool(same)
        )
        duck_ms, duck = timed(
            lambda: national.coverage(db.cursor(), level="district", parent="09"), runs
        )
        pandas_ms, pand = timed(lambda: pandas_districts(matrix, 9), runs)
        same = list(duck["services_anywhere"]) == list(pand["anywhere"]) and list(
            duck["services_everywhere"]
        ) == list(pand["everywhere"])
        record("Kreise in Bayern (überall/irgendwo online)", duck_ms, pandas_ms, matrix_ms, same)
    return results


def run_scale(scale: str, *, db_dir: Path, runs: int) -> list[dict[str, Any]]:
    path = database(scale, db_dir)
    env = {**os.environ, "DASHBOARD_DB": str(path), "DASHBOARD_SEED_DEMO": "false"}
    done = subprocess.run(  # noqa: S603 - fixed interpreter and module
        [sys.executable, "-m", "tests.bench.bench_kpi", "--worker", scale, "--runs", str(runs)],
        cwd=PROJECT_ROOT,
        env=env,
        check=True,
        stdout=subprocess.PIPE,
        text=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def markdown(results: list[dict[str, Any]]) -> str:
    lines = [
        "| Skala | Berechnung | DuckDB | pandas | pandas ÷ DuckDB | pandas: Tabellen laden |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for r in results:
        pandas_ms = "–" if r["pandas_ms"] is None else f"{number(r['pandas_ms'])} ms"
        ratio = "–" if r["ratio"] is None else f"{number(r['ratio'], decimals=1)}×"
        load = "–" if r["pandas_load_ms"] is None else f"{number(r['pandas_load_ms'])} ms"
        case = r["case"] + (" ⚠ Ergebnisse verschieden" if r["same_result"] is False else "")
        lines.append(
            f"| {r['scale']} | {case} | {number(r['duckdb_ms'])} ms | {pandas_ms} | {ratio} "
            f"| {load} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", default=",".join(SCALES))
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--db-dir", type=Path, default=DEFAULT_DB_DIR)
    parser.add_argument("--json", type=Path)
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        print(json.dumps(worker(args.worker, args.runs)))
        return 0
    results = []
    for scale in args.scales.split(","):
        results += run_scale(scale, db_dir=args.db_dir, runs=args.runs)
    print(markdown(results))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
