"""``python -m loaders backup`` and ``python -m loaders restore FILE [--check]``.

Exit codes as for the other commands: 0 done (and verified), 1 verification failed (nothing
replaced), 2 usage error (backup file missing), 3 database unavailable (held by the running app).
"""

from __future__ import annotations

import argparse
import json
import sys

from store.backup import BackupError, create_backup, restore_backup, verify_backup
from store.identity import SYSTEM

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def _mb(size: int) -> str:
    return f"{size / 1_048_576:.1f}".replace(".", ",")


def run_backup_command(args: argparse.Namespace) -> int:
    """Database busy errors propagate to ``loaders.__main__.main`` (exit 3)."""
    if args.command == "backup":
        from loaders.setup import initialise

        initialise(demo=False)
        try:
            result = create_backup(identity=SYSTEM)
        except BackupError as exc:
            print(f"Fehler: {exc.message}", file=sys.stderr)
            return EXIT_FAILED
        if args.json:
            print(
                json.dumps(
                    {
                        "file": str(result.path),
                        "tables": result.tables,
                        "rows": result.rows,
                        "bytes": result.size_bytes,
                        "verified": True,
                    }
                )
            )
        else:
            print(
                f"Sicherung geschrieben und geprüft: {result.path} ({result.tables} "
                f"Tabellen, {result.rows} Zeilen, {_mb(result.size_bytes)} MB)."
            )
        return EXIT_OK

    if not args.file.is_file():
        print(f"Fehler: Die Sicherung „{args.file}“ wurde nicht gefunden.", file=sys.stderr)
        return EXIT_USAGE
    try:
        if args.check:
            prints = verify_backup(args.file)
            tables = sum(1 for k in prints if k.startswith("table:"))
            print(f"Sicherung „{args.file.name}“ ist lesbar und vollständig ({tables} Tabellen).")
            return EXIT_OK
        result = restore_backup(args.file, identity=SYSTEM)
    except BackupError as exc:
        print(f"Fehler: {exc.message}", file=sys.stderr)
        return EXIT_FAILED
    print(
        f"Datenbank aus „{args.file.name}“ wiederhergestellt und geprüft "
        f"({result.tables} Tabellen, {result.rows} Zeilen)."
    )
    if result.previous is not None:
        print(f"Die bisherige Datenbank liegt unter {result.previous}.")
    return EXIT_OK
