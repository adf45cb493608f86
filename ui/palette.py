"""Colours of the dashboard: colour-blind-safe, with contrast checked in light and dark theme.

WCAG 2.1 AA asks for 4.5:1 between text and its background (1.4.3) and 3:1 for graphical
objects such as chart marks (1.4.11). The categorical colours derive from the Okabe–Ito
palette (designed to stay distinguishable for the common colour-vision deficiencies); the
lighter Okabe–Ito hues (orange, sky blue, yellow) fall below 3:1 on white, so the light
theme replaces them with black and grey instead of darkening them, which would make orange
collapse into vermillion for deuteranopes (measured with :func:`min_distinctness`).

Streamlit applies ``chartCategoricalColors`` of the active theme client-side, so charts that
leave the colour scale alone get the right palette in either theme: ``.streamlit/config.toml``
carries :data:`LIGHT` and :data:`DARK` (a unit test keeps both in step). Charts that must tie
a colour to a category themselves (traffic lights, fixed legends) use the ``*_ANY_THEME``
colours, which pass against both backgrounds. Colour is never the only carrier: traffic
lights and statuses are written out (:func:`traffic_light_text`).
"""

from __future__ import annotations

import itertools
import math
import re
from dataclasses import dataclass

from loaders.enums import TRAFFIC_LIGHT_LABELS

TEXT_MIN_CONTRAST = 4.5  # WCAG 2.1 SC 1.4.3, normal-size text
MARK_MIN_CONTRAST = 3.0  # WCAG 2.1 SC 1.4.11, graphical objects and UI components
FADED_TEXT_OPACITY = 0.6  # Streamlit draws captions and help text at 60 % of the text colour
# Smallest CIE76 colour difference between any two categorical colours, for normal vision and
# simulated protanopia, deuteranopia and tritanopia. Okabe–Ito itself reaches about 16.
MIN_DISTINCTNESS = 15.0

OKABE_ITO: dict[str, str] = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
}


@dataclass(frozen=True)
class ThemeColours:
    """The colours of one Streamlit theme that text and chart marks are drawn on and with."""

    name: str
    background: str
    secondary_background: str
    text: str
    primary: str  # buttons (white text on it), toggles, sliders, focus rings
    categorical: tuple[str, ...]


# Backgrounds are Streamlit 1.67's theme defaults. Light text is darker than Streamlit's
# #2F2D2B: captions are drawn at 60 % opacity, which gave 3.88:1 on white (axe-core).
# Primary: Streamlit writes white text on primary buttons in both themes and uses the colour
# for toggles, sliders and focus rings (3:1 against the background).
LIGHT = ThemeColours(
    name="light",
    background="#FFFFFF",
    secondary_background="#F8F8F7",
    text="#141414",
    primary="#1F4E9C",
    categorical=(
        OKABE_ITO["blue"],
        OKABE_ITO["vermillion"],
        OKABE_ITO["bluish_green"],
        OKABE_ITO["reddish_purple"],
        OKABE_ITO["black"],
        "#666666",
    ),
)
DARK = ThemeColours(
    name="dark",
    background="#171614",
    secondary_background="#2D2B27",
    text="#EDEBE8",
    primary="#3C74C8",
    categorical=(
        OKABE_ITO["sky_blue"],
        OKABE_ITO["orange"],
        OKABE_ITO["bluish_green"],
        OKABE_ITO["reddish_purple"],
        OKABE_ITO["yellow"],
        OKABE_ITO["vermillion"],
    ),
)
THEMES: tuple[ThemeColours, ...] = (LIGHT, DARK)

# For charts that fix colours themselves: readable on both themes' backgrounds.
CATEGORICAL_ANY_THEME: tuple[str, ...] = (
    OKABE_ITO["blue"],
    OKABE_ITO["vermillion"],
    OKABE_ITO["bluish_green"],
    OKABE_ITO["reddish_purple"],
)
TRAFFIC_LIGHT_ANY_THEME: dict[str, str] = {
    "green": OKABE_ITO["bluish_green"],
    "yellow": "#A67C00",
    "red": "#C8102E",
}
TRAFFIC_LIGHT_ICONS: dict[str, str] = {"green": "🟢", "yellow": "🟡", "red": "🔴"}


def traffic_light_text(value: str | None) -> str:
    """Icon *and* word (``🔴 rot``): the emoji alone differs by colour only."""
    if value is None or value not in TRAFFIC_LIGHT_LABELS:
        return "–"
    return f"{TRAFFIC_LIGHT_ICONS[value]} {TRAFFIC_LIGHT_LABELS[value]}"


_HEX = re.compile(r"#?(?:[0-9A-Fa-f]{3}|[0-9A-Fa-f]{6})")


def _channels(colour: str) -> tuple[float, float, float]:
    if not _HEX.fullmatch(colour.strip()):
        raise ValueError(f"not a #RRGGBB colour: {colour!r}")
    text = colour.strip().lstrip("#")
    if len(text) == 3:
        text = "".join(c * 2 for c in text)
    return tuple(int(text[i : i + 2], 16) / 255 for i in (0, 2, 4))  # type: ignore[return-value]


