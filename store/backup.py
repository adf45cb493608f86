"""Backups and restores of the database file, each proven by a verification step.

A backup is written by DuckDB itself (``COPY FROM DATABASE``) into the backup directory — the
only directory the locked-down connection may write to — as ``*.partial``, then reopened on its
own and compared table by table (row count and an order-independent content fingerprint) and
sequence by sequence with the source. Only a backup that matches is renamed to its final name.

A restore verifies the backup first, keeps the current database beside it
(``<db>.before-restore-<time>``), swaps the file in atomically, and compares the result with the
backup before the app may use it; on any mismatch the previous file is put back.
"""

from __future__ import annotations

import logging
import os
import shutil
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import duckdb

from store import connection as db
from store import lockdown
from store.audit import write_audit
from store.identity import Identity
from store.migrate import available_migrations
from store.settings import get_settings

log = logging.getLogger(__name__)

Fingerprint = dict[str, tuple[int, ...]]


class BackupError(RuntimeError):
    """A backup or restore failed verification; ``message`` is German for the operator."""

    def __init__(self, message: str, *, detail: str | None = None) -> None:
        super().__init__(detail or message)
        self.message = message


@dataclass(frozen=True)
class BackupResult:
    path: Path
    tables: int
    rows: int
    size_bytes: int


@dataclass(frozen=True)
class RestoreResult:
    path: Path
    previous: Path | None
    tables: int
    rows: int


def _quote(identifier: str) -> str:
    """Quote a catalog identifier (names come from DuckDB's own catalog, never from users)."""
    return '"' + identifier.replace('"', '""') + '"'


def fingerprint(cur: duckdb.DuckDBPyConnection, *, catalog: str | None = None) -> Fingerprint:
    """Row count plus two order-independent hashes per table, and each sequence's position."""
    catalog = catalog or cur.execute("SELECT current_database()").fetchall()[0][0]
    tables = cur.execute(
        "SELECT table_name FROM duckdb_tables() WHERE database_name = ? AND schema_name = 'main' "
        "ORDER BY table_name",
        [catalog],
    ).fetchall()
    result: Fingerprint = {}
    for (table,) in tables:
        name = f"{_quote(catalog)}.main.{_quote(table)}"
        row = cur.execute(
            "SELECT count(*), coalesce(bit_xor(hash(t)), 0), "  # noqa: S608 - catalog names
            f"coalesce(sum(hash(t) % 1000000007), 0) FROM {name} AS t"
        ).fetchall()[0]
        result[f"table:{table}"] = tuple(int(v) for v in row)
    for name, last_value in cur.execute(
        "SELECT sequence_name, coalesce(last_value, -1) FROM duckdb_sequences() "
        "WHERE database_name = ? ORDER BY sequence_name",
        [catalog],
    ).fetchall():
        result[f"sequence:{name}"] = (int(last_value),)
    return result


def _row_total(prints: Fingerprint) -> int:
    return sum(v[0] for k, v in prints.items() if k.startswith("table:"))


def _open_locked(path: Path, *, read_only: bool) -> duckdb.DuckDBPyConnection:
    """A separate, locked-down connection to a backup file (no file access beyond it)."""
    con = duckdb.connect(str(path), read_only=read_only)
    lockdown.lock(con, allowed_directories=[])
    return con


def _inspect(path: Path) -> tuple[Fingerprint, int]:
    """(fingerprint, schema version) of a database file, opened read-only on its own."""
    try:
        con = _open_locked(path, read_only=True)
    except duckdb.Error as exc:
        raise BackupError(
            f"„{path.name}“ ist keine lesbare Datenbanksicherung.", detail=str(exc)
        ) from exc
    try:
        prints = fingerprint(con)
        if "table:schema_version" not in prints or "table:submission" not in prints:
            raise BackupError(f"„{path.name}“ ist keine Sicherung dieses Dashboards.")
        version = con.execute("SELECT coalesce(max(version), 0) FROM schema_version").fetchall()
        return prints, int(version[0][0])
    finally:
        con.close()


def _differences(expected: Fingerprint, actual: Fingerprint) -> list[str]:
    keys = sorted(set(expected) | set(actual))
    return [k for k in keys if expected.get(k) != actual.get(k)]


def _fsync(path: Path) -> None:
    with path.open("rb") as handle:
        os.fsync(handle.fileno())
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)


def _require_admin(identity: Identity, action: str) -> None:
    """Backups hold every authority's data: admins (and the command line) only."""
    if identity.role == "admin":
        return
    with db.audit_only_transaction() as audit:
        write_audit(
            audit,
            actor=identity.name,
            role=identity.role,
            action="action_refused",
            detail={"attempted": action},
        )
    raise BackupError(
        "Sicherungen darf nur die Datenverantwortung (Administration) anlegen oder einspielen.",
        detail=f"{identity.role} {identity.name} may not {action}",
    )


