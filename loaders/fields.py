"""Canonical fields of each upload kind, with their types and the headers that mean them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from loaders.text import fold

FieldType = Literal["text", "enum", "date", "money", "percent", "integer", "leika_list", "id_list"]


@dataclass(frozen=True)
class FieldSpec:
    name: str
    label: str  # German header used in templates and messages
    type: FieldType
    aliases: tuple[str, ...] = ()
    required: bool = False
    help: str = ""


PROJECT_FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec(
        "project_id",
        "Vorhaben-Nr.",
        "text",
        (
            "Vorhabennummer",
            "Vorhaben-ID",
            "Vorhaben Nr",
            "Lfd. Nr.",
            "laufende Nummer",
            "Projekt-ID",
            "Projekt-Nr.",
            "Projektnummer",
            "Projekt Nr",
            "Nr.",
            "ID",
            "Kennung",
            "project id",
            "project_id",
        ),
        required=True,
        help="Eindeutige Kennung des Vorhabens innerhalb der Behörde",
    ),
    FieldSpec(
        "title",
        "Bezeichnung des Vorhabens",
        "text",
        (
            "Vorhaben",
            "Vorhabenbezeichnung",
            "Bezeichnung",
            "Titel",
            "Projekttitel",
            "Projektname",
            "Projekt",
            "Name des Vorhabens",
            "Name",
            "title",
        ),
        required=True,
    ),
    FieldSpec(
        "goal", "Ziel", "text", ("Zielsetzung", "Ziele", "Beschreibung", "Kurzbeschreibung", "goal")
    ),
    FieldSpec(
        "programme",
        "Programm / Kategorie",
        "enum",
        (
            "Programm",
            "Kategorie",
            "Programmbereich",
            "Art des Vorhabens",
            "Vorhabenart",
            "Vorhabentyp",
            "programme",
            "program",
        ),
    ),
    FieldSpec("topic_area", "Themenfeld", "text", ("OZG-Themenfeld", "topic area")),
    FieldSpec(
        "status",
        "Status",
        "enum",
        ("Projektstatus", "Vorhabenstatus", "Umsetzungsstand", "Stand", "status"),
        required=True,
    ),
    FieldSpec("phase", "Phase", "text", ("Projektphase", "phase")),
    FieldSpec(
        "traffic_light",
        "Ampel",
        "enum",
        (
            "Ampelstatus",
            "Ampelbewertung",
            "Gesamtampel",
            "Ampel (Selbsteinschätzung)",
            "Selbsteinschätzung",
            "traffic light",
        ),
        required=True,
    ),
    FieldSpec(
        "traffic_light_reason",
        "Begründung Ampel",
        "text",
        (
            "Ampelbegründung",
            "Begründung",
            "Grund",
            "Begründung der Ampel",
            "Erläuterung Ampel",
            "reason",
        ),
        help="Pflicht bei gelber oder roter Ampel",
    ),
    FieldSpec(
        "risk_rating",
        "Risiko (1–5)",
        "integer",
        ("Risiko", "Risikobewertung", "Risikoeinschätzung", "risk"),
    ),
    FieldSpec(
        "planned_start",
        "Beginn",
        "date",
        (
            "Startdatum",
            "Start",
            "Projektbeginn",
            "Beginn geplant",
            "geplanter Beginn",
            "Start geplant",
            "planned start",
        ),
    ),
    FieldSpec(
        "actual_start",
        "Beginn (Ist)",
        "date",
        ("tatsächlicher Beginn", "Start Ist", "Beginn Ist", "actual start"),
    ),
    FieldSpec(
        "baseline_end_original",
        "Ende (ursprünglich geplant)",
        "date",
        (
            "ursprüngliches Ende",
            "Ende ursprünglich",
            "ursprünglicher Endtermin",
            "Ende (Basisplan ursprünglich)",
            "original end",
        ),
    ),
    FieldSpec(
        "baseline_end",
        "Ende (geplant)",
        "date",
        (
            "Enddatum geplant",
            "geplantes Ende",
            "Ende geplant",
            "Planende",
            "Ende",
            "Endtermin",
            "Enddatum",
            "planned end",
            "baseline end",
        ),
    ),
    FieldSpec(
        "forecast_end",
        "Ende (Prognose)",
        "date",
        (
            "voraussichtliches Ende",
            "Prognose Ende",
            "Ende Prognose",
            "erwartetes Ende",
            "forecast end",
        ),
    ),
    FieldSpec(
        "actual_end",
        "Ende (Ist)",
        "date",
        ("tatsächliches Ende", "Ende Ist", "Abschlussdatum", "actual end"),
    ),
    FieldSpec(
        "budget_original",
        "Budget ursprünglich in €",
        "money",
        ("ursprüngliches Budget", "Budget ursprünglich", "Ursprungsbudget", "original budget"),
    ),
    FieldSpec(
        "budget",
        "Budget in €",
        "money",
        (
            "Budget",
            "Gesamtbudget",
            "Budget (EUR)",
            "Budget EUR",
            "Planbudget",
            "Gesamtkosten geplant",
            "Plankosten",
            "budget",
        ),
    ),
    FieldSpec(
        "forecast_cost",
        "Kostenprognose in €",
        "money",
        ("Kostenprognose", "Prognose Kosten", "voraussichtliche Kosten", "forecast cost"),
    ),
    FieldSpec(
        "actual_cost",
        "Ist-Kosten in €",
        "money",
        (
            "Ist-Kosten",
            "Istkosten",
            "bisherige Ausgaben",
            "Ausgaben",
            "Ist-Ausgaben",
            "verausgabt",
            "actual cost",
        ),
    ),
    FieldSpec(
        "progress_pct",
        "Fortschritt in %",
        "percent",
        (
            "Fortschritt",
            "Fertigstellungsgrad",
            "Fertigstellung",
            "Umsetzungsgrad",
            "Fortschritt %",
            "progress",
        ),
    ),
    FieldSpec("efa_type", "EfA-Typ", "text", ("EfA", "EfA-Modell", "Nachnutzung", "efa type")),
    FieldSpec(
        "leika_keys",
        "Betroffene Leistungen (LeiKa)",
        "leika_list",
        (
            "LeiKa-Schlüssel",
            "LeiKa",
            "Leistungsschlüssel",
            "LeiKa-Schlüssel (14-stellig)",
            "betroffene Leistungen",
            "leika keys",
        ),
    ),
    FieldSpec("ozg_ids", "OZG-ID", "id_list", ("OZG-IDs", "OZG-Leistung-ID", "ozg ids")),
    FieldSpec(
        "funding", "Finanzierung", "text", ("Mittelherkunft", "Finanzierungsquelle", "funding")
    ),
    FieldSpec(
        "contact",
        "Ansprechperson",
        "text",
        (
            "Kontakt",
            "Ansprechpartner",
            "Ansprechpartnerin",
            "Kontaktperson",
            "Projektleitung",
            "contact",
        ),
    ),
    FieldSpec(
        "contact_email",
        "E-Mail",
        "text",
        ("Email", "Mail", "E-Mail-Adresse", "Kontakt E-Mail", "email"),
    ),
    FieldSpec(
        "remarks",
        "Bemerkungen",
        "text",
        ("Bemerkung", "Anmerkung", "Anmerkungen", "Kommentar", "Hinweise", "remarks"),
    ),
    FieldSpec(
        "authority", "Behörde", "text", ("Dienststelle", "Organisationseinheit", "authority")
    ),
)


def alias_table(fields: tuple[FieldSpec, ...]) -> dict[str, str]:
    """Folded header → field name; the field name, its label and every alias are accepted."""
    table: dict[str, str] = {}
    for spec in fields:
        for word in (spec.name, spec.label, *spec.aliases):
            table.setdefault(fold(word), spec.name)
    return table
