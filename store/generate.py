"""Bulk SQL writers of the synthetic load data (``python -m data.generate``).

The benchmark databases are too large to go through the loaders row by row in reasonable time
(berlin: ~36,000 project reports, ~700,000 service status rows; national: 66 million matrix
rows), so the rows are computed inside DuckDB with ``range()`` and a seeded hash as the random
source: deterministic for a seed and DuckDB version, no Python loop over rows, and no pandas.
The rows respect what the loaders would accept (reasons for yellow/red lights, costs only when
reported, live workplaces never above those in scope), so every KPI sees plausible data.

Every function runs inside the caller's write transaction on its cursor; :func:`prepare`
must be called first on that cursor (it creates the temporary macros used below). Lists of
words come from ``data.generate`` as bound parameters; identifiers are fixed.
"""

from __future__ import annotations

from collections.abc import Sequence

import duckdb

ACTOR = "Lastdaten-Generator"

# u(a, salt): a uniform number in [0, 1) from the seeded hash of a key; u2 for two keys;
# pick(list, u): an element of a list chosen by such a number.
_MACROS = (
    "CREATE OR REPLACE TEMP MACRO gen_u(a, salt) AS "
    "(hash(a, getvariable('gen_seed'), salt) % 1000003) / 1000003.0",
    "CREATE OR REPLACE TEMP MACRO gen_u2(a, b, salt) AS "
    "(hash(a, b, getvariable('gen_seed'), salt) % 1000003) / 1000003.0",
    "CREATE OR REPLACE TEMP MACRO gen_pick(items, u) AS "
    "items[1 + least(floor(u * len(items))::INTEGER, len(items) - 1)]",
)


def prepare(cur: duckdb.DuckDBPyConnection, *, seed: int) -> None:
    """Bind the seed and create the random-number macros on this cursor."""
    cur.execute("SET VARIABLE gen_seed = ?", [seed])
    for sql in _MACROS:
        cur.execute(sql)


def insert_authorities(
    cur: duckdb.DuckDBPyConnection, rows: Sequence[tuple[str, str, str, str, str | None]]
) -> None:
    """Additional reporting units (id, name, short name, kind, parent id)."""
    cur.executemany(
        "INSERT INTO authority (id, name, short_name, kind, parent_id) VALUES (?, ?, ?, ?, ?)",
        list(rows),
    )


COUNTED_TABLES = ("authority", "submission", "service", "region")


