"""Server-side rerun time of every page on the demo data and on a data set ten times larger.

    python -m tests.bench.bench_pages                  # both data sets, every page, 7 runs
    python -m tests.bench.bench_pages --runs 11 --pages uebersicht vorhaben
    python -m tests.bench.bench_pages --profile vorhaben --data x10

The larger set ("x10") is built in code from the demo set: every project list the demo
authorities send is ingested through the loaders with each project ten times (the copies get
the suffixes ``-x1`` … ``-x9`` on id and title), so there are ten times the projects in every
period with the same distribution of statuses, lights, costs and dates; the E-Akte status is
the demo one (one row per authority and period). Databases are cached in ``--db-dir``.

Each data set is measured in its own subprocess. For every page (as admin, who may open all):

- **warm**: the page rerun with Streamlit's data cache filled (a click that hits the cache);
- **cold**: the data cache cleared before the run (the first view after an upload bumped
  ``data_version``; DuckDB's buffers and the OS page cache stay warm).

The time is the wall time of ``AppTest.run()``: the whole script run on the server including
Altair/Arrow serialisation, without network and browser. AppTest would compile the scripts on
every run, which the server does not; like the server, the bench keeps one bytecode cache.
Reported: the median of ``--runs`` runs, and the target for warm reruns on the demo data
(150 ms). Not part of the test suite.
"""

from __future__ import annotations

import argparse
import cProfile
import csv
import io
import json
import os
import platform
import pstats
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parents[2]
APP = str(PROJECT_ROOT / "app.py")
DATA_SETS = ("demo", "x10")
COPIES = 10
TARGET_WARM_MS = 150.0
MY_PAGES = ("uebersicht", "vorhaben", "behoerden", "e-akte")


# --- Data sets ----------------------------------------------------------------------------


def _use(path: Path) -> None:
    from store import connection as db
    from store.settings import get_settings

    db.close()
    os.environ["DASHBOARD_DB"] = str(path)
    os.environ["DASHBOARD_SEED_DEMO"] = "false"
    get_settings.cache_clear()


def _multiplied(data: bytes, copies: int) -> bytes:
    """A demo project list (UTF-8 with BOM, ``;``) with every project ``copies`` times."""
    text = data.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))
    header, body = rows[0], rows[1:]
    pid, title = header.index("Vorhaben-Nr."), header.index("Bezeichnung des Vorhabens")
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(header)
    for row in body:
        for copy in range(copies):
            if copy == 0:
                writer.writerow(row)
                continue
            clone = list(row)
            clone[pid] = f"{row[pid]}-x{copy}"
            clone[title] = f"{row[title]} ({copy + 1})"
            writer.writerow(clone)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def build(data_set: str, path: Path) -> None:
    """Create the database of a data set (demo: the demo seeding; x10: see module doc)."""
    from loaders.setup import initialise
    from store import connection as db

    _use(path)
    started = time.perf_counter()
    if data_set == "demo":
        initialise(demo=True)
    else:
        from data.demo import DEMO_ACTOR, demo_project_files
        from data.demo_eakte import seed_demo_eakte
        from loaders.ingest import ingest
        from store.identity import Identity

        initialise(demo=False)
        identity = Identity(name=DEMO_ACTOR, role="admin")
        for demo in demo_project_files():
            result = ingest(
                data=_multiplied(demo.data, COPIES),
                file_name=demo.file_name,
                kind="projects",
                authority=demo.authority_id,
                period=demo.period_id,
                identity=identity,
                review_status="published",
                is_demo=True,
                submitted_at=demo.submitted_at,
            )
            if result.outcome != "accepted":
                raise RuntimeError(f"{demo.file_name}: {[p.as_line() for p in result.errors[:3]]}")
        seed_demo_eakte()
    row = db.cursor().execute("SELECT count(*) FROM project_report").fetchone()
    db.close()
    print(
        f"built {path} ({data_set}): {row[0] if row else 0:,} project rows in "
        f"{time.perf_counter() - started:.0f} s",
        file=sys.stderr,
        flush=True,
    )


