"""Cached access to ``kpi`` functions, keyed by ``data_version``.

An upload bumps ``data_version``, so every page reads fresh figures at once while unchanged
data is served from a bounded cache. Only functions of the ``kpi`` package can be called.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

import streamlit as st

from store import connection as db
from store.settings import get_settings


@st.cache_data(ttl=get_settings().cache_ttl_seconds, max_entries=512, show_spinner=False)
def _cached(
    module: str, name: str, database: str, version: int, items: tuple[tuple[str, Any], ...]
) -> Any:
    del database, version  # part of the cache key only
    if not module.startswith("kpi."):
        raise ValueError(f"not a kpi function: {module}.{name}")
    function = getattr(importlib.import_module(module), name)
    return function(db.cursor(), **dict(items))


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
