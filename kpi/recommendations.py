"""Handlungsempfehlungen: explicit rules over the KPIs, each naming its evidence rows.

Every rule is data (:class:`Rule`): an id, a German title, why it matters and what to look at
next, a base severity, its firing condition with the thresholds from the settings, how its
impact is measured, and one function that returns the evidence rows. The evaluation runs every
rule for one period, groups the evidence rows into recommendations (one per authority, or one
per cluster of similar projects), applies the analysts' filters and ranks the result.

Ranking (shown on the page): first by severity (hoch, mittel, niedrig), then by impact as a
share of the whole it is measured against (budget at stake ÷ all reported budgets, services ÷
services in scope, workplaces ÷ workplaces in scope, projects ÷ projects), so rules measured
in different units can be compared; then by the number of evidence rows.

Filters: rules are evaluated over all data of the period, so medians, clusters and evidence
fingerprints do not depend on the view; the filters then choose which evidence rows (for
clusters: which clusters) are shown. That split is also the cache boundary:
:func:`rule_findings` (the rules' evidence, computed once per data version and period) and
:func:`select` (one filter selection applied to it). Authority filters apply to every rule, the project filters
to the project rules, the topic-area filter also to the service rules.

Admins' decisions (acknowledged, dismissed) are stored with the fingerprint of the evidence
they were taken on (``store.recommendations``); a decision applies only while the evaluation
yields the same fingerprint, so a dismissed recommendation comes back when its evidence changes.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cached_property

import duckdb
import pandas as pd

from kpi.common import CURRENT_SUBMISSIONS
from kpi.eakte import FORECAST_HORIZON_YEARS, eakte_by_authority, eakte_forecast_by_authority
from kpi.reporting import reporting_overview
from kpi.selection import Selection, resolve_today
from kpi.services import OZG_LEVEL, adoption_from, service_state
from kpi.similarity import RULE_TEXT as SIMILARITY_TEXT
from kpi.similarity import similar_projects
from kpi.variance import RED_LIMIT, facts_params, facts_query, project_variance
from loaders.enums import PROGRAMME_LABELS
from store.settings import Settings, get_settings

SEVERITY_LABELS: dict[str, str] = {"high": "hoch", "medium": "mittel", "low": "niedrig"}
SEVERITY_RANK: dict[str, int] = {"high": 3, "medium": 2, "low": 1}
STATE_LABELS: dict[str, str] = {
    "open": "offen",
    "acknowledged": "zur Kenntnis genommen",
    "dismissed": "zurückgestellt",
}
BEZIRKE = "bezirke"  # subject of services all Bezirke are responsible for

RANKING_TEXT = (
    "Reihenfolge: zuerst nach Dringlichkeit (hoch, mittel, niedrig), dann nach Tragweite – "
    "dem Anteil am Ganzen, an dem die Regel misst (Budget ÷ gemeldetes Gesamtbudget, "
    "Leistungen ÷ Leistungen im Geltungsbereich, Arbeitsplätze ÷ Arbeitsplätze im "
    "Geltungsbereich, Vorhaben ÷ alle Vorhaben) –, dann nach Zahl der Belege."
)
STATE_TEXT = (
    "Zur Kenntnis genommen oder zurückgestellt gilt nur, solange die Belege gleich bleiben: "
    "ändern sie sich (z. B. ein weiteres Vorhaben, ein neuer Stand), ist die Empfehlung "
    "wieder offen."
)


@dataclass(frozen=True)
class Thresholds:
    """The rules' thresholds; the defaults are those of :class:`store.settings.Settings`."""

    stale_periods: int = 2
    slip_days: int = 60
    unreported_cost_periods: int = 2
    similarity_threshold: int = 85
    similarity_min_authorities: int = 2
    similarity_exclude_programmes: tuple[str, ...] = ("eakte",)
    eakte_target_date: date = date(2027, 12, 31)
    eakte_grace_days: int = 90
    quota_gap: float = 0.15
    quota_min_services: int = 5

    @classmethod
    def from_settings(cls, settings: Settings | None = None) -> Thresholds:
        s = settings or get_settings()
        return cls(
            stale_periods=s.recommendation_stale_periods,
            slip_days=s.recommendation_slip_days,
            unreported_cost_periods=s.recommendation_unreported_cost_periods,
            similarity_threshold=s.recommendation_similarity_threshold,
            similarity_min_authorities=s.recommendation_similarity_min_authorities,
            similarity_exclude_programmes=tuple(s.recommendation_similarity_exclude_programmes),
            eakte_target_date=s.eakte_target_date,
            eakte_grace_days=s.recommendation_eakte_grace_days,
            quota_gap=s.recommendation_quota_gap,
            quota_min_services=s.recommendation_quota_min_services,
        )


# ---------------------------------------------------------------------------------------------
# Inputs shared by the rules: every KPI read once per evaluation.


_LATEST_PROJECTS_SQL = f"""
WITH {CURRENT_SUBMISSIONS}
SELECT authority_id, arg_max(row_count, period_id) AS latest_projects
FROM current_submission WHERE period_id <= ? GROUP BY authority_id
"""  # noqa: S608 - fixed SQL, values bound

# Per project of the period: how many of its most recent reports (up to the period) in a row
# say "nicht gemeldet" for the costs, and the period the run began.
_UNREPORTED_SQL = facts_query(
    """
    , history AS (
        SELECT authority_id, project_id, period_id, cost_reporting_status,
               row_number() OVER (
                   PARTITION BY authority_id, project_id ORDER BY period_id DESC) AS back
        FROM flagged WHERE period_id <= ?
    ),
    runs AS (
        SELECT authority_id, project_id,
               coalesce(min(back) FILTER (WHERE cost_reporting_status <> 'not_reported') - 1,
                        count(*)) AS unreported_periods
        FROM history GROUP BY authority_id, project_id
    )
    SELECT r.authority_id, r.project_id, r.unreported_periods,
           h.period_id AS unreported_since
    FROM runs r
    JOIN history h ON h.authority_id = r.authority_id AND h.project_id = r.project_id
                  AND h.back = r.unreported_periods
    WHERE r.unreported_periods > 0
    """
)


