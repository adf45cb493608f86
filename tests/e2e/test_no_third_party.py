"""No request leaves the machine: no web fonts, scripts, images or telemetry from third parties.

A browser records every request of every page (each registered page, under a role that may
open it) and the test fails on any host that is not loopback. Foreign requests are also
aborted by the browser before they are sent, so a regression cannot leak while it is caught.
(LG München I, 20.01.2022, 3 O 17493/20: loading Google Fonts passed visitors' IP addresses
to Google without a legal basis.)
"""

from __future__ import annotations

import ipaddress
import tomllib
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.e2e.visit import start, visit_every_page
from ui.navigation import PAGES

pytestmark = pytest.mark.e2e

CONFIG = Path(__file__).resolve().parents[2] / ".streamlit" / "config.toml"
LOCAL_SCHEMES = {"data", "blob", "about"}  # no network involved
# A documentation address (RFC 5737): never routed, and the browser aborts it anyway.
FOREIGN_PROBE = "http://192.0.2.1/probe.png"


def is_local(url: str) -> bool:
    parts = urlsplit(url)
    if parts.scheme in LOCAL_SCHEMES:
        return True
    host = (parts.hostname or "").strip("[]").lower()
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class Recorder:
    """Every request of a browser context; foreign ones are aborted before they go out."""

    def __init__(self, page: Any) -> None:
        self.urls: list[str] = []
        context = page.context
        context.on("request", lambda request: self.urls.append(request.url))
        page.on("websocket", lambda socket: self.urls.append(socket.url))
        context.route(lambda url: not is_local(url), lambda route: route.abort())

    @property
    def foreign(self) -> list[str]:
        return sorted({u for u in self.urls if not is_local(u)})


def test_url_classification() -> None:
    for url in (
        "http://127.0.0.1:8501/static/js/main.js",
        "ws://127.0.0.1:8501/_stcore/stream",
        "http://localhost:8501/",
        "http://[::1]:8501/",
        "data:image/png;base64,AAAA",
        "blob:http://127.0.0.1:8501/abc",
    ):
        assert is_local(url), url
    for url in (
        "https://fonts.googleapis.com/css2?family=Source+Sans",
        "https://webhooks.fivetran.com/webhooks/x",
        "http://10.0.0.1/",
        "http://192.0.2.1/probe.png",
        "https://cdn.jsdelivr.net/npm/vega@5",
    ):
        assert not is_local(url), url


def test_config_sends_nothing_out() -> None:
    """Usage statistics off, and no theme font or other setting pointing at a URL."""
    config = tomllib.loads(CONFIG.read_text(encoding="utf-8"))
    assert config["browser"]["gatherUsageStats"] is False

    def values(node: Any) -> list[str]:
        if isinstance(node, dict):
            return [v for child in node.values() for v in values(child)]
        if isinstance(node, list):
            return [v for child in node for v in values(child)]
        return [node] if isinstance(node, str) else []

    assert not [v for v in values(config) if "://" in v]


def test_recorder_sees_and_blocks_a_foreign_request(app_server: str, page: Any) -> None:
    """The check can fail: a request to a foreign host is recorded and never answered."""
    recorder = Recorder(page)
    start(page, app_server)
    outcome = page.evaluate(
        """async (url) => {
            try { await fetch(url, {mode: 'no-cors'}); return 'sent'; }
            catch (error) { return 'blocked'; }
        }""",
        FOREIGN_PROBE,
    )
    assert outcome == "blocked"
    assert recorder.foreign == [FOREIGN_PROBE]


def test_no_page_requests_a_foreign_host(app_server: str, page: Any) -> None:
    recorder = Recorder(page)
    visited = visit_every_page(page, app_server, lambda role, spec: None)

    assert {spec.path for _role, spec in visited} == {spec.path for spec in PAGES}
    assert any("/_stcore/stream" in u for u in recorder.urls)  # the recorder saw the app
    assert len(recorder.urls) > 20
    assert recorder.foreign == [], "requests to other hosts:\n" + "\n".join(recorder.foreign)
