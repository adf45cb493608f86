"""Every page checks for itself that the current identity may open it.

Streamlit 1.67 still knows the legacy ``pages/`` discovery: the very first script run of a
server process runs in that mode (``PagesManager.uses_pages_directory``), until ``app.py``
calls ``st.navigation``. A first visitor whose URL names a page (``/vorhaben?art=…``, a
bookmark) then gets that page script run directly, without ``app.py`` — without sign-in,
navigation and role checks. The page files are named after their URL paths so that this run
finds the page (a name Streamlit could not find would put a "Page not found" dialog over the
page); :func:`guard_page` then switches the process to ``st.navigation`` for good and reruns,
so ``app.py`` decides what the visitor sees. Any other direct run is refused.
"""

from __future__ import annotations

import logging
from pathlib import Path

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager

from ui.navigation import WITHOUT_SIGN_IN, pages_for

ROOT = Path(__file__).resolve().parent.parent
log = logging.getLogger(__name__)


def _legacy_discovery_run() -> bool:
    """True while Streamlit still runs page scripts found in ``pages/`` without ``app.py``.

    ``st.navigation`` sets the flag to False; a page reached through it never sees True.
    """
    return bool(PagesManager.uses_pages_directory)


def leave_legacy_page_discovery(script: str) -> None:
    """End a legacy-discovery run at once and rerun it through ``st.navigation``.

    Besides running pages without ``app.py``, that run gives widgets other ids than every later
    run (they carry the legacy page's hash), so a visitor's first widget change after a server
    start was lost. The rerun keeps URL path and query; ``app.py``'s navigation resolves it.
    """
    if _legacy_discovery_run():
        log.info("%s run by legacy pages/ discovery; rerunning through st.navigation", script)
        PagesManager.uses_pages_directory = False
        st.rerun()


def guard_page(script: str) -> None:
    """Stop the run unless the session's identity (set by ``app.py``) may open ``script``."""
    leave_legacy_page_discovery(script)
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
