"""Enumerations with their German labels and the synonyms authorities write."""

from __future__ import annotations

from loaders.text import fold

STATUS_LABELS: dict[str, str] = {
    "not_started": "nicht begonnen",
    "in_progress": "in Umsetzung",
    "reorienting": "in Neuausrichtung",
    "paused": "pausiert",
    "completed": "abgeschlossen",
    "cancelled": "abgebrochen",
}
TRAFFIC_LIGHT_LABELS: dict[str, str] = {"green": "grün", "yellow": "gelb", "red": "rot"}
PROGRAMME_LABELS: dict[str, str] = {
    "online_service": "Onlinedienst (OZG)",
    "eakte": "E-Akte",
    "specialised_procedure": "Fachverfahren",
    "infrastructure": "Infrastruktur / Basisdienst",
    "organisation": "Organisation",
    "other": "Sonstiges",
}
COST_STATUS_LABELS: dict[str, str] = {
    "reported": "gemeldet",
    "not_reported": "nicht gemeldet",
    "confidential": "vertraulich",
}

_STATUS_SYNONYMS: dict[str, tuple[str, ...]] = {
    "not_started": (
        "nicht begonnen",
        "geplant",
        "in Planung",
        "Planung",
        "noch nicht begonnen",
        "not started",
        "planned",
        "Vorbereitung",
        "in Vorbereitung",
    ),
    "in_progress": (
        "in Umsetzung",
        "laufend",
        "läuft",
        "in Arbeit",
        "aktiv",
        "Umsetzung",
        "in Durchführung",
        "in Bearbeitung",
        "in progress",
        "running",
        "ongoing",
    ),
    "reorienting": (
        "in Neuausrichtung",
        "Neuausrichtung",
        "neu ausgerichtet",
        "wird neu ausgerichtet",
        "Neuplanung",
        "reorienting",
    ),
    "paused": ("pausiert", "ruhend", "ruht", "angehalten", "zurückgestellt", "paused", "on hold"),
    "completed": (
        "abgeschlossen",
        "fertig",
        "beendet",
        "erledigt",
        "in Betrieb",
        "completed",
        "done",
        "finished",
    ),
    "cancelled": ("abgebrochen", "eingestellt", "gestoppt", "storniert", "cancelled", "canceled"),
}
_LIGHT_SYNONYMS: dict[str, tuple[str, ...]] = {
    "green": ("grün", "gruen", "green", "🟢", "G", "ok"),
    "yellow": ("gelb", "yellow", "amber", "🟡", "Y"),
    "red": ("rot", "red", "🔴", "R"),
}
_PROGRAMME_SYNONYMS: dict[str, tuple[str, ...]] = {
    "online_service": (
        "Onlinedienst (OZG)",
        "Onlinedienst",
        "Online-Dienst",
        "OZG",
        "OZG-Umsetzung",
        "Onlinezugang",
        "online service",
    ),
    "eakte": ("E-Akte", "eAkte", "E-Akte-Einführung", "elektronische Akte"),
    "specialised_procedure": ("Fachverfahren", "Fachanwendung", "specialised procedure"),
    "infrastructure": (
        "Infrastruktur",
        "Basisdienst",
        "Infrastruktur / Basisdienst",
        "Basisdienste",
        "IT-Infrastruktur",
        "infrastructure",
    ),
    "organisation": ("Organisation", "Organisationsentwicklung", "organisation", "organization"),
    "other": ("Sonstiges", "Sonstige", "andere", "other"),
}


def _table(synonyms: dict[str, tuple[str, ...]], labels: dict[str, str]) -> dict[str, str]:
    table: dict[str, str] = {}
    for code, words in synonyms.items():
        for word in (*words, code, labels[code]):
            table[fold(word)] = code
    return table


STATUS_BY_KEY = _table(_STATUS_SYNONYMS, STATUS_LABELS)
TRAFFIC_LIGHT_BY_KEY = _table(_LIGHT_SYNONYMS, TRAFFIC_LIGHT_LABELS)
PROGRAMME_BY_KEY = _table(_PROGRAMME_SYNONYMS, PROGRAMME_LABELS)
