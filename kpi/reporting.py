"""Meldequote and Datenstand: who reported for a period, who did not, how old each
authority's latest report is, and how fresh every source is.

*Meldequote* = authorities with a project list for the period ÷ authorities expected to
report (within the authority filters). An authority "reported" when it has a current
submission for the period (by default a published one).
"""

from __future__ import annotations

from datetime import date

import duckdb
import pandas as pd

from data.reference import parse_period
from kpi.common import CURRENT_SUBMISSIONS
from kpi.selection import SELECTION_CTE, Selection, authority_condition, resolve_today
from kpi.services import catalogue_info

SOURCES: dict[str, str] = {
    "projects": "Vorhabenlisten",
    "eakte": "E-Akte-Stand",
    "services": "Stand der Onlinedienste",
    "catalog": "Leistungskatalog",
}

RULES: dict[str, str] = {
    "reporting_rate": (
        "Meldequote = Behörden mit Vorhabenliste für die Periode ÷ Behörden, die melden "
        "sollen (im Rahmen der Behördenfilter). Standardmäßig zählen nur veröffentlichte "
        "Meldungen."
    ),
    "age": (
        "Alter der neuesten Meldung = Tage vom Eingang der neuesten Vorhabenliste (bis zur "
        "gewählten Periode) bis heute; „Perioden zurück“ zählt die Quartale zwischen deren "
        "Periode und der gewählten."
    ),
    "freshness": (
        "Datenstand je Quelle: Stichtag ist das Ende der Berichtsperiode; dazu Eingang der "
        "ältesten und neuesten gültigen Meldung der Periode. Der Leistungskatalog gilt, bis "
        "ein neuerer eingelesen wird: gezeigt wird der Katalog, mit dem die Online-Quote der "
        "Periode rechnet (der neueste bis zu dieser Periode), mit seiner eigenen Periode, "
        "seinem Eingang und der Zahl seiner Leistungen; die Behördenfilter gelten für ihn "
        "nicht."
    ),
}

_QUARTER_INDEX = "(CAST(substr({p}, 1, 4) AS INTEGER) * 4 + CAST(substr({p}, 7, 1) AS INTEGER))"


def _quarter(column: str) -> str:
    return _QUARTER_INDEX.format(p=column)


# Current submissions of every kind (latest per authority, period and kind); one parameter:
# include_unpublished.
CURRENT_ANY = """
    current_any AS (
        SELECT * EXCLUDE (rn) FROM (
            SELECT s.id, s.authority_id, s.period_id, s.kind, s.submitted_at, s.row_count,
                   s.review_status,
                   row_number() OVER (
                       PARTITION BY s.authority_id, s.period_id, s.kind ORDER BY s.id DESC
                   ) AS rn
            FROM submission s
            WHERE (s.review_status = 'published' OR ?)
        ) WHERE rn = 1
    )
"""


def reporting_overview(
    cur: duckdb.DuckDBPyConnection,
    *,
    period: str,
    today: date | None = None,
    include_unpublished: bool = False,
    selection: Selection | None = None,
) -> pd.DataFrame:
    """One row per authority expected to report: its project list and E-Akte status for the
    period (received when, how late), and its newest project list up to the period."""
    sql = f"""
    WITH {CURRENT_ANY},
    {SELECTION_CTE},
    latest AS (
        SELECT authority_id, max(period_id) AS latest_period,
               arg_max(submitted_at, period_id) AS latest_submitted_at
        FROM current_any WHERE kind = 'projects' AND period_id <= ?
        GROUP BY authority_id
    )
    SELECT a.id AS authority_id, a.short_name, a.name, a.kind AS authority_kind,
           p.id IS NOT NULL AS reported, p.id AS submission_id, p.submitted_at,
           p.row_count, p.review_status, rp.due_date,
           CASE WHEN p.id IS NOT NULL
                THEN date_diff('day', rp.due_date, CAST(p.submitted_at AS DATE)) END
               AS days_after_due,
           e.id IS NOT NULL AS eakte_reported, e.submitted_at AS eakte_submitted_at,
           l.latest_period, l.latest_submitted_at,
           date_diff('day', CAST(l.latest_submitted_at AS DATE), sel.today) AS latest_age_days,
           {_quarter("?")} - {_quarter("l.latest_period")} AS periods_behind
    FROM authority a
    CROSS JOIN sel
    LEFT JOIN current_any p
        ON p.authority_id = a.id AND p.period_id = ? AND p.kind = 'projects'
    LEFT JOIN current_any e ON e.authority_id = a.id AND e.period_id = ? AND e.kind = 'eakte'
    LEFT JOIN reporting_period rp ON rp.id = ?
    LEFT JOIN latest l ON l.authority_id = a.id
    WHERE a.expected_to_report AND {authority_condition(kind="a.kind", authority="a.id")}
    ORDER BY reported, periods_behind DESC NULLS FIRST, a.kind, a.short_name
    """  # noqa: S608 - fixed SQL, values bound
    params = [
        include_unpublished,
        *(selection or Selection()).params(today=resolve_today(today)),
        period,  # latest
        period,  # quarter index (year)
        period,  # quarter index (quarter)
        period,  # project list of the period
        period,  # E-Akte status of the period
        period,  # due date
    ]
    return cur.execute(sql, params).df()


