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
