"""Demo E-Akte rollout status: deterministic, plausible, clearly labelled.

Like the real data, the status of most authorities arrives as one collection file per period
from the E-Akte programme office (``Behörde`` column, one row per authority; ingested through
``loaders.eakte.ingest_collection``, one submission per authority), while two authorities send
their own one-row report through the generic path. The authorities that are late with their
project list for the newest period are missing from its E-Akte figures as well. The rollout as a
whole grows too slowly for the configured target date (2027-12-31), a few authorities stall and
some planned go-live dates have passed, so the forecast and the "behind plan" signals have
something to show.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from data.demo import DEMO_ACTOR, LAST_PERIOD, LATE_FOR_LAST_PERIOD, PERIOD_COUNT
from data.reference import AUTHORITIES, DISTRICT, ENTERPRISE, Authority, parse_period, period_ids

EAKTE_SEED = 20_261_129
OWN_REPORTS = ("ba-mitte", "senfin")  # send their own file instead of appearing in the list
NOT_IN_SCOPE = ("itdz",)  # runs its own document management, not part of the programme
HEADER = (
    "Behörde",
    "Status",
    "Go-Live geplant",
    "Go-Live ist",
    "Arbeitsplätze gesamt",
    "davon mit E-Akte",
    "Konten",
    "aktive Nutzer",
    "Altakten migriert in %",
)


@dataclass(frozen=True)
class _Rollout:
    authority: Authority
    workplaces: int
    start_share: float
    growth: float  # share of workplaces added per quarter
    golive_planned: date
    pilot_from: int  # period index in which the pilot starts


@dataclass(frozen=True)
class DemoEakteFile:
    period_id: str
    file_name: str
    data: bytes
    submitted_at: datetime
    authority_id: str | None  # None: a collection of several authorities


def _rollouts(rng: random.Random) -> list[_Rollout]:
    plans = []
    for authority in AUTHORITIES:
        if authority.id in NOT_IN_SCOPE or authority.kind == ENTERPRISE:
            continue
        workplaces = (
            rng.randint(4, 40) * 100 if authority.kind != DISTRICT else rng.randint(8, 25) * 100
        )
        stalled = rng.random() < 0.15
        plans.append(
            _Rollout(
                authority=authority,
                workplaces=workplaces,
                start_share=rng.choice((0.0, 0.0, 0.05, 0.1, 0.2, 0.35)),
                growth=rng.uniform(0.0, 0.01) if stalled else rng.uniform(0.025, 0.09),
                golive_planned=date(rng.choice((2025, 2026, 2027)), rng.choice((3, 6, 9, 12)), 28),
                pilot_from=rng.randint(0, 3),
            )
        )
    return plans


def _row(plan: _Rollout, index: int, period: str, rng: random.Random) -> dict[str, str]:
    _start, end, _due = parse_period(period)
    if index < plan.pilot_from:
        share = 0.0
    else:
        share = min(1.0, plan.start_share + plan.growth * (index - plan.pilot_from + 1))
    live = int(round(plan.workplaces * share))
    if live == 0:
        status, golive_actual = "geplant", None
    elif share < 0.1:
        status, golive_actual = "Pilot", None
    elif share < 0.95:
        status, golive_actual = "Rollout", None
    else:
        status = "produktiv"
        golive_actual = min(end, plan.golive_planned + timedelta(days=rng.randint(0, 120)))
    accounts = int(live * rng.uniform(1.0, 1.08))
    users = int(live * rng.uniform(0.55, 0.9))
    legacy = min(100, int(share * rng.uniform(40, 90)))
    return {
        "Behörde": plan.authority.short_name,
        "Status": status,
        "Go-Live geplant": plan.golive_planned.strftime("%d.%m.%Y"),
        "Go-Live ist": golive_actual.strftime("%d.%m.%Y") if golive_actual else "",
        "Arbeitsplätze gesamt": f"{plan.workplaces:,}".replace(",", "."),
        "davon mit E-Akte": f"{live:,}".replace(",", "."),
        "Konten": f"{accounts:,}".replace(",", "."),
        "aktive Nutzer": f"{users:,}".replace(",", "."),
        "Altakten migriert in %": f"{legacy} %",
    }


def _csv(rows: list[dict[str, str]]) -> bytes:
    lines = [";".join(HEADER)]
    lines.extend(";".join(row[h] for h in HEADER) for row in rows)
    return ("\ufeff" + "\r\n".join(lines) + "\r\n").encode("utf-8")


def demo_eakte_files(
    last_period: str = LAST_PERIOD, count: int = PERIOD_COUNT
) -> Iterator[DemoEakteFile]:
    """Per period one collection file and the own reports of :data:`OWN_REPORTS`."""
    rng = random.Random(EAKTE_SEED)
    plans = _rollouts(rng)
    for index, period in enumerate(period_ids(last_period, count)):
        _start, _end, due = parse_period(period)
        collected: list[dict[str, str]] = []
        own: list[tuple[str, dict[str, str]]] = []
        for plan in plans:
            row = _row(plan, index, period, rng)
            if period == last_period and plan.authority.id in LATE_FOR_LAST_PERIOD:
                continue
            if plan.authority.id in OWN_REPORTS:
                own.append((plan.authority.id, row))
            else:
                collected.append(row)
        yield DemoEakteFile(
            period_id=period,
            file_name=f"demo_eakte_stand_{period}.csv",
            data=_csv(collected),
            submitted_at=datetime.combine(due - timedelta(days=3), time(9, 0)),
            authority_id=None,
        )
        for authority_id, row in own:
            yield DemoEakteFile(
                period_id=period,
                file_name=f"demo_eakte_{authority_id}_{period}.csv",
                data=_csv([row]),
                submitted_at=datetime.combine(due - timedelta(days=10), time(11, 0)),
                authority_id=authority_id,
            )


def seed_demo_eakte(
    progress: Callable[[float, str], None] | None = None, *, skip: frozenset[str] = frozenset()
) -> int:
    """Load the demo E-Akte status through the loaders; returns the submissions stored.

    Files named in ``skip`` are stored already (a collection file all or nothing)."""
    from loaders.eakte import ingest_collection
    from loaders.ingest import ingest
    from store.identity import Identity

    identity = Identity(name=DEMO_ACTOR, role="admin")
    files = list(demo_eakte_files())
    stored = 0
    for n, demo in enumerate(files, start=1):
        if demo.file_name in skip:
            continue
        if demo.authority_id is None:
            result = ingest_collection(
                data=demo.data,
                file_name=demo.file_name,
                period=demo.period_id,
                identity=identity,
                review_status="published",
                is_demo=True,
                submitted_at=demo.submitted_at,
            )
            created = len(result.submissions)
        else:
            single = ingest(
                data=demo.data,
                file_name=demo.file_name,
                kind="eakte",
                authority=demo.authority_id,
                period=demo.period_id,
                identity=identity,
                review_status="published",
                is_demo=True,
                submitted_at=demo.submitted_at,
            )
            result = single  # type: ignore[assignment]
            created = 1 if single.outcome == "accepted" else 0
        if result.outcome != "accepted":
            raise RuntimeError(
                f"demo file {demo.file_name} not accepted: "
                + "; ".join(p.as_line() for p in result.errors[:5])
            )
        stored += created
        if progress:
            progress(n / len(files), f"Demodaten E-Akte: {demo.period_id}")
    return stored
