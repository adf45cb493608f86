"""The one data path: file → guard → read → map → validate → ingest (one transaction).

A file with errors changes no data; only the audit entry of its rejection is written.
"""

from __future__ import annotations

import hashlib
import logging
import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from loaders import convert
from loaders.authorities import resolve_authority
from loaders.errors import FileRefused, LoaderError, NotAllowed, Problem
from loaders.guard import GuardedFile, guard
from loaders.header import MappedTable, map_table
from loaders.kinds import KINDS, KindSpec, Validated, ValidationContext, check_kind_allowed
from loaders.projects import FOREIGN_LIST
from loaders.readers import read_sheets
from loaders.text import fold
from store import connection as db
from store.audit import write_audit, write_refusal
from store.identity import Identity
from store.reference import authorities, ensure_period
from store.settings import get_settings
from store.submissions import insert_submission, latest_submission

log = logging.getLogger(__name__)

Outcome = Literal["accepted", "rejected", "already_present"]

# Kinds whose validator takes text columns (MappedTable.column); their .xlsx and CSV files are
# read as text (fastexcel, column-wise). Other kinds read cell by cell.
_TEXT_READ_KINDS = frozenset({"projects"})


@dataclass
class IngestResult:
    outcome: Outcome
    message: str
    file_name: str
    authority_id: str
    period_id: str
    kind: str
    problems: list[Problem] = field(default_factory=list)
    submission_id: int | None = None
    row_count: int = 0
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]

    def as_dict(self) -> dict[str, object]:
        return {
            "outcome": self.outcome,
            "message": self.message,
            "file": self.file_name,
            "authority": self.authority_id,
            "period": self.period_id,
            "kind": self.kind,
            "submission_id": self.submission_id,
            "rows": self.row_count,
            "errors": [p.as_dict() for p in self.errors],
            "warnings": [p.as_dict() for p in self.warnings],
        }


@dataclass
class Prepared:
    """A validated file that has not touched the database yet (used for previews)."""

    file_name: str
    authority_id: str
    period_id: str
    kind: str
    frame: pd.DataFrame
    problems: list[Problem]
    content_sha256: str
    data: bytes
    timings: dict[str, float]

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]


def content_hash(frame: pd.DataFrame, *, sort_key: str) -> str:
    """SHA-256 of the normalised content: same data in another layout or order, same hash.

    Column-wise over Arrow buffers and numpy arrays (no Python call per cell); a column
    the readers could type differently (text from one reader, objects from another) has
    one dtype after validation, so both readers hash a file alike.
    """
    canonical = frame.drop(columns=["source_row", "extra_columns"], errors="ignore")
    canonical = canonical.sort_values(sort_key, kind="stable").reset_index(drop=True)
    digest = hashlib.sha256()
    for column in canonical.columns:
        digest.update(f"\x1e{column}\x1d".encode())
        _hash_column(digest, canonical[column])
    digest.update(",".join(canonical.columns).encode())
    return digest.hexdigest()


def _hash_column(digest: hashlib._Hash, series: pd.Series) -> None:
    if series.dtype == object:
        values = [("\x1f".join(v) if isinstance(v, list) else v) for v in series.tolist()]
        try:
            array = pa.array(values, type=pa.large_string(), from_pandas=True)
        except (pa.ArrowInvalid, pa.ArrowTypeError):  # mixed objects (other kinds)
            digest.update(b"o")
            digest.update(pd.util.hash_pandas_object(series, index=False).to_numpy().tobytes())
            return
    elif isinstance(series.dtype, (pd.StringDtype, pd.ArrowDtype)) or series.dtype == "str":
        array = pc.cast(pa.array(series, from_pandas=True), pa.large_string())
    else:
        digest.update(b"n")
        digest.update(pd.util.hash_pandas_object(series, index=False).to_numpy().tobytes())
        return
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks()
    # texts: which cells are empty, each text's length, then all texts' bytes
    digest.update(b"s")
    digest.update(np.asarray(array.is_null()).tobytes())
    filled = pc.fill_null(array, "")
    digest.update(np.asarray(pc.binary_length(filled), dtype=np.int64).tobytes())
    digest.update(_text_bytes(filled))


