"""The demo data set: deterministic, plausible, clearly labelled.

Every demo submission goes through the real loaders as a German CSV (the one data path), is
flagged ``is_demo`` and published, so the app can show its "Demodaten" notice. Realistic gaps
are planted on purpose: some authorities are late for the newest period (BA Pankow among them,
so submitting its report visibly changes the figures), the Polizei keeps costs confidential,
a few projects never report costs, and some projects are re-baselined during the periods.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from data.reference import (
    AUTHORITIES,
    DISTRICT,
    TOPIC_AREAS,
    Authority,
    parse_period,
    period_ids,
)

DEMO_SEED = 20_261_128
LAST_PERIOD = "2026-Q3"
PERIOD_COUNT = 8
DEMO_ACTOR = "Demodaten-Generator"
LATE_FOR_LAST_PERIOD = {"ba-pankow", "ba-spandau", "senkultgz", "lageso", "laf"}
SKIPPED_PERIODS = {("ba-reinickendorf", "2025-Q4"), ("senjustv", "2025-Q2"), ("lvwa", "2026-Q1")}
CONFIDENTIAL_COSTS = {"polizei"}
# Similar projects in several authorities, worded differently (issue 7, "Bündelung prüfen"):
# these projects are renamed after the random draw, so no other demo value changes.
PLANTED_SIMILAR_TITLES = {
    ("ba-lichtenberg", "Online-Antrag Hundesteuer"): "Chatbot für Bürgeranfragen im Bürgeramt",
    ("ba-treptow-koepenick", "Digitale Gewerbeanmeldung"): "KI-Chatbot Bürgeranfragen Bürgeramt",
    ("labo", "Digitale Ausländerakte"): "Bürgeranfragen-Chatbot im Bürgeramt",
    ("seninnsport", "Dokumentenmanagement Gremienarbeit"): (
        "Einführung eines Chatbots für Bürgeranfragen"
    ),
}

DISTRICT_TITLES = (
    "Digitale Gewerbeanmeldung",
    "Online-Terminbuchung Bürgeramt",
    "Digitales Fundbüro",
    "Onlinezugang Wohngeld (EfA-Nachnutzung)",
    "Elektronische Bauakte",
    "Digitale Sitzungsverwaltung BVV",
    "Online-Antrag Sondernutzung Straßenland",
    "Einführung E-Akte",
    "Digitaler Posteingang / Scanstelle",
    "Online-Antrag Hundesteuer",
    "Kita-Gutschein online",
    "Elterngeld digital (ELFE)",
    "Digitale Bewohnerparkausweise",
    "Mobiles Arbeiten Rollout",
    "WLAN-Ausbau Dienstgebäude",
    "Digitale Schulanmeldung",
    "Ersatz Telefonanlage (VoIP)",
    "Open-Data-Portal Anbindung",
)
SENATE_TITLES = (
    "Einführung E-Akte",
    "Elektronische Rechnung (XRechnung) Eingang",
    "Personalaktenführung digital",
    "Geodateninfrastruktur Erneuerung",
    "Fachverfahren Haushaltswesen Ablösung",
    "Digitale Förderantragsstellung",
    "Data-Warehouse Landesstatistik",
    "Mobiles Arbeiten Rollout",
    "Digitaler Posteingang / Scanstelle",
    "Online-Beteiligungsplattform",
    "Fachverfahren Jugendhilfe Ablösung",
    "KI-Assistenz für Bürgeranfragen (Pilot)",
    "Digitale Vergabe (eVergabe)",
    "Open-Data-Portal Anbindung",
    "Dokumentenmanagement Gremienarbeit",
    "Ersatz Telefonanlage (VoIP)",
)
AGENCY_TITLES = (
    "Einführung E-Akte",
    "Online-Terminbuchung Bürgeramt",
    "Digitaler Aufenthaltstitel-Antrag",
    "Einsatzleitsystem Modernisierung",
    "Digitale Ausländerakte",
    "Fachverfahren Melde- und Passwesen Ablösung",
    "Digitaler Posteingang / Scanstelle",
    "Mobiles Arbeiten Rollout",
    "Rechenzentrumskonsolidierung",
    "Service-Konto Berlin Weiterentwicklung",
    "Digitale Kfz-Zulassung (i-Kfz)",
    "Digitale Vergabe (eVergabe)",
    "Ersatz Telefonanlage (VoIP)",
    "Personalaktenführung digital",
)
PROGRAMME_BY_WORD = (
    ("E-Akte", "E-Akte"),
    ("Posteingang", "E-Akte"),
    ("Fachverfahren", "Fachverfahren"),
    ("Einsatzleitsystem", "Fachverfahren"),
    ("WLAN", "Infrastruktur"),
    ("VoIP", "Infrastruktur"),
    ("Rechenzentrum", "Infrastruktur"),
    ("Service-Konto", "Infrastruktur"),
    ("Geodaten", "Infrastruktur"),
    ("Mobiles Arbeiten", "Organisation"),
    ("Data-Warehouse", "Sonstiges"),
    ("KI-Assistenz", "Sonstiges"),
)
# The OZG Themenfeld of each title (ids of ``data.reference.TOPIC_AREAS``): the field of the
# service the project brings online. Internal projects (E-Akte, infrastructure, staff files)
# are no OZG service and report no topic area, as real lists leave the column empty for them.
TOPIC_BY_TITLE: dict[str, str | None] = {
    "Digitale Gewerbeanmeldung": "unternehmen",
    "Online-Terminbuchung Bürgeramt": "ein-auswanderung",
    "Digitales Fundbüro": "recht-ordnung",
    "Onlinezugang Wohngeld (EfA-Nachnutzung)": "bauen-wohnen",
    "Elektronische Bauakte": "bauen-wohnen",
    "Digitale Sitzungsverwaltung BVV": None,
    "Online-Antrag Sondernutzung Straßenland": "mobilitaet-reisen",
    "Einführung E-Akte": None,
    "Digitaler Posteingang / Scanstelle": None,
    "Online-Antrag Hundesteuer": "steuern-zoll",
    "Kita-Gutschein online": "familie-kind",
    "Elterngeld digital (ELFE)": "familie-kind",
    "Digitale Bewohnerparkausweise": "mobilitaet-reisen",
    "Mobiles Arbeiten Rollout": None,
    "WLAN-Ausbau Dienstgebäude": None,
    "Digitale Schulanmeldung": "bildung",
    "Ersatz Telefonanlage (VoIP)": None,
    "Open-Data-Portal Anbindung": "querschnitt",
    "Elektronische Rechnung (XRechnung) Eingang": None,
    "Personalaktenführung digital": None,
    "Geodateninfrastruktur Erneuerung": "bauen-wohnen",
    "Fachverfahren Haushaltswesen Ablösung": None,
    "Digitale Förderantragsstellung": "forschung-foerderung",
    "Data-Warehouse Landesstatistik": None,
    "Online-Beteiligungsplattform": "engagement-hobby",
    "Fachverfahren Jugendhilfe Ablösung": "familie-kind",
    "KI-Assistenz für Bürgeranfragen (Pilot)": "querschnitt",
    "Dokumentenmanagement Gremienarbeit": None,
    "Digitaler Aufenthaltstitel-Antrag": "ein-auswanderung",
    "Einsatzleitsystem Modernisierung": "recht-ordnung",
    "Digitale Ausländerakte": "ein-auswanderung",
    "Fachverfahren Melde- und Passwesen Ablösung": "ein-auswanderung",
    "Rechenzentrumskonsolidierung": None,
    "Service-Konto Berlin Weiterentwicklung": "querschnitt",
    "Digitale Kfz-Zulassung (i-Kfz)": "mobilitaet-reisen",
    "Digitale Vergabe (eVergabe)": "unternehmen",
    **dict.fromkeys(PLANTED_SIMILAR_TITLES.values(), "querschnitt"),  # citizens' chatbots
}
# Titles whose field is the authority's own policy field: a department's funding programme
# or open data belongs to its portfolio (SenASGIVA's funding: Arbeit & Ruhestand).
TOPIC_OF_AUTHORITY_FOR = frozenset({"Digitale Förderantragsstellung", "Open-Data-Portal Anbindung"})
AUTHORITY_TOPIC: dict[str, str] = {
    "senfin": "steuern-zoll",
    "senjustv": "recht-ordnung",
    "senbjf": "bildung",
    "senwgp": "gesundheit",
    "senasgiva": "arbeit-ruhestand",
    "senwiebe": "unternehmen",
    "senmvku": "umwelt",
    "senstadt": "bauen-wohnen",
    "senkultgz": "engagement-hobby",
}
TOPIC_NAMES: dict[str, str] = dict(TOPIC_AREAS)


def topic_area(title: str, authority_id: str) -> str:
    """The Themenfeld (German name, as a coordinator writes it) of a demo project, or "".

    Derived from the title and the authority alone, without the random generator, so adding
    the column left every other demo value as it was.
    """
    topic = TOPIC_BY_TITLE[title]
    if title in TOPIC_OF_AUTHORITY_FOR:
        topic = AUTHORITY_TOPIC.get(authority_id, topic)
    return TOPIC_NAMES[topic] if topic else ""


REASONS = (
    "Lieferverzug Dienstleister",
    "Personalengpass im Fachbereich",
    "Ausschreibung verzögert; Neuplanung",
    "Abhängigkeit vom ITDZ-Rahmenvertrag",
    "Schnittstelle zum Fachverfahren fehlt",
)
CONTACTS = ("Projektbüro", "Referat ZS C 3", "Stabsstelle Digitalisierung", "IT-Steuerung")
BUDGETS = (45_000, 80_000, 120_000, 250_000, 480_000, 1_200_000, 3_500_000)


@dataclass
class _Project:
    project_id: str
    title: str
    programme: str
    start: date
    duration_days: int
    budget: float
    slip_per_period: int
    cost_factor: float
    rebaseline_at: int | None
    cost_mode: str  # reported / confidential / not_reported
    contact: str
    leika: str
    topic_area: str = ""  # set once the final title is known (after the planted renames)
    history: dict[str, dict[str, str]] = field(default_factory=dict)


def _titles(authority: Authority) -> tuple[str, ...]:
    if authority.kind == DISTRICT:
        return DISTRICT_TITLES
    if authority.kind == "senate_department":
        return SENATE_TITLES
    return AGENCY_TITLES


def _programme(title: str, rng: random.Random) -> str:
    for word, programme in PROGRAMME_BY_WORD:
        if word in title:
            return programme
    return "Onlinedienst (OZG)" if rng.random() < 0.8 else "Organisation"


def _money(value: float) -> str:
    text = f"{value:,.2f}"
    return text.replace(",", "X").replace(".", ",").replace("X", ".")


def _date(value: date | None) -> str:
    return value.strftime("%d.%m.%Y") if value else ""


def _projects(authority: Authority, rng: random.Random) -> list[_Project]:
    titles = list(_titles(authority))
    rng.shuffle(titles)
    count = min(len(titles), rng.randint(12, 17))
    projects = []
    prefix = authority.short_name.replace(" ", "-")
    for n, title in enumerate(titles[:count], start=1):
        start = date(rng.choice((2023, 2024, 2025, 2026)), rng.choice((1, 3, 4, 6, 9, 10)), 1)
        if start > date(2026, 6, 1):
            start = date(2026, 4, 1)
        cost_mode = "reported"
        if authority.id in CONFIDENTIAL_COSTS:
            cost_mode = "confidential"
        elif rng.random() < 0.05:
            cost_mode = "not_reported"
        projects.append(
            _Project(
                project_id=f"{prefix}-{start.year}-{n:03d}",
                title=title,
                programme=_programme(title, rng),
                start=start,
                duration_days=rng.randint(300, 1100),
                budget=float(rng.choice(BUDGETS)),
                slip_per_period=rng.choice((0, 0, 0, 15, 30, 60, 90)),
                cost_factor=rng.choice((0.85, 0.95, 1.0, 1.0, 1.05, 1.2, 1.45)),
                rebaseline_at=rng.choice((None, None, None, None, 4, 5, 6)),
                cost_mode=cost_mode,
                contact=rng.choice(CONTACTS),
                leika=rng.choice(("", "", "99050012104000", "99108011000000; 99108012000000")),
            )
        )
    return projects


def _row(project: _Project, period_index: int, period: str, rng: random.Random) -> dict[str, str]:
    _, period_end, _ = parse_period(period)
    baseline_end = project.start + timedelta(days=project.duration_days)
    original_end = baseline_end
    slip = project.slip_per_period * (period_index + 1)
    forecast_end = baseline_end + timedelta(days=slip)
    budget = project.budget
    original_budget = budget
    if project.rebaseline_at is not None and period_index >= project.rebaseline_at:
        baseline_end = forecast_end  # re-baselined: the plan moved to the forecast
        budget = round(project.budget * project.cost_factor, -3)
    elapsed = (period_end - project.start).days
    if elapsed < 0:
        status, progress = "geplant", 0
    else:
        share = min(1.0, elapsed / max(1, (forecast_end - project.start).days))
        progress = int(round(share * 100 / 5) * 5)
        status = "abgeschlossen" if share >= 1 else "in Umsetzung"
        if status == "in Umsetzung" and project.slip_per_period >= 90 and period_index >= 5:
            status = "pausiert"
    actual_end = forecast_end if status == "abgeschlossen" else None
    if status == "abgeschlossen":
        progress = 100
    spent = project.budget * project.cost_factor * (progress / 100)
    forecast_cost = project.budget * project.cost_factor
    variance = abs(forecast_cost - budget) / budget
    slip_ratio = slip / max(1, project.duration_days)
    worst = max(variance, slip_ratio)
    light = "grün" if worst < 0.1 else ("gelb" if worst < 0.3 else "rot")
    if light != "grün" and rng.random() < 0.25:
        light = "grün"  # optimistic self-assessment: computed and self-assessed disagree
    reason = rng.choice(REASONS) if light != "grün" else ""
    row = {
        "Vorhaben-Nr.": project.project_id,
        "Bezeichnung des Vorhabens": project.title,
        "Programm / Kategorie": project.programme,
        "Themenfeld": project.topic_area,
        "Status": status,
        "Ampel": light,
        "Begründung Ampel": reason,
        "Beginn": _date(project.start),
        "Ende (ursprünglich geplant)": _date(original_end),
        "Ende (geplant)": _date(baseline_end),
        "Ende (Prognose)": _date(forecast_end),
        "Ende (Ist)": _date(actual_end),
        "Budget ursprünglich in €": _money(original_budget),
        "Budget in €": _money(budget),
        "Kostenprognose in €": _money(forecast_cost),
        "Ist-Kosten in €": _money(spent),
        "Fortschritt in %": f"{progress} %",
        "Betroffene Leistungen (LeiKa)": project.leika,
        "Ansprechperson": project.contact,
    }
    if project.cost_mode == "confidential":
        for key in (
            "Budget ursprünglich in €",
            "Budget in €",
            "Kostenprognose in €",
            "Ist-Kosten in €",
        ):
            row[key] = "vertraulich"
    elif project.cost_mode == "not_reported":
        for key in (
            "Budget ursprünglich in €",
            "Budget in €",
            "Kostenprognose in €",
            "Ist-Kosten in €",
        ):
            row[key] = "nicht gemeldet"
    return row


def _csv(rows: list[dict[str, str]]) -> bytes:
    header = list(rows[0])
    lines = [";".join(header)]
    for row in rows:
        lines.append(";".join(_quote(row[h]) for h in header))
    return ("\ufeff" + "\r\n".join(lines) + "\r\n").encode("utf-8")


def _quote(value: str) -> str:
    if any(c in value for c in ';"\n'):
        return '"' + value.replace('"', '""') + '"'
    return value


@dataclass(frozen=True)
class DemoFile:
    authority_id: str
    period_id: str
    file_name: str
    data: bytes
    submitted_at: datetime


def demo_project_files(
    last_period: str = LAST_PERIOD, count: int = PERIOD_COUNT
) -> Iterator[DemoFile]:
    """The project lists every authority would have sent, period by period (deterministic)."""
    rng = random.Random(DEMO_SEED)
    periods = period_ids(last_period, count)
    portfolios = {a.id: _projects(a, rng) for a in AUTHORITIES}
    for authority_id, portfolio in portfolios.items():
        for project in portfolio:
            project.title = PLANTED_SIMILAR_TITLES.get((authority_id, project.title), project.title)
            project.topic_area = topic_area(project.title, authority_id)
    for index, period in enumerate(periods):
        _, _, due = parse_period(period)
        for authority in AUTHORITIES:
            if period == last_period and authority.id in LATE_FOR_LAST_PERIOD:
                continue
            if (authority.id, period) in SKIPPED_PERIODS:
                continue
            rows = [_row(p, index, period, rng) for p in portfolios[authority.id]]
            delay = rng.randint(-20, 12)
            yield DemoFile(
                authority_id=authority.id,
                period_id=period,
                file_name=f"demo_{authority.id}_{period}.csv",
                data=_csv(rows),
                submitted_at=datetime.combine(due + timedelta(days=delay), time(10, 0)),
            )


def seed_demo(
    progress: Callable[[float, str], None] | None = None, *, skip: frozenset[str] = frozenset()
) -> int:
    """Load the demo set through the loaders; returns the number of submissions stored.

    Files named in ``skip`` are stored already (an interrupted seed being completed)."""
    from loaders.ingest import ingest
    from store.identity import Identity

    identity = Identity(name=DEMO_ACTOR, role="admin")
    files = list(demo_project_files())
    stored = 0
    for n, demo in enumerate(files, start=1):
        if demo.file_name in skip:
            continue
        result = ingest(
            data=demo.data,
            file_name=demo.file_name,
            kind="projects",
            authority=demo.authority_id,
            period=demo.period_id,
            identity=identity,
            review_status="published",
            is_demo=True,
            submitted_at=demo.submitted_at,
        )
        if result.outcome != "accepted":
            raise RuntimeError(
                f"demo file {demo.file_name} not accepted: "
                + "; ".join(p.as_line() for p in result.errors[:5])
            )
        stored += 1
        if progress:
            progress(n / len(files), f"Demodaten: {demo.period_id} {demo.authority_id}")
    return stored