class Inputs:
    """The KPI frames the rules read, each computed at most once per evaluation."""

    def __init__(
        self,
        cur: duckdb.DuckDBPyConnection,
        *,
        period: str,
        today: date,
        include_unpublished: bool,
        thresholds: Thresholds,
    ) -> None:
        self.cur = cur
        self.period = period
        self.today = today
        self.include_unpublished = include_unpublished
        self.thresholds = thresholds

    @cached_property
    def projects(self) -> pd.DataFrame:
        return project_variance(
            self.cur,
            period=self.period,
            today=self.today,
            include_unpublished=self.include_unpublished,
        )

    @cached_property
    def reporting(self) -> pd.DataFrame:
        overview = reporting_overview(
            self.cur,
            period=self.period,
            today=self.today,
            include_unpublished=self.include_unpublished,
        )
        latest = self.cur.execute(
            _LATEST_PROJECTS_SQL, ["projects", self.include_unpublished, self.period]
        ).df()
        merged = overview.merge(latest, on="authority_id", how="left")
        merged["latest_projects"] = merged["latest_projects"].fillna(0).astype("int64")
        return merged

    @cached_property
    def unreported_runs(self) -> pd.DataFrame:
        params = facts_params(
            include_unpublished=self.include_unpublished, selection=None, today=self.today
        )
        return self.cur.execute(_UNREPORTED_SQL, [*params, self.period]).df()

    @cached_property
    def services(self) -> pd.DataFrame:
        return service_state(
            self.cur, period=self.period, include_unpublished=self.include_unpublished
        )

    @cached_property
    def authority_kinds(self) -> dict[str, str]:
        return dict(self.cur.execute("SELECT id, kind FROM authority").fetchall())

    @cached_property
    def eakte(self) -> pd.DataFrame:
        status = eakte_by_authority(
            self.cur, period=self.period, include_unpublished=self.include_unpublished
        )
        return status[status["reported"]].reset_index(drop=True)

    @cached_property
    def eakte_forecast(self) -> pd.DataFrame:
        return eakte_forecast_by_authority(
            self.cur,
            period=self.period,
            target_date=self.thresholds.eakte_target_date,
            include_unpublished=self.include_unpublished,
        )

    @cached_property
    def clusters(self) -> pd.DataFrame:
        t = self.thresholds
        return similar_projects(
            self.cur,
            period=self.period,
            threshold=t.similarity_threshold,
            min_authorities=t.similarity_min_authorities,
            exclude_programmes=t.similarity_exclude_programmes,
            include_unpublished=self.include_unpublished,
        )

    # The wholes the impact shares are measured against.
    @cached_property
    def budget_total(self) -> float:
        frame = self.projects
        reported = frame["cost_reporting_status"] == "reported"
        return float(frame.loc[reported, "budget"].astype("float64").sum())

    @cached_property
    def projects_total(self) -> float:
        return float(len(self.projects))

    @cached_property
    def known_projects_total(self) -> float:
        return float(self.reporting["latest_projects"].sum())

    @cached_property
    def services_total(self) -> float:
        return float(len(self.services))

    @cached_property
    def workplaces_total(self) -> float:
        return float(self.eakte["workplaces_in_scope"].astype("float64").sum())


# ---------------------------------------------------------------------------------------------
# The rules' evidence queries. Each returns one row per piece of evidence with at least
# ``subject``, ``authority_id``, ``short_name``, ``authority_kind``, ``severity`` and
# ``impact``; project rules add ``programme``, ``topic_name``, ``status``, ``traffic_light``.

_PROJECT_BASE = [
    "authority_id",
    "short_name",
    "authority_kind",
    "project_id",
    "title",
    "programme",
    "topic_area",
    "status",
    "traffic_light",
]


def _project_rows(frame: pd.DataFrame) -> pd.DataFrame:
    rows = frame.copy()
    rows["subject"] = rows["authority_id"]
    rows["topic_name"] = rows["topic_area"]
    reported = rows["cost_reporting_status"] == "reported"
    rows["budget_at_stake"] = rows["budget"].astype("float64").where(reported, 0.0).fillna(0.0)
    return rows


def _missing_report(inp: Inputs) -> pd.DataFrame:
    frame = inp.reporting
    due = pd.to_datetime(frame["due_date"])
    late = ~frame["reported"].astype(bool) & (due < pd.Timestamp(inp.today)).fillna(False)
    rows = frame[late].copy()
    rows["subject"] = rows["authority_id"]
    rows["period_id"] = inp.period
    behind = rows["periods_behind"].astype("Float64")
    stale = behind.isna() | (behind >= inp.thresholds.stale_periods)
    rows["severity"] = ["high" if flag else "medium" for flag in stale.fillna(True)]
    rows["impact"] = rows["latest_projects"].astype("float64")
    return rows


def _light_mismatch(inp: Inputs) -> pd.DataFrame:
    frame = inp.projects
    hit = (frame["computed_light_original"] == "red") & frame["traffic_light"].isin(
        ["green", "yellow"]
    )
    rows = _project_rows(frame[hit])
    rows["severity"] = ["high" if light == "green" else "medium" for light in rows["traffic_light"]]
    rows["impact"] = rows["budget_at_stake"]
    return rows


def _overdue(inp: Inputs) -> pd.DataFrame:
    frame = inp.projects
    rows = _project_rows(frame[frame["overdue"].fillna(False).astype(bool)])
    passed = rows[["forecast_end", "baseline_end"]].apply(pd.to_datetime).min(axis=1)
    rows["overdue_days"] = (pd.to_datetime(rows["as_of"]) - passed).dt.days.astype("Int64")
    rows["severity"] = "medium"
    rows["impact"] = rows["budget_at_stake"]
    return rows


def _forecast_slip(inp: Inputs) -> pd.DataFrame:
    frame = inp.projects
    slip = frame["forecast_slip_days"].astype("Float64")
    active = ~frame["status"].isin(["completed", "cancelled"])
    rows = _project_rows(frame[(slip > inp.thresholds.slip_days).fillna(False) & active])
    rows["severity"] = "medium"
    rows["impact"] = rows["budget_at_stake"]
    return rows


def _cost_overrun(inp: Inputs) -> pd.DataFrame:
    frame = inp.projects
    red = (frame["cost_band"] == "red") | (frame["cost_band_original"] == "red")
    rows = _project_rows(frame[red.fillna(False)])
    current = rows["cost_variance"].astype("float64")
    original = rows["cost_variance_original"].astype("float64")
    use_original = original.abs().fillna(-1) > current.abs().fillna(-1)
    rows["variance"] = original.where(use_original, current)
    rows["reference_budget"] = (
        rows["original_budget"].astype("float64").where(use_original, rows["budget"])
    )
    rows["deviation"] = rows["expected_cost"].astype("float64") - rows["reference_budget"]
    rows["severity"] = ["high" if v < 0 else "low" for v in rows["variance"]]
    rows["impact"] = rows["deviation"].abs()
    return rows


def _costs_not_reported(inp: Inputs) -> pd.DataFrame:
    frame = inp.projects[inp.projects["cost_reporting_status"] == "not_reported"]
    runs = inp.unreported_runs
    merged = frame.merge(runs, on=["authority_id", "project_id"], how="inner")
    rows = _project_rows(
        merged[merged["unreported_periods"] >= inp.thresholds.unreported_cost_periods]
    )
    rows["severity"] = "medium"
    rows["impact"] = 1.0
    return rows


def _service_subjects(inp: Inputs, state: pd.DataFrame) -> pd.DataFrame:
    """Services with a responsible authority or "alle Bezirke"; others cannot be assigned."""
    rows = state.copy()
    bezirke = rows["authority_id"].isna() & rows["district_executed"].astype(bool)
    rows = rows[rows["authority_id"].notna() | bezirke].copy()
    rows["subject"] = rows["authority_id"].fillna(BEZIRKE)
    rows["short_name"] = rows["authority_name"]
    kinds = inp.authority_kinds
    rows["authority_kind"] = [
        kinds.get(a, "district_office") if isinstance(a, str) else "district_office"
        for a in rows["authority_id"]
    ]
    return rows


