"""Online availability of administrative services across Germany: per state, district and
municipality, from the availability matrix (one row per municipality x service).

Counting rules (shown next to every figure in the UI through :data:`RULES`):

- **Verfügbarkeit (coverage)** of a region = pairs (municipality, service) whose best offer
  there reaches level 3 ÷ all pairs of the region: every service of the matrix counts in every
  municipality, a service without an online offer with level 0 (never left out of the
  denominator). Sum over sum, never a mean of the municipalities' shares.
- **Bevölkerungsgewichtet**: the same, each municipality weighted by its population: the share
  of inhabitants for whom the average service is online.
- **überall / mindestens eine Gemeinde**: services online (≥ 3) in every municipality of the
  region, or in at least one.
- **Vergleich ≥ 2**: the federal dashboard's looser count, labelled as comparison only.
- A period's figures come from the newest matrix snapshot up to that period.

State figures and municipality figures are read from the roll-ups written with each snapshot;
only the services-per-district counts and one municipality's service list read the matrix
itself, restricted to one state's or one municipality's AGS range (contiguous on disk).
"""

from __future__ import annotations

from typing import Any

import duckdb
import pandas as pd

LEVELS = ("state", "district", "municipality")
LEVEL_LABELS = {"state": "Land", "district": "Kreis", "municipality": "Gemeinde"}
PROVIDER_LABELS = {1: "Bund", 2: "EfA", 3: "Land", 4: "Kommune"}
OZG_LEVEL = 3

RULES: dict[str, str] = {
    "coverage": (
        "Verfügbarkeit = Paare aus Gemeinde und Leistung mit einem Online-Angebot ab "
        "Reifegrad 3 ÷ alle Paare der Region. Jede Leistung zählt in jeder Gemeinde; ohne "
        "Angebot zählt sie mit Reifegrad 0 im Nenner. Summe durch Summe."
    ),
    "population": (
        "Bevölkerungsgewichtet: wie die Verfügbarkeit, jede Gemeinde gewichtet mit ihren "
        "Einwohnern – der Anteil der Einwohner, für die eine Leistung im Mittel online ist."
    ),
    "everywhere": (
        "Leistungen, die in jeder Gemeinde der Region (überall) bzw. in mindestens einer "
        "Gemeinde mit Reifegrad ≥ 3 online sind."
    ),
    "level2": (
        "Nur zum Vergleich: Zählweise des Bundes ab Reifegrad 2. Maßgeblich ist Reifegrad ≥ 3."
    ),
    "snapshot": "Stand: die neueste Verfügbarkeitsmatrix bis zur gewählten Berichtsperiode.",
}

_GROUP = {"state": "left(r.code, 2)", "district": "left(r.code, 5)", "municipality": "r.code"}


def has_national_data(cur: duckdb.DuckDBPyConnection) -> bool:
    """True once an availability matrix was loaded (Berlin-only databases have none)."""
    row = cur.execute("SELECT EXISTS (SELECT 1 FROM availability_snapshot)").fetchone()
    return bool(row and row[0])


def snapshot(cur: duckdb.DuckDBPyConnection, *, period: str | None = None) -> dict[str, Any] | None:
    """The matrix that counts for ``period`` (newest up to it; any period: the newest)."""
    row = cur.execute(
        "SELECT id, period_id, as_of, source, row_count, is_demo, loaded_at "
        "FROM availability_snapshot WHERE ?::VARCHAR IS NULL OR period_id <= ? "
        "ORDER BY period_id DESC, id DESC LIMIT 1",
        [period, period],
    ).fetchone()
    if row is None:
        return None
    keys = ("id", "period_id", "as_of", "source", "row_count", "is_demo", "loaded_at")
    info = dict(zip(keys, row, strict=True))
    counts = cur.execute(
        "SELECT (SELECT count(*) FROM region WHERE level = 'municipality'), "
        "(SELECT count(*) FROM availability_service)"
    ).fetchone()
    info["municipalities"], info["services"] = counts if counts else (0, 0)
    return info


def regions(cur: duckdb.DuckDBPyConnection, *, parent: str | None = None) -> pd.DataFrame:
    """The regions directly below ``parent`` (states when ``None``), for pickers."""
    return cur.execute(
        "SELECT code, name, level, population FROM region "
        "WHERE (?::VARCHAR IS NULL AND level = 'state') OR parent_code = ? ORDER BY code",
        [parent, parent],
    ).df()


