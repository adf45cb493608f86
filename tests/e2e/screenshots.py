"""Screenshots of every registered page in light and dark theme, for the README.

Run on demand (not part of the test suite; takes about two minutes, mostly seeding the demo
data)::

    python -m tests.e2e.screenshots [--out docs/screenshots]

It seeds the demo data set into a temporary database, starts ``streamlit run app.py`` on a
free loopback port (the same way as the browser tests), opens every page under the most
privileged demo role that may see it, in a browser that prefers the light and then the dark
colour scheme, and writes ``<url_path>-light.png`` / ``<url_path>-dark.png``. Emoji icons need
a colour emoji font (Debian: ``fonts-noto-color-emoji``); without it they show as boxes.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, PROJECT_ROOT, _start_streamlit, _stop
from tests.e2e.visit import visit_every_page

VIEWPORT = {"width": 1440, "height": 900}


def seed_demo(path: Path) -> None:
    """The demo set through the real loaders, into ``path``."""
    os.environ["DASHBOARD_DB"] = str(path)
    os.environ["DASHBOARD_SEED_DEMO"] = "false"
    from loaders.setup import initialise
    from store import connection as db
    from store.settings import get_settings

    get_settings.cache_clear()
    initialise(demo=True)
    db.close()


def take(out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    with tempfile.TemporaryDirectory() as work:
        db_path = Path(work) / "demo.duckdb"
        seed_demo(db_path)
        process, url = _start_streamlit(db_path=db_path, log_path=Path(work) / "streamlit.log")
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=str(CHROMIUM), headless=True, args=list(CHROMIUM_ARGS)
                )
                for scheme in ("light", "dark"):
                    context = browser.new_context(
                        locale="de-DE",
                        timezone_id="Europe/Berlin",
                        color_scheme=scheme,
                        viewport=VIEWPORT,
                    )
                    page = context.new_page()

                    def shoot(role: str, spec, page=page, scheme=scheme) -> None:
                        page.evaluate("window.scrollTo(0, 0)")
                        target = out / f"{spec.url_path}-{scheme}.png"
                        page.screenshot(path=str(target))
                        written.append(target)
                        print(f"{target.relative_to(PROJECT_ROOT)} ({spec.title}, {role})")

                    visit_every_page(page, url, shoot)
                    context.close()
                browser.close()
        finally:
            _stop(process)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=PROJECT_ROOT / "docs" / "screenshots")
    args = parser.parse_args(argv)
    if not CHROMIUM.is_file():
        print(f"{CHROMIUM} fehlt (apt-get install chromium).", file=sys.stderr)
        return 2
    written = take(args.out.resolve())
    print(f"{len(written)} Bildschirmfotos in {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
