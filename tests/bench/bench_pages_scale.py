"""Server-side rerun time of every page at demo, berlin and national scale (AppTest).

    python -m tests.bench.bench_pages_scale                       # all scales, all pages
    python -m tests.bench.bench_pages_scale --scales berlin --runs 7
    python -m tests.bench.bench_pages_scale --scales national --profile online-dienste

Each scale runs in its own subprocess on its database (``--db-dir``, default /tmp/bench;
created with ``python -m data.generate`` when missing). For every page of the registry
(``ui.navigation.PAGES``, as admin, who may open them all):

- **cold**: Streamlit's data cache cleared before the run, i.e. the first view after an
  upload bumped ``data_version`` (DuckDB's own buffers and the OS page cache stay warm);
- **warm**: the same page rerun with its cache filled (a filter click that hits the cache);
- **filter change**: the authority filter set to an authority not chosen before (a new cache
  key for everything that depends on the selection; selection-independent results such as the
  recommendations' rule evidence stay cached, as on a server in use).

The time is ``AppTest.run()`` wall time: the whole script run on the server including
Altair/Arrow serialisation, without the network and the browser. AppTest would recompile the
scripts on every run, which the server does not; the bench shares one bytecode cache. The median of ``--runs``
runs is reported. ``--profile URL_PATH`` prints a cProfile of one warm and one cold rerun of
that page instead. Not part of the test suite.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
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
SCALES = ("demo", "berlin", "national")
TARGET_WARM_MS = {"demo": 150.0, "berlin": 150.0, "national": 1000.0}
DEFAULT_DB_DIR = Path("/tmp/bench")


def database(scale: str, db_dir: Path) -> Path:
    """The benchmark database of a scale, generated on first use (national: ~2 minutes)."""
    path = db_dir / f"{scale}.duckdb"
    if not path.exists():
        db_dir.mkdir(parents=True, exist_ok=True)
        print(f"generating {path} …", file=sys.stderr, flush=True)
        subprocess.run(  # noqa: S603 - fixed interpreter and module
            [sys.executable, "-m", "data.generate", "--scale", scale, "--out", str(path)],
            cwd=PROJECT_ROOT,
            check=True,
        )
    return path


def _share_bytecode() -> None:
    """Make AppTest rerun like the server (one script cache, pages through ``app.py``)."""
    from tests.bench.bench_pages import _share_bytecode as share

    share()


def _app_test(role: str) -> Any:
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(APP, default_timeout=300)
    at.session_state["demo_role"] = role
    return at


def _timed_run(at: Any) -> float:
    started = time.perf_counter()
    at.run()
    elapsed = (time.perf_counter() - started) * 1000
    if at.exception:
        raise RuntimeError(f"page raised: {at.exception[0].value}")
    return elapsed


def _enabler(profiler: cProfile.Profile) -> Any:
    """A profile hook that switches ``profiler`` on in the thread it first fires in."""

    def hook(*_: object) -> None:
        sys.setprofile(None)
        profiler.enable()

    return hook


def worker(
    scale: str, runs: int, role: str, profile: str | None, sort: str = "cumulative"
) -> list[dict[str, Any]]:
    """Runs inside the subprocess whose DASHBOARD_DB points at the scale's database."""
    import streamlit as st

    from ui.navigation import PAGES

    _share_bytecode()
    at = _app_test(role)
    at.run()  # initialise the database, import everything once
    results = []
    for spec in PAGES:
        if role not in spec.roles:
            continue
        if profile and spec.url_path != profile:
            continue
        at.switch_page(spec.path)
        _timed_run(at)  # first visit: page module imports, widgets created
        if profile:
            for label, clear in (("warm", False), ("cold", True)):
                if clear:
                    st.cache_data.clear()
                profiler = cProfile.Profile()
                # the script runs in a thread AppTest starts: profile that thread
                threading.setprofile(_enabler(profiler))
                try:
                    _timed_run(at)
                finally:
                    threading.setprofile(None)  # type: ignore[arg-type]
                print(f"\n=== {scale} {spec.url_path} {label} ===")
                pstats.Stats(profiler).sort_stats(sort).print_stats(35)
            return []
        results.append(_measure(at, scale, spec.title, spec.url_path, runs))
        for label, choices in DRILL_DOWNS.get(spec.url_path, ()):
            boxes = {box.label: box for box in at.selectbox}
            if not all(name in boxes for name, _ in choices[:1]):
                continue  # e.g. no national data at this scale
            for name, value in choices:
                {box.label: box for box in at.selectbox}[name].set_value(value)
                _timed_run(at)
            results.append(_measure(at, scale, f"{spec.title}: {label}", spec.url_path, runs))
    return results


# Widget states worth their own row: the national drill-down reads the matrix itself.
DRILL_DOWNS: dict[str, tuple[tuple[str, list[tuple[str, str]]], ...]] = {
    "online-dienste": (
        ("Kreise in Bayern", [("Land", "09")]),
        ("eine Gemeinde (6.000 Leistungen)", [("Kreis", "09001"), ("Gemeinde", "09001001")]),
    )
}