def _reuse_check(inp: Inputs) -> pd.DataFrame:
    rows = _service_subjects(inp, adoption_from(inp.services))
    rows["severity"] = "medium"
    rows["impact"] = 1.0
    return rows


def _quota_below_median(inp: Inputs) -> pd.DataFrame:
    services = _service_subjects(inp, inp.services)
    if services.empty:
        return services
    needed = ["topic_area", "subject", "topic_name", "authority_id", "short_name"]
    services = services[[*needed, "authority_kind", "service_key", "online"]]
    groups = (
        services.groupby(["topic_area", "subject"], dropna=False, sort=False)
        .agg(
            topic_name=("topic_name", "first"),
            authority_id=("authority_id", "first"),
            short_name=("short_name", "first"),
            authority_kind=("authority_kind", "first"),
            services=("service_key", "size"),
            online=("online", "sum"),
        )
        .reset_index()
    )
    groups = groups[groups["services"] >= inp.thresholds.quota_min_services].copy()
    groups["quota"] = groups["online"] / groups["services"]
    groups["peers"] = groups.groupby("topic_area", dropna=False)["subject"].transform("size")
    groups["median"] = groups.groupby("topic_area", dropna=False)["quota"].transform("median")
    groups["gap"] = groups["median"] - groups["quota"]
    rows = groups[(groups["peers"] >= 2) & (groups["gap"] > inp.thresholds.quota_gap)].copy()
    rows["missing_to_median"] = [
        math.ceil(round(gap * n, 9)) for gap, n in zip(rows["gap"], rows["services"], strict=True)
    ]
    rows["severity"] = "medium"
    rows["impact"] = rows["missing_to_median"].astype("float64")
    return rows


def _similar_projects(inp: Inputs) -> pd.DataFrame:
    rows = inp.clusters.copy()
    if rows.empty:
        return rows.assign(subject=[], severity=[], impact=[], topic_name=[])
    rows["subject"] = rows["cluster_key"]
    rows["topic_name"] = rows["topic_area"]
    rows["severity"] = ["medium" if n >= 3 else "low" for n in rows["cluster_authorities"]]
    rows["impact"] = rows["budget"].astype("float64").fillna(0.0)
    return rows


def _eakte_behind(inp: Inputs) -> pd.DataFrame:
    status = inp.eakte
    forecast = inp.eakte_forecast[
        [
            "authority_id",
            "slope_per_quarter",
            "forecast_date",
            "on_track",
            "state",
            "outlook",
            "forecast_label",
        ]
    ]
    frame = status.merge(forecast, on="authority_id", how="left")
    limit = pd.Timestamp(
        inp.thresholds.eakte_target_date + timedelta(days=inp.thresholds.eakte_grace_days)
    )
    reasons: list[str] = []
    severities: list[str] = []
    keep: list[bool] = []
    for record in frame.itertuples(index=False):
        found = []
        if record.state == "no_progress":
            found.append("no_progress")
        elif record.state == "forecast" and record.outlook == "beyond_horizon":
            found.append("forecast_out_of_sight")
        elif record.state == "forecast" and pd.Timestamp(record.forecast_date) > limit:
            found.append("forecast_late")
        if bool(record.golive_overdue):
            found.append("golive_overdue")
        keep.append(bool(found))
        reasons.append(",".join(found))
        severities.append(
            "high"
            if {"no_progress", "forecast_out_of_sight", "golive_overdue"} & set(found)
            else "medium"
        )
    frame = frame.assign(reasons=reasons, severity=severities)
    rows = frame[pd.Series(keep, index=frame.index, dtype=bool)].copy()
    rows["subject"] = rows["authority_id"]
    rows["eakte_status"] = rows["status"]
    rows["target_date"] = inp.thresholds.eakte_target_date
    rows["reason_text"] = rows["reasons"].map(_eakte_reason_text)
    rows["workplaces_open"] = rows["workplaces_in_scope"] - rows["workplaces_live"]
    rows["impact"] = rows["workplaces_open"].astype("float64")
    return rows


_EAKTE_REASONS = {
    "no_progress": "kein Fortschritt im Trend",
    "forecast_late": "Prognose nach dem Zieltermin",
    "forecast_out_of_sight": (
        f"100 % nicht absehbar (mehr als {FORECAST_HORIZON_YEARS} Jahre nach dem Zieltermin)"
    ),
    "golive_overdue": "geplanter Go-Live überschritten",
}


def _eakte_reason_text(codes: str) -> str:
    return "; ".join(_EAKTE_REASONS[c] for c in codes.split(",") if c)


# ---------------------------------------------------------------------------------------------
# The rule catalogue.

AUTHORITY_FILTERS = frozenset({"authority_kinds", "authorities"})
PROJECT_FILTERS = AUTHORITY_FILTERS | {"programmes", "topic_areas", "statuses", "lights"}
SERVICE_FILTERS = AUTHORITY_FILTERS | {"topic_areas"}
_FILTER_COLUMNS = {
    "authority_kinds": "authority_kind",
    "authorities": "authority_id",
    "programmes": "programme",
    "topic_areas": "topic_name",
    "statuses": "status",
    "lights": "traffic_light",
}


@dataclass(frozen=True)
class Rule:
    id: str
    title: str  # German
    why: str  # why it matters (German)
    next_step: str  # what to look at next (German)
    severity: str  # base severity; the condition says when a finding is rated otherwise
    condition: Callable[[Thresholds], str]  # German firing condition with the thresholds
    impact: str  # German: how the impact is counted
    unit: str  # German unit of the impact
    whole: str  # German: what the impact share is measured against
    total: Callable[[Inputs], float]
    query: Callable[[Inputs], pd.DataFrame]
    headline: Callable[[Group, Thresholds], str]
    target: str  # title of the page that shows the evidence, filtered
    columns: dict[str, str]  # evidence columns shown: name → German label
    fingerprint: tuple[str, ...]
    filters: frozenset[str] = PROJECT_FILTERS
    whole_subject: bool = False  # filters pick whole subjects (clusters), not single rows
    link_lights: tuple[str, ...] = ()  # self-assessed lights to filter the linked view by
    sort: tuple[tuple[str, bool], ...] = (("impact", False),)  # (column, ascending)


@dataclass(frozen=True)
class Group:
    """What a headline needs of a finding's evidence: its first row and how many there are."""

    first: dict[str, object]
    count: int
    authorities: int


def _name(g: Group) -> str:
    return str(g.first["short_name"])


def _n(g: Group, one: str, many: str) -> str:
    return f"{g.count} {one if g.count == 1 else many}"


def _missing_headline(g: Group, t: Thresholds) -> str:
    period, latest = g.first["period_id"], g.first["latest_period"]
    if latest is None or pd.isna(latest):
        return f"{_name(g)}: keine Vorhabenliste für {period} – bisher nie gemeldet"
    return f"{_name(g)}: keine Vorhabenliste für {period} – neueste Meldung {latest}"


