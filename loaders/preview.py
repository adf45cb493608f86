"""What an upload would change: new, changed and removed rows against the current submission.

The coordinator sees this before confirming, the reviewer before publishing. Values are
compared after normalisation (dates as dates, amounts to the cent, lists as lists), so a file
saved from Excel in another layout does not show spurious changes.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from loaders.enums import (
    COST_STATUS_LABELS,
    PROGRAMME_LABELS,
    STATUS_LABELS,
    TRAFFIC_LIGHT_LABELS,
)
from loaders.fields import FieldSpec
from loaders.kinds import KINDS

# Categories the summary counts; every changed field falls into exactly one.
CATEGORY_LIGHT = "Ampel"
CATEGORY_DATES = "Termine"
CATEGORY_COSTS = "Kosten"
CATEGORY_STATUS = "Status"
CATEGORY_OTHER = "Weitere Angaben"
CATEGORIES = (CATEGORY_LIGHT, CATEGORY_DATES, CATEGORY_COSTS, CATEGORY_STATUS, CATEGORY_OTHER)

_IGNORED = {"source_row", "extra_columns"}
_VALUE_LABELS: dict[str, dict[str, str]] = {
    "status": STATUS_LABELS,
    "traffic_light": TRAFFIC_LIGHT_LABELS,
    "programme": PROGRAMME_LABELS,
    "cost_reporting_status": COST_STATUS_LABELS,
}
_EXTRA_LABELS = {"cost_reporting_status": "Kostenmeldung"}
_EXTRA_TYPES = {"cost_reporting_status": "money_status"}


def stored_as(*, authority_id: str, period_id: str, kind: str, content_sha256: str) -> int | None:
    """The number of the stored submission with exactly this content, if ``commit`` would
    answer "already present" (same rule: the authority's newest submission of the period and
    kind has the same content hash) — so the page can say so before anyone confirms."""
    from store import connection as db
    from store.submissions import latest_submission

    if not content_sha256:
        return None
    latest = latest_submission(
        db.cursor(), authority_id=authority_id, period_id=period_id, kind=kind
    )
    return latest[0] if latest and latest[1] == content_sha256 else None


def categories_for(kind: str) -> tuple[str, ...]:
    """The change categories the fields of ``kind`` can fall into, in display order: an
    E-Akte status has no traffic light and no costs, so its preview must not count them."""
    spec = KINDS[kind]
    specs = {f.name: f for f in spec.fields}
    found = {_category(name, specs) for name in specs if name != spec.sort_key}
    if any(f.type == "money" for f in spec.fields):
        found.add(CATEGORY_COSTS)
    return tuple(c for c in CATEGORIES if c in found)


@dataclass
class Preview:
    """The change an upload makes; ``baseline`` describes what it is compared with."""

    kind: str
    baseline: dict[str, Any] | None
    added: pd.DataFrame
    removed: pd.DataFrame
    changes: pd.DataFrame
    unchanged: int
    counts: dict[str, int] = field(default_factory=dict)
    comparable: bool = True  # False: the stored rows lack the key, nothing could be compared

    @property
    def changed_rows(self) -> int:
        return int(self.changes["Schlüssel"].nunique()) if not self.changes.empty else 0

    @property
    def is_empty(self) -> bool:
        return self.added.empty and self.removed.empty and self.changes.empty


def compare(
    new: pd.DataFrame,
    old: pd.DataFrame | None,
    *,
    kind: str,
    baseline: dict[str, Any] | None = None,
) -> Preview:
    """Diff two frames in the loaders' canonical columns of ``kind`` (old may be None)."""
    spec = KINDS[kind]
    key = spec.sort_key
    specs = {f.name: f for f in spec.fields}
    title_col = "title" if "title" in new.columns else key
    new = new.drop_duplicates(subset=[key], keep="first")
    comparable = old is None or key in old.columns
    if not comparable:
        old = None
    if old is None or old.empty:
        added = _listing(new, key=key, title_col=title_col)
        return Preview(
            kind=kind,
            baseline=baseline,
            added=added,
            removed=_listing(new.iloc[0:0], key=key, title_col=title_col),
            changes=_empty_changes(),
            unchanged=0,
            counts={"neu": len(added), "entfallen": 0, "geändert": 0}
            | dict.fromkeys(CATEGORIES, 0),
            comparable=comparable,
        )
    old = old.drop_duplicates(subset=[key], keep="first")
    new_keys = new[key].map(_text)
    old_keys = old[key].map(_text)
    new_by_key = new.assign(_key=new_keys).set_index("_key")
    old_by_key = old.assign(_key=old_keys).set_index("_key")
    old_set, new_set = set(old_keys), set(new_keys)
    added_keys = [k for k in new_keys if k not in old_set]
    removed_keys = [k for k in old_keys if k not in new_set]
    common = [k for k in new_keys if k in old_set]
    columns = [
        c
        for c in new.columns
        if c in old.columns and c not in _IGNORED and c != key and c in {*specs, *_EXTRA_LABELS}
    ]
    change_rows: list[dict[str, Any]] = []
    changed_keys: set[str] = set()
    before = old_by_key.loc[common]
    after = new_by_key.loc[common]
    titles: dict[int, str] = {}
    after_titles = after[title_col].to_numpy(dtype=object)
    before_titles = before[title_col].to_numpy(dtype=object)
    for column in columns:
        ftype = specs[column].type if column in specs else _EXTRA_TYPES[column]
        # Most cells are unchanged: prove that column-wise, normalise only the rest one by one.
        open_rows = np.flatnonzero(~_proven_equal(before[column], after[column], ftype))
        olds = [_norm(v, ftype) for v in before[column].iloc[open_rows]]
        news = [_norm(v, ftype) for v in after[column].iloc[open_rows]]
        for position, a, b in zip(open_rows.tolist(), olds, news, strict=True):
            if a == b:
                continue
            k = common[position]
            if position not in titles:
                titles[position] = _text(after_titles[position]) or _text(before_titles[position])
            changed_keys.add(k)
            change_rows.append(
                {
                    "Schlüssel": k,
                    "Bezeichnung": titles[position],
                    "Feld": column,
                    "Spalte": _label(column, specs),
                    "Bereich": _category(column, specs),
                    "bisher": _show(a, column),
                    "neu": _show(b, column),
                }
            )
    unchanged = len(common) - len(changed_keys)
    order = {k: i for i, k in enumerate(common)}
    change_rows.sort(key=lambda r: (order[r["Schlüssel"]], columns.index(r["Feld"])))
    changes = pd.DataFrame(change_rows) if change_rows else _empty_changes()
    added = _listing(
        new_by_key.loc[added_keys].reset_index(drop=True), key=key, title_col=title_col
    )
    removed = _listing(
        old_by_key.loc[removed_keys].reset_index(drop=True), key=key, title_col=title_col
    )
    counts: dict[str, int] = {
        "neu": len(added),
        "entfallen": len(removed),
        "geändert": int(changes["Schlüssel"].nunique()) if not changes.empty else 0,
    }
    for category in CATEGORIES:
        in_category = changes[changes["Bereich"] == category] if not changes.empty else changes
        counts[category] = int(in_category["Schlüssel"].nunique()) if not changes.empty else 0
    return Preview(
        kind=kind,
        baseline=baseline,
        added=added,
        removed=removed,
        changes=changes,
        unchanged=unchanged,
        counts=counts,
    )