def table_counts(cur: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Rows of the main tables, for the generator's summary line."""
    counts = {}
    for table in COUNTED_TABLES:
        row = cur.execute(f"SELECT count(*) FROM {table}").fetchone()  # noqa: S608 - allowlist
        counts[table] = int(row[0]) if row else 0
    return counts


def _periods_table(cur: duckdb.DuckDBPyConnection, periods: Sequence[str]) -> None:
    cur.execute(
        "CREATE OR REPLACE TEMP TABLE gen_period AS "
        "SELECT p.id, p.idx, rp.start_date, rp.end_date, rp.due_date FROM ("
        "  SELECT unnest(?::VARCHAR[]) AS id, (generate_subscripts(?::VARCHAR[], 1) - 1)::INTEGER AS idx"
        ") p JOIN reporting_period rp USING (id)",
        [list(periods), list(periods)],
    )


def _authorities_table(cur: duckdb.DuckDBPyConnection) -> None:
    """Every authority expected to report, with a weight (how many projects it runs) and its
    cumulative share, so a uniform number picks an authority by weight."""
    cur.execute(
        """
        CREATE OR REPLACE TEMP TABLE gen_authority AS
        WITH weighted AS (
            SELECT id, kind, row_number() OVER (ORDER BY id) - 1 AS idx,
                   CASE kind WHEN 'district_office' THEN 3.0 WHEN 'senate_department' THEN 2.5
                             WHEN 'state_enterprise' THEN 0.8 ELSE 1.0 END
                   * (0.6 + gen_u(id, 'weight')) AS weight
            FROM authority WHERE expected_to_report
        )
        SELECT *, coalesce(sum(weight) OVER (ORDER BY idx ROWS BETWEEN UNBOUNDED PRECEDING
                                             AND 1 PRECEDING), 0) / sum(weight) OVER () AS lo,
               sum(weight) OVER (ORDER BY idx) / sum(weight) OVER () AS hi
        FROM weighted
        """
    )


def insert_projects(
    cur: duckdb.DuckDBPyConnection,
    *,
    periods: Sequence[str],
    projects: int,
    titles: Sequence[str],
    reasons: Sequence[str],
    topic_areas: Sequence[str],
    service_keys_max: int,
    late_share: float,
    draft_share: float,
) -> int:
    """One project submission per authority and period, with its project reports.

    Each project has a plan (start, duration, budget) and a story (schedule slip per quarter,
    cost drift, a possible re-baselining, pause or cancellation); each period reports the state
    at its end. Authorities are late for the newest period with ``late_share``; of the newest
    period's reports ``draft_share`` are not yet published. Returns the number of reports.
    """
    _periods_table(cur, periods)
    _authorities_table(cur)
    cur.execute(
        """
        CREATE OR REPLACE TEMP TABLE gen_project AS
        WITH base AS (
            SELECT k, gen_u(k, 'authority') AS ua FROM range(?) t(k)
        ),
        placed AS (
            SELECT b.k, a.id AS authority_id,
                   row_number() OVER (PARTITION BY a.id ORDER BY b.k) AS n
            FROM base b JOIN gen_authority a ON b.ua >= a.lo AND b.ua < a.hi
        ),
        window_ AS (SELECT min(start_date) AS first_start, max(end_date) AS last_end,
                           count(*) AS periods FROM gen_period)
        SELECT p.k, p.authority_id,
               'V-' || lpad(p.n::VARCHAR, 4, '0') AS project_id,
               gen_pick(?::VARCHAR[], gen_u(p.k, 'title'))
                   || CASE WHEN gen_u(p.k, 'suffix') < 0.5 THEN ''
                           ELSE ' (Los ' || (1 + floor(gen_u(p.k, 'los') * 4))::INT || ')' END
                   AS title,
               gen_pick(['online_service', 'online_service', 'online_service', 'eakte',
                         'specialised_procedure', 'specialised_procedure', 'infrastructure',
                         'organisation', 'other'], gen_u(p.k, 'programme')) AS programme,
               gen_pick(?::VARCHAR[], gen_u(p.k, 'topic')) AS topic_area,
               -- reported from this period index on (most projects run through the window)
               CASE WHEN gen_u(p.k, 'late_start') < 0.7 THEN 0
                    ELSE floor(gen_u(p.k, 'report_from') * w.periods)::INT END AS report_from,
               w.first_start - 540
                   + floor(gen_u(p.k, 'start') * (date_diff('day', w.first_start, w.last_end)
                                                  + 540))::INT AS planned_start,
               (180 + floor(gen_u(p.k, 'duration') * 900))::INT AS duration_days,
               round(gen_pick([45000, 80000, 120000, 250000, 480000, 1200000, 3500000],
                              gen_u(p.k, 'budget')) * (0.8 + 0.4 * gen_u(p.k, 'budget2')), -3)
                   AS budget_original,
               CASE WHEN gen_u(p.k, 'slips') < 0.5 THEN 0
                    ELSE (10 + floor(gen_u(p.k, 'slip') * 50))::INT END AS slip_days,
               CASE WHEN gen_u(p.k, 'drifts') < 0.5 THEN 0.0
                    ELSE 0.04 * gen_u(p.k, 'drift') END AS cost_drift,
               CASE WHEN gen_u(p.k, 'rebaseline') < 0.2
                    THEN floor(gen_u(p.k, 'rebaseline_at') * w.periods)::INT END
                   AS rebaseline_at,
               CASE WHEN gen_u(p.k, 'cancel') < 0.03
                    THEN floor(gen_u(p.k, 'cancel_at') * w.periods)::INT END AS cancelled_at,
               CASE WHEN gen_u(p.k, 'pause') < 0.05
                    THEN floor(gen_u(p.k, 'pause_at') * w.periods)::INT END AS paused_at,
               CASE WHEN gen_u(p.k, 'cost_mode') < 0.85 THEN 'reported'
                    WHEN gen_u(p.k, 'cost_mode') < 0.95 THEN 'not_reported'
                    ELSE 'confidential' END AS cost_reporting_status,
               CASE WHEN gen_u(p.k, 'risk') < 0.7
                    THEN (1 + floor(gen_u(p.k, 'risk2') * 5))::INT END AS risk_rating,
               gen_u(p.k, 'optimism') < 0.3 AS optimistic,
               CASE WHEN gen_u(p.k, 'links') < 0.6 THEN
                   ['99' || lpad((1 + floor(gen_u(p.k, 'leika1') * ?))::BIGINT::VARCHAR, 12, '0')]
               END AS leika_keys
        FROM placed p CROSS JOIN window_ w
        """,
        [projects, list(titles), list(topic_areas), service_keys_max],
    )
    cur.execute(
        """
        CREATE OR REPLACE TEMP TABLE gen_report AS
        WITH timeline AS (
            SELECT pr.*, pe.id AS period_id, pe.idx, pe.end_date,
                   greatest(0, pe.idx - pr.report_from)::INT AS age,
                   pr.planned_start + pr.duration_days AS original_end,
                   pr.rebaseline_at IS NOT NULL AND pe.idx >= pr.rebaseline_at AS rebaselined
            FROM gen_project pr JOIN gen_period pe ON pe.idx >= pr.report_from
        ),
        planned AS (
            SELECT t.*,
                   CASE WHEN t.rebaselined
                        THEN t.original_end + (t.slip_days * (t.rebaseline_at - t.report_from + 2))::INT
                        ELSE t.original_end END AS baseline_end,
                   round(t.budget_original * CASE WHEN t.rebaselined THEN 1.15 ELSE 1 END, 2)
                       AS budget,
                   t.original_end + (t.slip_days * (t.age + 1))::INT AS forecast_end
            FROM timeline t
        ),
        staged AS (
            SELECT pl.*,
                   CASE WHEN pl.cancelled_at IS NOT NULL AND pl.idx >= pl.cancelled_at
                            THEN 'cancelled'
                        WHEN pl.end_date < pl.planned_start THEN 'not_started'
                        WHEN pl.forecast_end <= pl.end_date THEN 'completed'
                        WHEN pl.paused_at IS NOT NULL AND pl.idx BETWEEN pl.paused_at
                             AND pl.paused_at + 1 THEN 'paused'
                        WHEN pl.rebaselined AND pl.idx = pl.rebaseline_at THEN 'reorienting'
                        ELSE 'in_progress' END AS status,
                   least(1.0, greatest(0.0,
                       date_diff('day', pl.planned_start, pl.end_date)
                       / greatest(1, date_diff('day', pl.planned_start, pl.forecast_end))))
                       AS elapsed_share,
                   date_diff('day', pl.baseline_end, pl.forecast_end)
                       / greatest(1, date_diff('day', pl.planned_start, pl.baseline_end))
                       AS slip_ratio
            FROM planned pl
        ),
        lit AS (
            SELECT s.*,
                   CASE WHEN s.slip_ratio < 0.1 AND s.cost_drift * s.age < 0.1 THEN 0
                        WHEN s.slip_ratio < 0.3 AND s.cost_drift * s.age < 0.3 THEN 1
                        ELSE 2 END AS true_light
            FROM staged s
        )
        SELECT l.authority_id, l.period_id, l.idx, l.project_id, l.title, l.programme,
               l.topic_area, l.status,
               CASE l.status WHEN 'not_started' THEN 'Konzeption'
                             WHEN 'completed' THEN 'Abschluss'
                             ELSE gen_pick(['Konzeption', 'Ausschreibung', 'Umsetzung',
                                            'Umsetzung', 'Einführung'], l.elapsed_share)
               END AS phase,
               ['green', 'yellow', 'red'][1 + greatest(0, l.true_light
                   - CASE WHEN l.optimistic THEN 1 ELSE 0 END)] AS traffic_light,
               l.risk_rating, l.planned_start,
               CASE WHEN l.status <> 'not_started'
                    THEN l.planned_start + floor(gen_u(l.k, 'delay') * 30)::INT END
                   AS actual_start,
               CASE WHEN gen_u2(l.k, l.idx, 'orig') < 0.8 THEN l.original_end END
                   AS baseline_end_original,
               l.baseline_end,
               CASE WHEN l.status NOT IN ('completed', 'cancelled') THEN l.forecast_end END
                   AS forecast_end,
               CASE WHEN l.status = 'completed' THEN l.forecast_end END AS actual_end,
               CASE WHEN l.cost_reporting_status = 'reported' THEN l.budget_original END
                   AS budget_original,
               CASE WHEN l.cost_reporting_status = 'reported' THEN l.budget END AS budget,
               CASE WHEN l.cost_reporting_status = 'reported'
                    THEN round(l.budget * (1 + l.cost_drift * l.age), 2) END AS forecast_cost,
               CASE WHEN l.cost_reporting_status = 'reported'
                    THEN round(l.budget * (1 + l.cost_drift * l.age) * l.elapsed_share, 2)
               END AS actual_cost,
               l.cost_reporting_status,
               CASE l.status WHEN 'completed' THEN 100.0 WHEN 'not_started' THEN 0.0
                    ELSE round(95 * l.elapsed_share, 1) END AS progress_pct,
               l.leika_keys
        FROM lit l
        """
    )
    # Reasons for yellow and red lights, as the loaders require.
    cur.execute("ALTER TABLE gen_report ADD COLUMN traffic_light_reason VARCHAR")
    cur.execute(
        "UPDATE gen_report SET traffic_light_reason = "
        "gen_pick(?::VARCHAR[], gen_u2(project_id, authority_id, 'reason')) "
        "WHERE traffic_light <> 'green'",
        [list(reasons)],
    )
    last = max(range(len(periods)))
    cur.execute(
        """
        INSERT INTO submission (authority_id, period_id, kind, file_name, content_sha256,
                                submitted_by, submitted_at, row_count, review_status, is_demo)
        SELECT r.authority_id, r.period_id, 'projects',
               'vorhaben_' || r.authority_id || '_' || r.period_id || '.xlsx',
               sha256('projects|' || r.authority_id || '|' || r.period_id),
               ?, any_value(pe.end_date) + INTERVAL 1 DAY
                   * (5 + floor(gen_u2(r.authority_id, r.period_id, 'submitted') * 40))::INT
                   + INTERVAL 9 HOUR,
               count(*),
               CASE WHEN any_value(r.idx) = ?
                         AND gen_u2(r.authority_id, r.period_id, 'draft') < ?
                    THEN 'draft' ELSE 'published' END,
               TRUE
        FROM gen_report r JOIN gen_period pe ON pe.id = r.period_id
        WHERE NOT (r.idx = ? AND gen_u(r.authority_id, 'late') < ?)
        GROUP BY r.authority_id, r.period_id
        ORDER BY r.period_id, r.authority_id
        """,
        [ACTOR, last, draft_share, last, late_share],
    )
    cur.execute(
        """
        INSERT INTO project_report (submission_id, source_row, project_id, title, programme,
            topic_area, status, phase, traffic_light, traffic_light_reason, risk_rating,
            planned_start, actual_start, baseline_end_original, baseline_end, forecast_end,
            actual_end, budget_original, budget, forecast_cost, actual_cost,
            cost_reporting_status, progress_pct, leika_keys, contact)
        SELECT s.id, row_number() OVER (PARTITION BY s.id ORDER BY r.project_id) + 1,
               r.project_id, r.title, r.programme, r.topic_area, r.status, r.phase,
               r.traffic_light, r.traffic_light_reason, r.risk_rating, r.planned_start,
               r.actual_start, r.baseline_end_original, r.baseline_end, r.forecast_end,
               r.actual_end, r.budget_original, r.budget, r.forecast_cost, r.actual_cost,
               r.cost_reporting_status, r.progress_pct, r.leika_keys, 'Projektbüro'
        FROM gen_report r
        JOIN submission s ON s.authority_id = r.authority_id AND s.period_id = r.period_id
                         AND s.kind = 'projects' AND s.submitted_by = ?
        """,
        [ACTOR],
    )
    row = cur.execute(
        "SELECT count(*) FROM project_report p JOIN submission s ON s.id = p.submission_id "
        "WHERE s.submitted_by = ?",
        [ACTOR],
    ).fetchone()
    return int(row[0]) if row else 0


def insert_eakte(
    cur: duckdb.DuckDBPyConnection, *, periods: Sequence[str], late_share: float
) -> int:
    """One E-Akte report per authority and period: planned, pilot, rollout, productive, with
    live workplaces growing towards those in scope. Returns the number of reports."""
    _periods_table(cur, periods)
    _authorities_table(cur)
    last = max(range(len(periods)))
    cur.execute(
        """
        CREATE OR REPLACE TEMP TABLE gen_eakte AS
        WITH plan AS (
            SELECT a.id AS authority_id,
                   (CASE a.kind WHEN 'district_office' THEN 1500 WHEN 'senate_department' THEN 900
                               ELSE 250 END * (0.4 + gen_u(a.id, 'seats')))::INT AS in_scope,
                   floor(gen_u(a.id, 'pilot') * n * 0.6)::INT AS pilot_at,
                   (2 + floor(gen_u(a.id, 'span') * n))::INT AS span
            FROM gen_authority a CROSS JOIN (SELECT count(*) AS n FROM gen_period)
        )
        SELECT pl.authority_id, pe.id AS period_id, pe.idx, pe.end_date, pl.in_scope,
               pl.pilot_at, pl.span,
               least(1.0, greatest(0.0, (pe.idx - pl.pilot_at) / pl.span)) AS share
        FROM plan pl CROSS JOIN gen_period pe
        """
    )
    cur.execute(
        """
        INSERT INTO submission (authority_id, period_id, kind, file_name, content_sha256,
                                submitted_by, submitted_at, row_count, review_status, is_demo)
        SELECT authority_id, period_id, 'eakte',
               'eakte_' || authority_id || '_' || period_id || '.xlsx',
               sha256('eakte|' || authority_id || '|' || period_id), ?,
               end_date + INTERVAL 20 DAY + INTERVAL 10 HOUR, 1, 'published', TRUE
        FROM gen_eakte WHERE NOT (idx = ? AND gen_u(authority_id, 'eakte_late') < ?)
        ORDER BY period_id, authority_id
        """,
        [ACTOR, last, late_share],
    )
    cur.execute(
        """
        INSERT INTO eakte_status (submission_id, source_row, authority_id, status,
            golive_planned, golive_actual, workplaces_in_scope, workplaces_live, accounts,
            active_users, legacy_migrated_pct)
        SELECT s.id, 2, e.authority_id,
               CASE WHEN e.share <= 0 AND e.idx < e.pilot_at THEN 'planned'
                    WHEN e.share < 0.1 THEN 'pilot'
                    WHEN e.share < 0.95 THEN 'rollout' ELSE 'productive' END,
               DATE '2023-01-01' + (e.pilot_at * 91 + e.span * 91)::INT,
               CASE WHEN e.share >= 0.95 THEN e.end_date - 30 END,
               e.in_scope, (e.in_scope * e.share)::INT,
               (e.in_scope * least(1.0, e.share * 1.05))::INT,
               (e.in_scope * e.share * 0.8)::INT,
               round(e.share * 60, 1)
        FROM gen_eakte e
        JOIN submission s ON s.authority_id = e.authority_id AND s.period_id = e.period_id
                         AND s.kind = 'eakte' AND s.submitted_by = ?
        """,
        [ACTOR],
    )
    row = cur.execute(
        "SELECT count(*) FROM eakte_status e JOIN submission s ON s.id = e.submission_id "
        "WHERE s.submitted_by = ?",
        [ACTOR],
    ).fetchone()
    return int(row[0]) if row else 0


def insert_catalogue(
    cur: duckdb.DuckDBPyConnection,
    *,
    periods: Sequence[str],
    services: int,
    objects: Sequence[tuple[str, str]],
    actions: Sequence[str],
    submitter: str,
    update_index: int,
) -> None:
    """The service catalogue: a first import in the first period (97 % of the services) and an
    update in period ``update_index`` listing all of them; ``service`` holds the newest names.

    Keys are 14-digit LeiKa-like numbers starting with 99 (no real LeiKa key does), LeiKa type
    decides who executes: type 1 the Bund, 2/3 the Land, 4/5 the Bezirke. ``objects`` are
    (name, topic area id): a service's OZG-Leistung and topic follow its object.
    """
    _periods_table(cur, periods)
    names = [name for name, _ in objects]
    cur.execute(
        """
        CREATE OR REPLACE TEMP TABLE gen_service AS
        WITH base AS (
            SELECT i, '99' || lpad(i::VARCHAR, 12, '0') AS service_key,
                   gen_u(i, 'type') AS ut FROM range(1, ? + 1) t(i)
        ),
        named AS (
            SELECT b.*,
                   floor(gen_u(b.i, 'object') * len(?::VARCHAR[]))::INT AS object_idx,
                   CASE WHEN b.ut < 0.15 THEN '1' WHEN b.ut < 0.35 THEN '2'
                        WHEN b.ut < 0.5 THEN '3' WHEN b.ut < 0.55 THEN '2/3'
                        WHEN b.ut < 0.85 THEN '4' ELSE '5' END AS leika_type
            FROM base b
        )
        SELECT n.i, n.service_key, n.leika_type,
               gen_pick(?::VARCHAR[], gen_u(n.i, 'action')) || ' '
                   || (?::VARCHAR[])[1 + n.object_idx] AS name,
               (?::VARCHAR[])[1 + n.object_idx] AS ozg_name,
               (100000 + n.object_idx * 10 + floor(gen_u(n.i, 'ozg') * 3)::INT)::VARCHAR
                   AS ozg_id,
               (?::VARCHAR[])[1 + n.object_idx] AS topic_area,
               n.leika_type IN ('4', '5') AS district_executed,
               CASE WHEN n.leika_type IN ('4', '5') THEN NULL ELSE
                   gen_pick((SELECT list(id ORDER BY id) FROM authority
                             WHERE kind IN ('senate_department', 'subordinate_agency')),
                            gen_u(n.i, 'responsible')) END AS responsible_authority_id,
               CASE WHEN gen_u(n.i, 'scope') < 0.005 THEN 'für Berlin nicht einschlägig' END
                   AS out_of_scope_reason,
               gen_u(n.i, 'added') < 0.03 AS added_later
        FROM named n
        """,
        [services, names, list(actions), names, names, [topic for _, topic in objects]],
    )
    first, update = periods[0], periods[min(update_index, len(periods) - 1)]
    for period, with_added in ((first, False), (update, True)):
        row = cur.execute(
            """
            INSERT INTO submission (authority_id, period_id, kind, file_name, content_sha256,
                                    submitted_by, submitted_at, row_count, review_status, is_demo)
            SELECT ?, ?, 'catalog', 'leistungskatalog_' || ? || '.xlsx',
                   sha256('catalog|' || ?), ?,
                   (SELECT start_date FROM gen_period WHERE id = ?) + INTERVAL 8 HOUR,
                   (SELECT count(*) FROM gen_service WHERE ? OR NOT added_later),
                   'published', TRUE
            RETURNING id
            """,
            [submitter, period, period, period, ACTOR, period, with_added],
        ).fetchone()
        assert row is not None
        cur.execute(
            """
            INSERT INTO catalog_entry (submission_id, source_row, service_key, leika_key, name,
                leika_type, ozg_id, ozg_name, topic_area, addressee, responsible_authority_id,
                responsible_text, district_executed, scope_given, out_of_scope_reason)
            SELECT ?, row_number() OVER (ORDER BY i) + 1, service_key, service_key, name,
                   leika_type, ozg_id, ozg_name, topic_area,
                   CASE WHEN gen_u(i, 'addressee') < 0.7 THEN ['Bürger']
                        ELSE ['Unternehmen'] END,
                   responsible_authority_id,
                   CASE WHEN district_executed THEN 'alle Bezirke' END,
                   district_executed, TRUE, out_of_scope_reason
            FROM gen_service WHERE ? OR NOT added_later
            """,
            [row[0], with_added],
        )
        cur.execute(
            """
            INSERT INTO service (service_key, leika_key, name, leika_type, ozg_id, ozg_name,
                topic_area, addressee, responsible_authority_id, responsible_text,
                district_executed, out_of_scope_reason, first_submission_id, last_submission_id)
            SELECT service_key, leika_key, name, leika_type, ozg_id, ozg_name, topic_area,
                   addressee, responsible_authority_id, responsible_text, district_executed,
                   out_of_scope_reason, submission_id, submission_id
            FROM catalog_entry WHERE submission_id = ?
            ON CONFLICT (service_key) DO UPDATE SET name = excluded.name,
                last_submission_id = excluded.last_submission_id
            """,
            [row[0]],
        )


def insert_service_status(
    cur: duckdb.DuckDBPyConnection,
    *,
    periods: Sequence[str],
    submitter: str,
    coverage: float,
    model_2_from: str,
    efa_states: Sequence[str],
) -> int:
    """One status report per period: for every service and each of the four providers (with
    probability ``coverage``) an offer whose level rises over the periods, as reported in the
    template (Reifegradmodell 2.0 from ``model_2_from`` on). Returns the number of rows."""
    _periods_table(cur, periods)
    cur.execute(
        """
        CREATE OR REPLACE TEMP TABLE gen_offer AS
        WITH pairs AS (
            SELECT s.i, s.service_key, s.leika_type, s.district_executed, s.added_later,
                   pv.provider, pv.rank
            FROM gen_service s
            CROSS JOIN (SELECT unnest(['federal', 'efa', 'land', 'district']) AS provider,
                               unnest([1, 2, 3, 4]) AS rank) pv
            WHERE gen_u2(s.i, pv.rank, 'offered') < ?
        ),
        periods AS (SELECT count(*) AS n FROM gen_period)
        SELECT p.*,
               floor(gen_u2(p.i, p.rank, 'start_level') * 3)::INT AS start_level,
               -- period index reaching level 3 and 4 (beyond the window: never in it)
               floor(gen_u2(p.i, p.rank, 'reach3') * n * CASE p.provider
                   WHEN 'federal' THEN 1.3 WHEN 'efa' THEN 2.0 ELSE 2.6 END)::INT AS reach3,
               floor(gen_u2(p.i, p.rank, 'reach4') * n * 4)::INT AS reach4_extra,
               CASE WHEN p.provider = 'efa'
                    THEN gen_pick(?::VARCHAR[], gen_u(p.i, 'origin')) END AS origin_state,
               gen_u2(p.i, p.rank, 'area') < 0.6 AS area_wide_when_online,
               floor(gen_u2(p.i, p.rank, 'since') * 80)::INT AS since_day
        FROM pairs p CROSS JOIN periods
        """,
        [coverage, list(efa_states)],
    )
    count = 0
    for period in periods:
        row = cur.execute(
            """
            INSERT INTO submission (authority_id, period_id, kind, file_name, content_sha256,
                                    submitted_by, submitted_at, row_count, review_status, is_demo)
            SELECT ?, ?, 'services', 'onlinedienste_' || ? || '.xlsx',
                   sha256('services|' || ?), ?, end_date + INTERVAL 15 DAY + INTERVAL 11 HOUR,
                   0, 'published', TRUE
            FROM gen_period WHERE id = ?
            RETURNING id
            """,
            [submitter, period, period, period, ACTOR, period],
        ).fetchone()
        assert row is not None
        cur.execute(
            """
            INSERT INTO service_status (submission_id, source_row, service_key, provider,
                provider_slot, origin_state, maturity_level, maturity_model, url, area_wide,
                online_since, source, as_of)
            WITH levelled AS (
                SELECT o.*, pe.idx, pe.end_date, pe.id AS period_id,
                       CASE WHEN pe.idx >= o.reach3 + o.reach4_extra THEN 4
                            WHEN pe.idx >= o.reach3 THEN 3 ELSE o.start_level END AS level,
                       (SELECT start_date FROM gen_period WHERE idx = o.reach3) AS reach3_start
                FROM gen_offer o JOIN gen_period pe ON pe.id = ?
                WHERE NOT (o.added_later AND pe.idx < ?)
            )
            SELECT ?, row_number() OVER (ORDER BY i, rank) + 1, service_key, provider,
                   coalesce(origin_state, ''), origin_state,
                   CASE WHEN period_id >= ? THEN
                        CASE level WHEN 3 THEN 3 + floor(gen_u2(i, rank, 'm2') * 2)::INT
                                   WHEN 4 THEN 5 + floor(gen_u2(i, rank, 'm2') * 3)::INT
                                   ELSE level END
                        ELSE level END,
                   CASE WHEN period_id >= ? THEN '2.0' ELSE '1.1' END,
                   CASE WHEN level >= 3 THEN 'https://service.berlin.de/dienstleistung/'
                        || service_key || '/' END,
                   CASE WHEN provider = 'district' THEN level >= 3 AND area_wide_when_online
                   END,
                   CASE WHEN level >= 3
                        THEN coalesce(reach3_start, DATE '2022-10-01') + since_day END,
                   'report', end_date
            FROM levelled
            """,
            [period, _update_index(cur), row[0], model_2_from, model_2_from],
        )
        written = cur.execute(
            "SELECT count(*) FROM service_status WHERE submission_id = ?", [row[0]]
        ).fetchone()
        rows = int(written[0]) if written else 0
        cur.execute("UPDATE submission SET row_count = ? WHERE id = ?", [rows, row[0]])
        count += rows
    return count


def _update_index(cur: duckdb.DuckDBPyConnection) -> int:
    """Period index of the catalogue update (services added later are reported from it)."""
    row = cur.execute(
        "SELECT min(pe.idx) FROM submission s JOIN gen_period pe ON pe.id = s.period_id "
        "WHERE s.kind = 'catalog' AND s.submitted_by = ? AND s.row_count = "
        "(SELECT max(row_count) FROM submission WHERE kind = 'catalog' AND submitted_by = ?)",
        [ACTOR, ACTOR],
    ).fetchone()
    return int(row[0]) if row and row[0] is not None else 0


# --- national scale -------------------------------------------------------------------------


def insert_synthetic_regions(
    cur: duckdb.DuckDBPyConnection,
    *,
    states: Sequence[tuple[str, str, str, int, int, int]],
) -> None:
    """States as given (code, name, short name, districts, municipalities, population), their
    districts and municipalities invented under them.

    A quarter of a state's districts are *kreisfreie Städte* (one municipality each); the other
    municipalities are spread over the Landkreise by random weights (largest remainder, so the
    state's count is exact). Populations are heavy-tailed within the state's total.
    """
    cur.execute(
        "CREATE OR REPLACE TEMP TABLE gen_state (code VARCHAR, name VARCHAR, short_name VARCHAR, "
        "districts INTEGER, municipalities INTEGER, population BIGINT)"
    )
    cur.executemany("INSERT INTO gen_state VALUES (?, ?, ?, ?, ?, ?)", list(states))
    cur.execute(
        """
        CREATE OR REPLACE TEMP TABLE gen_district AS
        WITH listed AS (
            SELECT s.code AS state_code, s.name AS state_name, s.short_name, s.districts,
                   s.municipalities, unnest(range(1, s.districts + 1)) AS k
            FROM gen_state s
        ),
        typed AS (
            SELECT *, state_code || lpad(k::VARCHAR, 3, '0') AS code,
                   districts > 1 AND gen_u2(state_code, k, 'city') < 0.25 AS city,
                   0.2 + gen_u2(state_code, k, 'size') AS w
            FROM listed
        ),
        shares AS (
            SELECT *,
                   (municipalities - count(*) OVER st) * CASE WHEN city THEN 0 ELSE w END
                   / nullif(sum(CASE WHEN city THEN 0 ELSE w END) OVER st, 0) AS exact
            FROM typed WINDOW st AS (PARTITION BY state_code)
        ),
        rounded AS (
            SELECT *, coalesce(floor(exact), 0)::INT AS base,
                   row_number() OVER (PARTITION BY state_code
                                      ORDER BY coalesce(exact - floor(exact), 0) DESC, k) AS r,
                   municipalities - count(*) OVER (PARTITION BY state_code)
                   - sum(coalesce(floor(exact), 0)::INT) OVER (PARTITION BY state_code) AS rest
            FROM shares
        )
        SELECT state_code, code, k, city, short_name,
               CASE WHEN districts = 1 THEN state_name
                    WHEN city THEN 'Kreisfreie Stadt ' || short_name || '-' || lpad(k::VARCHAR, 2, '0')
                    ELSE 'Landkreis ' || short_name || '-' || lpad(k::VARCHAR, 2, '0') END AS name,
               1 + base + CASE WHEN r <= rest THEN 1 ELSE 0 END AS municipalities
        FROM rounded
        """
    )
    cur.execute(
        """
        INSERT INTO region (code, level, name, short_name, parent_code, ags, population)
        SELECT code, 'state', name, short_name, NULL, NULL, NULL FROM gen_state
        UNION ALL
        SELECT code, 'district', name, NULL, state_code, NULL, NULL FROM gen_district
        """
    )
    cur.execute(
        """
        INSERT INTO region (code, level, name, short_name, parent_code, ags, population)
        WITH listed AS (
            SELECT d.*, unnest(range(1, d.municipalities + 1)) AS g FROM gen_district d
        ),
        weighted AS (
            SELECT l.*, l.code || lpad(l.g::VARCHAR, 3, '0') AS ags_code,
                   CASE WHEN l.city OR l.municipalities = 1 THEN 40.0
                        ELSE pow(0.01 + gen_u2(l.code, l.g, 'population'), -1.1) END AS w
            FROM listed l
        )
        SELECT w.ags_code, 'municipality',
               CASE WHEN w.municipalities = 1 THEN w.name
                    ELSE 'Gemeinde ' || w.short_name || '-' || w.k || '-' || w.g END,
               NULL, w.code, w.ags_code::INTEGER,
               round(s.population * w.w / sum(w.w) OVER (PARTITION BY w.state_code))::INTEGER
        FROM weighted w JOIN gen_state s ON s.code = w.state_code
        ORDER BY w.ags_code
        """
    )


def write_synthetic_state(cur: duckdb.DuckDBPyConnection, snapshot_id: int, state: str) -> None:
    """The matrix rows of one state, sorted by AGS and service.

    Who offers a service follows its LeiKa type: type 1 the Bund (the same level everywhere),
    2/3 the Land (the same level in the whole state, unless an EfA service of another state was
    adopted), 4/5 the municipality. A state has a digital maturity; a municipality's chance to
    offer its services online grows with that, with its size and with its district's platform.
    """
    cur.execute(
        """
        INSERT INTO service_availability
        WITH state_ AS (
            SELECT code, 0.35 + 0.5 * gen_u(code, 'maturity') AS maturity,
                   0.2 + 0.6 * gen_u(code, 'adoption') AS adoption
            FROM region WHERE code = ?
        ),
        munis AS (
            SELECT r.ags, r.code, st.maturity, st.adoption,
                   least(1.0, 0.3 + 0.1 * log10(greatest(r.population, 1))
                              + 0.3 * gen_u(left(r.code, 5), 'platform')) AS reach
            FROM region r CROSS JOIN state_ st
            WHERE r.level = 'municipality' AND left(r.code, 2) = st.code
        ),
        services AS (
            SELECT a.service_no, sv.leika_type, gen_u(a.service_no, 'ease') AS ease,
                   gen_u(a.service_no, 'efa') < 0.3 AS has_efa,
                   floor(gen_u(a.service_no, 'federal') * 5)::UTINYINT AS federal_level
            FROM availability_service a JOIN service sv USING (service_key)
        ),
        pairs AS (
            SELECT m.ags, s.service_no, s.leika_type, s.federal_level,
                   s.has_efa AND gen_u2(m.code, s.service_no, 'adopted') < m.adoption
                       AS efa_adopted,
                   gen_u2(left(m.code, 2), s.service_no, 'state_online')
                       < m.maturity * (0.4 + s.ease) AS state_online,
                   gen_u2(m.ags, s.service_no, 'local') < m.maturity * m.reach * s.ease
                       AS local_online,
                   gen_u2(left(m.code, 2), s.service_no, 'level') AS u_level
            FROM munis m CROSS JOIN services s
        )
        SELECT ?, ags, service_no,
               CASE WHEN leika_type = '1' THEN federal_level
                    WHEN leika_type IN ('4', '5') AND local_online
                        THEN CASE WHEN u_level < 0.7 THEN 3 ELSE 4 END
                    WHEN leika_type NOT IN ('4', '5') AND state_online
                        THEN CASE WHEN u_level < 0.6 THEN 3 ELSE 4 END
                    WHEN efa_adopted THEN 3
                    ELSE floor(u_level * 3)::UTINYINT END::UTINYINT,
               CASE WHEN leika_type = '1' THEN CASE WHEN federal_level > 0 THEN 1 END
                    WHEN leika_type IN ('4', '5') AND local_online THEN 4
                    WHEN leika_type NOT IN ('4', '5') AND state_online THEN 3
                    WHEN efa_adopted THEN 2
                    WHEN floor(u_level * 3) > 0
                        THEN CASE WHEN leika_type IN ('4', '5') THEN 4 ELSE 3 END
               END::UTINYINT
        FROM pairs
        ORDER BY ags, service_no
        """,
        [state, snapshot_id],
    )
