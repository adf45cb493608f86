"""The Berlin service portal's JSON export as service status rows.

The export is an envelope ``{created, datacount, data: [...]}``; each service carries ``id``,
``name``, ``authorities: [{id, name}]``, ``onlineprocessing: {link}`` and
``meta: {lastupdate, url}`` (more keys are ignored). The reader flattens it into one table
row per service, so the file takes the same data path as a spreadsheet; the normaliser turns
the rows into status rows:

- the service is found in the catalogue by its LeiKa key when the export carries one
  (``leika``), otherwise by the catalogue's column "Service-Portal-ID";
- a Bezirksamt-only list of authorities makes it a Bezirk offer (area-wide when all twelve
  Bezirksämter are listed or ``responsibility_all`` is true), anything else a Land offer;
- an online-processing link means an online application (level 3, model 1.1, derived); a
  service without one is described on the portal only (level 1, information online).
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pandas as pd

from loaders import convert
from loaders.errors import FileRefused
from loaders.guard import GuardedFile
from loaders.problem_collector import Collector, blank, column
from loaders.readers import RawSheet, decode_text
from loaders.service_status import (
    CatalogueIndex,
    keep_best_offer,
    provider_slot,
    report_unknown_keys,
)
from loaders.service_values import (
    AuthorityTable,
    nones,
    parse_booleans,
    parse_leika_keys,
    safe_urls,
)

ONLINE_LEVEL = 3
INFORMATION_LEVEL = 1
HEADERS = (
    "portal_id",
    "name",
    "leika_key",
    "portal_authorities",
    "portal_online_link",
    "portal_info_url",
    "portal_last_update",
    "portal_responsibility_all",
    "portal_created",
    "portal_datacount",
)


def _text(value: Any) -> str:
    if value is None or isinstance(value, (dict, list)):
        return ""
    if isinstance(value, bool):
        return "ja" if value else "nein"
    return str(value).strip()


def read_portal_json(file: GuardedFile, *, max_rows: int) -> RawSheet:
    """One row per service; the first row holds the headers the status fields know."""
    try:
        text, _encoding = decode_text(file.data)
        document = json.loads(text)
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise FileRefused(f"„{file.name}“ ist keine gültige JSON-Datei.") from exc
    if not isinstance(document, dict) or not isinstance(document.get("data"), list):
        raise FileRefused(
            f"„{file.name}“ ist kein Export des Service-Portals Berlin: erwartet wird "
            "{created, datacount, data: […]}."
        )
    services = document["data"]
    if len(services) > max_rows:
        raise FileRefused(
            f"„{file.name}“ enthält {len(services):,} Leistungen; erlaubt sind höchstens "
            f"{max_rows:,}.".replace(",", ".")
        )
    created = _text(document.get("created"))
    datacount = _text(document.get("datacount"))
    rows: list[list[Any]] = [list(HEADERS)]
    for item in services:
        if not isinstance(item, dict):
            rows.append(["", "", "", "", "", "", "", "", created, datacount])
            continue
        authorities = item.get("authorities") or []
        names = [
            _text(a.get("name"))
            for a in authorities
            if isinstance(a, dict) and _text(a.get("name"))
        ]
        online = item.get("onlineprocessing")
        meta = item.get("meta") if isinstance(item.get("meta"), dict) else {}
        leika = item.get("leika", item.get("leika_key", item.get("leikaKey")))
        rows.append(
            [
                _text(item.get("id")),
                _text(item.get("name")),
                _text(leika),
                json.dumps(names, ensure_ascii=False) if names else "",
                _text(online.get("link")) if isinstance(online, dict) else "",
                _text(meta.get("url")),
                _text(meta.get("lastupdate")),
                _text(item.get("responsibility_all")),
                created,
                datacount,
            ]
        )
    # Row numbers count services: the header is row 0, the n-th service is row n.
    return RawSheet(name=file.name, rows=rows, first_row=0, notes=["JSON-Export Service-Portal"])


def _timestamps(values: pd.Series) -> pd.Series:
    """``2025-08-14``, ``2025-08-14 10:12:00``, ISO 8601 with ``T`` and zone → date."""
    parsed = pd.to_datetime(
        values.where(values.notna(), None), errors="coerce", format="ISO8601", utc=True
    )
    return parsed.dt.tz_localize(None).dt.normalize().astype("datetime64[us]")


def normalise_portal(
    raw: pd.DataFrame,
    c: Collector,
    *,
    catalogue: CatalogueIndex,
    authorities: AuthorityTable,
    default_as_of: dt.date,
) -> pd.DataFrame:
    index = raw.index

    def text_of(name: str) -> pd.Series:
        if name in raw:
            return convert.texts(raw[name])
        return blank(index)

    out = pd.DataFrame(index=index)
    out["source_row"] = c.rows
    portal_ids = text_of("portal_id")
    c.add(portal_ids.isna(), "portal_id", "Eintrag ohne Kennung (id) im Export.")
    keys = parse_leika_keys(column(raw, "leika_key"))
    c.add(
        keys.bad,
        "leika_key",
        lambda v: (
            f"Ungültiger Leistungsschlüssel „{v}“; die Leistung wird über ihre Portal-ID gesucht."
        ),
        severity="warning",
    )
    by_leika = keys.keys.where(keys.keys.isin(catalogue.keys))
    by_portal = portal_ids.map(lambda p: catalogue.by_portal_id.get(p) if p else None)
    service_keys = nones(by_leika.where(by_leika.notna(), by_portal))
    labels = pd.Series(
        [
            f"{n or '(ohne Namen)'} (Portal-ID {p}" + (f", LeiKa {k})" if k else ")")
            for n, p, k in zip(text_of("name"), portal_ids, keys.keys, strict=True)
        ],
        index=index,
        dtype=object,
    )
    unknown = portal_ids.notna() & service_keys.isna()
    report_unknown_keys(unknown, c, field="portal_id", values=labels, source="Service-Portal")
    out["service_key"] = service_keys

    providers = pd.Series("land", index=index, dtype=object)
    provider_authority = blank(index)
    area = blank(index)
    responsibility_all, _bad = parse_booleans(text_of("portal_responsibility_all"))
    names_column = text_of("portal_authorities")
    district_count = len(authorities.districts)
    for i, names_json in names_column.items():
        names = json.loads(names_json) if names_json else []
        resolved = [authorities.resolve(n) for n in names]
        districts = {a for a in resolved if a in authorities.districts}
        others = [a for a in resolved if a is not None and a not in authorities.districts]
        if districts and not others:
            providers[i] = "district"
            if len(districts) == 1:
                provider_authority[i] = next(iter(districts))
            area[i] = len(districts) >= district_count or responsibility_all[i] is True
        else:
            provider_authority[i] = others[0] if others else None
    out["provider"] = providers
    out["origin_state"] = None
    out["provider_authority_id"] = nones(provider_authority)
    out["provider_text"] = names_column.map(
        lambda v: "; ".join(json.loads(v)) if isinstance(v, str) else None
    )
    out["area_wide"] = nones(area)

    link, bad_link = safe_urls(column(raw, "portal_online_link"))
    c.add(
        bad_link,
        "portal_online_link",
        "Der Online-Link ist keine http(s)-Adresse und zählt nicht als Online-Angebot.",
        severity="warning",
    )
    info, _bad_info = safe_urls(text_of("portal_info_url"))
    out["url"] = link.where(link.notna(), info)
    out["maturity_level"] = (
        link.notna().map({True: ONLINE_LEVEL, False: INFORMATION_LEVEL}).astype("float64")
    )
    out["maturity_model"] = "1.1"
    out["maturity_derived"] = True
    out["online_since"] = pd.NaT

    updated = _timestamps(text_of("portal_last_update"))
    created = _timestamps(text_of("portal_created"))
    out["as_of"] = updated.fillna(created).fillna(pd.Timestamp(default_as_of))
    out["source"] = "portal"
    out["remarks"] = None
    out["provider_slot"] = provider_slot(providers, out["origin_state"], provider_authority)

    counts = text_of("portal_datacount").dropna().unique()
    if len(counts) and counts[0].isdigit() and int(counts[0]) != len(raw):
        c.file_problem(
            f"Der Export gibt {int(counts[0])} Leistungen an (datacount), enthält aber "
            f"{len(raw)}; möglicherweise ist die Datei unvollständig.",
            severity="warning",
        )
    usable = service_keys.notna()
    return keep_best_offer(out[usable], c, what="mehrere Portal-Einträge je Leistung")
