"""Cached access to ``kpi`` functions, keyed by ``data_version``.

An upload bumps ``data_version``, so every page reads fresh figures at once while unchanged
data is served from a bounded cache. Only functions of the ``kpi`` package can be called.

Filters change often, the data rarely: a ``kpi`` module may declare, in ``SELECTION_SPLIT``,
that one of its functions is a selection applied to a selection-independent result (function
name → (name of the function computing that result, name of the function applying the
selection to it)). :func:`load` then caches the selection-independent result once per data
version and its own arguments, and each selection's result on its own: a new filter
combination costs the filter, not the whole computation again (issue 8).
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Callable
from typing import Any

import streamlit as st

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
def _cached_applied(
    module: str,
    name: str,
    base_module: str,
    base_name: str,
    database: str,
    version: int,
    base_items: tuple[tuple[str, Any], ...],
    items: tuple[tuple[str, Any], ...],
) -> Any:
    base = _cached(base_module, base_name, database, version, base_items)
    return _kpi_function(module, name)(base, **dict(items))


def _split(function: Callable[..., Any]) -> tuple[Callable[..., Any], Callable[..., Any]] | None:
    """(selection-independent function, function applying the rest) if the module declares
    ``function`` as split (``SELECTION_SPLIT``), else None."""
    module = importlib.import_module(function.__module__)
    names = getattr(module, "SELECTION_SPLIT", {}).get(function.__name__)
    if names is None:
        return None
    return getattr(module, names[0]), getattr(module, names[1])


def load(function: Callable[..., Any], **kwargs: Any) -> Any:
    """Call ``function(cursor, **kwargs)`` through the cache.

    The key holds the database path as well as ``data_version``: two databases (a restored
    backup, test copies) can share a version number but not their contents. For a function
    its module declares as split, the arguments its selection-independent part takes key
    that part; the others (the selection, a grouping, a limit) are applied to its result.
    """
    database, version = str(get_settings().db), db.data_version()
    split = _split(function)
    if split is None:
        return _cached(
            function.__module__, function.__name__, database, version, tuple(sorted(kwargs.items()))
        )
    base, apply = split
    accepted = inspect.signature(base).parameters
    return _cached_applied(
        apply.__module__,
        apply.__name__,
        base.__module__,
        base.__name__,
        database,
        version,
        tuple(sorted((k, v) for k, v in kwargs.items() if k in accepted)),
        tuple(sorted((k, v) for k, v in kwargs.items() if k not in accepted)),
    )
