"""Cold start of ``streamlit run app.py``: until ``/_stcore/health`` answers, and until the
first page is rendered in a real browser.

    python -m tests.bench.bench_startup                    # demo, berlin, national, 3 runs each
    python -m tests.bench.bench_startup --scales berlin --runs 5

Each run starts a new server process on the scale's database (file watcher off, loopback) and
polls the health endpoint every 50 ms; as soon as it answers, headless Chromium
(``/usr/bin/chromium`` through Playwright, launched beforehand and not counted) opens the app
and waits until the overview's heading and its first figure are visible. Both times count from
the moment the process was started. The first page includes everything a first visitor waits
for: Python imports, opening and checking the database (migrations, lockdown self-test), the
session's first script run with empty caches, and the browser rendering it. Median of
``--runs``. Not part of the test suite.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from tests.bench.bench_pages_scale import DEFAULT_DB_DIR, SCALES, database
from tests.bench.streamlit_server import load_average, start

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ("--headless", "--no-sandbox", "--disable-gpu", "--no-first-run")
FIRST_PAGE_TITLE = "Übersicht"
RENDER_TIMEOUT_MS = 180_000


def measure(browser: Any, db_path: Path, workdir: Path) -> dict[str, float]:
    from playwright.sync_api import expect

    server = start(db_path, log=workdir / "streamlit.log")
    try:
        health = server.wait_healthy()
        context = browser.new_context(locale="de-DE", timezone_id="Europe/Berlin")
        page = context.new_page()
        page.goto(server.url, timeout=RENDER_TIMEOUT_MS)
        heading = page.get_by_role("heading", name=FIRST_PAGE_TITLE, level=1)
        expect(heading).to_be_visible(timeout=RENDER_TIMEOUT_MS)
        expect(page.get_by_test_id("stMetric").first).to_be_visible(timeout=RENDER_TIMEOUT_MS)
        rendered = time.perf_counter() - server.started
        context.close()
        return {"health_s": health, "first_page_s": rendered, "rss_mb": server.rss_mb()}
    finally:
        server.stop()


def run(scales: list[str], *, runs: int, db_dir: Path) -> list[dict[str, Any]]:
    from playwright.sync_api import sync_playwright

    if not CHROMIUM.exists():
        raise SystemExit(f"{CHROMIUM} missing (apt-get install chromium); nothing is downloaded")
    results = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=list(CHROMIUM_ARGS)
        )
        try:
            for scale in scales:
                source = database(scale, db_dir)
                samples = []
                with tempfile.TemporaryDirectory(prefix="dashboard-startup-") as tmp:
                    workdir = Path(tmp)
                    for _ in range(runs):
                        db_path = workdir / "start.duckdb"
                        shutil.copy(source, db_path)
                        samples.append(measure(browser, db_path, workdir))
                        db_path.unlink()
                        print(f"{scale}: {samples[-1]}", file=sys.stderr, flush=True)
                results.append(
                    {
                        "scale": scale,
                        "runs": runs,
                        "health_s": statistics.median(s["health_s"] for s in samples),
                        "first_page_s": statistics.median(s["first_page_s"] for s in samples),
                        "rss_mb": statistics.median(s["rss_mb"] for s in samples),
                        "load": load_average(),
                    }
                )
        finally:
            browser.close()
    return results


def markdown(results: list[dict[str, Any]]) -> str:
    from ui.format import number

    lines = [
        "| Skala | bis /_stcore/health | bis erste Seite sichtbar | RSS danach | Last (1/5/15 min) |",
        "|---|---:|---:|---:|---|",
    ]
    for r in results:
        lines.append(
            f"| {r['scale']} | {number(r['health_s'], decimals=1)} s "
            f"| {number(r['first_page_s'], decimals=1)} s | {number(r['rss_mb'])} MiB "
            f"| {r['load']} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", default=",".join(SCALES))
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--db-dir", type=Path, default=DEFAULT_DB_DIR)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    results = run(args.scales.split(","), runs=args.runs, db_dir=args.db_dir)
    print(markdown(results))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