_PROJECT_COLUMNS = {
    "project_id": "Vorhaben-Nr.",
    "title": "Vorhaben",
}

RULES: tuple[Rule, ...] = (
    Rule(
        id="missing_report",
        title="Meldung fehlt",
        why=(
            "Ohne aktuelle Vorhabenliste fehlen die Vorhaben der Behörde in allen Kennzahlen "
            "der Periode; Verzug und Kosten bleiben unsichtbar."
        ),
        next_step=(
            "Digitalisierungskoordination der Behörde ansprechen und die Meldung anfordern; "
            "Meldehistorie auf der Behördenseite prüfen."
        ),
        severity="medium",
        condition=lambda t: (
            "Behörde soll melden, hat für die Periode keine Vorhabenliste und der Meldetermin "
            f"ist verstrichen. Dringlichkeit hoch, wenn die neueste Meldung {t.stale_periods} "
            "oder mehr Perioden zurückliegt oder nie gemeldet wurde."
        ),
        impact="Vorhaben der neuesten Meldung der Behörde (deren Stand unbekannt ist)",
        unit="Vorhaben",
        whole="aller Vorhaben der neuesten Meldungen",
        total=lambda inp: inp.known_projects_total,
        query=_missing_report,
        headline=_missing_headline,
        target="Behörden",
        columns={
            "short_name": "Behörde",
            "period_id": "Periode",
            "due_date": "fällig am",
            "latest_period": "neueste Meldung",
            "periods_behind": "Perioden zurück",
            "latest_submitted_at": "eingegangen am",
            "latest_projects": "Vorhaben (neueste Meldung)",
        },
        fingerprint=("authority_id", "period_id", "latest_period"),
        filters=AUTHORITY_FILTERS,
    ),
    Rule(
        id="light_mismatch",
        title="Ampel prüfen: berechnet rot, selbst grün oder gelb",
        why=(
            "Die gemeldete Ampel ist besser als Kosten und Termine gegen die ursprüngliche "
            "Planung hergeben; Risiken werden so spät sichtbar."
        ),
        next_step=(
            "Mit der Behörde die Einschätzung klären: Planung, Prognose und Begründung der "
            "Ampel im Vorhabenverlauf ansehen."
        ),
        severity="medium",
        condition=lambda t: (
            "Berechnete Ampel gegen die ursprüngliche Planung rot (Kosten- oder "
            f"Terminabweichung ab {RED_LIMIT * 100:.0f} %), gemeldete Ampel grün oder gelb. "
            "Dringlichkeit hoch, wenn grün gemeldet."
        ),
        impact="Budget der betroffenen Vorhaben (gemeldete Beträge)",
        unit="€",
        whole="des gemeldeten Gesamtbudgets",
        total=lambda inp: inp.budget_total,
        query=_light_mismatch,
        headline=lambda g, t: (
            f"{_name(g)}: {_n(g, 'Vorhaben', 'Vorhaben')} berechnet rot, "
            "selbst grün oder gelb gemeldet"
        ),
        target="Vorhaben",
        columns={
            **_PROJECT_COLUMNS,
            "traffic_light": "Ampel (gemeldet)",
            "computed_light": "Ampel berechnet (aktuell)",
            "computed_light_original": "Ampel berechnet (ursprünglich)",
            "cost_variance_original": "Kostenabweichung (ursprünglich)",
            "schedule_variance_original": "Terminabweichung (ursprünglich)",
            "original_end": "Ende ursprünglich",
            "forecast_end": "Ende Prognose",
            "budget": "Budget",
        },
        fingerprint=("project_id", "traffic_light", "computed_light_original"),
        link_lights=("green", "yellow"),
    ),
    Rule(
        id="overdue",
        title="Überfällige Vorhaben",
        why=(
            "Das geplante oder prognostizierte Ende ist verstrichen, ohne dass das Vorhaben "
            "abgeschlossen ist; Planung und Ressourcen stimmen nicht mehr."
        ),
        next_step=(
            "Neue belastbare Planung anfordern oder Abschluss melden lassen; Verlauf der "
            "Termine im Vorhabenverlauf prüfen."
        ),
        severity="medium",
        condition=lambda t: (
            "Nicht abgeschlossen oder abgebrochen, Prognose-Ende oder geplantes Ende vor dem "
            "Stichtag (Ende der Periode, höchstens heute)."
        ),
        impact="Budget der überfälligen Vorhaben (gemeldete Beträge)",
        unit="€",
        whole="des gemeldeten Gesamtbudgets",
        total=lambda inp: inp.budget_total,
        query=_overdue,
        headline=lambda g, t: f"{_name(g)}: {_n(g, 'Vorhaben', 'Vorhaben')} überfällig",
        target="Vorhaben",
        columns={
            **_PROJECT_COLUMNS,
            "status": "Status",
            "baseline_end": "Ende geplant",
            "forecast_end": "Ende Prognose",
            "overdue_days": "Tage überfällig",
            "budget": "Budget",
        },
        fingerprint=("project_id", "baseline_end", "forecast_end"),
    ),
    Rule(
        id="forecast_slip",
        title="Prognose-Ende stark verschoben",
        why=(
            "Ein Sprung im Prognose-Ende seit der letzten Meldung zeigt ein neues Problem, "
            "bevor die Ampel es zeigt."
        ),
        next_step="Ursache der Verschiebung erfragen; Abhängigkeiten und Dienstleister prüfen.",
        severity="medium",
        condition=lambda t: (
            f"Prognose-Ende gegenüber der vorigen Meldung um mehr als {t.slip_days} Tage "
            "später; Vorhaben nicht abgeschlossen oder abgebrochen."
        ),
        impact="Budget der betroffenen Vorhaben (gemeldete Beträge)",
        unit="€",
        whole="des gemeldeten Gesamtbudgets",
        total=lambda inp: inp.budget_total,
        query=_forecast_slip,
        headline=lambda g, t: (
            f"{_name(g)}: Prognose-Ende bei {_n(g, 'Vorhaben', 'Vorhaben')} um mehr als "
            f"{t.slip_days} Tage verschoben"
        ),
        target="Vorhaben",
        columns={
            **_PROJECT_COLUMNS,
            "previous_period": "vorige Meldung",
            "previous_forecast_end": "Prognose vorher",
            "forecast_end": "Prognose jetzt",
            "forecast_slip_days": "Verschiebung (Tage)",
            "budget": "Budget",
        },
        fingerprint=("project_id", "previous_forecast_end", "forecast_end"),
    ),
    Rule(
        id="cost_overrun",
        title="Kostenabweichung im roten Bereich",
        why=(
            "Die erwarteten Kosten weichen um mehr als ein Drittel vom Budget ab; mehr "
            "Kosten binden Haushaltsmittel, deutlich weniger deutet auf eine überholte "
            "Planung."
        ),
        next_step=(
            "Kostenprognose und Finanzierung mit der Behörde klären; bei Mehrkosten "
            "Nachsteuerung oder Neuplanung verlangen."
        ),
        severity="high",
        condition=lambda t: (
            f"Kostenabweichung gegen die aktuelle oder die ursprüngliche Planung ab "
            f"{RED_LIMIT * 100:.0f} % (roter Bereich); es zählt die größere. Dringlichkeit hoch bei "
            "Mehrkosten, niedrig bei Minderkosten."
        ),
        impact="Betrag der Abweichung (erwartete Kosten − Budget, als Betrag)",
        unit="€",
        whole="des gemeldeten Gesamtbudgets",
        total=lambda inp: inp.budget_total,
        query=_cost_overrun,
        headline=lambda g, t: (
            f"{_name(g)}: Kostenabweichung ab {RED_LIMIT * 100:.0f} % bei "
            f"{_n(g, 'Vorhaben', 'Vorhaben')}"
        ),
        target="Vorhaben",
        columns={
            **_PROJECT_COLUMNS,
            "reference_budget": "Budget (Bezug)",
            "expected_cost": "erwartete Kosten",
            "deviation": "Abweichung in €",
            "variance": "Kostenabweichung",
            "original_budget": "Budget ursprünglich",
            "budget": "Budget aktuell",
        },
        fingerprint=("project_id", "original_budget", "budget", "expected_cost"),
    ),
    Rule(
        id="costs_not_reported",
        title="Kosten mehrfach nicht gemeldet",
        why=(
            "Ohne Kosten fehlt das Vorhaben in Budget- und Abweichungszahlen; wiederholt "
            "fehlende Angaben werden nicht geschätzt und bleiben eine Lücke."
        ),
        next_step="Kostenangaben mit der nächsten Meldung anfordern (oder „vertraulich“ melden).",
        severity="medium",
        condition=lambda t: (
            f"Kosten „nicht gemeldet“ in den letzten {t.unreported_cost_periods} oder mehr "
            "Meldungen des Vorhabens in Folge (bis zur gewählten Periode). „Vertraulich“ "
            "zählt nicht."
        ),
        impact="Vorhaben ohne Kostenangabe",
        unit="Vorhaben",
        whole="aller Vorhaben der Periode",
        total=lambda inp: inp.projects_total,
        query=_costs_not_reported,
        headline=lambda g, t: (
            f"{_name(g)}: Kosten bei {_n(g, 'Vorhaben', 'Vorhaben')} seit "
            f"{t.unreported_cost_periods} oder mehr Meldungen nicht gemeldet"
        ),
        target="Vorhaben",
        columns={
            **_PROJECT_COLUMNS,
            "status": "Status",
            "unreported_periods": "Meldungen ohne Kosten in Folge",
            "unreported_since": "seit Periode",
        },
        fingerprint=("project_id", "unreported_since"),
        sort=(("unreported_periods", False), ("project_id", True)),
    ),
    Rule(
        id="reuse_check",
        title="Nachnutzung prüfen",
        why=(
            "Ein EfA- oder Bundesangebot ist online (Reifegrad ab 3), Berlins eigenes Angebot "
            "nicht: Nachnutzen spart Entwicklung und bringt die Leistung schneller online."
        ),
        next_step=(
            "Anschluss an das EfA-/Bundesangebot prüfen (Kosten, Verträge, FIT-Store); "
            "eigene Entwicklung gegebenenfalls stoppen."
        ),
        severity="medium",
        condition=lambda t: (
            f"Leistung im Geltungsbereich: EfA- oder Bundesangebot mit Reifegrad ab "
            f"{OZG_LEVEL}, bestes eigenes Angebot (Land, Bezirk) darunter oder keins. "
            "Zugeordnet der im Katalog zuständigen Behörde bzw. den Bezirken."
        ),
        impact="Leistungen, die nachgenutzt werden könnten",
        unit="Leistungen",
        whole="der Leistungen im Geltungsbereich",
        total=lambda inp: inp.services_total,
        query=_reuse_check,
        headline=lambda g, t: (
            f"{_name(g)}: {_n(g, 'Leistung', 'Leistungen')} mit EfA-/Bundesangebot, "
            "eigenes Angebot unter Reifegrad 3"
        ),
        target="Online-Dienste",
        columns={
            "leika_key": "Leistungsschlüssel",
            "name": "Leistung",
            "topic_name": "Themenfeld",
            "reuse_offer": "Angebot",
            "reuse_level": "Reifegrad Angebot",
            "own_level": "Reifegrad eigenes Angebot",
        },
        fingerprint=("service_key", "own_level", "reuse_level"),
        filters=SERVICE_FILTERS,
        sort=(("topic_name", True), ("name", True)),
    ),
    Rule(
        id="similar_projects",
        title="Bündelung / Standardisierung prüfen",
        why=(
            "Mehrere Behörden arbeiten an sehr ähnlichen Vorhaben – das sieht keine Behörde "
            "allein. Gemeinsame Beschaffung, eine Lösung für alle oder Nachnutzung sparen Geld "
            "und Zeit."
        ),
        next_step=(
            "Die beteiligten Behörden zusammenbringen; prüfen, ob ein Vorhaben federführend "
            "für alle umgesetzt oder eine Lösung standardisiert werden kann."
        ),
        severity="medium",
        condition=lambda t: (
            f"{SIMILARITY_TEXT} Schwellenwert {t.similarity_threshold}; Cluster über "
            f"mindestens {t.similarity_min_authorities} Behörden. Dringlichkeit mittel ab "
            "3 Behörden, sonst niedrig."
            + (
                " Ausgenommen: Programm "
                + ", ".join(PROGRAMME_LABELS.get(p, p) for p in t.similarity_exclude_programmes)
                + " (zentral gesteuert)."
                if t.similarity_exclude_programmes
                else ""
            )
        ),
        impact="Budget der Vorhaben im Cluster (gemeldete Beträge)",
        unit="€",
        whole="des gemeldeten Gesamtbudgets",
        total=lambda inp: inp.budget_total,
        query=_similar_projects,
        headline=lambda g, t: (
            f"Ähnliche Vorhaben in {g.authorities} Behörden: „{g.first['cluster_title']}“"
        ),
        target="Vorhaben",
        columns={
            "short_name": "Behörde",
            "project_id": "Vorhaben-Nr.",
            "title": "Vorhaben",
            "goal": "Ziel",
            "status": "Status",
            "budget": "Budget",
            "similarity": "Ähnlichkeit",
        },
        fingerprint=("authority_id", "project_id"),
        whole_subject=True,
        sort=(("similarity", False), ("short_name", True), ("project_id", True)),
    ),
    Rule(
        id="eakte_behind",
        title="E-Akte-Einführung hinter Plan",
        why=(
            "Die Behörde erreicht die E-Akte für alle Arbeitsplätze nicht bis zum Zieltermin; "
            "Papier- und Hybridakten bleiben länger."
        ),
        next_step=(
            "Rolloutplan und Ressourcen mit der Behörde und dem E-Akte-Programm klären; "
            "Verlauf auf der E-Akte-Seite ansehen."
        ),
        severity="medium",
        condition=lambda t: (
            "Behörde hat für die Periode gemeldet und: der Trend der letzten vier Perioden "
            "steigt nicht (kein Fortschritt), oder die Prognose für 100 % liegt mehr als "
            f"{t.eakte_grace_days} Tage nach dem Zieltermin {t.eakte_target_date:%d.%m.%Y}, "
            "oder der geplante Go-Live ist überschritten und der Status nicht „produktiv“. "
            "Liegt die Prognose mehr als "
            f"{FORECAST_HORIZON_YEARS} Jahre nach dem Zieltermin, heißt sie „nicht absehbar“. "
            "Dringlichkeit hoch ohne Fortschritt, wenn 100 % nicht absehbar ist, oder bei "
            "überschrittenem Go-Live."
        ),
        impact="Arbeitsplätze im Geltungsbereich noch ohne E-Akte",
        unit="Arbeitsplätze",
        whole="aller Arbeitsplätze im Geltungsbereich",
        total=lambda inp: inp.workplaces_total,
        query=_eakte_behind,
        headline=lambda g, t: (
            f"{_name(g)}: E-Akte-Einführung hinter Plan ({g.first['reason_text']})"
        ),
        target="E-Akte",
        columns={
            "short_name": "Behörde",
            "eakte_status": "Status",
            "share": "E-Akte-Quote",
            "slope_per_quarter": "Zuwachs je Quartal",
            "forecast_label": "Prognose 100 %",
            "target_date": "Zieltermin",
            "golive_planned": "Go-Live geplant",
            "workplaces_open": "Arbeitsplätze ohne E-Akte",
            "reason_text": "Grund",
        },
        fingerprint=("authority_id", "status", "reasons", "golive_planned"),
        filters=AUTHORITY_FILTERS,
    ),
    Rule(
        id="quota_below_median",
        title="Online-Quote deutlich unter dem Median",
        why=(
            "Im selben Themenfeld bringen andere Verantwortliche deutlich mehr Leistungen "
            "online; der Abstand zeigt, wo Unterstützung oder Nachnutzung am meisten bringt."
        ),
        next_step=(
            "Leistungen des Themenfelds auf der Seite Online-Dienste ansehen; "
            "Nachnutzungsangebote und Hindernisse mit der Behörde besprechen."
        ),
        severity="medium",
        condition=lambda t: (
            f"Online-Quote (Reifegrad ab {OZG_LEVEL}, einschließlich Bund/EfA) der Behörde in "
            "einem Themenfeld liegt mehr als "
            f"{t.quota_gap * 100:.0f} Prozentpunkte unter dem Median der Verantwortlichen "
            "desselben Themenfelds (Behörden laut Katalog, die Bezirke gemeinsam). Es zählen "
            f"Verantwortliche mit mindestens {t.quota_min_services} Leistungen im Themenfeld; "
            "der Median braucht mindestens zwei."
        ),
        impact="Leistungen, die bis zum Median online fehlen",
        unit="Leistungen",
        whole="der Leistungen im Geltungsbereich",
        total=lambda inp: inp.services_total,
        query=_quota_below_median,
        headline=lambda g, t: (
            f"{_name(g)}: Online-Quote in "
            f"{_n(g, 'Themenfeld', 'Themenfeldern')} deutlich unter dem Median"
        ),
        target="Online-Dienste",
        columns={
            "topic_name": "Themenfeld",
            "services": "Leistungen",
            "online": "davon online",
            "quota": "Online-Quote",
            "median": "Median im Themenfeld",
            "peers": "Verantwortliche im Vergleich",
            "missing_to_median": "fehlend bis Median",
        },
        fingerprint=("topic_area", "services", "online"),
        filters=SERVICE_FILTERS,
    ),
)
RULES_BY_ID: dict[str, Rule] = {rule.id: rule for rule in RULES}

