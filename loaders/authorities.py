"""Resolve what a user typed (id, short or full name) to an authority id."""

from __future__ import annotations

from loaders.errors import LoaderError
from loaders.text import fold
from store import connection as db
from store.reference import authorities


def resolve_authority(text: str) -> str:
    """Case- and punctuation-insensitive: ``ba-mitte``, ``BA Mitte``, ``Bezirksamt Mitte``."""
    wanted = fold(text)
    for aid, name, short, _kind in authorities(db.cursor()):
        if wanted in (fold(aid), fold(name), fold(short)):
            return aid
    raise LoaderError(
        f"Unbekannte Behörde „{text}“. Bitte Kennung, Kurzname oder vollen Namen angeben "
        "(z. B. „ba-mitte“, „BA Mitte“ oder „Bezirksamt Mitte“).",
        detail=f"unknown authority {text!r}",
    )
