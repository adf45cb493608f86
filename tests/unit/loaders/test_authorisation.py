"""Authorisation below the UI: loaders, audit reads and exports check the identity themselves,
and every refusal is in the audit log."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from kpi.access import (
    log_export,
    may_see_contacts,
    redact_contacts,
    require_role,
    visible_columns,
)
from kpi.audit import audit_entries
from loaders.errors import NotAllowed
from loaders.ingest import commit, ingest, prepare
from store import connection as db
from store.identity import Identity
from tests.builders import csv_bytes, project_row, rows

PUBLIC = Identity(name="Öffentlichkeit", role="public")
ANALYST = Identity(name="Ana Lyse", role="analyst")
MITTE = Identity(name="Koordination Mitte", role="coordinator", authority_id="ba-mitte")
PANKOW = Identity(name="Koordination Pankow", role="coordinator", authority_id="ba-pankow")
ADMIN = Identity(name="Daten Verantwortung", role="admin")


def _state() -> tuple[int, int, int]:
    cur = db.cursor()
    return (
        cur.execute("SELECT count(*) FROM submission").fetchall()[0][0],
        cur.execute("SELECT count(*) FROM project_report").fetchall()[0][0],
        db.data_version(),
    )


def _audit() -> list[tuple[str, str, str, dict]]:
    found = db.cursor().execute("SELECT action, actor, role, detail FROM audit_log ORDER BY id")
    return [(a, who, r, json.loads(d) if d else {}) for a, who, r, d in found.fetchall()]


def _ingest(identity: Identity, authority: str = "ba-mitte", data: bytes | None = None):
    return ingest(
        data=data or csv_bytes(rows(3)),
        file_name="liste.csv",
        kind="projects",
        authority=authority,
        period="2026-Q3",
        identity=identity,
    )


@pytest.mark.parametrize("who", [PUBLIC, ANALYST, PANKOW], ids=["public", "analyst", "other"])
def test_who_may_not_submit_is_refused_and_logged(empty_db: Path, who: Identity) -> None:
    before = _state()
    with pytest.raises(NotAllowed) as caught:
        _ingest(who)
    assert "eigenen Behörde" in caught.value.message
    assert _state() == before
    action, actor, role, detail = _audit()[-1]
    assert (action, actor, role) == ("action_refused", who.name, who.role)
    assert detail["reason"] == "not allowed to submit"


def test_coordinator_submits_for_own_authority_and_admin_for_any(empty_db: Path) -> None:
    assert _ingest(MITTE).outcome == "accepted"
    assert _ingest(ADMIN, "ba-pankow").outcome == "accepted"
    submitters = db.cursor().execute("SELECT submitted_by FROM submission ORDER BY id")
    assert [s for (s,) in submitters.fetchall()] == [MITTE.name, ADMIN.name]


def test_rows_of_another_authority_are_refused_and_logged(empty_db: Path) -> None:
    records = [
        project_row(1, **{"Behörde": "BA Mitte"}),
        project_row(2, **{"Behörde": "Bezirksamt Pankow"}),
        project_row(3, **{"Behörde": "BA Pankow"}),
    ]
    before = _state()
    result = _ingest(MITTE, data=csv_bytes(records))
    assert result.outcome == "rejected"
    assert _state() == before
    foreign = [p for p in result.errors if p.field == "authority"]
    assert [p.row for p in foreign] == [3, 4]
    assert "nicht zur meldenden Behörde" in foreign[0].message
    action, actor, _role, detail = _audit()[-1]
    assert (action, actor) == ("submission_rejected", MITTE.name)
    assert detail["other_authority_rows"] == 2


def test_commit_checks_the_identity_again(empty_db: Path) -> None:
    """A prepared file (e.g. a preview) cannot be committed by someone else."""
    prepared = prepare(
        data=csv_bytes(rows(2)),
        file_name="vorschau.csv",
        kind="projects",
        authority="ba-mitte",
        period="2026-Q3",
        identity=MITTE,
    )
    before = _state()
    with pytest.raises(NotAllowed):
        commit(prepared, identity=PANKOW)
    assert _state() == before
    assert _audit()[-1][:2] == ("action_refused", PANKOW.name)


@pytest.mark.parametrize("who", [PUBLIC, ANALYST, MITTE], ids=["public", "analyst", "coord"])
def test_audit_log_is_for_admins_only(empty_db: Path, who: Identity) -> None:
    with pytest.raises(NotAllowed):
        audit_entries(db.cursor(), identity=who)
    entries = audit_entries(db.cursor(), identity=ADMIN)
    assert entries.iloc[0]["action"] == "action_refused"
    assert entries.iloc[0]["actor"] == who.name
    assert "read audit log" in entries.iloc[0]["detail"]  # stored as written
    assert "Versuch: Protokoll lesen" in entries.iloc[0]["detail_text"]  # shown in German


def test_audit_filters_are_bound_values(empty_db: Path) -> None:
    _ingest(MITTE)
    with pytest.raises(NotAllowed):
        _ingest(ANALYST)
    hostile = "x' OR 1=1 --"
    assert audit_entries(db.cursor(), identity=ADMIN, actor=hostile).empty
    only = audit_entries(db.cursor(), identity=ADMIN, actions=("action_refused",))
    assert list(only["actor"]) == [ANALYST.name]
    mitte = audit_entries(db.cursor(), identity=ADMIN, actor="mitte")
    assert list(mitte["action"]) == ["submission_accepted"]


def test_exports_need_a_signed_in_role_and_are_logged(empty_db: Path) -> None:
    with pytest.raises(NotAllowed):
        log_export(PUBLIC, what="Vorhaben", rows=3, file_format="csv")
    log_export(ANALYST, what="Vorhaben", rows=3, file_format="csv", filters={"Periode": "2026-Q3"})
    refused, exported = _audit()[-2:]
    assert refused[0] == "action_refused" and refused[2] == "public"
    assert exported[0] == "export" and exported[3]["rows"] == 3
    with pytest.raises(NotAllowed):
        require_role(ANALYST, {"admin"}, action="publish")


def test_contacts_only_for_admins_and_the_own_coordinator() -> None:
    columns = ["project_id", "title", "contact", "contact_email"]
    assert visible_columns(ADMIN, "ba-pankow", columns) == columns
    assert visible_columns(MITTE, "ba-mitte", columns) == columns
    assert visible_columns(MITTE, "ba-pankow", columns) == ["project_id", "title"]
    assert visible_columns(ANALYST, "ba-mitte", columns) == ["project_id", "title"]
    assert visible_columns(PUBLIC, "ba-mitte", columns) == ["project_id", "title"]
    assert not may_see_contacts(MITTE, None)


def test_redaction_per_row_and_column() -> None:
    frame = pd.DataFrame(
        {
            "authority_id": ["ba-mitte", "ba-pankow"],
            "title": ["A", "B"],
            "contact": ["Frau Mitte", "Herr Pankow"],
            "contact_email": ["m@ba-mitte.berlin.de", "p@ba-pankow.berlin.de"],
        }
    )
    assert list(redact_contacts(frame, ADMIN)["contact"]) == ["Frau Mitte", "Herr Pankow"]
    mine = redact_contacts(frame, MITTE)
    assert list(mine["contact"]) == ["Frau Mitte", None]
    assert list(mine["contact_email"]) == ["m@ba-mitte.berlin.de", None]
    analyst = redact_contacts(frame, ANALYST)
    assert "contact" not in analyst.columns and "contact_email" not in analyst.columns
    assert list(frame["contact"]) == ["Frau Mitte", "Herr Pankow"]  # input untouched
    no_authority = frame.drop(columns=["authority_id"])
    assert "contact" not in redact_contacts(no_authority, MITTE).columns
