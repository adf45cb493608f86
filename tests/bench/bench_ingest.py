"""Ingest benchmark: the whole data path against just reading the same file.

    python -m tests.bench.bench_ingest                     # 1k/10k/100k rows, xlsx and csv
    python -m tests.bench.bench_ingest --sizes 10000 --formats xlsx
    python -m tests.bench.bench_ingest --profile --sizes 10000 --formats xlsx

For every file the full ingest (``loaders.ingest.ingest`` into a fresh database: guard, read,
header mapping, validation, content hash, one write transaction) is compared with the
fastest plain reader of the same file: for ``.xlsx`` fastexcel
(``read_excel(...).load_sheet(...).to_pandas()``) and python-calamine (``to_python()``); for
``.csv`` Python's ``csv`` module and ``pandas.read_csv(dtype=str)``. Each case runs in its own
subprocess (after an untimed warm-up on a small file) so that its peak memory (``VmHWM``) is
its own; the reported time is the median of several runs. The "CPU ratio" is the same ratio
in CPU seconds of the measuring process (user + system, all threads; DuckDB may write with
more than one thread) against the reader with the least CPU time; a busy shared machine
distorts it far less than wall time. Not part of the test suite.

The "floor" rows answer how far the ratio can fall at all: the same text read the ingest
makes (no guard), then inserting the ingest's own validated rows and committing, without
header mapping, validation, content hash or CHECKPOINT. Any durable ingest does at least this;
the column "+ guard + CHECKPOINT" adds the two steps the house rules require on top.

The 100k-row CSV is larger than the default upload limit (20 MB), so the ingest workers run
with ``DASHBOARD_MAX_UPLOAD_MB=200``.
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
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.bench.generate import DATA_SHEET, TITLE_ROWS, project_rows, write_csv, write_xlsx

PROJECT_ROOT = Path(__file__).resolve().parents[2]
SIZES = (1_000, 10_000, 100_000)
FORMATS = ("xlsx", "csv")
READERS = {"xlsx": ("fastexcel", "calamine"), "csv": ("csv_module", "pandas")}
STAGES = ("guard", "read", "validate", "hash", "write")  # "read" includes "guard"
AUTHORITY = "SenFin"
PERIOD = "2026-Q3"
WARMUP_ROWS = 200
TARGET = {"xlsx": 1.5}  # issue 2: a 10k-row xlsx ingests in at most 1.5x its raw read time


def runs_for(rows: int) -> int:
    return 7 if rows <= 1_000 else 5 if rows <= 10_000 else 3


# --- readers (worker side) -------------------------------------------------------------------


def read_fastexcel(path: Path) -> int:
    import fastexcel

    frame = fastexcel.read_excel(path).load_sheet(DATA_SHEET, header_row=TITLE_ROWS).to_pandas()
    return len(frame)


def read_calamine(path: Path) -> int:
    import python_calamine

    workbook = python_calamine.CalamineWorkbook.from_path(str(path))
    return len(workbook.get_sheet_by_name(DATA_SHEET).to_python())


def read_csv_module(path: Path) -> int:
    with path.open(encoding="cp1252", newline="") as handle:
        return len(list(csv.reader(handle, delimiter=";")))


def read_pandas(path: Path) -> int:
    import pandas as pd

    frame = pd.read_csv(path, sep=";", dtype=str, encoding="cp1252", skiprows=TITLE_ROWS)
    return len(frame)


RAW_READERS: dict[str, Callable[[Path], int]] = {
    "fastexcel": read_fastexcel,
    "calamine": read_calamine,
    "csv_module": read_csv_module,
    "pandas": read_pandas,
}


# --- ingest (worker side) --------------------------------------------------------------------


def _fresh_database(directory: Path) -> None:
    """Point this process at a new, initialised database (not timed)."""
    from loaders.setup import initialise
    from store import connection as db
    from store.settings import get_settings

    db.close()
    handle, name = tempfile.mkstemp(suffix=".duckdb", dir=directory)
    os.close(handle)
    os.unlink(name)
    os.environ["DASHBOARD_DB"] = name
    os.environ["DASHBOARD_SEED_DEMO"] = "false"
    get_settings.cache_clear()
    initialise(demo=False)


def _ingest_arguments(path: Path) -> dict[str, Any]:
    """What the benchmark hands ``ingest``/``prepare``: the file as an admin submits it."""
    from store.identity import Identity

    return {
        "data": path.read_bytes(),
        "file_name": path.name,
        "kind": "projects",
        "authority": AUTHORITY,
        "period": PERIOD,
        "identity": Identity(name="Benchmark", role="admin", authority_id=None),
    }


def ingest_once(path: Path) -> dict[str, float]:
    """One full ingest of ``path``; returns the wall time and the stage split."""
    from loaders.ingest import ingest

    arguments = _ingest_arguments(path)
    cpu = time.process_time()
    start = time.perf_counter()
    result = ingest(**arguments)
    total = time.perf_counter() - start
    cpu = time.process_time() - cpu
    if result.outcome != "accepted":
        problems = "; ".join(p.message for p in result.errors[:5])
        raise SystemExit(f"{path.name}: {result.outcome}: {result.message} {problems}")
    return {
        "total": total,
        "cpu": cpu,
        **{stage: result.timings.get(stage, 0.0) for stage in STAGES},
    }


def _validated_frame(path: Path) -> Any:
    """The rows the ingest would store for ``path`` (not timed)."""
    from loaders.ingest import prepare

    prepared = prepare(**_ingest_arguments(path))
    if prepared.errors:
        raise SystemExit(f"{path.name}: {len(prepared.errors)} errors")
    return prepared.frame


def floor_once(path: Path, *, frame: Any) -> dict[str, float]:
    """The least a durable ingest does: read the file as the ingest reads it, insert the
    validated rows with their submission record, commit; then, timed apart, the CHECKPOINT."""
    from loaders.authorities import resolve_authority
    from loaders.guard import GuardedFile
    from loaders.readers import read_sheets
    from store import connection as db
    from store.reference import ensure_period
    from store.submissions import insert_project_rows, insert_submission

    data = path.read_bytes()
    authority_id = resolve_authority(AUTHORITY)
    cpu = time.process_time()
    start = time.perf_counter()
    kind = "xlsx" if path.suffix == ".xlsx" else "csv"
    read_sheets(GuardedFile(name=path.name, data=data, kind=kind), max_rows=10**6, as_text=True)
    read = time.perf_counter()
    cur = db.connection().cursor()
    cur.begin()
    ensure_period(cur, PERIOD)
    submission_id = insert_submission(
        cur,
        authority_id=authority_id,
        period_id=PERIOD,
        kind="projects",
        file_name=path.name,
        content_sha256="floor",
        submitted_by="Benchmark",
        row_count=len(frame),
        original_file=data,
    )
    insert_project_rows(cur, submission_id=submission_id, frame=frame)
    cur.commit()
    cur.close()
    committed = time.perf_counter()
    cpu = time.process_time() - cpu
    db.connection().execute("CHECKPOINT")
    return {
        "total": committed - start,
        "cpu": cpu,
        "read": read - start,
        "write": committed - read,
        "checkpoint": time.perf_counter() - committed,
    }


def _status_mb(key: str) -> float:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith(f"{key}:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError(f"{key} not in /proc/self/status")


def _rss_mb() -> float:
    return _status_mb("VmRSS")


def _peak_rss_mb() -> float:
    """Peak RSS of this process image. ``ru_maxrss`` is not used: Linux carries the parent's
    high-water mark over fork and exec, so a worker would report the driver's memory."""
    return _status_mb("VmHWM")


