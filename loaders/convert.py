"""Explicit, vectorised conversion of raw cells into typed columns.

Every function returns the converted values and a boolean mask of cells that were not empty
but could not be converted, so the caller can report each of them. Nothing becomes an empty
value silently: ``n/a`` or ``ca. 50.000`` in a number column are errors, not nulls.

Cells come from either reader (``loaders.readers``): Python cells of any type (object
Series) or text only (pandas ``str``). The common text shapes (``120.000,00``, ``1234.5``,
``31.12.2026``, ``2026-12-31 00:00:00``, 14-digit keys) are converted column-wise with Arrow;
every other cell, and every typed cell, goes through the cell-by-cell rules (``_legacy_*``),
which define the behaviour. The fast shapes are chosen so that both give the same result
(tests/unit/loaders/test_convert_equivalence.py compares them on generated cells).
"""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from loaders.readers import PY_WHITESPACE, text_series
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


def _re2_class(chars: str) -> str:
    return "".join(f"\\x{{{ord(c):x}}}" for c in chars)


_WS = _re2_class(PY_WHITESPACE)  # Python's whitespace, for RE2 character classes
# RE2 (Arrow) versions of the rules above, restricted to ASCII digits: anything they do not
# cover exactly goes to the cell-by-cell rules.
_RE2_CURRENCY = f"(?i)(€|eur(o)?\\b|[{_WS}])"
_RE2_NO_LETTERS = f"^[0-9.,;:/|+\\-{_WS}€%]*$"
# integers, and decimals whose dot cannot be a German thousands separator (not 1-3 digits,
# dot, exactly 3 digits)
_RE2_PLAIN = r"^-?([0-9]{1,18}|[0-9]{4,20}\.[0-9]{1,20}|[0-9]{1,3}\.([0-9]{1,2}|[0-9]{4,20}))$"
_RE2_GERMAN_GROUPS = r"^-?[0-9]{1,3}(\.[0-9]{3}){1,5}(,[0-9]{1,20})?$"
_RE2_GERMAN_COMMA = r"^-?[0-9]{1,20},[0-9]{1,20}$"
_RE2_DATE_GERMAN = r"^[0-9]{2}\.[0-9]{2}\.[0-9]{4}$"
_RE2_DATE_ISO = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
_RE2_LIST_SEPARATORS = "[;,\\n\\r|/\\t\\x0b\\x0c\\x1c-\\x1f ]+"


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


# --- cells of either reader as Arrow text ------------------------------------------------


class _Cells:
    """A column split into text cells (stripped, Arrow, empty → null) and typed cells.

    ``typed`` marks cells that are neither text nor empty (numbers, dates, booleans from the
    cell-by-cell Excel reader); they keep their cell-by-cell rules.
    """

    def __init__(self, values: pd.Series) -> None:
        self.values = values
        self.index = values.index
        if isinstance(values.dtype, (pd.StringDtype, pd.ArrowDtype)) or values.dtype == "str":
            raw = _arrow_strings(values)
            self.typed = np.zeros(len(values), dtype=bool)
        else:
            cells = values.tolist()
            raw = pa.array([v if type(v) is str else None for v in cells], pa.string())
            # NaN counts as typed: the cell-by-cell rules give it their own meaning
            self.typed = np.fromiter(
                (not (type(v) is str or v is None) for v in cells), dtype=bool, count=len(cells)
            )
        self.raw = raw
        trimmed = pc.utf8_trim(raw, PY_WHITESPACE)
        lengths = pc.utf8_length(trimmed)
        if (pc.min(lengths).as_py() or 0) == 0:  # empty or blank texts: make them missing
            trimmed = pc.if_else(pc.equal(lengths, 0), None, trimmed)
        self.text = trimmed
        self._present: np.ndarray | None = None

    def mask(self, array: pa.Array) -> np.ndarray:
        """A boolean Arrow result over the text cells as numpy (null → False)."""
        return np.asarray(pc.fill_null(array, False))

    def present(self) -> np.ndarray:
        if self._present is None:
            self._present = np.asarray(self.text.is_valid())
        return self._present.copy()


def _arrow_strings(values: pd.Series) -> pa.Array:
    array = pa.array(values, from_pandas=True)
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks()
    if array.type != pa.string():
        array = pc.cast(array, pa.string())
    return array