def database(data_set: str, db_dir: Path) -> Path:
    path = db_dir / f"pages_{data_set}.duckdb"
    if not path.exists():
        db_dir.mkdir(parents=True, exist_ok=True)
        subprocess.run(  # noqa: S603 - fixed interpreter and module
            [
                sys.executable,
                "-m",
                "tests.bench.bench_pages",
                "--build",
                data_set,
                "--db",
                str(path),
            ],
            cwd=PROJECT_ROOT,
            check=True,
        )
    return path


# --- Measuring ------------------------------------------------------------------------------


def _share_bytecode() -> None:
    """AppTest creates a new script cache (and so compiles app and page) on every run; the
    server keeps one per process. Share one, so a rerun costs here what it costs there."""
    from streamlit.runtime.scriptrunner.script_cache import ScriptCache
    from streamlit.testing.v1 import app_test, local_script_runner

    from tests import apptest_pages

    shared = ScriptCache()
    app_test.ScriptCache = lambda: shared  # type: ignore[assignment,misc]
    local_script_runner.ScriptCache = lambda: shared  # type: ignore[assignment,misc]
    # AppTest would also start every run like a fresh server's first run (legacy pages/).
    apptest_pages.run_like_a_running_server()


def _enabler(profiler: cProfile.Profile) -> Any:
    """A profile hook that switches ``profiler`` on in the thread it first fires in."""

    def hook(*_: object) -> None:
        sys.setprofile(None)
        profiler.enable()

    return hook


def _run(at: Any) -> float:
    return _timed(at)[0]


def _timed(at: Any) -> tuple[float, float]:
    """(wall ms, CPU ms of the process) of one rerun; AppTest's own thread only sleeps while
    the script runs, so the CPU time is the script's, which a busy machine distorts less."""
    started, cpu = time.perf_counter(), time.process_time()
    at.run()
    elapsed = (time.perf_counter() - started) * 1000
    used = (time.process_time() - cpu) * 1000
    if at.exception:
        raise RuntimeError(f"page raised: {at.exception[0].value}")
    return elapsed, used


def worker(runs: int, pages: list[str] | None, profile: str | None) -> list[dict[str, Any]]:
    """Runs in the subprocess whose DASHBOARD_DB points at the data set's database."""
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    from ui.navigation import PAGES

    _share_bytecode()
    at = AppTest.from_file(APP, default_timeout=300)
    at.session_state["demo_role"] = "admin"
    at.run()  # open the database, import everything once
    results = []
    for spec in PAGES:
        if "admin" not in spec.roles or (pages and spec.url_path not in pages):
            continue
        if profile and spec.url_path != profile:
            continue
        at.switch_page(spec.path)
        _run(at)  # first visit: page imports, widgets created
        _run(at)
        if profile:
            for label, clear in (("warm", False), ("cold", True)):
                if clear:
                    st.cache_data.clear()
                profiler = cProfile.Profile()
                threading.setprofile(_enabler(profiler))  # the script runs in its own thread
                try:
                    elapsed = _run(at)
                finally:
                    threading.setprofile(None)  # type: ignore[arg-type]
                    profiler.disable()
                print(f"--- {spec.url_path} {label}: {elapsed:.0f} ms", file=sys.stderr)
                pstats.Stats(profiler, stream=sys.stderr).sort_stats("cumulative").print_stats(35)
            continue
        warm, cold = [], []
        for _ in range(runs):
            warm.append(_timed(at))
        for _ in range(runs):
            st.cache_data.clear()
            cold.append(_timed(at))
        results.append(
            {
                "page": spec.url_path,
                "title": spec.title,
                "warm_ms": statistics.median(w for w, _ in warm),
                "warm_cpu_ms": statistics.median(c for _, c in warm),
                "cold_ms": statistics.median(w for w, _ in cold),
                "cold_cpu_ms": statistics.median(c for _, c in cold),
            }
        )
    return results


