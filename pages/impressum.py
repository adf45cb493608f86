"""Impressum / Datenschutz: who runs the dashboard, which personal data it holds and why."""

from __future__ import annotations

import streamlit as st

from store.settings import get_settings
from ui.legal import imprint, information_request_section, privacy_notice, render_sections
from ui.page_guard import guard_page

settings = get_settings()
guard_page(__file__)
st.title("Impressum / Datenschutz")
render_sections(imprint(settings))
st.header("Datenschutzerklärung", anchor=False)
render_sections(privacy_notice(settings), level=3)

ctx = st.session_state.get("ctx")
if ctx is not None:
    information_request_section(ctx.identity)
