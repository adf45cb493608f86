"""Who is acting: the identity every write and export is checked against."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Role = Literal["public", "analyst", "coordinator", "admin"]

ROLE_LABELS: dict[str, str] = {
    "public": "Öffentlichkeit",
    "analyst": "Analyse (CDO-Büro)",
    "coordinator": "Digitalisierungskoordination",
    "admin": "Datenverantwortung (CDO-Büro)",
}


@dataclass(frozen=True)
class Identity:
    """A signed-in user; ``authority_id`` is set for coordinators only."""

    name: str
    role: Role
    authority_id: str | None = None

    def may_submit_for(self, authority_id: str) -> bool:
        if self.role == "admin":
            return True
        return self.role == "coordinator" and self.authority_id == authority_id


SYSTEM = Identity(name="Kommandozeile", role="admin")
