"""Contrast and colour-blind safety of the palette, and the config that carries it."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from ui import palette

CONFIG = Path(__file__).resolve().parents[3] / ".streamlit" / "config.toml"


def test_contrast_ratio_matches_wcag_reference_values() -> None:
    assert palette.contrast_ratio("#000000", "#FFFFFF") == pytest.approx(21.0)
    assert palette.contrast_ratio("#FFFFFF", "#FFFFFF") == pytest.approx(1.0)
    # WebAIM's checker: #767676 on white is the lightest grey that passes AA (4.54:1).
    assert palette.contrast_ratio("#767676", "#FFFFFF") == pytest.approx(4.54, abs=0.01)
    assert palette.contrast_ratio("#777777", "#FFFFFF") < palette.TEXT_MIN_CONTRAST
    assert palette.contrast_ratio("#FFF", "#000") == palette.contrast_ratio("#000", "#FFF")


def test_invalid_colour_is_refused() -> None:
    with pytest.raises(ValueError, match="RRGGBB"):
        palette.relative_luminance("rot")


@pytest.mark.parametrize("theme", palette.THEMES, ids=lambda t: t.name)
def test_theme_passes_text_mark_and_colour_blind_checks(theme: palette.ThemeColours) -> None:
    assert palette.problems(theme) == []


def test_checks_catch_a_failing_palette() -> None:
    """The original Okabe–Ito orange and sky blue are too light for a white background, and
    orange next to a darkened orange is indistinguishable for deuteranopes."""
    bad = palette.ThemeColours(
        name="bad",
        background="#FFFFFF",
        secondary_background="#FFFFFF",
        text="#999999",
        categorical=("#E69F00", "#56B4E9", "#D55E00", "#B07A00"),
    )
    found = palette.problems(bad)
    assert any("text #999999" in p for p in found)
    assert any("mark #E69F00" in p for p in found)
    assert any("mark #56B4E9" in p for p in found)
    assert any("#D55E00 vs #B07A00" in p or "#B07A00 vs #D55E00" in p for p in found)


def test_deuteranopia_simulation_merges_red_and_green() -> None:
    """Pure red and a green of similar lightness are far apart for normal vision and close
    for a deuteranope; the simulation must show that, or the distinctness check is blind."""
    pair = ("#D55E00", "#6B8E23")
    distance, vision, _a, _b = palette.min_distinctness(pair)
    assert vision in ("deuteranopia", "protanopia")
    assert distance < palette.MIN_DISTINCTNESS


def test_config_carries_the_palette_of_both_themes() -> None:
    config = tomllib.loads(CONFIG.read_text(encoding="utf-8"))["theme"]
    for theme in palette.THEMES:
        configured = [c.upper() for c in config[theme.name]["chartCategoricalColors"]]
        assert configured == [c.upper() for c in theme.categorical], theme.name
    # No other background or text colour than the ones the palette was checked against.
    for section in (config, config["light"], config["dark"]):
        assert "backgroundColor" not in section and "textColor" not in section


def test_traffic_light_text_never_relies_on_colour_alone() -> None:
    assert palette.traffic_light_text("red") == "🔴 rot"
    assert palette.traffic_light_text("yellow") == "🟡 gelb"
    assert palette.traffic_light_text("green") == "🟢 grün"
    assert palette.traffic_light_text(None) == "–"
