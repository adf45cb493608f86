"""Barrierefreiheit and Impressum / Datenschutz: registered for every role, texts from the
settings (escaped), the information-request downloads for coordinators and admins only."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from store.settings import get_settings
from ui import legal
from ui.navigation import PAGES, pages_for

APP = str(Path(__file__).resolve().parents[2] / "app.py")
ROLES = ("public", "analyst", "coordinator", "admin")


def _open(path: str, *, role: str = "analyst") -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["demo_role"] = role
    if role == "coordinator":
        at.session_state["demo_authority"] = "ba-pankow"
    at.run()
    at.switch_page(path).run()
    assert not at.exception, at.exception
    assert at.session_state["ctx"].identity.role == role
    return at


def _text(at: AppTest) -> str:
    return "\n".join(m.value for m in at.markdown)


@pytest.mark.parametrize("role", ROLES)
def test_legal_pages_are_registered_for_every_role(role: str) -> None:
    paths = {spec.path for spec in pages_for(role)}
    assert {legal.ACCESSIBILITY_PAGE, legal.IMPRINT_PAGE} <= paths


def test_registered_legal_pages_exist() -> None:
    root = Path(APP).parent
    for path in (legal.ACCESSIBILITY_PAGE, legal.IMPRINT_PAGE):
        assert (root / path).is_file()
        assert sum(spec.path == path for spec in PAGES) == 1


def test_accessibility_statement_with_contact_from_settings(
    demo_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DASHBOARD_A11Y_FEEDBACK_EMAIL", "barrierefreiheit@cdo.example")
    monkeypatch.setenv("DASHBOARD_LEGAL_CONTACT_PHONE", "030 1234-5")
    monkeypatch.setenv("DASHBOARD_A11Y_STATEMENT_DATE", "2026-12-01")
    get_settings.cache_clear()
    at = _open(legal.ACCESSIBILITY_PAGE)

    assert at.title[0].value == "Barrierefreiheit"
    headers = [h.value for h in at.header]
    assert headers == list(legal.accessibility_statement(get_settings()))
    assert "Feedback und Kontakt" in headers and "Durchsetzungsverfahren" in headers
    text = _text(at)
    assert "teilweise vereinbar" in text
    assert "(mailto:barrierefreiheit@cdo.example)" in text
    assert "030 1234\\-5" in text  # escaped for Markdown
    assert "01.12.2026" in text
    for item in legal.KNOWN_LIMITATIONS:
        assert legal.md(item.what) in text


def test_unset_contact_is_said_not_invented(demo_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DASHBOARD_PUBLIC_VIEW", "true")  # offers the public role in demo mode
    get_settings.cache_clear()
    at = _open(legal.ACCESSIBILITY_PAGE, role="public")
    text = _text(at)
    assert f"E-Mail: *{legal.NOT_SET}*" in text
    assert "mailto:" not in text


def test_imprint_and_privacy_notice(demo_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DASHBOARD_LEGAL_ADDRESS", "Musterstraße 1 [Haus *B*], 10178 Berlin")
    monkeypatch.setenv("DASHBOARD_CONTACT_RETENTION_DAYS", "90")
    monkeypatch.setenv("DASHBOARD_PUBLIC_VIEW", "true")
    get_settings.cache_clear()
    at = _open(legal.IMPRINT_PAGE, role="public")

    assert at.title[0].value == "Impressum / Datenschutz"
    assert [h.value for h in at.header][:2] == ["Impressum", "Datenschutzerklärung"]
    assert "Ihre Rechte" in [s.value for s in at.subheader]
    text = _text(at)
    assert r"Musterstraße 1 \[Haus \*B\*\], 10178 Berlin" in text
    assert "**90 Tagen**" in text
    assert "Berliner Beauftragten für Datenschutz und Informationsfreiheit" in text
    # the public and analysts get no information-request downloads
    assert not at.download_button


def test_coordinator_gets_the_export_of_the_own_authority(demo_db: Path) -> None:
    at = _open(legal.IMPRINT_PAGE, role="coordinator")
    labels = [b.label for b in at.download_button]
    assert labels == ["Auskunft als Excel-Datei"]
    assert "BA Pankow" in _text(at)
    assert not at.text_input  # no person search for coordinators


def test_admin_gets_authority_choice_and_person_search(demo_db: Path) -> None:
    at = _open(legal.IMPRINT_PAGE, role="admin")
    assert at.selectbox(key="auskunft_behoerde").label == "Behörde für die Auskunft"
    assert [b.label for b in at.download_button] == ["Auskunft als Excel-Datei"]
    at.text_input(key="auskunft_name").input("Erika Muster").run()
    assert [b.label for b in at.download_button] == [
        "Auskunft als Excel-Datei",
        "Personenauskunft als Excel-Datei",
    ]


def test_analyst_gets_no_information_request(demo_db: Path) -> None:
    at = _open(legal.IMPRINT_PAGE, role="analyst")
    assert not at.download_button
    assert "Auskunft über gespeicherte Daten" not in [h.value for h in at.header]


@pytest.mark.parametrize(
    "path", ["pages/uebersicht.py", legal.ACCESSIBILITY_PAGE, legal.IMPRINT_PAGE]
)
def test_legal_links_at_the_bottom_of_the_page(demo_db: Path, path: str) -> None:
    """A page that runs to its end gets the footer links; one that calls ``st.stop()``
    (an empty state) still has both pages in its sidebar navigation."""
    at = _open(path)
    links = [link.proto.page for link in at.main.get("page_link")]
    url = {p.path: p.url_path for p in PAGES}
    assert links[-2:] == [url[legal.ACCESSIBILITY_PAGE], url[legal.IMPRINT_PAGE]]
    assert at.html and 'lang = "de"' in at.html[0].proto.body


@pytest.mark.parametrize("role", ["analyst", "coordinator", "admin"])
def test_sidebar_menu_links_every_page_of_the_role(demo_db: Path, role: str) -> None:
    """The accessible menu replaces Streamlit's sectioned navigation: one page link per
    registered page of the role, in registry order within each section."""
    at = _open(legal.ACCESSIBILITY_PAGE, role=role)
    menu = [link.proto.page for link in at.sidebar.get("page_link")]
    expected: dict[str, list[str]] = {}
    for spec in pages_for(role):
        expected.setdefault(spec.section, []).append("" if spec.default else spec.url_path)
    assert menu == [url for urls in expected.values() for url in urls]


def test_markdown_escaping() -> None:
    assert legal.md("a*b_c[d](e)") == r"a\*b\_c\[d\]\(e\)"
    assert legal.md(":red[x]") == r"\:red\[x\]"
    assert legal.mail_link("") == f"*{legal.NOT_SET}*"
    assert legal.mail_link("a.b@c.de") == r"[a\.b@c\.de](mailto:a.b@c.de)"