# How evidence columns are shown: money (€), share (0…1, shown in %), date, integer, decimal,
# light / status / eakte_status / programme (codes with German labels), text (everything else).
EVIDENCE_KINDS: dict[str, str] = {
    **dict.fromkeys(
        ("budget", "reference_budget", "expected_cost", "deviation", "original_budget"), "money"
    ),
    **dict.fromkeys(
        (
            "cost_variance_original",
            "schedule_variance_original",
            "variance",
            "share",
            "quota",
            "median",
            "slope_per_quarter",
        ),
        "share",
    ),
    **dict.fromkeys(
        (
            "due_date",
            "latest_submitted_at",
            "original_end",
            "forecast_end",
            "baseline_end",
            "previous_forecast_end",
            "forecast_date",
            "target_date",
            "golive_planned",
        ),
        "date",
    ),
    **dict.fromkeys(
        (
            "periods_behind",
            "latest_projects",
            "overdue_days",
            "forecast_slip_days",
            "unreported_periods",
            "services",
            "online",
            "peers",
            "missing_to_median",
            "workplaces_open",
            "reuse_level",
            "own_level",
        ),
        "integer",
    ),
    **dict.fromkeys(("traffic_light", "computed_light", "computed_light_original"), "light"),
    "status": "status",
    "eakte_status": "eakte_status",
    "programme": "programme",
    "similarity": "decimal",
}


