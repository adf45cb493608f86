"""The upload kinds ``catalog`` (service catalogue) and ``services`` (service status).

``loaders.kinds`` adds them to its registry by calling :func:`build_kinds`. This module imports
``loaders.kinds`` only inside functions, so either module may be imported first.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import duckdb
import pandas as pd

from loaders.header import MappedTable
from loaders.service_fields import CATALOG_FIELDS, STATUS_FIELDS

if TYPE_CHECKING:
    from loaders.kinds import KindSpec, Validated, ValidationContext
    from loaders.service_values import AuthorityTable


def _authorities() -> AuthorityTable:
    from loaders.service_values import AuthorityTable
    from store import connection as db
    from store.reference import authorities

    return AuthorityTable.from_rows(authorities(db.cursor()))


def _validate_catalog(table: MappedTable, ctx: ValidationContext) -> Validated:
    from loaders.catalog import validate_catalog

    return validate_catalog(table, ctx, authorities=_authorities())


def _write_catalog(cur: duckdb.DuckDBPyConnection, submission_id: int, frame: pd.DataFrame) -> None:
    from store.services import insert_catalog_rows

    insert_catalog_rows(cur, submission_id=submission_id, frame=frame)


def _validate_status(table: MappedTable, ctx: ValidationContext) -> Validated:
    from data.reference import parse_period
    from loaders.service_status import CatalogueIndex, validate_status
    from store import connection as db
    from store.services import known_services

    _start, end, _due = parse_period(ctx.period_id)
    return validate_status(
        table,
        ctx,
        catalogue=CatalogueIndex.from_frame(known_services(db.cursor())),
        authorities=_authorities(),
        default_as_of=end,
    )


def _write_status(cur: duckdb.DuckDBPyConnection, submission_id: int, frame: pd.DataFrame) -> None:
    from store.services import insert_status_rows

    insert_status_rows(cur, submission_id=submission_id, frame=frame)


def build_kinds() -> dict[str, KindSpec]:
    from loaders.kinds import KindSpec

    return {
        "catalog": KindSpec(
            kind="catalog",
            label="Leistungskatalog",
            row_noun="Leistungen",
            fields=CATALOG_FIELDS,
            validate=_validate_catalog,
            write=_write_catalog,
            sort_key="service_key",
        ),
        "services": KindSpec(
            kind="services",
            label="Stand der Onlinedienste",
            row_noun="Angebote",
            fields=STATUS_FIELDS,
            validate=_validate_status,
            write=_write_status,
            sort_key="row_key",
        ),
    }
