"""A card's change reads in the card's own unit (``272,6 Mio. €`` above ``-55,3 Mio. €``)."""

from __future__ import annotations

import pytest

from ui.charts import delta_text, money_short


@pytest.mark.parametrize(
    ("delta", "kind", "expected"),
    [
        (-55_310_000.0, "money", "-55,3 Mio. €"),
        (600_000.0, "money", "+600.000 €"),
        (1_250_000_000.0, "money", "+1,2 Mrd. €"),
        (-0.161, "share", "-16,1 Pp."),
        (9, "count", "+9"),
        (None, "count", None),
        (float("nan"), "money", None),
    ],
)
def test_delta_text(delta: float | None, kind: str, expected: str | None) -> None:
    assert delta_text(delta, kind=kind) == expected


def test_money_delta_uses_the_unit_of_the_card_value() -> None:
    value, delta = 272_600_000.0, -55_310_000.0
    assert money_short(value).endswith("Mio. €")
    assert delta_text(delta, kind="money").endswith("Mio. €")
