"""Page language and page titles: what screen readers and browser tabs announce.

Streamlit's page template declares ``<html lang="en">`` and offers no option to change it;
German text read with English pronunciation rules is hard to follow (WCAG 3.1.1). A one-line
same-origin script rendered with ``st.html`` (no iframe, no network request) sets
``lang="de"`` on the live document after the first script run; the document survives page
switches, so the attribute stays. Screen readers and axe-core read the live DOM.
"""

from __future__ import annotations

import streamlit as st

APP_TITLE = "Digitalisierungs-Dashboard Berlin"
LANGUAGE = "de"
_LANG_SCRIPT = f'<script>document.documentElement.lang = "{LANGUAGE}";</script>'


def set_document_language() -> None:
    """Render the (invisible, zero-height) script that sets ``<html lang="de">``."""
    st.html(_LANG_SCRIPT, unsafe_allow_javascript=True)


def page_title(title: str) -> str:
    """``Übersicht – Digitalisierungs-Dashboard Berlin``: the page first, so tabs and screen
    reader announcements tell pages apart (WCAG 2.4.2)."""
    return f"{title} – {APP_TITLE}" if title and title != APP_TITLE else APP_TITLE


def set_page_title(title: str) -> None:
    st.set_page_config(page_title=page_title(title))
