"""Problems found in a file, and the exceptions that carry German messages to the user."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Problem:
    """One finding, located the way the user sees the file (Excel row, header as written)."""

    severity: Severity
    message: str
    row: int | None = None
    project_id: str | None = None
    column: str | None = None
    value: str | None = None
    field: str | None = None

    def as_dict(self) -> dict[str, object]:
        return asdict(self)

    def as_line(self) -> str:
        """One line for the command line: ``Zeile 7, Spalte „Ampel“ (Wert „orange“): …``."""
        parts = []
        if self.row is not None:
            parts.append(f"Zeile {self.row}")
        if self.project_id:
            parts.append(f"Vorhaben {self.project_id}")
        if self.column:
            parts.append(f"Spalte „{self.column}“")
        if self.value not in (None, ""):
            parts.append(f"Wert „{self.value}“")
        label = "Fehler" if self.severity == "error" else "Hinweis"
        where = ", ".join(parts)
        return f"{label}: {where}: {self.message}" if where else f"{label}: {self.message}"


class LoaderError(Exception):
    """A problem that stops processing; ``message`` is German and shown to the user as is."""

    def __init__(self, message: str, *, detail: str | None = None) -> None:
        super().__init__(detail or message)
        self.message = message
        self.detail = detail or message


class FileRefused(LoaderError):
    """The file was refused before parsing (size, type, content)."""


class NotAllowed(LoaderError):
    """The identity may not perform this action."""
