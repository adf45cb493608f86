"""German number and date formatting (``1.234,5``, ``31.12.2026``)."""

from __future__ import annotations

import datetime as dt
import math

import pandas as pd


def number(value: float | int | None, *, decimals: int = 0) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "\u2009").replace(".", ",").replace("\u2009", ".")


def percent(share: float | None, *, decimals: int = 1) -> str:
    """A share 0…1 as ``83,9 %``."""
    if share is None or (isinstance(share, float) and math.isnan(share)):
        return "–"
    return f"{number(share * 100, decimals=decimals)} %"


def money(value: float | None) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return f"{number(value, decimals=0)} €"


def date(value: dt.date | dt.datetime | pd.Timestamp | None) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NaT:
        return "–"
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    return value.strftime("%d.%m.%Y")
