"""Per-run context of the app: database readiness, identity, period and publication toggle."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field

import streamlit as st

from kpi.overview import has_demo_data, periods
from store import connection as db
from store.identity import Identity
from store.settings import get_settings
from ui.data import load
from ui.filters import carry_over_period, remember, requested

_init_lock = threading.Lock()
_ready: set[str] = set()  # database paths initialised by this process


class DeferredProgress:
    """Progress callback for the demo seed that never lets the page stop the seed halfway.

    Streamlit stops a script run by raising from the next ``st`` call when the visitor closes
    the tab or reruns the page; raised from the progress bar, that would leave the demo set
    half stored. The first such exception stops the updates and is re-raised by
    :meth:`raise_deferred` once the seed is complete.
    """

    def __init__(self, update: Callable[[float, str], object]) -> None:
        self._update = update
        self.deferred: BaseException | None = None

    def __call__(self, share: float, text: str) -> None:
        if self.deferred is not None:
            return
        try:
            self._update(share, text)
        except BaseException as exc:  # noqa: BLE001 - Streamlit's stop/rerun are BaseException
            self.deferred = exc

    def raise_deferred(self) -> None:
        if self.deferred is not None:
            raise self.deferred


def ensure_database() -> None:
    """Create/migrate the database; on first start with an empty database seed the demo set
    (or complete one an earlier start left unfinished), showing progress, exactly once per
    process even with several sessions starting."""
    from loaders.setup import demo_seed_pending, initialise

    with _init_lock:
        path = str(get_settings().db)
        if path in _ready and db.is_open(path):
            return
        if get_settings().seed_demo and demo_seed_pending():
            bar = st.progress(0.0, text="Erster Start: Demodaten werden eingespielt …")
            progress = DeferredProgress(lambda share, text: bar.progress(share, text=text))
            initialise(demo=True, progress=progress)
            _ready.add(path)
            progress.raise_deferred()
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
    # the query the browser asked for, read before a URL-bound widget rewrites it (ui.filters)
    link: dict[str, list[str]] = field(default_factory=dict)


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
    link = requested()
    known = load(periods)
    period = None
    if known:
        carry_over_period(known, url=link)  # the URL loses ?periode= when the user switches pages
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
        link=link,
    )