def text_values(values: pd.Series) -> pd.Series:
    """Stripped text as pandas ``str`` (empty → missing); typed cells as ``cell_text``.

    The column-wise twin of ``texts`` for the project lists: Arrow strings hash and load into
    DuckDB without a Python object per cell.
    """
    cells = _Cells(values)
    text = cells.text
    if cells.typed.any():
        typed = np.flatnonzero(cells.typed)
        rendered = [cell_text(v) or None for v in values.iloc[typed]]
        merged = text.to_pylist()
        for position, value in zip(typed, rendered, strict=True):
            merged[position] = value
        text = pa.array(merged, pa.string())
    return text_series(text, values.index).rename(values.name)


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


# --- numbers -----------------------------------------------------------------------------


def parse_numbers(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """German (``1.234,56``, ``120.000,00 €``) or plain (``1234.56``) numbers; Excel numbers as is.

    A dot followed by exactly three digits is a German thousands separator (``50.000`` is
    fifty thousand); ``1234.5`` or ``1.5`` are decimal points.
    """
    return _parse_numbers(_Cells(values))


def _parse_numbers(
    cells: _Cells, *, exclude: np.ndarray | None = None
) -> tuple[pd.Series, pd.Series]:
    """``exclude``: cells that count as empty (marker words of money columns)."""
    count = len(cells.index)
    result = np.full(count, np.nan)
    bad = np.zeros(count, dtype=bool)
    present = cells.present()
    typed = cells.typed
    if exclude is not None:
        present &= ~exclude
        typed = typed & ~exclude
    if present.any():
        # plain numbers that cannot be German thousands (most cells): convert as written
        plain = _match(cells.text, _RE2_PLAIN) & present
        if plain.any():
            converted = pc.cast(cells.text.filter(pa.array(plain)), pa.float64())
            result[plain] = np.asarray(converted)
        rest = present & ~plain
        if rest.any():
            positions = np.flatnonzero(rest)
            subset = pc.replace_substring_regex(
                cells.text.filter(pa.array(rest)), _RE2_CURRENCY, ""
            )
            again = _match(subset, _RE2_PLAIN)  # "120000 €"
            german = ~again & (
                _match(subset, _RE2_GERMAN_GROUPS) | _match(subset, _RE2_GERMAN_COMMA)
            )
            normal = pc.replace_substring(pc.replace_substring(subset, ".", ""), ",", ".")
            fast = german | again
            if fast.any():
                chosen = pc.if_else(pa.array(german), normal, subset).filter(pa.array(fast))
                result[positions[fast]] = np.asarray(pc.cast(chosen, pa.float64()))
            typed = typed.copy()
            typed[positions[~fast]] = True
    if typed.any():
        positions = np.flatnonzero(typed)
        subset = cells.values.iloc[positions].to_numpy(dtype=object)
        legacy, legacy_bad = _legacy_parse_numbers(pd.Series(subset, dtype=object))
        result[positions] = legacy.to_numpy()
        bad[positions] = legacy_bad.to_numpy()
    # -0 is 0: pandas made "-0" 0.0 or -0.0 depending on the other cells of the column
    result += 0.0
    return pd.Series(result, index=cells.index), pd.Series(bad, index=cells.index)


def _match(array: pa.Array, pattern: str) -> np.ndarray:
    return np.asarray(pc.fill_null(pc.match_substring_regex(array, pattern), False))


def parse_money(values: pd.Series) -> tuple[pd.Series, pd.Series, pd.Series, pd.Series]:
    """(amount, bad, confidential, not_reported): the two marker words are states, not nulls."""
    cells = _Cells(values)
    confidential = np.zeros(len(values), dtype=bool)
    not_reported = np.zeros(len(values), dtype=bool)
    # only cells with a letter can be a marker word; fold each distinct spelling once
    words = cells.present() & ~_match(cells.text, _RE2_NO_LETTERS)
    if words.any():
        positions = np.flatnonzero(words)
        raw = cells.values.iloc[positions].tolist()
        keys = [_folded(v) if isinstance(v, str) else "" for v in raw]
        confidential[positions] = [k in CONFIDENTIAL_WORDS for k in keys]
        not_reported[positions] = [k in NOT_REPORTED_WORDS for k in keys]
    markers = confidential | not_reported
    amounts, bad = _parse_numbers(cells, exclude=markers)
    index = values.index
    return (
        amounts,
        bad,
        pd.Series(confidential, index=index),
        pd.Series(not_reported, index=index),
    )


def parse_percent(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """``80 %``, ``80`` or ``0.8`` → 80.0.

    Values written with ``%`` are taken as percent. Without it, a column whose numbers all lie
    in 0…1 and include a fraction (Excel cells formatted as percent store 0.8) is read as
    fractions; otherwise numbers are percent already.
    """
    cells = _Cells(values)
    has_sign = cells.mask(pc.match_substring(cells.raw, "%"))
    if has_sign.any():
        if cells.typed.any():
            stripped = values.map(lambda v: v.replace("%", "") if isinstance(v, str) else v)
            cells = _Cells(stripped.astype(object))
        else:
            cells = _Cells(text_series(pc.replace_substring(cells.raw, "%", ""), values.index))
    numbers, bad = _parse_numbers(cells)
    numbers.index = values.index
    bad.index = values.index
    plain = numbers[~has_sign].dropna()
    if not plain.empty and plain.between(0, 1).all() and ((plain > 0) & (plain < 1)).any():
        numbers[plain.index] = plain * 100
    return numbers.round(6), bad


def parse_integers(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    numbers, bad = parse_numbers(values)
    fractional = numbers.notna() & (numbers != numbers.round())
    return numbers.where(~fractional), bad | fractional


# --- dates -------------------------------------------------------------------------------


def parse_dates(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Excel dates, Excel serial numbers, ``31.12.2026`` and ISO dates → datetime64."""
    cells = _Cells(values)
    count = len(values)
    result = np.full(count, np.datetime64("NaT"), dtype="datetime64[us]")
    bad = np.zeros(count, dtype=bool)
    present = cells.present()
    done = np.zeros(count, dtype=bool)
    # shapes the cell-by-cell rules read unambiguously, tried on the cells still open; the
    # shape of the first cell goes first (a column is mostly written one way)
    shapes = _DATE_SHAPES
    if present.any():
        first = cells.text[int(np.argmax(present))].as_py()
        shapes = sorted(_DATE_SHAPES, key=lambda s: not s[2].fullmatch(first))
    for shape, to_iso, _example in shapes:
        todo = present & ~done
        if not todo.any():
            break
        positions = np.flatnonzero(todo)
        subset = cells.text.filter(pa.array(todo)) if len(positions) < count else cells.text
        if shape is not None:  # a cheap pre-check where the conversion alone would not tell
            shaped = _match(subset, shape)
            if not shaped.any():
                continue
            positions, subset = positions[shaped], subset.filter(pa.array(shaped))
        if to_iso is None:  # Excel serial number: five ASCII digits
            serial = np.asarray(pc.ascii_is_decimal(subset)) & (
                np.asarray(pc.utf8_length(subset)) == 5
            )
            days = np.asarray(pc.cast(subset.filter(pa.array(serial)), pa.int64()))
            result[positions[serial]] = np.datetime64("1899-12-30", "us") + days.astype(
                "timedelta64[D]"
            )
            done[positions[serial]] = True
            continue
        iso = to_iso(subset)
        parsed = pc.strptime(iso, format="%Y-%m-%d %H:%M:%S", unit="s", error_is_null=True)
        # Arrow's strptime rolls 30.02. over into March; a date counts only if it prints
        # back as written, and only in the years where pandas' rules read it the same
        year = pc.year(parsed)
        same = np.asarray(
            pc.fill_null(
                pc.and_(
                    pc.equal(pc.cast(parsed, pa.string()), iso),
                    pc.and_(pc.greater_equal(year, 1700), pc.less_equal(year, 2259)),
                ),
                False,
            )
        )
        result[positions[same]] = np.asarray(parsed.filter(pa.array(same))).astype("datetime64[us]")
        done[positions[same]] = True
    rest = (present & ~done) | cells.typed
    if rest.any():
        positions = np.flatnonzero(rest)
        legacy, legacy_bad = _legacy_parse_dates(
            pd.Series(values.iloc[positions].to_numpy(dtype=object))
        )
        result[positions] = legacy.to_numpy()
        bad[positions] = legacy_bad.to_numpy()
    return (
        pd.Series(result, index=values.index, dtype="datetime64[us]"),
        pd.Series(bad, index=values.index),
    )


def _german_to_iso(text: pa.Array) -> pa.Array:
    """``31.12.2026`` → ``2026-12-31 00:00:00``."""
    return pc.binary_join_element_wise(
        pc.utf8_slice_codeunits(text, 6, 10),
        "-",
        pc.utf8_slice_codeunits(text, 3, 5),
        "-",
        pc.utf8_slice_codeunits(text, 0, 2),
        " 00:00:00",
        "",
    )


def _date_to_iso(text: pa.Array) -> pa.Array:
    return pc.binary_join_element_wise(text, " 00:00:00", "")


# (pre-check, to ISO, what its cells look like): fastexcel's rendering of Excel dates needs no pre-check, the round
# trip through Arrow's timestamp proves the shape; the others are rebuilt before parsing.
_DATE_SHAPES: tuple[tuple[str | None, object, re.Pattern[str]], ...] = (
    (None, lambda text: text, re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d")),
    (_RE2_DATE_GERMAN, _german_to_iso, re.compile(r"\d\d\.\d\d\.\d{4}")),
    (_RE2_DATE_ISO, _date_to_iso, re.compile(r"\d{4}-\d\d-\d\d")),
    (None, None, re.compile(r"\d{5}")),
)


# --- key lists ---------------------------------------------------------------------------


def parse_key_list(values: pd.Series, *, leika: bool) -> tuple[pd.Series, pd.Series]:
    """Split ``99123005017000; 99123005017001`` into lists; LeiKa keys must have 14 digits.

    Excel may hold a single key as a number (shown as ``9,9E+13``); it is converted back to
    its digits exactly (14 digits fit a double without loss). ``nicht im LeiKa`` is tolerated.
    """
    cells = _Cells(values)
    count = len(values)
    keys: list[list[str] | None] = [None] * count
    bad = np.zeros(count, dtype=bool)
    present = cells.present()
    # ASCII texts without letters: split and check column-wise
    ascii_only = np.asarray(pc.fill_null(pc.string_is_ascii(cells.text), False))
    fast = present & ascii_only & _match(cells.text, _RE2_NO_LETTERS)
    if fast.any():
        positions = np.flatnonzero(fast)
        subset = cells.text.filter(pa.array(fast))
        pieces = pc.split_pattern_regex(subset, _RE2_LIST_SEPARATORS)
        flat = pc.list_flatten(pieces)
        parents = np.asarray(pc.list_parent_indices(pieces))
        filled = np.asarray(pc.greater(pc.utf8_length(flat), 0))
        flat = flat.filter(pa.array(filled))
        parents = parents[filled]
        item_ok = np.asarray(pc.ascii_is_decimal(flat))  # ASCII texts only here
        if leika:
            item_ok &= np.asarray(pc.utf8_length(flat)) == 14
        bad[positions] = np.bincount(parents[~item_ok], minlength=len(positions)) > 0
        offsets = np.concatenate([[0], np.cumsum(np.bincount(parents, minlength=len(positions)))])
        lists = pa.ListArray.from_arrays(pa.array(offsets, pa.int32()), flat).to_pylist()
        for position, items in zip(positions, lists, strict=True):
            keys[position] = items
    rest = (present & ~fast) | cells.typed
    if rest.any():
        positions = np.flatnonzero(rest)
        legacy, legacy_bad = _legacy_parse_key_list(
            pd.Series(values.iloc[positions].to_numpy(dtype=object)), leika=leika
        )
        for position, items in zip(positions, legacy.tolist(), strict=True):
            keys[position] = items
        bad[positions] = legacy_bad.to_numpy()
    return (
        pd.Series(keys, index=values.index, dtype=object),
        pd.Series(bad, index=values.index),
    )


# --- cell-by-cell rules (typed cells and unusual texts) ----------------------------------


def _cell_texts(values: pd.Series) -> pd.Series:
    """``values.map(cell_text)`` without a Python call per plain-text cell (most cells)."""
    return pd.Series(
        [v.strip() if type(v) is str else cell_text(v) for v in values],
        index=values.index,
        name=values.name,
    )


def _is_number(values: pd.Series) -> pd.Series:
    return pd.Series(
        [isinstance(v, (int, float)) and not isinstance(v, bool) for v in values],
        index=values.index,
        dtype=bool,
    )


def _legacy_parse_numbers(values: pd.Series) -> tuple[pd.Series, pd.Series]:
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


def _legacy_parse_dates(values: pd.Series) -> tuple[pd.Series, pd.Series]:
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


def _legacy_parse_key_list(values: pd.Series, *, leika: bool) -> tuple[pd.Series, pd.Series]:
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


# --- fastexcel's renderings of typed Excel cells ------------------------------------------
#
# An .xlsx read as text gives fastexcel's rendering of every typed cell: numbers with at most
# nine decimals (``0.125``, ``99123005017000``, ``-0``), dates as ``2026-12-31 00:00:00``,
# times as ``1899-12-31 13:45:00``, booleans as ``true``. Most renderings convert exactly as
# the typed cell would; the patterns below catch the texts where a typed cell and a text cell
# of the same spelling would be treated differently (``1.234`` is 1234 as text but 1.234 as
# a number; a date cell in a text column reads ``31.12.2026``). If any occurs, the ingest
# reads the file cell by cell instead, so the outcome never depends on the reader.

_RENDERED_ANY = (
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}[ T][0-9]{2}:[0-9]{2}:[0-9]{2}.*|true|false|-0"
    r"|-?[0-9]+\.[0-9]{9}"
)
_AMBIGUOUS = {
    "text": f"^({_RENDERED_ANY})$",
    "number": f"^({_RENDERED_ANY}|-?[0-9]{{1,3}}\\.[0-9]{{3}})$",
    "date": (
        r"^([0-9]{4}-[0-9]{2}-[0-9]{2}T.*|(1899|1900)-.*"
        r"|[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}[^0-9].*"
        r"|-?[0-9]{1,4}|-?[0-9]{6,}|-[0-9]{5}|-?[0-9]+\.[0-9]+|true|false)$"
    ),
}
_RENDERING_STARTS = pa.array(list("0123456789-tf"))
_FIELD_KIND = {"money": "number", "percent": "number", "integer": "number", "date": "date"}
_DECIMAL_TEXT = re.compile(r"-?[0-9]+\.[0-9]+")
_RENDERED_VALUE = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}[ T][0-9]{2}:[0-9]{2}:[0-9]{2}.*|true|false|-0", re.DOTALL
)


def excel_texts_ambiguous(values: pd.Series, field_type: str | None) -> bool:
    """True if a column of fastexcel texts holds a spelling whose meaning depends on whether
    the cell was typed (see above); ``field_type`` is the mapped field's type, None for an
    unknown column (kept as text)."""
    kind = _FIELD_KIND.get(field_type or "text", "text")
    # renderings carry no surrounding spaces, so the texts as read (untrimmed) suffice
    text = _arrow_strings(values)
    if kind == "text":
        # every rendering starts with a digit, "-", "t" or "f": look closer only at those
        first = pc.utf8_slice_codeunits(text, 0, 1)
        candidates = np.asarray(pc.fill_null(pc.is_in(first, value_set=_RENDERING_STARTS), False))
        if not candidates.any():
            return False
        text = text.filter(pa.array(candidates))
    if _match(text, _AMBIGUOUS[kind]).any():
        return True
    if kind != "text":
        return False
    # a number cell reads as Python's repr(), fastexcel's rendering may differ (0.00000025)
    decimals = text.filter(pa.array(_match(text, r"^-?[0-9]+\.[0-9]+$")))
    return any(not rendered_like_python(v) for v in pc.unique(decimals).to_pylist())


def rendered_like_python(text: str) -> bool:
    """A decimal text reads the same as a number cell of that value would in a message."""
    return repr(float(text)) == text


def excel_value_ambiguous(value: str) -> bool:
    """A problem's value that a typed cell would have shown differently (date, boolean,
    a number's digits)."""
    if _RENDERED_VALUE.fullmatch(value):
        return True
    return bool(_DECIMAL_TEXT.fullmatch(value)) and not rendered_like_python(value)
