"""Two identical uploads at the same moment: exactly one version stored, no traceback.

Streamlit runs every session in its own thread of one process, so two users pressing
"Übernehmen" together are two threads calling ``ingest`` at once. Both are released by a
barrier after validation, right before the write, to make the race as tight as possible.
"""

from __future__ import annotations

import threading
from pathlib import Path

from loaders import ingest as ingest_module
from loaders.ingest import IngestResult, ingest
from store import connection as db
from store.identity import Identity
from tests.builders import csv_bytes, rows, xlsx_bytes

COORDINATOR = Identity(name="Koordination Mitte", role="coordinator", authority_id="ba-mitte")
ADMIN = Identity(name="CDO Datenverantwortung", role="admin")


def _race(monkeypatch, uploads: list[tuple[bytes, str, Identity]]) -> list[object]:
    barrier = threading.Barrier(len(uploads))
    real_commit = ingest_module.commit

    def commit_together(prepared, **kwargs):
        barrier.wait(timeout=30)  # every thread has validated; now all write at once
        return real_commit(prepared, **kwargs)

    monkeypatch.setattr(ingest_module, "commit", commit_together)
    outcomes: list[object] = [None] * len(uploads)

    def run(i: int, data: bytes, name: str, identity: Identity) -> None:
        try:
            outcomes[i] = ingest(
                data=data,
                file_name=name,
                kind="projects",
                authority="ba-mitte",
                period="2026-Q3",
                identity=identity,
            )
        except BaseException as exc:  # a traceback a user would see
            outcomes[i] = exc

    threads = [threading.Thread(target=run, args=(i, *upload)) for i, upload in enumerate(uploads)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return outcomes


def test_two_identical_uploads_store_one_version(empty_db: Path, monkeypatch) -> None:
    data = csv_bytes(rows(12))
    outcomes = _race(monkeypatch, [(data, "liste.csv", COORDINATOR), (data, "liste.csv", ADMIN)])
    assert all(isinstance(o, IngestResult) for o in outcomes), outcomes
    kinds = sorted(o.outcome for o in outcomes)
    assert kinds == ["accepted", "already_present"]
    accepted = next(o for o in outcomes if o.outcome == "accepted")
    present = next(o for o in outcomes if o.outcome == "already_present")
    assert present.submission_id == accepted.submission_id
    assert "bereits vorhanden" in present.message
    cur = db.cursor()
    assert cur.execute("SELECT count(*) FROM submission").fetchall()[0][0] == 1
    assert cur.execute("SELECT count(*) FROM project_report").fetchall()[0][0] == 12
    audit = cur.execute("SELECT action FROM audit_log ORDER BY id").fetchall()
    assert audit == [("submission_accepted",)]


def test_same_content_in_two_formats_at_once_is_one_version(empty_db: Path, monkeypatch) -> None:
    records = rows(7)
    outcomes = _race(
        monkeypatch,
        [
            (csv_bytes(records, encoding="cp1252"), "liste.csv", COORDINATOR),
            (xlsx_bytes(list(reversed(records))), "liste.xlsx", COORDINATOR),
            (csv_bytes(records), "kopie.csv", ADMIN),
        ],
    )
    assert all(isinstance(o, IngestResult) for o in outcomes), outcomes
    assert sorted(o.outcome for o in outcomes) == [
        "accepted",
        "already_present",
        "already_present",
    ]
    assert db.cursor().execute("SELECT count(*) FROM submission").fetchall()[0][0] == 1


def test_two_different_uploads_at_once_are_both_kept_in_order(empty_db: Path, monkeypatch) -> None:
    outcomes = _race(
        monkeypatch,
        [(csv_bytes(rows(3)), "a.csv", COORDINATOR), (csv_bytes(rows(4)), "b.csv", ADMIN)],
    )
    assert sorted(o.outcome for o in outcomes) == ["accepted", "accepted"]
    stored = db.cursor().execute("SELECT row_count FROM submission ORDER BY id").fetchall()
    assert sorted(r[0] for r in stored) == [3, 4]
