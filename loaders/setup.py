"""Create or migrate the database, write the reference data and, on request, the demo set."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from store import connection as db
from store.demo_seed import demo_seed_state, mark_demo_seed_complete, stored_demo_files
from store.reference import upsert_reference

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class InitResult:
    schema_version: int
    demo_submissions: int


def demo_seed_pending() -> bool:
    """Whether ``initialise(demo=True)`` would store demo files: the database holds no
    submission yet, or only demo submissions from a seed that was interrupted before its last
    file. Once anyone has submitted real data, a partial demo set is left alone (a resumed demo
    file could supersede a real submission) and only logged."""
    state = demo_seed_state(db.cursor())
    if state.submissions == 0:
        return True
    if state.complete or state.demo_submissions == 0:
        return False
    if state.demo_submissions < state.submissions:
        log.warning(
            "demo set incomplete (%d demo submissions) but real submissions exist: not resumed",
            state.demo_submissions,
        )
        return False
    return True


def initialise(*, demo: bool, progress: Callable[[float, str], None] | None = None) -> InitResult:
    """Idempotent: migrations run on open, reference rows are upserted, the demo set is stored
    once — completed where an earlier seed was interrupted, never repeated."""
    from store.migrate import current_version

    con = db.connection()
    with db.write_transaction() as cur:
        upsert_reference(cur)
    seeded = 0
    if demo and demo_seed_pending():
        from data.demo import seed_demo
        from data.demo_eakte import seed_demo_eakte
        from data.demo_services import seed_demo_services

        stored = stored_demo_files(db.cursor())
        if stored:
            log.info("completing an interrupted demo seed (%d files stored)", len(stored))
        seeded = seed_demo(progress, skip=stored)
        seeded += seed_demo_eakte(progress, skip=stored)
        seeded += seed_demo_services(progress, skip=stored)
        with db.write_transaction() as cur:
            mark_demo_seed_complete(cur)
    return InitResult(schema_version=current_version(con.cursor()), demo_submissions=seeded)
