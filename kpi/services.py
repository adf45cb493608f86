"""Online services: how many Verwaltungsleistungen Berlin offers online, and from whom.

Counting rules (DESIGN.md, "Online-Quote"):

- **Denominator**: every service of the catalogue valid for the period (the newest catalogue
  submitted for that period or earlier; before the first one, the first one), minus services an
  admin marked out of scope. A service without any status row stays in it with level 0.
- **Status of a period**: for every authority and source (template, PVOG export, service
  portal) its newest status submission up to the period: the last known state, whose as-of
  date is shown next to every figure.
- **Best offer**: a service counts once, with its highest level among the providers
  considered: Berlin's own offers (Land Berlin, Bezirk), or all including Bund and EfA.
- **OZG-konform**: level ≥ 3 in Reifegradmodell 1.1. Levels of Reifegradmodell 2.0 (0–7) are
  compared on the same scale: 0–2 mean what they mean in 1.1, level 3 is a complete online
  application service and counts as OZG-konform like 1.1's level 3; levels 4–7 go beyond the
  application and are shown as 4. The federal dashboard's looser count (≥ 2) is only a
  labelled comparison. Unknown levels ("k.A.") count as 0.
- **Bezirk-executed services** (catalogue: responsible "alle Bezirke" or a Bezirksamt, or a
  Bezirk offer reported): online "in mindestens einem Bezirk" with a Bezirk offer ≥ 3,
  "flächendeckend" when such an offer is marked area-wide or every Bezirk reported one.
- Percentages over groups are sums over sums, never means of percentages.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import duckdb
import numpy as np
import pandas as pd

from data.reference import parse_period

OZG_LEVEL = 3
COMPARISON_LEVEL = 2
NEW_ONLINE_DAYS = 90
LEVELS = (0, 1, 2, 3, 4)
PROVIDERS = ("federal", "efa", "land", "district")
PROVIDER_LABELS = {"federal": "Bund", "efa": "EfA", "land": "Land Berlin", "district": "Bezirk"}
NO_OFFER = "none"
SOURCE_LABELS = {
    "report": "Meldung (Vorlage)",
    "pvog": "PVOG-Export (Data Hub)",
    "portal": "Service-Portal Berlin",
}
UNASSIGNED = "nicht zugeordnet"
DIMENSIONS = ("topic_area", "authority", "provider")

_CATALOGUE = """
catalogue AS (
    SELECT s.id, s.period_id, s.submitted_at FROM submission s
    WHERE s.kind = 'catalog' AND (s.review_status = 'published' OR $unpublished)
    ORDER BY (s.period_id <= $period) DESC,
             CASE WHEN s.period_id <= $period THEN s.period_id END DESC NULLS LAST,
             s.period_id, s.id DESC
    LIMIT 1
)
"""
_STATUS_SUBMISSIONS = """
status_submission AS (
    SELECT * EXCLUDE (rn) FROM (
        SELECT s.id, s.authority_id, s.period_id, s.submitted_at, src.source,
               row_number() OVER (
                   PARTITION BY s.authority_id, src.source ORDER BY s.period_id DESC, s.id DESC
               ) AS rn
        FROM submission s
        JOIN (SELECT DISTINCT submission_id, source FROM service_status) src
          ON src.submission_id = s.id
        WHERE s.kind = 'services' AND s.period_id <= $period
          AND (s.review_status = 'published' OR $unpublished)
    ) WHERE rn = 1
)
"""

_STATE_SQL = f"""
WITH {_CATALOGUE}, {_STATUS_SUBMISSIONS},
scope AS (
    SELECT sv.* FROM catalog_entry ce
    JOIN service sv ON sv.service_key = ce.service_key
    WHERE ce.submission_id = (SELECT id FROM catalogue) AND sv.out_of_scope_reason IS NULL
),
offer AS (
    SELECT st.*,
           -- model 2.0 levels above 4 count as 4; an unknown level ("k.A.", NULL) stays
           -- unknown (DuckDB's least() would skip the NULL and give 4)
           CASE WHEN st.maturity_model = '2.0' AND st.maturity_level > 4 THEN 4
                ELSE st.maturity_level END AS level,
           CASE st.provider WHEN 'land' THEN 4 WHEN 'district' THEN 3 WHEN 'efa' THEN 2
                ELSE 1 END AS preference
    FROM service_status st
    WHERE st.submission_id IN (SELECT id FROM status_submission)
      AND st.service_key IN (SELECT service_key FROM scope)
),
per_service AS (
    SELECT service_key,
        max(level) FILTER (WHERE provider IN ('land', 'district')) AS own_level,
        max(level) AS all_level,
        max(level) FILTER (WHERE provider = 'federal') AS federal_level,
        max(level) FILTER (WHERE provider = 'efa') AS efa_level,
        max(level) FILTER (WHERE provider = 'land') AS land_level,
        max(level) FILTER (WHERE provider = 'district') AS district_level,
        coalesce(bool_or(provider = 'district' AND level >= {OZG_LEVEL}), FALSE)
            AS district_online_any,
        coalesce(bool_or(provider = 'district' AND level >= {OZG_LEVEL} AND area_wide), FALSE)
        OR count(DISTINCT provider_authority_id) FILTER (
               WHERE provider = 'district' AND level >= {OZG_LEVEL}
           ) >= (SELECT count(*) FROM authority WHERE kind = 'district_office')
            AS district_online_area_wide,
        bool_or(provider = 'district') AS has_district_offer,
        min(online_since) FILTER (WHERE level >= {OZG_LEVEL}) AS online_since,
        max(as_of) AS as_of,
        arg_max(provider, coalesce(level, -1) * 10 + preference) AS best_provider,
        arg_max(origin_state, coalesce(level, -1) * 10 + preference) AS best_origin,
        arg_max(url, coalesce(level, -1) * 10 + preference + (url IS NOT NULL)::INT * 0.5)
            AS url,
        arg_max(efa_origin, coalesce(level, -1)) FILTER (WHERE provider IN ('efa', 'federal'))
            AS reuse_offer,
        string_agg(DISTINCT source, ',' ORDER BY source) AS sources
    FROM (
        SELECT *, CASE WHEN provider = 'efa'
                       THEN 'EfA' || coalesce(' (' || origin_state || ')', '')
                       ELSE 'Bund' END AS efa_origin
        FROM offer
    )
    GROUP BY service_key
)
SELECT sc.service_key, sc.leika_key, sc.name, sc.leika_type, sc.ozg_id, sc.ozg_name,
       sc.topic_area, tp.name AS topic_name, sc.life_situation,
       sc.responsible_authority_id AS authority_id,
       coalesce(a.short_name,
                CASE WHEN sc.district_executed AND sc.responsible_authority_id IS NULL
                     THEN 'Bezirke' END,
                sc.responsible_text) AS authority_name,
       sc.district_executed OR coalesce(ps.has_district_offer, FALSE) AS district_executed,
       ps.service_key IS NOT NULL AS has_status,
       ps.own_level, ps.all_level, ps.federal_level, ps.efa_level, ps.land_level,
       ps.district_level,
       coalesce(ps.district_online_any, FALSE) AS district_online_any,
       coalesce(ps.district_online_area_wide, FALSE) AS district_online_area_wide,
       ps.online_since, ps.as_of, ps.best_provider, ps.best_origin,
       CASE ps.best_provider
            WHEN 'efa' THEN 'EfA' || coalesce(' (' || ps.best_origin || ')', '')
            WHEN 'federal' THEN 'Bund' WHEN 'land' THEN 'Land Berlin' WHEN 'district' THEN 'Bezirk'
       END AS best_offer,
       ps.url, ps.reuse_offer, ps.sources
FROM scope sc
LEFT JOIN per_service ps ON ps.service_key = sc.service_key
LEFT JOIN topic_area tp ON tp.id = sc.topic_area
LEFT JOIN authority a ON a.id = sc.responsible_authority_id
ORDER BY sc.name, sc.service_key
"""  # noqa: S608 - fixed SQL from constants, values bound

_LEVEL_COLUMNS = (
    "own_level",
    "all_level",
    "federal_level",
    "efa_level",
    "land_level",
    "district_level",
)


def service_state(
    cur: duckdb.DuckDBPyConnection, *, period: str, include_unpublished: bool = False
) -> pd.DataFrame:
    """One row per service in scope for the period, with its best offers (see module doc).

    ``own_level``/``all_level`` are 0 for services without an offer (the counting rule); the
    per-provider levels stay empty where that provider has no offer.
    """
    state = cur.execute(_STATE_SQL, {"period": period, "unpublished": include_unpublished}).df()
    for name in _LEVEL_COLUMNS:
        state[name] = state[name].astype("Float64")
    state["own_level"] = state["own_level"].fillna(0).astype("int64")
    state["all_level"] = state["all_level"].fillna(0).astype("int64")
    state["authority_name"] = state["authority_name"].fillna(UNASSIGNED)
    state["topic_name"] = state["topic_name"].fillna("ohne Themenfeld")
    for name in ("district_executed", "has_status", "district_online_any"):
        state[name] = state[name].astype(bool)
    state["district_online_area_wide"] = state["district_online_area_wide"].astype(bool)
    state["online"] = state["all_level"] >= OZG_LEVEL
    state["online_own"] = state["own_level"] >= OZG_LEVEL
    return state


QUOTA_KEYS = (
    "services_in_scope",
    "services_with_status",
    "services_online_own",
    "services_online_all",
    "online_quota_own",
    "online_quota_all",
    "services_level2_own",
    "services_level2_all",
    "level2_quota_own",
    "level2_quota_all",
    "district_services",
    "district_online_any",
    "district_online_area_wide",
    "district_quota_any",
    "district_quota_area_wide",
)


def quota_figures(state: pd.DataFrame) -> dict[str, Any]:
    """The Online-Quote and its companions from a :func:`service_state` frame."""
    total = len(state)
    district = state[state["district_executed"]]

    def share(part: int, whole: int) -> float | None:
        return part / whole if whole else None

    own = int((state["own_level"] >= OZG_LEVEL).sum())
    everyone = int((state["all_level"] >= OZG_LEVEL).sum())
    own2 = int((state["own_level"] >= COMPARISON_LEVEL).sum())
    everyone2 = int((state["all_level"] >= COMPARISON_LEVEL).sum())
    any_district = int(district["district_online_any"].sum())
    area_wide = int(district["district_online_area_wide"].sum())
    return {
        "services_in_scope": total,
        "services_with_status": int(state["has_status"].sum()),
        "services_online_own": own,
        "services_online_all": everyone,
        "online_quota_own": share(own, total),
        "online_quota_all": share(everyone, total),
        "services_level2_own": own2,
        "services_level2_all": everyone2,
        "level2_quota_own": share(own2, total),
        "level2_quota_all": share(everyone2, total),
        "district_services": int(len(district)),
        "district_online_any": any_district,
        "district_online_area_wide": area_wide,
        "district_quota_any": share(any_district, len(district)),
        "district_quota_area_wide": share(area_wide, len(district)),
    }


# The counts of quota_figures() in SQL, over the same CTEs as service_state(): one row instead
# of a 30-column frame per service (issue 8: the trend over 12 periods at 15,000 services took
# 2.9-4.8 s through service_state(), 0.7 s this way; the figures are identical).
_QUOTA_TAIL = """
, counted AS (
    SELECT ps.service_key IS NOT NULL AS has_status,
           coalesce(ps.own_level, 0) AS own_level, coalesce(ps.all_level, 0) AS all_level,
           sc.district_executed OR coalesce(ps.has_district_offer, FALSE) AS district,
           coalesce(ps.district_online_any, FALSE) AS district_any,
           coalesce(ps.district_online_area_wide, FALSE) AS district_area_wide
    FROM scope sc LEFT JOIN per_service ps ON ps.service_key = sc.service_key
)
SELECT count(*), count(*) FILTER (WHERE has_status),
       count(*) FILTER (WHERE own_level >= $ozg), count(*) FILTER (WHERE all_level >= $ozg),
       count(*) FILTER (WHERE own_level >= $comparison),
       count(*) FILTER (WHERE all_level >= $comparison),
       count(*) FILTER (WHERE district), count(*) FILTER (WHERE district AND district_any),
       count(*) FILTER (WHERE district AND district_area_wide)
FROM counted
"""
_QUOTA_SQL = _STATE_SQL[: _STATE_SQL.index("SELECT sc.service_key")] + _QUOTA_TAIL  # noqa: S608


def quota_counts(
    cur: duckdb.DuckDBPyConnection, *, period: str, include_unpublished: bool = False
) -> dict[str, Any]:
    """``quota_figures(service_state(...))`` without building the state frame (the trend)."""
    row = cur.execute(
        _QUOTA_SQL,
        {
            "period": period,
            "unpublished": include_unpublished,
            "ozg": OZG_LEVEL,
            "comparison": COMPARISON_LEVEL,
        },
    ).fetchone()
    assert row is not None
    total, with_status, own, everyone, own2, everyone2, district, any_, area_wide = map(int, row)

    def share(part: int, whole: int) -> float | None:
        return part / whole if whole else None

    return {
        "services_in_scope": total,
        "services_with_status": with_status,
        "services_online_own": own,
        "services_online_all": everyone,
        "online_quota_own": share(own, total),
        "online_quota_all": share(everyone, total),
        "services_level2_own": own2,
        "services_level2_all": everyone2,
        "level2_quota_own": share(own2, total),
        "level2_quota_all": share(everyone2, total),
        "district_services": district,
        "district_online_any": any_,
        "district_online_area_wide": area_wide,
        "district_quota_any": share(any_, district),
        "district_quota_area_wide": share(area_wide, district),
    }


def newly_online_from(state: pd.DataFrame, *, reference: dt.date, days: int) -> pd.DataFrame:
    """Services online (≥ 3, any provider) whose first such offer went live in the window
    (reference − days, reference]; services without an "online seit" date cannot be counted."""
    since = pd.to_datetime(state["online_since"])
    end = pd.Timestamp(reference)
    window = state["online"] & since.notna() & (since > end - pd.Timedelta(days=days))
    window &= since <= end
    return state[window].sort_values("online_since", ascending=False)


def adoption_from(state: pd.DataFrame) -> pd.DataFrame:
    """An EfA or Bund offer reaches level 3 while Berlin's own offer stays below (or is
    missing): *Nachnutzung prüfen*."""
    reuse = state[["federal_level", "efa_level"]].max(axis=1, skipna=True)
    mask = reuse.fillna(-1).ge(OZG_LEVEL) & (state["own_level"] < OZG_LEVEL)
    return state[mask].assign(reuse_level=reuse[mask].astype("int64"))


def period_end(period: str) -> dt.date:
    return parse_period(period)[1]


def catalogue_info(
    cur: duckdb.DuckDBPyConnection, *, period: str, include_unpublished: bool = False
) -> dict[str, Any] | None:
    """The catalogue that counts for the period: its submission, period, date, size and how
    many of its services an admin took out of scope.

    A catalogue stays valid until a newer one is read in, so this is the newest catalogue up
    to the period (or, before the first one, the oldest). The single definition: the
    Online-Quote divides by it and the Übersicht's "Datenstand je Quelle" shows it
    (``kpi.reporting.data_freshness``)."""
    row = cur.execute(
        f"WITH {_CATALOGUE} SELECT c.id, c.period_id, c.submitted_at, "  # noqa: S608 - fixed SQL
        "(SELECT count(*) FROM catalog_entry ce WHERE ce.submission_id = c.id), "
        "(SELECT count(*) FROM catalog_entry ce JOIN service sv USING (service_key) "
        " WHERE ce.submission_id = c.id AND sv.out_of_scope_reason IS NOT NULL) "
        "FROM catalogue c",
        {"period": period, "unpublished": include_unpublished},
    ).fetchone()
    if row is None:
        return None
    return {
        "submission_id": row[0],
        "period": row[1],
        "submitted_at": row[2],
        "services": row[3],
        "out_of_scope": row[4],
    }


def status_sources(
    cur: duckdb.DuckDBPyConnection, *, period: str, include_unpublished: bool = False
) -> pd.DataFrame:
    """The status submissions that count for the period (one per authority and source), with
    their as-of date: the freshness of every figure."""
    sql = f"""
    WITH {_STATUS_SUBMISSIONS}
    SELECT ss.id AS submission_id, a.short_name AS authority, ss.source, ss.period_id,
           ss.submitted_at, max(st.as_of) AS as_of, count(*) AS offers
    FROM status_submission ss
    JOIN service_status st ON st.submission_id = ss.id
    LEFT JOIN authority a ON a.id = ss.authority_id
    GROUP BY ALL ORDER BY ss.source, a.short_name
    """  # noqa: S608 - fixed SQL, values bound
    frame = cur.execute(sql, {"period": period, "unpublished": include_unpublished}).df()
    frame["source_label"] = frame["source"].map(SOURCE_LABELS)
    return frame


def services_headline(
    cur: duckdb.DuckDBPyConnection, *, period: str, include_unpublished: bool = False
) -> dict[str, Any]:
    """The figures of the Online-Dienste cards and of ``python -m kpi summary`` (keys start
    with ``services``, ``online``, ``level2`` or ``district``)."""
    state = service_state(cur, period=period, include_unpublished=include_unpublished)
    figures = quota_figures(state)
    catalogue = catalogue_info(cur, period=period, include_unpublished=include_unpublished)
    sources = status_sources(cur, period=period, include_unpublished=include_unpublished)
    end = period_end(period)
    figures.update(
        services_catalog_period=catalogue["period"] if catalogue else None,
        services_catalog_submitted=catalogue["submitted_at"] if catalogue else None,
        services_status_as_of=None if sources.empty else sources["as_of"].max(),
        services_status_oldest_as_of=None if sources.empty else sources["as_of"].min(),
        services_new_online=int(len(newly_online_from(state, reference=end, days=NEW_ONLINE_DAYS))),
        services_new_online_days=NEW_ONLINE_DAYS,
        services_online_without_date=int((state["online"] & state["online_since"].isna()).sum()),
        services_adoption_candidates=int(len(adoption_from(state))),
    )
    for key in ("services_status_as_of", "services_status_oldest_as_of"):
        value = figures[key]
        figures[key] = None if value is None or pd.isna(value) else pd.Timestamp(value).date()
    return figures


def maturity_distribution(
    cur: duckdb.DuckDBPyConnection,
    *,
    period: str,
    include_unpublished: bool = False,
    by: str = "topic_area",
    offers: str = "all",
) -> pd.DataFrame:
    """Services per maturity level (0–4) per topic area, authority or provider (long form:
    ``group, level, services``), every level present for every group.

    ``offers`` is ``all`` (best offer incl. Bund/EfA) or ``own`` (Land Berlin and Bezirk). By
    provider, a service counts once under each provider that offers it, with that provider's
    best level; services without any offer form the group "kein Angebot".
    """
    if by not in DIMENSIONS:
        raise ValueError(f"unknown dimension {by!r}")
    state = service_state(cur, period=period, include_unpublished=include_unpublished)
    return distribution_from(state, by=by, offers=offers)


def distribution_from(state: pd.DataFrame, *, by: str, offers: str) -> pd.DataFrame:
    level_column = "own_level" if offers == "own" else "all_level"
    if by == "provider":
        parts = []
        for provider in PROVIDERS:
            levels = state[f"{provider}_level"].dropna().astype("int64")
            parts.append(pd.DataFrame({"group": PROVIDER_LABELS[provider], "level": levels}))
        without = state[~state["has_status"]]
        parts.append(pd.DataFrame({"group": "kein Angebot", "level": without["all_level"]}))
        long = pd.concat(parts, ignore_index=True)
        order = [*PROVIDER_LABELS.values(), "kein Angebot"]
    else:
        group_column = "topic_name" if by == "topic_area" else "authority_name"
        long = pd.DataFrame({"group": state[group_column], "level": state[level_column]})
        order = sorted(long["group"].unique())
    counts = long.groupby(["group", "level"]).size().rename("services")
    index = pd.MultiIndex.from_product([order, LEVELS], names=["group", "level"])
    result = counts.reindex(index, fill_value=0).reset_index()
    result["services"] = result["services"].astype("int64")
    totals = result.groupby("group")["services"].transform("sum")
    online = (
        result.assign(on=np.where(result["level"] >= OZG_LEVEL, result["services"], 0))
        .groupby("group")["on"]
        .transform("sum")
    )
    result["group_services"] = totals
    result["group_quota"] = (online / totals.where(totals > 0)).astype("float64")
    return result


def online_trend(
    cur: duckdb.DuckDBPyConnection, *, include_unpublished: bool = False
) -> pd.DataFrame:
    """The quotas per reporting period (oldest first) with deltas against the previous period
    in percentage points; periods from the first catalogue or status submission on."""
    rows = cur.execute(
        "SELECT DISTINCT period_id FROM submission WHERE kind IN ('catalog', 'services') "
        "AND (review_status = 'published' OR ?) ORDER BY period_id",
        [include_unpublished],
    ).fetchall()
    records = []
    for (period,) in rows:
        figures = quota_counts(cur, period=period, include_unpublished=include_unpublished)
        records.append({"period": period, **figures})
    trend = pd.DataFrame.from_records(records, columns=["period", *QUOTA_KEYS])
    for name in ("online_quota_own", "online_quota_all", "level2_quota_own", "level2_quota_all"):
        trend[name] = trend[name].astype("float64")
        trend[f"{name}_delta_pp"] = trend[name].diff() * 100
    return trend


def newly_online(
    cur: duckdb.DuckDBPyConnection,
    *,
    period: str,
    include_unpublished: bool = False,
    days: int = NEW_ONLINE_DAYS,
) -> pd.DataFrame:
    """Services whose first offer ≥ 3 went online in the ``days`` before the period's end."""
    state = service_state(cur, period=period, include_unpublished=include_unpublished)
    return newly_online_from(state, reference=period_end(period), days=days)