def reporting_rate(
    cur: duckdb.DuckDBPyConnection,
    *,
    period: str,
    include_unpublished: bool = False,
    selection: Selection | None = None,
) -> dict[str, object]:
    """Reported / expected for one period, with the rate (None without expected authorities)."""
    trend = reporting_trend(cur, include_unpublished=include_unpublished, selection=selection)
    row = trend[trend["period_id"] == period]
    if row.empty:
        expected = _expected(cur, selection)
        return {
            "period": period,
            "reported": 0,
            "expected": expected,
            "rate": 0.0 if expected else None,
        }
    first = row.iloc[0]
    return {
        "period": period,
        "reported": int(first["reported"]),
        "expected": int(first["expected"]),
        "rate": None if pd.isna(first["rate"]) else float(first["rate"]),
    }


def _expected(cur: duckdb.DuckDBPyConnection, selection: Selection | None) -> int:
    sql = f"""
    WITH {SELECTION_CTE}
    SELECT count(*) FROM authority a CROSS JOIN sel
    WHERE a.expected_to_report AND {authority_condition(kind="a.kind", authority="a.id")}
    """  # noqa: S608 - fixed SQL, values bound
    row = cur.execute(sql, (selection or Selection()).params(today=resolve_today(None))).fetchone()
    return int(row[0]) if row else 0


def reporting_trend(
    cur: duckdb.DuckDBPyConnection,
    *,
    include_unpublished: bool = False,
    selection: Selection | None = None,
) -> pd.DataFrame:
    """Meldequote per period that holds any submission, oldest first, with the delta (in
    percentage points as a share, e.g. 0.05) against the previous period."""
    sql = f"""
    WITH {CURRENT_SUBMISSIONS},
    {SELECTION_CTE},
    expected AS (
        SELECT a.id, a.kind FROM authority a CROSS JOIN sel
        WHERE a.expected_to_report AND {authority_condition(kind="a.kind", authority="a.id")}
    ),
    periods AS (SELECT DISTINCT period_id FROM submission)
    SELECT pr.period_id,
           count(DISTINCT cs.authority_id) AS reported,
           (SELECT count(*) FROM expected) AS expected
    FROM periods pr
    LEFT JOIN current_submission cs
        ON cs.period_id = pr.period_id AND cs.authority_id IN (SELECT id FROM expected)
    GROUP BY pr.period_id ORDER BY pr.period_id
    """  # noqa: S608 - fixed SQL, values bound
    params = [
        "projects",
        include_unpublished,
        *(selection or Selection()).params(today=resolve_today(None)),
    ]
    frame = cur.execute(sql, params).df()
    expected = frame["expected"].astype("float64")
    frame["rate"] = (frame["reported"] / expected).where(expected > 0)
    frame["rate_delta"] = frame["rate"].diff()
    return frame


