"""Review steps draft → checked → published: admins only, with comments, each in the audit
log in the same transaction, and the dashboards count a submission once it is published."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kpi.overview import headline
from kpi.submissions import review_events, review_queue
from loaders.ingest import ingest
from store import connection as db
from store.identity import Identity
from store.review import ReviewRefused, allowed_steps, change_review_status
from tests.builders import csv_bytes, project_row

ADMIN = Identity(name="Datenverantwortung", role="admin")
PANKOW = Identity(name="Koordination Pankow", role="coordinator", authority_id="ba-pankow")
ANALYST = Identity(name="Analyse", role="analyst")


def _draft(rows: int = 3, *, period: str = "2026-Q3") -> int:
    result = ingest(
        data=csv_bytes([project_row(n) for n in range(1, rows + 1)]),
        file_name="pankow.csv",
        kind="projects",
        authority="ba-pankow",
        period=period,
        identity=PANKOW,
    )
    assert result.outcome == "accepted" and result.submission_id is not None
    return result.submission_id


def _status(submission_id: int) -> str:
    row = (
        db.cursor()
        .execute("SELECT review_status FROM submission WHERE id = ?", [submission_id])
        .fetchone()
    )
    return str(row[0])


def _audit(submission_id: int) -> list[tuple[str, str, dict[str, object]]]:
    rows = (
        db.cursor()
        .execute(
            "SELECT actor, action, detail FROM audit_log WHERE submission_id = ? ORDER BY id",
            [submission_id],
        )
        .fetchall()
    )
    return [(a, b, json.loads(c) if c else {}) for a, b, c in rows]


def test_chain_with_comments_and_audit_entries(empty_db: Path) -> None:
    sid = _draft()
    assert _status(sid) == "draft"
    assert allowed_steps("draft") == ["checked"]

    checked = change_review_status(
        submission_id=sid, to_status="checked", identity=ADMIN, comment="Plausibel."
    )
    assert (checked.from_status, checked.to_status) == ("draft", "checked")
    assert "geprüft" in checked.message
    change_review_status(submission_id=sid, to_status="published", identity=ADMIN)

    assert _status(sid) == "published"
    events = review_events(db.cursor(), submission_id=sid)
    assert list(zip(events["from_status"], events["to_status"], strict=True)) == [
        ("draft", "checked"),
        ("checked", "published"),
    ]
    assert events["comment"].iloc[0] == "Plausibel."
    audit = _audit(sid)
    assert [a[1] for a in audit] == [
        "submission_accepted",
        "submission_checked",
        "submission_published",
    ]
    assert audit[1][0] == "Datenverantwortung"
    assert audit[1][2]["comment"] == "Plausibel."


def test_review_step_bumps_data_version(empty_db: Path) -> None:
    sid = _draft()
    before = db.data_version()
    change_review_status(submission_id=sid, to_status="checked", identity=ADMIN)
    assert db.data_version() == before + 1


def test_dashboards_count_a_submission_once_published(empty_db: Path) -> None:
    sid = _draft(rows=4)
    cur = db.cursor()
    assert headline(cur, period="2026-Q3")["projects"] == 0
    assert headline(cur, period="2026-Q3", include_unpublished=True)["projects"] == 4

    change_review_status(submission_id=sid, to_status="checked", identity=ADMIN)
    assert headline(db.cursor(), period="2026-Q3")["projects"] == 0
    change_review_status(submission_id=sid, to_status="published", identity=ADMIN)
    figures = headline(db.cursor(), period="2026-Q3")
    assert figures["projects"] == 4
    assert figures["authorities_reported"] == 1


@pytest.mark.parametrize("identity", [PANKOW, ANALYST])
def test_only_admins_review_and_refusals_are_logged(empty_db: Path, identity: Identity) -> None:
    sid = _draft()
    with pytest.raises(ReviewRefused) as refused:
        change_review_status(submission_id=sid, to_status="checked", identity=identity)
    assert "CDO-Büros" in refused.value.message
    assert _status(sid) == "draft"
    assert _audit(sid)[-1][:2] == (identity.name, "action_refused")


def test_steps_cannot_be_skipped_and_going_back_needs_a_comment(empty_db: Path) -> None:
    sid = _draft()
    with pytest.raises(ReviewRefused, match="Reihenfolge"):
        change_review_status(submission_id=sid, to_status="published", identity=ADMIN)
    change_review_status(submission_id=sid, to_status="checked", identity=ADMIN)
    with pytest.raises(ReviewRefused, match="Kommentar"):
        change_review_status(submission_id=sid, to_status="draft", identity=ADMIN)
    assert _status(sid) == "checked"

    change_review_status(
        submission_id=sid, to_status="draft", identity=ADMIN, comment="Ampelbegründungen fehlen."
    )
    assert _status(sid) == "draft"
    assert _audit(sid)[-1][1] == "submission_reverted"


def test_withdrawing_a_publication(empty_db: Path) -> None:
    sid = _draft()
    change_review_status(submission_id=sid, to_status="checked", identity=ADMIN)
    change_review_status(submission_id=sid, to_status="published", identity=ADMIN)
    assert allowed_steps("published") == ["checked"]
    change_review_status(
        submission_id=sid, to_status="checked", identity=ADMIN, comment="Zahlen falsch."
    )
    assert headline(db.cursor(), period="2026-Q3")["projects"] == 0


def test_a_stale_view_does_not_apply_a_step(empty_db: Path) -> None:
    sid = _draft()
    change_review_status(submission_id=sid, to_status="checked", identity=ADMIN)
    with pytest.raises(ReviewRefused) as stale:
        change_review_status(
            submission_id=sid, to_status="checked", identity=ADMIN, expected_status="draft"
        )
    assert "inzwischen" in stale.value.message
    with pytest.raises(ReviewRefused, match="gibt es nicht"):
        change_review_status(submission_id=9999, to_status="checked", identity=ADMIN)


def test_review_queue_lists_waiting_submissions_and_marks_superseded(empty_db: Path) -> None:
    first = _draft(rows=2)
    second = _draft(rows=3)
    queue = review_queue(db.cursor())
    assert list(queue["id"]) == [first, second]
    assert list(queue["superseded"]) == [True, False]
    change_review_status(submission_id=second, to_status="checked", identity=ADMIN)
    assert list(review_queue(db.cursor(), statuses=("checked",))["id"]) == [second]