# Field types whose normalised value of a number depends only on its numeric value.
_NUMERIC_TYPES = frozenset({"money", "percent", "integer"})


def _proven_equal(old: pd.Series, new: pd.Series, ftype: str) -> np.ndarray:
    """Cells whose normalised values (:func:`_norm`) are certainly equal, found without
    normalising cell by cell: both missing, or the same raw value in columns of the same
    kind (text, timestamps, numbers of a numeric field type). Where kinds differ, nothing but
    "both missing" is proven and the caller normalises those cells one by one, as before.

    Comparing 10,000 re-uploaded rows cell by cell took 0.7 s, almost all of it ``_norm``
    on cells that had not changed."""
    missing = old.isna().to_numpy(dtype=bool) & new.isna().to_numpy(dtype=bool)
    kind = _kind(old.dtype)
    if kind is None or kind != _kind(new.dtype):
        return missing
    if kind == "number":
        if ftype not in _NUMERIC_TYPES:  # 3 == 3.0, but "3" != "3.0" as text
            return missing
        same = old.to_numpy(dtype="float64", na_value=np.nan) == new.to_numpy(
            dtype="float64", na_value=np.nan
        )
    elif kind == "timestamp":
        same = old.to_numpy() == new.to_numpy()
    else:
        same = old.to_numpy(dtype=object, na_value=None) == new.to_numpy(
            dtype=object, na_value=None
        )
    return missing | np.asarray(same, dtype=bool)


