"""AppTest starts every run like the first run of a fresh server process.

A Streamlit server uses the legacy ``pages/`` discovery for exactly one script run — the first
of the process; ``st.navigation`` in ``app.py`` switches it off for good. AppTest resets that
switch before *every* run, so each run of a non-default page would go through
``ui.page_guard``'s hand-over to ``app.py`` (a rerun, which drops button clicks, as a real
server would do only for the first visit after its start). Tests of pages and the page
benchmarks therefore run AppTest like a server that is already up; the tests of the first
run itself opt out with ``@pytest.mark.first_server_run``.
"""

from __future__ import annotations

from typing import Any

from streamlit.runtime.pages_manager import PagesManager
from streamlit.testing.v1 import app_test


class _RunningServerPagesManager:
    """Stands in for the class AppTest instantiates before each run."""

    uses_pages_directory: bool | None = None  # AppTest writes here; ignored

    def __new__(cls, *args: Any, **kwargs: Any) -> PagesManager:  # type: ignore[misc]
        manager = PagesManager(*args, **kwargs)
        PagesManager.uses_pages_directory = False
        return manager


def run_like_a_running_server() -> None:
    """Patch AppTest for the rest of the process (benchmarks); tests use the fixture."""
    app_test.PagesManager = _RunningServerPagesManager  # type: ignore[misc,assignment]


def restore() -> None:
    app_test.PagesManager = PagesManager  # type: ignore[misc]
