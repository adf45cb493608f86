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
        primary="#1F4E9C",
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
        section = config[theme.name]
        configured = [c.upper() for c in section["chartCategoricalColors"]]
        assert configured == [c.upper() for c in theme.categorical], theme.name
        primary = section.get("primaryColor", config.get("primaryColor"))
        assert primary.upper() == theme.primary.upper(), theme.name
        if theme.name == "light":  # the dark text is Streamlit's default
            assert section["textColor"].upper() == theme.text.upper()
    # No other background than the ones the palette was checked against.
    for section in (config, config["light"], config["dark"]):
        assert "backgroundColor" not in section and "secondaryBackgroundColor" not in section
    assert "textColor" not in config and "textColor" not in config["dark"]


def test_caption_contrast_is_checked_at_streamlits_opacity() -> None:
    """Streamlit's own light text #2F2D2B gives captions of #828180 on white: 3.88:1, the
    value axe-core reported on the pages before the text colour was darkened."""
    faded = palette.blend("#2F2D2B", "#FFFFFF", palette.FADED_TEXT_OPACITY)
    assert faded == "#828180"
    assert palette.contrast_ratio(faded, "#FFFFFF") == pytest.approx(3.88, abs=0.01)
    old = palette.ThemeColours(
        name="streamlit-light",
        background="#FFFFFF",
        secondary_background="#F8F8F7",
        text="#2F2D2B",
        primary="#1F4E9C",
        categorical=palette.LIGHT.categorical,
    )
    assert any(p.startswith("streamlit-light: caption #828180") for p in palette.problems(old))


def test_primary_colour_serves_buttons_and_controls() -> None:
    """Streamlit writes white text on primary buttons; a light blue that reads well on the
    dark background fails there (2.1:1 for #8AB4F8)."""
    light_blue = palette.ThemeColours(
        name="x",
        background=palette.DARK.background,
        secondary_background=palette.DARK.secondary_background,
        text=palette.DARK.text,
        primary="#8AB4F8",
        categorical=palette.DARK.categorical,
    )
    assert palette.problems(light_blue) == ["x: button text #FFFFFF on #8AB4F8 = 2.11:1"]


def test_traffic_light_text_never_relies_on_colour_alone() -> None:
    assert palette.traffic_light_text("red") == "🔴 rot"
    assert palette.traffic_light_text("yellow") == "🟡 gelb"
    assert palette.traffic_light_text("green") == "🟢 grün"
    assert palette.traffic_light_text(None) == "–"
