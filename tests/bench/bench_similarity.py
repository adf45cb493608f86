"""Similar-project clusters and the recommendations' base at berlin scale, with and without a
10,000-project draft (time, peak memory, and a digest of the result to compare versions).

    python -m tests.bench.bench_similarity                 # berlin, + one and three 10k drafts
    python -m tests.bench.bench_similarity --runs 5 --cases draft

The draft case is what made the load test's "upload with take-over" run out of memory: an
admin takes a 10,000-row project list over as a draft, and every session that shows unpublished
data computes the clusters over the period's active projects including the draft's
(``include_unpublished=True``); the load test takes three such lists over, for three
authorities (``drafts3``). The draft databases are built once from the berlin benchmark
database (``--db-dir``) by the real ingest (``loaders.ingest.ingest``, review status draft) and
kept next to it. Each case runs in its own subprocess, so its peak memory (``VmHWM``) is its
own: reported is the peak above the process's resident size just before the first call, the
median time of ``--runs`` calls, and a SHA-256 over the sorted result, which must not change
when the implementation does. Not part of the test suite.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from tests.bench.bench_pages_scale import DEFAULT_DB_DIR, database
from tests.bench.streamlit_server import load_average

PROJECT_ROOT = Path(__file__).resolve().parents[2]
PERIOD = "2026-Q3"
DRAFT_ROWS = 10_000
DRAFT_AUTHORITIES = ("SenFin", "BA Spandau", "SenKultGZ")
CASES = {
    "berlin": ("berlin.duckdb", False),  # published data only (the default view)
    "draft": ("berlin-draft10k.duckdb", True),  # include_unpublished=True sees the draft
    # what the load test's "upload with take-over" leaves: three 10,000-row drafts
    "drafts3": ("berlin-drafts3x10k.duckdb", True),
}
DRAFTS = {"draft": 1, "drafts3": 3}
FUNCTIONS = ("similar_projects", "rule_findings")


def _status(name: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(name + ":"):
            return int(line.split()[1]) / 1024
    return 0.0


def _digest(frame: Any) -> str:
    import pandas as pd

    if isinstance(frame, pd.DataFrame):
        text = frame.sort_values(["authority_id", "project_id"]).to_csv(index=False)
    else:  # the recommendations' base: every rule's evidence keys and fingerprints
        text = "\n".join(
            f"{rule_id}|{key}|{fp}"
            for rule_id, rows in sorted(frame.evidence.items())
            for key, fp in sorted(zip(rows["key"], rows["fingerprint"], strict=True))
        )
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def worker(function: str, include_unpublished: bool, runs: int) -> dict[str, Any]:
    """Runs inside the subprocess whose DASHBOARD_DB points at the case's database."""
    from store import connection as db

    cur = db.cursor()
    import kpi.recommendations as rec
    from kpi.similarity import similar_projects

    thresholds = rec.Thresholds.from_settings()

    def call() -> Any:
        if function == "similar_projects":
            return similar_projects(
                cur,
                period=PERIOD,
                threshold=thresholds.similarity_threshold,
                min_authorities=thresholds.similarity_min_authorities,
                exclude_programmes=thresholds.similarity_exclude_programmes,
                include_unpublished=include_unpublished,
            )
        base = getattr(rec, "rule_findings", None)
        if base is None:  # before the split: the unfiltered evaluation is the base
            return rec.evaluate(cur, period=PERIOD, include_unpublished=include_unpublished)
        return base(cur, period=PERIOD, include_unpublished=include_unpublished)

    rss_before = _status("VmRSS")
    times = []
    result = None
    for _ in range(runs):
        started = time.perf_counter()
        result = call()
        times.append(time.perf_counter() - started)
    summary: dict[str, Any] = {
        "seconds": statistics.median(times),
        "seconds_all": [round(t, 2) for t in times],
        "peak_above_mb": _status("VmHWM") - rss_before,
        "rss_before_mb": rss_before,
        "digest": _digest(result),
    }
    if function == "similar_projects":
        summary["rows"] = len(result)
        summary["clusters"] = int(result["cluster_key"].nunique()) if len(result) else 0
    return summary


