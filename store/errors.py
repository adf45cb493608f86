"""The one shape of a refused write in ``store``: a German message for the page, English
detail for the log (``str(exc)``)."""

from __future__ import annotations


class Refused(Exception):
    """A write that is not allowed; ``message`` is German and shown as is."""

    def __init__(self, message: str, *, detail: str | None = None) -> None:
        super().__init__(detail or message)
        self.message = message
