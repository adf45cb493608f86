"""The analysts' filters as one value that every metric function accepts.

Empty tuples mean "no restriction". The value is frozen and made of tuples so it can be part
of a cache key. Authority filters (kind, authority) apply to every metric; project filters
(programme, topic area, status, traffic light) only to metrics counted over projects.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import duckdb

# The filter values as one SQL row, bound as parameters; metric SQL cross-joins ``sel``.
SELECTION_CTE = """
sel AS (
    SELECT ?::VARCHAR[] AS authority_kinds, ?::VARCHAR[] AS authorities,
           ?::VARCHAR[] AS programmes, ?::VARCHAR[] AS topic_areas,
           ?::VARCHAR[] AS statuses, ?::VARCHAR[] AS lights, ?::DATE AS today
)
"""

# Conditions over ``sel`` for a row with the named columns (fixed identifiers only).
AUTHORITY_CONDITION = (
    "(len(sel.authority_kinds) = 0 OR list_contains(sel.authority_kinds, {kind})) "
    "AND (len(sel.authorities) = 0 OR list_contains(sel.authorities, {authority}))"
)
PROJECT_CONDITION = (
    "(len(sel.programmes) = 0 OR list_contains(sel.programmes, {programme})) "
    "AND (len(sel.topic_areas) = 0 OR list_contains(sel.topic_areas, {topic_area})) "
    "AND (len(sel.statuses) = 0 OR list_contains(sel.statuses, {status})) "
    "AND (len(sel.lights) = 0 OR list_contains(sel.lights, {light}))"
)


@dataclass(frozen=True)
class Selection:
    authority_kinds: tuple[str, ...] = ()
    authorities: tuple[str, ...] = ()
    programmes: tuple[str, ...] = ()
    topic_areas: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    lights: tuple[str, ...] = ()  # self-assessed traffic light

    def params(self, *, today: date) -> list[object]:
        """Parameters of :data:`SELECTION_CTE`, in order."""
        return [
            list(self.authority_kinds),
            list(self.authorities),
            list(self.programmes),
            list(self.topic_areas),
            list(self.statuses),
            list(self.lights),
            today,
        ]

    @property
    def is_empty(self) -> bool:
        return not any(
            (
                self.authority_kinds,
                self.authorities,
                self.programmes,
                self.topic_areas,
                self.statuses,
                self.lights,
            )
        )

    @property
    def restricts_projects(self) -> bool:
        return bool(self.programmes or self.topic_areas or self.statuses or self.lights)


ALL = Selection()


def authority_condition(*, kind: str, authority: str) -> str:
    return AUTHORITY_CONDITION.format(kind=kind, authority=authority)


def project_condition(*, programme: str, topic_area: str, status: str, light: str) -> str:
    return PROJECT_CONDITION.format(
        programme=programme, topic_area=topic_area, status=status, light=light
    )


def resolve_today(today: date | None) -> date:
    """``today`` is injectable so figures are reproducible; by default the calendar date."""
    return today if today is not None else date.today()


def filter_options(cur: duckdb.DuckDBPyConnection) -> dict[str, list[tuple[str, str]]]:
    """(value, German label) choices of every filter: authorities with their kind, the topic
    areas of the reference list plus any other the reports name, in a stable order."""
    authorities = cur.execute(
        "SELECT id, short_name, kind FROM authority ORDER BY kind, short_name"
    ).fetchall()
    reported = cur.execute(
        "SELECT DISTINCT topic_area FROM project_report WHERE topic_area IS NOT NULL"
    ).fetchall()
    known = cur.execute("SELECT id, name FROM topic_area ORDER BY name").fetchall()
    names = [name for _id, name in known]
    extra = sorted({row[0] for row in reported} - set(names) - {tid for tid, _n in known})
    return {
        "authorities": [(aid, short) for aid, short, _kind in authorities],
        "authority_kinds": sorted({(kind, kind) for _a, _s, kind in authorities}),
        "topic_areas": [(name, name) for name in [*names, *extra]],
    }
