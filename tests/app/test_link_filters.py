"""Links inside the app carry their filters to the target page, and link values the app does
not know are ignored with a German notice.

A link is followed the way the browser does it: the ``st.page_link``'s page and query string
become the next run's page and query, with the session (and the widget values of the page the
link was on) kept. Streamlit drops, on such a page switch, every parameter a widget of the
previous page was bound to and lets the widget's previous value win; the filters of the link
were lost (review defect 1).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from urllib.parse import parse_qs, parse_qsl

from streamlit.testing.v1 import AppTest

from kpi.portfolio import light_disagreements
from kpi.selection import Selection, filter_options
from kpi.variance import project_variance
from store import connection as db
from ui import format as fmt
from ui.navigation import PAGES

APP = str(Path(__file__).resolve().parents[2] / "app.py")
PERIOD = "2026-Q3"
NEWEST = "2026-Q3"  # the demo data's newest period: the period selectbox's default


def _start(page: str | None = None, **query: str | list[str]) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["demo_role"] = "analyst"
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, at.exception
    if page is not None:
        at.switch_page(page).run()
        assert not at.exception, at.exception
    return at


def _link(at: AppTest, label: str):  # noqa: ANN202 - AppTest's PageLink element
    matches = [link for link in at.page_link if link.value == label]
    assert len(matches) == 1, [link.value for link in at.page_link]
    return matches[0]


def _follow(at: AppTest, link) -> dict[str, list[str]]:  # noqa: ANN001
    """Click ``link`` as the browser does: the next run gets the link's page and a query made
    of the current URL's bound parameters (sorted by name) followed by the link's own."""
    current = [
        (key, value)
        for key, values in sorted(at.query_params.items())
        for value in (values if isinstance(values, list) else [values])
    ]
    own = parse_qsl(link.proto.query_string, keep_blank_values=True)
    # AppTest url-encodes its query_params; a list of pairs keeps the browser's order
    at.query_params = [*current, *own]
    target = next(spec for spec in PAGES if spec.url_path == link.proto.page.strip("/"))
    at.switch_page(target.path).run()
    assert not at.exception, at.exception
    return parse_qs(link.proto.query_string, keep_blank_values=True)


def _metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def _captions(at: AppTest) -> list[str]:
    return [c.value for c in at.caption]


def _authority_ids(short_names: list[str]) -> tuple[str, ...]:
    by_name = {name: code for code, name in filter_options(db.cursor())["authorities"]}
    return tuple(by_name[name] for name in short_names)


def _warnings(at: AppTest) -> list[str]:
    """The notices about a link (the demo mode has warnings of its own)."""
    return [w.value for w in at.warning if "Link" in w.value]


def test_evidence_link_of_a_recommendation_opens_the_filtered_project_view(
    demo_db: Path,
) -> None:
    at = _start("pages/empfehlungen.py")
    at.multiselect(key="regel").set_value(["light_mismatch"]).run()
    assert not at.exception, at.exception
    params = _follow(at, _link(at, "Auf der Seite „Vorhaben“ ansehen"))
    assert params["ansicht"] == ["Ampel-Abweichung"]
    assert len(params["behoerde"]) == 1 and params["ampel"] == ["grün", "gelb"]

    authorities = _authority_ids(params["behoerde"])
    assert at.multiselect(key="behoerde").value == list(authorities)
    assert at.multiselect(key="ampel").value == ["green", "yellow"]
    assert at.radio(key="ansicht").value == "mismatch"
    assert f"Gefiltert: Behörde\\: {params['behoerde'][0]} · Ampel \\(Meldung\\)\\: grün, gelb" in (
        _captions(at)
    )
    selection = Selection(authorities=authorities, lights=("green", "yellow"))
    args = {"period": PERIOD, "today": date.today()}
    expected = len(light_disagreements(db.cursor(), selection=selection, **args))
    everything = len(light_disagreements(db.cursor(), selection=Selection(), **args))
    assert 0 < expected < everything  # the filter makes a visible difference
    assert _metric(at, "Vorhaben") == fmt.number(expected)
    assert not _warnings(at)
    # the URL of the view (bookmark) carries the filters again
    assert at.query_params["behoerde"] == params["behoerde"][0]
    assert at.query_params["ampel"] == ["grün", "gelb"]


def test_link_replaces_the_filters_of_the_page_it_was_on(demo_db: Path) -> None:
    """The Behörden page's link to one authority's project list, clicked while the sidebar
    holds another authority and a traffic light: the link's values win, the rest stays."""
    at = _start("pages/behoerden.py", behoerde=["LABO", "Polizei"], ampel="rot")
    at.selectbox(key="profil").set_value("labo").run()
    assert not at.exception, at.exception
    params = _follow(at, _link(at, "In der Vorhabenliste öffnen"))
    assert params["behoerde"] == ["LABO"] and params["ampel"] == ["rot"]
    assert at.multiselect(key="behoerde").value == ["labo"]
    assert at.multiselect(key="ampel").value == ["red"]
    selection = Selection(authorities=("labo",), lights=("red",))
    expected = len(
        project_variance(db.cursor(), period=PERIOD, today=date.today(), selection=selection)
    )
    assert _metric(at, "Vorhaben") == fmt.number(expected)