def _text_bytes(array: pa.Array) -> bytes:
    """The concatenated UTF-8 bytes of a large_string array without nulls."""
    offsets = np.frombuffer(array.buffers()[1], dtype=np.int64)[
        array.offset : array.offset + len(array) + 1
    ]
    data = array.buffers()[2]
    if data is None or len(array) == 0:
        return b""
    return data.to_pybytes()[int(offsets[0]) : int(offsets[-1])]


def prepare(
    *,
    data: bytes,
    file_name: str,
    kind: str,
    authority: str,
    period: str,
    identity: Identity,
    column_overrides: dict[str, str] | None = None,
) -> Prepared:
    """Everything up to, but not including, the write; raises LoaderError for whole-file faults."""
    settings = get_settings()
    if kind not in KINDS:
        raise LoaderError(f"Unbekannte Art der Meldung: „{kind}“.")
    spec = KINDS[kind]
    authority_id = resolve_authority(authority)
    _check_period(period)
    _check_kind_allowed(
        kind, identity=identity, authority_id=authority_id, period=period, file_name=file_name
    )
    if not identity.may_submit_for(authority_id):
        _audit_refusal(identity, authority_id, period, file_name, "not allowed to submit")
        raise NotAllowed(
            "Sie dürfen nur Meldungen der eigenen Behörde einreichen.",
            detail=f"{identity.role} {identity.name} may not submit for {authority_id}",
        )
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    as_text = kind in _TEXT_READ_KINDS

    def read(guarded: GuardedFile, *, as_text: bool) -> MappedTable:
        try:
            sheets = read_sheets(guarded, max_rows=settings.max_rows, as_text=as_text)
        except FileRefused as exc:
            _audit_refusal(identity, authority_id, period, file_name, exc.detail, "file_refused")
            raise
        return map_table(
            sheets, fields=spec.fields, file_name=file_name, overrides=column_overrides
        )

    try:  # a refused file is audit-logged like every other refused action
        guarded = guard(
            name=file_name,
            data=data,
            max_bytes=settings.max_upload_mb * 1_048_576,
            max_rows=settings.max_rows,
        )
    except FileRefused as exc:
        _audit_refusal(identity, authority_id, period, file_name, exc.detail, "file_refused")
        raise
    t_guard = time.perf_counter()
    table = read(guarded, as_text=as_text)
    t1 = time.perf_counter()
    if table.from_excel and _excel_cells_ambiguous(table, spec):
        log.info("%s: Excel cells need their types, reading cell by cell", file_name)
        table = read(guarded, as_text=False)
    known = authorities(db.cursor())
    context = ValidationContext(
        authority_id=authority_id,
        authority_keys=frozenset(_authority_keys(authority_id, known=known)),
        period_id=period,
        strict_light_reason=settings.strict_light_reason,
        authorities=tuple((aid, short) for aid, _name, short, _kind in known),
    )
    validated = _validate(table, spec, context, file_name=file_name, max_rows=settings.max_rows)
    if table.from_excel and any(
        p.value and convert.excel_value_ambiguous(p.value) for p in validated.problems
    ):
        # a message would show fastexcel's rendering of a typed cell: read cell by cell
        log.info("%s: problem values need the cells' types, reading cell by cell", file_name)
        table = read(guarded, as_text=False)
        validated = _validate(table, spec, context, file_name=file_name, max_rows=settings.max_rows)
    t2 = time.perf_counter()
    digest = content_hash(validated.frame, sort_key=spec.sort_key) if not validated.errors else ""
    timings.update(
        guard=t_guard - t0,
        read=t1 - t0,
        validate=t2 - t1,
        hash=time.perf_counter() - t2,
    )
    return Prepared(
        file_name=file_name,
        authority_id=authority_id,
        period_id=period,
        kind=kind,
        frame=validated.frame,
        problems=validated.problems,
        content_sha256=digest,
        data=data,
        timings=timings,
    )