def measure(data_set: str, path: Path, runs: int, pages: list[str] | None) -> list[dict[str, Any]]:
    env = {**os.environ, "DASHBOARD_DB": str(path), "DASHBOARD_SEED_DEMO": "false"}
    command = [sys.executable, "-m", "tests.bench.bench_pages", "--worker", "--runs", str(runs)]
    if pages:
        command += ["--pages", *pages]
    done = subprocess.run(  # noqa: S603 - fixed interpreter and module
        command, cwd=PROJECT_ROOT, env=env, check=True, capture_output=True, text=True
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def table(results: dict[str, list[dict[str, Any]]], runs: int) -> str:
    pages = [r["page"] for r in results[next(iter(results))]]
    titles = {r["page"]: r["title"] for rows in results.values() for r in rows}
    by = {ds: {r["page"]: r for r in rows} for ds, rows in results.items()}
    header = ["Seite"]
    for ds in results:
        header += [f"{ds} warm ms (CPU)", f"{ds} kalt ms (CPU)"]
    header.append(f"Ziel warm (demo) {TARGET_WARM_MS:.0f} ms")
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for page in pages:
        cells = [titles[page] + (" *" if page in MY_PAGES else "")]
        for ds in results:
            row = by[ds].get(page)
            cells += (
                [
                    f"{row['warm_ms']:.0f} ({row['warm_cpu_ms']:.0f})",
                    f"{row['cold_ms']:.0f} ({row['cold_cpu_ms']:.0f})",
                ]
                if row
                else ["–", "–"]
            )
        demo = by.get("demo", {}).get(page)
        cells.append(
            "–"
            if demo is None
            else ("erfüllt" if demo["warm_ms"] <= TARGET_WARM_MS else "verfehlt")
        )
        lines.append("| " + " | ".join(cells) + " |")
    load = os.getloadavg() if hasattr(os, "getloadavg") else (0, 0, 0)
    lines.append("")
    lines.append(
        f"Median von {runs} Läufen je Zelle: Wandzeit von AppTest.run() als Administrator, in "
        f"Klammern die CPU-Zeit des Prozesses; * = Seiten aus Issue 4. Python {platform.python_version()}, {os.cpu_count()} CPUs, "
        f"Load {load[0]:.1f}/{load[1]:.1f}/{load[2]:.1f}."
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.bench.bench_pages")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--data", nargs="*", choices=DATA_SETS, default=list(DATA_SETS))
    parser.add_argument("--pages", nargs="*", help="URL paths, e.g. uebersicht vorhaben")
    parser.add_argument("--db-dir", type=Path, default=Path("/tmp/bench"))
    parser.add_argument("--profile", help="print a cProfile of one warm and one cold rerun")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--build", choices=DATA_SETS, help=argparse.SUPPRESS)
    parser.add_argument("--db", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.build:
        build(args.build, args.db)
        return 0
    if args.worker:
        print(json.dumps(worker(args.runs, args.pages, args.profile)))
        return 0
    if args.profile:
        path = database(args.data[0], args.db_dir)
        env = {**os.environ, "DASHBOARD_DB": str(path), "DASHBOARD_SEED_DEMO": "false"}
        command = [
            sys.executable,
            "-m",
            "tests.bench.bench_pages",
            "--worker",
            "--profile",
            args.profile,
        ]
        subprocess.run(command, cwd=PROJECT_ROOT, env=env, check=True)  # noqa: S603
        return 0
    results = {}
    for data_set in args.data:
        path = database(data_set, args.db_dir)
        print(f"measuring {data_set} …", file=sys.stderr, flush=True)
        results[data_set] = measure(data_set, path, args.runs, args.pages)
    print(table(results, args.runs))
    return 0


if __name__ == "__main__":
    sys.exit(main())
