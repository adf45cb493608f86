"""Berlin's authorities, the OZG topic areas and reporting periods: the reference data.

Kept as plain Python data so it is reviewed like code; ``store.reference`` writes it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta


@dataclass(frozen=True)
class Authority:
    id: str
    name: str
    short_name: str
    kind: str
    parent_id: str | None = None


SENATE = "senate_department"
DISTRICT = "district_office"
AGENCY = "subordinate_agency"
ENTERPRISE = "state_enterprise"

AUTHORITIES: tuple[Authority, ...] = (
    Authority("skzl", "Senatskanzlei", "Senatskanzlei", SENATE),
    Authority("senfin", "Senatsverwaltung für Finanzen", "SenFin", SENATE),
    Authority("seninnsport", "Senatsverwaltung für Inneres und Sport", "SenInnSport", SENATE),
    Authority("senjustv", "Senatsverwaltung für Justiz und Verbraucherschutz", "SenJustV", SENATE),
    Authority("senbjf", "Senatsverwaltung für Bildung, Jugend und Familie", "SenBJF", SENATE),
    Authority(
        "senwgp", "Senatsverwaltung für Wissenschaft, Gesundheit und Pflege", "SenWGP", SENATE
    ),
    Authority(
        "senasgiva",
        "Senatsverwaltung für Arbeit, Soziales, Gleichstellung, Integration, Vielfalt "
        "und Antidiskriminierung",
        "SenASGIVA",
        SENATE,
    ),
    Authority(
        "senwiebe", "Senatsverwaltung für Wirtschaft, Energie und Betriebe", "SenWiEnBe", SENATE
    ),
    Authority(
        "senmvku",
        "Senatsverwaltung für Mobilität, Verkehr, Klimaschutz und Umwelt",
        "SenMVKU",
        SENATE,
    ),
    Authority(
        "senstadt", "Senatsverwaltung für Stadtentwicklung, Bauen und Wohnen", "SenStadt", SENATE
    ),
    Authority(
        "senkultgz",
        "Senatsverwaltung für Kultur und Gesellschaftlichen Zusammenhalt",
        "SenKultGZ",
        SENATE,
    ),
    Authority("ba-mitte", "Bezirksamt Mitte", "BA Mitte", DISTRICT),
    Authority(
        "ba-friedrichshain-kreuzberg",
        "Bezirksamt Friedrichshain-Kreuzberg",
        "BA Friedrichshain-Kreuzberg",
        DISTRICT,
    ),
    Authority("ba-pankow", "Bezirksamt Pankow", "BA Pankow", DISTRICT),
    Authority(
        "ba-charlottenburg-wilmersdorf",
        "Bezirksamt Charlottenburg-Wilmersdorf",
        "BA Charlottenburg-Wilmersdorf",
        DISTRICT,
    ),
    Authority("ba-spandau", "Bezirksamt Spandau", "BA Spandau", DISTRICT),
    Authority(
        "ba-steglitz-zehlendorf",
        "Bezirksamt Steglitz-Zehlendorf",
        "BA Steglitz-Zehlendorf",
        DISTRICT,
    ),
    Authority(
        "ba-tempelhof-schoeneberg",
        "Bezirksamt Tempelhof-Schöneberg",
        "BA Tempelhof-Schöneberg",
        DISTRICT,
    ),
    Authority("ba-neukoelln", "Bezirksamt Neukölln", "BA Neukölln", DISTRICT),
    Authority(
        "ba-treptow-koepenick", "Bezirksamt Treptow-Köpenick", "BA Treptow-Köpenick", DISTRICT
    ),
    Authority(
        "ba-marzahn-hellersdorf",
        "Bezirksamt Marzahn-Hellersdorf",
        "BA Marzahn-Hellersdorf",
        DISTRICT,
    ),
    Authority("ba-lichtenberg", "Bezirksamt Lichtenberg", "BA Lichtenberg", DISTRICT),
    Authority("ba-reinickendorf", "Bezirksamt Reinickendorf", "BA Reinickendorf", DISTRICT),
    Authority(
        "labo",
        "Landesamt für Bürger- und Ordnungsangelegenheiten",
        "LABO",
        AGENCY,
        "seninnsport",
    ),
    Authority("lea", "Landesamt für Einwanderung", "LEA", AGENCY, "seninnsport"),
    Authority("polizei", "Polizei Berlin", "Polizei", AGENCY, "seninnsport"),
    Authority("feuerwehr", "Berliner Feuerwehr", "Feuerwehr", AGENCY, "seninnsport"),
    Authority("lageso", "Landesamt für Gesundheit und Soziales", "LAGeSo", AGENCY, "senasgiva"),
    Authority("laf", "Landesamt für Flüchtlingsangelegenheiten", "LAF", AGENCY, "senasgiva"),
    Authority("lvwa", "Landesverwaltungsamt Berlin", "LVwA", AGENCY, "senfin"),
    Authority("itdz", "IT-Dienstleistungszentrum Berlin", "ITDZ", ENTERPRISE, "seninnsport"),
)

AUTHORITY_KIND_LABELS: dict[str, str] = {
    SENATE: "Senatsverwaltung",
    DISTRICT: "Bezirksamt",
    AGENCY: "nachgeordnete Behörde",
    ENTERPRISE: "Landesbetrieb / Anstalt",
}

# The 14 OZG Themenfelder (topic areas), with stable ids.
TOPIC_AREAS: tuple[tuple[str, str], ...] = (
    ("arbeit-ruhestand", "Arbeit & Ruhestand"),
    ("bauen-wohnen", "Bauen & Wohnen"),
    ("bildung", "Bildung"),
    ("ein-auswanderung", "Ein- & Auswanderung"),
    ("engagement-hobby", "Engagement & Hobby"),
    ("familie-kind", "Familie & Kind"),
    ("forschung-foerderung", "Forschung & Förderung"),
    ("gesundheit", "Gesundheit"),
    ("mobilitaet-reisen", "Mobilität & Reisen"),
    ("querschnitt", "Querschnittsleistungen"),
    ("recht-ordnung", "Recht & Ordnung"),
    ("steuern-zoll", "Steuern & Zoll"),
    ("umwelt", "Umwelt"),
    ("unternehmen", "Unternehmensführung & -entwicklung"),
)

_PERIOD = re.compile(r"^(\d{4})-Q([1-4])$")


def parse_period(period_id: str) -> tuple[date, date, date]:
    """(start, end, due date) of a quarterly period ``YYYY-Qn``; due six weeks after its end.

    Raises ValueError for anything else, so callers can turn it into a German message.
    """
    match = _PERIOD.match(period_id.strip())
    if not match:
        raise ValueError(f"not a quarterly period: {period_id!r}")
    year, quarter = int(match.group(1)), int(match.group(2))
    start = date(year, 3 * quarter - 2, 1)
    end = (date(year + 1, 1, 1) if quarter == 4 else date(year, 3 * quarter + 1, 1)) - timedelta(
        days=1
    )
    return start, end, end + timedelta(days=42)


def period_ids(last: str, count: int) -> list[str]:
    """The ``count`` quarterly periods ending with ``last``, oldest first."""
    match = _PERIOD.match(last)
    if not match:
        raise ValueError(f"not a quarterly period: {last!r}")
    index = int(match.group(1)) * 4 + int(match.group(2)) - 1
    return [f"{i // 4}-Q{i % 4 + 1}" for i in range(index - count + 1, index + 1)]
