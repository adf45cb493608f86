"""Demo data for the online services: a synthetic catalogue and its status history.

About 1,000 invented Verwaltungsleistungen over the 14 real OZG Themenfelder, bundled into
OZG-Leistungen, each with a deterministic story over the eight demo periods: federal offers
that are online from the start, EfA offers that Berlin adopts one to four quarters later (or
not yet: the adoption candidates), Berlin's own offers going live, Bezirk offers piloted in
one Bezirk before they go area-wide, and services nobody offers online yet.

Everything goes through the real loaders as the files an admin would upload (one data path):
two catalogue imports (40 services are added in 2025-Q3, five are out of scope), one status
report per period in the dashboard's template, and for the newest period also a PVOG export
of the Data Hub and a service-portal JSON export. Ten submissions of about 1,000 rows each
take a few seconds; writing around the loaders would save little and prove less.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from data.demo import DEMO_ACTOR, LAST_PERIOD, PERIOD_COUNT
from data.reference import TOPIC_AREAS, parse_period, period_ids

DEMO_SEED = 20_261_129
SERVICE_COUNT = 1_000
ADDED_LATER = 40
CATALOG_UPDATE_PERIOD = "2025-Q3"
MODEL_2_FROM = "2025-Q3"  # Reifegradmodell 2.0 replaced 1.1 in July 2025
SUBMITTER = "skzl"

OBJECTS: dict[str, tuple[str, ...]] = {
    "arbeit-ruhestand": (
        "Arbeitslosengeld",
        "Kurzarbeitergeld",
        "Rente",
        "Schwerbehindertenausweis",
        "Berufsausbildungsbeihilfe",
        "Arbeitserlaubnis",
        "Insolvenzgeld",
        "Altersteilzeit",
    ),
    "bauen-wohnen": (
        "Baugenehmigung",
        "Wohngeld",
        "Wohnberechtigungsschein",
        "Abrissgenehmigung",
        "Denkmalschutzgenehmigung",
        "Zweckentfremdungsgenehmigung",
        "Grundbuchauszug",
        "Baumfällgenehmigung",
    ),
    "bildung": (
        "BAföG",
        "Schulanmeldung",
        "Schülerausweis",
        "Berufsanerkennung",
        "Aufstiegs-BAföG",
        "Bildungsgutschein",
        "Schulbefreiung",
        "Zeugnisanerkennung",
    ),
    "ein-auswanderung": (
        "Aufenthaltstitel",
        "Einbürgerung",
        "Blaue Karte EU",
        "Visum",
        "Niederlassungserlaubnis",
        "Familiennachzug",
        "Duldung",
        "Fiktionsbescheinigung",
    ),
    "engagement-hobby": (
        "Fischereischein",
        "Jagdschein",
        "Waffenbesitzkarte",
        "Vereinsregistereintrag",
        "Sammlungserlaubnis",
        "Ehrenamtskarte",
        "Sportbootführerschein",
        "Veranstaltungserlaubnis",
    ),
    "familie-kind": (
        "Elterngeld",
        "Kindergeld",
        "Kita-Gutschein",
        "Geburtsurkunde",
        "Unterhaltsvorschuss",
        "Vaterschaftsanerkennung",
        "Namensänderung",
        "Eheschließung",
    ),
    "forschung-foerderung": (
        "Forschungsförderung",
        "Wirtschaftsförderung",
        "Innovationsprämie",
        "Stipendium",
        "Kulturförderung",
        "Projektförderung",
        "Zuwendung",
        "Filmförderung",
    ),
    "gesundheit": (
        "Approbation",
        "Infektionsschutzbelehrung",
        "Heilpraktikererlaubnis",
        "Pflegegeld",
        "Gesundheitszeugnis",
        "Apothekenerlaubnis",
        "Trinkwasseruntersuchung",
        "Hilfe zur Pflege",
    ),
    "mobilitaet-reisen": (
        "Führerschein",
        "Kfz-Zulassung",
        "Bewohnerparkausweis",
        "Parkausweis für Menschen mit Behinderung",
        "Personenbeförderungsschein",
        "Sondernutzung Straßenland",
        "Reisepass",
        "Taxikonzession",
    ),
    "querschnitt": (
        "Meldebescheinigung",
        "Personalausweis",
        "Führungszeugnis",
        "Beglaubigung",
        "Melderegisterauskunft",
        "Akteneinsicht",
        "Gebührenbefreiung",
        "Wohnsitzanmeldung",
    ),
    "recht-ordnung": (
        "Fundsache",
        "Versammlungsanzeige",
        "Hundehaltung",
        "Lärmschutzausnahme",
        "Beratungshilfe",
        "Schöffenamt",
        "Waffenschein",
        "Bußgeldverfahren",
    ),
    "steuern-zoll": (
        "Hundesteuer",
        "Grundsteuer",
        "Zweitwohnungsteuer",
        "Vergnügungsteuer",
        "Gewerbesteuer",
        "Steuerbescheinigung",
        "Übernachtungsteuer",
        "Spielgerätesteuer",
    ),
    "umwelt": (
        "Abfallentsorgung",
        "Wasserrechtliche Erlaubnis",
        "Immissionsschutzgenehmigung",
        "Baumschutz",
        "Altlastenauskunft",
        "Naturschutzausnahme",
        "Sperrmüllabholung",
        "Gewässerbenutzung",
    ),
    "unternehmen": (
        "Gewerbeanmeldung",
        "Gaststättenerlaubnis",
        "Handelsregistereintrag",
        "Marktzulassung",
        "Reisegewerbekarte",
        "Bewachungserlaubnis",
        "Maklererlaubnis",
        "Ausschankgenehmigung",
    ),
}
ACTIONS = (
    "Beantragung",
    "Bewilligung",
    "Änderung",
    "Verlängerung",
    "Erteilung",
    "Auskunft",
    "Ausstellung",
    "Rücknahme",
    "Ersatz",
    "Befreiung",
    "Abmeldung",
    "Anzeige",
)
RESPONSIBLE: dict[str, tuple[str, ...]] = {
    "arbeit-ruhestand": ("SenASGIVA", "LAGeSo"),
    "bauen-wohnen": ("SenStadt",),
    "bildung": ("SenBJF",),
    "ein-auswanderung": ("LEA",),
    "engagement-hobby": ("SenInnSport", "LABO"),
    "familie-kind": ("SenBJF",),
    "forschung-foerderung": ("SenWiEnBe", "SenKultGZ"),
    "gesundheit": ("SenWGP", "LAGeSo"),
    "mobilitaet-reisen": ("SenMVKU", "LABO"),
    "querschnitt": ("LABO",),
    "recht-ordnung": ("SenJustV", "Polizei"),
    "steuern-zoll": ("SenFin",),
    "umwelt": ("SenMVKU",),
    "unternehmen": ("SenWiEnBe",),
}
DISTRICT_SHARE: dict[str, float] = {
    "bauen-wohnen": 0.5,
    "familie-kind": 0.5,
    "querschnitt": 0.5,
    "recht-ordnung": 0.4,
    "umwelt": 0.3,
    "mobilitaet-reisen": 0.3,
    "engagement-hobby": 0.3,
    "gesundheit": 0.2,
}
TOPIC_WEIGHTS: dict[str, int] = {
    "familie-kind": 10,
    "bauen-wohnen": 10,
    "unternehmen": 10,
    "querschnitt": 9,
    "mobilitaet-reisen": 9,
    "recht-ordnung": 8,
    "gesundheit": 8,
    "arbeit-ruhestand": 7,
    "ein-auswanderung": 6,
    "bildung": 7,
    "steuern-zoll": 6,
    "umwelt": 6,
    "engagement-hobby": 5,
    "forschung-foerderung": 5,
}
EFA_STATES = (
    ("Hamburg", "020000000000"),
    ("Sachsen-Anhalt", "150000000000"),
    ("Bayern", "090000000000"),
    ("Hessen", "060000000000"),
    ("Nordrhein-Westfalen", "050000000000"),
    ("Schleswig-Holstein", "010000000000"),
    ("Bremen", "040000000000"),
)
PILOT_DISTRICTS = ("BA Mitte", "BA Pankow", "BA Neukölln", "BA Lichtenberg", "BA Spandau")
ALL_DISTRICT_NAMES = (
    "Bezirksamt Mitte",
    "Bezirksamt Friedrichshain-Kreuzberg",
    "Bezirksamt Pankow",
    "Bezirksamt Charlottenburg-Wilmersdorf",
    "Bezirksamt Spandau",
    "Bezirksamt Steglitz-Zehlendorf",
    "Bezirksamt Tempelhof-Schöneberg",
    "Bezirksamt Neukölln",
    "Bezirksamt Treptow-Köpenick",
    "Bezirksamt Marzahn-Hellersdorf",
    "Bezirksamt Lichtenberg",
    "Bezirksamt Reinickendorf",
)
NOT_IN_SCOPE_REASON = "Leistung wird in Berlin nicht erbracht (Stadtstaat)"
LEIKA_TYPES = ("1", "2", "2/3", "3", "1, 2/3", "4", "5")
NEVER = 99  # a period index that lies beyond the demo periods


@dataclass
class _Service:
    index: int
    leika_key: str | None
    name: str
    topic: str
    object_name: str
    ozg_id: str
    leika_type: str
    addressee: str
    responsible: str
    district: bool
    portal_id: str | None
    first_period: int  # index of the first period whose catalogue lists the service
    out_of_scope: bool = False
    # the story: provider -> (start period, level at start, period reaching 3, period reaching 4)
    offers: dict[str, tuple[int, int, int, int]] = field(default_factory=dict)
    efa_state: tuple[str, str] | None = None
    pilot: str | None = None  # Bezirk piloting before the offer goes area-wide
    area_wide_at: int = NEVER
    online_dates: dict[str, date] = field(default_factory=dict)
    model_2: bool = False


def _quarter_day(period: str, rng: random.Random) -> date:
    start, end, _due = parse_period(period)
    return start + timedelta(days=rng.randint(0, (end - start).days))


def _services(rng: random.Random, periods: list[str]) -> list[_Service]:
    topics = [t for t, _name in TOPIC_AREAS]
    combos = [
        (topic, o, a)
        for topic in topics
        for o in range(len(OBJECTS[topic]))
        for a in range(len(ACTIONS))
    ]
    weights = [TOPIC_WEIGHTS[t] for t, _o, _a in combos]
    chosen: list[tuple[str, int, int]] = []
    seen: set[tuple[str, int, int]] = set()
    while len(chosen) < SERVICE_COUNT:
        combo = rng.choices(combos, weights=weights)[0]
        if combo not in seen:
            seen.add(combo)
            chosen.append(combo)
    chosen.sort(key=lambda c: (topics.index(c[0]), c[1], c[2]))
    late = set(rng.sample(range(SERVICE_COUNT), ADDED_LATER))
    update_index = periods.index(CATALOG_UPDATE_PERIOD)
    services = []
    for n, (topic, o, a) in enumerate(chosen):
        topic_index = topics.index(topic)
        object_name = OBJECTS[topic][o]
        district = rng.random() < DISTRICT_SHARE.get(topic, 0.1)
        key = f"99{topic_index + 10:03d}{o + 1:03d}{a + 1:03d}000"
        services.append(
            _Service(
                index=n,
                leika_key=None if rng.random() < 0.015 else key,
                name=f"{object_name} {ACTIONS[a]}",
                topic=topic,
                object_name=object_name,
                ozg_id=str(10_000 + topic_index * 100 + o + 1),
                leika_type=rng.choice(LEIKA_TYPES),
                addressee=rng.choice(
                    ("Bürger", "Bürger", "Unternehmen", "Bürger, Unternehmen", "Verwaltung")
                ),
                responsible="alle Bezirke" if district else rng.choice(RESPONSIBLE[topic]),
                district=district,
                portal_id=str(120_000 + n) if rng.random() < 0.6 else None,
                first_period=update_index if n in late else 0,
            )
        )
    for service in rng.sample(services, 5):
        service.out_of_scope = True
    for service in services:
        _plan(service, rng, periods)
    return services


def _plan(service: _Service, rng: random.Random, periods: list[str]) -> None:
    """Decide the service's story; period indexes beyond the demo mean "not yet"."""
    first = service.first_period
    kind = rng.choices(("federal", "efa", "own", "none"), weights=(10, 22, 50, 18))[0]
    own_provider = "district" if service.district else "land"
    service.model_2 = rng.random() < 0.06
    if kind == "federal":
        start_level = rng.choice((2, 3, 3, 4))
        reach3 = first if start_level >= 3 else rng.randint(first, first + 6)
        service.offers["federal"] = (first, start_level, reach3, NEVER)
    elif kind == "efa":
        service.efa_state = rng.choice(EFA_STATES)
        reach3 = rng.randint(first - 2, first + 8)
        service.offers["efa"] = (first, 2, max(first, reach3), NEVER)
        if rng.random() < 0.55:
            adopt = max(first, reach3) + rng.randint(1, 4)
            service.offers[own_provider] = (first, 1, adopt, NEVER)
        elif rng.random() < 0.5:
            service.offers[own_provider] = (first, rng.choice((1, 2)), NEVER, NEVER)
    elif kind == "own":
        reach3 = rng.randint(first - 3, first + 13)
        reach4 = reach3 + rng.randint(2, 10) if rng.random() < 0.3 else NEVER
        service.offers[own_provider] = (first, rng.choice((0, 1, 1, 2)), max(first, reach3), reach4)
        if service.district and reach3 < NEVER:
            service.pilot = rng.choice(PILOT_DISTRICTS)
            service.area_wide_at = max(first, reach3) + rng.randint(0, 3)
    for provider, (_start, _level_at_start, reach3, _reach4) in service.offers.items():
        if reach3 < len(periods):
            if reach3 <= service.first_period:  # online before the first demo period
                service.online_dates[provider] = date(2023, 1, 1) + timedelta(
                    days=rng.randint(0, 600)
                )
            else:
                service.online_dates[provider] = _quarter_day(periods[reach3], rng)


