"""Validation of service status files (kind ``services``) in all three shapes.

The shape is told by the columns found: the PVOG export has ``online_status``/``ars``, the
service portal's JSON (flattened by ``loaders.portal_json``) has ``portal_id``; everything
else is the dashboard's reporting template. Every shape ends in the same frame of status rows
(``store.services.STATUS_COLUMNS``). A status row needs its service in the catalogue: in the
template an unknown key is an error (the reporter must fix it); in the federal and portal
exports, which list far more than Berlin's catalogue, each unknown key is reported as a
warning and its row is not taken over.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from loaders import convert
from loaders.header import MappedTable
from loaders.kinds import Validated, ValidationContext
from loaders.problem_collector import Collector, blank, column, extra_columns, raw_frame
from loaders.service_fields import STATUS_FIELDS
from loaders.service_values import (
    ALL_DISTRICTS_WORDS,
    PROVIDER_HELP,
    UNKNOWN_WORDS,
    AuthorityTable,
    leika_key_message,
    nones,
    parse_booleans,
    parse_leika_keys,
    parse_loose_dates,
    parse_provider,
    parse_topic_areas,
    safe_urls,
    service_key_for,
)
from loaders.text import fold
from store.services import STATUS_COLUMNS

SOURCE_LABELS: dict[str, str] = {
    "report": "Meldung (Vorlage)",
    "pvog": "PVOG-Export (Data Hub)",
    "portal": "Service-Portal Berlin (JSON)",
}
OZG_COMPLIANT_LEVEL = 3
MODEL_MAX = {"1.1": 4, "2.0": 7}
_MATURITY_TEXT = re.compile(
    r"^(?:stufe|rg|reifegrad|reifegradstufe)?\s*(\d+)(?:[.,]0+)?(?:\s*(?:[-–:(].*|[a-zäöüß ].*))?$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class CatalogueIndex:
    """What the catalogue knows: keys, portal ids, and the classification for comparisons."""

    keys: frozenset[str]
    by_portal_id: dict[str, str]
    topic_of: dict[str, str | None]
    ozg_of: dict[str, str | None]

    @classmethod
    def from_frame(cls, frame: pd.DataFrame) -> CatalogueIndex:
        portal = {
            str(p): str(k)
            for k, p in zip(frame["service_key"], frame["portal_id"], strict=True)
            if isinstance(p, str) and p
        }
        return cls(
            keys=frozenset(str(k) for k in frame["service_key"]),
            by_portal_id=portal,
            topic_of=dict(zip(frame["service_key"], frame["topic_area"], strict=True)),
            ozg_of=dict(zip(frame["service_key"], frame["ozg_id"], strict=True)),
        )


def detect_shape(table: MappedTable) -> str:
    found = {f for f in table.fields if f}
    if found & {"online_status", "ars"}:
        return "pvog"
    if "portal_id" in found:
        return "portal"
    return "report"


def validate_status(
    table: MappedTable,
    ctx: ValidationContext,
    *,
    catalogue: CatalogueIndex,
    authorities: AuthorityTable,
    default_as_of: dt.date,
) -> Validated:
    """Convert a status file of any shape into status rows; collects all problems at once."""
    raw = raw_frame(table)
    c = Collector(raw, table, STATUS_FIELDS)
    if not catalogue.keys:
        c.file_problem(
            "Es ist noch kein Leistungskatalog eingelesen. Ein Stand kann nur für Leistungen "
            "übernommen werden, die im Katalog stehen: bitte zuerst den Katalog laden "
            "(python -m loaders ingest KATALOG --kind catalog --authority skzl --period …)."
        )
        return Validated(frame=empty_status_frame(), problems=c.sorted())
    shape = detect_shape(table)
    if shape == "pvog":
        from loaders.pvog import normalise_pvog

        out = normalise_pvog(raw, c, catalogue=catalogue, default_as_of=default_as_of)
    elif shape == "portal":
        from loaders.portal_json import normalise_portal

        out = normalise_portal(
            raw, c, catalogue=catalogue, authorities=authorities, default_as_of=default_as_of
        )
    else:
        out = _normalise_template(
            raw, c, catalogue=catalogue, authorities=authorities, default_as_of=default_as_of
        )
    extras = extra_columns(table)
    out["extra_columns"] = (
        pd.Series(extras, index=raw.index, dtype=object).reindex(out.index) if extras else None
    )
    frame = finish_frame(out)
    if table.rows and frame.empty and not any(p.severity == "error" for p in c.problems):
        c.file_problem(
            "Keine Zeile der Datei passt zu einer Leistung im Leistungskatalog; es wurde nichts "
            "übernommen."
        )
    return Validated(frame=frame, problems=c.sorted())


def empty_status_frame() -> pd.DataFrame:
    return finish_frame(pd.DataFrame({c: pd.Series(dtype=object) for c in STATUS_COLUMNS}))


def finish_frame(out: pd.DataFrame) -> pd.DataFrame:
    """All store columns in order, plus ``row_key`` (the content hash sorts by it)."""
    for name in STATUS_COLUMNS:
        if name not in out:
            out[name] = None
    frame = out[list(STATUS_COLUMNS)].copy()
    frame["row_key"] = (
        frame["service_key"].astype(str)
        + "|"
        + frame["provider"].astype(str)
        + "|"
        + frame["provider_slot"].astype(str)
    )
    return frame.reset_index(drop=True)


def provider_slot(provider: pd.Series, origin: pd.Series, authority: pd.Series) -> pd.Series:
    """Which offer of a provider kind a row is: EfA state, the Bezirk, or '' for the one."""
    slot = pd.Series("", index=provider.index, dtype=object)
    efa = provider == "efa"
    slot[efa] = origin[efa].fillna("")
    district = provider == "district"
    slot[district] = authority[district].fillna("")
    return slot


def keep_best_offer(frame: pd.DataFrame, c: Collector, *, what: str) -> pd.DataFrame:
    """Exports list one line per online service; several may describe one offer. Keep the best
    (highest level, then newest as-of date) and say how many lines were combined."""
    if frame.empty:
        return frame
    key = ["service_key", "provider", "provider_slot"]
    ordered = frame.assign(_level=frame["maturity_level"].astype("float64").fillna(-1)).sort_values(
        ["_level", "as_of"], ascending=[False, False], kind="stable"
    )
    best = ordered.drop_duplicates(key, keep="first").drop(columns="_level")
    merged = len(frame) - len(best)
    if merged:
        c.file_problem(
            f"{merged} Zeilen beschreiben ein Angebot, das schon in einer anderen Zeile steht "
            f"({what}); je Leistung und Bereitsteller zählt das beste Angebot.",
            severity="warning",
        )
    return best.sort_index()


def report_unknown_keys(
    unknown: pd.Series, c: Collector, *, field: str, values: pd.Series, source: str
) -> None:
    c.add(
        unknown,
        field,
        lambda v: (
            f"Die Leistung {v} steht nicht im Leistungskatalog; die Zeile wird nicht übernommen "
            f"({source}). Bitte den Katalog ergänzen, falls die Leistung dazugehört."
        ),
        severity="warning",
        values=values,
    )


def parse_maturity(
    values: pd.Series, models: pd.Series
) -> tuple[pd.Series, pd.Series, pd.Series, pd.Series, pd.Series]:
    """(level, unknown marker, empty, bad, level beyond the model) for each cell."""

    def one(value: object) -> tuple[float, bool, bool, bool]:
        if value is None or (isinstance(value, float) and np.isnan(value)):
            return np.nan, False, True, False
        if isinstance(value, bool):
            return np.nan, False, False, True
        if isinstance(value, (int, float, np.integer, np.floating)):
            number = float(value)
            return (
                (number, False, False, False)
                if number.is_integer()
                else (
                    np.nan,
                    False,
                    False,
                    True,
                )
            )
        text = convert.cell_text(value)
        if not text:
            return np.nan, False, True, False
        if fold(text) in UNKNOWN_WORDS or text.strip() in UNKNOWN_WORDS:
            return np.nan, True, False, False
        match = _MATURITY_TEXT.match(text.strip())
        if match:
            return float(match.group(1)), False, False, False
        return np.nan, False, False, True

    parts = values.map(one)
    level = parts.map(lambda p: p[0]).astype("float64")
    unknown = parts.map(lambda p: p[1]).astype(bool)
    empty = parts.map(lambda p: p[2]).astype(bool)
    bad = parts.map(lambda p: p[3]).astype(bool)
    maximum = models.map(MODEL_MAX).astype("float64")
    beyond = level.notna() & ((level < 0) | (level > maximum))
    return level.where(~beyond), unknown, empty, bad, beyond


def parse_models(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """('1.1' | '2.0', bad mask); empty cells mean model 1.1."""

    def one(value: object) -> tuple[str, bool]:
        text = convert.cell_text(value)
        if not text:
            return "1.1", False
        key = re.sub(r"^(reifegradmodell|rgm|version|modell|v)", "", fold(text))
        if key in {"1", "11", "110"}:
            return "1.1", False
        if key in {"2", "20", "200"}:
            return "2.0", False
        return "1.1", True

    parts = values.map(one)
    return nones(parts.map(lambda p: p[0])), parts.map(lambda p: p[1]).astype(bool)


def _normalise_template(
    raw: pd.DataFrame,
    c: Collector,
    *,
    catalogue: CatalogueIndex,
    authorities: AuthorityTable,
    default_as_of: dt.date,
) -> pd.DataFrame:
    index = raw.index
    for field, label in (("leika_key", "Leistungsschlüssel"), ("provider", "Bereitstellung")):
        if field not in raw:
            c.file_problem(f"Die Pflichtspalte „{label}“ fehlt.")
    if "leika_key" not in raw or "provider" not in raw:
        return pd.DataFrame(index=index[:0])

    def text_of(name: str) -> pd.Series:
        if name in raw:
            return convert.texts(raw[name])
        return blank(index)

    out = pd.DataFrame(index=index)
    out["source_row"] = c.rows
    names = text_of("name")
    keys = parse_leika_keys(raw["leika_key"])
    c.add(
        keys.keys.isna() & ~keys.not_in_leika & ~keys.bad,
        "leika_key",
        "Pflichtfeld „Leistungsschlüssel“ ist leer.",
    )
    c.add(
        keys.bad & ~keys.scientific, "leika_key", lambda v: leika_key_message(v, scientific=False)
    )
    c.add(keys.scientific, "leika_key", lambda v: leika_key_message(v, scientific=True))
    service_keys = pd.Series(
        [
            service_key_for(k, n if nl else None)
            for k, n, nl in zip(keys.keys, names, keys.not_in_leika, strict=True)
        ],
        index=index,
        dtype=object,
    )
    c.add(
        keys.not_in_leika & service_keys.isna(),
        "name",
        "Für eine Leistung „nicht im LeiKa“ wird die Leistungsbezeichnung gebraucht, "
        "um sie im Katalog zu finden.",
    )
    unknown = service_keys.notna() & ~service_keys.isin(catalogue.keys)
    c.add(
        unknown,
        "leika_key",
        lambda v: (
            f"Die Leistung „{v}“ steht nicht im Leistungskatalog. Ein Stand wird nur für "
            "Leistungen im Katalog angenommen: bitte den Schlüssel prüfen oder den Katalog "
            "ergänzen."
        ),
        values=service_keys.map(
            lambda k: k.removeprefix("ohne-leika:") if isinstance(k, str) else k
        ).where(~keys.not_in_leika, names),
    )
    out["service_key"] = service_keys

    provider_text = text_of("provider")
    providers = blank(index)
    origins = blank(index)
    provider_authority = blank(index)
    bad_provider = pd.Series(False, index=index)
    notes = blank(index)
    for i, text in provider_text.items():
        if text is None:
            continue
        try:
            provider, origin, authority, note = parse_provider(text, authorities)
        except ValueError:
            bad_provider[i] = True
            continue
        providers[i], origins[i], provider_authority[i], notes[i] = (
            provider,
            origin,
            authority,
            note,
        )
    c.add(
        provider_text.isna(), "provider", "Pflichtfeld „Bereitstellung“ ist leer. " + PROVIDER_HELP
    )
    c.add(bad_provider, "provider", lambda v: f"Unbekannte Bereitstellung „{v}“. {PROVIDER_HELP}")
    c.add(
        notes.notna(),
        "provider",
        lambda v: "EfA-Leistung aus Berlin: zählt als Angebot des Landes Berlin.",
        severity="warning",
    )

    responsible = text_of("responsible")
    for_all_districts = responsible.map(
        lambda v: isinstance(v, str) and fold(v) in ALL_DISTRICTS_WORDS
    ).astype(bool) | provider_text.map(
        lambda v: isinstance(v, str) and fold(v) in ALL_DISTRICTS_WORDS
    ).astype(bool)
    responsible_id = nones(
        responsible.map(lambda v: authorities.resolve(v) if isinstance(v, str) else None)
    )
    responsible_id[for_all_districts] = None
    is_district = providers == "district"
    named_district = responsible_id.map(lambda a: a in authorities.districts).astype(bool)
    take = is_district & provider_authority.isna() & named_district
    provider_authority[take] = responsible_id[take]
    own_other = ~is_district & provider_authority.isna()
    provider_authority[own_other] = responsible_id[own_other]
    c.add(
        responsible.notna() & responsible_id.isna() & ~for_all_districts,
        "responsible",
        lambda v: f"Behörde „{v}“ ist nicht bekannt; der Text wird übernommen.",
        severity="warning",
    )
    c.add(
        is_district & responsible_id.notna() & ~named_district & provider_authority.isna(),
        "responsible",
        lambda v: (
            f"Bereitstellung „Bezirk“, zuständig ist aber „{v}“ (kein Bezirksamt): ob das "
            "Angebot flächendeckend ist, bleibt offen."
        ),
        severity="warning",
    )
    out["provider"] = nones(providers)
    out["origin_state"] = nones(origins)
    out["provider_authority_id"] = nones(provider_authority)
    out["provider_text"] = provider_text

    area_text = column(raw, "area_wide")
    area, bad_area = parse_booleans(area_text)
    c.add(bad_area, "area_wide", "Erlaubt sind „ja“ oder „nein“.")
    implied = blank(index)
    implied[is_district & for_all_districts] = True
    implied[is_district & provider_authority.notna()] = False
    out["area_wide"] = nones(area.where(area.notna(), implied))

    models, bad_model = parse_models(column(raw, "maturity_model"))
    c.add(bad_model, "maturity_model", "Unbekanntes Reifegradmodell; erlaubt sind 1.1 und 2.0.")
    maturity_raw = column(raw, "maturity")
    level, unknown_level, empty_level, bad_level, beyond = parse_maturity(maturity_raw, models)
    c.add(
        unknown_level,
        "maturity",
        lambda v: f"Reifegrad „{v}“ (unbekannt): die Leistung zählt hier als Reifegrad 0.",
        severity="warning",
    )
    c.add(
        empty_level & service_keys.notna(),
        "maturity",
        "Reifegrad fehlt: die Leistung zählt hier als Reifegrad 0.",
        severity="warning",
    )
    c.add(
        bad_level,
        "maturity",
        lambda v: (
            f"Kein gültiger Reifegrad „{v}“: erwartet wird eine ganze Zahl (1.1: 0–4, 2.0: 0–7) oder „k.A.“."
        ),
    )
    c.add(
        beyond & (models == "1.1"),
        "maturity",
        lambda v: (
            f"Reifegrad {v} gibt es im Reifegradmodell 1.1 nicht (Stufen 0–4). Für das "
            "Reifegradmodell 2.0 (Stufen 0–7) bitte die Spalte „Reifegradmodell“ mit 2.0 füllen."
        ),
    )
    c.add(
        beyond & (models == "2.0"),
        "maturity",
        lambda v: f"Reifegrad {v} gibt es im Reifegradmodell 2.0 nicht (Stufen 0–7).",
    )
    out["maturity_level"] = level
    out["maturity_model"] = models
    out["maturity_derived"] = False

    online_raw = column(raw, "online_since")
    since, bad_since = parse_loose_dates(online_raw)
    c.add(
        bad_since, "online_since", "Kein gültiges Datum (Beispiele: 31.12.2026, Q2/2025, 03/2025)."
    )
    out["online_since"] = since

    urls, bad_url = safe_urls(column(raw, "url"))
    c.add(
        bad_url,
        "url",
        "Kein gültiger Link (erwartet wird eine Adresse mit http:// oder https://); "
        "der Link wird nicht übernommen.",
        severity="warning",
    )
    out["url"] = urls

    as_of_raw = column(raw, "as_of")
    as_of, bad_as_of = convert.parse_dates(as_of_raw)
    c.add(bad_as_of, "as_of", "Kein gültiges Datum (Beispiel: 30.09.2026).")
    out["as_of"] = as_of.fillna(pd.Timestamp(default_as_of))
    out["remarks"] = text_of("remarks")
    out["source"] = "report"
    out["provider_slot"] = provider_slot(providers, origins, provider_authority)

    _warn_classification(raw, c, service_keys=service_keys, catalogue=catalogue)

    row_key = service_keys.astype(str) + "|" + providers.astype(str) + "|" + out["provider_slot"]
    complete = service_keys.notna() & providers.notna()
    duplicate = complete & row_key.duplicated(keep="first") & row_key.where(complete).notna()
    c.add(
        duplicate,
        "provider",
        lambda v: (
            f"Für diese Leistung steht das Angebot „{v}“ schon in einer früheren Zeile; je "
            "Leistung und Bereitsteller bitte nur eine Zeile."
        ),
    )
    return out[complete & ~unknown]


def _warn_classification(
    raw: pd.DataFrame, c: Collector, *, service_keys: pd.Series, catalogue: CatalogueIndex
) -> None:
    """Themenfeld and OZG-ID in a status file are ignored (the catalogue decides); one summary
    warning says how often they differ, so a mix-up of rows does not go unnoticed."""
    if "topic_area" in raw:
        topics, _unknown = parse_topic_areas(convert.texts(raw["topic_area"]))
        known = topics.notna() & service_keys.isin(catalogue.keys)
        differs = known & (
            topics != service_keys.map(lambda k: catalogue.topic_of.get(k) if k else None)
        )
        if differs.any():
            c.file_problem(
                f"In {int(differs.sum())} Zeilen weicht das Themenfeld vom Leistungskatalog ab; "
                "maßgeblich ist der Katalog.",
                severity="warning",
            )
    if "ozg_id" in raw:
        ozg = convert.texts(raw["ozg_id"])
        known = ozg.notna() & service_keys.isin(catalogue.keys)
        differs = known & (
            ozg != service_keys.map(lambda k: catalogue.ozg_of.get(k) if k else None)
        )
        if differs.any():
            c.file_problem(
                f"In {int(differs.sum())} Zeilen weicht die OZG-ID vom Leistungskatalog ab; "
                "maßgeblich ist der Katalog.",
                severity="warning",
            )
