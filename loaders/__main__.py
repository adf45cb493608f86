"""Command line: ``python -m loaders init [--demo]``, ``ingest FILE ...``, ``backup``, ``restore FILE``.

Exit codes: 0 accepted (or already present), 1 rejected, 2 usage error (missing file,
unknown authority, kind or period), 3 database unavailable (e.g. held by the running app).
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

from loaders.errors import LoaderError
from loaders.kinds import KINDS
from store import connection as db
from store.identity import SYSTEM

EXIT_OK, EXIT_REJECTED, EXIT_USAGE, EXIT_DATABASE = 0, 1, 2, 3


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # German usage errors, exit 2
        self.print_usage(sys.stderr)
        print(f"Fehler: {message}", file=sys.stderr)
        raise SystemExit(EXIT_USAGE)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m loaders", description="Daten ins Dashboard laden")
    sub = parser.add_subparsers(dest="command", required=True)
    init = sub.add_parser("init", help="Datenbank anlegen oder aktualisieren")
    init.add_argument("--demo", action="store_true", help="Demodaten einspielen")
    ingest = sub.add_parser("ingest", help="Eine Datei einlesen")
    ingest.add_argument("file", type=Path)
    ingest.add_argument("--kind", required=True, choices=sorted(KINDS))
    ingest.add_argument("--authority", required=True, help="Kennung, Kurzname oder Name")
    ingest.add_argument("--period", required=True, help="Berichtsperiode, z. B. 2026-Q3")
    ingest.add_argument(
        "--publish", action="store_true", help="Meldung sofort veröffentlichen (sonst Entwurf)"
    )
    ingest.add_argument("--json", action="store_true", help="Ergebnis als JSON ausgeben")
    backup = sub.add_parser("backup", help="Datenbank sichern und die Sicherung prüfen")
    backup.add_argument("--json", action="store_true", help="Ergebnis als JSON ausgeben")
    restore = sub.add_parser("restore", help="Datenbank aus einer geprüften Sicherung herstellen")
    restore.add_argument("file", type=Path)
    restore.add_argument(
        "--check", action="store_true", help="Sicherung nur prüfen, nichts ersetzen"
    )
    from loaders.retention_cli import add_parser as add_retention_parser

    add_retention_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    args = build_parser().parse_args(argv)
    try:
        if args.command == "init":
            return _init(args)
        if args.command == "retention":
            from loaders.retention_cli import run_retention_command

            return run_retention_command(args)
        if args.command in ("backup", "restore"):
            from loaders.backup_cli import run_backup_command

            return run_backup_command(args)
        return _ingest(args)
    except db.DatabaseBusyError as exc:
        logging.getLogger(__name__).info("database busy: %s", exc)
        print(
            "Fehler: Die Datenbank wird gerade von einem anderen Prozess (z. B. der laufenden "
            "App) verwendet. Bitte die Datei über die App hochladen oder die App beenden.",
            file=sys.stderr,
        )
        return EXIT_DATABASE
    except Exception:  # last resort: a German line for the user, the detail in the log
        logging.getLogger(__name__).exception("unexpected failure")
        print(
            "Fehler: Ein unerwarteter Fehler ist aufgetreten; es wurden keine Daten geändert. "
            "Details stehen im Protokoll.",
            file=sys.stderr,
        )
        return EXIT_DATABASE
    finally:
        db.close()


def _init(args: argparse.Namespace) -> int:
    from loaders.setup import initialise

    result = initialise(demo=args.demo)
    print(f"Datenbank bereit (Schema-Version {result.schema_version}).")
    if args.demo:
        if result.demo_submissions:
            print(f"Demodaten eingespielt: {result.demo_submissions} Meldungen.")
        else:
            print("Demodaten nicht eingespielt: Die Datenbank enthält bereits Meldungen.")
    return EXIT_OK


def _ingest(args: argparse.Namespace) -> int:
    from loaders.ingest import ingest
    from loaders.setup import initialise

    path: Path = args.file
    if not path.is_file():
        print(f"Fehler: Die Datei „{path}“ wurde nicht gefunden.", file=sys.stderr)
        return EXIT_USAGE
    initialise(demo=False)
    try:
        result = ingest(
            data=path.read_bytes(),
            file_name=path.name,
            kind=args.kind,
            authority=args.authority,
            period=args.period,
            identity=SYSTEM,
            review_status="published" if args.publish else "draft",
        )
    except LoaderError as exc:
        if args.json:
            print(json.dumps({"outcome": "error", "message": exc.message}, ensure_ascii=False))
        else:
            print(f"Fehler: {exc.message}", file=sys.stderr)
        return EXIT_USAGE if not _is_file_fault(exc) else EXIT_REJECTED
    if args.json:
        print(json.dumps(result.as_dict(), ensure_ascii=False, indent=2))
    else:
        print(result.message)
        for problem in result.problems:
            print(problem.as_line())
    return EXIT_REJECTED if result.outcome == "rejected" else EXIT_OK


def _is_file_fault(exc: LoaderError) -> bool:
    """Faults of the file itself (refused, no header) count as a rejection, not as usage."""
    from loaders.errors import FileRefused

    return isinstance(exc, FileRefused) or "Kopfzeile" in exc.message


if __name__ == "__main__":
    sys.exit(main())
