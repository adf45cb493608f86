"""What the dashboard stores about an authority or a person, for information requests.

An authority may ask for everything it submitted (and what was done with it); a contact person
may ask under DSGVO Art. 15 which data about them is stored. Both answers are built here as
DataFrames with German headers, one per sheet, so a page can show them and
:func:`to_xlsx` can hand them over as one workbook. Access is checked here, not only in
the UI: an authority's own data goes to its coordinator and to admins, a search for a person
across all authorities to admins only. Callers log the export (``store.audit``) as for any
other export.

Table names come only from :data:`ROW_TABLES`; values are bound parameters.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Mapping

import duckdb
import pandas as pd

from kpi import export
from kpi.common import frame
from loaders.errors import NotAllowed
from store.identity import Identity

# Kind → (table with the rows of a submission, German sheet name). Only existing tables are read.
ROW_TABLES: dict[str, tuple[str, str]] = {
    "projects": ("project_report", "Vorhaben"),
    "services": ("service_status", "Leistungsstatus"),
    "eakte": ("eakte_status", "E-Akte"),
    "catalog": ("catalog_entry", "Leistungskatalog"),
}

SUBMISSION_HEADERS: dict[str, str] = {
    "submission_id": "Meldung",
    "period_id": "Berichtsperiode",
    "kind": "Art",
    "file_name": "Dateiname",
    "submitted_by": "eingereicht von",
    "submitted_at": "eingereicht am",
    "row_count": "Zeilen",
    "review_status": "Prüfstatus",
    "is_demo": "Demodaten",
    "has_file": "Originaldatei gespeichert",
}
AUDIT_HEADERS: dict[str, str] = {
    "occurred_at": "Zeitpunkt",
    "actor": "Person",
    "role": "Rolle",
    "action": "Aktion",
    "authority_id": "Behörde",
    "period_id": "Berichtsperiode",
    "submission_id": "Meldung",
    "detail": "Einzelheiten",
}
REVIEW_HEADERS: dict[str, str] = {
    "submission_id": "Meldung",
    "occurred_at": "Zeitpunkt",
    "actor": "Person",
    "role": "Rolle",
    "from_status": "von Status",
    "to_status": "nach Status",
    "comment": "Kommentar",
}


def may_request_authority(identity: Identity, authority_id: str) -> bool:
    """Admins for every authority, a coordinator for their own one."""
    if identity.role == "admin":
        return True
    return identity.role == "coordinator" and identity.authority_id == authority_id


def authority_data(
    cur: duckdb.DuckDBPyConnection, *, identity: Identity, authority_id: str
) -> dict[str, pd.DataFrame]:
    """Everything stored for ``authority_id``: its submissions, every row of every submission
    (contacts included, superseded ones too), review steps and audit entries."""
    if not may_request_authority(identity, authority_id):
        _refuse(identity, f"information request for authority {authority_id}")
    sheets: dict[str, pd.DataFrame] = {
        "Meldungen": _german(
            frame(
                cur,
                f"SELECT {_SUBMISSION_SELECT} FROM submission s "  # noqa: S608 - fixed SQL
                "WHERE s.authority_id = ? ORDER BY s.id",
                [authority_id],
            ),
            SUBMISSION_HEADERS,
        )
    }
    tables = _existing_tables(cur)
    for kind, (table, sheet) in ROW_TABLES.items():
        if table not in tables:
            continue
        rows = frame(
            cur,
            f"SELECT s.period_id, r.* FROM {table} r "  # noqa: S608 - allowlisted table
            "JOIN submission s ON s.id = r.submission_id "
            "WHERE s.authority_id = ? AND s.kind = ? ORDER BY r.submission_id",
            [authority_id, kind],
        )
        sheets[sheet] = _german(rows, {**SUBMISSION_HEADERS, **_field_labels(kind)})
    if "review_event" in tables:
        sheets["Prüfschritte"] = _german(
            frame(
                cur,
                "SELECT r.submission_id, r.occurred_at, r.actor, r.role, r.from_status, "
                "r.to_status, r.comment FROM review_event r "
                "JOIN submission s ON s.id = r.submission_id WHERE s.authority_id = ? "
                "ORDER BY r.id",
                [authority_id],
            ),
            REVIEW_HEADERS,
        )
    sheets["Protokoll"] = _german(
        frame(
            cur,
            f"SELECT {_AUDIT_SELECT} FROM audit_log "  # noqa: S608 - fixed SQL
            "WHERE authority_id = ? ORDER BY id",
            [authority_id],
        ),
        AUDIT_HEADERS,
    )
    return sheets


def person_data(
    cur: duckdb.DuckDBPyConnection,
    *,
    identity: Identity,
    name: str | None = None,
    email: str | None = None,
) -> dict[str, pd.DataFrame]:
    """Where a person appears: as contact of a project (the name anywhere in the contact
    field, e.g. "Erika Muster (Projektleitung)"; the e-mail exactly; both without regard to
    case), and, by name, as submitter, in review steps and in the audit log. Over-inclusive
    on purpose: the admin answering the request removes what is about somebody else."""
    if identity.role != "admin":
        _refuse(identity, "information request for a person")
    name = (name or "").strip() or None
    email = (email or "").strip() or None
    if name is None and email is None:
        raise ValueError("name or email is required")
    sheets: dict[str, pd.DataFrame] = {}
    contacts = frame(
        cur,
        "SELECT s.authority_id, s.period_id, p.submission_id, p.project_id, p.title, "
        "p.contact, p.contact_email FROM project_report p "
        "JOIN submission s ON s.id = p.submission_id "
        "WHERE (? IS NOT NULL AND strpos(lower(p.contact), lower(?)) > 0) "
        "OR (? IS NOT NULL AND lower(trim(p.contact_email)) = lower(?)) "
        "ORDER BY p.submission_id, p.project_id",
        [name, name, email, email],
    )
    sheets["Ansprechperson"] = _german(
        contacts,
        {
            **SUBMISSION_HEADERS,
            **AUDIT_HEADERS,
            **_field_labels("projects"),
        },
    )
    if name is not None:
        sheets["Meldungen"] = _german(
            frame(
                cur,
                f"SELECT s.authority_id, {_SUBMISSION_SELECT} FROM submission s "  # noqa: S608
                "WHERE lower(trim(s.submitted_by)) = lower(?) ORDER BY s.id",
                [name],
            ),
            {**AUDIT_HEADERS, **SUBMISSION_HEADERS},
        )
        if "review_event" in _existing_tables(cur):
            sheets["Prüfschritte"] = _german(
                frame(
                    cur,
                    "SELECT submission_id, occurred_at, actor, role, from_status, to_status, "
                    "comment FROM review_event WHERE lower(trim(actor)) = lower(?) "
                    "ORDER BY id",
                    [name],
                ),
                REVIEW_HEADERS,
            )
        sheets["Protokoll"] = _german(
            frame(
                cur,
                f"SELECT {_AUDIT_SELECT} FROM audit_log "  # noqa: S608 - fixed SQL
                "WHERE lower(trim(actor)) = lower(?) ORDER BY id",
                [name],
            ),
            AUDIT_HEADERS,
        )
    return sheets


def to_xlsx(
    sheets: Mapping[str, pd.DataFrame],
    *,
    title: str,
    exported_by: str,
    exported_at: dt.datetime | None = None,
) -> bytes:
    """One workbook: an "Info" sheet (what, by whom, when) and one sheet per table, with
    the export module's formula neutralisation and German formats."""
    meta = export.ExportMeta(
        title=title, exported_by=exported_by, exported_at=exported_at or dt.datetime.now()
    )
    buffer = io.BytesIO()
    book = export._workbook(buffer)
    formats = export._book_formats(book)
    export.write_info_sheet(book, formats, meta, rows=sum(len(s) for s in sheets.values()))
    for name, table in sheets.items():
        export.write_sheet(book, formats, table, sheet_name=name)
    book.close()
    return buffer.getvalue()