def test_link_to_another_period_switches_the_period(demo_db: Path) -> None:
    at = _start("pages/empfehlungen.py")
    at.query_params.clear()
    at.query_params.update({"periode": "2026-Q1", "behoerde": "LABO"})
    at.switch_page("pages/vorhaben.py").run()
    assert not at.exception, at.exception
    assert at.selectbox(key="periode").value == "2026-Q1"
    assert at.multiselect(key="behoerde").value == ["labo"]
    assert any(c.startswith("Berichtsperiode 2026-Q1 ·") for c in _captions(at))


def test_sidebar_switch_keeps_the_filters(demo_db: Path) -> None:
    """Without a query (the sidebar menu) the previous page's filters stay."""
    at = _start("pages/vorhaben.py", periode="2026-Q2", art="Bezirksamt", ampel="rot")
    assert at.multiselect(key="art").value == ["district_office"]
    at.query_params.clear()
    at.switch_page("pages/uebersicht.py").run()
    assert not at.exception, at.exception
    assert at.selectbox(key="periode").value == "2026-Q2"
    assert at.multiselect(key="art").value == ["district_office"]
    assert at.multiselect(key="ampel").value == ["red"]
    assert not _warnings(at)


def test_unknown_period_in_the_url_is_named_and_the_newest_shown(demo_db: Path) -> None:
    at = _start(periode="2030-Q1")  # a bookmark opened in a new tab: the session's first run
    assert at.selectbox(key="periode").value == NEWEST
    assert _warnings(at) == [
        "Die Berichtsperiode „2030\\-Q1“ aus dem Link gibt es nicht; sie wurde ignoriert. "
        f"Gezeigt wird {NEWEST}."
    ]
    # the next run (any click) no longer carries the value, so the notice is gone
    at.run()
    assert not _warnings(at)


def test_unknown_filter_values_in_the_url_are_named(demo_db: Path) -> None:
    at = _start(behoerde=["LABO", "Unsinn"], ampel="lila")
    assert at.multiselect(key="behoerde").value == ["labo"]  # the known value applies
    assert at.multiselect(key="ampel").value == []
    assert _warnings(at) == [
        "Unbekannte Werte im Link wurden ignoriert: Behörde „Unsinn“; Ampel (Meldung) „lila“. "
        "Gezeigt wird die Auswahl ohne diese Werte."
    ]
    assert "Gefiltert: Behörde\\: LABO" in _captions(at)


def test_unknown_values_on_a_link_inside_the_app_are_named(demo_db: Path) -> None:
    """After a page switch too: the previous page's values do not come back silently."""
    at = _start("pages/uebersicht.py", behoerde="LABO")
    at.query_params.clear()
    at.query_params.update({"behoerde": "Unsinn", "periode": "1999-Q9"})
    at.switch_page("pages/vorhaben.py").run()
    assert not at.exception, at.exception
    assert at.multiselect(key="behoerde").value == []
    assert at.selectbox(key="periode").value == NEWEST
    warnings = _warnings(at)
    assert any("„1999\\-Q9“" in w and f"Gezeigt wird {NEWEST}" in w for w in warnings)
    assert any("Behörde „Unsinn“" in w for w in warnings)


def test_notice_escapes_and_shortens_what_the_url_says(demo_db: Path) -> None:
    noise = "**fett** [x](http://example.org)" + "y" * 80
    at = _start(status=[noise, *(f"s{i}" for i in range(6))])
    (warning,) = _warnings(at)
    assert "**" not in warning.replace("\\*", "")
    assert "](" not in warning.replace("\\]\\(", "")
    assert "y" * 80 not in warning and "…" in warning
    assert warning.count("„") == 5 and "und 2 weitere" in warning
    assert at.multiselect(key="status").value == []


def test_unknown_values_of_a_page_s_own_parameters_are_named(demo_db: Path) -> None:
    at = _start("pages/vorhaben.py", ansicht="Unsinn")
    assert at.radio(key="ansicht").value == "all"
    assert _warnings(at) == [
        "Unbekannte Werte im Link wurden ignoriert: Ansicht „Unsinn“. "
        "Gezeigt wird die Auswahl ohne diese Werte."
    ]
    at.query_params = {"regel": "Quatsch", "stand": ["offen", "erledigt"]}
    at.switch_page("pages/empfehlungen.py").run()
    assert not at.exception, at.exception
    assert at.multiselect(key="stand").value == ["open"]
    assert _warnings(at) == [
        "Unbekannte Werte im Link wurden ignoriert: Regel „Quatsch“; Bearbeitungsstand "
        "„erledigt“. Gezeigt wird die Auswahl ohne diese Werte."
    ]


def test_unknown_group_project_and_profile_in_the_url_are_named(demo_db: Path) -> None:
    at = _start("pages/vorhaben.py", gruppe="Unsinn", vorhaben="XY · 1 · gibt es nicht")
    assert at.get("segmented_control")[0].value == "status"
    assert _warnings(at) == [
        "Unbekannte Werte im Link wurden ignoriert: Gruppe „Unsinn“. "
        "Gezeigt wird die Auswahl ohne diese Werte.",
        "Unbekannte Werte im Link wurden ignoriert: Vorhaben „XY · 1 · gibt es nicht“. "
        "Gezeigt wird die Auswahl ohne diese Werte.",
    ]
    at.query_params = {"profil": "Nirgendwo"}
    at.switch_page("pages/behoerden.py").run()
    assert not at.exception, at.exception
    assert at.selectbox(key="profil").value is None
    assert _warnings(at) == [
        "Unbekannte Werte im Link wurden ignoriert: Profil „Nirgendwo“. "
        "Gezeigt wird die Auswahl ohne diese Werte."
    ]
