"""Cached access to ``kpi`` functions, keyed by ``data_version``.

An upload bumps ``data_version``, so every page reads fresh figures at once while unchanged
data is served from a bounded cache. Only functions of the ``kpi`` package can be called.

Metrics whose expensive part does not depend on the analysts' filters are split in two: a
selection-independent ``kpi`` function (cached once per data version and arguments) and a pure
``kpi`` function applying one filter selection to its result (:func:`load_selected`). A new
filter combination then costs the filter, not the whole evaluation again.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

import streamlit as st

from kpi.selection import Selection
from store import connection as db
from store.settings import get_settings


def _kpi_function(module: str, name: str) -> Callable[..., Any]:
    if not module.startswith("kpi."):
        raise ValueError(f"not a kpi function: {module}.{name}")
    return getattr(importlib.import_module(module), name)


@st.cache_data(ttl=get_settings().cache_ttl_seconds, max_entries=512, show_spinner=False)
def _cached(
    module: str, name: str, database: str, version: int, items: tuple[tuple[str, Any], ...]
) -> Any:
    del database, version  # part of the cache key only
    return _kpi_function(module, name)(db.cursor(), **dict(items))


@st.cache_data(ttl=get_settings().cache_ttl_seconds, max_entries=512, show_spinner=False)
def _cached_selected(
    module: str,
    name: str,
    base_module: str,
    base_name: str,
    database: str,
    version: int,
    items: tuple[tuple[str, Any], ...],
    selection: Selection | None,
) -> Any:
    base = _cached(base_module, base_name, database, version, items)
    return _kpi_function(module, name)(base, selection=selection)


def load(function: Callable[..., Any], **kwargs: Any) -> Any:
    """Call ``function(cursor, **kwargs)`` through the cache.

    The key holds the database path as well as ``data_version``: two databases (a restored
    backup, test copies) can share a version number but not their contents.
    """
    return _cached(
        function.__module__,
        function.__name__,
        str(get_settings().db),
        db.data_version(),
        tuple(sorted(kwargs.items())),
    )


def load_selected(
    function: Callable[..., Any],
    base: Callable[..., Any],
    *,
    selection: Selection | None,
    **kwargs: Any,
) -> Any:
    """``function(base(cursor, **kwargs), selection=selection)``, both cached.

    ``base`` is computed once per data version and ``kwargs`` whatever the selection (the same
    cache entry :func:`load` uses); each selection's result is cached on its own, so a warm
    rerun costs no more than :func:`load`.
    """
    return _cached_selected(
        function.__module__,
        function.__name__,
        base.__module__,
        base.__name__,
        str(get_settings().db),
        db.data_version(),
        tuple(sorted(kwargs.items())),
        selection,
    )