def draft_database(db_dir: Path, case: str = "draft") -> Path:
    """berlin plus 10,000-row project lists of one or three authorities as drafts (built
    once)."""
    target = db_dir / CASES[case][0]
    if target.exists():
        return target
    source = database("berlin", db_dir)
    with tempfile.TemporaryDirectory(prefix="bench-similarity-") as tmp:
        building = Path(tmp) / "draft.duckdb"
        shutil.copy(source, building)
        env = {**os.environ, "DASHBOARD_DB": str(building), "DASHBOARD_SEED_DEMO": "false"}
        subprocess.run(  # noqa: S603 - fixed interpreter and module
            [
                sys.executable,
                "-m",
                "tests.bench.bench_similarity",
                "--build-draft",
                str(DRAFTS[case]),
            ],
            cwd=PROJECT_ROOT,
            env=env,
            check=True,
        )
        shutil.copy(building, target)
    return target


def _build_draft(count: int) -> None:
    from loaders.ingest import ingest
    from store.identity import SYSTEM
    from tests.bench.generate import project_rows, write_csv

    for n, authority in enumerate(DRAFT_AUTHORITIES[:count]):
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "vorhaben_10k.csv"
            write_csv(path, project_rows(DRAFT_ROWS, seed=4_000 + n))
            result = ingest(
                data=path.read_bytes(),
                file_name=path.name,
                kind="projects",
                authority=authority,
                period=PERIOD,
                identity=SYSTEM,
                review_status="draft",
            )
        if result.outcome != "accepted":
            raise RuntimeError(f"draft not accepted: {result.message}")
        print(f"draft {authority}: submission {result.submission_id}", file=sys.stderr)


def run_case(case: str, function: str, *, db_dir: Path, runs: int) -> dict[str, Any]:
    name, include_unpublished = CASES[case]
    path = draft_database(db_dir, case) if case in DRAFTS else database("berlin", db_dir)
    with tempfile.TemporaryDirectory(prefix="bench-similarity-") as tmp:
        copy = Path(tmp) / "case.duckdb"  # the worker may migrate or checkpoint: use a copy
        shutil.copy(path, copy)
        env = {**os.environ, "DASHBOARD_DB": str(copy), "DASHBOARD_SEED_DEMO": "false"}
        load = load_average()
        done = subprocess.run(  # noqa: S603 - fixed interpreter and module
            [
                sys.executable,
                "-m",
                "tests.bench.bench_similarity",
                "--worker",
                function,
                "--runs",
                str(runs),
            ]
            + (["--unpublished"] if include_unpublished else []),
            cwd=PROJECT_ROOT,
            env=env,
            check=True,
            stdout=subprocess.PIPE,
            text=True,
        )
    result = json.loads(done.stdout.strip().splitlines()[-1])
    return {"case": case, "function": function, "load": load, **result}


def markdown(results: list[dict[str, Any]]) -> str:
    from ui.format import number

    lines = [
        "| Fall | Funktion | Zeit (Median) | Spitzen-RSS über Start | Ergebnis | Digest | Last |",
        "|---|---|---:|---:|---|---|---|",
    ]
    for r in results:
        shape = f"{r['rows']} Vorhaben in {r['clusters']} Clustern" if "rows" in r else "–"
        lines.append(
            f"| {r['case']} | `{r['function']}` | {number(r['seconds'], decimals=2)} s "
            f"| {number(r['peak_above_mb'])} MiB | {shape} | `{r['digest']}` | {r['load']} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db-dir", type=Path, default=DEFAULT_DB_DIR)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--cases", default=",".join(CASES))
    parser.add_argument("--functions", default=",".join(FUNCTIONS))
    parser.add_argument("--json", type=Path)
    parser.add_argument("--worker", choices=FUNCTIONS, help=argparse.SUPPRESS)
    parser.add_argument("--unpublished", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--build-draft", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.build_draft:
        _build_draft(args.build_draft)
        return 0
    if args.worker:
        print(json.dumps(worker(args.worker, args.unpublished, args.runs)))
        return 0
    results = []
    for case in args.cases.split(","):
        for function in args.functions.split(","):
            result = run_case(case, function, db_dir=args.db_dir, runs=args.runs)
            print(
                f"{case:7} {function:17} {result['seconds']:6.2f} s  "
                f"+{result['peak_above_mb']:5.0f} MiB  {result['digest']}  load {result['load']}",
                file=sys.stderr,
                flush=True,
            )
            results.append(result)
    print(markdown(results))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
