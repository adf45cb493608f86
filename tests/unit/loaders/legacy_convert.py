"""The cell converters as they were before the column-wise rewrite (commit d8840cf), frozen.

Only the reference for ``test_convert_equivalence.py``: the column-wise converters in
``loaders.convert`` must give exactly these results. Not imported by application code.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache

import numpy as np
import pandas as pd

from loaders.text import fold

_EXCEL_EPOCH = pd.Timestamp("1899-12-30")
_SERIAL_MIN, _SERIAL_MAX = 1, 2_958_465  # 1900-01-01 .. 9999-12-31
_GERMAN_NUMBER = re.compile(r"^[+-]?(\d{1,3}(\.\d{3})+|\d+)(,\d+)?$")
_PLAIN_NUMBER = re.compile(r"^[+-]?\d+(\.\d+)?([eE][+-]?\d+)?$")
_CURRENCY = re.compile(r"(€|eur(o)?\b|\s|\u00a0|\u202f)", re.IGNORECASE)
_DATE_FORMATS = ("%d.%m.%Y", "%Y-%m-%d", "%d.%m.%y", "%Y-%m-%d %H:%M:%S", "%d/%m/%Y")
_LEIKA = re.compile(r"^\d{14}$")
_LIST_SPLIT = re.compile(r"[;,\n\r|/]+|\s+")

CONFIDENTIAL_WORDS = {fold(w) for w in ("vertraulich", "VS-NfD", "VS-NUR FÜR DEN DIENSTGEBRAUCH")}
NOT_REPORTED_WORDS = {fold(w) for w in ("nicht gemeldet",)}
# Text made only of these characters folds to digits or punctuation, never to a word, so
# number-like cells skip fold() (the costliest step per cell) when looking for marker words.
_NO_LETTERS = re.compile(r"[0-9.,;:/|+\-\s€%]*")

# fold() is pure and cells repeat (enumerations, marker words); caching saves the Unicode work.
_folded = lru_cache(maxsize=4096)(fold)


def cell_text(value: object) -> str:
    """How a cell reads to the user; used for messages and text fields."""
    if value is None:
        return ""
    if isinstance(value, float):
        if np.isnan(value):
            return ""
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime):
        return value.strftime("%d.%m.%Y") if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.strftime("%d.%m.%Y")
    if isinstance(value, bool):
        return "WAHR" if value else "FALSCH"
    return str(value).strip()


def _cell_texts(values: pd.Series) -> pd.Series:
    """``values.map(cell_text)`` without a Python call per plain-text cell (most cells)."""
    return pd.Series(
        [v.strip() if type(v) is str else cell_text(v) for v in values],
        index=values.index,
        name=values.name,
    )


def texts(values: pd.Series) -> pd.Series:
    """Stripped text; empty cells become None.

    Equal texts share one object: columns such as Themenfeld repeat a few values, and the
    content hash and memory both profit (about a quarter of the hash time at 100k rows).
    """
    shared: dict[str, str] = {}
    return pd.Series(
        [
            shared.setdefault(text, text) if text else None
            for text in (v.strip() if type(v) is str else cell_text(v) for v in values)
        ],
        index=values.index,
        name=values.name,
        dtype=object,
    )


def _is_number(values: pd.Series) -> pd.Series:
    return pd.Series(
        [isinstance(v, (int, float)) and not isinstance(v, bool) for v in values],
        index=values.index,
        dtype=bool,
    )


def parse_numbers(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """German (``1.234,56``, ``120.000,00 €``) or plain (``1234.56``) numbers; Excel numbers as is.

    A dot followed by exactly three digits is a German thousands separator (``50.000`` is
    fifty thousand); ``1234.5`` or ``1.5`` are decimal points.
    """
    result = pd.Series(np.nan, index=values.index, dtype="float64")
    numeric = _is_number(values)
    if numeric.any():
        result[numeric] = values[numeric].astype("float64")
    text = _cell_texts(values[~numeric])
    text = text[text != ""]
    if text.empty:
        return result, pd.Series(False, index=values.index)
    cleaned = text.str.replace(_CURRENCY, "", regex=True)
    german = cleaned.str.match(_GERMAN_NUMBER)
    plain = ~german & cleaned.str.match(_PLAIN_NUMBER)
    converted = pd.Series(np.nan, index=cleaned.index, dtype="float64")
    if german.any():
        g = cleaned[german].str.replace(".", "", regex=False).str.replace(",", ".", regex=False)
        converted[german] = pd.to_numeric(g, errors="coerce")
    if plain.any():
        converted[plain] = pd.to_numeric(cleaned[plain], errors="coerce")
    result[converted.index] = converted
    bad = pd.Series(False, index=values.index)
    bad[converted.index] = converted.isna()
    return result, bad


def parse_money(values: pd.Series) -> tuple[pd.Series, pd.Series, pd.Series, pd.Series]:
    """(amount, bad, confidential, not_reported): the two marker words are states, not nulls."""
    keys = pd.Series(
        [_folded(v) if isinstance(v, str) and not _NO_LETTERS.fullmatch(v) else "" for v in values],
        index=values.index,
        name=values.name,
        dtype=object,
    )
    confidential = keys.isin(CONFIDENTIAL_WORDS)
    not_reported = keys.isin(NOT_REPORTED_WORDS)
    markers = confidential | not_reported
    plain = values.where(~markers, None)
    amounts, bad = parse_numbers(plain)
    return amounts, bad, confidential, not_reported


def parse_percent(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """``80 %``, ``80`` or ``0.8`` → 80.0.

    Values written with ``%`` are taken as percent. Without it, a column whose numbers all lie
    in 0…1 and include a fraction (Excel cells formatted as percent store 0.8) is read as
    fractions; otherwise numbers are percent already.
    """
    has_sign = values.map(lambda v: isinstance(v, str) and "%" in v).astype(bool)
    stripped = values.map(lambda v: v.replace("%", "") if isinstance(v, str) else v)
    numbers, bad = parse_numbers(stripped)
    plain = numbers[~has_sign].dropna()
    if not plain.empty and plain.between(0, 1).all() and ((plain > 0) & (plain < 1)).any():
        numbers[plain.index] = plain * 100
    return numbers.round(6), bad


def parse_dates(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Excel dates, Excel serial numbers, ``31.12.2026`` and ISO dates → datetime64."""
    result = pd.Series(pd.NaT, index=values.index, dtype="datetime64[us]")
    is_date = pd.Series(
        [isinstance(v, (dt.date, dt.datetime)) for v in values], index=values.index, dtype=bool
    )
    if is_date.any():
        result[is_date] = pd.to_datetime(values[is_date].map(_as_datetime)).astype("datetime64[us]")
    numeric = _is_number(values)
    bad = pd.Series(False, index=values.index)
    if numeric.any():
        serial = values[numeric].astype("float64")
        ok = serial.between(_SERIAL_MIN, _SERIAL_MAX)
        result[serial[ok].index] = (
            _EXCEL_EPOCH + pd.to_timedelta(serial[ok].round(), unit="D")
        ).astype("datetime64[us]")
        bad[serial[~ok].index] = True
    text = _cell_texts(values[~is_date & ~numeric])
    text = text[text != ""]
    if not text.empty:
        # Dates repeat within a column; parsing each distinct spelling once is ~4x faster.
        codes, distinct = pd.factorize(text)
        parsed_distinct = _parse_date_texts(pd.Series(distinct, dtype=text.dtype))
        parsed = pd.Series(
            parsed_distinct.to_numpy()[codes], index=text.index, dtype="datetime64[us]"
        )
        result[parsed.index] = parsed
        bad[parsed.index] = parsed.isna()
    return result, bad