def adoption_candidates(
    cur: duckdb.DuckDBPyConnection, *, period: str, include_unpublished: bool = False
) -> pd.DataFrame:
    """EfA/Bund offers ≥ 3 where Berlin's own offer is below 3 (see :func:`adoption_from`)."""
    state = service_state(cur, period=period, include_unpublished=include_unpublished)
    return adoption_from(state)


def ozg_summary(
    cur: duckdb.DuckDBPyConnection, *, period: str, include_unpublished: bool = False
) -> pd.DataFrame:
    """Per OZG-Leistung (a bundle of LeiKa services): its services and how many are online."""
    state = service_state(cur, period=period, include_unpublished=include_unpublished)
    return ozg_summary_from(state)


def ozg_summary_from(state: pd.DataFrame) -> pd.DataFrame:
    bundled = state.assign(ozg_id=state["ozg_id"].fillna("—"))
    grouped = bundled.groupby("ozg_id", sort=True).agg(
        ozg_name=("ozg_name", "first"),
        topic_name=("topic_name", "first"),
        services=("service_key", "size"),
        online_own=("online_own", "sum"),
        online_all=("online", "sum"),
    )
    grouped["online_quota_all"] = grouped["online_all"] / grouped["services"]
    return grouped.reset_index()


def filter_services(
    state: pd.DataFrame,
    *,
    text: str | None = None,
    topic_areas: tuple[str, ...] = (),
    providers: tuple[str, ...] = (),
    levels: tuple[int, ...] = (),
    authorities: tuple[str, ...] = (),
    online: bool | None = None,
    ozg_id: str | None = None,
) -> pd.DataFrame:
    """The service table's filters; each empty filter keeps everything.

    ``text`` matches name, LeiKa key, OZG-ID and OZG-Leistung (case-insensitive); ``providers``
    keeps services with an offer from any of them (``none``: services without an offer);
    ``levels`` and ``online`` look at the best offer including Bund/EfA.
    """
    mask = pd.Series(True, index=state.index)
    if text and text.strip():
        needle = text.strip().casefold()
        haystack = pd.Series(
            [
                " ".join(str(v) for v in values if isinstance(v, str)).casefold()
                for values in zip(
                    state["name"],
                    state["leika_key"],
                    state["ozg_id"],
                    state["ozg_name"],
                    strict=True,
                )
            ],
            index=state.index,
            dtype=object,
        )
        mask &= haystack.map(lambda h: needle in h).astype(bool)
    if topic_areas:
        mask &= state["topic_area"].isin(topic_areas)
    if providers:
        offered = pd.Series(False, index=state.index)
        for provider in providers:
            if provider == NO_OFFER:
                offered |= ~state["has_status"]
            elif provider in PROVIDERS:
                offered |= state[f"{provider}_level"].notna()
        mask &= offered
    if levels:
        mask &= state["all_level"].isin(levels)
    if authorities:
        mask &= state["authority_name"].isin(authorities)
    if online is not None:
        mask &= state["online"] == online
    if ozg_id:
        mask &= state["ozg_id"] == ozg_id
    return state[mask]