def _level(plan: tuple[int, int, int, int], index: int) -> int:
    start, start_level, reach3, reach4 = plan
    if index < start:
        return -1
    if index >= reach4:
        return 4
    if index >= reach3:
        return 3
    # creeping up towards 3: one level per two periods, never reaching 3 early
    return min(2, start_level + (index - start) // 2)


def _csv(header: list[str], rows: list[list[str]], *, delimiter: str = ";") -> bytes:
    def quote(value: str) -> str:
        if any(c in value for c in f'{delimiter}"\n'):
            return '"' + value.replace('"', '""') + '"'
        return value

    lines = [delimiter.join(header)] + [delimiter.join(quote(v) for v in row) for row in rows]
    return ("\ufeff" + "\r\n".join(lines) + "\r\n").encode("utf-8")


def _catalog_file(services: list[_Service], index: int) -> bytes:
    header = [
        "Leistungsschlüssel",
        "Leistungsbezeichnung",
        "LeiKa-Typ",
        "OZG-ID",
        "OZG-Leistung",
        "Themenfeld",
        "Adressat",
        "Zuständige Behörde",
        "Service-Portal-ID",
        "Nicht im Geltungsbereich (Begründung)",
    ]
    topics = dict(TOPIC_AREAS)
    rows = [
        [
            s.leika_key or "nicht im LeiKa",
            s.name,
            s.leika_type,
            s.ozg_id,
            s.object_name,
            topics[s.topic],
            s.addressee,
            s.responsible,
            s.portal_id or "",
            NOT_IN_SCOPE_REASON if s.out_of_scope else "",
        ]
        for s in services
        if s.first_period <= index
    ]
    return _csv(header, rows)


def _model_2(level: int) -> int:
    """How a report in Reifegradmodell 2.0 would state a 1.1 level (see kpi.services)."""
    return {0: 0, 1: 1, 2: 2, 3: 3, 4: 5}[level]


def _status_file(
    services: list[_Service], periods: list[str], index: int, rng: random.Random
) -> bytes:
    period = periods[index]
    header = [
        "Leistungsschlüssel",
        "Leistungsbezeichnung",
        "Reifegrad",
        "Reifegradmodell",
        "Bereitstellung",
        "zuständig",
        "Online seit",
        "Link",
    ]
    rows = []
    for s in services:
        if s.first_period > index:
            continue
        for provider, plan in s.offers.items():
            level = _level(plan, index)
            if level < 0:
                continue
            since = s.online_dates.get(provider) if level >= 3 else None
            text_level = str(level)
            model = "1.1"
            if s.model_2 and period >= MODEL_2_FROM:
                text_level, model = str(_model_2(level)), "2.0"
            if rng.random() < 0.01:
                text_level = "k.A."
            link = f"https://service.berlin.de/dienstleistung/{s.portal_id or 300_000 + s.index}/"
            if provider == "federal":
                label, responsible = "Bund", ""
                link = f"https://verwaltung.bund.de/leistung/{s.leika_key or s.index}"
            elif provider == "efa":
                assert s.efa_state is not None
                label = rng.choice(("EfA ({})", "EfA {}")).format(s.efa_state[0])
                responsible = s.responsible
                link = f"https://efa.example.de/{s.efa_state[0].lower()}/{s.index}"
            elif provider == "land":
                label, responsible = rng.choice(("Land Berlin", "Berlin")), s.responsible
            elif s.pilot and index < s.area_wide_at and level >= 3:
                label, responsible = "Bezirk", s.pilot
            else:
                label, responsible = "Bezirk", "alle Bezirke"
            since_text = ""
            if since is not None:
                since_text = (
                    f"Q{(since.month - 1) // 3 + 1}/{since.year}"
                    if rng.random() < 0.2
                    else since.strftime("%d.%m.%Y")
                )
            rows.append(
                [
                    s.leika_key or "nicht im LeiKa",
                    s.name,
                    text_level,
                    model,
                    label,
                    responsible,
                    since_text,
                    link if level >= 1 else "",
                ]
            )
    return _csv(header, rows)


def _pvog_file(services: list[_Service], index: int, as_of: date) -> bytes:
    """The Data Hub's PVOG export for Berlin incl. offers from above: Bund and EfA lines,
    plus services outside Berlin's catalogue and lines the Data Hub does not count."""
    header = [
        "leika_key",
        "leika_name",
        "leika_bezeichnung",
        "ars",
        "ozgid",
        "ozg_bezeichnung",
        "url",
        "online_status",
        "aktiv",
        "art_flaechendeckung",
        "begruendung_nicht_beruecksichtigt",
        "datenstand_pvog_import",
    ]
    rows = []
    for s in services:
        if s.leika_key is None or s.first_period > index:
            continue
        for provider in ("federal", "efa"):
            plan = s.offers.get(provider)
            if plan is None or _level(plan, index) < 0:
                continue
            ok = _level(plan, index) >= 3
            ars = "000000000000" if provider == "federal" else (s.efa_state or ("", ""))[1]
            rows.append(
                [
                    s.leika_key,
                    s.name,
                    s.name,
                    ars,
                    s.ozg_id,
                    s.object_name,
                    f"https://pvog.example.de/{s.leika_key}",
                    "ok" if ok else "nicht ok",
                    "ja",
                    "bundesweit flächendeckend"
                    if provider == "federal"
                    else "landesweit flächendeckend",
                    "",
                    as_of.isoformat(),
                ]
            )
    for n in range(8):  # offers for services Berlin's catalogue does not list
        rows.append(
            [
                f"9920000{n:04d}000",
                f"Bundesleistung ohne Berliner Bezug {n + 1}",
                "",
                "000000000000",
                "",
                "",
                f"https://pvog.example.de/fremd/{n}",
                "ok",
                "ja",
                "bundesweit flächendeckend",
                "",
                as_of.isoformat(),
            ]
        )
    for row in rows[:2]:
        row[10] = "Dublette im PVOG"
    return _csv(header, rows, delimiter=",")


def _portal_file(services: list[_Service], index: int, created: datetime) -> bytes:
    """The service portal's JSON export: Berlin's own offers, found by their portal id."""
    data = []
    for s in services:
        if s.portal_id is None or s.first_period > index:
            continue
        own = [p for p in ("land", "district") if p in s.offers]
        level = max((_level(s.offers[p], index) for p in own), default=-1)
        if s.district:
            if s.pilot and index < s.area_wide_at:
                authorities = [ALL_DISTRICT_NAMES[PILOT_DISTRICTS_INDEX[s.pilot]]]
            else:
                authorities = list(ALL_DISTRICT_NAMES)
        else:
            authorities = [s.responsible]
        data.append(
            {
                "id": s.portal_id,
                "name": s.name,
                "authorities": [
                    {"id": str(1000 + i), "name": name} for i, name in enumerate(authorities)
                ],
                "onlineprocessing": {
                    "link": f"https://service.berlin.de/antrag/{s.portal_id}" if level >= 3 else ""
                },
                "meta": {
                    "lastupdate": created.strftime("%Y-%m-%d %H:%M:%S"),
                    "url": f"https://service.berlin.de/dienstleistung/{s.portal_id}/",
                },
            }
        )
    data.append(  # a portal service the catalogue does not know
        {
            "id": "999001",
            "name": "Beratung ohne Katalogeintrag",
            "authorities": [{"id": "1", "name": "Senatskanzlei"}],
            "onlineprocessing": {"link": ""},
            "meta": {"lastupdate": created.strftime("%Y-%m-%d %H:%M:%S"), "url": ""},
        }
    )
    envelope = {"created": created.isoformat(), "datacount": len(data), "data": data}
    return json.dumps(envelope, ensure_ascii=False).encode("utf-8")


PILOT_DISTRICTS_INDEX = {
    "BA Mitte": 0,
    "BA Pankow": 2,
    "BA Neukölln": 7,
    "BA Lichtenberg": 10,
    "BA Spandau": 4,
}


@dataclass(frozen=True)
class DemoServiceFile:
    kind: str
    period_id: str
    file_name: str
    data: bytes
    submitted_at: datetime


def demo_service_files(
    last_period: str = LAST_PERIOD, count: int = PERIOD_COUNT
) -> list[DemoServiceFile]:
    """Every file in upload order (catalogue before the statuses that need it)."""
    rng = random.Random(DEMO_SEED)
    periods = period_ids(last_period, count)
    services = _services(rng, periods)
    files: list[DemoServiceFile] = []
    for index, period in enumerate(periods):
        _start, end, due = parse_period(period)
        if index == 0 or period == CATALOG_UPDATE_PERIOD:
            files.append(
                DemoServiceFile(
                    kind="catalog",
                    period_id=period,
                    file_name=f"demo_leistungskatalog_{period}.csv",
                    data=_catalog_file(services, index),
                    submitted_at=datetime.combine(end - timedelta(days=20), time(9, 0)),
                )
            )
        files.append(
            DemoServiceFile(
                kind="services",
                period_id=period,
                file_name=f"demo_leistungen_stand_{period}.csv",
                data=_status_file(services, periods, index, rng),
                submitted_at=datetime.combine(due - timedelta(days=10), time(11, 0)),
            )
        )
    last = len(periods) - 1
    _start, end, due = parse_period(periods[last])
    created = datetime.combine(end - timedelta(days=2), time(6, 30))
    files.append(
        DemoServiceFile(
            kind="services",
            period_id=periods[last],
            file_name=f"demo_pvog_export_{periods[last]}.csv",
            data=_pvog_file(services, last, end - timedelta(days=1)),
            submitted_at=datetime.combine(due - timedelta(days=9), time(8, 0)),
        )
    )
    files.append(
        DemoServiceFile(
            kind="services",
            period_id=periods[last],
            file_name=f"demo_serviceportal_{periods[last]}.json",
            data=_portal_file(services, last, created),
            submitted_at=datetime.combine(due - timedelta(days=9), time(8, 30)),
        )
    )
    return files


def seed_demo_services(
    progress: Callable[[float, str], None] | None = None, *, skip: frozenset[str] = frozenset()
) -> int:
    """Load the catalogue and status history through the loaders; returns submissions stored.

    Files named in ``skip`` are stored already (an interrupted seed being completed)."""
    from loaders.ingest import ingest
    from store.identity import Identity

    identity = Identity(name=DEMO_ACTOR, role="admin")
    files = demo_service_files()
    stored = 0
    for n, demo in enumerate(files, start=1):
        if demo.file_name in skip:
            continue
        result = ingest(
            data=demo.data,
            file_name=demo.file_name,
            kind=demo.kind,
            authority=SUBMITTER,
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
            progress(n / len(files), f"Demodaten Onlinedienste: {demo.file_name}")
    return stored
