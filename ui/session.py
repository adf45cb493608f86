"""Per-run context of the app: database readiness, identity, period and publication toggle."""

from __future__ import annotations

import threading
from dataclasses import dataclass

import streamlit as st

from kpi.overview import has_demo_data, periods
from store import connection as db
from store.identity import Identity
from store.settings import get_settings
from ui.data import load
from ui.filters import carry_over_period, remember

_init_lock = threading.Lock()
_ready: set[str] = set()  # database paths initialised by this process


def ensure_database() -> None:
    """Create/migrate the database; on first start with an empty database seed the demo set,
    showing progress, exactly once per process even with several sessions starting."""
    from loaders.setup import has_submissions, initialise

    with _init_lock:
        path = str(get_settings().db)
        if path in _ready and db.is_open(path):
            return
        empty = not has_submissions()
        if empty and get_settings().seed_demo:
            bar = st.progress(0.0, text="Erster Start: Demodaten werden eingespielt …")
            initialise(demo=True, progress=lambda share, text: bar.progress(share, text=text))
            bar.empty()
            st.toast("Demodaten wurden eingespielt.")
        else:
            initialise(demo=False)
        _ready.add(path)


@dataclass(frozen=True)
class Context:
    identity: Identity
    period: str | None
    include_unpublished: bool
    periods: list[str]


def context(identity: Identity | None = None) -> Context:
    """Sidebar controls shared by all pages; the period is bound to the URL (``?periode=``).

    The identity comes from ``ui.auth`` (sign-in, proxy or demo switcher); the public view
    never offers unpublished data.
    """
    if identity is None:
        from ui.auth import identify

        identity = identify().identity
        if identity is None:
            raise RuntimeError("context() needs an identity; app.py shows the sign-in page")
    known = load(periods)
    period = None
    if known:
        carry_over_period(known)  # the URL loses ?periode= when the user switches pages
        period = st.sidebar.selectbox(
            "Berichtsperiode",
            known,
            key="periode",
            bind="query-params",
            help="Quartal, auf das sich alle Zahlen beziehen. Neueste Periode zuerst.",
        )
        remember("periode", period)
    include_unpublished = identity.role != "public" and st.sidebar.toggle(
        "Nicht veröffentlichte Meldungen einbeziehen",
        key="entwuerfe",
        help="Standard: nur veröffentlichte Meldungen. Eingeschaltet zählen auch Entwürfe "
        "und geprüfte, noch nicht veröffentlichte Meldungen.",
    )
    if include_unpublished:
        st.warning(
            "Ansicht enthält **nicht veröffentlichte** Meldungen (Entwürfe). "
            "Zahlen können sich noch ändern.",
            icon="📝",
        )
    if load(has_demo_data):
        st.info(
            "**Demodaten**: Die Behörden sind echt, alle Vorhaben und Zahlen sind erfunden "
            "und dienen nur der Vorführung.",
            icon="ℹ️",
        )
    return Context(
        identity=identity,
        period=period,
        include_unpublished=bool(include_unpublished),
        periods=known,
    )
