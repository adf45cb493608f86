"""Explicit conversions of the values service catalogues and status reports carry.

Each parser takes raw cells (as the reader returned them) and returns converted values plus
masks of cells that could not be read, so the validators can report every one of them.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from data.reference import TOPIC_AREAS
from loaders import convert
from loaders.text import fold

NOT_IN_LEIKA_PREFIX = "ohne-leika:"
_LEIKA = re.compile(r"^\d{14}$")
_SCIENTIFIC = re.compile(r"^[+-]?\d+([.,]\d+)?[eE][+-]?\d+$")
_NOT_IN_LEIKA = {
    fold(w)
    for w in (
        "nicht im LeiKa",
        "nicht im LeiKa enthalten",
        "nicht im LeiKa vorhanden",
        "kein LeiKa",
        "ohne LeiKa",
        "ohne LeiKa-Schlüssel",
        "kein LeiKa-Schlüssel",
    )
}

# LeiKa service types ("Typisierung"); combined values such as 2/3 or "1, 2/3" occur.
LEIKA_TYPES = (
    "1",
    "2",
    "2a",
    "2b",
    "3",
    "3a",
    "3b",
    "4",
    "4a",
    "5",
    "6",
    "7",
    "8",
    "9",
    "10",
    "11",
)

PROVIDER_LABELS: dict[str, str] = {
    "federal": "Bund",
    "efa": "EfA",
    "land": "Land Berlin",
    "district": "Bezirk",
}
OWN_PROVIDERS = ("land", "district")

ADDRESSEE_LABELS: dict[str, str] = {
    "citizens": "Bürgerinnen und Bürger",
    "businesses": "Unternehmen",
    "administration": "Verwaltung",
}

# The 16 Länder with the names and abbreviations authorities write after "EfA".
STATES: dict[str, tuple[str, ...]] = {
    "Baden-Württemberg": ("BW", "BaWü"),
    "Bayern": ("BY", "Freistaat Bayern"),
    "Berlin": ("BE",),
    "Brandenburg": ("BB",),
    "Bremen": ("HB",),
    "Hamburg": ("HH",),
    "Hessen": ("HE",),
    "Mecklenburg-Vorpommern": ("MV",),
    "Niedersachsen": ("NI", "NDS"),
    "Nordrhein-Westfalen": ("NW", "NRW"),
    "Rheinland-Pfalz": ("RP", "RLP"),
    "Saarland": ("SL",),
    "Sachsen": ("SN", "Freistaat Sachsen"),
    "Sachsen-Anhalt": ("ST", "LSA"),
    "Schleswig-Holstein": ("SH",),
    "Thüringen": ("TH", "Freistaat Thüringen"),
}
# First two digits of the Amtlicher Regionalschlüssel (ARS) → Land.
STATE_BY_ARS: dict[str, str] = {
    "01": "Schleswig-Holstein",
    "02": "Hamburg",
    "03": "Niedersachsen",
    "04": "Bremen",
    "05": "Nordrhein-Westfalen",
    "06": "Hessen",
    "07": "Rheinland-Pfalz",
    "08": "Baden-Württemberg",
    "09": "Bayern",
    "10": "Saarland",
    "11": "Berlin",
    "12": "Brandenburg",
    "13": "Mecklenburg-Vorpommern",
    "14": "Sachsen",
    "15": "Sachsen-Anhalt",
    "16": "Thüringen",
}
BERLIN_ARS = "110000000000"

_STATE_BY_KEY: dict[str, str] = {}
for _state, _abbreviations in STATES.items():
    for _word in (_state, *_abbreviations):
        _STATE_BY_KEY[fold(_word)] = _state

_TRUE = {fold(w) for w in ("ja", "j", "x", "wahr", "true", "yes", "1", "flächendeckend")}
_FALSE = {fold(w) for w in ("nein", "n", "falsch", "false", "no", "0", "nicht flächendeckend")}
UNKNOWN_WORDS = {
    fold(w)
    for w in ("k.A.", "k. A.", "keine Angabe", "keine Angaben", "unbekannt", "n/a", "n.v.", "?")
} | {"-", "–", "—"}


def nones(values: pd.Series) -> pd.Series:
    """Python objects with ``None`` for missing values: pandas' ``map`` and ``where`` turn
    ``None`` into NaN, which is truthy and would pass for a value."""
    return pd.Series(
        [
            None if v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NA else v
            for v in values
        ],
        index=values.index,
        dtype=object,
    )


def service_key_for(leika_key: str | None, name: str | None) -> str | None:
    """The catalogue's key: the LeiKa key, or a key from the name for services without one."""
    if isinstance(leika_key, str) and leika_key:
        return leika_key
    if isinstance(name, str) and fold(name):
        return NOT_IN_LEIKA_PREFIX + fold(name)
    return None