def create_backup(*, identity: Identity, now: datetime | None = None) -> BackupResult:
    """Write and verify a backup of the configured database into the backup directory."""
    _require_admin(identity, "create backup")
    settings = get_settings()
    directory = settings.backup_directory
    directory.mkdir(parents=True, exist_ok=True)
    stamp = (now or datetime.now()).strftime("%Y%m%d-%H%M%S")
    final = directory / f"{Path(settings.db).stem}-{stamp}.duckdb"
    partial = final.with_name(final.name + ".partial")
    for leftover in (partial, partial.with_name(partial.name + ".wal")):
        leftover.unlink(missing_ok=True)
    if final.exists():
        raise BackupError(f"Die Sicherung „{final.name}“ gibt es schon; bitte kurz warten.")

    cur = db.connection().cursor()
    try:
        cur.execute("ATTACH ? AS dashboard_backup", [str(partial)])
        try:
            cur.begin()
            source = fingerprint(cur)
            catalog = cur.execute("SELECT current_database()").fetchall()[0][0]
            cur.execute(f"COPY FROM DATABASE {_quote(catalog)} TO dashboard_backup")
            cur.commit()
        except BaseException:
            cur.rollback()
            raise
        finally:
            cur.execute("DETACH dashboard_backup")
    finally:
        cur.close()

    copy, _version = _inspect(partial)
    wrong = _differences(source, copy)
    if wrong:
        partial.unlink(missing_ok=True)
        raise BackupError(
            "Die Sicherung wurde verworfen: Sie stimmt nicht mit der Datenbank überein.",
            detail=f"backup differs in {wrong}",
        )
    _fsync(partial)
    os.replace(partial, final)
    result = BackupResult(
        path=final,
        tables=sum(1 for k in source if k.startswith("table:")),
        rows=_row_total(source),
        size_bytes=final.stat().st_size,
    )
    with db.audit_only_transaction() as audit:
        write_audit(
            audit,
            actor=identity.name,
            role=identity.role,
            action="backup_created",
            detail={"file": final.name, "tables": result.tables, "rows": result.rows},
        )
    return result


def verify_backup(path: Path) -> Fingerprint:
    """Check that ``path`` is a readable backup of this dashboard that the code can migrate."""
    if not path.is_file():
        raise BackupError(f"Die Sicherung „{path}“ wurde nicht gefunden.")
    prints, version = _inspect(path)
    newest = max(number for number, _name, _sql in available_migrations())
    if version > newest:
        raise BackupError(
            f"„{path.name}“ stammt von einer neueren Version des Dashboards "
            f"(Schema {version}, diese Version kennt {newest})."
        )
    return prints


def restore_backup(path: Path, *, identity: Identity, now: datetime | None = None) -> RestoreResult:
    """Replace the configured database by a verified backup; the old file is kept beside it."""
    _require_admin(identity, "restore backup")
    path = Path(path).resolve()
    expected = verify_backup(path)
    target = Path(get_settings().db).resolve()
    if path == target:
        raise BackupError("Die Sicherung ist die aktuelle Datenbank selbst.")
    db.close()
    if target.exists():
        try:  # refuse while another process (the running app) holds the file
            duckdb.connect(str(target)).close()
        except duckdb.IOException as exc:
            if "lock" in str(exc).lower():
                raise db.DatabaseBusyError(str(exc)) from exc
            raise
    stamp = (now or datetime.now()).strftime("%Y%m%d-%H%M%S")
    staging = target.with_name(target.name + ".restoring")
    shutil.copyfile(path, staging)
    _fsync(staging)
    previous: Path | None = None
    wal = target.with_name(target.name + ".wal")
    if target.exists():
        previous = target.with_name(f"{target.name}.before-restore-{stamp}")
        os.replace(target, previous)
        if wal.exists():
            os.replace(wal, previous.with_name(previous.name + ".wal"))
    os.replace(staging, target)
    try:
        restored, _version = _inspect(target)
        wrong = _differences(expected, restored)
        if wrong:
            raise BackupError(
                "Die Wiederherstellung wurde rückgängig gemacht: Das Ergebnis stimmt nicht "
                "mit der Sicherung überein.",
                detail=f"restored database differs in {wrong}",
            )
    except BaseException:
        target.unlink(missing_ok=True)
        if previous is not None:
            os.replace(previous, target)
            old_wal = previous.with_name(previous.name + ".wal")
            if old_wal.exists():
                os.replace(old_wal, wal)
        raise
    with db.audit_only_transaction() as audit:  # opens, migrates and locks the restored file
        write_audit(
            audit,
            actor=identity.name,
            role=identity.role,
            action="backup_restored",
            detail={"file": path.name, "previous": previous.name if previous else None},
        )
    return RestoreResult(
        path=target,
        previous=previous,
        tables=sum(1 for k in expected if k.startswith("table:")),
        rows=_row_total(expected),
    )
