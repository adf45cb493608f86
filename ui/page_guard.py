"""Every page checks for itself that the current identity may open it.

Streamlit 1.67 still discovers the scripts in ``pages/``: in a fresh session a URL naming a
script file (``/audit``, ``/submit``) runs that script directly as the main script, without
``app.py`` — so without sign-in, navigation and role checks. The navigation alone therefore
cannot keep a page closed; each page script calls :func:`guard_page` first.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from ui.navigation import WITHOUT_SIGN_IN, pages_for

ROOT = Path(__file__).resolve().parent.parent


def guard_page(script: str) -> None:
    """Stop the run unless the session's identity (set by ``app.py``) may open ``script``."""
    path = Path(script).resolve().relative_to(ROOT).as_posix()
    if path in WITHOUT_SIGN_IN:
        return
    ctx = st.session_state.get("ctx")
    allowed = {spec.path for spec in pages_for(ctx.identity.role)} if ctx is not None else set()
    if path not in allowed:
        st.error(
            "Diese Seite ist für Ihre Rolle nicht freigegeben oder nur über das Menü des "
            "Dashboards erreichbar. Bitte die Startseite öffnen.",
            icon="⛔",
        )
        st.stop()