def topic_areas(cur: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Topic areas of the services the matrix covers (id, name), for the filter."""
    return cur.execute(
        "SELECT DISTINCT sv.topic_area, coalesce(t.name, sv.topic_area) AS name "
        "FROM availability_service a JOIN service sv USING (service_key) "
        "LEFT JOIN topic_area t ON t.id = sv.topic_area "
        "WHERE sv.topic_area IS NOT NULL ORDER BY name"
    ).df()


def coverage(
    cur: duckdb.DuckDBPyConnection,
    *,
    level: str = "state",
    parent: str | None = None,
    topic_area: str | None = None,
    period: str | None = None,
) -> pd.DataFrame:
    """One row per region of ``level`` (within ``parent``, a state or district code), with the
    figures of the module doc; empty without a matrix."""
    if level not in LEVELS:
        raise ValueError(f"unknown level {level!r}")
    if level == "district" and not parent:
        # services per district need the matrix itself: one state at a time (contiguous rows)
        raise ValueError("district figures are computed per state: pass parent")
    snap = snapshot(cur, period=period)
    if snap is None:
        return pd.DataFrame()
    params = {"snapshot": snap["id"], "topic": topic_area, "parent": parent or ""}
    sql = f"""
    WITH muni AS (
        SELECT ags, sum(services)::BIGINT AS services, sum(online)::BIGINT AS online,
               sum(level2)::BIGINT AS level2, sum(online_federal)::BIGINT AS online_federal,
               sum(online_efa)::BIGINT AS online_efa, sum(online_state)::BIGINT AS online_state,
               sum(online_municipal)::BIGINT AS online_municipal
        FROM availability_municipality
        WHERE snapshot_id = $snapshot AND ($topic IS NULL OR topic_area = $topic)
        GROUP BY ags
    )
    SELECT {_GROUP[level]} AS code, count(*) AS municipalities,
           sum(r.population) AS population, max(m.services) AS services,
           sum(m.services)::BIGINT AS pairs, sum(m.online)::BIGINT AS online,
           sum(m.level2)::BIGINT AS level2, sum(m.online_federal)::BIGINT AS online_federal,
           sum(m.online_efa)::BIGINT AS online_efa, sum(m.online_state)::BIGINT AS online_state,
           sum(m.online_municipal)::BIGINT AS online_municipal,
           sum(r.population * m.online)::DOUBLE
               / nullif(sum(r.population * m.services), 0) AS population_coverage
    FROM muni m JOIN region r ON r.ags = m.ags
    WHERE starts_with(r.code, $parent)
    GROUP BY ALL
    """  # noqa: S608 - grouping expression from an allowlist, values bound
    frame = cur.execute(sql, params).df()
    if frame.empty:
        return frame
    names = cur.execute(
        "SELECT code, name FROM region WHERE level = ? AND starts_with(code, ?)",
        [level, parent or ""],
    ).df()
    frame = names.merge(frame, on="code", how="inner")
    spread = _spread(cur, level=level, parent=parent, topic_area=topic_area, snapshot_id=snap["id"])
    frame = frame.merge(spread, on="code", how="left")
    if level == "municipality":
        frame["services_anywhere"] = frame["online"]
        frame["services_everywhere"] = frame["online"]
    for name in ("municipalities", "population", "services", "pairs", "online", "level2"):
        frame[name] = frame[name].astype("int64")
    for name in ("services_anywhere", "services_everywhere"):
        frame[name] = frame[name].fillna(0).astype("int64")
    pairs = frame["pairs"].where(frame["pairs"] > 0)
    frame["coverage"] = (frame["online"] / pairs).astype("float64")
    frame["level2_coverage"] = (frame["level2"] / pairs).astype("float64")
    services = frame["services"].where(frame["services"] > 0)
    frame["everywhere_share"] = (frame["services_everywhere"] / services).astype("float64")
    frame["anywhere_share"] = (frame["services_anywhere"] / services).astype("float64")
    frame["population_coverage"] = frame["population_coverage"].astype("float64")
    return frame.sort_values("code").reset_index(drop=True)


def _spread(
    cur: duckdb.DuckDBPyConnection,
    *,
    level: str,
    parent: str | None,
    topic_area: str | None,
    snapshot_id: int,
) -> pd.DataFrame:
    """Per region: services online in at least one / in every municipality of it."""
    topic = (
        "AND ($topic IS NULL OR service_no IN (SELECT a.service_no FROM availability_service a "
        "JOIN service sv USING (service_key) WHERE sv.topic_area = $topic))"
    )
    if level == "state":
        sql = f"""
        SELECT state_code AS code,
               count(*) FILTER (WHERE online_municipalities > 0) AS services_anywhere,
               count(*) FILTER (WHERE online_municipalities = municipalities)
                   AS services_everywhere
        FROM availability_state_service
        WHERE snapshot_id = $snapshot AND starts_with(state_code, left($parent, 2)) {topic}
        GROUP BY state_code
        """  # noqa: S608 - fixed SQL, values bound
        params: dict[str, Any] = {
            "snapshot": snapshot_id,
            "parent": parent or "",
            "topic": topic_area,
        }
    elif level == "district":
        low, high = _ags_range(parent)
        sql = f"""
        SELECT lpad(district::VARCHAR, 5, '0') AS code,
               count(*) FILTER (WHERE online > 0) AS services_anywhere,
               count(*) FILTER (WHERE online = municipalities) AS services_everywhere
        FROM (
            SELECT ags // 1000 AS district, service_no, count(*) AS municipalities,
                   -- sum of a cast: about three times faster than count(*) FILTER here
                   sum((maturity_level >= {OZG_LEVEL})::INTEGER) AS online
            FROM service_availability
            WHERE snapshot_id = $snapshot AND ags BETWEEN $low AND $high {topic}
            GROUP BY ALL
        )
        GROUP BY district
        """  # noqa: S608 - fixed SQL, values bound
        params = {"snapshot": snapshot_id, "low": low, "high": high, "topic": topic_area}
    else:
        return pd.DataFrame({"code": pd.Series(dtype="object")})
    return cur.execute(sql, params).df()


def _ags_range(parent: str | None) -> tuple[int, int]:
    """The AGS numbers below a state or district code (all of Germany without one)."""
    if not parent:
        return 0, 99_999_999
    if not parent.isdigit() or len(parent) not in (2, 5, 8):
        raise ValueError(f"not a region code: {parent!r}")
    width = 8 - len(parent)
    low = int(parent) * 10**width
    return low, low + 10**width - 1


def headline(
    cur: duckdb.DuckDBPyConnection, *, topic_area: str | None = None, period: str | None = None
) -> dict[str, Any]:
    """Germany as a whole, with the rules of :func:`coverage`; empty without a matrix."""
    snap = snapshot(cur, period=period)
    if snap is None:
        return {}
    params = {"snapshot": snap["id"], "topic": topic_area}
    row = cur.execute(
        """
        WITH muni AS (
            SELECT ags, sum(services) AS services, sum(online) AS online, sum(level2) AS level2
            FROM availability_municipality
            WHERE snapshot_id = $snapshot AND ($topic IS NULL OR topic_area = $topic)
            GROUP BY ags
        )
        SELECT count(DISTINCT left(r.code, 2)), count(*), sum(r.population), sum(m.services),
               sum(m.online), sum(m.level2),
               sum(r.population * m.online)::DOUBLE / nullif(sum(r.population * m.services), 0)
        FROM muni m JOIN region r ON r.ags = m.ags
        """,
        params,
    ).fetchone()
    spread = cur.execute(
        """
        SELECT count(*), count(*) FILTER (WHERE online > 0),
               count(*) FILTER (WHERE online = munis)
        FROM (SELECT service_no, sum(online_municipalities) AS online,
                     sum(municipalities) AS munis
              FROM availability_state_service
              WHERE snapshot_id = $snapshot AND ($topic IS NULL OR service_no IN (
                  SELECT a.service_no FROM availability_service a JOIN service sv
                  USING (service_key) WHERE sv.topic_area = $topic))
              GROUP BY service_no)
        """,
        params,
    ).fetchone()
    if row is None or spread is None:
        return {}
    states, municipalities, population, pairs, online, level2, population_coverage = row
    services, anywhere, everywhere = spread
    return {
        "states": int(states),
        "municipalities": int(municipalities),
        "population": int(population or 0),
        "services": int(services),
        "pairs": int(pairs or 0),
        "online": int(online or 0),
        "coverage": online / pairs if pairs else None,
        "level2_coverage": level2 / pairs if pairs else None,
        "population_coverage": population_coverage,
        "services_anywhere": int(anywhere),
        "services_everywhere": int(everywhere),
        "as_of": snap["as_of"],
        "snapshot_period": snap["period_id"],
    }


def municipality_services(
    cur: duckdb.DuckDBPyConnection,
    *,
    ags: str,
    topic_area: str | None = None,
    period: str | None = None,
) -> pd.DataFrame:
    """Every service of the matrix in one municipality: its best level there and who offers
    it (one AGS: a few thousand contiguous rows of the matrix)."""
    snap = snapshot(cur, period=period)
    if snap is None:
        return pd.DataFrame()
    low, _ = _ags_range(ags)
    frame = cur.execute(
        """
        SELECT sv.service_key, sv.leika_key, sv.name, sv.leika_type, sv.topic_area,
               coalesce(t.name, 'ohne Themenfeld') AS topic_name, m.maturity_level,
               m.provider_code, m.maturity_level >= $ozg AS online
        FROM service_availability m
        JOIN availability_service a USING (service_no)
        JOIN service sv ON sv.service_key = a.service_key
        LEFT JOIN topic_area t ON t.id = sv.topic_area
        WHERE m.snapshot_id = $snapshot AND m.ags = $ags
          AND ($topic IS NULL OR sv.topic_area = $topic)
        ORDER BY sv.name, sv.service_key
        """,
        {"snapshot": snap["id"], "ags": low, "topic": topic_area, "ozg": OZG_LEVEL},
    ).df()
    frame["provider"] = frame["provider_code"].map(PROVIDER_LABELS).fillna("kein Angebot")
    frame["maturity_level"] = frame["maturity_level"].astype("int64")
    return frame.drop(columns=["provider_code"])
