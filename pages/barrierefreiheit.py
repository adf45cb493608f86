"""Barrierefreiheit: the accessibility statement with a feedback contact."""

from __future__ import annotations

import streamlit as st

from store.settings import get_settings
from ui.legal import accessibility_statement, render_sections
from ui.page_guard import guard_page

guard_page(__file__)
st.title("Barrierefreiheit")
render_sections(accessibility_statement(get_settings()))