@dataclass
class LeikaKeys:
    keys: pd.Series  # 14-digit text or None
    not_in_leika: pd.Series  # the cell said "nicht im LeiKa"
    bad: pd.Series  # filled, but not 14 digits
    scientific: pd.Series  # text like 9,9E+13: digits already lost before the file reached us


def parse_leika_keys(values: pd.Series) -> LeikaKeys:
    """LeiKa keys as text with all 14 digits.

    Excel stores a key typed into a number cell as a double; 14 digits fit a double exactly,
    so the number converts back without loss (the ``9,9E+13`` Excel shows is only formatting).
    Text in scientific notation is different: it is what a CSV export wrote after cutting the
    digits, so it is an error, never a guess.
    """

    def one(value: object) -> tuple[str | None, bool, bool, bool]:
        if isinstance(value, bool):
            return None, False, True, False
        if isinstance(value, (int, float, np.integer, np.floating)):
            number = float(value)
            if np.isnan(number):
                return None, False, False, False
            if number.is_integer() and 0 <= number < 1e14:
                text = str(int(number))
                return (
                    (text, False, False, False)
                    if _LEIKA.match(text)
                    else (None, False, True, False)
                )
            return None, False, True, False
        text = convert.cell_text(value)
        if not text:
            return None, False, False, False
        if fold(text) in _NOT_IN_LEIKA:
            return None, True, False, False
        compact = re.sub(r"[\s\u00a0\u202f]", "", text)
        if compact.endswith(".0") and compact[:-2].isdigit():
            compact = compact[:-2]  # a number written by a tool that prints floats
        if _LEIKA.match(compact):
            return compact, False, False, False
        if _SCIENTIFIC.match(compact):
            return None, False, True, True
        return None, False, True, False

    parts = values.map(one)
    return LeikaKeys(
        keys=nones(parts.map(lambda p: p[0])),
        not_in_leika=parts.map(lambda p: p[1]).astype(bool),
        bad=parts.map(lambda p: p[2]).astype(bool),
        scientific=parts.map(lambda p: p[3]).astype(bool),
    )


def leika_key_message(value: str, *, scientific: bool) -> str:
    if scientific:
        return (
            f"Der Leistungsschlüssel „{value}“ steht in Exponentialschreibweise; dabei sind "
            "Ziffern verloren gegangen. Bitte die Spalte in Excel als Text formatieren und die "
            "Datei erneut exportieren (oder die .xlsx-Datei direkt hochladen)."
        )
    return (
        f"Ungültiger Leistungsschlüssel „{value}“: erwartet werden genau 14 Ziffern "
        "oder „nicht im LeiKa“."
    )


def parse_leika_types(values: pd.Series) -> tuple[pd.Series, pd.Series, pd.Series]:
    """(normalised text, unknown mask, read-as-date mask): ``1,2/3`` → ``1, 2/3``.

    Excel turns ``2/3`` typed into a cell into a date (2 March or February 3, by locale). The
    two numbers are recovered in ascending order, because combined types are written that way,
    and the row gets a warning.
    """

    def one(value: object) -> tuple[str | None, bool, bool]:
        if value is None or (isinstance(value, float) and np.isnan(value)):
            return None, False, False
        if isinstance(value, (dt.date, dt.datetime)):
            low, high = sorted((value.day, value.month))
            return f"{low}/{high}", False, True
        text = convert.cell_text(value)
        text = re.sub(r"^(leika-?)?typ\s*", "", text, flags=re.IGNORECASE).strip()
        if not text:
            return None, False, False
        groups = [g.strip() for g in re.split(r"[,;]|\bund\b", text) if g.strip()]
        normalised = []
        unknown = False
        for group in groups:
            atoms = [a.strip().lower() for a in group.split("/") if a.strip()]
            unknown |= any(a not in LEIKA_TYPES for a in atoms)
            normalised.append("/".join(atoms))
        return ", ".join(normalised), unknown, False

    parts = values.map(one)
    return (
        nones(parts.map(lambda p: p[0])),
        parts.map(lambda p: p[1]).astype(bool),
        parts.map(lambda p: p[2]).astype(bool),
    )