_SUBMISSION_SELECT = (
    "s.id AS submission_id, s.period_id, s.kind, s.file_name, s.submitted_by, s.submitted_at, "
    "s.row_count, s.review_status, s.is_demo, s.original_file IS NOT NULL AS has_file"
)
_AUDIT_SELECT = "occurred_at, actor, role, action, authority_id, period_id, submission_id, detail"


def _existing_tables(cur: duckdb.DuckDBPyConnection) -> set[str]:
    rows = cur.execute("SELECT table_name FROM information_schema.tables").fetchall()
    return {str(r[0]) for r in rows}


def _field_labels(kind: str) -> dict[str, str]:
    """German column headers from the kind's field definitions (as in the template)."""
    from loaders.kinds import KINDS

    spec = KINDS.get(kind)
    labels = {f.name: f.label for f in spec.fields} if spec else {}
    labels.update(
        {"source_row": "Zeile in der Datei", "extra_columns": "weitere Spalten der Datei"}
    )
    return labels


def _german(table: pd.DataFrame, headers: Mapping[str, str]) -> pd.DataFrame:
    return table.rename(columns={c: headers[c] for c in table.columns if c in headers})


def _refuse(identity: Identity, action: str) -> None:
    """Write the refusal to the audit log and raise a German :class:`NotAllowed`."""
    from store import connection as db
    from store.audit import write_audit

    with db.audit_only_transaction() as cur:
        write_audit(
            cur,
            actor=identity.name,
            role=identity.role,
            action="action_refused",
            authority_id=identity.authority_id,
            detail={"attempted": action},
        )
    raise NotAllowed(
        "Auskünfte über gespeicherte Daten erhalten nur die Datenverantwortlichen des "
        "CDO-Büros und die Digitalisierungskoordination für die eigene Behörde.",
        detail=f"{identity.role} {identity.name} may not request: {action}",
    )
