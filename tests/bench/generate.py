"""Large project lists for the benchmark, in the shapes authorities send (built in code).

23 columns under German headers as authorities write them (a mix of template labels and
common variants), a title row above the header as in the real templates, plausible values
and a few realistic irregularities (confidential costs, empty optional cells). Every file is
valid, so an ingest runs the whole path including the write.

The ``.xlsx`` holds dates as Excel dates, money and progress as numbers (progress formatted
as percent, i.e. stored as a fraction) and an instruction sheet before the data sheet. The
``.csv`` is what German Excel writes: Windows-1252, ``;``, ``1.234,56``, ``31.12.2026``.
"""

from __future__ import annotations

import csv
import io
import random
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import xlsxwriter

DATA_SHEET = "Vorhaben"
TITLE_ROWS = 2  # title + blank row above the header
HEADERS = (
    "Lfd. Nr.",
    "Bezeichnung des Vorhabens",
    "Zielsetzung",
    "Programm / Kategorie",
    "Themenfeld",
    "Projektstatus",
    "Phase",
    "Ampel",
    "Begründung Ampel",
    "Risiko (1–5)",
    "Beginn",
    "Beginn (Ist)",
    "Ende (ursprünglich geplant)",
    "Ende (geplant)",
    "Ende (Prognose)",
    "Budget ursprünglich in €",
    "Budget in €",
    "Kostenprognose in €",
    "Ist-Kosten in €",
    "Fortschritt in %",
    "Betroffene Leistungen (LeiKa)",
    "Ansprechperson",
    "E-Mail",
)
_DATE_COLUMNS = {10, 11, 12, 13, 14}
_MONEY_COLUMNS = {15, 16, 17, 18}
_PROGRESS_COLUMN = 19

_TOPICS = (
    "Arbeit & Ruhestand",
    "Bauen & Wohnen",
    "Bildung",
    "Ein- & Auswanderung",
    "Engagement & Hobby",
    "Familie & Kind",
    "Forschung & Förderung",
    "Gesundheit",
    "Mobilität & Reisen",
    "Querschnittsleistungen",
    "Recht & Ordnung",
    "Steuern & Zoll",
    "Umwelt",
    "Unternehmensführung & -entwicklung",
)
_SUBJECTS = (
    "Wohngeldantrag",
    "Kita-Gutschein",
    "Bewohnerparken",
    "Gewerbeanmeldung",
    "Sondernutzung Straßenland",
    "Baugenehmigung",
    "Terminbuchung Bürgeramt",
    "Hundesteuer",
    "Elterngeld",
    "Führungszeugnis",
    "Schulplatzvergabe",
    "Fahrerlaubnis",
)
_KINDS = ("Online-Antrag", "Digitalisierung", "Fachverfahren", "Schnittstelle", "Portal")
_PROGRAMMES = ("Onlinedienst (OZG)", "E-Akte", "Fachverfahren", "Infrastruktur", "Organisation")
_PHASES = ("Konzeption", "Ausschreibung", "Umsetzung", "Pilotierung", "Rollout", "Betrieb")
_REASONS = (
    "Lieferverzug Dienstleister",
    "Ausschreibung verzögert; Neuplanung Q2",
    "Personalengpass im Fachbereich",
    "Schnittstelle zum Fachverfahren offen",
)
_CONTACTS = ("Frau Schmidt", "Herr Öztürk", "Projektbüro", "Referat ZS C 3", "Frau Nowak")


