"""Browser-test harness: a real ``streamlit run`` on a free loopback port, driven by Playwright.

Fixtures
--------
``app_server`` (module scope)
    Starts ``python -m streamlit run app.py`` on 127.0.0.1 with a private copy of the demo
    database (seeded once per test run by ``demo_template`` in ``tests/conftest.py``), waits
    up to ``SERVER_START_TIMEOUT`` seconds for ``/_stcore/health`` to answer ``ok`` and yields
    the base URL (``http://127.0.0.1:PORT``). All tests of one module share the server and its
    database: starting Streamlit costs seconds, so a test that changes data belongs in its own
    module, or must not assume the data another test of the module left behind. The server's
    stdout/stderr go to ``streamlit.log`` in a pytest temp directory; a failing test gets the
    tail of that log in its report.
``browser`` (session scope)
    Debian's chromium at ``/usr/bin/chromium`` through Playwright's sync API, headless. Each
    launch gets a fresh temporary profile: Playwright refuses ``--user-data-dir`` in ``args`` of
    ``launch()`` and passes its own new temp directory instead, deleting it on close. If the
    browser is missing, the tests are skipped, unless ``DASHBOARD_E2E_REQUIRED=1`` (CI), in
    which case they fail. No browser is ever downloaded.
``page`` (function scope)
    A new browser context (own cookies and storage, German locale) and page per test, with
    bounded default timeouts.

Every test under ``tests/e2e`` is marked ``e2e`` (``pytest -m "not e2e"`` skips them).
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
PROJECT_ROOT = Path(__file__).resolve().parents[2]
SERVER_START_TIMEOUT = 60.0  # seconds until /_stcore/health must answer
SERVER_STOP_TIMEOUT = 10.0  # seconds between SIGTERM and SIGKILL
BROWSER_LAUNCH_TIMEOUT_MS = 30_000
PAGE_TIMEOUT_MS = 20_000  # default for every Playwright action and expectation
CHROMIUM_ARGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
)
LOG_TAIL_CHARS = 6_000

# base URL -> log file of the server answering there, for failure reports
_SERVER_LOGS: dict[str, Path] = {}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if item.path.is_relative_to(here):
            item.add_marker(pytest.mark.e2e)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    report = yield
    if report.failed:
        url = getattr(item, "funcargs", {}).get("app_server")
        log = _SERVER_LOGS.get(url) if isinstance(url, str) else None
        if log is not None and log.exists():
            report.sections.append((f"streamlit log ({log})", _tail(log)))
    return report


def _e2e_required() -> bool:
    return os.environ.get("DASHBOARD_E2E_REQUIRED", "").strip() == "1"


def _unavailable(reason: str) -> None:
    """Skip locally; fail in CI, where the browser tests are mandatory."""
    if _e2e_required():
        pytest.fail(f"{reason} (DASHBOARD_E2E_REQUIRED=1, so this is an error)", pytrace=False)
    pytest.skip(reason)


def _tail(path: Path, chars: int = LOG_TAIL_CHARS) -> str:
    text = path.read_text(encoding="utf-8", errors="replace")
    return text[-chars:]


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:  # noqa: S310
            return response.status == 200 and response.read().strip() == b"ok"
    except (urllib.error.URLError, OSError):
        return False


def _stop(process: subprocess.Popen[bytes]) -> None:
    """Terminate the server's whole process group, escalating to SIGKILL."""
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        process.wait(timeout=SERVER_STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            return
        process.wait(timeout=SERVER_STOP_TIMEOUT)


def _start_streamlit(*, db_path: Path, log_path: Path) -> tuple[subprocess.Popen[bytes], str]:
    """Start the app and wait for its health endpoint; a port taken meanwhile gets a retry."""
    env = {
        **os.environ,
        "DASHBOARD_DB": str(db_path),
        "DASHBOARD_SEED_DEMO": "false",
        "PYTHONUNBUFFERED": "1",
    }
    for attempt in range(3):
        port = _free_port()
        url = f"http://127.0.0.1:{port}"
        command = [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            "app.py",
            "--server.headless",
            "true",
            "--server.address",
            "127.0.0.1",
            "--server.port",
            str(port),
            "--browser.gatherUsageStats",
            "false",
            "--server.fileWatcherType",
            "none",
        ]
        log = log_path.open("ab")
        log.write(f"--- attempt {attempt + 1}: {' '.join(command)}\n".encode())
        log.flush()
        process = subprocess.Popen(  # noqa: S603 - fixed command line
            command,
            cwd=PROJECT_ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # own process group, so teardown reaches every child
        )
        log.close()
        deadline = time.monotonic() + SERVER_START_TIMEOUT
        while time.monotonic() < deadline:
            if process.poll() is not None:
                break
            if _healthy(url):
                return process, url
            time.sleep(0.2)
        _stop(process)
        if "already in use" not in _tail(log_path):
            break
    raise RuntimeError(
        f"streamlit did not answer {url}/_stcore/health with 'ok' within "
        f"{SERVER_START_TIMEOUT:.0f} s (exit code {process.returncode}). Log {log_path}:\n"
        + _tail(log_path)
    )


@contextmanager
def _serving_demo_copy(demo_template: Path, workdir: Path) -> Iterator[str]:
    """A running app on a private copy of the demo database; its URL while the block runs."""
    db_path = workdir / "dashboard.duckdb"
    shutil.copy(demo_template, db_path)
    log_path = workdir / "streamlit.log"
    process, url = _start_streamlit(db_path=db_path, log_path=log_path)
    _SERVER_LOGS[url] = log_path
    try:
        yield url
    finally:
        _stop(process)
        _SERVER_LOGS.pop(url, None)


@pytest.fixture(scope="module")
def app_server(demo_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Base URL of a running app on a private copy of the demo database (see module doc)."""
    with _serving_demo_copy(demo_template, tmp_path_factory.mktemp("app_server")) as url:
        yield url


@pytest.fixture
def fresh_app_server(demo_template: Path, tmp_path: Path) -> Iterator[str]:
    """A server of its own whose first session is the test's: some behaviour (Streamlit's
    legacy page discovery) exists only in the first script run of a server process."""
    with _serving_demo_copy(demo_template, tmp_path) as url:
        yield url


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Headless Debian chromium; skipped (or failed in CI) when it is not installed."""
    if not (CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)):
        _unavailable(
            f"{CHROMIUM} not found: browser tests need Debian's chromium "
            "(apt-get install chromium); no browser is downloaded"
        )
    try:
        from playwright.sync_api import Error, sync_playwright
    except ImportError:
        _unavailable("python package 'playwright' is not installed (requirements-dev.txt)")
    with sync_playwright() as playwright:
        try:
            instance = playwright.chromium.launch(
                executable_path=str(CHROMIUM),
                headless=True,
                args=list(CHROMIUM_ARGS),
                timeout=BROWSER_LAUNCH_TIMEOUT_MS,
            )
        except Error as exc:
            pytest.fail(f"{CHROMIUM} could not be started by Playwright: {exc}", pytrace=False)
        try:
            yield instance
        finally:
            instance.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A fresh context and page per test, German locale, bounded timeouts."""
    from playwright.sync_api import expect

    expect.set_options(timeout=PAGE_TIMEOUT_MS)
    context = browser.new_context(locale="de-DE", timezone_id="Europe/Berlin")
    context.set_default_timeout(PAGE_TIMEOUT_MS)
    context.set_default_navigation_timeout(PAGE_TIMEOUT_MS)
    page = context.new_page()
    try:
        yield page
    finally:
        context.close()