def data_freshness(
    cur: duckdb.DuckDBPyConnection,
    *,
    period: str,
    include_unpublished: bool = False,
    selection: Selection | None = None,
) -> pd.DataFrame:
    """One row per source (kind): authorities with a current submission for the period, the
    oldest and newest receipt, the period's reference date and, for service status, the
    newest as-of date the rows carry.

    The catalogue is not reported per period: one stays valid until a newer one is read in.
    Its row therefore describes the catalogue in force (:func:`kpi.services.catalogue_info`,
    the same one the Online-Quote divides by), with that catalogue's own period in
    ``data_period``; counting only catalogues read in *for* the period showed 0 rows although
    the Online-Dienste page used a 1,000-row catalogue."""
    sql = f"""
    WITH {CURRENT_ANY},
    {SELECTION_CTE},
    kinds AS (SELECT unnest(?::VARCHAR[]) AS kind, generate_subscripts(?::VARCHAR[], 1) AS ord),
    in_period AS (
        SELECT c.* FROM current_any c JOIN authority a ON a.id = c.authority_id CROSS JOIN sel
        WHERE c.period_id = ? AND {authority_condition(kind="a.kind", authority="a.id")}
    ),
    status_as_of AS (
        SELECT max(ss.as_of) AS as_of FROM service_status ss
        JOIN in_period ip ON ip.id = ss.submission_id
    )
    SELECT k.kind, count(ip.id) AS submissions, count(DISTINCT ip.authority_id) AS authorities,
           min(ip.submitted_at) AS oldest_received, max(ip.submitted_at) AS newest_received,
           sum(ip.row_count) AS rows,
           any_value(rp.end_date) AS reference_date,
           CASE WHEN k.kind = 'services' THEN (SELECT as_of FROM status_as_of) END AS data_as_of
    FROM kinds k
    LEFT JOIN in_period ip ON ip.kind = k.kind
    LEFT JOIN reporting_period rp ON rp.id = ?
    GROUP BY k.kind, k.ord ORDER BY k.ord
    """  # noqa: S608 - fixed SQL, values bound
    kinds = list(SOURCES)
    params = [
        include_unpublished,
        *(selection or Selection()).params(today=resolve_today(None)),
        kinds,
        kinds,
        period,
        period,
    ]
    frame = cur.execute(sql, params).df()
    frame.insert(1, "source", frame["kind"].map(SOURCES))
    frame["data_period"] = period
    frame["out_of_scope"] = pd.array([pd.NA] * len(frame), dtype="Int64")
    catalogue = catalogue_info(cur, period=period, include_unpublished=include_unpublished)
    in_force = frame["kind"] == "catalog"
    if catalogue is None:
        frame.loc[in_force, "data_period"] = None
    else:
        received = pd.Timestamp(catalogue["submitted_at"])
        frame.loc[in_force, ["submissions", "authorities", "rows", "out_of_scope"]] = [
            1,
            1,
            catalogue["services"],
            catalogue["out_of_scope"],
        ]
        frame.loc[in_force, ["oldest_received", "newest_received"]] = [received, received]
        frame.loc[in_force, "reference_date"] = pd.Timestamp(parse_period(catalogue["period"])[1])
        frame.loc[in_force, "data_period"] = catalogue["period"]
    return frame


def submission_history(
    cur: duckdb.DuckDBPyConnection, *, authority_id: str, include_unpublished: bool = False
) -> pd.DataFrame:
    """Every submission of one authority (all kinds), newest first; drafts only on request.

    Which submission counts for its period is marked ``current``."""
    sql = """
    SELECT s.id AS submission_id, s.period_id, s.kind, s.file_name, s.submitted_by,
           s.submitted_at, s.row_count, s.review_status,
           s.id = max(s.id) FILTER (WHERE s.review_status = 'published' OR ?) OVER (
               PARTITION BY s.period_id, s.kind) AS current
    FROM submission s
    WHERE s.authority_id = ? AND (s.review_status = 'published' OR ?)
    ORDER BY s.period_id DESC, s.kind, s.id DESC
    """
    frame = cur.execute(sql, [include_unpublished, authority_id, include_unpublished]).df()
    frame["source"] = frame["kind"].map(SOURCES).fillna(frame["kind"])
    return frame
