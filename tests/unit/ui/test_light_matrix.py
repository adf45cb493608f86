"""The traffic-light grid keeps every column label on narrow screens (390 px): Streamlit's
chart theme drops overlapping axis labels, which hid "gelb" and "rot" next to the long
"⚪ keine berechnet"."""

from __future__ import annotations

import pandas as pd

from ui import charts


def _spec() -> dict:
    columns = [*charts.LIGHT_LABELS, charts.light_label(None)]
    grid = pd.DataFrame(
        [(row, column, 1) for row in charts.LIGHT_LABELS for column in columns],
        columns=["Ampel laut Meldung", "Ampel berechnet", "Vorhaben"],
    )
    chart = charts.light_matrix(
        grid, row="Ampel laut Meldung", column="Ampel berechnet", value="Vorhaben"
    )
    return chart.to_dict()


def test_column_labels_are_never_dropped_and_short() -> None:
    spec = _spec()
    x_axes = [layer["encoding"]["x"]["axis"] for layer in spec.get("layer", [])]
    x_axes += [spec["encoding"]["x"]["axis"]] if "encoding" in spec else []
    assert x_axes, spec
    for axis in x_axes:
        assert axis["labelOverlap"] is False
        # "⚪ keine berechnet" is shown as "⚪ keine" under the title "Ampel berechnet"
        assert axis["labelExpr"] == "replace(datum.label, ' keine berechnet', ' keine')"
        assert axis["labelAngle"] == 0
    # the data keep the full label (the table beside the chart shows it)
    values = {row["Ampel berechnet"] for row in _values(spec)}
    assert charts.light_label(None) == "⚪ keine berechnet" and charts.light_label(None) in values


def _values(spec: dict) -> list[dict]:
    datasets = spec.get("datasets", {})
    return [row for rows in datasets.values() for row in rows]
