"""``python -m loaders retention [--days N] [--dry-run] [--json]``: apply the retention rule.

Meant for a daily cron job next to the backup. Exit code 0 whether or not anything was due.
"""

from __future__ import annotations

import argparse
import json
import sys

from store.identity import SYSTEM
from store.retention import remove_superseded_contacts
from store.settings import get_settings


def add_parser(sub: argparse._SubParsersAction) -> None:
    retention = sub.add_parser(
        "retention",
        help="Kontaktdaten abgelöster Meldungen nach Ablauf der Aufbewahrungsfrist entfernen",
    )
    retention.add_argument(
        "--days",
        type=int,
        default=None,
        help="Aufbewahrungsfrist in Tagen (Standard: DASHBOARD_CONTACT_RETENTION_DAYS)",
    )
    retention.add_argument(
        "--dry-run", action="store_true", help="Nur anzeigen, was entfernt würde"
    )
    retention.add_argument("--json", action="store_true", help="Ergebnis als JSON ausgeben")


def run_retention_command(args: argparse.Namespace) -> int:
    from loaders.setup import initialise

    days = get_settings().contact_retention_days if args.days is None else args.days
    if days < 0:
        print("Fehler: Die Aufbewahrungsfrist darf nicht negativ sein.", file=sys.stderr)
        return 2
    initialise(demo=False)
    result = remove_superseded_contacts(identity=SYSTEM, retention_days=days, dry_run=args.dry_run)
    if args.json:
        print(json.dumps(result.as_dict(), ensure_ascii=False, indent=2))
    else:
        print(result.message())
    return 0