def project_rows(count: int, *, seed: int = 2026) -> list[list[Any]]:
    """``count`` rows of typed values (``date``, ``float``, ``str`` or ``None``)."""
    rng = random.Random(seed)
    rows: list[list[Any]] = []
    for n in range(1, count + 1):
        status = rng.choices(
            ("geplant", "in Umsetzung", "laufend", "pausiert", "abgeschlossen", "Neuausrichtung"),
            weights=(15, 40, 15, 5, 20, 5),
        )[0]
        light = rng.choices(("grün", "gelb", "rot"), weights=(60, 28, 12))[0]
        start = date(2023, 1, 1) + timedelta(days=rng.randrange(0, 1_300))
        original_end = start + timedelta(days=rng.randrange(180, 1_100))
        baseline_end = original_end + timedelta(days=rng.choice((0, 0, 0, 90, 180)))
        forecast_end = baseline_end + timedelta(days=rng.randrange(-30, 240))
        budget_original = float(rng.randrange(20, 2_000) * 1_000)
        budget = budget_original * rng.choice((1.0, 1.0, 1.1, 1.25))
        forecast = round(budget * rng.uniform(0.85, 1.4), 2)
        actual = round(budget * rng.uniform(0.0, 1.1), 2)
        confidential = rng.random() < 0.02
        keys = "; ".join(
            f"99{rng.randrange(10**10, 10**11)}0" for _ in range(rng.choice((0, 1, 1, 2)))
        )
        rows.append(
            [
                f"V-{n:06d}",
                f"{rng.choice(_KINDS)} {rng.choice(_SUBJECTS)} {n}",
                f"Medienbruchfreie Bearbeitung: {rng.choice(_SUBJECTS)}",
                rng.choice(_PROGRAMMES),
                rng.choice(_TOPICS),
                status,
                rng.choice(_PHASES),
                light,
                rng.choice(_REASONS) if light != "grün" else None,
                float(rng.randrange(1, 6)) if rng.random() < 0.7 else None,
                start,
                start + timedelta(days=rng.randrange(0, 60)) if status != "geplant" else None,
                original_end,
                baseline_end,
                forecast_end,
                budget_original,
                round(budget, 2),
                "vertraulich" if confidential else forecast,
                "vertraulich" if confidential else actual,
                rng.randrange(0, 21) * 5 / 100,
                keys or None,
                rng.choice(_CONTACTS),
                f"vorhaben{n}@senfin.berlin.de",
            ]
        )
    return rows


def write_xlsx(path: Path, rows: list[list[Any]]) -> None:
    """A workbook as an authority sends it: instructions first, then a titled data sheet."""
    workbook = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    notes = workbook.add_worksheet("Hinweise")
    notes.write(0, 0, "Bitte je Vorhaben eine Zeile ausfüllen. Pflichtfelder sind fett.")
    notes.write(1, 0, "Rückfragen an das Projektbüro des CDO.")
    sheet = workbook.add_worksheet(DATA_SHEET)
    bold = workbook.add_format({"bold": True})
    date_format = workbook.add_format({"num_format": "dd.mm.yyyy"})
    money_format = workbook.add_format({"num_format": "#,##0.00 €"})
    percent_format = workbook.add_format({"num_format": "0 %"})
    sheet.write(0, 0, "Digitalisierungsvorhaben – Stand 30.09.2026", bold)
    for column, header in enumerate(HEADERS):
        sheet.write_string(TITLE_ROWS, column, header, bold)
    for r, row in enumerate(rows, start=TITLE_ROWS + 1):
        for c, value in enumerate(row):
            if value is None:
                continue
            if c in _DATE_COLUMNS:
                sheet.write_datetime(r, c, value, date_format)
            elif c in _MONEY_COLUMNS and isinstance(value, float):
                sheet.write_number(r, c, value, money_format)
            elif c == _PROGRESS_COLUMN:
                sheet.write_number(r, c, value, percent_format)
            elif isinstance(value, float):
                sheet.write_number(r, c, value)
            else:
                sheet.write_string(r, c, value)
    workbook.close()


def _german(value: Any, column: int) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.strftime("%d.%m.%Y")
    if column == _PROGRESS_COLUMN:
        return f"{round(value * 100)} %"
    if isinstance(value, float) and column in _MONEY_COLUMNS:
        return f"{value:,.2f}".replace(",", "\u2009").replace(".", ",").replace("\u2009", ".")
    if isinstance(value, float):
        return str(int(value))
    return str(value)


def write_csv(path: Path, rows: list[list[Any]], *, encoding: str = "cp1252") -> None:
    """German Excel's "CSV (Trennzeichen-getrennt)": cp1252, ``;``, CRLF, German numbers."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(["Digitalisierungsvorhaben – Stand 30.09.2026"])
    writer.writerow([])
    writer.writerow(HEADERS)
    for row in rows:
        writer.writerow([_german(v, c) for c, v in enumerate(row)])
    path.write_bytes(buffer.getvalue().encode(encoding))