def _parse_date_texts(text: pd.Series) -> pd.Series:
    parsed = pd.Series(pd.NaT, index=text.index, dtype="datetime64[us]")
    serial_text = text.str.fullmatch(r"\d{5}")
    if serial_text.any():
        parsed[serial_text] = (
            _EXCEL_EPOCH + pd.to_timedelta(text[serial_text].astype("int64"), unit="D")
        ).astype("datetime64[us]")
    for fmt in _DATE_FORMATS:
        missing = parsed.isna()
        if not missing.any():
            break
        parsed[missing] = pd.to_datetime(text[missing], format=fmt, errors="coerce").astype(
            "datetime64[us]"
        )
    return parsed


def _as_datetime(value: dt.date) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value
    return dt.datetime(value.year, value.month, value.day)


def parse_integers(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    numbers, bad = parse_numbers(values)
    fractional = numbers.notna() & (numbers != numbers.round())
    return numbers.where(~fractional), bad | fractional


def parse_key_list(values: pd.Series, *, leika: bool) -> tuple[pd.Series, pd.Series]:
    """Split ``99123005017000; 99123005017001`` into lists; LeiKa keys must have 14 digits.

    Excel may hold a single key as a number (shown as ``9,9E+13``); it is converted back to
    its digits exactly (14 digits fit a double without loss). ``nicht im LeiKa`` is tolerated.
    """

    def split(value: object) -> tuple[list[str] | None, bool]:
        text = value.strip() if type(value) is str else cell_text(value)
        if not text:
            return None, False
        if (
            leika
            and not _NO_LETTERS.fullmatch(text)
            and _folded(text) in {"nichtimleika", "nichtimleikaenthalten"}
        ):
            return [], False
        items = [t for t in _LIST_SPLIT.split(text) if t]
        if leika:
            return items, not all(map(_LEIKA.match, items))
        return items, not all(map(str.isdigit, items))

    pairs = values.map(split)
    return pairs.map(lambda p: p[0]), pairs.map(lambda p: p[1]).astype(bool)