def _topic_table() -> dict[str, str]:
    table: dict[str, str] = {}
    for topic_id, name in TOPIC_AREAS:
        for word in (topic_id, name, name.replace("&", " und "), name.replace("&", "")):
            table[fold(word)] = topic_id
    table[fold("Querschnitt")] = "querschnitt"
    table[fold("Unternehmensführung und Unternehmensentwicklung")] = "unternehmen"
    table[fold("Unternehmensführung")] = "unternehmen"
    return table


_TOPICS = _topic_table()
TOPIC_NAMES: dict[str, str] = dict(TOPIC_AREAS)


def parse_topic_areas(texts: pd.Series) -> tuple[pd.Series, pd.Series]:
    """(topic id, unknown mask) for the 14 OZG Themenfelder, by name, id or common variant."""
    ids = texts.map(lambda v: _TOPICS.get(fold(v)) if isinstance(v, str) else None)
    ids = nones(ids)
    return ids, texts.notna() & ids.isna()


_ADDRESSEES: dict[str, str] = {}
for _code, _words in {
    "citizens": (
        "Bürger",
        "Bürgerinnen und Bürger",
        "Bürger:innen",
        "BürgerInnen",
        "Privatperson",
        "Privatpersonen",
        "Einwohner",
        "Bürgerinnen",
        "citizens",
        "B2C",
        "G2C",
    ),
    "businesses": (
        "Unternehmen",
        "Wirtschaft",
        "Gewerbe",
        "Firmen",
        "Unternehmerinnen und Unternehmer",
        "businesses",
        "B2B",
        "G2B",
    ),
    "administration": ("Verwaltung", "Behörden", "Behörde", "öffentliche Verwaltung", "G2G"),
}.items():
    for _word in _words:
        _ADDRESSEES[fold(_word)] = _code


def parse_addressees(texts: pd.Series) -> tuple[pd.Series, pd.Series]:
    """(list of codes, unknown mask): ``Bürger, Unternehmen`` → ``[citizens, businesses]``."""

    def one(text: object) -> tuple[list[str] | None, bool]:
        if not isinstance(text, str):
            return None, False
        if fold(text) in _ADDRESSEES:
            return [_ADDRESSEES[fold(text)]], False
        codes: list[str] = []
        unknown = False
        for part in re.split(r"[,;/+|]|\bund\b|&", text):
            if not part.strip():
                continue
            code = _ADDRESSEES.get(fold(part))
            if code is None:
                unknown = True
            elif code not in codes:
                codes.append(code)
        return (codes or None), unknown

    parts = texts.map(one)
    return nones(parts.map(lambda p: p[0])), parts.map(lambda p: p[1]).astype(bool)


@dataclass(frozen=True)
class AuthorityTable:
    """Folded id / short name / full name → authority id, plus which ids are Bezirksämter."""

    by_key: dict[str, str]
    districts: frozenset[str]

    @classmethod
    def from_rows(cls, rows: list[tuple[str, str, str, str]]) -> AuthorityTable:
        by_key: dict[str, str] = {}
        for aid, name, short, _kind in rows:
            for word in (aid, name, short):
                by_key[fold(word)] = aid
        districts = frozenset(aid for aid, _n, _s, kind in rows if kind == "district_office")
        return cls(by_key=by_key, districts=districts)

    def resolve(self, text: str) -> str | None:
        key = fold(text)
        if key in self.by_key:
            return self.by_key[key]
        # "Bezirksamt Mitte - Bürgeramt", "Bezirksamt Pankow von Berlin": longest known prefix
        best = None
        for known, aid in self.by_key.items():
            if len(known) >= 6 and key.startswith(known) and (best is None or len(known) > best[0]):
                best = (len(known), aid)
        return best[1] if best else None


ALL_DISTRICTS_WORDS = {
    fold(w)
    for w in (
        "alle Bezirke",
        "Bezirke",
        "Bezirksämter",
        "alle Bezirksämter",
        "Bezirksamt (alle)",
        "Bezirksämter (alle)",
        "alle 12 Bezirke",
        "12 Bezirke",
    )
}


_EFA_PREFIX = re.compile(
    r"^(efa|einer[\s\-]+f(ü|ue)r[\s\-]+alle|nachnutzung)"
    r"(-?(leistung|dienst|onlinedienst|lösung|loesung))?"
    r"[\s\-:(]*((aus|von|des)\s+(dem\s+)?(land(es)?\s+)?)?",
    re.IGNORECASE,
)


