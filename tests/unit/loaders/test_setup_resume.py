"""An interrupted first start must not leave a partial demo set behind for good.

The app seeds the demo set on the first start and reports progress after every file; when
the visitor closes the tab or reruns the page meanwhile, Streamlit raises out of that progress
call and the seeding stops after some files. The next start must complete the set, and the
result must equal an uninterrupted seed.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from loaders.setup import demo_seed_pending, initialise
from store import connection as db

_COMPARED = (
    "SELECT kind, period_id, authority_id, file_name, content_sha256, row_count, review_status "
    "FROM submission ORDER BY ALL"
)


class _Interrupted(Exception):
    """Stands in for Streamlit's StopException/RerunException raised from a progress call."""


def _interrupt_after(calls: int):  # noqa: ANN202 - a progress callback
    seen = {"n": 0}

    def progress(share: float, text: str) -> None:
        seen["n"] += 1
        if seen["n"] == calls:
            raise _Interrupted(text)

    return progress


def _facts(path: Path) -> tuple[list[tuple], dict[str, int]]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        rows = con.execute(_COMPARED).fetchall()
        counts = {
            table: con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # noqa: S608
            for table in ("project_report", "eakte_status", "service_status", "catalog_entry")
        }
    finally:
        con.close()
    return rows, counts


def test_an_interrupted_seed_is_completed_on_the_next_start(
    empty_db: Path, demo_template: Path
) -> None:
    # 240 project files, 24 E-Akte files, then the services: stop before the last two
    with pytest.raises(_Interrupted):
        initialise(demo=True, progress=_interrupt_after(240 + 24 + 10))
    assert demo_seed_pending()
    partial, _ = _facts_open(empty_db)
    assert 0 < len(partial)

    result = initialise(demo=True)

    assert result.demo_submissions == 2  # the two missing service files
    assert not demo_seed_pending()
    db.close()
    assert _facts(empty_db) == _facts(demo_template)


def test_a_complete_seed_is_not_repeated(demo_db: Path) -> None:
    assert not demo_seed_pending()
    before = _facts_open(demo_db)
    assert initialise(demo=True).demo_submissions == 0
    assert _facts_open(demo_db) == before


def test_a_complete_seed_from_before_the_marker_is_only_marked(demo_db: Path) -> None:
    """Demo databases seeded before the marker existed are complete: checked once, marked."""
    db.connection().execute("DELETE FROM meta WHERE key = 'demo_seed'")
    assert demo_seed_pending()
    before = _facts_open(demo_db)
    assert initialise(demo=True).demo_submissions == 0
    assert not demo_seed_pending()
    assert _facts_open(demo_db) == before


def test_real_submissions_are_never_mixed_with_a_resumed_demo(empty_db: Path) -> None:
    from loaders.ingest import ingest
    from store.identity import Identity
    from tests.builders import csv_bytes, rows

    admin = Identity(name="Test", role="admin")
    with pytest.raises(_Interrupted):
        initialise(demo=True, progress=_interrupt_after(3))
    result = ingest(
        data=csv_bytes(rows(3)),
        file_name="eigene.csv",
        kind="projects",
        authority="SenFin",
        period="2026-Q3",
        identity=admin,
    )
    assert result.outcome == "accepted", result.message
    before, _ = _facts_open(empty_db)

    assert not demo_seed_pending()
    assert initialise(demo=True).demo_submissions == 0
    assert _facts_open(empty_db)[0] == before


def _facts_open(path: Path) -> tuple[list[tuple], dict[str, int]]:
    db.close()
    try:
        return _facts(path)
    finally:
        db.connection()
