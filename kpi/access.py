"""Who may read and export what — checked in the functions themselves, not only in the UI.

The page list per role keeps people out of pages; these checks keep them out of the data when
a function is called some other way (a page added later, a script, a test). Every refusal is
written to the audit log.

Contact persons in project lists are personal data (DSGVO): they are visible only to admins and
to the coordinator of the authority the row belongs to — never to analysts or the public, and
not in analysts' exports.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Iterable, Mapping
from typing import Any

import pandas as pd

from loaders.errors import NotAllowed
from store.identity import Identity

log = logging.getLogger(__name__)

CONTACT_COLUMNS: tuple[str, ...] = ("contact", "contact_email")
ROLES_READING_DETAILS = frozenset({"analyst", "coordinator", "admin"})
ROLES_EXPORTING = frozenset({"analyst", "coordinator", "admin"})


def audit_refusal(
    identity: Identity, *, action: str, detail: Mapping[str, Any] | None = None
) -> None:
    """Log a refused action in its own audit-only transaction (data_version stays)."""
    from store import connection as db
    from store.audit import write_audit

    with db.audit_only_transaction() as cur:
        write_audit(
            cur,
            actor=identity.name,
            role=identity.role,
            action="action_refused",
            authority_id=identity.authority_id,
            detail={"attempted": action, **(detail or {})},
        )


def require_role(
    identity: Identity, roles: Collection[str], *, action: str, audit: bool = True
) -> None:
    """Raise :class:`NotAllowed` (German message) unless ``identity`` has one of ``roles``."""
    if identity.role in roles:
        return
    log.warning("refused %s for %s (%s)", action, identity.name, identity.role)
    if audit:
        audit_refusal(identity, action=action, detail={"required": sorted(roles)})
    raise NotAllowed(
        "Diese Aktion ist für Ihre Rolle nicht freigegeben.",
        detail=f"{identity.role} {identity.name} may not {action}",
    )


def may_see_contacts(identity: Identity, authority_id: str | None) -> bool:
    """Admins see every contact person; a coordinator only those of their own authority."""
    if identity.role == "admin":
        return True
    return (
        identity.role == "coordinator"
        and authority_id is not None
        and identity.authority_id == authority_id
    )


def visible_columns(
    identity: Identity, authority_id: str | None, columns: Iterable[str]
) -> list[str]:
    """``columns`` without the contact columns unless ``identity`` may see that authority's."""
    allowed = may_see_contacts(identity, authority_id)
    return [c for c in columns if allowed or c not in CONTACT_COLUMNS]


def redact_contacts(
    frame: pd.DataFrame, identity: Identity, *, authority_column: str = "authority_id"
) -> pd.DataFrame:
    """A copy of ``frame`` in which contact cells are emptied on rows the viewer may not see;
    if no row may be seen, the contact columns are dropped altogether.

    Without an authority column only an admin keeps the contacts (the rows cannot be told
    apart, so the stricter rule applies).
    """
    present = [c for c in CONTACT_COLUMNS if c in frame.columns]
    if not present:
        return frame
    if authority_column in frame.columns:
        visible = frame[authority_column].map(lambda a: may_see_contacts(identity, a))
    else:
        visible = pd.Series(identity.role == "admin", index=frame.index)
    if not visible.any():
        return frame.drop(columns=present)
    out = frame.copy()
    for column in present:
        out[column] = out[column].astype(object).where(visible, None)
    return out


def log_export(
    identity: Identity,
    *,
    what: str,
    rows: int | None,
    file_format: str,
    filters: Mapping[str, Any] | None = None,
) -> None:
    """Record an export (who, what, how many rows, which filters) in the audit log; ``rows``
    is None for a chart or report, which has no row count (not 0)."""
    from store import connection as db
    from store.audit import write_audit

    require_role(identity, ROLES_EXPORTING, action=f"export {what}")
    with db.audit_only_transaction() as cur:
        write_audit(
            cur,
            actor=identity.name,
            role=identity.role,
            action="export",
            authority_id=identity.authority_id,
            detail={
                "what": what,
                **({"rows": rows} if rows is not None else {}),
                "format": file_format,
                **(filters or {}),
            },
        )
