"""Altair chart builders: German number and date locale, colour-blind-safe colours, traffic
lights that carry their word as well as their colour, and a table beside every chart.

The locale travels inside the chart (Vega-Lite ``config.locale``), so axis numbers read
``1.234,5`` and months ``Okt`` in the browser and in exported images alike.
Charts receive aggregated frames only (a handful to a few hundred rows), never raw rows.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

import altair as alt
import pandas as pd
import streamlit as st

from loaders.enums import TRAFFIC_LIGHT_LABELS
from ui.palette import CATEGORICAL_ANY_THEME, TRAFFIC_LIGHT_ANY_THEME, TRAFFIC_LIGHT_ICONS

FORMAT_LOCALE: dict[str, Any] = {
    "decimal": ",",
    "thousands": ".",
    "grouping": [3],
    "currency": ["", "\u00a0€"],
}
TIME_FORMAT_LOCALE: dict[str, Any] = {
    "dateTime": "%A, der %e. %B %Y, %X",
    "date": "%d.%m.%Y",
    "time": "%H:%M:%S",
    "periods": ["AM", "PM"],
    "days": ["Sonntag", "Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag"],
    "shortDays": ["So", "Mo", "Di", "Mi", "Do", "Fr", "Sa"],
    "months": [
        "Januar",
        "Februar",
        "März",
        "April",
        "Mai",
        "Juni",
        "Juli",
        "August",
        "September",
        "Oktober",
        "November",
        "Dezember",
    ],
    "shortMonths": [
        "Jan",
        "Feb",
        "Mrz",
        "Apr",
        "Mai",
        "Jun",
        "Jul",
        "Aug",
        "Sep",
        "Okt",
        "Nov",
        "Dez",
    ],
}
LOCALE = {"number": FORMAT_LOCALE, "time": TIME_FORMAT_LOCALE}

NO_LIGHT = "none"
NO_LIGHT_LABEL = "keine berechnet"
NO_LIGHT_COLOUR = "#767676"  # grey, 4.5:1 on white


def light_label(code: str | None) -> str:
    """``🔴 rot``: icon and word, so the light never depends on colour alone."""
    if code is None or code == NO_LIGHT or (isinstance(code, float) and pd.isna(code)):
        return f"⚪ {NO_LIGHT_LABEL}"
    return f"{TRAFFIC_LIGHT_ICONS[code]} {TRAFFIC_LIGHT_LABELS[code]}"


LIGHT_LABELS = [light_label(code) for code in ("green", "yellow", "red")]
LIGHT_COLOURS = [TRAFFIC_LIGHT_ANY_THEME[code] for code in ("green", "yellow", "red")]
LIGHT_SCALE = alt.Scale(
    domain=[*LIGHT_LABELS, light_label(None)], range=[*LIGHT_COLOURS, NO_LIGHT_COLOUR]
)
# Shapes differ as well: circle, triangle, square, cross.
LIGHT_SHAPES = alt.Scale(
    domain=[*LIGHT_LABELS, light_label(None)], range=["circle", "triangle-up", "square", "cross"]
)


def german(chart: alt.TopLevelMixin) -> alt.TopLevelMixin:
    """Attach the German locale (numbers and dates) to a top-level chart.

    It goes into the chart's config (Vega-Lite ``config.locale``): Streamlit passes only a few
    ``usermeta.embedOptions`` (theme, renderer, padding) on to vega-embed and drops a
    ``formatLocale`` there, while the config travels with the spec to the browser and to
    exported images alike."""
    return chart.configure(locale=LOCALE)


def bar(
    frame: pd.DataFrame,
    *,
    category: str,
    value: str,
    value_title: str,
    sort: Sequence[str] | None = None,
    value_format: str = ",d",
    axis_format: str | None = None,
    height: int | None = None,
    colour: str | None = None,
) -> alt.Chart:
    """Horizontal bars, one per category, with the value written at the end of each bar."""
    order = list(sort) if sort is not None else "-x"
    base = alt.Chart(frame).encode(
        y=alt.Y(f"{category}:N", sort=order, title=None, axis=alt.Axis(labelLimit=240)),
        x=alt.X(f"{value}:Q", title=value_title, axis=alt.Axis(format=axis_format or value_format)),
        tooltip=[
            alt.Tooltip(f"{category}:N"),
            alt.Tooltip(f"{value}:Q", format=value_format, title=value_title),
        ],
    )
    bars = base.mark_bar(color=colour or CATEGORICAL_ANY_THEME[0])
    labels = base.mark_text(align="left", dx=3).encode(
        text=alt.Text(f"{value}:Q", format=value_format)
    )
    return german((bars + labels).properties(height=alt.Step(height or 24)))


def light_stack(
    frame: pd.DataFrame,
    *,
    category: str,
    value: str,
    light: str,
    value_title: str = "Vorhaben",
    sort: Sequence[str] | None = None,
) -> alt.Chart:
    """Stacked bars per category, split by traffic light (colour, legend word and icon)."""
    chart = (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            y=alt.Y(
                f"{category}:N",
                sort=list(sort) if sort is not None else "-x",
                title=None,
                axis=alt.Axis(labelLimit=240),
            ),
            x=alt.X(f"{value}:Q", stack="zero", title=value_title, axis=alt.Axis(format=",d")),
            color=alt.Color(
                f"{light}:N",
                scale=LIGHT_SCALE,
                legend=alt.Legend(title=None, orient="bottom"),
            ),
            order=alt.Order("light_order:Q"),
            tooltip=[f"{category}:N", f"{light}:N", alt.Tooltip(f"{value}:Q", format=",d")],
        )
    )
    return german(chart.properties(height=alt.Step(26)))


def light_matrix(frame: pd.DataFrame, *, row: str, column: str, value: str) -> alt.LayerChart:
    """Self-assessed × computed traffic light as a grid of counts (the count is written in
    every cell; darker = more projects, in one colour-blind-safe hue)."""
    base = alt.Chart(frame).encode(
        y=alt.Y(f"{row}:N", sort=LIGHT_LABELS, title="Ampel laut Meldung"),
        x=alt.X(
            f"{column}:N",
            sort=[*LIGHT_LABELS, light_label(None)],
            title="Ampel berechnet",
            # Narrow screens (390 px): "⚪ keine berechnet" was wider than its column, and
            # Vega-Lite then hid every other label ("gelb", "rot"). Under the axis title
            # "Ampel berechnet" the label "⚪ keine" says the same; no label is ever dropped.
            axis=alt.Axis(
                labelAngle=0,
                orient="top",
                labelExpr=f"replace(datum.label, ' {NO_LIGHT_LABEL}', ' keine')",
                labelOverlap=False,
            ),
        ),
    )
    cells = base.mark_rect(stroke="#ffffff").encode(
        color=alt.Color(
            f"{value}:Q",
            scale=alt.Scale(scheme="blues"),
            legend=None,
        ),
        tooltip=[f"{row}:N", f"{column}:N", alt.Tooltip(f"{value}:Q", format=",d")],
    )
    text = base.mark_text(fontSize=15, fontWeight="bold").encode(
        text=alt.Text(f"{value}:Q", format=",d"),
        color=alt.condition(
            alt.datum[value] > frame[value].max() / 2 if len(frame) else alt.datum[value] > 0,
            alt.value("#ffffff"),
            alt.value("#1a1a1a"),  # on the light cells, whatever the theme
        ),
    )
    return german((cells + text).properties(height=alt.Step(44)))


def timeline(frame: pd.DataFrame, *, label: str, light: str) -> alt.LayerChart:
    """Planned vs forecast end per project: a line from the planned to the forecast end,
    a hollow circle at the plan and a filled mark (shape and colour by computed light) at the
    forecast."""
    base = alt.Chart(frame).encode(
        y=alt.Y(f"{label}:N", sort=None, title=None, axis=alt.Axis(labelLimit=260)),
    )
    rule = base.mark_rule(color="#767676").encode(
        x=alt.X("baseline_end:T", title="Ende", axis=alt.Axis(format="%m/%Y")),
        x2="forecast_end:T",
    )
    planned = base.mark_point(shape="circle", filled=False, size=60, color="#767676").encode(
        x="baseline_end:T",
        tooltip=[
            f"{label}:N",
            alt.Tooltip("baseline_end:T", title="Ende geplant", format="%d.%m.%Y"),
        ],
    )
    forecast = base.mark_point(filled=True, size=80).encode(
        x="forecast_end:T",
        color=alt.Color(
            f"{light}:N",
            scale=LIGHT_SCALE,
            legend=alt.Legend(title="Ampel berechnet", orient="bottom"),
        ),
        shape=alt.Shape(f"{light}:N", scale=LIGHT_SHAPES, legend=None),
        tooltip=[
            f"{label}:N",
            alt.Tooltip("forecast_end:T", title="Ende Prognose", format="%d.%m.%Y"),
            alt.Tooltip("slip_days:Q", title="Verzug in Tagen", format=",d"),
            f"{light}:N",
        ],
    )
    return german((rule + planned + forecast).properties(height=alt.Step(22)))


def trend_lines(
    frame: pd.DataFrame,
    *,
    x: str,
    y: str,
    series: str,
    y_title: str,
    y_format: str = ",d",
    domain: Sequence[str] | None = None,
) -> alt.Chart:
    """One line per series over the periods (colour and dash differ, points are marked)."""
    colours = alt.Scale(
        domain=list(domain) if domain is not None else alt.Undefined,
        range=list(CATEGORICAL_ANY_THEME),
    )
    chart = (
        alt.Chart(frame)
        .mark_line(point=True)
        .encode(
            x=alt.X(f"{x}:O", title=None, axis=alt.Axis(labelAngle=0)),
            y=alt.Y(f"{y}:Q", title=y_title, axis=alt.Axis(format=y_format)),
            color=alt.Color(
                f"{series}:N", scale=colours, legend=alt.Legend(title=None, orient="bottom")
            ),
            strokeDash=alt.StrokeDash(f"{series}:N", legend=None),
            tooltip=[f"{x}:O", f"{series}:N", alt.Tooltip(f"{y}:Q", format=y_format)],
        )
    )
    return german(chart.properties(height=260))


def dates_over_periods(
    frame: pd.DataFrame, *, x: str, y: str, series: str, domain: Sequence[str]
) -> alt.Chart:
    """How dates moved from report to report: one line per kind of date over the periods."""
    chart = (
        alt.Chart(frame)
        .mark_line(point=True)
        .encode(
            x=alt.X(f"{x}:O", title=None, axis=alt.Axis(labelAngle=0)),
            y=alt.Y(f"{y}:T", title=None, axis=alt.Axis(format="%m/%Y")),
            color=alt.Color(
                f"{series}:N",
                scale=alt.Scale(domain=list(domain), range=list(CATEGORICAL_ANY_THEME)),
                legend=alt.Legend(title=None, orient="bottom"),
            ),
            strokeDash=alt.StrokeDash(f"{series}:N", legend=None),
            tooltip=[f"{x}:O", f"{series}:N", alt.Tooltip(f"{y}:T", format="%d.%m.%Y")],
        )
    )
    return german(chart.properties(height=260))


def forecast_chart(
    history: pd.DataFrame, *, projection: pd.DataFrame, target_date: pd.Timestamp
) -> alt.LayerChart:
    """E-Akte share over time: reported points, the projected line to 100 % (dashed) and a
    vertical rule at the target date, labelled."""
    reported = (
        alt.Chart(history)
        .mark_line(point=True, color=CATEGORICAL_ANY_THEME[0])
        .encode(
            x=alt.X("date:T", title=None, axis=alt.Axis(format="%m/%Y")),
            y=alt.Y(
                "share:Q",
                title="Arbeitsplätze mit E-Akte",
                axis=alt.Axis(format=".0%"),
                scale=alt.Scale(domain=[0, 1]),
            ),
            tooltip=[
                alt.Tooltip("period:N", title="Periode"),
                alt.Tooltip("share:Q", title="Quote", format=".1%"),
            ],
        )
    )
    layers: list[alt.Chart] = [reported]
    if not projection.empty:
        layers.append(
            alt.Chart(projection)
            .mark_line(strokeDash=[6, 4], color=CATEGORICAL_ANY_THEME[1])
            .encode(
                x="date:T",
                y="share:Q",
                tooltip=[
                    alt.Tooltip("label:N", title=""),
                    alt.Tooltip("date:T", title="Datum", format="%d.%m.%Y"),
                    alt.Tooltip("share:Q", title="Quote", format=".1%"),
                ],
            )
        )
    target = pd.DataFrame({"date": [target_date], "label": ["Zieltermin"]})
    layers.append(
        alt.Chart(target).mark_rule(color="#767676", strokeDash=[2, 2]).encode(x="date:T")
    )
    layers.append(
        alt.Chart(target)
        .mark_text(align="left", dx=4, dy=-6, baseline="bottom")
        .encode(x="date:T", y=alt.value(12), text="label:N")
    )
    return german(alt.layer(*layers).properties(height=280))


_BUILDERS: dict[str, Callable[..., alt.TopLevelMixin]] = {}


def _registered(function: Callable[..., alt.TopLevelMixin]) -> Callable[..., alt.TopLevelMixin]:
    _BUILDERS[function.__name__] = function
    return function


for _builder in (bar, light_stack, light_matrix, timeline, dates_over_periods, forecast_chart):
    _registered(_builder)


@st.cache_data(max_entries=256, show_spinner=False)
def _spec(name: str, args: tuple[Any, ...], items: tuple[tuple[str, Any], ...]) -> dict[str, Any]:
    spec = _BUILDERS[name](*args, **dict(items)).to_dict()
    # Altair's default theme sets a 300 px view; Streamlit renders Altair without it.
    view = spec.get("config", {}).get("view", {})
    for key in ("continuousWidth", "continuousHeight"):
        view.pop(key, None)
    if "view" in spec.get("config", {}) and not view:
        del spec["config"]["view"]
    return spec


def spec(builder: Callable[..., alt.TopLevelMixin], *args: Any, **kwargs: Any) -> dict[str, Any]:
    """The Vega-Lite spec of an Altair chart built by ``builder``, cached by its input.

    Building an Altair chart and validating it in ``to_dict`` costs 20–50 ms per chart, most
    of a warm rerun; the same aggregated frame gives the same spec, so it is built once."""
    return _spec(builder.__name__, args, tuple(sorted(kwargs.items())))


def chart(
    figure: dict[str, Any] | alt.TopLevelMixin,
    *,
    container: Any = None,
    title: str | None = None,
) -> None:
    """Render a chart; with a ``title`` it also gets PNG and SVG download buttons."""
    target = container if container is not None else st
    if isinstance(figure, dict):
        target.vega_lite_chart(figure, width="stretch")
    else:
        target.altair_chart(figure, width="stretch")
    if title:
        from ui.export import chart_downloads

        if container is None:
            chart_downloads(figure, title=title, key=_chart_key(title))
        else:
            with container:
                chart_downloads(figure, title=title, key=_chart_key(title))


def _chart_key(title: str) -> str:
    return "chart_" + re.sub(r"\W+", "_", title).strip("_").lower()


def show(
    figure: dict[str, Any] | alt.TopLevelMixin,
    table: pd.DataFrame | None = None,
    *,
    title: str | None = None,
    **table_options: Any,
) -> None:
    """The chart and, beside it, the table it was drawn from (screen readers and exports read
    the numbers from the table); a ``title`` adds PNG/SVG downloads of the chart."""
    if table is None:
        chart(figure, title=title)
        return
    left, right = st.columns([3, 2], vertical_alignment="top")
    chart(figure, container=left, title=title)
    right.dataframe(table, hide_index=True, width="stretch", **table_options)


# --- Tables beside the charts -------------------------------------------------------------

DATE = st.column_config.DateColumn(format="DD.MM.YYYY")
COUNT = st.column_config.NumberColumn(format="localized")


def _flags(frame: pd.DataFrame) -> pd.Series:
    """The "Hinweis" column: disagreement first, then overdue and re-baselined."""
    light = pd.Series("", index=frame.index, dtype=object)
    light[frame["self_better_than_computed"].astype(bool)] = "Meldung besser als berechnet"
    light[frame["self_green_computed_red_original"].astype(bool)] = (
        "⚠ selbst grün, ursprünglich rot"
    )
    light[frame["self_green_computed_red"].astype(bool)] = "⚠ selbst grün, berechnet rot"
    notes = pd.DataFrame(
        {
            "light": light,
            "overdue": frame["overdue"].astype(bool).map({True: "überfällig", False: ""}),
            "rebaselined": frame["rebaselined"].astype(bool).map({True: "neu geplant", False: ""}),
        }
    )
    return notes.apply(lambda r: " · ".join(v for v in r if v), axis=1) if len(notes) else light


def project_table(frame: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, Any]]:
    """The project list as shown: German headers and values, lights with icon and word,
    variances in percent, costs that are "nicht gemeldet" or "vertraulich" left empty with
    the state in its own column (never imputed)."""
    from kpi.variance import RULES
    from loaders.enums import COST_STATUS_LABELS, PROGRAMME_LABELS, STATUS_LABELS

    reported = frame["cost_reporting_status"] == "reported"
    table = pd.DataFrame(
        {
            "Behörde": frame["short_name"],
            "Nr.": frame["project_id"],
            "Vorhaben": frame["title"],
            "Programm": frame["programme"].map(PROGRAMME_LABELS),
            "Status": frame["status"].map(STATUS_LABELS),
            "Ampel (Meldung)": frame["traffic_light"].map(light_label),
            "Ampel berechnet": frame["computed_light"].map(light_label),
            "Ampel ursprüngl. Planung": frame["computed_light_original"].map(light_label),
            "Hinweis": _flags(frame),
            "Kostenabw. in %": (frame["cost_variance"] * 100).round(1),
            "Terminabw. in %": (frame["schedule_variance"] * 100).round(1),
            "Ende geplant": frame["baseline_end"],
            "Ende Prognose": frame["forecast_end"],
            "Budget in €": frame["budget"].astype("float64").where(reported),
            "Kostenangabe": frame["cost_reporting_status"].map(COST_STATUS_LABELS),
            "Fortschritt in %": frame["progress_pct"],
        }
    )
    config = {
        "Kostenabw. in %": st.column_config.NumberColumn(
            format="localized", help=RULES["cost_variance"]
        ),
        "Terminabw. in %": st.column_config.NumberColumn(
            format="localized", help=RULES["schedule_variance"]
        ),
        "Ampel berechnet": st.column_config.TextColumn(help=RULES["bands"]),
        "Ampel ursprüngl. Planung": st.column_config.TextColumn(help=RULES["original"]),
        "Ende geplant": DATE,
        "Ende Prognose": DATE,
        "Budget in €": st.column_config.NumberColumn(
            format="localized",
            help="Aktuelle Planung; leer, wenn Kosten nicht gemeldet oder vertraulich sind.",
        ),
        "Fortschritt in %": COUNT,
    }
    return table, config


@st.cache_data(max_entries=128, show_spinner=False)
def _project_table_of(
    module: str, name: str, version: int, items: tuple[tuple[str, Any], ...]
) -> tuple[pd.DataFrame, dict[str, Any]]:
    import importlib

    from ui.data import load

    del version  # part of the cache key only
    if not module.startswith("kpi."):
        raise ValueError(f"not a kpi function: {module}.{name}")
    function = getattr(importlib.import_module(module), name)
    return project_table(load(function, **dict(items)))


def project_table_of(
    function: Callable[..., pd.DataFrame], **kwargs: Any
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """:func:`project_table` of what ``function`` returns through ``ui.data.load``, cached
    by ``data_version`` and the arguments: building the German table costs more than the
    query it shows."""
    from store import connection as db

    return _project_table_of(
        function.__module__, function.__name__, db.data_version(), tuple(sorted(kwargs.items()))
    )


def light_counts_long(frame: pd.DataFrame, *, category: str) -> pd.DataFrame:
    """``projects_by`` output → one row per category and computed light (for light_stack)."""
    rows = []
    for record in frame.itertuples(index=False):
        none = (
            record.projects - record.computed_green - record.computed_yellow - record.computed_red
        )
        for order, (code, count) in enumerate(
            (
                ("green", record.computed_green),
                ("yellow", record.computed_yellow),
                ("red", record.computed_red),
                (None, none),
            )
        ):
            if count:
                rows.append(
                    {
                        category: record.label,
                        "Ampel berechnet": light_label(code),
                        "Vorhaben": int(count),
                        "light_order": order,
                    }
                )
    return pd.DataFrame(rows, columns=[category, "Ampel berechnet", "Vorhaben", "light_order"])


# --- Deltas of headline cards ----------------------------------------------------------------


def delta_text(delta: float | None, *, kind: str = "count") -> str | None:
    """The change against the previous period as a card shows it: ``+9``, ``-3,5 Pp.``,
    ``-55,3 Mio. €`` (money in the card's unit, :func:`money_short`). The sign is ASCII so
    ``st.metric`` colours the arrow correctly."""
    from ui import format as fmt

    if delta is None or (isinstance(delta, float) and pd.isna(delta)):
        return None
    sign = "-" if delta < 0 else "+"
    size = abs(delta)
    if kind == "share":
        return f"{sign}{fmt.number(size * 100, decimals=1)} Pp."
    if kind == "money":
        return f"{sign}{money_short(size)}"
    return f"{sign}{fmt.number(size)}"


def money_short(value: float | None) -> str:
    """``272,6 Mio. €`` for cards, where the full amount would not fit."""
    from ui import format as fmt

    if value is None or pd.isna(value):
        return "–"
    if abs(value) >= 1e9:
        return f"{fmt.number(value / 1e9, decimals=1)} Mrd. €"
    if abs(value) >= 1e6:
        return f"{fmt.number(value / 1e6, decimals=1)} Mio. €"
    return fmt.money(value)
