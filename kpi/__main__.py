"""``python -m kpi summary [--period P] --json``: the headline figures for scripts."""

from __future__ import annotations

import argparse
import json
import sys

from kpi.overview import headline, periods
from store import connection as db


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m kpi")
    sub = parser.add_subparsers(dest="command", required=True)
    summary = sub.add_parser("summary", help="Kennzahlen der Berichtsperiode")
    summary.add_argument("--period")
    summary.add_argument("--unpublished", action="store_true", help="Entwürfe einbeziehen")
    summary.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    try:
        cur = db.cursor()
        known = periods(cur)
        period = args.period or (known[0] if known else None)
        if period is None:
            print("Fehler: Die Datenbank enthält noch keine Meldungen.", file=sys.stderr)
            return 2
        figures = headline(cur, period=period, include_unpublished=args.unpublished)
        from kpi.services import services_headline

        try:  # the online-services quotas (keys services_*, online_*, level2_*, district_*)
            figures.update(
                services_headline(cur, period=period, include_unpublished=args.unpublished)
            )
        except ValueError:
            print(f"Fehler: Unbekannte Berichtsperiode „{period}“ (JJJJ-Qn).", file=sys.stderr)
            return 2
        from kpi.trend import headline as portfolio_headline

        # portfolio and E-Akte figures with their change (keys portfolio_<name>[_delta])
        for key, figure in portfolio_headline(
            cur, period=period, include_unpublished=args.unpublished
        ).items():
            figures[f"portfolio_{key}"] = figure["value"]
            figures[f"portfolio_{key}_delta"] = figure["delta"]
    except db.DatabaseBusyError:
        print(
            "Fehler: Die Datenbank wird gerade von einem anderen Prozess verwendet.",
            file=sys.stderr,
        )
        return 3
    finally:
        db.close()
    if args.json:
        print(json.dumps(figures, ensure_ascii=False, indent=2, default=str))
    else:
        for key, value in figures.items():
            print(f"{key}: {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
