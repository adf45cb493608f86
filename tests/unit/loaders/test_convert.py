"""Explicit conversions: German formats parse, anything else is reported, never nulled."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from loaders import convert


def _s(*values: object) -> pd.Series:
    return pd.Series(list(values), dtype=object)


def test_german_and_plain_numbers() -> None:
    values, bad = convert.parse_numbers(
        _s("1.234,56", "120.000,00 €", "50.000", "38236.66", "1.5", 45000.0, "-5000", "")
    )
    assert values.tolist()[:7] == [1234.56, 120000.0, 50000.0, 38236.66, 1.5, 45000.0, -5000.0]
    assert pd.isna(values.iloc[7])
    assert not bad.any()


@pytest.mark.parametrize("text", ["ca. 50.000", "n/a", "k.A.", "1,2,3", "zwölf"])
def test_text_in_money_column_is_an_error_not_a_null(text: str) -> None:
    amounts, bad, confidential, not_reported = convert.parse_money(_s(text))
    assert bad.iloc[0]
    assert not confidential.iloc[0] and not not_reported.iloc[0]


def test_money_states_are_kept_as_states() -> None:
    amounts, bad, confidential, not_reported = convert.parse_money(
        _s("vertraulich", "nicht gemeldet", "1.000,00 EUR")
    )
    assert confidential.tolist() == [True, False, False]
    assert not_reported.tolist() == [False, True, False]
    assert not bad.any()
    assert amounts.iloc[2] == 1000.0


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (("80 %", "5%", "100 %"), [80.0, 5.0, 100.0]),
        (("80", "5", "100"), [80.0, 5.0, 100.0]),
        ((0.8, 0.05, 1.0), [80.0, 5.0, 100.0]),
        (("0,8", "0,25"), [80.0, 25.0]),
    ],
)
def test_percent_forms(values: tuple[object, ...], expected: list[float]) -> None:
    parsed, bad = convert.parse_percent(_s(*values))
    assert parsed.tolist() == expected
    assert not bad.any()


def test_dates_in_every_shape() -> None:
    parsed, bad = convert.parse_dates(
        _s(
            "31.12.2026",
            "2026-12-31",
            dt.datetime(2026, 12, 31),
            dt.date(2026, 12, 31),
            46387.0,  # Excel serial number of 2026-12-31
            "46387",
            "",
        )
    )
    assert not bad.any()
    assert all(v == pd.Timestamp("2026-12-31") for v in parsed.iloc[:6])
    assert pd.isna(parsed.iloc[6])


@pytest.mark.parametrize("text", ["31.13.2026", "demnächst", "Q5/2026"])
def test_bad_dates_are_reported(text: str) -> None:
    _, bad = convert.parse_dates(_s(text))
    assert bad.iloc[0]


def test_leika_keys_from_text_and_excel_numbers() -> None:
    keys, bad = convert.parse_key_list(
        _s("99123005017000; 99123005017001", 99108011000000.0, "nicht im LeiKa", "9905001210400"),
        leika=True,
    )
    assert keys.iloc[0] == ["99123005017000", "99123005017001"]
    assert keys.iloc[1] == ["99108011000000"]
    assert keys.iloc[2] == []
    assert bad.tolist() == [False, False, False, True]
