"""Vorhaben on the demo data: every card of the row counts the projects of the list below it,
in each view (review defect 2), and the timeline's caption says how many projects it shows
(review defect 11)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from streamlit.testing.v1 import AppTest

from ui import format as fmt

APP = str(Path(__file__).resolve().parents[2] / "app.py")


def _app(**query: str | list[str]) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["demo_role"] = "analyst"
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    return at.switch_page("pages/vorhaben.py").run()


def _cards(at: AppTest) -> dict[str, object]:
    return {m.label: m for m in at.metric}


def _expected_cards(table: pd.DataFrame) -> dict[str, str]:
    """The cards as the listed rows give them, counted by hand from the shown table."""
    reported = table["Kostenangabe"] == "gemeldet"
    return {
        "Vorhaben": fmt.number(len(table)),
        "Kosten nicht gemeldet": fmt.number(int((table["Kostenangabe"] == "nicht gemeldet").sum())),
        "Kosten vertraulich": fmt.number(int((table["Kostenangabe"] == "vertraulich").sum())),
        "selbst grün, berechnet rot": fmt.number(
            int(table["Hinweis"].str.contains("selbst grün, berechnet rot", regex=False).sum())
        ),
        "Budget genau": fmt.money(float(table.loc[reported, "Budget in €"].sum()))
        if reported.any()
        else "",
    }


def test_every_card_follows_the_view(demo_db: Path) -> None:
    at = _app()
    assert not at.exception, at.exception
    totals = {label: m.value for label, m in _cards(at).items()}
    narrower = 0
    for view, label in (
        ("all", "alle Vorhaben"),
        ("overdue", "überfällig"),
        ("rebaselined", "neu geplant"),
        ("mismatch", "Ampel-Abweichung"),
    ):
        at.radio(key="ansicht").set_value(view).run()
        assert not at.exception, at.exception
        table = at.dataframe[0].value
        assert at.dataframe[0].proto.placeholder == "–"  # no amount: a dash, not "None"
        expected = _expected_cards(table)
        cards = _cards(at)
        for name in ("Vorhaben", "Kosten nicht gemeldet", "Kosten vertraulich"):
            assert cards[name].value == expected[name], (view, name)
        assert cards["selbst grün, berechnet rot"].value == expected["selbst grün, berechnet rot"]
        budget = cards["Budget (gemeldet)"]
        assert f"Genau: {expected['Budget genau']}." in budget.help, view
        if view != "all":
            # the help texts say which set is counted
            for card in cards.values():
                assert f"Liste „{label}“" in card.help, (view, card.label)
            narrower += cards["Budget (gemeldet)"].value != totals["Budget (gemeldet)"]
    assert narrower == 3  # the views' budgets are not the portfolio's


def test_overdue_link_of_the_overview(demo_db: Path) -> None:
    """The review's steps: the Übersicht's link opens the overdue view from the URL."""
    at = _app(ansicht="überfällig")
    assert not at.exception, at.exception
    table = at.dataframe[0].value
    cards = _cards(at)
    assert cards["Vorhaben"].value == fmt.number(len(table))
    assert cards["Kosten vertraulich"].value == _expected_cards(table)["Kosten vertraulich"]


def test_timeline_caption_counts_the_shown_projects(demo_db: Path) -> None:
    at = _app()
    at.multiselect(key="behoerde").set_value(["ba-mitte"]).run()  # the sidebar filter
    assert not at.exception, at.exception
    timeline = next(d.value for d in at.dataframe if "Verzug in Tagen" in d.value.columns)
    assert 1 < len(timeline) < 25  # BA Mitte has fewer open projects than the chart's limit
    captions = [c.value for c in at.caption if "geplantem Ende (Kreis)" in c.value]
    assert len(captions) == 1
    assert captions[0].startswith(f"Alle {len(timeline)} offenen Vorhaben"), captions[0]
    assert "25" not in captions[0] and "laufenden" not in captions[0]

    full = _app()
    timeline = next(d.value for d in full.dataframe if "Verzug in Tagen" in d.value.columns)
    assert len(timeline) == 25
    captions = [c.value for c in full.caption if "geplantem Ende (Kreis)" in c.value]
    assert captions[0].startswith("Die 25 offenen Vorhaben"), captions[0]