def _validate(
    table: MappedTable,
    spec: KindSpec,
    context: ValidationContext,
    *,
    file_name: str,
    max_rows: int,
) -> Validated:
    if table.row_count > max_rows:
        raise LoaderError(
            f"„{file_name}“ hat {table.row_count:,} Datenzeilen; erlaubt sind höchstens "
            f"{max_rows:,}.".replace(",", ".")
        )
    validated = spec.validate(table, context)
    if not table.row_count:
        validated.problems.append(
            Problem("error", f"Die Datei enthält unter der Kopfzeile keine {spec.row_noun}.")
        )
    return validated


def _excel_cells_ambiguous(table: MappedTable, spec: KindSpec) -> bool:
    """Whether any header or cell text of an .xlsx read as text could stand for a typed cell
    that the cell-by-cell reader would treat differently (``convert.excel_texts_ambiguous``)."""
    if convert.excel_texts_ambiguous(pd.Series(table.headers, dtype=object), None):
        return True
    types = {f.name: f.type for f in spec.fields}
    return any(
        convert.excel_texts_ambiguous(table.column(position), types.get(name or "", None))
        for position, name in enumerate(table.fields)
    )


def ingest(
    *,
    data: bytes,
    file_name: str,
    kind: str,
    authority: str,
    period: str,
    identity: Identity,
    column_overrides: dict[str, str] | None = None,
    review_status: str = "draft",
    is_demo: bool = False,
    submitted_at: datetime | None = None,
) -> IngestResult:
    """Validate and, if there is no error, store the file as one submission atomically."""
    prepared = prepare(
        data=data,
        file_name=file_name,
        kind=kind,
        authority=authority,
        period=period,
        identity=identity,
        column_overrides=column_overrides,
    )
    return commit(
        prepared,
        identity=identity,
        review_status=review_status,
        is_demo=is_demo,
        submitted_at=submitted_at,
    )


