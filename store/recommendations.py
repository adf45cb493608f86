"""Admins' decisions about recommendations: acknowledged, dismissed (with a reason) or reopened.

A decision is a data write: it changes what the recommendation list shows, so it runs in a
write transaction (``data_version`` is bumped and cached lists refresh) together with its
audit entry. Decisions are appended, never updated; the newest one per recommendation counts,
and only while the evidence fingerprint it was taken on still matches (see
``kpi.recommendations``).
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import datetime

from store import connection as db
from store.audit import write_audit
from store.errors import Refused
from store.identity import Identity

log = logging.getLogger(__name__)

STATES: dict[str, str] = {
    "open": "offen",
    "acknowledged": "zur Kenntnis genommen",
    "dismissed": "zurückgestellt",
}
ACTIONS: dict[str, str] = {
    "open": "recommendation_reopened",
    "acknowledged": "recommendation_acknowledged",
    "dismissed": "recommendation_dismissed",
}
MAX_REASON = 1000
_KEY = re.compile(r"^[a-z_]{2,40}:[^\x00-\x1f]{1,300}$")
_RULE = re.compile(r"^[a-z_]{2,40}$")
_FINGERPRINT = re.compile(r"^[0-9a-f]{8,64}$")
_PERIOD = re.compile(r"^\d{4}-Q[1-4]$")


class DecisionRefused(Refused):
    """A decision that cannot be stored."""


@dataclass(frozen=True)
class Decision:
    key: str
    state: str
    message: str


def decide(
    *,
    key: str,
    rule_id: str,
    period: str,
    state: str,
    fingerprint: str,
    identity: Identity,
    reason: str | None = None,
    authority_id: str | None = None,
    at: datetime | None = None,
) -> Decision:
    """Store one decision and its audit entry in one transaction; admins only.

    Acknowledging and dismissing need a reason (what was agreed, why it does not apply);
    reopening may carry one. ``authority_id`` names the authority the recommendation concerns,
    if it concerns one, so the audit log can be filtered by it.
    """
    reason = (reason or "").strip() or None
    if identity.role != "admin":
        _refuse(identity, key, f"role {identity.role} may not decide on recommendations")
        raise DecisionRefused(
            "Nur die Datenverantwortlichen des CDO-Büros dürfen Handlungsempfehlungen "
            "bestätigen oder zurückstellen.",
            detail=f"{identity.role} {identity.name} may not decide on recommendations",
        )
    if state not in STATES:
        raise DecisionRefused(f"Unbekannter Bearbeitungsstand „{state}“.")
    if not _KEY.match(key) or not _RULE.match(rule_id) or not key.startswith(f"{rule_id}:"):
        raise DecisionRefused(
            "Diese Handlungsempfehlung ist unbekannt; bitte die Ansicht neu laden.",
            detail=f"malformed key {key!r} / rule {rule_id!r}",
        )
    if not _FINGERPRINT.match(fingerprint) or not _PERIOD.match(period):
        raise DecisionRefused(
            "Die Belege dieser Handlungsempfehlung sind unvollständig; bitte neu laden.",
            detail=f"malformed fingerprint {fingerprint!r} or period {period!r}",
        )
    if state != "open" and not reason:
        raise DecisionRefused(
            "Bitte eine Begründung angeben: was vereinbart wurde oder warum die Empfehlung "
            "nicht zutrifft."
        )
    if reason and len(reason) > MAX_REASON:
        raise DecisionRefused(f"Die Begründung ist zu lang (höchstens {MAX_REASON} Zeichen).")
    now = at or datetime.now()
    with db.write_transaction() as cur:
        cur.execute(
            "INSERT INTO recommendation_state (recommendation_key, rule_id, period_id, state, "
            "reason, fingerprint, decided_by, role, decided_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [key, rule_id, period, state, reason, fingerprint, identity.name, identity.role, now],
        )
        write_audit(
            cur,
            actor=identity.name,
            role=identity.role,
            action=ACTIONS[state],
            authority_id=authority_id,
            period_id=period,
            detail={"key": key, "rule": rule_id, "reason": reason, "fingerprint": fingerprint},
            at=now,
        )
    return Decision(
        key=key,
        state=state,
        message=f"Bearbeitungsstand: {STATES[state]}.",
    )


def _refuse(identity: Identity, key: str, detail: str) -> None:
    log.warning("refused recommendation decision on %s: %s", key, detail)
    with db.audit_only_transaction() as cur:
        write_audit(
            cur,
            actor=identity.name,
            role=identity.role,
            action="action_refused",
            authority_id=identity.authority_id,
            detail={"attempted": "recommendation_decision", "key": key},
        )
