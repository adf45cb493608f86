"""The period report ("Lagebericht"): .xlsx with one sheet per view, and a valid PDF whose
pages, rendered to PNG, show the headline KPIs and the list of missing reports."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pandas as pd
import pypdfium2 as pdfium
import pytest

from kpi.overview import headline, reporting_status
from kpi.report import collect, german_number, german_percent, report_pdf, report_xlsx
from loaders.ingest import ingest
from store import connection as db
from store.identity import Identity
from tests.builders import csv_bytes, project_row

PERIOD = "2026-Q3"
EXPORTED = dt.datetime(2026, 11, 2, 8, 15)


@pytest.fixture
def pdf_and_figures(demo_db: Path) -> tuple[bytes, dict[str, object], pd.DataFrame]:
    cur = db.cursor()
    data = collect(cur, period=PERIOD)
    return (
        report_pdf(data, exported_at=EXPORTED, exported_by="Analyse"),
        headline(cur, period=PERIOD),
        reporting_status(cur, period=PERIOD),
    )


def _render(pdf: bytes) -> list[tuple[str, bytes, object]]:
    """(text, PNG bytes, page) of every page."""
    document = pdfium.PdfDocument(pdf)
    pages = []
    for index in range(len(document)):
        page = document[index]
        text = page.get_textpage().get_text_range()
        image = page.render(scale=2).to_pil()
        buffer = io.BytesIO()
        image.save(buffer, format="PNG")
        pages.append((text, buffer.getvalue(), page))
    return pages


def test_pdf_is_valid_and_its_rendered_pages_show_the_headline_kpis(
    pdf_and_figures: tuple[bytes, dict[str, object], pd.DataFrame],
) -> None:
    pdf, figures, _ = pdf_and_figures
    assert pdf.startswith(b"%PDF-") and pdf.rstrip().endswith(b"%%EOF")
    pages = _render(pdf)
    assert len(pages) >= 1
    text = "\n".join(t for t, _, _ in pages)
    projects = german_number(figures["projects"])
    active = german_number(figures["projects_active"])
    rate = german_percent(figures["reporting_rate"])
    assert f"Lagebericht Digitalisierung Berlin – {PERIOD}" in text
    for value in (projects, active, rate):
        assert value in text, value
    assert (
        f"{figures['authorities_reported']} von {figures['authorities_expected']} Behörden" in text
    )
    assert "Datenstand:" in text and "Exportiert am: 02.11.2026 08:15" in text

    # The KPI values are drawn: the rendered pixels inside each value's text box are dark.
    png, page = pages[0][1], pages[0][2]
    from PIL import Image

    image = Image.open(io.BytesIO(png)).convert("L")
    assert image.size[0] > 1000  # A4 at scale 2
    textpage = page.get_textpage()
    height = page.get_height()
    for value in (projects, rate):
        searcher = textpage.search(value)
        found = searcher.get_next()
        assert found is not None, value
        start, count = found
        boxes = [textpage.get_charbox(i) for i in range(start, start + count)]
        left = min(b[0] for b in boxes) * 2
        right = max(b[2] for b in boxes) * 2
        top = (height - max(b[3] for b in boxes)) * 2
        bottom = (height - min(b[1] for b in boxes)) * 2
        region = image.crop((int(left), int(top), int(right) + 1, int(bottom) + 1))
        assert region.getextrema()[0] < 80, f"{value} is not visible in the rendered page"
        # control: the same box in the empty right margin is blank
        margin = image.crop((image.size[0] - 30, int(top), image.size[0] - 2, int(bottom) + 1))
        assert margin.getextrema()[0] > 240


def test_pdf_lists_the_missing_reports(
    pdf_and_figures: tuple[bytes, dict[str, object], pd.DataFrame],
) -> None:
    pdf, _, reports = pdf_and_figures
    text = "\n".join(t for t, _, _ in _render(pdf))
    missing = reports[~reports["reported"]]
    assert len(missing) == 5  # the demo set leaves five authorities late for 2026-Q3
    assert f"Fehlende Meldungen für {PERIOD}: {len(missing)}" in text
    for short_name in missing["short_name"]:
        assert short_name in text


def test_report_xlsx_has_one_sheet_per_view_with_the_same_figures(demo_db: Path) -> None:
    cur = db.cursor()
    data = collect(cur, period=PERIOD)
    sheets = pd.read_excel(
        io.BytesIO(report_xlsx(data, exported_at=EXPORTED)), sheet_name=None, engine="calamine"
    )
    assert list(sheets) == ["Info", *[v.sheet for v in data.views]]
    assert {"Kennzahlen", "Vorhaben nach Status", "Fehlende Meldungen"} <= set(sheets)
    figures = headline(cur, period=PERIOD)
    kpis = sheets["Kennzahlen"].set_index("Kennzahl")["Wert"]
    assert kpis["Vorhaben"] == figures["projects"]
    assert kpis["Meldequote in %"] == round(figures["reporting_rate"] * 100, 1)
    assert sheets["Vorhaben nach Status"]["Vorhaben"].sum() == figures["projects"]
    assert len(sheets["Fehlende Meldungen"]) == 5
    info = sheets["Info"]
    assert "Berichtsperiode: 2026-Q3" in str(info.iloc[0, 1]) or "2026-Q3" in info.to_string()


def test_unpublished_report_is_marked_and_counts_drafts(demo_db: Path) -> None:
    pankow = Identity(name="Koordination Pankow", role="coordinator", authority_id="ba-pankow")
    result = ingest(
        data=csv_bytes([project_row(n) for n in range(1, 8)]),
        file_name="pankow.csv",
        kind="projects",
        authority="ba-pankow",
        period=PERIOD,
        identity=pankow,
    )
    assert result.outcome == "accepted"
    cur = db.cursor()
    published = collect(cur, period=PERIOD)
    drafts = collect(cur, period=PERIOD, include_unpublished=True)
    assert drafts.figures["projects"] == published.figures["projects"] + 7
    assert len(drafts.missing) == len(published.missing) - 1

    text = "\n".join(t for t, _, _ in _render(report_pdf(drafts, exported_at=EXPORTED)))
    assert "ENTWURF" in text
    assert "einschließlich nicht veröffentlichter" in text
    assert german_number(drafts.figures["projects"]) in text
    plain = "\n".join(t for t, _, _ in _render(report_pdf(published, exported_at=EXPORTED)))
    assert "ENTWURF" not in plain
