"""Entry point: page config, database readiness, identity, navigation."""

from __future__ import annotations

import streamlit as st

from ui.session import context, ensure_database

st.set_page_config(
    page_title="Digitalisierungs-Dashboard Berlin",
    page_icon="🐻",
    layout="wide",
    menu_items={"About": "Steuerungsdashboard der CDO Berlin für Digitalisierungsvorhaben."},
)

ensure_database()
ctx = context()
st.session_state["ctx"] = ctx

pages = [
    st.Page("pages/overview.py", title="Übersicht", icon="📊", url_path="uebersicht", default=True),
]
st.navigation(pages).run()