# ---------------------------------------------------------------------------------------------
# Evaluation.

FINDING_COLUMNS = [
    "rank",
    "key",
    "rule_id",
    "rule_title",
    "severity",
    "title",
    "authority_ids",
    "authorities",
    "evidence_rows",
    "impact",
    "unit",
    "impact_total",
    "impact_share",
    "fingerprint",
    "target",
    "link_authorities",
    "link_lights",
]


@dataclass
class Evaluation:
    """The recommendations of one period and view: ranked findings and their evidence.

    ``evidence`` maps a rule id to its (filtered) evidence rows; ``key`` links each row to its
    finding. ``findings`` carries the admins' decision where one applies (``state``).
    """

    period: str
    findings: pd.DataFrame
    evidence: dict[str, pd.DataFrame] = field(default_factory=dict)
    thresholds: Thresholds = field(default_factory=Thresholds)

    def evidence_of(self, key: str) -> pd.DataFrame:
        rule_id = key.split(":", 1)[0]
        rows = self.evidence.get(rule_id)
        if rows is None:
            return pd.DataFrame()
        return rows[rows["key"] == key].reset_index(drop=True)


def fingerprint(rows: pd.DataFrame, columns: tuple[str, ...]) -> str:
    """A short hash of the evidence that makes the case; independent of row order."""
    return _digest(_lines(rows, columns))


def _lines(rows: pd.DataFrame, columns: tuple[str, ...]) -> list[str]:
    return [
        "|".join(_stable(v) for v in values)
        for values in rows[list(columns)].itertuples(index=False)
    ]


def _digest(lines: list[str]) -> str:
    return hashlib.sha256("\n".join(sorted(lines)).encode("utf-8")).hexdigest()[:16]


