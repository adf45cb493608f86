"""What differs between upload kinds: fields, validation, the rows' table and their key.

The data path in ``loaders.ingest`` is the same for every kind; each kind registers a
:class:`KindSpec` here. Adding a kind means adding fields, a validator and a store writer.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import duckdb
import pandas as pd

from loaders.errors import NotAllowed, Problem
from loaders.fields import PROJECT_FIELDS, FieldSpec
from loaders.header import MappedTable

if TYPE_CHECKING:
    from store.identity import Identity


@dataclass
class Validated:
    """A converted frame (canonical columns) and every problem found in the file."""

    frame: pd.DataFrame
    problems: list[Problem] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]


@dataclass(frozen=True)
class ValidationContext:
    """What a validator may know beyond the file: who submits, and the strictness settings."""

    authority_id: str
    authority_keys: frozenset[str]
    period_id: str
    strict_light_reason: bool = False
    # (id, short name) of every authority as the database knows them now (admins may rename)
    authorities: tuple[tuple[str, str], ...] = ()


Validator = Callable[[MappedTable, ValidationContext], Validated]
Writer = Callable[[duckdb.DuckDBPyConnection, int, pd.DataFrame], None]


@dataclass(frozen=True)
class KindSpec:
    kind: str
    label: str  # German, e.g. "Vorhabenliste"
    row_noun: str  # German plural for messages, e.g. "Vorhaben"
    fields: tuple[FieldSpec, ...]
    validate: Validator
    write: Writer
    sort_key: str  # column the content hash sorts by, so row order does not matter


def _validate_projects(table: MappedTable, ctx: ValidationContext) -> Validated:
    from loaders.projects import validate_projects

    return validate_projects(
        table,
        authority_keys=set(ctx.authority_keys),
        strict_light_reason=ctx.strict_light_reason,
        authorities=ctx.authorities or None,
    )


def _write_projects(
    cur: duckdb.DuckDBPyConnection, submission_id: int, frame: pd.DataFrame
) -> None:
    from store.submissions import insert_project_rows

    insert_project_rows(cur, submission_id=submission_id, frame=frame)


KINDS: dict[str, KindSpec] = {
    "projects": KindSpec(
        kind="projects",
        label="Vorhabenliste",
        row_noun="Vorhaben",
        fields=PROJECT_FIELDS,
        validate=_validate_projects,
        write=_write_projects,
        sort_key="project_id",
    ),
}


def register(spec: KindSpec) -> None:
    """Add a kind (called at import time by the module that defines it)."""
    KINDS[spec.kind] = spec


def _add_service_kinds() -> None:
    """Service catalogue and service status (``loaders.service_kinds``)."""
    from loaders.service_kinds import build_kinds

    KINDS.update(build_kinds())


_add_service_kinds()


def _add_eakte_kind() -> None:
    """E-Akte rollout status of one authority (``loaders.eakte``)."""
    from loaders.eakte import build_kind

    register(build_kind())


_add_eakte_kind()


# Kinds only the CDO office (admin) submits: the Land-wide service catalogue (DESIGN.md:
# admins manage the catalogue). The page offers them to admins only; this is the loaders'
# own check, so a direct call cannot go around the page.
ADMIN_ONLY_KINDS: frozenset[str] = frozenset({"catalog"})


def check_kind_allowed(kind: str, *, identity: Identity) -> None:
    """Raise NotAllowed (German message) when ``identity`` may not submit ``kind`` at all;
    whether it may submit for the authority is a separate check."""
    if kind in ADMIN_ONLY_KINDS and identity.role != "admin":
        label = KINDS[kind].label if kind in KINDS else kind
        raise NotAllowed(
            f"Den {label} lädt nur die Datenverantwortung des CDO-Büros hoch.",
            detail=f"{identity.role} {identity.name} may not submit kind {kind}",
        )
