"""Lagebericht PDF tables: column widths in which no word breaks ("gemeld|et",
"Meldequo|te", "Senatsverwaltun|g" before)."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pandas as pd
import pypdfium2 as pdfium
import pytest
from fpdf import FPDF

from kpi.report import _fonts, collect, column_needs, column_widths, report_pdf
from store import connection as db

PERIOD = "2026-Q3"


def _words(frame: pd.DataFrame) -> set[str]:
    texts = [str(c) for c in frame.columns] + [str(v) for v in frame.to_numpy().ravel()]
    return {w for text in texts for w in text.split() if len(w) >= 4 and w.isalpha()}


def test_every_word_of_the_tables_stays_whole(demo_db: Path) -> None:
    data = collect(db.cursor(), period=PERIOD)
    document = pdfium.PdfDocument(report_pdf(data, exported_at=dt.datetime(2026, 11, 29, 6)))
    text = "\n".join(document[i].get_textpage().get_text_range() for i in range(len(document)))
    words = _words(data.by_kind[["Art", "gemeldet", "erwartet", "Meldequote in %"]])
    words |= _words(data.missing[["Behörde", "Name", "Art", "neueste gemeldete Periode"]])
    words |= _words(data.status)
    assert {"gemeldet", "erwartet", "Meldequote", "Senatsverwaltung"} <= words
    broken = [w for w in sorted(words) if not re.search(rf"(?<!\w){re.escape(w)}(?!\w)", text)]
    assert not broken, broken


def test_widths_give_every_column_its_longest_word() -> None:
    pdf = FPDF(unit="mm", format="A4")
    font, clean = _fonts(pdf)
    pdf.add_page()
    frame = pd.DataFrame(
        {
            "Art": ["Senatsverwaltung", "nachgeordnete Behörde"],
            "gemeldet": [10, 5],
            "erwartet": [11, 7],
            "Meldequote in %": [90.9, 71.4],
        }
    )
    need = column_needs(pdf, font, clean, frame)
    widths = column_widths(pdf, font, clean, frame, width=100.0, weights=(2.4, 1, 1, 1.3))
    assert sum(widths) == pytest.approx(100.0)
    assert all(w >= n - 1e-9 for w, n in zip(widths, need, strict=True))
    assert widths[0] == max(widths)  # the spare room follows the weights
    # a table cell as wide as its need (less its border) holds the longest word on one line
    pdf.set_font(font, "", 8)
    lines = pdf.multi_cell(need[0] - 0.5, text="Senatsverwaltung", dry_run=True, output="LINES")
    assert lines == ["Senatsverwaltung"]
    # too narrow for all words side by side: scaled by need, still summing to the width
    squeezed = column_widths(pdf, font, clean, frame, width=sum(need) / 2)
    assert sum(squeezed) == pytest.approx(sum(need) / 2)
