"""Fields of the service catalogue (kind ``catalog``) and the service status (kind ``services``).

The status kind accepts three shapes of file, each mapped onto the same fields: the dashboard's
own reporting template (German headers), the federal Data Hub's PVOG export (snake_case
headers) and the Berlin service portal's JSON export (flattened by ``loaders.portal_json`` into
the ``portal_*`` columns). The validator tells the shapes apart by the fields that were found.
"""

from __future__ import annotations

from loaders.fields import FieldSpec

_LEIKA_ALIASES = (
    "Leistungsschlüssel",
    "LeiKa-Schlüssel",
    "LeiKa-Schlüssel (14-stellig)",
    "LeiKa-Leistungsschlüssel",
    "LeiKa",
    "LeiKa-ID",
    "Schlüssel",
    "leika_key",
    "leika",
)
_NAME_ALIASES = (
    "Leistungsbezeichnung",
    "Leistung",
    "Bezeichnung",
    "Name der Leistung",
    "Leistungsname",
    "Name",
    "leika_name",
)

CATALOG_FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec(
        "leika_key",
        "Leistungsschlüssel",
        "text",
        _LEIKA_ALIASES,
        required=True,
        help="14 Ziffern oder „nicht im LeiKa“",
    ),
    FieldSpec("name", "Leistungsbezeichnung", "text", _NAME_ALIASES, required=True),
    FieldSpec("leika_type", "LeiKa-Typ", "text", ("Typ", "Leistungstyp", "LeiKa Typ", "leika_typ")),
    FieldSpec("ozg_id", "OZG-ID", "text", ("OZG ID", "OZG-Leistung-ID", "ozgid", "ozg_id")),
    FieldSpec(
        "ozg_name",
        "OZG-Leistung",
        "text",
        ("OZG-Leistungsbezeichnung", "Bezeichnung OZG-Leistung", "ozg_bezeichnung", "ozg_name"),
    ),
    FieldSpec("topic_area", "Themenfeld", "text", ("OZG-Themenfeld", "topic area")),
    FieldSpec("life_situation", "Lebenslage", "text", ("Lebenslagen", "Geschäftslage")),
    FieldSpec(
        "addressee",
        "Adressat",
        "text",
        ("Adressaten", "Zielgruppe", "Adressatenkreis", "Bürger/Unternehmen"),
    ),
    FieldSpec(
        "responsible",
        "Zuständige Behörde",
        "text",
        ("zuständig", "Zuständigkeit", "Behörde", "federführende Behörde", "Verantwortlich"),
    ),
    FieldSpec(
        "portal_id",
        "Service-Portal-ID",
        "text",
        ("Dienstleistungs-ID", "ServicePortal-ID", "service.berlin.de-ID", "Portal-ID"),
    ),
    FieldSpec(
        "out_of_scope_reason",
        "Nicht im Geltungsbereich (Begründung)",
        "text",
        ("außerhalb des Geltungsbereichs", "nicht im Geltungsbereich", "Ausnahme (Begründung)"),
        help="leer = zählt zur Online-Quote; eine Begründung nimmt die Leistung heraus",
    ),
)

STATUS_FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("leika_key", "Leistungsschlüssel", "text", _LEIKA_ALIASES),
    FieldSpec("name", "Leistungsbezeichnung", "text", _NAME_ALIASES),
    FieldSpec("ozg_id", "OZG-ID", "text", ("OZG ID", "ozgid")),
    FieldSpec("ozg_name", "OZG-Leistung", "text", ("ozg_bezeichnung",)),
    FieldSpec("topic_area", "Themenfeld", "text", ("OZG-Themenfeld",)),
    FieldSpec(
        "maturity",
        "Reifegrad",
        "text",
        ("Reifegradstufe", "Reifegrad (Stufe)", "Stufe", "OZG-Reifegrad", "maturity"),
    ),
    FieldSpec(
        "maturity_model",
        "Reifegradmodell",
        "text",
        ("Reifegradmodell-Version", "Modellversion", "Version Reifegradmodell", "RGM"),
        help="1.1 (Stufen 0–4, Standard) oder 2.0 (Stufen 0–7)",
    ),
    FieldSpec(
        "provider",
        "Bereitstellung",
        "text",
        (
            "Bereitsteller",
            "Anbieter",
            "Angebot durch",
            "bereitgestellt durch",
            "bereitgestellt von",
            "Umsetzung durch",
            "Herkunft",
            "provider",
        ),
        help="Bund, EfA (Bundesland), Land Berlin oder Bezirk",
    ),
    FieldSpec(
        "online_since",
        "Online seit",
        "text",
        ("online seit", "Go-Live", "Golive", "Livegang", "Online-Datum", "Onlinegang"),
    ),
    FieldSpec(
        "url",
        "Link",
        "text",
        ("URL", "Online-Link", "Link zum Onlinedienst", "Onlinedienst", "Internetadresse"),
    ),
    FieldSpec(
        "responsible",
        "zuständig",
        "text",
        ("Zuständigkeit", "zuständige Behörde", "Behörde", "umsetzende Behörde"),
    ),
    FieldSpec("area_wide", "flächendeckend", "text", ("Flächendeckung", "in allen Bezirken")),
    FieldSpec("as_of", "Stand", "text", ("Datenstand", "Stichtag", "Stand der Angabe")),
    FieldSpec("remarks", "Bemerkungen", "text", ("Bemerkung", "Anmerkung", "Hinweise")),
    # Data Hub PVOG export
    FieldSpec("leika_label", "leika_bezeichnung", "text"),
    FieldSpec("ars", "ars", "text", ("Regionalschlüssel", "ARS")),
    FieldSpec("online_status", "online_status", "text"),
    FieldSpec("active", "aktiv", "text"),
    FieldSpec("coverage", "art_flaechendeckung", "text"),
    FieldSpec("exclusion_reason", "begruendung_nicht_beruecksichtigt", "text"),
    FieldSpec("pvog_as_of", "datenstand_pvog_import", "text"),
    FieldSpec("export_date", "export_datum", "text"),
    # Berlin service portal JSON, flattened by loaders.portal_json
    FieldSpec("portal_id", "portal_id", "text"),
    FieldSpec("portal_authorities", "portal_authorities", "text"),
    FieldSpec("portal_online_link", "portal_online_link", "text"),
    FieldSpec("portal_info_url", "portal_info_url", "text"),
    FieldSpec("portal_last_update", "portal_last_update", "text"),
    FieldSpec("portal_responsibility_all", "portal_responsibility_all", "text"),
    FieldSpec("portal_created", "portal_created", "text"),
    FieldSpec("portal_datacount", "portal_datacount", "text"),
)
