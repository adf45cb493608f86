"""Entry point: page config, start-up refusals, identity, role-based navigation.

The navigation holds only the pages the current role may open; a page that is not in it
cannot be reached by URL either. Without an identity (signed out, unmapped, expired) the
navigation holds a single gate page.
"""

from __future__ import annotations

import streamlit as st

from store.lockdown import LockdownError
from store.settings import get_settings
from ui import auth
from ui.legal import run_page
from ui.navigation import pages_for, pages_without_sign_in
from ui.page_guard import leave_legacy_page_discovery
from ui.session import context, ensure_database

# The first run of a server process uses Streamlit's legacy pages/ discovery: leave it first.
leave_legacy_page_discovery(__file__)

st.set_page_config(
    page_title="Digitalisierungs-Dashboard Berlin",
    page_icon="🐻",
    layout="wide",
    menu_items={"About": "Steuerungsdashboard der CDO Berlin für Digitalisierungsvorhaben."},
)
# The page menu goes first in the sidebar; ui.legal.run_page fills it (accessible markup).
menu = st.sidebar.container()

refusal = auth.startup_refusal(
    settings=get_settings(), server_address=st.get_option("server.address")
)
if refusal is None and get_settings().auth_mode == "proxy":
    refusal = auth.proxy_misconfiguration()
if refusal is not None:
    st.error(refusal, icon="⛔")
    st.stop()

try:
    ensure_database()
except LockdownError as exc:
    st.error(exc.message, icon="⛔")
    st.stop()

result = auth.identify()
if result.identity is None:
    st.session_state.pop("ctx", None)  # no page may act on an identity from an earlier run
    auth.remember_gate(result)
    gate = [st.Page(auth.gate, title="Anmeldung", icon="🔐", url_path="anmeldung", default=True)]
    notices = [
        st.Page(spec.path, title=spec.title, icon=spec.icon, url_path=spec.url_path)
        for spec in pages_without_sign_in()
    ]
    gate_sections = {"Anmeldung": gate, "Hinweise": notices} if notices else {"Anmeldung": gate}
    run_page(gate_sections, role="public", menu=menu)  # footer links: the legal notices only
    st.stop()

auth.demo_notice()
auth.account_box(result)
ctx = context(result.identity)
st.session_state["ctx"] = ctx

sections: dict[str, list[st.Page]] = {}
for spec in pages_for(ctx.identity.role):
    sections.setdefault(spec.section, []).append(
        st.Page(
            spec.path,
            title=spec.title,
            icon=spec.icon,
            url_path=spec.url_path,
            default=spec.default,
        )
    )
# Language, page title and the links to Barrierefreiheit / Impressum on every page.
run_page(sections, role=ctx.identity.role, menu=menu)
