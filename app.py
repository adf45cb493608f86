"""Entry point: page config, database readiness, identity, role-based navigation."""

from __future__ import annotations

import streamlit as st

from ui.navigation import pages_for
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
st.navigation(sections).run()