def _measure(at: Any, scale: str, page: str, url_path: str, runs: int) -> dict[str, Any]:
    """Median cold (cache cleared) and warm reruns of the page as it stands."""
    import streamlit as st

    cold = []
    for _ in range(runs):
        st.cache_data.clear()
        cold.append(_timed_run(at))
    warm = [_timed_run(at) for _ in range(runs)]
    filtered = _filter_changes(at, runs)
    result = {
        "scale": scale,
        "page": page,
        "url_path": url_path,
        "cold_ms": statistics.median(cold),
        "warm_ms": statistics.median(warm),
        "warm_max_ms": max(warm),
        "filter_ms": statistics.median(filtered) if filtered else None,
        "runs": runs,
    }
    print(
        f"{scale:9} {page:40} cold {result['cold_ms']:8.0f} ms   warm {result['warm_ms']:7.0f} ms"
        + (f"   filter {result['filter_ms']:7.0f} ms" if filtered else ""),
        file=sys.stderr,
        flush=True,
    )
    return result


def _filter_changes(at: Any, runs: int) -> list[float]:
    """A filter click with a selection not seen before: the authority filter set to another
    single authority each run. What the selection does not change stays cached (as on a
    server in use), what depends on it is computed; afterwards the filter is cleared."""
    boxes = [box for box in at.multiselect if box.key == "behoerde"]
    if not boxes:
        return []
    options = list(boxes[0].options)
    times = []
    for n in range(min(runs, len(options))):
        at.multiselect(key="behoerde").set_value([options[(7 * n + 3) % len(options)]])
        times.append(_timed_run(at))
    at.multiselect(key="behoerde").set_value([])
    _timed_run(at)
    return times


def run_scale(
    scale: str,
    *,
    db_dir: Path,
    runs: int,
    role: str,
    profile: str | None,
    sort: str = "cumulative",
) -> list[dict[str, Any]]:
    path = database(scale, db_dir)
    env = {
        **os.environ,
        "DASHBOARD_DB": str(path),
        "DASHBOARD_SEED_DEMO": "false",
        "PYTHONPATH": str(PROJECT_ROOT),
    }
    command = [sys.executable, "-m", "tests.bench.bench_pages_scale", "--worker", scale]
    command += ["--runs", str(runs), "--role", role, "--sort", sort]
    if profile:
        command += ["--profile", profile]
    done = subprocess.run(  # noqa: S603 - fixed interpreter and module
        command, cwd=PROJECT_ROOT, env=env, check=True, stdout=subprocess.PIPE, text=True
    )
    if profile:
        print(done.stdout)
        return []
    return json.loads(done.stdout.strip().splitlines()[-1])


def markdown(results: list[dict[str, Any]]) -> str:
    """One row per page, a cold and a warm column per scale, targets marked."""
    scales = [s for s in SCALES if any(r["scale"] == s for r in results)]
    pages = list(dict.fromkeys(r["page"] for r in results))
    by_key = {(r["scale"], r["page"]): r for r in results}
    header = (
        "| Seite | " + " | ".join(f"{s} kalt | {s} Filterwechsel | {s} warm" for s in scales) + " |"
    )
    lines = [header, "|---|" + "---:|---:|---:|" * len(scales)]
    for page in pages:
        cells = []
        for scale in scales:
            row = by_key.get((scale, page))
            if row is None:
                cells += ["–", "–", "–"]
                continue
            warm = row["warm_ms"]
            mark = " ✅" if warm <= TARGET_WARM_MS[scale] else " ❌"
            filtered = row.get("filter_ms")
            cells += [
                f"{row['cold_ms']:,.0f} ms",
                f"{filtered:,.0f} ms" if filtered is not None else "–",
                f"{warm:,.0f} ms{mark}",
            ]
        lines.append(f"| {page} | " + " | ".join(cells) + " |")
    return "\n".join(lines).replace(",", ".")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", default=",".join(SCALES))
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--role", default="admin")
    parser.add_argument("--db-dir", type=Path, default=DEFAULT_DB_DIR)
    parser.add_argument("--profile", metavar="URL_PATH")
    parser.add_argument("--sort", default="cumulative", help="profile order (pstats key)")
    parser.add_argument("--json", type=Path, help="write the results here")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        results = worker(args.worker, args.runs, args.role, args.profile, args.sort)
        print(json.dumps(results))
        return 0
    results = []
    for scale in args.scales.split(","):
        results += run_scale(
            scale,
            db_dir=args.db_dir,
            runs=args.runs,
            role=args.role,
            profile=args.profile,
            sort=args.sort,
        )
    if results:
        print(markdown(results))
        if args.json:
            args.json.write_text(json.dumps(results, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
