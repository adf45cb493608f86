"""The period report ("Lagebericht") for the CDO's briefing: .xlsx and PDF, no Streamlit.

The .xlsx has one sheet per view, the PDF the headline KPIs, the main charts (each with its
numbers beside it) and the list of missing reports. Both state the period, whether
unpublished submissions are included, the as-of date of the data and the export time.
Further views register in ``REPORT_VIEWS``.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import altair as alt
import duckdb
import pandas as pd

from data.reference import AUTHORITY_KIND_LABELS
from kpi import export
from kpi.overview import headline, projects_by_status, reporting_status

log = logging.getLogger(__name__)

STATUS_LABELS = {
    "not_started": "nicht begonnen",
    "in_progress": "in Umsetzung",
    "reorienting": "in Neuausrichtung",
    "paused": "pausiert",
    "completed": "abgeschlossen",
    "cancelled": "abgebrochen",
}
REVIEW_LABELS = {"draft": "Entwurf", "checked": "geprüft", "published": "veröffentlicht"}
# Unicode TrueType fonts looked for in this order (Debian paths); without one the PDF uses
# the built-in Helvetica and replaces characters outside Latin-1 (e.g. € → EUR).
FONT_CANDIDATES = (
    Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
    Path("/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf"),
)
BOLD_CANDIDATES = (
    Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"),
    Path("/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf"),
)


@dataclass(frozen=True)
class ReportView:
    """One sheet of the .xlsx report."""

    sheet: str
    frame: pd.DataFrame
    column_kinds: dict[str, export.ColumnKind] | None = None


@dataclass(frozen=True)
class ReportData:
    period: str
    include_unpublished: bool
    figures: dict[str, object]
    status: pd.DataFrame  # Status, Vorhaben
    reports: pd.DataFrame  # one row per authority expected to report
    by_kind: pd.DataFrame  # Meldequote per authority kind
    missing: pd.DataFrame  # authorities without a report
    views: list[ReportView]

    @property
    def as_of(self) -> dt.datetime | None:
        newest = self.figures.get("newest_report")
        if newest is None or pd.isna(newest):
            return None
        return pd.Timestamp(newest).to_pydatetime()

    def meta(
        self, *, exported_at: dt.datetime, exported_by: str | None = None
    ) -> export.ExportMeta:
        return export.ExportMeta(
            title=f"Lagebericht Digitalisierung Berlin – {self.period}",
            filters=report_filters(
                period=self.period, include_unpublished=self.include_unpublished
            ),
            as_of=self.as_of,
            exported_at=exported_at,
            exported_by=exported_by,
        )


ViewBuilder = Callable[[duckdb.DuckDBPyConnection, str, bool], list[ReportView]]
REPORT_VIEWS: list[ViewBuilder] = []


def report_filters(*, period: str, include_unpublished: bool) -> dict[str, str]:
    return {
        "Berichtsperiode": period,
        "Meldungen": "einschließlich nicht veröffentlichter (Entwürfe)"
        if include_unpublished
        else "nur veröffentlichte",
    }


def collect(
    cur: duckdb.DuckDBPyConnection, *, period: str, include_unpublished: bool = False
) -> ReportData:
    """Everything the report shows, read once so .xlsx and PDF agree."""
    figures = headline(cur, period=period, include_unpublished=include_unpublished)
    status_raw = projects_by_status(cur, period=period, include_unpublished=include_unpublished)
    status = pd.DataFrame(
        {
            "Status": status_raw["status"].map(STATUS_LABELS),
            "Vorhaben": status_raw["projects"].astype("int64"),
        }
    )
    raw = reporting_status(cur, period=period, include_unpublished=include_unpublished)
    reports = pd.DataFrame(
        {
            "Behörde": raw["short_name"],
            "Name": raw["name"],
            "Art": raw["kind"].map(AUTHORITY_KIND_LABELS),
            "gemeldet": raw["reported"].map({True: "ja", False: "nein"}),
            "Meldung Nr.": raw["submission_id"].astype("Int64"),
            "eingegangen am": raw["submitted_at"],
            "Vorhaben": raw["row_count"].astype("Int64"),
            "Prüfstatus": raw["review_status"].map(REVIEW_LABELS),
            "fällig am": raw["due_date"],
            "neueste gemeldete Periode": raw["latest_period"],
        }
    )
    grouped = raw.assign(kind_label=raw["kind"].map(AUTHORITY_KIND_LABELS)).groupby(
        "kind_label", sort=True
    )
    by_kind = pd.DataFrame(
        {
            "Art": list(grouped.groups),
            "gemeldet": grouped["reported"].sum().astype("int64").to_numpy(),
            "erwartet": grouped["reported"].size().astype("int64").to_numpy(),
        }
    )
    by_kind["Meldequote in %"] = (by_kind["gemeldet"] / by_kind["erwartet"] * 100).round(1)
    missing = reports.loc[
        reports["gemeldet"] == "nein",
        ["Behörde", "Name", "Art", "neueste gemeldete Periode", "fällig am"],
    ].reset_index(drop=True)
    rate = figures["reporting_rate"]
    kpis = pd.DataFrame(
        {
            "Kennzahl": [
                "Vorhaben",
                "davon in Umsetzung",
                "Meldequote in %",
                "Behörden mit Meldung",
                "Behörden, die melden sollen",
            ],
            "Wert": [
                float(figures["projects"]),
                float(figures["projects_active"]),
                round(float(rate) * 100, 1) if rate is not None else None,
                float(figures["authorities_reported"]),
                float(figures["authorities_expected"]),
            ],
            "Zählregel": [
                "Vorhaben in der jeweils neuesten Meldung jeder Behörde für die Periode",
                "Vorhaben mit Status „in Umsetzung“ oder „in Neuausrichtung“",
                "Behörden mit Meldung ÷ Behörden, die melden sollen",
                "Behörden mit mindestens einer Vorhabenmeldung für die Periode",
                "Alle Behörden mit Meldepflicht",
            ],
        }
    )
    views = [
        ReportView("Kennzahlen", kpis, {"Wert": "decimal"}),
        ReportView("Vorhaben nach Status", status),
        ReportView("Meldequote nach Art", by_kind, {"Meldequote in %": "percent"}),
        ReportView(
            "Meldungen der Behörden",
            reports,
            {"eingegangen am": "datetime", "fällig am": "date"},
        ),
        ReportView("Fehlende Meldungen", missing, {"fällig am": "date"}),
    ]
    for builder in REPORT_VIEWS:
        views.extend(builder(cur, period, include_unpublished))
    return ReportData(
        period=period,
        include_unpublished=include_unpublished,
        figures=figures,
        status=status,
        reports=reports,
        by_kind=by_kind,
        missing=missing,
        views=views,
    )


def report_file_stem(period: str, *, exported_at: dt.datetime) -> str:
    return f"lagebericht_{period}_{exported_at:%Y-%m-%d_%H%M}"


# --- charts ---------------------------------------------------------------------------------


def status_chart(data: ReportData) -> alt.Chart:
    return (
        alt.Chart(data.status)
        .mark_bar(color="#1f5fa8")
        .encode(
            x=alt.X("Vorhaben:Q", title="Vorhaben", axis=alt.Axis(format="d")),
            y=alt.Y("Status:N", sort=list(data.status["Status"]), title=None),
        )
        .properties(width=360, height=180)
    )


def reporting_chart(data: ReportData) -> alt.Chart:
    return (
        alt.Chart(data.by_kind)
        .mark_bar(color="#3d8b37")
        .encode(
            x=alt.X(
                "Meldequote in %:Q",
                title="Meldequote in %",
                scale=alt.Scale(domain=[0, 100]),
            ),
            y=alt.Y("Art:N", title=None),
        )
        .properties(width=360, height=120)
    )


def _png(chart: alt.Chart) -> bytes:
    import vl_convert as vlc

    spec = chart.to_dict()
    spec.setdefault("background", "white")
    return vlc.vegalite_to_png(spec, scale=2, format_locale="de-DE", time_format_locale="de-DE")


# --- xlsx ------------------------------------------------------------------------------------


def report_xlsx(
    data: ReportData, *, exported_at: dt.datetime, exported_by: str | None = None
) -> bytes:
    """One sheet per view plus the "Info" sheet (filters, as-of date, export time)."""
    buffer = io.BytesIO()
    book = export._workbook(buffer)
    formats = export._book_formats(book)
    meta = data.meta(exported_at=exported_at, exported_by=exported_by)
    export.write_info_sheet(book, formats, meta, rows=None)
    for view in data.views:
        export.write_sheet(
            book, formats, view.frame, sheet_name=view.sheet, column_kinds=view.column_kinds
        )
    book.close()
    return buffer.getvalue()


# --- pdf -------------------------------------------------------------------------------------


def report_pdf(
    data: ReportData, *, exported_at: dt.datetime, exported_by: str | None = None
) -> bytes:
    """A4 portrait: headline KPIs, the two main charts with their numbers, missing reports."""
    from fpdf import FPDF

    meta = data.meta(exported_at=exported_at, exported_by=exported_by)

    class _Report(FPDF):
        def footer(self) -> None:
            self.set_y(-12)
            self.set_font(font, size=8)
            self.set_text_color(90)
            self.cell(
                0,
                6,
                clean(f"{meta.title} · Seite {self.page_no()}/{{nb}}"),
                align="C",
            )

    pdf = _Report(orientation="P", unit="mm", format="A4")
    pdf.set_title(meta.title)
    pdf.set_author("CDO Berlin – Digitalisierungs-Dashboard")
    pdf.set_lang("de-DE")
    pdf.set_creation_date(exported_at.astimezone() if exported_at.tzinfo is None else exported_at)
    font, clean = _fonts(pdf)
    pdf.set_auto_page_break(auto=True, margin=16)
    pdf.add_page()

    pdf.set_font(font, "B", 16)
    pdf.multi_cell(0, 8, clean(meta.title), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(font, size=9)
    pdf.set_text_color(70)
    for line in (
        f"Filter: {meta.filter_text()}",
        f"Datenstand: {meta.as_of_text()} (neueste berücksichtigte Meldung)",
        f"Exportiert am: {export._german_datetime(exported_at)}"
        + (f" von {exported_by}" if exported_by else ""),
    ):
        pdf.multi_cell(0, 5, clean(line), new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(0)
    if data.include_unpublished:
        pdf.ln(1)
        pdf.set_fill_color(255, 236, 179)
        pdf.set_font(font, "B", 10)
        pdf.multi_cell(
            0,
            6,
            clean("ENTWURF: enthält nicht veröffentlichte Meldungen; Zahlen können sich ändern."),
            fill=True,
            new_x="LMARGIN",
            new_y="NEXT",
        )
    pdf.ln(3)

    figures = data.figures
    rate = figures["reporting_rate"]
    cards = (
        ("Vorhaben", german_number(figures["projects"]), "in den aktuellen Meldungen"),
        (
            "davon in Umsetzung",
            german_number(figures["projects_active"]),
            "in Umsetzung oder Neuausrichtung",
        ),
        (
            "Meldequote",
            german_percent(rate),
            f"{figures['authorities_reported']} von {figures['authorities_expected']} Behörden",
        ),
    )
    width = (pdf.w - pdf.l_margin - pdf.r_margin - 8) / 3
    top = pdf.get_y()
    for i, (label, value, note) in enumerate(cards):
        x = pdf.l_margin + i * (width + 4)
        pdf.set_draw_color(190)
        pdf.set_fill_color(242, 246, 251)
        pdf.rect(x, top, width, 26, style="DF")
        pdf.set_xy(x + 3, top + 2)
        pdf.set_font(font, size=9)
        pdf.cell(width - 6, 5, clean(label))
        pdf.set_xy(x + 3, top + 8)
        pdf.set_font(font, "B", 18)
        pdf.cell(width - 6, 9, clean(value))
        pdf.set_xy(x + 3, top + 18)
        pdf.set_font(font, size=7.5)
        pdf.cell(width - 6, 5, clean(note))
    pdf.set_xy(pdf.l_margin, top + 30)

    for heading, chart, table in (
        ("Vorhaben nach Status", status_chart(data), data.status),
        (
            "Meldequote nach Behördenart",
            reporting_chart(data),
            data.by_kind[["Art", "gemeldet", "erwartet", "Meldequote in %"]],
        ),
    ):
        pdf.set_font(font, "B", 12)
        pdf.cell(0, 8, clean(heading), new_x="LMARGIN", new_y="NEXT")
        y = pdf.get_y()
        # the chart leaves the table the room its longest words need (no word breaks)
        room = pdf.w - pdf.l_margin - pdf.r_margin - 4
        chart_width = min(105.0, room - sum(column_needs(pdf, font, clean, table)))
        try:
            image = pdf.image(io.BytesIO(_png(chart)), x=pdf.l_margin, y=y, w=chart_width)
            chart_height = float(getattr(image, "rendered_height", 0) or 55)
        except Exception:  # charts are an illustration; the numbers beside them carry the data
            log.exception("chart rendering failed")
            chart_height = 0.0
        pdf.set_xy(pdf.l_margin + chart_width + 4, y)
        _table(
            pdf,
            font,
            clean,
            table,
            width=pdf.w - pdf.r_margin - pdf.get_x(),
            col_widths=(2.4, 1, 1, 1.3) if len(table.columns) == 4 else None,
        )
        pdf.set_y(max(pdf.get_y(), y + chart_height) + 4)

    pdf.set_font(font, "B", 12)
    missing = data.missing
    pdf.cell(
        0,
        8,
        clean(f"Fehlende Meldungen für {data.period}: {len(missing)}"),
        new_x="LMARGIN",
        new_y="NEXT",
    )
    if missing.empty:
        pdf.set_font(font, size=10)
        pdf.cell(0, 6, clean("Alle Behörden haben gemeldet."), new_x="LMARGIN", new_y="NEXT")
    else:
        listing = missing.assign(
            **{
                "fällig am": missing["fällig am"].map(export._german_datetime),
                "neueste gemeldete Periode": missing["neueste gemeldete Periode"].fillna("–"),
            }
        )[["Behörde", "Name", "Art", "neueste gemeldete Periode", "fällig am"]]
        _table(
            pdf,
            font,
            clean,
            listing,
            width=pdf.w - pdf.l_margin - pdf.r_margin,
            col_widths=(1.1, 2.8, 1.5, 1.2, 0.9),
        )
    pdf.ln(3)
    pdf.set_font(font, size=8)
    pdf.set_text_color(70)
    pdf.multi_cell(
        0,
        4,
        clean(
            "Zählregeln: Vorhaben = Zeilen der jeweils neuesten Meldung jeder Behörde für die "
            "Periode. Meldequote = Behörden mit Meldung ÷ Behörden, die melden sollen. "
            "Quelle: Meldungen der Behörden im Digitalisierungs-Dashboard."
        ),
        new_x="LMARGIN",
        new_y="NEXT",
    )
    return bytes(pdf.output())


def _table(
    pdf: object,
    font: str,
    clean: Callable[[str], str],
    frame: pd.DataFrame,
    *,
    width: float,
    col_widths: tuple[float, ...] | None = None,
) -> None:
    from fpdf.fonts import FontFace

    left = pdf.get_x()  # type: ignore[attr-defined]
    widths = column_widths(pdf, font, clean, frame, width=width, weights=col_widths)
    pdf.set_font(font, size=TABLE_FONT_SIZE)  # type: ignore[attr-defined]
    with pdf.table(  # type: ignore[attr-defined]
        width=width,
        align="LEFT",
        line_height=4.6,
        headings_style=FontFace(emphasis="BOLD", fill_color=(221, 235, 247)),
        first_row_as_headings=True,
        text_align="LEFT",
        col_widths=widths,
    ) as table:
        pdf.l_margin, saved = left, pdf.l_margin  # type: ignore[attr-defined]
        table.row([clean(str(c)) for c in frame.columns])
        for values in frame.itertuples(index=False):
            table.row([clean(_cell(v)) for v in values])
    pdf.l_margin = saved  # type: ignore[attr-defined]
    pdf.set_x(pdf.l_margin)  # type: ignore[attr-defined]


TABLE_FONT_SIZE = 8


def column_needs(
    pdf: object, font: str, clean: Callable[[str], str], frame: pd.DataFrame
) -> list[float]:
    """The narrowest width (mm) of every column in which none of its words has to break: the
    longest word (headings measured in bold) plus the cell margins."""
    margin = 2 * float(pdf.c_margin) + 1.0  # type: ignore[attr-defined]
    need: list[float] = []
    for column in frame.columns:
        pdf.set_font(font, "B", TABLE_FONT_SIZE)  # type: ignore[attr-defined]
        words = [pdf.get_string_width(w) for w in clean(str(column)).split()]  # type: ignore[attr-defined]
        pdf.set_font(font, "", TABLE_FONT_SIZE)  # type: ignore[attr-defined]
        for value in frame[column]:
            words += [pdf.get_string_width(w) for w in clean(_cell(value)).split()]  # type: ignore[attr-defined]
        need.append(max(words, default=0.0) + margin)
    return need


def column_widths(
    pdf: object,
    font: str,
    clean: Callable[[str], str],
    frame: pd.DataFrame,
    *,
    width: float,
    weights: tuple[float, ...] | None = None,
) -> tuple[float, ...]:
    """Column widths in mm, summing to ``width``, in which no word has to break.

    fpdf2 breaks a word that is wider than its cell anywhere ("gemeld|et", "Meldequo|te").
    Every column gets at least its :func:`column_needs`; the rest of the width is shared by
    ``weights`` (equal without). Only if even the longest words do not fit side by side are
    the columns scaled down by their need."""
    need = column_needs(pdf, font, clean, frame)
    if sum(need) >= width:
        return tuple(n * width / sum(need) for n in need)
    shares = list(weights) if weights else [1.0] * len(need)
    fixed: set[int] = set()
    while True:  # columns whose share is below their need keep their need; share the rest
        free = width - sum(need[i] for i in fixed)
        weight = sum(shares[i] for i in range(len(need)) if i not in fixed)
        short = {
            i for i in range(len(need)) if i not in fixed and shares[i] / weight * free < need[i]
        }
        if not short:
            break
        fixed |= short
    return tuple(need[i] if i in fixed else shares[i] / weight * free for i in range(len(need)))


def _cell(value: object) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):  # type: ignore[arg-type]
        return "–"
    if isinstance(value, float):
        return german_number(value, decimals=0 if value.is_integer() else 1)
    if isinstance(value, int):
        return german_number(value)
    return str(value)


def _fonts(pdf: object) -> tuple[str, Callable[[str], str]]:
    """Register a Unicode font if the system has one; else Helvetica with Latin-1 text."""
    regular = next((p for p in FONT_CANDIDATES if p.is_file()), None)
    bold = next((p for p in BOLD_CANDIDATES if p.is_file()), None)
    if regular is not None:
        pdf.add_font("report", "", str(regular))  # type: ignore[attr-defined]
        pdf.add_font("report", "B", str(bold or regular))  # type: ignore[attr-defined]
        return "report", lambda text: text
    return "helvetica", _latin1


def _latin1(text: str) -> str:
    replaced = (
        text.replace("€", "EUR")
        .replace("„", '"')
        .replace("“", '"')
        .replace("–", "-")
        .replace("÷", ":")
        .replace("·", "-")
        .replace("…", "...")
        .replace("→", "->")
    )
    return replaced.encode("latin-1", errors="replace").decode("latin-1")


def german_number(value: object, *, decimals: int = 0) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return "–"
    text = f"{float(value):,.{decimals}f}"  # type: ignore[arg-type]
    return text.replace(",", "\u2009").replace(".", ",").replace("\u2009", ".")


def german_percent(share: object, *, decimals: int = 1) -> str:
    if share is None or (isinstance(share, float) and pd.isna(share)):
        return "–"
    return f"{german_number(float(share) * 100, decimals=decimals)} %"  # type: ignore[arg-type]