def _stable(value: object) -> str:
    if value is None or (not isinstance(value, (list, tuple, str)) and pd.isna(value)):
        return ""
    if isinstance(value, (pd.Timestamp, date)):
        return pd.Timestamp(value).date().isoformat()
    if isinstance(value, float):
        return f"{value:.2f}"
    return str(value)


def _matches(rows: pd.DataFrame, selection: Selection, fields: frozenset[str]) -> pd.Series:
    mask = pd.Series(True, index=rows.index)
    for name in fields:
        wanted = getattr(selection, name)
        column = _FILTER_COLUMNS[name]
        if wanted and column in rows.columns:
            mask &= rows[column].isin(wanted)
    return mask


def evaluate_rule(rule: Rule, inputs: Inputs) -> pd.DataFrame:
    """The rule's evidence rows over all data of the period, with ``key`` and ``fingerprint``
    (per finding) added."""
    rows = rule.query(inputs)
    if rows.empty:
        return rows.assign(key=pd.Series(dtype="object"), fingerprint=pd.Series(dtype="object"))
    rows = rows.reset_index(drop=True)
    rows["key"] = rule.id + ":" + rows["subject"].astype(str)
    lines = pd.Series(_lines(rows, rule.fingerprint), index=rows.index)
    rows["fingerprint"] = rows["key"].map(
        lines.groupby(rows["key"]).agg(lambda s: _digest(list(s)))
    )
    return rows


# Fields of a finding's first evidence row that headlines use.
_HEADLINE_FIELDS = (
    "short_name",
    "period_id",
    "latest_period",
    "cluster_title",
    "reason_text",
    "fingerprint",
)


def _findings(
    rule: Rule, rows: pd.DataFrame, *, total: float, thresholds: Thresholds
) -> list[dict[str, object]]:
    # Plain Python over the (few hundred) evidence rows: faster than pandas groupby lambdas.
    count: dict[str, int] = {}
    top: dict[str, int] = {}
    impact_of: dict[str, float] = {}
    ids_of: dict[str, set[str]] = {}
    names_of: dict[str, set[str]] = {}
    for key, severity, impact, authority, name in zip(
        rows["key"],
        rows["severity"],
        rows["impact"].astype("float64").fillna(0.0),
        rows["authority_id"],
        rows["short_name"],
        strict=True,
    ):
        count[key] = count.get(key, 0) + 1
        top[key] = max(top.get(key, 0), SEVERITY_RANK[severity])
        impact_of[key] = impact_of.get(key, 0.0) + float(impact)
        ids_of.setdefault(key, set())
        names_of.setdefault(key, set())
        if isinstance(authority, str):
            ids_of[key].add(authority)
        if isinstance(name, str):
            names_of[key].add(name)
    wanted = [c for c in _HEADLINE_FIELDS if c in rows.columns]
    firsts = rows.drop_duplicates("key").set_index("key")[wanted].to_dict("index")
    severity_of = {rank: name for name, rank in SEVERITY_RANK.items()}
    result = []
    for key in sorted(count):
        first = firsts[key]
        ids = tuple(sorted(ids_of[key]))
        group = Group(first=first, count=count[key], authorities=len(ids))
        impact = impact_of[key]
        names = ", ".join(sorted(names_of[key]))
        result.append(
            {
                "key": key,
                "rule_id": rule.id,
                "rule_title": rule.title,
                "severity": severity_of[top[key]],
                "title": rule.headline(group, thresholds),
                "authority_ids": ids,
                "authorities": names,
                "evidence_rows": count[key],
                "impact": impact,
                "unit": rule.unit,
                "impact_total": total,
                "impact_share": impact / total if total > 0 else 0.0,
                "fingerprint": str(first["fingerprint"]),
                "target": rule.target,
                "link_authorities": ids,
                "link_lights": rule.link_lights,
            }
        )
    return result


def rank(findings: pd.DataFrame) -> pd.DataFrame:
    """Order findings by severity, impact share, evidence rows, rule order, key; add ``rank``."""
    if findings.empty:
        return findings.assign(rank=pd.Series(dtype="int64"))
    order = {rule.id: n for n, rule in enumerate(RULES)}
    ranked = findings.assign(
        _sev=findings["severity"].map(SEVERITY_RANK),
        _rule=findings["rule_id"].map(order),
    ).sort_values(
        ["_sev", "impact_share", "evidence_rows", "_rule", "key"],
        ascending=[False, False, False, True, True],
        ignore_index=True,
    )
    ranked["rank"] = range(1, len(ranked) + 1)
    return ranked.drop(columns=["_sev", "_rule"])


_DECISIONS_SQL = """
SELECT * EXCLUDE (rn) FROM (
    SELECT recommendation_key AS key, state AS decision, reason AS decision_reason,
           fingerprint AS decision_fingerprint, decided_by, decided_at,
           period_id AS decision_period,
           row_number() OVER (PARTITION BY recommendation_key ORDER BY id DESC) AS rn
    FROM recommendation_state
) WHERE rn = 1
"""


