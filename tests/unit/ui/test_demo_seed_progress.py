"""The first start's demo seed runs to its end even when the page is stopped meanwhile."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from streamlit.runtime.scriptrunner_utils.exceptions import RerunException, StopException

import loaders.setup
from store.settings import get_settings
from ui import session


class _Bar:
    """A progress bar whose page is stopped at the ``stop_at``-th update."""

    def __init__(self, stop_at: int, exc: BaseException) -> None:
        self.updates = 0
        self.stop_at = stop_at
        self.exc = exc
        self.emptied = False

    def progress(self, share: float, *, text: str) -> None:
        self.updates += 1
        if self.updates == self.stop_at:
            raise self.exc

    def empty(self) -> None:
        self.emptied = True


@pytest.mark.parametrize("exc", [StopException(), RerunException(None)])
def test_a_stopped_page_does_not_stop_the_seed(
    empty_db: Path, monkeypatch: pytest.MonkeyPatch, exc: BaseException
) -> None:
    files = 10
    stored: list[int] = []

    def fake_initialise(*, demo: bool, progress: Callable[[float, str], None] | None = None):
        if demo:
            for n in range(1, files + 1):
                stored.append(n)
                if progress:
                    progress(n / files, f"Datei {n}")

    bar = _Bar(stop_at=3, exc=exc)
    monkeypatch.setenv("DASHBOARD_SEED_DEMO", "true")
    get_settings.cache_clear()
    monkeypatch.setattr(loaders.setup, "initialise", fake_initialise)
    monkeypatch.setattr(loaders.setup, "demo_seed_pending", lambda: True)
    monkeypatch.setattr(session.st, "progress", lambda *a, **k: bar)
    monkeypatch.setattr(session.st, "toast", lambda *a, **k: None)
    session._ready.discard(str(get_settings().db))

    with pytest.raises(type(exc)):
        session.ensure_database()

    assert stored == list(range(1, files + 1))  # every file, after the stop
    assert bar.updates == 3  # no update after the stop
    assert str(get_settings().db) in session._ready  # not seeded twice by this process


def test_progress_is_shown_when_nothing_stops_the_page() -> None:
    seen: list[tuple[float, str]] = []
    progress = session.DeferredProgress(lambda share, text: seen.append((share, text)))
    progress(0.5, "halb")
    progress(1.0, "fertig")
    progress.raise_deferred()
    assert seen == [(0.5, "halb"), (1.0, "fertig")]
