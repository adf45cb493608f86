"""Overview figures against a fixture counted by hand."""

from __future__ import annotations

from pathlib import Path

from kpi.overview import headline, periods, projects_by_status, reporting_status
from loaders.ingest import ingest
from store import connection as db
from store.identity import SYSTEM
from tests.builders import csv_bytes, project_row


def _submit(authority: str, period: str, statuses: list[str], *, publish: bool) -> None:
    records = [
        project_row(n, Status=s, **{"Vorhaben-Nr.": f"{authority}-{n}"})
        for n, s in enumerate(statuses, start=1)
    ]
    result = ingest(
        data=csv_bytes(records),
        file_name="x.csv",
        kind="projects",
        authority=authority,
        period=period,
        identity=SYSTEM,
        review_status="published" if publish else "draft",
    )
    assert result.outcome == "accepted"


def test_counts_use_the_latest_published_submission(empty_db: Path) -> None:
    # BA Mitte: an older published list (2 projects) superseded by a newer one (3 projects)
    _submit("ba-mitte", "2026-Q3", ["laufend", "geplant"], publish=True)
    _submit("ba-mitte", "2026-Q3", ["laufend", "abgeschlossen", "abgeschlossen"], publish=True)
    # SenFin: published 1 project, plus a draft with 4 that only counts with drafts included
    _submit("senfin", "2026-Q3", ["pausiert"], publish=True)
    _submit("senfin", "2026-Q3", ["laufend"] * 4, publish=False)
    # LABO: only an older period
    _submit("labo", "2026-Q2", ["laufend"], publish=True)

    cur = db.cursor()
    assert periods(cur) == ["2026-Q3", "2026-Q2"]
    status = projects_by_status(cur, period="2026-Q3").set_index("status")["projects"]
    assert status.to_dict() == {
        "not_started": 0,
        "in_progress": 1,
        "reorienting": 0,
        "paused": 1,
        "completed": 2,
        "cancelled": 0,
    }
    with_drafts = projects_by_status(cur, period="2026-Q3", include_unpublished=True)
    assert with_drafts.set_index("status")["projects"]["in_progress"] == 5

    figures = headline(cur, period="2026-Q3")
    expected = cur.execute("SELECT count(*) FROM authority").fetchone()[0]
    assert figures["projects"] == 4
    assert figures["authorities_reported"] == 2
    assert figures["authorities_expected"] == expected
    assert figures["reporting_rate"] == 2 / expected

    reports = reporting_status(cur, period="2026-Q3").set_index("authority_id")
    assert bool(reports.loc["ba-mitte", "reported"]) and reports.loc["ba-mitte", "row_count"] == 3
    assert not bool(reports.loc["labo", "reported"])
    assert reports.loc["labo", "latest_period"] == "2026-Q2"
