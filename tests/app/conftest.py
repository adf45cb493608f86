"""Page tests run AppTest like a server that is already up (see ``tests/apptest_pages.py``)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests import apptest_pages


@pytest.fixture(autouse=True)
def _running_server(request: pytest.FixtureRequest) -> Iterator[None]:
    if request.node.get_closest_marker("first_server_run") is None:
        apptest_pages.run_like_a_running_server()
    try:
        yield
    finally:
        apptest_pages.restore()
