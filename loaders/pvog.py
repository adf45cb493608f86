"""The federal Data Hub's open PVOG export (CSV) as service status rows.

Columns: ``leika_key, leika_name, leika_bezeichnung, ars, ozgid, ozg_bezeichnung, url,
online_status, aktiv, art_flaechendeckung, begruendung_nicht_beruecksichtigt,
datenstand_pvog_import``. Each line is an online service registered in the PVOG for a region
(``ars``, the 12-digit Amtlicher Regionalschlüssel):

- ``ars`` 000000000000 (above the Länder) is an offer of the Bund;
- another Land's ``ars`` is an EfA offer from that Land (state of origin from the first two
  digits);
- Berlin's ``ars`` 110000000000 is an offer of the Land Berlin, any other Berlin ``ars`` one of
  a Bezirk.

The export carries no maturity level. A line with ``online_status`` "ok" that is not marked
inactive is a working online application and is recorded as level 3 (model 1.1), flagged as
derived; "nicht ok" or inactive lines are recorded with an unknown level (counted as 0).
Lines with a ``begruendung_nicht_beruecksichtigt`` are not counted by the Data Hub either;
they are reported and not taken over.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from loaders import convert
from loaders.problem_collector import Collector, blank, column
from loaders.service_status import (
    CatalogueIndex,
    keep_best_offer,
    provider_slot,
    report_unknown_keys,
)
from loaders.service_values import (
    BERLIN_ARS,
    STATE_BY_ARS,
    leika_key_message,
    nones,
    parse_booleans,
    parse_leika_keys,
    safe_urls,
)
from loaders.text import fold

DERIVED_ONLINE_LEVEL = 3


def _ars_text(value: object) -> str | None:
    """12 digits; a number cell lost its leading zeros, which are restored."""
    if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool):
        number = float(value)
        if np.isnan(number) or not number.is_integer() or number < 0:
            return None
        return str(int(number)).zfill(12)
    text = convert.cell_text(value).replace(" ", "")
    if text.isdigit() and len(text) < 12:
        return text.zfill(12)  # a spreadsheet round trip drops the zeros of text cells too
    return text or None


def _provider_of(ars: str | None) -> tuple[str | None, str | None]:
    if ars is None or len(ars) != 12 or not ars.isdigit():
        return None, None
    if ars.startswith("00"):
        return "federal", None
    if ars == BERLIN_ARS:
        return "land", None
    if ars.startswith("11"):
        return "district", None
    state = STATE_BY_ARS.get(ars[:2])
    return ("efa", state) if state else (None, None)


def normalise_pvog(
    raw: pd.DataFrame, c: Collector, *, catalogue: CatalogueIndex, default_as_of: dt.date
) -> pd.DataFrame:
    index = raw.index
    for field, label in (
        ("leika_key", "leika_key"),
        ("ars", "ars"),
        ("online_status", "online_status"),
    ):
        if field not in raw:
            c.file_problem(f"Die Pflichtspalte „{label}“ des PVOG-Exports fehlt.")
    if not {"leika_key", "ars", "online_status"} <= set(raw.columns):
        return pd.DataFrame(index=index[:0])

    out = pd.DataFrame(index=index)
    out["source_row"] = c.rows
    keys = parse_leika_keys(raw["leika_key"])
    c.add(keys.keys.isna() & ~keys.bad, "leika_key", "Pflichtfeld „leika_key“ ist leer.")
    c.add(keys.bad, "leika_key", lambda v: leika_key_message(v, scientific=False))

    ars = nones(raw["ars"].map(_ars_text))
    parts = ars.map(_provider_of)
    providers = nones(parts.map(lambda p: p[0]))
    origins = nones(parts.map(lambda p: p[1]))
    c.add(
        providers.isna(),
        "ars",
        lambda v: (
            f"Unbekannter Regionalschlüssel (ARS) „{v}“: erwartet werden 12 Ziffern "
            "(000000000000 Bund, 110000000000 Berlin, sonst die Kennziffer eines Landes)."
        ),
    )

    status = convert.texts(raw["online_status"]).map(lambda v: fold(v) if v else None)
    online = nones(status.map({"ok": True, "nichtok": False}))
    c.add(
        online.isna(),
        "online_status",
        lambda v: f"Unbekannter online_status „{v}“: erlaubt sind „ok“ und „nicht ok“.",
    )
    active, bad_active = parse_booleans(column(raw, "active"))
    c.add(bad_active, "active", "Erlaubt sind „ja“, „nein“ oder leer.")
    works = (online == True) & (active != False)  # noqa: E712 - element-wise over objects
    out["maturity_level"] = np.where(works, float(DERIVED_ONLINE_LEVEL), np.nan)
    out["maturity_model"] = "1.1"
    out["maturity_derived"] = True

    coverage = convert.texts(column(raw, "coverage"))
    folded = coverage.map(lambda v: fold(v) if v else None)
    area = blank(index)
    has = folded.notna()
    area[has] = folded[has].map(lambda v: "flaechendeckend" in v and not v.startswith("nicht"))
    out["area_wide"] = nones(area)

    urls, bad_url = safe_urls(column(raw, "url"))
    c.add(
        bad_url,
        "url",
        "Kein gültiger Link (http/https); der Link wird nicht übernommen.",
        severity="warning",
    )
    out["url"] = urls
    as_of, bad_as_of = convert.parse_dates(column(raw, "pvog_as_of"))
    c.add(bad_as_of, "pvog_as_of", "Kein gültiges Datum (Beispiel: 2026-09-29).")
    out["as_of"] = as_of.fillna(pd.Timestamp(default_as_of))
    out["online_since"] = pd.NaT
    out["provider"] = providers
    out["origin_state"] = origins
    out["provider_authority_id"] = None
    out["provider_text"] = ars
    out["remarks"] = convert.texts(column(raw, "exclusion_reason"))
    out["source"] = "pvog"
    out["provider_slot"] = provider_slot(providers, origins, out["provider_authority_id"])
    out["service_key"] = keys.keys

    excluded = out["remarks"].notna()
    c.add(
        excluded,
        "exclusion_reason",
        lambda v: f"Laut PVOG nicht berücksichtigt („{v}“); die Zeile wird nicht übernommen.",
        severity="warning",
    )
    unknown = keys.keys.notna() & ~keys.keys.isin(catalogue.keys) & ~excluded
    report_unknown_keys(unknown, c, field="leika_key", values=keys.keys, source="PVOG-Export")
    usable = keys.keys.notna() & providers.notna() & online.notna() & ~excluded & ~unknown
    return keep_best_offer(out[usable], c, what="mehrere Onlinedienste je Leistung im PVOG")
