"""Validation of project lists (kind ``projects``): typed frame plus every problem found."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterable

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from loaders import convert
from loaders.enums import (
    PROGRAMME_BY_KEY,
    PROGRAMME_LABELS,
    STATUS_BY_KEY,
    STATUS_LABELS,
    TRAFFIC_LIGHT_BY_KEY,
    TRAFFIC_LIGHT_LABELS,
)
from loaders.errors import Problem
from loaders.fields import PROJECT_FIELDS, FieldSpec
from loaders.header import MappedTable
from loaders.kinds import Validated
from loaders.readers import TEXT_DTYPE, text_series
from loaders.text import fold

_SPECS: dict[str, FieldSpec] = {f.name: f for f in PROJECT_FIELDS}
_ENUMS: dict[str, tuple[dict[str, str], dict[str, str], str]] = {
    "status": (STATUS_BY_KEY, STATUS_LABELS, "Status"),
    "traffic_light": (TRAFFIC_LIGHT_BY_KEY, TRAFFIC_LIGHT_LABELS, "Ampel"),
    "programme": (PROGRAMME_BY_KEY, PROGRAMME_LABELS, "Programm"),
}
_MONEY = ("budget_original", "budget", "forecast_cost", "actual_cost")
# Problem.field of the finding "this list evidently belongs to another authority" (one per file,
# no row): the upload page shows it above the confirm button and asks for a confirmation.
FOREIGN_LIST = "foreign_list"
# the letters before the first digit of a project id: "BA-Mitte-2025-001" -> "BA-Mitte-"
_ID_PREFIX = r"^\s*(?P<label>[^\d\s][^\d]*?)[\s\-_/.:]*\d"
# the authority's label in a Berlin e-mail domain: "x@projekt.senfin.berlin.de" -> "senfin"
_MAIL_LABEL = r"@(?:[^@\s]*\.)?(?P<label>[^.@\s]+)\.berlin\.de\s*$"
_STR = TEXT_DTYPE  # text columns: Arrow strings, NaN = empty


class _Collector:
    """Turns masks over the frame into located problems (row, id, column, value)."""

    def __init__(self, raw: dict[str, pd.Series], table: MappedTable, ids: pd.Series) -> None:
        self.raw = raw
        self.index = ids.index
        self.rows = pd.Series(table.row_numbers, index=ids.index, dtype="int64")
        self.ids = ids
        self.column_of = {f: h for h, f in zip(table.headers, table.fields, strict=True) if f}
        self.problems: list[Problem] = []

    def add(
        self,
        mask: pd.Series,
        field: str,
        message: str | Callable[[str], str],
        *,
        severity: str = "error",
    ) -> None:
        if not mask.any():
            return
        column = self.column_of.get(field, _SPECS[field].label if field in _SPECS else field)
        raw = self.raw[field] if field in self.raw else pd.Series("", index=self.index)
        for index in mask[mask].index:
            value = convert.cell_text(raw.at[index])
            text = message(value) if callable(message) else message
            project_id = self.ids.at[index]
            self.problems.append(
                Problem(
                    severity,  # type: ignore[arg-type]
                    text,
                    row=int(self.rows.at[index]),
                    project_id=project_id if isinstance(project_id, str) else None,
                    column=column,
                    value=value,
                    field=field,
                )
            )


def _lookup(values: pd.Series, lookup: dict[str, str | None]) -> pd.Series:
    """``values.map(lookup)`` column-wise in Arrow (a text column of a few distinct values)."""
    keys = [k for k, v in lookup.items() if v is not None]
    if not keys:
        return pd.Series(np.nan, index=values.index, dtype=_STR)
    positions = pc.index_in(pa.array(values, from_pandas=True), value_set=pa.array(keys))
    codes = pc.take(pa.array([lookup[k] for k in keys], pa.string()), positions)
    return text_series(codes, values.index)


def validate_projects(
    table: MappedTable,
    *,
    authority_keys: set[str],
    strict_light_reason: bool,
    authorities: Iterable[tuple[str, str]] | None = None,
) -> Validated:
    """Convert every mapped column and check the rules; collects all problems at once.

    ``authority_keys`` are the folded names of the submitting authority: rows that name
    another authority in a ``Behörde`` column are refused. ``authorities`` (id, short name of
    every authority; default: Berlin's reference list) lets the check for a list that
    evidently belongs to another authority name that authority.
    """
    columns = {f: i for i, f in enumerate(table.fields) if f}
    index = pd.RangeIndex(table.row_count)
    # one Series per mapped field: text from a TextSheet, the reader's cells otherwise
    raw = {name: table.column(position) for name, position in columns.items()}
    out = pd.DataFrame(index=index)
    out["source_row"] = np.asarray(table.row_numbers, dtype="int64")

    text_cache: dict[str, pd.Series] = {}

    def text_of(name: str) -> pd.Series:
        if name not in text_cache:
            text_cache[name] = (
                convert.text_values(raw[name])
                if name in raw
                else pd.Series(np.nan, index=index, dtype=_STR)
            )
        return text_cache[name]

    ids = text_of("project_id")
    c = _Collector(raw, table, ids)
    problems = list(table.problems)

    for spec in PROJECT_FIELDS:
        if spec.type == "text" and spec.name != "authority":
            out[spec.name] = text_of(spec.name)
    for spec in PROJECT_FIELDS:
        if spec.required and spec.name in raw:
            c.add(
                text_of(spec.name).isna(),
                spec.name,
                f"Pflichtfeld „{spec.label}“ ist leer.",
            )

    for name, (table_, labels, noun) in _ENUMS.items():
        values = text_of(name)
        # An enumeration column holds a handful of distinct spellings: fold each once.
        lookup = {v: table_.get(fold(v)) for v in values.dropna().unique() if isinstance(v, str)}
        codes = _lookup(values, lookup)
        allowed = ", ".join(labels.values())
        c.add(
            values.notna() & codes.isna(),
            name,
            lambda v, noun=noun, allowed=allowed: (
                f"Unbekannter Wert für {noun}: „{v}“. Erlaubt: {allowed}."
            ),
        )
        out[name] = codes

    for spec in PROJECT_FIELDS:
        if spec.type != "date":
            continue
        if spec.name in raw:
            parsed, bad = convert.parse_dates(raw[spec.name])
            c.add(bad, spec.name, "Kein gültiges Datum (Beispiel: 31.12.2026).")
        else:
            parsed = pd.Series(pd.NaT, index=index, dtype="datetime64[us]")
        out[spec.name] = parsed

    confidential = pd.Series(False, index=index)
    not_reported = pd.Series(False, index=index)
    for name in _MONEY:
        if name in raw:
            amount, bad, conf, nrep = convert.parse_money(raw[name])
            c.add(
                bad,
                name,
                "Kein gültiger Betrag. Erlaubt: eine Zahl wie 120.000,00, leer, "
                "„vertraulich“ oder „nicht gemeldet“.",
            )
            c.add(amount < 0, name, "Beträge dürfen nicht negativ sein.")
            confidential |= conf
            not_reported |= nrep
        else:
            amount = pd.Series(np.nan, index=index)
        out[name] = amount
    any_amount = out[list(_MONEY)].notna().any(axis=1)
    out["cost_reporting_status"] = np.where(
        confidential,
        "confidential",
        np.where(not_reported | ~any_amount, "not_reported", "reported"),
    )

    if "progress_pct" in raw:
        progress, bad = convert.parse_percent(raw["progress_pct"])
        c.add(bad, "progress_pct", "Kein gültiger Prozentwert (Beispiel: 80 %).")
        c.add(
            (progress < 0) | (progress > 100),
            "progress_pct",
            "Der Fortschritt muss zwischen 0 und 100 % liegen.",
        )
        out["progress_pct"] = progress
    else:
        out["progress_pct"] = np.nan

    if "risk_rating" in raw:
        risk, bad = convert.parse_integers(raw["risk_rating"])
        c.add(
            bad | ~(risk.between(1, 5) | risk.isna()),
            "risk_rating",
            "Das Risiko ist eine ganze Zahl von 1 bis 5.",
        )
        out["risk_rating"] = risk
    else:
        out["risk_rating"] = np.nan

    for name, leika in (("leika_keys", True), ("ozg_ids", False)):
        if name in raw:
            keys, bad = convert.parse_key_list(raw[name], leika=leika)
            message = (
                "Ungültiger LeiKa-Schlüssel: Jeder Schlüssel hat genau 14 Ziffern "
                "(mehrere durch ; trennen)."
                if leika
                else "Ungültige OZG-ID: nur Ziffern, mehrere durch ; trennen."
            )
            c.add(bad, name, message)
            out[name] = keys
        else:
            out[name] = pd.Series([None] * len(index), index=index, dtype=object)

    # Rules across fields.
    dup = ids.notna() & ids.duplicated(keep=False)
    c.add(
        dup & ids.duplicated(keep="first"),
        "project_id",
        lambda v: (
            f"Die Vorhaben-Nr. „{v}“ kommt mehrfach vor; jede Nummer darf nur einmal vorkommen."
        ),
    )
    start = out["planned_start"]
    for end_field, label in (
        ("baseline_end", "Das geplante Ende"),
        ("forecast_end", "Das prognostizierte Ende"),
        ("baseline_end_original", "Das ursprünglich geplante Ende"),
    ):
        c.add(
            start.notna() & out[end_field].notna() & (out[end_field] < start),
            end_field,
            f"{label} liegt vor dem Beginn.",
        )
    actual_start = out["actual_start"].fillna(start)
    c.add(
        actual_start.notna() & out["actual_end"].notna() & (out["actual_end"] < actual_start),
        "actual_end",
        "Das tatsächliche Ende liegt vor dem Beginn.",
    )
    reason_missing = (
        out["traffic_light"].isin(["red", "yellow"]) & out["traffic_light_reason"].isna()
    )
    c.add(
        reason_missing,
        "traffic_light",
        lambda v: (
            f"Ampel „{v}“ ohne Begründung: Bei gelber oder roter Ampel bitte die Spalte "
            "„Begründung Ampel“ ausfüllen."
        ),
        severity="error" if strict_light_reason else "warning",
    )
    if "authority" in raw:
        named = text_of("authority")
        own = {v: fold(v) in authority_keys for v in named.dropna().unique() if isinstance(v, str)}
        c.add(
            named.notna() & ~named.map(own).fillna(True).astype(bool),
            "authority",
            lambda v: (
                f"Die Zeile gehört zur Behörde „{v}“, nicht zur meldenden Behörde. "
                "Eine Meldung darf nur Vorhaben der eigenen Behörde enthalten."
            ),
        )

    foreign = _foreign_list(
        ids,
        text_of("contact_email") if "contact_email" in raw else None,
        own=authority_keys,
        authorities=authorities,
        id_column=c.column_of.get("project_id", _SPECS["project_id"].label),
    )
    if foreign is not None:
        problems.append(foreign)

    extra_positions = [
        (h, i)
        for i, (h, f) in enumerate(zip(table.headers, table.fields, strict=True))
        if f is None and h
    ]
    if extra_positions and table.row_count:
        extras = [
            (h, [convert.cell_text(v) for v in table.column(i).tolist()])
            for h, i in extra_positions
        ]
        out["extra_columns"] = [
            json.dumps({h: texts[r] for h, texts in extras if texts[r]}, ensure_ascii=False)
            for r in range(table.row_count)
        ]
    else:
        out["extra_columns"] = None

    problems.extend(c.problems)
    problems.sort(key=lambda p: (p.row or 0, p.severity != "error"))
    return Validated(frame=out, problems=problems)


def _foreign_list(
    ids: pd.Series,
    emails: pd.Series | None,
    *,
    own: set[str],
    authorities: Iterable[tuple[str, str]] | None,
    id_column: str,
) -> Problem | None:
    """A warning when most project ids carry another authority's short name as prefix
    (``SenFin-2025-001`` in BA Mitte's upload) or most contact e-mails are in another
    authority's domain (``…@senfin.berlin.de``) — the list was probably picked by mistake.

    A warning, not an error: ids are stable and outlive reorganisations and take-overs (a
    project handed over keeps its number; after a Ressortzuschnitt a whole list may carry the
    former authority's prefix), shared mailboxes exist, so the evidence is strong but not
    proof. Ids without a prefix, and a few foreign ids among mostly own or unprefixed ones,
    are not flagged: only a majority of all ids (or of all e-mails) counts.
    """
    if authorities is None:
        from data.reference import AUTHORITIES

        authorities = [(a.id, a.short_name) for a in AUTHORITIES]
    names: dict[str, str] = {}  # folded id / short name -> short name
    for authority_id, short in authorities:
        for key in (fold(authority_id), fold(short)):
            if key:
                names.setdefault(key, short)

    def foreign_majority(values: pd.Series, pattern: str) -> tuple[str, int, int] | None:
        present = values.dropna()
        if present.empty:
            return None
        # a list holds a handful of distinct prefixes: count them (RE2, column-wise), fold each
        found = pc.extract_regex(pa.array(present, from_pandas=True), pattern)
        labels = pc.value_counts(found.filter(found.is_valid()).field("label"))
        hits: Counter[str] = Counter()
        own_count = 0
        for label, times in zip(
            labels.field("values").to_pylist(), labels.field("counts").to_pylist(), strict=True
        ):
            key = fold(str(label))
            if key in own:
                own_count += int(times)
            elif key in names:
                hits[names[key]] += int(times)
        if not hits:
            return None
        name, count = hits.most_common(1)[0]
        total_foreign = sum(hits.values())
        if total_foreign * 2 < len(present) or own_count >= total_foreign:
            return None
        return name, count, len(present)

    by_id = foreign_majority(ids, _ID_PREFIX)
    by_mail = foreign_majority(emails, _MAIL_LABEL) if emails is not None else None
    if by_id is None and by_mail is None:
        return None
    evidence = []
    if by_id is not None:
        name, count, total = by_id
        evidence.append(f"{count} von {total} Vorhaben-Nummern beginnen mit dem Kürzel „{name}“")
    if by_mail is not None:
        name_mail, count, total = by_mail
        evidence.append(f"{count} von {total} E-Mail-Adressen gehören zu „{name_mail}“")
    name = by_id[0] if by_id is not None else by_mail[0]  # type: ignore[index]
    return Problem(
        "warning",
        "Diese Liste gehört anscheinend nicht zur meldenden Behörde: "
        + " und ".join(evidence)
        + ". Bitte prüfen Sie, ob Sie die richtige Datei gewählt haben. Übernommene "
        "Vorhaben ersetzen die bisherige Liste Ihrer Behörde.",
        column=id_column if by_id is not None else "E-Mail",
        value=name,
        field=FOREIGN_LIST,
    )


def foreign_list_problem(problems: Iterable[Problem]) -> Problem | None:
    """The "list of another authority" finding among ``problems``, if any."""
    return next((p for p in problems if p.field == FOREIGN_LIST), None)