def _linear(channel: float) -> float:
    return channel / 12.92 if channel <= 0.04045 else ((channel + 0.055) / 1.055) ** 2.4


def relative_luminance(colour: str) -> float:
    """WCAG 2.x relative luminance of an sRGB colour."""
    r, g, b = (_linear(c) for c in _channels(colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(first: str, second: str) -> float:
    """WCAG contrast ratio (1 … 21) between two colours, order-independent."""
    high, low = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (high + 0.05) / (low + 0.05)


# Machado, Oliveira & Fernandes (2009), severity 1.0, applied to linear RGB.
_DEFICIENCIES: dict[str, tuple[tuple[float, float, float], ...]] = {
    "normal": ((1.0, 0.0, 0.0), (0.0, 1.0, 0.0), (0.0, 0.0, 1.0)),
    "protanopia": (
        (0.152286, 1.052583, -0.204868),
        (0.114503, 0.786281, 0.099216),
        (-0.003882, -0.048116, 1.051998),
    ),
    "deuteranopia": (
        (0.367322, 0.860646, -0.227968),
        (0.280085, 0.672501, 0.047413),
        (-0.011820, 0.042940, 0.968881),
    ),
    "tritanopia": (
        (1.255528, -0.076749, -0.178779),
        (-0.078411, 0.930809, 0.147602),
        (0.004733, 0.691367, 0.303900),
    ),
}
DEFICIENCIES: tuple[str, ...] = tuple(_DEFICIENCIES)


def _lab(colour: str, deficiency: str) -> tuple[float, float, float]:
    """CIELAB (D65) of ``colour`` as seen with ``deficiency``."""
    matrix = _DEFICIENCIES[deficiency]
    rgb = [_linear(c) for c in _channels(colour)]
    r, g, b = (
        min(max(sum(m * v for m, v in zip(row, rgb, strict=True)), 0.0), 1.0) for row in matrix
    )
    x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047
    y = 0.2126 * r + 0.7152 * g + 0.0722 * b
    z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883

    def f(t: float) -> float:
        return t ** (1 / 3) if t > 0.008856 else 7.787 * t + 16 / 116

    fx, fy, fz = f(x), f(y), f(z)
    return (116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz))


def min_distinctness(colours: tuple[str, ...] | list[str]) -> tuple[float, str, str, str]:
    """Smallest colour difference (CIE76) between two of ``colours`` over all simulated
    visions, with the vision and the pair, so a failing check names the culprit."""
    worst = (math.inf, "", "", "")
    for deficiency in DEFICIENCIES:
        labs = {c: _lab(c, deficiency) for c in colours}
        for a, b in itertools.combinations(colours, 2):
            distance = math.dist(labs[a], labs[b])
            if distance < worst[0]:
                worst = (distance, deficiency, a, b)
    return worst


def blend(colour: str, background: str, opacity: float) -> str:
    """``colour`` drawn at ``opacity`` over ``background``, as the browser composites it."""
    mixed = (
        round((opacity * c + (1 - opacity) * b) * 255)
        for c, b in zip(_channels(colour), _channels(background), strict=True)
    )
    return "#" + "".join(f"{v:02X}" for v in mixed)


def problems(theme: ThemeColours) -> list[str]:
    """Every contrast or distinctness shortfall of ``theme``; empty means it passes."""
    found: list[str] = []
    for background in (theme.background, theme.secondary_background):
        for label, colour in (
            ("text", theme.text),
            ("caption", blend(theme.text, background, FADED_TEXT_OPACITY)),
        ):
            ratio = contrast_ratio(colour, background)
            if ratio < TEXT_MIN_CONTRAST:
                found.append(f"{theme.name}: {label} {colour} on {background} = {ratio:.2f}:1")
        ratio = contrast_ratio(theme.primary, background)
        if ratio < MARK_MIN_CONTRAST:
            found.append(f"{theme.name}: primary {theme.primary} on {background} = {ratio:.2f}:1")
    ratio = contrast_ratio("#FFFFFF", theme.primary)
    if ratio < TEXT_MIN_CONTRAST:
        found.append(f"{theme.name}: button text #FFFFFF on {theme.primary} = {ratio:.2f}:1")
    marks = [*theme.categorical, *CATEGORICAL_ANY_THEME, *TRAFFIC_LIGHT_ANY_THEME.values()]
    for colour in marks:
        ratio = contrast_ratio(colour, theme.background)
        if ratio < MARK_MIN_CONTRAST:
            found.append(f"{theme.name}: mark {colour} on {theme.background} = {ratio:.2f}:1")
    for name, colours in (
        ("categorical", theme.categorical),
        ("any-theme categorical", CATEGORICAL_ANY_THEME),
        ("traffic light", tuple(TRAFFIC_LIGHT_ANY_THEME.values())),
    ):
        distance, vision, a, b = min_distinctness(colours)
        if distance < MIN_DISTINCTNESS:
            found.append(f"{theme.name} {name}: {a} vs {b} under {vision} ΔE {distance:.1f}")
    return found