def worker(mode: str, path: Path, runs: int, workdir: Path) -> dict[str, Any]:
    """Measure one case in this (fresh) process and return the figures."""
    warmup = workdir / f"warmup.{path.suffix.lstrip('.')}"
    rows = project_rows(WARMUP_ROWS, seed=1)
    (write_xlsx if path.suffix == ".xlsx" else write_csv)(warmup, rows)
    samples: list[dict[str, float]] = []
    if mode == "ingest":
        _fresh_database(workdir)
        ingest_once(warmup)
        baseline = _rss_mb()
        for _ in range(runs):
            _fresh_database(workdir)
            samples.append(ingest_once(path))
    elif mode == "floor":
        _fresh_database(workdir)
        floor_once(warmup, frame=_validated_frame(warmup))
        frame = _validated_frame(path)
        baseline = _rss_mb()
        for _ in range(runs):
            _fresh_database(workdir)
            samples.append(floor_once(path, frame=frame))
    else:
        reader = RAW_READERS[mode]
        reader(warmup)
        baseline = _rss_mb()
        for _ in range(runs):
            cpu = time.process_time()
            start = time.perf_counter()
            reader(path)
            wall = time.perf_counter() - start
            samples.append({"total": wall, "cpu": time.process_time() - cpu})
    medians = {key: statistics.median(s[key] for s in samples) for key in samples[0]}
    return {
        "mode": mode,
        "runs": runs,
        "median": medians,
        "all": [s["total"] for s in samples],
        "baseline_rss_mb": baseline,
        "peak_rss_mb": _peak_rss_mb(),
    }


