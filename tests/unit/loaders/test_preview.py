"""The preview of a change: new, changed and removed projects against the authority's current
submission, with traffic lights, dates and costs counted separately."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from kpi.submissions import comparison_submission, submission_rows
from loaders.ingest import ingest, prepare
from loaders.preview import (
    CATEGORY_COSTS,
    CATEGORY_DATES,
    CATEGORY_LIGHT,
    CATEGORY_OTHER,
    CATEGORY_STATUS,
    compare,
)
from store import connection as db
from store.identity import Identity
from tests.builders import csv_bytes, project_row, xlsx_bytes

PANKOW = Identity(name="Koordination Pankow", role="coordinator", authority_id="ba-pankow")


def _submit(records: list[dict[str, object]], *, period: str) -> int:
    result = ingest(
        data=csv_bytes(records),
        file_name=f"vorhaben_{period}.csv",
        kind="projects",
        authority="ba-pankow",
        period=period,
        identity=PANKOW,
    )
    assert result.outcome == "accepted", [p.as_line() for p in result.errors]
    assert result.submission_id is not None
    return result.submission_id


def _preview(data: bytes, *, file_name: str, period: str):
    prepared = prepare(
        data=data,
        file_name=file_name,
        kind="projects",
        authority="ba-pankow",
        period=period,
        identity=PANKOW,
    )
    assert not prepared.errors
    cur = db.cursor()
    base = comparison_submission(cur, authority_id="ba-pankow", period=period, kind="projects")
    old = submission_rows(cur, submission_id=base["id"], kind="projects") if base else None
    return compare(prepared.frame, old, kind="projects", baseline=base)


def test_first_submission_lists_every_project_as_new(empty_db: Path) -> None:
    records = [project_row(n) for n in (1, 2, 3)]
    preview = _preview(csv_bytes(records), file_name="erste.csv", period="2026-Q3")

    assert preview.baseline is None
    assert list(preview.added["Schlüssel"]) == ["T-001", "T-002", "T-003"]
    assert preview.removed.empty and preview.changes.empty
    assert preview.counts["neu"] == 3


def test_new_changed_and_removed_projects_with_lights_dates_and_costs(empty_db: Path) -> None:
    base_id = _submit([project_row(n) for n in (1, 2, 3, 4)], period="2026-Q3")
    records = [
        project_row(1, **{"Ampel": "rot", "Begründung Ampel": "Lieferverzug"}),  # light
        project_row(2, **{"Ende (Prognose)": "30.06.2027"}),  # date
        project_row(3, **{"Budget in €": "150.000,00", "Ist-Kosten in €": "60.000,00"}),  # cost
        # 4 is gone, 5 is new
        project_row(5, **{"Bezeichnung des Vorhaben": "Neu"}),
    ]
    preview = _preview(csv_bytes(records), file_name="update.csv", period="2026-Q3")

    assert preview.baseline is not None and preview.baseline["id"] == base_id
    assert preview.baseline["same_period"] is True
    assert list(preview.added["Schlüssel"]) == ["T-005"]
    assert list(preview.removed["Schlüssel"]) == ["T-004"]
    assert preview.counts["geändert"] == 3
    assert preview.counts[CATEGORY_LIGHT] == 1
    assert preview.counts[CATEGORY_DATES] == 1
    assert preview.counts[CATEGORY_COSTS] == 1
    assert preview.unchanged == 0
    changes = preview.changes.set_index(["Schlüssel", "Feld"])
    light = changes.loc[("T-001", "traffic_light")]
    assert (light["bisher"], light["neu"]) == ("grün", "rot")
    assert light["Spalte"] == "Ampel"
    date = changes.loc[("T-002", "forecast_end")]
    assert (date["bisher"], date["neu"]) == ("31.12.2026", "30.06.2027")
    budget = changes.loc[("T-003", "budget")]
    assert (budget["bisher"], budget["neu"]) == ("120.000", "150.000")
    # the reason changed along with the light of T-001, nothing else
    assert set(changes.loc["T-001"].index) == {"traffic_light", "traffic_light_reason"}


def test_same_content_in_another_layout_shows_no_change(empty_db: Path) -> None:
    records = [project_row(n) for n in (1, 2, 3)]
    _submit(records, period="2026-Q3")
    as_excel = xlsx_bytes(list(reversed(records)), title_rows=["Vorhabenliste"], typed=True)
    preview = _preview(as_excel, file_name="gleich.xlsx", period="2026-Q3")

    assert preview.is_empty
    assert preview.unchanged == 3


def test_without_a_submission_for_the_period_the_previous_period_is_the_baseline(
    empty_db: Path,
) -> None:
    _submit([project_row(n) for n in (1, 2)], period="2026-Q1")
    q2 = _submit([project_row(n) for n in (1, 2, 3)], period="2026-Q2")
    preview = _preview(
        csv_bytes([project_row(n) for n in (1, 2, 3)]), file_name="q3.csv", period="2026-Q3"
    )

    assert preview.baseline is not None
    assert preview.baseline["id"] == q2
    assert preview.baseline["period_id"] == "2026-Q2"
    assert preview.baseline["same_period"] is False
    assert preview.is_empty


def test_preview_of_a_kind_without_comparable_rows_says_so() -> None:
    new = pd.DataFrame({"project_id": ["A"], "title": ["x"]})
    old = pd.DataFrame({"something_else": [1]})
    preview = compare(new, old, kind="projects")
    assert preview.comparable is False
    assert list(preview.added["Schlüssel"]) == ["A"]


def test_reupload_of_thousands_of_rows_lists_exactly_what_changed(empty_db: Path) -> None:
    """A re-upload of a 3,000-row list against the previous one (issue 8: the comparison was
    quadratic and took minutes at 10,000 rows): lights, dates, costs and titles changed in
    known rows, 40 rows gone, 25 new, and rows written differently but with the same
    content (amount without thousands separator, padded text), which are no change."""
    count = 3_000
    _submit([project_row(n) for n in range(1, count + 1)], period="2026-Q3")
    removed = set(range(1_001, 1_041))
    records = []
    expected: list[tuple[str, str, str, str, str, str]] = []  # key, title, field, area, was, now
    for n in range(1, count + 1):
        if n in removed:
            continue
        key, title = f"T-{n:03d}", f"Testvorhaben {n}"
        changes: dict[str, str] = {}
        if n % 17 == 0:
            title = f"Testvorhaben {n} (neu geschnitten)"
            changes["Bezeichnung des Vorhabens"] = title
            expected.append((key, title, "title", CATEGORY_OTHER, f"Testvorhaben {n}", title))
        if n % 7 == 0:
            changes |= {"Ampel": "rot", "Begründung Ampel": "Lieferverzug"}
            expected.append((key, title, "traffic_light", CATEGORY_LIGHT, "grün", "rot"))
            expected.append(
                (key, title, "traffic_light_reason", CATEGORY_OTHER, "–", "Lieferverzug")
            )
        if n % 13 == 0:
            changes["Ende (Prognose)"] = "30.06.2027"
            expected.append(
                (key, title, "forecast_end", CATEGORY_DATES, "31.12.2026", "30.06.2027")
            )
        if n % 11 == 0:
            changes["Budget in €"] = "150.000,00"
            expected.append((key, title, "budget", CATEGORY_COSTS, "120.000", "150.000"))
        elif n % 5 == 0:
            changes["Budget in €"] = "120000"  # same amount, written differently
        if n % 9 == 0:
            changes["Ansprechperson"] = "  Projektbüro "  # same text, padded
        records.append(project_row(n, **changes))
    records += [project_row(n) for n in range(count + 1, count + 26)]
    preview = _preview(csv_bytes(records), file_name="neu.csv", period="2026-Q3")

    assert list(preview.added["Schlüssel"]) == [f"T-{n:03d}" for n in range(3_001, 3_026)]
    assert list(preview.removed["Schlüssel"]) == [f"T-{n:03d}" for n in sorted(removed)]
    got = list(
        preview.changes[
            ["Schlüssel", "Bezeichnung", "Feld", "Bereich", "bisher", "neu"]
        ].itertuples(index=False, name=None)
    )
    # rows in the order of the file, the fields of one row in the order of the columns
    numbers = [int(row[0][2:]) for row in got]
    assert numbers == sorted(numbers)
    assert sorted(got, key=_by_row_and_field) == sorted(expected, key=_by_row_and_field)
    changed = {row[0] for row in expected}
    kept = count - len(removed)
    assert preview.counts["neu"] == 25 and preview.counts["entfallen"] == 40
    assert preview.counts["geändert"] == preview.changed_rows == len(changed)
    assert preview.unchanged == kept - len(changed)
    for area in (CATEGORY_LIGHT, CATEGORY_DATES, CATEGORY_COSTS, CATEGORY_OTHER):
        assert preview.counts[area] == len({row[0] for row in expected if row[3] == area})
    assert preview.counts[CATEGORY_STATUS] == 0


def _by_row_and_field(row: tuple[str, ...]) -> tuple[int, str]:
    return int(row[0][2:]), row[2]
