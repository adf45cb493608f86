"""Create or migrate the database, write the reference data and, on request, the demo set."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from store import connection as db
from store.reference import upsert_reference


@dataclass(frozen=True)
class InitResult:
    schema_version: int
    demo_submissions: int


def has_submissions() -> bool:
    row = db.cursor().execute("SELECT count(*) FROM submission").fetchone()
    return bool(row and row[0])


def initialise(*, demo: bool, progress: Callable[[float, str], None] | None = None) -> InitResult:
    """Idempotent: migrations run on open, reference rows are upserted, demo only once."""
    from store.migrate import current_version

    con = db.connection()
    with db.write_transaction() as cur:
        upsert_reference(cur)
    seeded = 0
    if demo and not has_submissions():
        from data.demo import seed_demo

        seeded = seed_demo(progress)
        from data.demo_eakte import seed_demo_eakte

        seeded += seed_demo_eakte(progress)
        from data.demo_services import seed_demo_services

        seeded += seed_demo_services(progress)
    return InitResult(schema_version=current_version(con.cursor()), demo_submissions=seeded)
