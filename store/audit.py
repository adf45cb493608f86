"""The audit log: every upload, rejection, publication, export and refused action."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import duckdb


def write_audit(
    cur: duckdb.DuckDBPyConnection,
    *,
    actor: str,
    role: str,
    action: str,
    authority_id: str | None = None,
    period_id: str | None = None,
    submission_id: int | None = None,
    detail: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> None:
    """Append one entry; runs inside the caller's transaction so it lands with the data."""
    cur.execute(
        "INSERT INTO audit_log (occurred_at, actor, role, action, authority_id, period_id, "
        "submission_id, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [
            at or datetime.now(),
            actor,
            role,
            action,
            authority_id,
            period_id,
            submission_id,
            json.dumps(detail, ensure_ascii=False, default=str) if detail else None,
        ],
    )


def write_refusal(
    *,
    actor: str,
    role: str,
    action: str,
    authority_id: str | None,
    period_id: str | None,
    detail: dict[str, Any],
) -> None:
    """Audit a refused file or action in a transaction of its own: nothing else was written,
    so ``data_version`` stays unchanged. The one writer for the loaders' and the upload
    page's refusals, so every refusal reads the same in the Protokoll."""
    from store import connection as db

    with db.audit_only_transaction() as cur:
        write_audit(
            cur,
            actor=actor,
            role=role,
            action=action,
            authority_id=authority_id,
            period_id=period_id,
            detail=detail,
        )
