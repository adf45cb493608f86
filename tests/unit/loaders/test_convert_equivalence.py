"""The column-wise converters give exactly the results of the cell-by-cell ones.

``loaders.convert`` converts the common text shapes with Arrow and hands everything else to
the cell-by-cell rules; ``legacy_convert`` is the converter module as it was before, frozen.
Both run on generated columns mixing every shape the readers deliver: Python cells of any
type (the cell-by-cell Excel reader, CSV rows) and pandas ``str`` columns (the text reader).
The one intended difference: ``-0`` is 0.0, where pandas gave 0.0 or -0.0 depending on the
other cells of the column.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections.abc import Callable

import numpy as np
import pandas as pd
import pytest

from loaders import convert
from tests.unit.loaders import legacy_convert as legacy

TEXTS = (
    "0", "1", "12", "123", "1234", "12345", "46387", "99123005017000", "1.234", "12.345",
    "0.125", "1.234.567", "1,5", "1.234,56", "120.000,00", "-5", "+5", "1e5", "1E-3", "-0",
    "0001", "1234.5", "3.14159265358979", "123456789012345678901234", "n/a", "ca. 50.000",
    "vertraulich", "Vertraulich ", "VS-NfD", "nicht gemeldet", "k.A.", "zwölf",
    "31.12.2026", "1.2.2026", "31.02.2026", "2026-12-31", "2026-12-31 00:00:00",
    "2026-12-31 13:45:10", "2026-02-30 00:00:00", "2026-13-01", "31.12.26", "31/12/2026",
    "0999-01-01", "9999-12-31", "10000-01-01", "00.00.0000", "29.02.2024", "29.02.2023",
    "2024-02-29 24:00:00", "2024-02-29 23:59:60", "1699-12-31", "2262-04-12 00:00:00",
    "80 %", "80%", "%", "0.8", "100 %", "5 %", "1.234,56 €", "€ 5", "EUR 5", "5 EUR",
    "5 Euro", "Euro5", "eurö5", "1\u2009234,56", "1\xa0234", "١٢٣", "１２３", "٤٦٣٨٧",
    "99123005017000; 99123005017001", "99123005017000,99108011000000", "nicht im LeiKa",
    "Nicht im LeiKa enthalten", "9905001210400", "99123005017000 / 99123005017001",
    " ; ", "a;b", "12;34", "1²", "99123005017000\n99123005017001", "", "  ", "\t", "x",
    "Grün ", "true", "WAHR", "2026-12-31T00:00:00", "1899-12-31 13:45:00", "46387.5", "100",
    "2026",
)  # fmt: skip
TYPED = (
    None, float("nan"), 0.8, 45000.0, 46387.0, 46387.6, 1.0, -5.0, 99108011000000.0, True,
    False, dt.date(2026, 12, 31), dt.datetime(2026, 12, 31, 13, 45), dt.time(13, 45), 1e-12,
    1 / 3, 12.345, 0.125, 5,
)  # fmt: skip


def _cells(rng: random.Random, count: int) -> list[object]:
    cells: list[object] = []
    for _ in range(count):
        draw = rng.random()
        if draw < 0.15:
            cells.append(rng.choice(TYPED))
        elif draw < 0.85:
            text = rng.choice(TEXTS)
            if rng.random() < 0.2:
                text = rng.choice([" ", "\u2009", "\xa0", "\t"]) + text + rng.choice(["", "\n"])
            cells.append(text)
        else:
            cells.append(_generated(rng))
    return cells


def _generated(rng: random.Random) -> str:
    kind = rng.randrange(6)
    if kind == 0:
        return str(rng.randrange(10 ** rng.randrange(1, 10)))
    if kind == 1:
        return f"{rng.uniform(0, 1e6):.{rng.randrange(0, 5)}f}"
    if kind == 2:
        text = f"{rng.uniform(0, 1e6):,.2f}"
        return text.replace(",", "X").replace(".", ",").replace("X", ".")
    if kind == 3:
        return f"{rng.randrange(1, 29):02d}.{rng.randrange(1, 13):02d}.{rng.randrange(1990, 2040)}"
    if kind == 4:
        day = f"{rng.randrange(1990, 2040)}-{rng.randrange(1, 13):02d}-{rng.randrange(1, 29):02d}"
        return day + rng.choice(["", " 00:00:00", " 12:30:00"])
    return ";".join(f"99{rng.randrange(10**11, 10**12)}" for _ in range(rng.randrange(0, 3)))


def _missing(value: object) -> bool:
    return value is None or value is pd.NaT or (isinstance(value, float) and math.isnan(value))


def _same(old: pd.Series, new: pd.Series) -> str | None:
    if old.dtype.kind != new.dtype.kind and not {old.dtype.kind, new.dtype.kind} <= {"f", "b"}:
        return f"dtype {old.dtype} vs {new.dtype}"
    for i, (a, b) in enumerate(zip(old.tolist(), new.tolist(), strict=True)):
        if _missing(a) and _missing(b):
            continue
        if a != b:  # -0.0 == 0.0: the one intended difference
            return f"cell {i}: {a!r} vs {b!r}"
    return None


FUNCTIONS: dict[str, tuple[Callable, Callable]] = {
    "numbers": (legacy.parse_numbers, convert.parse_numbers),
    "money": (legacy.parse_money, convert.parse_money),
    "percent": (legacy.parse_percent, convert.parse_percent),
    "integers": (legacy.parse_integers, convert.parse_integers),
    "dates": (legacy.parse_dates, convert.parse_dates),
    "leika": (
        lambda v: legacy.parse_key_list(v, leika=True),
        lambda v: convert.parse_key_list(v, leika=True),
    ),
    "ozg": (
        lambda v: legacy.parse_key_list(v, leika=False),
        lambda v: convert.parse_key_list(v, leika=False),
    ),
}


@pytest.mark.parametrize("name", list(FUNCTIONS))
def test_converters_match_the_cell_by_cell_rules(name: str) -> None:
    old_function, new_function = FUNCTIONS[name]
    rng = random.Random(f"convert-{name}")
    for _ in range(30):
        cells = _cells(rng, rng.randrange(1, 50))
        texts = [c for c in cells if c is None or isinstance(c, str)]
        cases = [
            ("cells", pd.Series(cells, dtype=object), pd.Series(cells, dtype=object)),
            ("texts", pd.Series(texts, dtype=object), pd.Series(texts, dtype="str")),
        ]
        for label, old_input, new_input in cases:
            old = old_function(old_input)
            new = new_function(new_input)
            for part, (a, b) in enumerate(zip(old, new, strict=True)):
                difference = _same(a, b)
                assert difference is None, (name, label, part, difference, cells)


def test_text_values_match_texts() -> None:
    rng = random.Random("texts")
    for _ in range(60):
        cells = _cells(rng, rng.randrange(1, 50))
        old = legacy.texts(pd.Series(cells, dtype=object)).tolist()
        new = convert.text_values(pd.Series(cells, dtype=object)).tolist()
        assert [None if _missing(v) else v for v in new] == old


def test_negative_zero_is_zero() -> None:
    values, bad = convert.parse_numbers(pd.Series(["-0", "-0,0", "1,5"], dtype="str"))
    assert not bad.any()
    assert [np.signbit(v) for v in values[:2]] == [False, False]
