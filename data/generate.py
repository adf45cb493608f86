"""Synthetic load data at three scales, for the benchmarks (``tests/bench``).

    python -m data.generate --scale demo|berlin|national --out /tmp/berlin.duckdb

- ``demo``: the demo set through the real loaders (``loaders.setup.initialise(demo=True)``).
- ``berlin``: ~150 reporting units, ~3,000 projects reported in each of 12 quarterly periods,
  an E-Akte report per unit and period, a catalogue of ~15,000 services and per period a
  status report with an offer per service and provider (Bund, EfA, Land, Bezirk).
- ``national``: Berlin's projects as above, the catalogue of ~6,000 LeiKa services, and the
  national part: 16 states, ~400 districts, 11,000 municipalities and the availability matrix
  of municipalities x services (66 million rows), built inside DuckDB state by state.
- ``tiny``: the same code paths in seconds, for the tests.

The bulk rows are computed in SQL (``store.generate``, ``store.national``); this module holds
the parameters and the word lists and runs the steps in order. Every submission is flagged
``is_demo`` (the app shows its "Demodaten" notice) and comes from the actor
``Lastdaten-Generator``. Deterministic for a seed (and a DuckDB version).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import random
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from data.demo import AGENCY_TITLES, DISTRICT_TITLES, LAST_PERIOD, REASONS, SENATE_TITLES
from data.demo_services import EFA_STATES, MODEL_2_FROM, OBJECTS
from data.reference import AUTHORITIES, SENATE, parse_period, period_ids

SEED = 20_261_208

ACTIONS = (
    "Antrag auf",
    "Verlängerung",
    "Änderung",
    "Erteilung",
    "Ersatzausstellung",
    "Auskunft zu",
    "Widerspruch zu",
    "Anzeige",
    "Abmeldung",
    "Bescheinigung über",
    "Rücknahme",
    "Übertragung",
)
UNIT_PREFIXES = (
    ("Landesamt für", "LA"),
    ("Amt für", "Amt"),
    ("Landesbetrieb für", "LB"),
    ("Zentralstelle für", "ZSt"),
    ("Landesstelle für", "LSt"),
)
UNIT_SUBJECTS = (
    "Vermessung",
    "Statistik",
    "Denkmalpflege",
    "Arbeitsschutz",
    "Lebensmittelsicherheit",
    "Eichwesen",
    "Straßenbau",
    "Gewässerschutz",
    "Ausbildungsförderung",
    "Versorgung",
    "Wohnungswesen",
    "Jugendhilfe",
    "Schulorganisation",
    "Stadtgrün",
    "Liegenschaften",
    "Besoldung",
    "Verkehrslenkung",
    "Katastrophenschutz",
    "Sozialhilfe",
    "Kulturförderung",
)

# (AGS code, name, short name, districts, municipalities, population): the 16 states with
# their number of Kreise/kreisfreie Städte and Gemeinden (rounded, 2023) and population.
STATES: tuple[tuple[str, str, str, int, int, int], ...] = (
    ("01", "Schleswig-Holstein", "SH", 15, 1104, 2_953_000),
    ("02", "Hamburg", "HH", 1, 1, 1_892_000),
    ("03", "Niedersachsen", "NI", 45, 941, 8_140_000),
    ("04", "Bremen", "HB", 2, 2, 684_000),
    ("05", "Nordrhein-Westfalen", "NW", 53, 396, 18_140_000),
    ("06", "Hessen", "HE", 26, 421, 6_391_000),
    ("07", "Rheinland-Pfalz", "RP", 36, 2301, 4_159_000),
    ("08", "Baden-Württemberg", "BW", 44, 1101, 11_280_000),
    ("09", "Bayern", "BY", 96, 2056, 13_370_000),
    ("10", "Saarland", "SL", 6, 52, 993_000),
    ("11", "Berlin", "BE", 1, 1, 3_878_000),
    ("12", "Brandenburg", "BB", 18, 411, 2_573_000),
    ("13", "Mecklenburg-Vorpommern", "MV", 8, 726, 1_628_000),
    ("14", "Sachsen", "SN", 13, 418, 4_089_000),
    ("15", "Sachsen-Anhalt", "ST", 14, 218, 2_187_000),
    ("16", "Thüringen", "TH", 22, 605, 2_127_000),
)


@dataclass(frozen=True)
class Scale:
    """How much to generate; ``municipalities`` 0 means no national part."""

    name: str
    authorities: int  # reporting units in total, Berlin's 31 real ones included
    projects: int
    periods: int
    services: int
    status_coverage: float  # share of service x provider pairs with an offer
    municipalities: int = 0
    late_share: float = 0.05
    draft_share: float = 0.1
    seed: int = SEED


SCALES: dict[str, Scale] = {
    "tiny": Scale("tiny", authorities=36, projects=80, periods=4, services=120,
                  status_coverage=0.8, municipalities=60),
    "berlin": Scale("berlin", authorities=150, projects=3_000, periods=12, services=15_000,
                    status_coverage=0.95),
    "national": Scale("national", authorities=150, projects=3_000, periods=12, services=6_000,
                      status_coverage=0.95, municipalities=11_000),
}  # fmt: skip


def extra_authorities(count: int, *, seed: int) -> list[tuple[str, str, str, str, str | None]]:
    """``count`` invented reporting units under the senate departments (id, name, short name,
    kind, parent id); names are unique."""
    rng = random.Random(seed)
    senates = [a.id for a in AUTHORITIES if a.kind == SENATE]
    rows = []
    seen: dict[str, int] = {}
    for n in range(1, count + 1):
        (prefix, abbreviation), subject = rng.choice(UNIT_PREFIXES), rng.choice(UNIT_SUBJECTS)
        base = f"{prefix} {subject}"
        seen[base] = seen.get(base, 0) + 1
        suffix = f" {seen[base]}" if seen[base] > 1 else ""
        kind = "state_enterprise" if prefix.startswith("Landesbetrieb") else "subordinate_agency"
        rows.append(
            (
                f"gen-{n:03d}",
                base + suffix,
                f"{abbreviation} {subject}{suffix}",
                kind,
                rng.choice(senates),
            )
        )
    return rows


def state_layout(municipalities: int) -> list[tuple[str, str, str, int, int, int]]:
    """:data:`STATES` with the municipalities scaled to ``municipalities`` in total (largest
    remainder, at least one per state, city states unchanged) and at most as many districts
    as municipalities."""
    fixed = {code: munis for code, _, _, _, munis, _ in STATES if munis <= 2}
    rest = municipalities - sum(fixed.values())
    if rest < len(STATES) - len(fixed):
        raise ValueError(f"at least {sum(fixed.values()) + len(STATES) - len(fixed)} needed")
    scalable = [(code, munis) for code, _, _, _, munis, _ in STATES if code not in fixed]
    total = sum(m for _, m in scalable)
    exact = {code: max(1.0, rest * m / total) for code, m in scalable}
    counts = {code: int(v) for code, v in exact.items()}
    missing = rest - sum(counts.values())
    for code in sorted(exact, key=lambda c: exact[c] - counts[c], reverse=True)[: max(0, missing)]:
        counts[code] += 1
    counts.update(fixed)
    return [
        (code, name, short, min(districts, counts[code]), counts[code], population)
        for code, name, short, districts, _, population in STATES
    ]


def generate(
    scale: Scale, out: Path, *, log: Callable[[str], None] = lambda _: None
) -> dict[str, int]:
    """Write ``scale`` into a new database at ``out`` (which must not exist); returns counts."""
    from loaders.setup import initialise
    from store import connection as db
    from store import generate as gen
    from store import national
    from store.reference import ensure_period

    if out.exists():
        raise FileExistsError(out)
    counts: dict[str, int] = {}
    with _database(out):
        initialise(demo=False)
        periods = period_ids(LAST_PERIOD, scale.periods)
        objects = [(name, topic) for topic, names in OBJECTS.items() for name in names]
        titles = sorted(set(DISTRICT_TITLES + SENATE_TITLES + AGENCY_TITLES))
        with db.write_transaction() as cur:
            gen.prepare(cur, seed=scale.seed)
            extra = max(0, scale.authorities - len(AUTHORITIES))
            gen.insert_authorities(cur, extra_authorities(extra, seed=scale.seed))
            for period in periods:
                ensure_period(cur, period)
            log("projects")
            counts["project_reports"] = gen.insert_projects(
                cur,
                periods=periods,
                projects=scale.projects,
                titles=titles,
                reasons=REASONS,
                topic_areas=sorted(OBJECTS),
                service_keys_max=scale.services,
                late_share=scale.late_share,
                draft_share=scale.draft_share,
            )
            log("eakte")
            counts["eakte_reports"] = gen.insert_eakte(
                cur, periods=periods, late_share=scale.late_share
            )
            log("catalogue")
            gen.insert_catalogue(
                cur,
                periods=periods,
                services=scale.services,
                objects=objects,
                actions=ACTIONS,
                submitter="skzl",
                update_index=len(periods) // 2,
            )
            log("service status")
            counts["status_rows"] = gen.insert_service_status(
                cur,
                periods=periods,
                submitter="skzl",
                coverage=scale.status_coverage,
                model_2_from=MODEL_2_FROM,
                efa_states=[name for name, _ in EFA_STATES],
            )
        if scale.municipalities:
            with db.write_transaction() as cur:
                gen.prepare(cur, seed=scale.seed)
                log("regions")
                gen.insert_synthetic_regions(cur, states=state_layout(scale.municipalities))
                national.sum_populations(cur)
                counts["matrix_services"] = national.register_services(cur)
                snapshot = national.new_snapshot(
                    cur,
                    period_id=periods[-1],
                    as_of=parse_period(periods[-1])[1],
                    source="synthetic",
                    is_demo=True,
                )
                counts["matrix_rows"] = national.fill_snapshot(
                    cur,
                    snapshot_id=snapshot,
                    write_state=gen.write_synthetic_state,
                    progress=lambda code: log(f"matrix state {code}"),
                )
        counts.update(gen.table_counts(db.cursor()))
    return counts


def generate_demo(out: Path) -> dict[str, int]:
    """The demo set through the loaders, into a new database at ``out``."""
    from loaders.setup import initialise

    if out.exists():
        raise FileExistsError(out)
    with _database(out):
        result = initialise(demo=True)
    return {"submission": result.demo_submissions}


@contextlib.contextmanager
def _database(path: Path) -> Iterator[None]:
    """Point this process's store at ``path`` for the block, then restore the settings (the
    connection is per process and the settings are cached, so both are reset)."""
    from store import connection as db
    from store.settings import get_settings

    saved = {key: os.environ.get(key) for key in ("DASHBOARD_DB", "DASHBOARD_SEED_DEMO")}
    db.close()
    os.environ["DASHBOARD_DB"] = str(path)
    os.environ["DASHBOARD_SEED_DEMO"] = "false"
    get_settings.cache_clear()
    try:
        yield
    finally:
        db.close()
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        get_settings.cache_clear()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m data.generate", description="Synthetische Lastdaten erzeugen."
    )
    parser.add_argument("--scale", choices=["demo", *SCALES], required=True)
    parser.add_argument("--out", type=Path, required=True, help="neue DuckDB-Datei")
    parser.add_argument("--force", action="store_true", help="vorhandene Datei ersetzen")
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args(argv)
    out: Path = args.out
    if out.exists():
        if not args.force:
            print(f"{out} existiert bereits (--force ersetzt sie).", file=sys.stderr)
            return 2
        out.unlink()
        Path(f"{out}.wal").unlink(missing_ok=True)
    started = time.perf_counter()

    def log(step: str) -> None:
        print(f"[{time.perf_counter() - started:7.1f} s] {step}", file=sys.stderr, flush=True)

    if args.scale == "demo":
        counts = generate_demo(out)
    else:
        counts = generate(replace(SCALES[args.scale], seed=args.seed), out, log=log)
    log("done")
    size = out.stat().st_size / 1024**2
    print(
        f"{out}: {args.scale}, {size:,.0f} MiB, "
        + ", ".join(f"{k} {v:,}" for k, v in counts.items())
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
