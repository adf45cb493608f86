"""Retention of personal data: contact persons in superseded submissions are removed.

Project lists name a contact person (``contact``, ``contact_email``); that is personal data
(DSGVO Art. 5 (1) e: kept no longer than needed). While a submission is the current one of its
authority, period and kind, the contact is needed for queries; once a newer submission replaces
it, the contact is kept ``contact_retention_days`` longer (for questions about the change) and
then removed, together with the stored original file, which holds the same columns.
Everything else of the old submission stays, so figures over time remain reproducible.

*Superseded* follows the dashboards' notion of "current" (``kpi.common.CURRENT_SUBMISSIONS``):
a published submission is superseded by a newer *published* one (a newer draft does not
replace it in the published view); an unpublished one by any newer submission. The retention
period runs from the arrival of the first such successor.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import duckdb

from store import connection as db
from store.audit import write_audit
from store.identity import Identity

log = logging.getLogger(__name__)

ACTION = "retention_contacts_removed"

_DUE_SQL = """
WITH successor AS (
    SELECT s.id, s.authority_id, s.period_id, s.kind,
           (SELECT min(n.submitted_at) FROM submission n
             WHERE n.authority_id = s.authority_id AND n.period_id = s.period_id
               AND n.kind = s.kind AND n.id > s.id
               AND (n.review_status = 'published' OR s.review_status <> 'published')
           ) AS superseded_at,
           s.original_file IS NOT NULL AS has_file
    FROM submission s
)
SELECT x.id, x.authority_id, x.period_id, x.kind, x.superseded_at,
       (SELECT count(*) FROM project_report p WHERE p.submission_id = x.id
          AND (p.contact IS NOT NULL OR p.contact_email IS NOT NULL)) AS contact_rows,
       x.has_file
FROM successor x
WHERE x.superseded_at IS NOT NULL AND x.superseded_at <= ?
ORDER BY x.id
"""


@dataclass(frozen=True)
class DueSubmission:
    """A superseded submission past the retention period that still holds personal data."""

    submission_id: int
    authority_id: str
    period_id: str
    kind: str
    superseded_at: datetime
    contact_rows: int
    has_file: bool


@dataclass(frozen=True)
class RetentionResult:
    cutoff: datetime
    retention_days: int
    submissions: list[DueSubmission] = field(default_factory=list)
    applied: bool = False

    @property
    def contact_rows(self) -> int:
        return sum(s.contact_rows for s in self.submissions)

    @property
    def files(self) -> int:
        return sum(1 for s in self.submissions if s.has_file)

    def message(self) -> str:
        """German summary for the command line."""
        if not self.submissions:
            return (
                f"Keine abgelösten Meldungen mit Kontaktdaten älter als {self.retention_days} Tage."
            )
        verb = "entfernt" if self.applied else "würden entfernt (Probelauf)"
        return (
            f"Kontaktdaten aus {len(self.submissions)} abgelösten Meldungen {verb}: "
            f"{self.contact_rows} Zeilen mit Ansprechperson, {self.files} Originaldateien "
            f"(Aufbewahrungsfrist {self.retention_days} Tage, abgelöst vor dem "
            f"{self.cutoff:%d.%m.%Y %H:%M})."
        )

    def as_dict(self) -> dict[str, object]:
        return {
            "applied": self.applied,
            "retention_days": self.retention_days,
            "cutoff": self.cutoff.isoformat(timespec="seconds"),
            "submissions": [s.submission_id for s in self.submissions],
            "contact_rows": self.contact_rows,
            "files": self.files,
        }


def due(cur: duckdb.DuckDBPyConnection, *, cutoff: datetime) -> list[DueSubmission]:
    """Superseded submissions (before ``cutoff``) that still hold contacts or the file."""
    rows = cur.execute(_DUE_SQL, [cutoff]).fetchall()
    return [
        DueSubmission(
            submission_id=int(r[0]),
            authority_id=str(r[1]),
            period_id=str(r[2]),
            kind=str(r[3]),
            superseded_at=r[4],
            contact_rows=int(r[5]),
            has_file=bool(r[6]),
        )
        for r in rows
        if int(r[5]) > 0 or bool(r[6])
    ]


def remove_superseded_contacts(
    *,
    identity: Identity,
    retention_days: int,
    now: datetime | None = None,
    dry_run: bool = False,
) -> RetentionResult:
    """Remove contacts and stored files of submissions superseded more than
    ``retention_days`` ago; one audit entry per submission, in the same transaction.

    Runs as a data write (``data_version`` is bumped) because pages showing contacts must not
    serve the removed values from their cache. Admins (and the command line) only.
    """
    if identity.role != "admin":
        raise PermissionError(f"{identity.role} {identity.name} may not apply retention")
    if retention_days < 0:
        raise ValueError("retention_days must not be negative")
    at = now or datetime.now()
    cutoff = at - timedelta(days=retention_days)
    pending = due(db.cursor(), cutoff=cutoff)
    if dry_run or not pending:  # nothing to write: caches stay valid
        return RetentionResult(
            cutoff=cutoff, retention_days=retention_days, submissions=pending, applied=not dry_run
        )
    with db.write_transaction() as cur:
        found = due(cur, cutoff=cutoff)
        if found:
            ids = [s.submission_id for s in found]
            cur.execute(
                "UPDATE project_report SET contact = NULL, contact_email = NULL "
                "WHERE submission_id IN (SELECT unnest(?::INTEGER[])) "
                "AND (contact IS NOT NULL OR contact_email IS NOT NULL)",
                [ids],
            )
            cur.execute(
                "UPDATE submission SET original_file = NULL "
                "WHERE id IN (SELECT unnest(?::INTEGER[])) AND original_file IS NOT NULL",
                [ids],
            )
        for item in found:
            write_audit(
                cur,
                actor=identity.name,
                role=identity.role,
                action=ACTION,
                authority_id=item.authority_id,
                period_id=item.period_id,
                submission_id=item.submission_id,
                detail={
                    "contact_rows": item.contact_rows,
                    "original_file_removed": item.has_file,
                    "superseded_at": item.superseded_at.isoformat(timespec="seconds"),
                    "retention_days": retention_days,
                },
                at=at,
            )
    if found:
        log.info("retention removed contacts of submissions %s", [s.submission_id for s in found])
    return RetentionResult(
        cutoff=cutoff, retention_days=retention_days, submissions=found, applied=True
    )
