"""The transactional data path: accepted, already present, superseded, rejected, atomic."""

from __future__ import annotations

from pathlib import Path

import pytest

from loaders import ingest as ingest_module
from loaders.errors import LoaderError, NotAllowed
from loaders.ingest import ingest
from store import connection as db
from store.identity import Identity
from tests.builders import csv_bytes, project_row, rows, xlsx_bytes

ADMIN = Identity(name="Test Admin", role="admin")


def _counts() -> tuple[int, int, int, int]:
    cur = db.cursor()
    return (
        cur.execute("SELECT count(*) FROM submission").fetchone()[0],
        cur.execute("SELECT count(*) FROM project_report").fetchone()[0],
        cur.execute("SELECT count(*) FROM reporting_period").fetchone()[0],
        db.data_version(),
    )


def _ingest(data: bytes, name: str = "liste.csv", **kwargs):
    args = dict(kind="projects", authority="BA Mitte", period="2026-Q3", identity=ADMIN)
    args.update(kwargs)
    return ingest(data=data, file_name=name, **args)


def test_accepted_file_is_stored_with_submission_audit_and_version(empty_db: Path) -> None:
    before = db.data_version()
    result = _ingest(xlsx_bytes(rows(3), title_rows=["Titel"]), "liste.xlsx")
    assert result.outcome == "accepted", [p.as_line() for p in result.problems]
    cur = db.cursor()
    sub = cur.execute(
        "SELECT authority_id, period_id, kind, file_name, row_count, submitted_by, "
        "length(content_sha256), review_status FROM submission"
    ).fetchone()
    assert sub == ("ba-mitte", "2026-Q3", "projects", "liste.xlsx", 3, "Test Admin", 64, "draft")
    assert cur.execute("SELECT count(*) FROM project_report").fetchone()[0] == 3
    audit = cur.execute("SELECT action, submission_id FROM audit_log").fetchall()
    assert audit == [("submission_accepted", result.submission_id)]
    assert db.data_version() == before + 1


def test_same_content_again_is_already_present_even_as_another_format(empty_db: Path) -> None:
    first = _ingest(csv_bytes(rows(4)))
    counts = _counts()
    again = _ingest(csv_bytes(list(reversed(rows(4))), encoding="cp1252"), "andere.csv")
    assert again.outcome == "already_present"
    assert again.submission_id == first.submission_id
    assert "bereits vorhanden" in again.message
    assert _counts() == counts


def test_new_submission_supersedes_and_keeps_history(empty_db: Path) -> None:
    first = _ingest(csv_bytes(rows(2)))
    second = _ingest(csv_bytes(rows(3)))
    assert second.outcome == "accepted" and second.submission_id != first.submission_id
    cur = db.cursor()
    assert cur.execute("SELECT count(*) FROM submission").fetchone()[0] == 2
    assert cur.execute("SELECT count(*) FROM project_report").fetchone()[0] == 5


def test_rejected_file_changes_no_data_only_the_audit(empty_db: Path) -> None:
    _ingest(csv_bytes(rows(2)))
    counts = _counts()
    bad = csv_bytes([project_row(1, Status="in Klärung"), project_row(2, Ampel="orange")])
    result = _ingest(bad, "kaputt.csv")
    assert result.outcome == "rejected"
    assert len(result.errors) == 2
    assert _counts() == counts
    actions = [r[0] for r in db.cursor().execute("SELECT action FROM audit_log").fetchall()]
    assert actions[-1] == "submission_rejected"


def test_failure_halfway_through_the_insert_leaves_nothing(
    empty_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A row that violates a table constraint in the middle of the bulk insert: the
    database must look exactly as before (no submission, no rows, same data_version)."""
    _ingest(csv_bytes(rows(2)))
    counts = _counts()
    original = ingest_module.KINDS["projects"].write

    def sabotaged(cur, submission_id, frame):
        frame = frame.copy()
        frame.loc[len(frame) // 2, "progress_pct"] = 250.0  # CHECK (0..100) fails mid-insert
        original(cur, submission_id, frame)

    monkeypatch.setitem(
        ingest_module.KINDS,
        "projects",
        ingest_module.KINDS["projects"].__class__(
            **{**ingest_module.KINDS["projects"].__dict__, "write": sabotaged}
        ),
    )
    with pytest.raises(Exception, match="(?i)constraint"):
        _ingest(csv_bytes(rows(40)))
    assert _counts() == counts


def test_failure_after_the_rows_before_the_audit_leaves_nothing(
    empty_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    counts = _counts()

    def exploding_audit(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(ingest_module, "write_audit", exploding_audit)
    with pytest.raises(OSError):
        _ingest(csv_bytes(rows(5)))
    assert _counts() == counts


@pytest.mark.parametrize("spelling", ["ba-mitte", "BA Mitte", "bezirksamt mitte", "BA-MITTE"])
def test_authority_by_id_short_or_full_name(empty_db: Path, spelling: str) -> None:
    result = _ingest(csv_bytes(rows(1)), authority=spelling)
    assert result.authority_id == "ba-mitte"


def test_unknown_authority_and_period_are_german_errors(empty_db: Path) -> None:
    with pytest.raises(LoaderError) as caught:
        _ingest(csv_bytes(rows(1)), authority="Bezirksamt Atlantis")
    assert "Unbekannte Behörde" in caught.value.message
    with pytest.raises(LoaderError) as caught:
        _ingest(csv_bytes(rows(1)), period="2026-Q5")
    assert "Berichtsperiode" in caught.value.message


def test_any_quarter_is_a_valid_period(empty_db: Path) -> None:
    assert _ingest(csv_bytes(rows(1)), period="2031-Q2").outcome == "accepted"


def test_analyst_may_not_ingest_and_coordinator_only_for_own_authority(empty_db: Path) -> None:
    with pytest.raises(NotAllowed):
        _ingest(csv_bytes(rows(1)), identity=Identity(name="A", role="analyst"))
    with pytest.raises(NotAllowed):
        _ingest(
            csv_bytes(rows(1)),
            identity=Identity(name="K", role="coordinator", authority_id="ba-pankow"),
        )
    own = _ingest(
        csv_bytes(rows(1)), identity=Identity(name="K", role="coordinator", authority_id="ba-mitte")
    )
    assert own.outcome == "accepted"
    refused = (
        db.cursor()
        .execute("SELECT count(*) FROM audit_log WHERE action = 'action_refused'")
        .fetchone()[0]
    )
    assert refused == 2
