"""Sign-in with OpenID Connect in a real browser, against a mock identity provider.

The test starts ``oidc-provider-mock`` on loopback with two predefined users (an admin and an
analyst, their role in a ``groups`` claim), then ``streamlit run app.py`` in ``oidc`` mode with
an ``[auth]`` secrets file pointing at the mock. In chromium each user signs in through the
provider's form, sees exactly their role's pages (the analyst also tries ``/protokoll`` by URL)
and signs out through the provider's end-session page. Every request to a host other than
loopback is blocked (the mock's page would load a stylesheet from a CDN).
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import time
from collections.abc import Iterator
from urllib.parse import urlparse

import pytest

from tests.e2e.conftest import PROJECT_ROOT, SERVER_START_TIMEOUT, _free_port, _healthy, _stop

oidc_provider_mock = pytest.importorskip("oidc_provider_mock")  # requirements-dev.txt

USERS = {
    "ada.admin@cdo.berlin.de": {"name": "Ada Admin", "groups": ["admin"]},
    "anton.analyse@cdo.berlin.de": {"name": "Anton Analyse", "groups": ["analyst", "other"]},
}
LOOPBACK = {"127.0.0.1", "localhost", "::1", "[::1]"}


@pytest.fixture(scope="module")
def provider() -> Iterator[str]:
    os.environ.setdefault("AUTHLIB_INSECURE_TRANSPORT", "1")  # plain http on loopback
    users = [oidc_provider_mock.User(sub=sub, claims=claims) for sub, claims in USERS.items()]
    with oidc_provider_mock.run_server_in_thread(user_claims=users) as server:
        yield f"http://localhost:{server.server_port}"


@pytest.fixture(scope="module")
def oidc_app(provider: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One app server for the module, on a fresh database (reference data, no reports)."""
    tmp_path = tmp_path_factory.mktemp("oidc_app")
    database = tmp_path / "dashboard.duckdb"
    subprocess.run(  # noqa: S603 - fixed command line
        [sys.executable, "-m", "loaders", "init"],
        cwd=PROJECT_ROOT,
        env={**os.environ, "DASHBOARD_DB": str(database)},
        check=True,
        capture_output=True,
    )
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    secrets_file = tmp_path / "secrets.toml"
    secrets_file.write_text(
        "[auth]\n"
        f'redirect_uri = "{url}/oauth2callback"\n'
        f'cookie_secret = "{secrets.token_hex(32)}"\n'
        'client_id = "digitalisierungs-dashboard"\n'
        f'client_secret = "{secrets.token_hex(16)}"\n'
        f'server_metadata_url = "{provider}/.well-known/openid-configuration"\n',
        encoding="utf-8",
    )
    env = {
        **os.environ,
        "DASHBOARD_DB": str(database),
        "DASHBOARD_SEED_DEMO": "false",
        "DASHBOARD_AUTH_MODE": "oidc",
        "AUTHLIB_INSECURE_TRANSPORT": "1",
        "PYTHONUNBUFFERED": "1",
    }
    log_path = tmp_path / "streamlit.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(  # noqa: S603 - fixed command line
            [
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
                "--secrets.files",
                str(secrets_file),
            ],
            cwd=PROJECT_ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + SERVER_START_TIMEOUT
        while not _healthy(url):
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail("streamlit did not start:\n" + log_path.read_text()[-4000:])
            time.sleep(0.2)
        yield url
    finally:
        _stop(process)


def _loopback_only(page) -> list[str]:
    """Abort every request that would leave the machine; return what was blocked."""
    blocked: list[str] = []

    def route(r) -> None:
        host = urlparse(r.request.url).hostname or ""
        if host in LOOPBACK:
            r.continue_()
        else:
            blocked.append(r.request.url)
            r.abort()

    page.route("**/*", route)
    return blocked


def _sign_in(page, app_url: str, user: str) -> None:
    from playwright.sync_api import expect

    page.goto(app_url)
    expect(page.get_by_role("heading", name="Anmeldung")).to_be_visible()
    page.get_by_role("button", name="Anmelden").click()
    page.wait_for_url("**/oauth2/authorize**")
    page.get_by_role("button", name=user).click()
    page.wait_for_url(f"{app_url}/**")


def _sign_out(page, app_url: str) -> None:
    from playwright.sync_api import expect

    page.get_by_role("button", name="Abmelden").click()
    page.wait_for_url("**/oauth2/end_session**")  # the provider ends its session too
    page.get_by_role("button", name="End session").click()
    page.wait_for_url(f"{app_url}/**")
    expect(page.get_by_role("heading", name="Anmeldung")).to_be_visible()


def test_admin_signs_in_sees_admin_pages_and_signs_out(page, oidc_app: str) -> None:
    from playwright.sync_api import expect

    blocked = _loopback_only(page)
    _sign_in(page, oidc_app, "ada.admin@cdo.berlin.de")
    expect(page.get_by_role("heading", name="Übersicht")).to_be_visible()
    sidebar = page.get_by_test_id("stSidebar")
    expect(sidebar.get_by_text("Angemeldet: Ada Admin")).to_be_visible()
    expect(sidebar.get_by_role("link", name="Protokoll")).to_be_visible()
    sidebar.get_by_role("link", name="Protokoll").click()
    expect(page.get_by_role("heading", name="Protokoll")).to_be_visible()
    _sign_out(page, oidc_app)
    page.goto(f"{oidc_app}/protokoll")  # signed out: the URL leads to the sign-in page
    expect(page.get_by_role("heading", name="Anmeldung")).to_be_visible()
    expect(page.get_by_role("heading", name="Protokoll")).to_have_count(0)
    assert all("cdn.jsdelivr.net" in u for u in blocked), blocked  # only the mock's CSS


def test_analyst_sees_no_admin_page_not_even_by_url(page, oidc_app: str) -> None:
    from playwright.sync_api import expect

    _loopback_only(page)
    _sign_in(page, oidc_app, "anton.analyse@cdo.berlin.de")
    expect(page.get_by_role("heading", name="Übersicht")).to_be_visible()
    sidebar = page.get_by_test_id("stSidebar")
    expect(sidebar.get_by_text("Angemeldet: Anton Analyse")).to_be_visible()
    expect(sidebar.get_by_role("link", name="Übersicht")).to_be_visible()
    expect(sidebar.get_by_role("link", name="Protokoll")).to_have_count(0)
    expect(sidebar.get_by_role("link", name="Daten einreichen")).to_have_count(0)
    page.goto(f"{oidc_app}/protokoll")
    dialog = page.get_by_role("dialog", name="Page not found")  # the main page instead
    expect(dialog).to_be_visible()
    page.keyboard.press("Escape")
    expect(dialog).to_have_count(0)
    expect(page.get_by_role("heading", name="Übersicht")).to_be_visible()
    expect(page.get_by_role("heading", name="Protokoll")).to_have_count(0)
    _sign_out(page, oidc_app)
