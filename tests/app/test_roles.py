"""Each role: what it may see and do — by page, by URL and by direct function call.

Pages are opened through the real ``app.py`` (AppTest on a real DuckDB file). "By page" means
the navigation a role gets; "by URL" means asking Streamlit for a page's URL path that is not
in that navigation (what a browser does for ``/protokoll``); "by function" calls the write,
read and export functions directly with the role's identity.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from streamlit import config as st_config
from streamlit.testing.v1 import AppTest
from streamlit.util import calc_hash

from kpi.access import log_export
from kpi.audit import audit_entries
from loaders.errors import NotAllowed
from loaders.ingest import ingest
from store import connection as db
from store import lockdown
from store.backup import BackupError, create_backup
from store.identity import Identity
from store.settings import get_settings
from tests.builders import csv_bytes, project_row
from ui.navigation import PAGES, pages_for

APP = str(Path(__file__).resolve().parents[2] / "app.py")
ROLES = ("public", "analyst", "coordinator", "admin")
IDENTITIES = {
    "public": Identity(name="Öffentlichkeit", role="public"),
    "analyst": Identity(name="Ana Lyse", role="analyst"),
    "coordinator": Identity(name="Koordination Mitte", role="coordinator", authority_id="ba-mitte"),
    "admin": Identity(name="Daten Verantwortung", role="admin"),
}
# The role model (DESIGN.md) for the pages that decide it; every other page follows its
# PageSpec, which test_pages_outside_the_navigation_cannot_be_opened checks.
KEY_PAGES = {
    "uebersicht": {"public", "analyst", "coordinator", "admin"},
    "einreichen": {"coordinator", "admin"},
    "pruefung": {"admin"},
    "protokoll": {"admin"},
}
HOSTILE_TITLE = "<img src=x onerror=alert(1)> [klick](javascript:alert(2)) :red[rot] **fett**"
HOSTILE_MARKERS = ("onerror", "javascript:", ":red[", "**fett**")
CONTACT = "Erika Kontaktperson"
CONTACT_EMAIL = "erika.kontakt@ba-mitte.berlin.de"


@pytest.fixture
def public_view(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DASHBOARD_PUBLIC_VIEW", "true")
    get_settings.cache_clear()


def _app(role: str, **user: Any) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["demo_role"] = role
    if role == "coordinator":
        at.session_state["demo_authority"] = "ba-mitte"
    if user:
        at.user = user
    return at.run()


def _open_url_path(at: AppTest, url_path: str) -> AppTest:
    """What a browser asks for at ``/<url_path>``: Streamlit identifies an ``st.Page`` by the
    hash of its URL path, registered or not."""
    at._page_hash = calc_hash(url_path)  # noqa: SLF001 - AppTest has no public URL setter
    return at.run()


def _titles(at: AppTest) -> list[str]:
    return [t.value for t in at.title]


@pytest.mark.parametrize("role", ROLES)
def test_pages_per_role_and_url_access(empty_db: Path, public_view: None, role: str) -> None:
    at = _app(role)
    assert not at.exception, at.exception
    assert _titles(at) == ["Übersicht"]
    registered = set()
    for spec in PAGES:
        try:
            at.switch_page(spec.path)
        except ValueError:
            continue
        registered.add(spec.url_path)
    assert registered == {p.url_path for p in pages_for(role)}
    for url_path, allowed in KEY_PAGES.items():
        if not any(p.url_path == url_path for p in PAGES):
            continue  # page not built yet
        assert (url_path in registered) == (role in allowed), (role, url_path)
        if role not in allowed:  # asking for the URL anyway gives the default page
            title = next(p.title for p in PAGES if p.url_path == url_path)
            opened = _open_url_path(at, url_path)
            assert not opened.exception
            assert title not in _titles(opened)
            assert _titles(opened) == ["Übersicht"]


def test_public_view_is_off_by_default(empty_db: Path) -> None:
    at = _app("analyst")
    options = at.sidebar.selectbox(key="demo_role").options
    assert "Öffentlichkeit" not in options


def test_public_sees_published_aggregates_only(empty_db: Path, public_view: None) -> None:
    at = _app("public")
    assert not at.exception
    assert not [t for t in at.sidebar.toggle if t.key == "entwuerfe"]  # no drafts toggle
    assert {p.url_path for p in pages_for("public")} >= {"uebersicht"}
    assert not {"einreichen", "pruefung", "protokoll"} & {p.url_path for p in pages_for("public")}


DIRECT_CALLS = {
    "submit for ba-mitte": {"coordinator", "admin"},
    "submit for ba-pankow": {"admin"},
    "read audit log": {"admin"},
    "export": {"analyst", "coordinator", "admin"},
    "backup": {"admin"},
}


def _call(action: str, identity: Identity) -> None:
    if action.startswith("submit for"):
        ingest(
            data=csv_bytes([project_row(1)]),
            file_name=f"{identity.role}.csv",
            kind="projects",
            authority=action.rsplit(" ", 1)[1],
            period="2026-Q4",
            identity=identity,
        )
    elif action == "read audit log":
        audit_entries(db.cursor(), identity=identity)
    elif action == "export":
        log_export(identity, what="Übersicht", rows=1, file_format="csv")
    elif action == "backup":
        create_backup(identity=identity, now=dt.datetime(2026, 1, 1, hash(identity.role) % 24))


@pytest.mark.parametrize("role", ROLES)
def test_direct_function_calls_per_role(empty_db: Path, role: str) -> None:
    identity = IDENTITIES[role]
    for action, allowed in DIRECT_CALLS.items():
        refused_before = _refusals()
        if role in allowed:
            _call(action, identity)
            assert _refusals() == refused_before, action
        else:
            with pytest.raises((NotAllowed, BackupError)):
                _call(action, identity)
            assert _refusals() == refused_before + 1, f"{action}: refusal not audit-logged"


def _refusals() -> int:
    row = db.cursor().execute("SELECT count(*) FROM audit_log WHERE action = 'action_refused'")
    return int(row.fetchall()[0][0])


@pytest.fixture
def hostile_db(empty_db: Path) -> Iterator[Path]:
    """One published project of BA Mitte with hostile text and a contact."""
    record = project_row(
        901,
        **{
            "Vorhaben-Nr.": "X-901",
            "Bezeichnung des Vorhabens": HOSTILE_TITLE,
            "Ampel": "rot",
            "Begründung Ampel": "<script>alert(3)</script> :blue[blau]",
            "Ansprechperson": CONTACT,
            "E-Mail": CONTACT_EMAIL,
        },
    )
    result = ingest(
        data=csv_bytes([record]),
        file_name="<img src=x onerror=alert(4)>.csv",
        kind="projects",
        authority="ba-mitte",
        period="2026-Q3",
        identity=IDENTITIES["admin"],
        review_status="published",
    )
    assert result.outcome == "accepted", [p.as_line() for p in result.problems]
    yield empty_db


def _walk(node: Any) -> Iterator[Any]:
    yield node
    for child in getattr(node, "children", {}).values():
        yield from _walk(child)


def _rendered(at: AppTest) -> tuple[list[str], list[str]]:
    """(texts rendered as Markdown/HTML, texts shown literally) of every element."""
    markdown, literal = [], []
    for node in _walk(at._tree):  # noqa: SLF001 - the whole element tree, sidebar included
        proto = getattr(node, "proto", None)
        kind = getattr(node, "type", "")
        if kind in ("markdown", "caption", "latex", "divider", "title", "header", "subheader"):
            markdown.append(str(getattr(node, "value", "")))
        elif kind in ("alert", "error", "warning", "info", "success", "toast", "exception"):
            markdown.append(str(getattr(node, "value", "")))
        elif kind in ("text", "code", "json"):
            literal.append(str(getattr(node, "value", "")))
        elif kind in ("arrow_data_frame", "dataframe", "table"):
            frame = node.value
            literal.extend(str(v) for v in frame.astype(str).to_numpy().ravel())
            literal.extend(str(c) for c in frame.columns)
        elif proto is not None:
            for field in ("label", "help", "body", "placeholder"):
                value = getattr(proto, field, None)
                if isinstance(value, str) and value:
                    markdown.append(value)
    return markdown, literal


@pytest.mark.parametrize("role", ["public", "analyst", "admin"])
def test_untrusted_text_is_literal_and_contacts_stay_private(
    hostile_db: Path, public_view: None, role: str
) -> None:
    """Every page the role may open: hostile text never reaches a Markdown/HTML element, and
    the contact person is never shown to the public or to analysts (admins may see it; the
    coordinator rule is unit-tested in tests/unit/loaders/test_authorisation.py)."""
    at = _app(role)
    seen_contact = seen_hostile = False
    for spec in pages_for(role):
        at.switch_page(spec.path).run()
        assert not at.exception, (spec.url_path, at.exception)
        markdown, literal = _rendered(at)
        for text in markdown:
            for marker in HOSTILE_MARKERS:
                assert marker not in text, (role, spec.url_path, text)
        everything = " ".join(markdown + literal)
        seen_hostile = seen_hostile or any("onerror" in t for t in literal)
        if CONTACT in everything or CONTACT_EMAIL in everything:
            seen_contact = True
            assert role in ("admin", "coordinator"), (role, spec.url_path)
    if role != "admin":
        assert not seen_contact
    else:  # the hostile file name is in the Protokoll, shown literally in a table cell
        assert seen_hostile


def test_names_from_the_identity_provider_are_shown_literally(
    empty_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DASHBOARD_AUTH_MODE", "oidc")
    get_settings.cache_clear()
    now = dt.datetime.now(dt.UTC).timestamp()
    at = _app("analyst", is_logged_in=True, name=HOSTILE_TITLE, groups=["analyst"], iat=now)
    assert not at.exception
    markdown, literal = _rendered(at)
    assert any(HOSTILE_TITLE in t for t in literal)
    assert not [t for t in markdown if "onerror" in t]


# --- identity modes through the app ------------------------------------------------------


@pytest.fixture
def oidc(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DASHBOARD_AUTH_MODE", "oidc")
    get_settings.cache_clear()


def test_oidc_signed_out_sees_only_the_sign_in_page(empty_db: Path, oidc: None) -> None:
    at = _app("admin", is_logged_in=False)
    assert _titles(at) == ["Anmeldung"]
    assert [b.label for b in at.button] == ["Anmelden"]
    with pytest.raises(ValueError):
        at.switch_page("pages/uebersicht.py")
    assert "ctx" not in at.session_state


def test_oidc_role_from_claims(empty_db: Path, oidc: None) -> None:
    now = dt.datetime.now(dt.UTC).timestamp()
    at = _app(
        "analyst",
        is_logged_in=True,
        name="Koordinatorin Mitte",
        groups=["offline_access", "coordinator:BA Mitte"],
        iat=now,
    )
    ctx = at.session_state["ctx"]
    assert (ctx.identity.role, ctx.identity.authority_id) == ("coordinator", "ba-mitte")
    assert "Rolle (Demo)" not in [s.label for s in at.sidebar.selectbox]
    assert "Abmelden" in [b.label for b in at.sidebar.button]
    assert not [w for w in at.warning if "Demo-Modus" in w.value]


def test_oidc_unmapped_user_gets_no_access_and_is_logged(empty_db: Path, oidc: None) -> None:
    now = dt.datetime.now(dt.UTC).timestamp()
    at = _app("admin", is_logged_in=True, name="Fremd", groups=["other-app:admin"], iat=now)
    assert _titles(at) == ["Kein Zugang"]
    assert "keine Rolle" in " ".join(m.value for m in at.markdown)
    with pytest.raises(ValueError):
        at.switch_page("pages/uebersicht.py")
    at.run()  # a rerun does not log the same refusal twice
    refused = audit_entries(db.cursor(), identity=IDENTITIES["admin"], actions=("action_refused",))
    assert list(refused["actor"]).count("Fremd") == 1


def test_oidc_session_older_than_the_maximum_is_closed(
    empty_db: Path, oidc: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DASHBOARD_SESSION_MAX_AGE_HOURS", "8")
    get_settings.cache_clear()
    nine_hours_ago = (dt.datetime.now(dt.UTC) - dt.timedelta(hours=9)).timestamp()
    at = _app("admin", is_logged_in=True, name="Alt", groups=["admin"], iat=nine_hours_ago)
    assert _titles(at) == ["Kein Zugang"]
    assert "abgelaufen" in " ".join(m.value for m in at.markdown)
    at.button(key="auth_again").click().run()  # st.logout: the identity cookie is gone
    assert _titles(at) == ["Anmeldung"]


@pytest.fixture
def proxy(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("DASHBOARD_AUTH_MODE", "proxy")
    get_settings.cache_clear()
    before = st_config.get_option("server.trustedUserHeaders")
    st_config.set_option(
        "server.trustedUserHeaders", {"X-Forwarded-User": "user", "X-Forwarded-Groups": "groups"}
    )
    yield
    st_config.set_option("server.trustedUserHeaders", before)


def test_proxy_headers_give_the_identity(empty_db: Path, proxy: None) -> None:
    at = _app("analyst", user="m.muster", groups="analyst,unrelated")
    assert at.session_state["ctx"].identity == Identity(name="m.muster", role="analyst")
    at = _app("analyst", user="k.koord", groups="coordinator:senfin")
    assert at.session_state["ctx"].identity.authority_id == "senfin"
    at = _app("analyst")  # no header: nobody
    assert _titles(at) == ["Anmeldung"]


def test_proxy_mode_without_trusted_headers_refuses_to_start(
    empty_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DASHBOARD_AUTH_MODE", "proxy")
    get_settings.cache_clear()
    at = _app("admin", user="m.muster", groups="admin")
    assert "server.trustedUserHeaders" in at.error[0].value
    assert not at.title


def test_demo_mode_refuses_a_network_address(empty_db: Path) -> None:
    before = st_config.get_option("server.address")
    st_config.set_option("server.address", "0.0.0.0")
    try:
        at = _app("admin")
    finally:
        st_config.set_option("server.address", before)
    assert "Die App startet nicht" in at.error[0].value
    assert not at.title and "ctx" not in at.session_state


def test_app_refuses_to_start_when_the_lockdown_is_missing(
    empty_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db.close()
    monkeypatch.setattr(lockdown, "apply", lambda con, *, allowed_directories: None)
    at = _app("admin")
    assert not at.exception
    assert "Die App startet nicht" in at.error[0].value
    assert not at.title and "ctx" not in at.session_state


def test_cached_results_never_cross_roles(empty_db: Path) -> None:
    """``ui.data.load`` keys the cache by every argument, so a role-dependent kpi function that
    takes the identity can never serve one role's result to another."""
    from ui.data import load

    admin_view = load(audit_entries, identity=IDENTITIES["admin"])
    assert admin_view is not None
    for role in ("public", "analyst", "coordinator"):
        with pytest.raises(NotAllowed):
            load(audit_entries, identity=IDENTITIES[role])


def test_protokoll_shows_refusals_at_once(empty_db: Path) -> None:
    """Refusals are written without a data_version bump; the admin page still shows them."""
    at = _app("admin")
    at.switch_page("pages/protokoll.py").run()
    before = len(at.dataframe[0].value) if at.dataframe else 0
    with pytest.raises(NotAllowed):
        audit_entries(db.cursor(), identity=IDENTITIES["analyst"])
    at.run()
    assert len(at.dataframe[0].value) == before + 1
    assert "Ana Lyse" in set(at.dataframe[0].value["Wer"])


def test_oidc_public_view_without_sign_in(empty_db: Path, oidc: None, public_view: None) -> None:
    at = _app("admin", is_logged_in=False)
    assert _titles(at) == ["Übersicht"]
    assert at.session_state["ctx"].identity.role == "public"
    assert "Anmelden" in [b.label for b in at.sidebar.button]
    with pytest.raises(ValueError):
        at.switch_page("pages/protokoll.py")
