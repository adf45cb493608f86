"""Validation of the service catalogue (kind ``catalog``): one row per Verwaltungsleistung.

The catalogue is Land-wide master data, not one authority's report. It enters the submission
model as a submission of the CDO's authority (the Senatskanzlei) for a reporting period: the
catalogue valid for a period is the newest one submitted for that period or earlier. Real
catalogues are messy, so keys stored as Excel numbers, "nicht im LeiKa" and combined LeiKa
types are read as what they mean, with a problem for anything that cannot be read.
"""

from __future__ import annotations

import pandas as pd

from loaders import convert
from loaders.header import MappedTable
from loaders.kinds import Validated, ValidationContext
from loaders.problem_collector import Collector, blank, column, extra_columns, raw_frame
from loaders.service_fields import CATALOG_FIELDS
from loaders.service_values import (
    ADDRESSEE_LABELS,
    ALL_DISTRICTS_WORDS,
    TOPIC_NAMES,
    AuthorityTable,
    leika_key_message,
    nones,
    parse_addressees,
    parse_leika_keys,
    parse_leika_types,
    parse_topic_areas,
    service_key_for,
)
from loaders.text import fold

CATALOG_AUTHORITY = "skzl"
"""The authority a catalogue is submitted for: the CDO office sits in the Senatskanzlei."""


def validate_catalog(
    table: MappedTable, ctx: ValidationContext, *, authorities: AuthorityTable
) -> Validated:
    """Convert and check every row; collects all problems at once."""
    raw = raw_frame(table)
    c = Collector(raw, table, CATALOG_FIELDS)
    if ctx.authority_id != CATALOG_AUTHORITY:
        c.file_problem(
            "Der Leistungskatalog gilt landesweit und wird von der Senatskanzlei (CDO) "
            "gepflegt. Bitte als Behörde „Senatskanzlei“ (skzl) angeben."
        )

    def text_of(name: str) -> pd.Series:
        if name in raw:
            return convert.texts(raw[name])
        return blank(raw.index)

    out = pd.DataFrame(index=raw.index)
    out["source_row"] = table.row_numbers

    names = text_of("name")
    keys = parse_leika_keys(column(raw, "leika_key"))
    empty_key = keys.keys.isna() & ~keys.not_in_leika & ~keys.bad
    if "leika_key" in raw:
        c.add(
            empty_key,
            "leika_key",
            "Pflichtfeld „Leistungsschlüssel“ ist leer (14 Ziffern oder „nicht im LeiKa“).",
        )
        c.add(
            keys.bad & ~keys.scientific,
            "leika_key",
            lambda v: leika_key_message(v, scientific=False),
        )
        c.add(keys.scientific, "leika_key", lambda v: leika_key_message(v, scientific=True))
    if "name" in raw:
        c.add(names.isna(), "name", "Pflichtfeld „Leistungsbezeichnung“ ist leer.")

    out["leika_key"] = keys.keys
    out["name"] = names
    service_keys = pd.Series(
        [service_key_for(k, n) for k, n in zip(keys.keys, names, strict=True)],
        index=raw.index,
        dtype=object,
    )
    out["service_key"] = service_keys
    duplicate = service_keys.notna() & service_keys.duplicated(keep="first")
    first_row = {}
    for index, key in service_keys.items():
        if key is not None and key not in first_row:
            first_row[key] = int(c.rows.at[index])
    c.add(
        duplicate & keys.keys.notna(),
        "leika_key",
        lambda v: (
            f"Der Leistungsschlüssel {v} kommt mehrfach vor (zuerst in Zeile "
            f"{first_row.get(v, '?')}); jede Leistung darf nur einmal im Katalog stehen."
        ),
        values=keys.keys,
    )
    c.add(
        duplicate & keys.keys.isna(),
        "name",
        "Eine Leistung „nicht im LeiKa“ mit dieser Bezeichnung steht schon im Katalog; "
        "Leistungen ohne Schlüssel werden über ihre Bezeichnung unterschieden.",
    )

    if "leika_type" in raw:
        types, unknown, as_date = parse_leika_types(raw["leika_type"])
        c.add(
            unknown,
            "leika_type",
            lambda v: (
                f"Unbekannter LeiKa-Typ „{v}“ (bekannt: 1, 2, 2a, 2b, 3, 3a, 3b, 4, 4a, 5–11, "
                "auch kombiniert wie 2/3); der Wert wird so übernommen."
            ),
            severity="warning",
        )
        c.add(
            as_date,
            "leika_type",
            lambda v: (
                f"Der LeiKa-Typ wurde von Excel als Datum ({v}) gespeichert und als Kombination "
                "gelesen; bitte die Spalte als Text formatieren."
            ),
            severity="warning",
        )
        out["leika_type"] = types
    else:
        out["leika_type"] = None

    ozg_ids = text_of("ozg_id")
    c.add(
        ozg_ids.notna() & ~ozg_ids.map(lambda v: isinstance(v, str) and v.isdigit()).astype(bool),
        "ozg_id",
        "Die OZG-ID besteht üblicherweise nur aus Ziffern; der Wert wird so übernommen.",
        severity="warning",
    )
    out["ozg_id"] = ozg_ids
    out["ozg_name"] = text_of("ozg_name")

    topics_text = text_of("topic_area")
    topics, unknown_topic = parse_topic_areas(topics_text)
    allowed = "; ".join(TOPIC_NAMES.values())
    c.add(
        unknown_topic,
        "topic_area",
        lambda v: f"Unbekanntes Themenfeld „{v}“. Erlaubt sind die 14 OZG-Themenfelder: {allowed}.",
    )
    out["topic_area"] = topics
    out["life_situation"] = text_of("life_situation")

    addressees, unknown_addressee = parse_addressees(text_of("addressee"))
    labels = ", ".join(ADDRESSEE_LABELS.values())
    c.add(
        unknown_addressee,
        "addressee",
        lambda v: f"Adressat „{v}“ nicht (vollständig) erkannt. Bekannt: {labels}.",
        severity="warning",
    )
    out["addressee"] = addressees

    responsible = text_of("responsible")
    all_districts = responsible.map(
        lambda v: isinstance(v, str) and fold(v) in ALL_DISTRICTS_WORDS
    ).astype(bool)
    authority_ids = nones(
        responsible.map(lambda v: authorities.resolve(v) if isinstance(v, str) else None)
    )
    authority_ids[all_districts] = None
    c.add(
        responsible.notna() & authority_ids.isna() & ~all_districts,
        "responsible",
        lambda v: (
            f"Behörde „{v}“ ist nicht bekannt; der Text wird übernommen, die Leistung aber "
            "keiner Behörde zugeordnet."
        ),
        severity="warning",
    )
    out["responsible_authority_id"] = nones(authority_ids)
    out["responsible_text"] = responsible
    out["district_executed"] = (
        all_districts | authority_ids.map(lambda a: a in authorities.districts).astype(bool)
    ).astype(bool)

    out["portal_id"] = text_of("portal_id")
    out["scope_given"] = "out_of_scope_reason" in raw
    out["out_of_scope_reason"] = text_of("out_of_scope_reason")
    out["extra_columns"] = extra_columns(table)
    return Validated(frame=out, problems=c.sorted())