def _kind(dtype: Any) -> str | None:
    """Column kinds in which equal raw values have equal normalised values."""
    if isinstance(dtype, pd.StringDtype):
        return "text"
    if pd.api.types.is_datetime64_dtype(dtype):
        return "timestamp"
    if pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype):
        return "number"
    return None


def _empty_changes() -> pd.DataFrame:
    return pd.DataFrame(
        {c: pd.Series(dtype=object) for c in ("Schlüssel", "Bezeichnung", "Feld", "Spalte")}
        | {c: pd.Series(dtype=object) for c in ("Bereich", "bisher", "neu")}
    )


def _listing(frame: pd.DataFrame, *, key: str, title_col: str) -> pd.DataFrame:
    out = pd.DataFrame(
        {
            "Schlüssel": frame[key].map(_text).astype(object) if key in frame else [],
            "Bezeichnung": frame[title_col].map(_text).astype(object) if title_col in frame else [],
        }
    )
    for column, label in (("traffic_light", "Ampel"), ("status", "Status")):
        if column in frame:
            out[label] = frame[column].map(lambda v, c=column: _show(_norm(v, "enum"), c))
    return out.reset_index(drop=True)


def _label(column: str, specs: dict[str, FieldSpec]) -> str:
    if column in specs:
        return specs[column].label
    return _EXTRA_LABELS.get(column, column)


def _category(column: str, specs: dict[str, FieldSpec]) -> str:
    if column == "traffic_light":
        return CATEGORY_LIGHT
    if column == "status":
        return CATEGORY_STATUS
    if column == "cost_reporting_status":
        return CATEGORY_COSTS
    ftype = specs[column].type if column in specs else ""
    if ftype == "date":
        return CATEGORY_DATES
    if ftype == "money":
        return CATEGORY_COSTS
    return CATEGORY_OTHER


def _missing(value: Any) -> bool:
    if value is None or value is pd.NaT:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    try:
        return bool(pd.isna(value)) if not isinstance(value, (list, tuple)) else False
    except (TypeError, ValueError):
        return False


def _text(value: Any) -> str:
    if _missing(value):
        return ""
    return str(value).strip()


def _norm(value: Any, ftype: str) -> Any:
    """A comparable, hashable form of one cell of the given field type."""
    if ftype in ("leika_list", "id_list"):
        if value is None or (not hasattr(value, "__len__") and _missing(value)):
            return None
        if isinstance(value, str):
            return (value,)
        return tuple(str(v) for v in value)
    if _missing(value):
        return None
    if ftype == "date":
        if isinstance(value, (pd.Timestamp, dt.datetime)):
            return value.date() if not isinstance(value, pd.Timestamp) else value.date()
        if isinstance(value, dt.date):
            return value
        return pd.Timestamp(value).date()
    if ftype in ("money", "percent"):
        return round(float(value), 2)
    if ftype == "integer":
        return int(value)
    text = str(value).strip()
    return text or None


def _show(value: Any, column: str) -> str:
    """German display of a normalised value."""
    if value is None:
        return "–"
    if column in _VALUE_LABELS and isinstance(value, str):
        return _VALUE_LABELS[column].get(value, value)
    if isinstance(value, dt.date):
        return value.strftime("%d.%m.%Y")
    if isinstance(value, tuple):
        return "; ".join(value) if value else "–"
    if isinstance(value, float):
        text = f"{value:,.2f}".replace(",", "\u2009").replace(".", ",").replace("\u2009", ".")
        if text.endswith(",00"):
            text = text[:-3]
        return text
    return str(value)