# --- driver ----------------------------------------------------------------------------------


def run_case(mode: str, path: Path, runs: int, workdir: Path) -> dict[str, Any]:
    env = {**os.environ, "DASHBOARD_MAX_UPLOAD_MB": "200", "DASHBOARD_SEED_DEMO": "false"}
    command = [
        sys.executable,
        "-m",
        "tests.bench.bench_ingest",
        "--worker",
        mode,
        "--file",
        str(path),
        "--runs",
        str(runs),
        "--workdir",
        str(workdir),
    ]
    done = subprocess.run(  # noqa: S603 - fixed command line
        command, cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise SystemExit(f"worker {mode} {path.name} failed:\n{done.stdout}\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def profile(path: Path, workdir: Path, *, top: int = 30) -> str:
    """cProfile of one ingest (in this process), restricted to the project's own code."""
    os.environ.setdefault("DASHBOARD_MAX_UPLOAD_MB", "200")
    warmup = workdir / f"profile-warmup{path.suffix}"
    (write_xlsx if path.suffix == ".xlsx" else write_csv)(warmup, project_rows(WARMUP_ROWS))
    _fresh_database(workdir)
    ingest_once(warmup)
    _fresh_database(workdir)
    profiler = cProfile.Profile()
    profiler.enable()
    ingest_once(path)
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("cumulative").print_stats(r"loaders|store", top)
    stats.sort_stats("tottime").print_stats(top)
    return out.getvalue()


def _fmt(seconds: float) -> str:
    return f"{seconds:.3f}"


def _size(path: Path) -> str:
    size = path.stat().st_size
    return f"{size / 1_048_576:.1f} MB" if size >= 1_048_576 else f"{size / 1024:.0f} kB"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)))
    parser.add_argument("--formats", default=",".join(FORMATS))
    parser.add_argument("--runs", type=int, default=0, help="runs per case (default by size)")
    parser.add_argument("--profile", action="store_true", help="print a cProfile per file")
    parser.add_argument("--keep", type=Path, help="write the generated files here and keep them")
    parser.add_argument(
        "--worker", choices=["ingest", "floor", *RAW_READERS], help=argparse.SUPPRESS
    )
    parser.add_argument("--file", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--workdir", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.worker:
        print(json.dumps(worker(args.worker, args.file, args.runs, args.workdir)))
        return 0

    sizes = [int(s) for s in args.sizes.split(",")]
    formats = [f for f in args.formats.split(",") if f]
    with tempfile.TemporaryDirectory(prefix="bench-ingest-") as tmp:
        files_dir = args.keep or Path(tmp)
        files_dir.mkdir(parents=True, exist_ok=True)
        workdir = Path(tmp) / "work"
        workdir.mkdir()
        results = []
        for rows in sizes:
            data = project_rows(rows)
            for fmt in formats:
                path = files_dir / f"vorhaben_{rows}.{fmt}"
                (write_xlsx if fmt == "xlsx" else write_csv)(path, data)
                runs = args.runs or runs_for(rows)
                print(f"… {path.name} ({_size(path)}), {runs} runs", file=sys.stderr)
                ingest = run_case("ingest", path, runs, workdir)
                floor = run_case("floor", path, runs, workdir)
                readers = {m: run_case(m, path, runs, workdir) for m in READERS[fmt]}
                results.append((fmt, rows, path, ingest, floor, readers))
                if args.profile:
                    print(f"\n### cProfile: {path.name}\n```\n{profile(path, workdir)}```\n")
        print(report(results))
    return 0


def report(
    results: list[tuple[str, int, Path, dict[str, Any], dict[str, Any], dict[str, Any]]],
) -> str:
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    lines = [
        f"Python {platform.python_version()}, {os.cpu_count()} CPU cores, "
        f"{platform.machine()}; median of n runs, each case in its own process; "
        f"load average at the end {load}.",
        "",
        "| file | rows | size | n | ingest s | raw read s (fastest) | ingest ÷ raw | "
        "CPU ratio | read (guard) | map+validate | hash | write | peak RSS ingest | "
        "peak RSS raw read |",
        "|---|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for fmt, rows, path, ingest, _floor, readers in results:
        fastest_name = min(readers, key=lambda m: readers[m]["median"]["total"])
        fastest = readers[fastest_name]
        ratio = ingest["median"]["total"] / fastest["median"]["total"]
        target = TARGET.get(fmt)
        mark = ""
        if target is not None and rows == 10_000:
            mark = " ✅" if ratio <= target else f" ❌ (target ≤ {target})"
        m = ingest["median"]
        cpu_ratio = m["cpu"] / min(r["median"]["cpu"] for r in readers.values())
        lines.append(
            f"| {fmt} | {rows:,} | {_size(path)} | {ingest['runs']} | {_fmt(m['total'])} | "
            f"{_fmt(fastest['median']['total'])} ({fastest_name}) | {ratio:.2f}×{mark} | "
            f"{cpu_ratio:.2f}× | {_fmt(m['read'])} ({_fmt(m['guard'])}) | {_fmt(m['validate'])} | "
            f"{_fmt(m['hash'])} | "
            f"{_fmt(m['write'])} | {ingest['peak_rss_mb']:.0f} MB | "
            f"{fastest['peak_rss_mb']:.0f} MB |"
        )
    lines += [
        "",
        "Floor (median s): read as the ingest reads + insert the validated rows + commit; "
        "no guard, mapping, validation, hash or CHECKPOINT:",
        "",
        "| file | rows | read | insert + commit | floor s | floor ÷ raw | CPU ratio | CHECKPOINT | "
        "guard (from the ingest) | floor + guard + CHECKPOINT ÷ raw |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for fmt, rows, _path, ingest, floor, readers in results:
        raw = min(r["median"]["total"] for r in readers.values())
        f = floor["median"]
        durable = f["total"] + f["checkpoint"] + ingest["median"]["guard"]
        lines.append(
            f"| {fmt} | {rows:,} | {_fmt(f['read'])} | {_fmt(f['write'])} | {_fmt(f['total'])} | "
            f"{f['total'] / raw:.2f}× | "
            f"{f['cpu'] / min(r['median']['cpu'] for r in readers.values()):.2f}× | "
            f"{_fmt(f['checkpoint'])} | "
            f"{_fmt(ingest['median']['guard'])} | {durable / raw:.2f}× |"
        )
    lines += [
        "",
        "Raw readers (median s; peak RSS of the reading process):",
        "",
        "| file | rows | reader | median s | median CPU s | runs s | peak RSS | RSS before |",
        "|---|---:|---|---:|---:|---|---:|---:|",
    ]
    for fmt, rows, _path, ingest, floor, readers in results:
        for name, r in {"ingest": ingest, "floor": floor, **readers}.items():
            runs = ", ".join(_fmt(t) for t in r["all"])
            lines.append(
                f"| {fmt} | {rows:,} | {name} | {_fmt(r['median']['total'])} | "
                f"{_fmt(r['median']['cpu'])} | {runs} | "
                f"{r['peak_rss_mb']:.0f} MB | {r['baseline_rss_mb']:.0f} MB |"
            )
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
