"""All benchmarks in one command, printed as the Markdown tables of the README.

    python -m tests.bench.run_all                  # everything (~30-40 minutes on 2 cores)
    python -m tests.bench.run_all --quick          # fewer runs and sessions, to try it out
    python -m tests.bench.run_all --only pages,kpi

Order: benchmark databases (generated into ``--db-dir`` when missing: demo through the
loaders, berlin and national with ``python -m data.generate``), ingest throughput
(``bench_ingest``), page reruns per scale (``bench_pages_scale``), KPI queries DuckDB vs pandas
(``bench_kpi``), similar-project clusters with 10,000-row drafts (``bench_similarity``), cold
start (``bench_startup``), concurrent sessions with and without an upload (``load_sessions``). Times are medians of several runs (see each module); ratios where a
comparison exists. The machine's load average is printed before and after every part: the
figures are only comparable on a quiet machine. The report is also written to
``bench-results/`` (git-ignored).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

from tests.bench import bench_kpi, bench_pages_scale, bench_similarity, bench_startup, load_sessions
from tests.bench.bench_pages_scale import DEFAULT_DB_DIR, PROJECT_ROOT, SCALES, database
from tests.bench.streamlit_server import load_average

PARTS = ("databases", "ingest", "pages", "kpi", "similarity", "startup", "load")


def _versions() -> str:
    import duckdb
    import pandas
    import streamlit

    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1024**3
    return (
        f"{os.cpu_count()} CPU-Kerne, {memory:.0f} GiB RAM, {platform.python_implementation()} "
        f"{platform.python_version()}, Streamlit {streamlit.__version__}, DuckDB "
        f"{duckdb.__version__}, pandas {pandas.__version__}"
    )


def databases(db_dir: Path) -> str:
    from ui.format import number

    lines = ["| Skala | Datei | Größe | erzeugt in |", "|---|---|---:|---:|"]
    for scale in SCALES:
        path = db_dir / f"{scale}.duckdb"
        made = "vorhanden"
        if not path.exists():
            started = time.perf_counter()
            database(scale, db_dir)
            made = f"{number(time.perf_counter() - started, decimals=0)} s"
        size = path.stat().st_size / 1024**2
        lines.append(f"| {scale} | `{path}` | {number(size)} MiB | {made} |")
    return "\n".join(lines)


def ingest(quick: bool) -> str:
    command = [sys.executable, "-m", "tests.bench.bench_ingest"]
    if quick:
        command += ["--sizes", "10000", "--runs", "3"]
    done = subprocess.run(  # noqa: S603 - fixed interpreter and module
        command, cwd=PROJECT_ROOT, check=True, stdout=subprocess.PIPE, text=True
    )
    return done.stdout.strip()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--only", default=",".join(PARTS))
    parser.add_argument("--db-dir", type=Path, default=DEFAULT_DB_DIR)
    parser.add_argument("--out", type=Path, default=PROJECT_ROOT / "bench-results")
    args = parser.parse_args(argv)
    parts = args.only.split(",")
    runs = 3 if args.quick else 5
    sections: list[str] = [
        f"Gemessen am {dt.datetime.now():%d.%m.%Y %H:%M}: {_versions()}. "
        f"Last zu Beginn (1/5/15 min): {load_average()}."
    ]

    def section(title: str, body: str) -> None:
        text = f"### {title}\n\n{body}\n\nLast danach: {load_average()}."
        sections.append(text)
        print(text + "\n", flush=True)

    if "databases" in parts:
        section("Benchmark-Datenbanken", databases(args.db_dir))
    if "ingest" in parts:
        section("Einlesen (Datenpfad)", ingest(args.quick))
    if "pages" in parts:
        results = []
        for scale in SCALES:
            results += bench_pages_scale.run_scale(
                scale, db_dir=args.db_dir, runs=runs, role="admin", profile=None
            )
        section(
            f"Seiten: serverseitiger Lauf (AppTest, Median aus {runs})",
            bench_pages_scale.markdown(results),
        )
    if "kpi" in parts:
        results = []
        for scale in SCALES:
            results += bench_kpi.run_scale(scale, db_dir=args.db_dir, runs=runs)
        section(f"Kennzahlen: DuckDB und pandas (Median aus {runs})", bench_kpi.markdown(results))
    if "similarity" in parts:
        results = [
            bench_similarity.run_case(
                case, function, db_dir=args.db_dir, runs=1 if args.quick else 3
            )
            for case in (("berlin", "draft") if args.quick else bench_similarity.CASES)
            for function in bench_similarity.FUNCTIONS
        ]
        section("Ähnliche Vorhaben und Regelbefunde", bench_similarity.markdown(results))
    if "startup" in parts:
        results = bench_startup.run(list(SCALES), runs=2 if args.quick else 3, db_dir=args.db_dir)
        section("Kaltstart", bench_startup.markdown(results))
    if "load" in parts:
        levels = "1,10" if args.quick else ",".join(map(str, load_sessions.LEVELS))
        command = ["--sessions", levels, "--json", str(args.out / "load.json")]
        command += ["--upload-modes", "check"]
        if args.quick:
            command += ["--upload-sessions", "10", "--upload-cycles", "1", "--actions", "4"]
        args.out.mkdir(parents=True, exist_ok=True)
        done = subprocess.run(  # noqa: S603 - fixed interpreter and module
            [sys.executable, "-m", "tests.bench.load_sessions", *command],
            cwd=PROJECT_ROOT,
            check=True,
            stdout=subprocess.PIPE,
            text=True,
        )
        section("Gleichzeitige Sitzungen (WebSocket, berlin)", done.stdout.strip())
        if not args.quick:
            done = subprocess.run(  # noqa: S603 - fixed interpreter and module
                [sys.executable, "-m", "tests.bench.load_sessions", "--sessions", "30",
                 "--think", "1,3", "--no-upload", "--json", str(args.out / "stress.json")],
                cwd=PROJECT_ROOT,
                check=True,
                stdout=subprocess.PIPE,
                text=True,
            )  # fmt: skip
            section("Stresstest: 30 Sitzungen, Denkzeit 1–3 s", done.stdout.strip())
        # Taking three 10,000-row lists over as drafts while 30 sessions browse (before issue 8's
        # sparse clustering this needed gigabytes; the script stops a server above 6 GiB).
        done = subprocess.run(  # noqa: S603 - fixed interpreter and module
            [sys.executable, "-m", "tests.bench.load_sessions", "--sessions", "",
             "--upload-sessions", "10" if args.quick else "30", "--upload-cycles",
             "1" if args.quick else "3", "--upload-modes", "commit",
             "--json", str(args.out / "commit.json")],
            cwd=PROJECT_ROOT,
            check=True,
            stdout=subprocess.PIPE,
            text=True,
        )  # fmt: skip
        section("Upload mit Übernahme", done.stdout.strip())

    args.out.mkdir(parents=True, exist_ok=True)
    report = args.out / f"bench-{dt.datetime.now():%Y%m%d-%H%M}.md"
    report.write_text("\n\n".join(sections) + "\n", encoding="utf-8")
    print(f"Bericht: {report}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
