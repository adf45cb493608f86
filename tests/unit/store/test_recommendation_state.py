"""Decisions on recommendations: admins only, reasons required, append-only, audit-logged in
the same transaction, newest decision counts."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest

from kpi.recommendations import decision_history, decisions
from store import connection as db
from store.identity import Identity
from store.recommendations import DecisionRefused, decide

ADMIN = Identity(name="Dana Admin", role="admin")
ANALYST = Identity(name="Ana Lyst", role="analyst")
KEY = "missing_report:ba-pankow"
PRINT = "0123456789abcdef"


def _decide(**over: object):
    args: dict[str, object] = {
        "key": KEY,
        "rule_id": "missing_report",
        "period": "2026-Q3",
        "state": "dismissed",
        "reason": "Meldung per Mail eingegangen, Upload folgt",
        "fingerprint": PRINT,
        "identity": ADMIN,
        "authority_id": "ba-pankow",
    }
    args.update(over)
    return decide(**args)  # type: ignore[arg-type]


def _audit(action: str) -> list[tuple]:
    return (
        db.cursor()
        .execute(
            "SELECT actor, role, authority_id, period_id, detail FROM audit_log "
            "WHERE action = ? ORDER BY id",
            [action],
        )
        .fetchall()
    )


def test_decision_is_stored_with_its_audit_entry_and_bumps_data_version(empty_db: Path) -> None:
    version = db.data_version()
    result = _decide(at=datetime(2026, 11, 29, 9, 30))
    assert result.state == "dismissed" and "zurückgestellt" in result.message
    assert db.data_version() == version + 1
    latest = decisions(db.cursor()).set_index("key")
    assert latest.loc[KEY, "decision"] == "dismissed"
    assert latest.loc[KEY, "decision_fingerprint"] == PRINT
    assert latest.loc[KEY, "decided_by"] == "Dana Admin"
    entries = _audit("recommendation_dismissed")
    assert len(entries) == 1
    actor, role, authority, period, detail = entries[0]
    assert (actor, role, authority, period) == ("Dana Admin", "admin", "ba-pankow", "2026-Q3")
    assert json.loads(detail) == {
        "key": KEY,
        "rule": "missing_report",
        "reason": "Meldung per Mail eingegangen, Upload folgt",
        "fingerprint": PRINT,
    }


def test_newest_decision_counts_and_history_is_kept(empty_db: Path) -> None:
    _decide(state="acknowledged", reason="Gespräch am 3.12.", at=datetime(2026, 11, 1))
    _decide(state="dismissed", at=datetime(2026, 11, 2))
    _decide(state="open", reason=None, at=datetime(2026, 11, 3))
    latest = decisions(db.cursor()).set_index("key")
    assert latest.loc[KEY, "decision"] == "open"
    history = decision_history(db.cursor(), key=KEY)
    assert list(history["state"]) == ["open", "dismissed", "acknowledged"]
    assert len(_audit("recommendation_reopened")) == 1
    assert len(_audit("recommendation_acknowledged")) == 1


@pytest.mark.parametrize(
    ("over", "message"),
    [
        ({"reason": "  "}, "Begründung"),
        ({"state": "acknowledged", "reason": None}, "Begründung"),
        ({"state": "deleted"}, "Unbekannter"),
        ({"key": "missing_report"}, "unbekannt"),
        ({"key": "overdue:senfin"}, "unbekannt"),  # key of another rule
        ({"fingerprint": "not-a-hash"}, "unvollständig"),
        ({"period": "2026-13"}, "unvollständig"),
        ({"reason": "x" * 1001}, "zu lang"),
    ],
)
def test_invalid_decisions_are_refused_and_change_nothing(
    empty_db: Path, over: dict[str, object], message: str
) -> None:
    version = db.data_version()
    with pytest.raises(DecisionRefused) as refused:
        _decide(**over)
    assert message in refused.value.message
    assert db.data_version() == version
    assert decisions(db.cursor()).empty


def test_only_admins_decide_and_refusals_are_audited(empty_db: Path) -> None:
    version = db.data_version()
    with pytest.raises(DecisionRefused) as refused:
        _decide(identity=ANALYST)
    assert "Nur die Datenverantwortlichen" in refused.value.message
    assert decisions(db.cursor()).empty
    assert db.data_version() == version
    entries = _audit("action_refused")
    assert len(entries) == 1 and entries[0][0] == "Ana Lyst"
    assert json.loads(entries[0][4])["attempted"] == "recommendation_decision"


def test_a_failed_audit_write_rolls_the_decision_back(
    empty_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import store.recommendations as module

    def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("audit log unavailable")

    monkeypatch.setattr(module, "write_audit", broken)
    with pytest.raises(RuntimeError):
        _decide()
    assert decisions(db.cursor()).empty
