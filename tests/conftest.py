"""Shared fixtures: an isolated database per test, and the demo set seeded once per run."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from store import connection as db
from store.settings import get_settings


def use_database(monkeypatch: pytest.MonkeyPatch, path: Path) -> None:
    """Point the process at ``path`` (settings are cached, the connection is per process)."""
    db.close()
    monkeypatch.setenv("DASHBOARD_DB", str(path))
    monkeypatch.setenv("DASHBOARD_SEED_DEMO", "false")
    get_settings.cache_clear()


@pytest.fixture
def empty_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A fresh, initialised database with reference data and no submissions."""
    from loaders.setup import initialise

    path = tmp_path / "test.duckdb"
    use_database(monkeypatch, path)
    initialise(demo=False)
    yield path
    db.close()
    get_settings.cache_clear()


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo set, seeded once per test run through the real loaders (takes seconds)."""
    from loaders.setup import initialise

    path = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    with pytest.MonkeyPatch.context() as mp:
        use_database(mp, path)
        initialise(demo=True)
        db.close()
    get_settings.cache_clear()
    return path


@pytest.fixture
def demo_db(demo_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A private copy of the demo database for one test."""
    path = tmp_path / "demo.duckdb"
    shutil.copy(demo_template, path)
    use_database(monkeypatch, path)
    yield path
    db.close()
    get_settings.cache_clear()