def commit(
    prepared: Prepared,
    *,
    identity: Identity,
    review_status: str = "draft",
    is_demo: bool = False,
    submitted_at: datetime | None = None,
) -> IngestResult:
    base = dict(
        file_name=prepared.file_name,
        authority_id=prepared.authority_id,
        period_id=prepared.period_id,
        kind=prepared.kind,
        problems=prepared.problems,
        timings=prepared.timings,
    )
    _check_kind_allowed(
        prepared.kind,
        identity=identity,
        authority_id=prepared.authority_id,
        period=prepared.period_id,
        file_name=prepared.file_name,
    )
    if not identity.may_submit_for(prepared.authority_id):
        _audit_refusal(
            identity,
            prepared.authority_id,
            prepared.period_id,
            prepared.file_name,
            "not allowed to submit",
        )
        raise NotAllowed("Sie dürfen nur Meldungen der eigenen Behörde einreichen.")
    if prepared.errors:
        with db.audit_only_transaction() as cur:
            write_audit(
                cur,
                actor=identity.name,
                role=identity.role,
                action="submission_rejected",
                authority_id=prepared.authority_id,
                period_id=prepared.period_id,
                detail={
                    "file": prepared.file_name,
                    "kind": prepared.kind,
                    "errors": len(prepared.errors),
                    # rows naming another authority: an attempt to report for someone else
                    "other_authority_rows": sum(
                        1 for p in prepared.errors if p.field == "authority"
                    ),
                },
            )
        count = len(prepared.errors)
        return IngestResult(
            outcome="rejected",
            message=f"„{prepared.file_name}“ wurde abgelehnt: {count} "
            f"Fehler gefunden. Es wurden keine Daten übernommen.",
            **base,
        )
    t0 = time.perf_counter()
    try:
        with db.write_transaction() as cur:
            ensure_period(cur, prepared.period_id)
            latest = latest_submission(
                cur,
                authority_id=prepared.authority_id,
                period_id=prepared.period_id,
                kind=prepared.kind,
            )
            if latest and latest[1] == prepared.content_sha256:
                raise _AlreadyPresent(latest[0])
            submission_id = insert_submission(
                cur,
                authority_id=prepared.authority_id,
                period_id=prepared.period_id,
                kind=prepared.kind,
                file_name=prepared.file_name,
                content_sha256=prepared.content_sha256,
                submitted_by=identity.name,
                row_count=len(prepared.frame),
                review_status=review_status,
                original_file=prepared.data,
                is_demo=is_demo,
                submitted_at=submitted_at,
            )
            KINDS[prepared.kind].write(cur, submission_id, prepared.frame)
            write_audit(
                cur,
                actor=identity.name,
                role=identity.role,
                action="submission_accepted",
                authority_id=prepared.authority_id,
                period_id=prepared.period_id,
                submission_id=submission_id,
                at=submitted_at,
                detail={
                    "file": prepared.file_name,
                    "kind": prepared.kind,
                    "rows": len(prepared.frame),
                    "warnings": len(prepared.problems),
                    "supersedes": latest[0] if latest else None,
                    # the coordinator confirmed a list that looked like another authority's
                    "foreign_list": next(
                        (p.value for p in prepared.problems if p.field == FOREIGN_LIST), None
                    ),
                },
            )
    except _AlreadyPresent as present:
        return IngestResult(
            outcome="already_present",
            message=f"Diese Meldung ist bereits vorhanden (Meldung Nr. {present.submission_id}); "
            "es wurde nichts Neues gespeichert.",
            submission_id=present.submission_id,
            row_count=len(prepared.frame),
            **base,
        )
    return_value = IngestResult(
        outcome="accepted",
        message=f"„{prepared.file_name}“ wurde als Meldung Nr. {submission_id} "
        f"übernommen ({len(prepared.frame)} {KINDS[prepared.kind].row_noun}).",
        submission_id=submission_id,
        row_count=len(prepared.frame),
        **base,
    )
    return_value.timings["write"] = time.perf_counter() - t0
    return return_value


class _AlreadyPresent(Exception):
    """Raised inside the write transaction to roll it back when the content is known."""

    def __init__(self, submission_id: int) -> None:
        super().__init__(submission_id)
        self.submission_id = submission_id


def _check_period(period: str) -> None:
    from data.reference import parse_period

    try:
        parse_period(period)
    except ValueError as exc:
        raise LoaderError(
            f"Unbekannte Berichtsperiode „{period}“. Erwartet wird die Form JJJJ-Qn, "
            "z. B. 2026-Q3.",
            detail=str(exc),
        ) from exc


def _authority_keys(authority_id: str, *, known: list[tuple[str, str, str, str]]) -> set[str]:
    for aid, name, short, _kind in known:
        if aid == authority_id:
            return {fold(aid), fold(name), fold(short)}
    return {fold(authority_id)}


def _check_kind_allowed(
    kind: str, *, identity: Identity, authority_id: str, period: str, file_name: str
) -> None:
    """The page offers admin-only kinds (the catalogue) to admins only; scripts and the
    command line reach this code directly, so the rule is enforced here as well."""
    try:
        check_kind_allowed(kind, identity=identity)
    except NotAllowed as exc:
        _audit_refusal(identity, authority_id, period, file_name, exc.detail)
        raise


def _audit_refusal(
    identity: Identity,
    authority_id: str,
    period: str,
    file_name: str,
    reason: str,
    action: str = "action_refused",
) -> None:
    write_refusal(
        actor=identity.name,
        role=identity.role,
        action=action,
        authority_id=authority_id,
        period_id=period,
        detail={"file": file_name, "reason": reason},
    )
