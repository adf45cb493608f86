"""Writes of the service catalogue and of service status rows; the loaders decide *what*.

Both writers run inside the ingest transaction and insert from a registered DataFrame in one
``INSERT … SELECT`` (never row by row). Identifiers come only from the allowlists below.
"""

from __future__ import annotations

import contextlib

import duckdb
import pandas as pd

CATALOG_COLUMNS: tuple[str, ...] = (
    "source_row",
    "service_key",
    "leika_key",
    "name",
    "leika_type",
    "ozg_id",
    "ozg_name",
    "topic_area",
    "life_situation",
    "addressee",
    "responsible_authority_id",
    "responsible_text",
    "district_executed",
    "portal_id",
    "scope_given",
    "out_of_scope_reason",
    "extra_columns",
)
# Columns of `service` refreshed from each newer catalogue import (names and classification).
_SERVICE_ATTRIBUTES: tuple[str, ...] = (
    "leika_key",
    "name",
    "leika_type",
    "ozg_id",
    "ozg_name",
    "topic_area",
    "life_situation",
    "addressee",
    "responsible_authority_id",
    "responsible_text",
    "district_executed",
    "portal_id",
)

STATUS_COLUMNS: tuple[str, ...] = (
    "source_row",
    "service_key",
    "provider",
    "provider_slot",
    "origin_state",
    "provider_authority_id",
    "provider_text",
    "maturity_level",
    "maturity_model",
    "maturity_derived",
    "url",
    "area_wide",
    "online_since",
    "source",
    "as_of",
    "remarks",
    "extra_columns",
)

_TYPES: dict[str, str] = {
    "source_row": "INTEGER",
    "addressee": "VARCHAR[]",
    "district_executed": "BOOLEAN",
    "scope_given": "BOOLEAN",
    "maturity_level": "INTEGER",
    "maturity_derived": "BOOLEAN",
    "area_wide": "BOOLEAN",
    "online_since": "DATE",
    "as_of": "DATE",
}


def _select_list(columns: tuple[str, ...]) -> str:
    return ", ".join(f'CAST("{c}" AS {_TYPES.get(c, "VARCHAR")})' for c in columns)


def _insert_frame(
    cur: duckdb.DuckDBPyConnection,
    *,
    table: str,
    columns: tuple[str, ...],
    submission_id: int,
    frame: pd.DataFrame,
) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"{table} frame lacks columns: {missing}")
    view = f"incoming_{table}_{submission_id}"
    cur.register(view, frame[list(columns)])
    try:
        cur.execute(
            f"INSERT INTO {table} (submission_id, {', '.join(columns)}) "  # noqa: S608 - allowlisted identifiers
            f"SELECT ?, {_select_list(columns)} FROM {view}",
            [submission_id],
        )
    except duckdb.Error:
        # the transaction is aborted now; unregistering would raise and hide this error
        with contextlib.suppress(duckdb.Error):
            cur.unregister(view)
        raise
    cur.unregister(view)


def insert_catalog_rows(
    cur: duckdb.DuckDBPyConnection, *, submission_id: int, frame: pd.DataFrame
) -> None:
    """Store the catalogue snapshot, then bring ``service`` up to date from it.

    A service already known keeps its key, its first import and, unless this file has a scope
    column, the scope an admin set; names and classification are replaced. Status rows refer
    to the key only, so none of them is touched.
    """
    _insert_frame(
        cur,
        table="catalog_entry",
        columns=CATALOG_COLUMNS,
        submission_id=submission_id,
        frame=frame,
    )
    attributes = ", ".join(_SERVICE_ATTRIBUTES)
    updates = ", ".join(f"{c} = excluded.{c}" for c in _SERVICE_ATTRIBUTES)
    cur.execute(
        f"INSERT INTO service (service_key, {attributes}, out_of_scope_reason, "  # noqa: S608 - allowlisted identifiers
        "first_submission_id, last_submission_id) "
        f"SELECT service_key, {attributes}, out_of_scope_reason, submission_id, submission_id "
        "FROM catalog_entry WHERE submission_id = ? "
        f"ON CONFLICT (service_key) DO UPDATE SET {updates}, "
        "out_of_scope_reason = CASE WHEN ? THEN excluded.out_of_scope_reason "
        "ELSE service.out_of_scope_reason END, "
        "last_submission_id = excluded.last_submission_id",
        [submission_id, bool(frame["scope_given"].any()) if len(frame) else False],
    )


def insert_status_rows(
    cur: duckdb.DuckDBPyConnection, *, submission_id: int, frame: pd.DataFrame
) -> None:
    _insert_frame(
        cur,
        table="service_status",
        columns=STATUS_COLUMNS,
        submission_id=submission_id,
        frame=frame,
    )


def known_services(cur: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every service any catalogue import has listed: status rows may only refer to these."""
    return cur.execute(
        "SELECT service_key, leika_key, portal_id, name, topic_area, ozg_id FROM service"
    ).df()