def decisions(cur: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The newest decision per recommendation key."""
    return cur.execute(_DECISIONS_SQL).df()


def decision_history(cur: duckdb.DuckDBPyConnection, *, key: str) -> pd.DataFrame:
    """Every decision on one recommendation, newest first."""
    return cur.execute(
        "SELECT decided_at, decided_by, state, reason, period_id, fingerprint "
        "FROM recommendation_state WHERE recommendation_key = ? ORDER BY id DESC",
        [key],
    ).df()


def apply_decisions(findings: pd.DataFrame, latest: pd.DataFrame) -> pd.DataFrame:
    """Add ``state`` (open unless a decision on the same evidence exists), the decision's
    reason, author and time, and ``evidence_changed`` (a decision exists but the evidence
    moved on, so the recommendation is open again)."""
    merged = findings.merge(latest, on="key", how="left")
    same = merged["decision_fingerprint"] == merged["fingerprint"]
    decided = merged["decision"].notna()
    merged["state"] = merged["decision"].where(same & decided, "open").fillna("open")
    merged["evidence_changed"] = decided & ~same & (merged["decision"] != "open")
    for column in ("decision_reason", "decided_by", "decided_at"):
        merged[column] = merged[column].where(same & decided)
    return merged


@dataclass
class RuleFindings:
    """What an evaluation computes before the analysts' filters apply: every rule's evidence
    over all data of the period (with ``key`` and ``fingerprint``), the whole each rule's
    impact share is measured against, and the admins' decisions.

    None of it depends on the filters, so it is computed once per data version, period and
    publication state (the pages cache it through ``ui.data``) and :func:`select` applies each
    new filter selection to it: evaluating all ten rules took 0.63 s per selection at berlin
    scale, filtering the finished rows takes milliseconds.
    """

    period: str
    thresholds: Thresholds
    evidence: dict[str, pd.DataFrame] = field(default_factory=dict)  # rule id → rows
    totals: dict[str, float] = field(default_factory=dict)  # rule id → impact total
    decided: pd.DataFrame = field(default_factory=pd.DataFrame)  # see :func:`decisions`


def rule_findings(
    cur: duckdb.DuckDBPyConnection,
    *,
    period: str,
    today: date | None = None,
    include_unpublished: bool = False,
    thresholds: Thresholds | None = None,
    rule_ids: tuple[str, ...] = (),
) -> RuleFindings:
    """Every rule (or those in ``rule_ids``) over all data of the period, unfiltered."""
    t = thresholds or Thresholds.from_settings()
    inputs = Inputs(
        cur,
        period=period,
        today=resolve_today(today),
        include_unpublished=include_unpublished,
        thresholds=t,
    )
    found = RuleFindings(period=period, thresholds=t)
    for rule in RULES:
        if rule_ids and rule.id not in rule_ids:
            continue
        rows = evaluate_rule(rule, inputs)
        if rows.empty:
            continue
        found.evidence[rule.id] = rows
        found.totals[rule.id] = float(rule.total(inputs))
    found.decided = decisions(cur)
    return found


def select(found: RuleFindings, *, selection: Selection | None = None) -> Evaluation:
    """The recommendations for one filter selection: the evidence rows the filters choose
    (for clusters: the whole clusters they touch), grouped, ranked, with the admins'
    decisions applied. Pure pandas over ``found``; no query."""
    selection = selection or Selection()
    records: list[dict[str, object]] = []
    evidence: dict[str, pd.DataFrame] = {}
    for rule in RULES:
        rows = found.evidence.get(rule.id)
        if rows is None:
            continue
        mask = _matches(rows, selection, rule.filters)
        if rule.whole_subject:
            mask = rows["key"].isin(set(rows.loc[mask, "key"]))
        rows = rows[mask]
        if rows.empty:
            continue
        rows = rows.sort_values(
            ["key", *(column for column, _ in rule.sort)],
            ascending=[True, *(ascending for _, ascending in rule.sort)],
        )
        evidence[rule.id] = rows.reset_index(drop=True)
        records.extend(
            _findings(rule, rows, total=found.totals[rule.id], thresholds=found.thresholds)
        )
    findings = pd.DataFrame.from_records(
        records, columns=[c for c in FINDING_COLUMNS if c != "rank"]
    )
    findings = apply_decisions(rank(findings), found.decided)
    return Evaluation(
        period=found.period, findings=findings, evidence=evidence, thresholds=found.thresholds
    )


def evaluate(
    cur: duckdb.DuckDBPyConnection,
    *,
    period: str,
    today: date | None = None,
    include_unpublished: bool = False,
    selection: Selection | None = None,
    thresholds: Thresholds | None = None,
    rule_ids: tuple[str, ...] = (),
) -> Evaluation:
    """Every rule (or those in ``rule_ids``) for the period, filtered by ``selection``,
    ranked, with the admins' decisions applied (:func:`rule_findings`, then :func:`select`)."""
    found = rule_findings(
        cur,
        period=period,
        today=today,
        include_unpublished=include_unpublished,
        thresholds=thresholds,
        rule_ids=rule_ids,
    )
    return select(found, selection=selection)


# ``ui.data.load`` caches :func:`rule_findings` once per data version, period and publication
# state and applies each filter selection to it with :func:`select` (see ``ui.data``).
SELECTION_SPLIT: dict[str, tuple[str, str]] = {"recommendations": ("rule_findings", "select")}


def recommendations(
    cur: duckdb.DuckDBPyConnection,
    *,
    period: str,
    today: date | None = None,
    include_unpublished: bool = False,
    selection: Selection | None = None,
) -> Evaluation:
    """:func:`evaluate` with the thresholds from the settings (the pages' call; through
    ``ui.data.load`` it runs as :func:`rule_findings`, cached, then :func:`select`)."""
    return evaluate(
        cur,
        period=period,
        today=today,
        include_unpublished=include_unpublished,
        selection=selection,
    )


def top_recommendations(
    cur: duckdb.DuckDBPyConnection,
    *,
    period: str,
    n: int = 5,
    today: date | None = None,
    include_unpublished: bool = False,
    selection: Selection | None = None,
) -> pd.DataFrame:
    """The ``n`` highest-ranked recommendations that are not dismissed (for the overview)."""
    found = recommendations(
        cur,
        period=period,
        today=today,
        include_unpublished=include_unpublished,
        selection=selection,
    ).findings
    return top_from(found, n=n)


def top_from(findings: pd.DataFrame, *, n: int = 5) -> pd.DataFrame:
    """The ``n`` highest-ranked findings that are not dismissed."""
    return findings[findings["state"] != "dismissed"].head(n).reset_index(drop=True)


def filter_findings(
    findings: pd.DataFrame,
    *,
    rule_ids: tuple[str, ...] = (),
    severities: tuple[str, ...] = (),
    states: tuple[str, ...] = (),
) -> pd.DataFrame:
    """The page's own filters (rule, severity, decision state); empty means all."""
    mask = pd.Series(True, index=findings.index)
    for column, wanted in (("rule_id", rule_ids), ("severity", severities), ("state", states)):
        if wanted:
            mask &= findings[column].isin(wanted)
    return findings[mask]


def counts_by_rule(findings: pd.DataFrame) -> pd.DataFrame:
    """Recommendations per rule (every rule listed, zeros included), by severity and state."""
    rows = []
    for rule in RULES:
        mine = findings[findings["rule_id"] == rule.id]
        rows.append(
            {
                "rule_id": rule.id,
                "rule_title": rule.title,
                "recommendations": len(mine),
                "high": int((mine["severity"] == "high").sum()),
                "medium": int((mine["severity"] == "medium").sum()),
                "low": int((mine["severity"] == "low").sum()),
                "open": int((mine["state"] == "open").sum()),
                "evidence_rows": int(mine["evidence_rows"].sum()),
            }
        )
    return pd.DataFrame(rows)


def counts_by_authority(findings: pd.DataFrame) -> pd.DataFrame:
    """Recommendations per authority (a cluster counts for each authority in it), most first."""
    if findings.empty:
        return pd.DataFrame(columns=["authority", "recommendations", "high", "open", "rules"])
    exploded = findings.assign(authority=findings["authorities"].str.split(", ")).explode(
        "authority"
    )
    grouped = exploded.groupby("authority").agg(
        recommendations=("key", "size"),
        high=("severity", lambda s: int((s == "high").sum())),
        open=("state", lambda s: int((s == "open").sum())),
        rules=("rule_title", lambda s: ", ".join(sorted(set(s)))),
    )
    return grouped.reset_index().sort_values(
        ["recommendations", "high", "authority"], ascending=[False, False, True], ignore_index=True
    )


def rule_catalogue(thresholds: Thresholds | None = None) -> pd.DataFrame:
    """Every rule with its condition (thresholds filled in), severity and impact measure."""
    t = thresholds or Thresholds.from_settings()
    return pd.DataFrame(
        [
            {
                "rule_id": rule.id,
                "title": rule.title,
                "severity": SEVERITY_LABELS[rule.severity],
                "condition": rule.condition(t),
                "why": rule.why,
                "next_step": rule.next_step,
                "impact": f"{rule.impact}; Anteil {rule.whole}",
            }
            for rule in RULES
        ]
    )