def parse_provider(
    text: str, authorities: AuthorityTable
) -> tuple[str, str | None, str | None, str | None]:
    """(provider, origin state, district authority id, warning) or raises ValueError.

    Authorities write the provider freely: ``EfA (Hamburg)``, ``EfA Sachsen-Anhalt``,
    ``Land Berlin``, ``Berlin``, ``Bezirk``, ``BA Mitte``, ``Bund``.
    """
    key = fold(text)
    if not key:
        raise ValueError("empty")
    if key.startswith(("efa", "einerfueralle", "nachnutzung")):
        rest = _EFA_PREFIX.sub("", text.strip())
        rest = rest.strip(" ()-–:")
        if not rest:
            return "efa", None, None, None
        state = _STATE_BY_KEY.get(fold(rest))
        if state is None:
            raise ValueError(f"unknown state {rest!r}")
        if state == "Berlin":
            return (
                "land",
                None,
                None,
                "EfA-Leistung aus Berlin: zählt als Angebot des Landes Berlin.",
            )
        return "efa", state, None, None
    if key in {"bund", "bundesebene", "bundesportal", "bundesverwaltung", "bundesleistung"} or (
        key.startswith("bund") and not key.startswith("bundesland")
    ):
        return "federal", None, None, None
    if key in {"landberlin", "berlin", "land", "senat", "senatsverwaltung", "landesebene"}:
        return "land", None, None, None
    if key in {"bezirk", "bezirke", "bezirksamt", "bezirksaemter", "bezirksebene"} or (
        key in ALL_DISTRICTS_WORDS
    ):
        return "district", None, None, None
    authority = authorities.resolve(text)
    if authority is not None:
        if authority in authorities.districts:
            return "district", None, authority, None
        return "land", None, None, None
    raise ValueError(f"unknown provider {text!r}")


PROVIDER_HELP = (
    "Erlaubt: „Bund“, „EfA (Bundesland)“ (z. B. „EfA (Hamburg)“), „Land Berlin“ oder „Berlin“, "
    "„Bezirk“ oder ein Bezirksamt (z. B. „BA Mitte“)."
)


def parse_booleans(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """(True/False/None, bad mask) for ja/nein, x, wahr/falsch, 1/0."""

    def one(value: object) -> tuple[bool | None, bool]:
        if isinstance(value, bool):
            return value, False
        text = convert.cell_text(value)
        if not text:
            return None, False
        key = fold(text)
        if key in _TRUE:
            return True, False
        if key in _FALSE:
            return False, False
        return None, True

    parts = values.map(one)
    return nones(parts.map(lambda p: p[0])), parts.map(lambda p: p[1]).astype(bool)


_QUARTER = re.compile(r"^(?:Q([1-4])\s*[/.\-\s]\s*(\d{4})|(\d{4})\s*[/.\-\s]?\s*Q([1-4]))$", re.I)
_MONTH_YEAR = re.compile(r"^(\d{1,2})\s*[/.]\s*(\d{4})$")


def parse_loose_dates(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Dates as ``convert.parse_dates`` reads them, plus ``Q2/2025``, ``2025-Q2`` and ``03/2024``.

    A quarter or month stands for its first day: the offer was online from then on at the
    latest known granularity.
    """
    text = values.map(lambda v: convert.cell_text(v) if isinstance(v, str) else None)
    coarse = pd.Series(pd.NaT, index=values.index, dtype="datetime64[us]")
    is_coarse = pd.Series(False, index=values.index)
    for index, item in text.dropna().items():
        item = re.sub(r"^(seit|ab)\s+", "", item.strip(), flags=re.IGNORECASE)
        match = _QUARTER.match(item)
        if match:
            quarter = int(match.group(1) or match.group(4))
            year = int(match.group(2) or match.group(3))
            coarse[index] = pd.Timestamp(year, 3 * quarter - 2, 1)
            is_coarse[index] = True
            continue
        match = _MONTH_YEAR.match(item)
        if match and 1 <= int(match.group(1)) <= 12:
            coarse[index] = pd.Timestamp(int(match.group(2)), int(match.group(1)), 1)
            is_coarse[index] = True
    rest = values.where(~is_coarse, None)
    parsed, bad = convert.parse_dates(rest)
    parsed[is_coarse] = coarse[is_coarse]
    return parsed, bad & ~is_coarse


def safe_urls(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """(http(s) URL or None, bad mask): anything else (``javascript:``, text) is not a link."""
    text = nones(values.map(lambda v: convert.cell_text(v) or None))
    ok = text.map(
        lambda v: isinstance(v, str) and bool(re.match(r"^https?://[^\s<>\"']+$", v, re.I))
    ).astype(bool)
    return nones(text.where(ok, None)), text.notna() & ~ok
