"""Recommendation rules against a fixture with planted cases for every rule.

The fixture is loaded through the real loaders (German CSV / xlsx). Period under test:
2026-Q3 (reference date 30.09.2026, due 11.11.2026; today 29.11.2026). Only SenFin, BA Mitte,
SenStadt, BA Pankow and LAGeSo are expected to report projects.

Projects (budget in k€; unless said otherwise: start 01.01.2026, end and forecast 31.12.2026,
forecast cost = budget, self-assessed green, in progress, same in every period reported):

SenFin (Q1, Q2, Q3)                                     fires
  S-OK        100  clean                                 –
  S-LIGHT     100  Q1/Q2 end 31.12.2026, Q3 re-planned   light_mismatch (green → high):
                   to 30.06.2027 = forecast since Q2     original −181/364 red, current 0
  S-YELLOW    100  yellow, forecast 31.05.2027           light_mismatch (yellow → medium)
  S-RED       100  red, forecast 31.05.2027              – (honest red)
  S-OVERDUE   200  red, 01.07.2025–30.06.2026            overdue (schedule −92/364 yellow)
  S-SLIP      250  yellow, 2025 start, forecast          forecast_slip (+92 days; −92/729
                   31.12.2026 → 02.04.2027 in Q3         yellow)
  S-SLIP60    100  2025 start, forecast +60 days in Q3   – (not more than 60)
  S-COST      100  red, forecast cost 140                cost_overrun (−40 % → high)
  S-CHEAP     100  red, forecast cost 60                 cost_overrun (+40 % → low)
  S-COST29    100  yellow, forecast cost 129             – (−29 %)
  S-NR         –   costs "nicht gemeldet" Q1–Q3          costs_not_reported (3 in a row)
  S-NR1        –   "nicht gemeldet" in Q3 only           – (1 in a row)
  S-CONF       –   "vertraulich"                         –
  S-DONE      100  completed 30.06.2026                  –
  S-CHAT      100  "Chatbot für Bürgeranfragen"          similar_projects (chatbot, 3 auth.)
  S-TERMIN    100  "Terminbuchung Bürgeramt" + goal      similar_projects (2 auth.: titles
                                                         74, goals equal → 87)
  S-GEWERBE   100  "Digitale Gewerbeanmeldung"           – (60 to "Digitale Schulanmeldung")
  S-EAKTE     100  "Einführung E-Akte", programme E-Akte – (programme excluded)
BA Mitte (Q2, Q3)
  M-LIGHT     150  Q2 budget 100 = forecast; Q3 re-      light_mismatch (high) and
                   planned to 150 = forecast             cost_overrun (−50 % original → high)
  M-CHAT, M-TERMIN (goal), M-SCHUL, M-EAKTE (E-Akte), M-DONE (completed) 100 each
SenStadt (Q3): T-CHAT 100. BA Pankow: Q1 only (2 projects). LAGeSo: Q2 only (1 project).

Σ budget reported in Q3 = 1.750 + 650 + 100 = 2.500 k€; 25 projects in Q3; 28 in the
newest reports of the expected authorities (+ Pankow 2, LAGeSo 1).

Services (catalogue 2026-Q3, status by the Senatskanzlei): Gesundheit SenWGP 5/5 online,
LAGeSo 1/5, Bezirke 4/5 → median 80 %, LAGeSo 60 points below → quota_below_median
(3 missing). Bildung SenBJF 3/5 (B3 only via EfA 4, own 1 → reuse_check), Bezirke 4/5
(B10 only via Bund 3 → reuse_check) → median 70 %, SenBJF 10 points below: –. Umwelt SenMVKU
0/2 (fewer than 5 services: not compared), Bezirke 5/5. 32 services in scope.

E-Akte (live / in scope, Q1 → Q3; target 31.12.2027 + 90 days grace):
BA Mitte 100 → 150 → 200 / 1.000 (forecast 2030: medium), SenStadt 100 / 400 flat (no
progress: high), Senatskanzlei 60 → 120 → 180 / 200 with go-live 30.06.2026 passed (high),
SenFin 0 → 200 → 400 / 500 (on track: –). Σ in scope Q3 = 2.100.

Expected ranking (severity, then impact share):
high:   eakte SenStadt 300/2100 · light SenFin 200/2500 · missing Pankow 2/28 ·
        light Mitte 150/2500 · cost SenFin 80/2500 · cost Mitte 50/2500 · eakte Skzl 20/2100
medium: eakte Mitte 800/2100 · chatbot cluster 300/2500 · slip SenFin 250/2500 ·
        quota LAGeSo 3/32 · overdue SenFin 200/2500 · costs SenFin 1/25 · missing LAGeSo 1/28 ·
        reuse Bezirke 1/32 · reuse SenBJF 1/32 (tie → key order)
low:    Termin cluster 200/2500
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
import xlsxwriter

from kpi import recommendations as rec
from kpi.selection import Selection
from store import connection as db
from store.identity import Identity

TODAY = date(2026, 11, 29)
PERIOD = "2026-Q3"
ADMIN = Identity(name="Test Admin", role="admin")
EXPECTED = ("senfin", "ba-mitte", "senstadt", "ba-pankow", "lageso")
CHAT_KEY = "similar_projects:chatbot bürgeranfrag"
TERMIN_KEY = "similar_projects:terminbuchung bürgeramt"
GOAL = "Termine rund um die Uhr online vergeben und Wartezeiten senken"

HEADER = (
    "Vorhaben-Nr.",
    "Bezeichnung des Vorhabens",
    "Ziel",
    "Programm / Kategorie",
    "Themenfeld",
    "Status",
    "Ampel",
    "Begründung Ampel",
    "Beginn",
    "Ende (geplant)",
    "Ende (Prognose)",
    "Ende (Ist)",
    "Budget in €",
    "Kostenprognose in €",
    "Ist-Kosten in €",
)


def _p(pid: str, title: str, **over: str) -> dict[str, str]:
    row = {
        "Vorhaben-Nr.": pid,
        "Bezeichnung des Vorhabens": title,
        "Ziel": "",
        "Programm / Kategorie": "Onlinedienst (OZG)",
        "Themenfeld": "Bildung",
        "Status": "in Umsetzung",
        "Ampel": "grün",
        "Begründung Ampel": "",
        "Beginn": "01.01.2026",
        "Ende (geplant)": "31.12.2026",
        "Ende (Prognose)": "31.12.2026",
        "Ende (Ist)": "",
        "Budget in €": "100.000,00",
        "Kostenprognose in €": "100.000,00",
        "Ist-Kosten in €": "",
    }
    row.update(over)
    if row["Ampel"] != "grün":
        row["Begründung Ampel"] = "Verzug beim Dienstleister"
    return row


NOT_REPORTED = {"Budget in €": "nicht gemeldet", "Kostenprognose in €": "nicht gemeldet"}
CONFIDENTIAL = {"Budget in €": "vertraulich", "Kostenprognose in €": "vertraulich"}


def _senfin(period: str) -> list[dict[str, str]]:
    q3 = period == "2026-Q3"
    q1 = period == "2026-Q1"
    late = {"Ende (Prognose)": "31.05.2027"}
    rows = [
        _p("S-OK", "Haushaltsportal Kassenanordnung"),
        _p(
            "S-LIGHT",
            "Grundsteuer Bescheidversand",
            **{
                "Ende (geplant)": "30.06.2027" if q3 else "31.12.2026",
                "Ende (Prognose)": "31.12.2026" if q1 else "30.06.2027",
            },
        ),
        _p("S-YELLOW", "Lohnsteuer Auskunftsdienst", Ampel="gelb", **late),
        _p("S-RED", "Vollstreckung Forderungsmanagement", Ampel="rot", **late),
        _p(
            "S-OVERDUE",
            "Zahlungsverkehr Kontoabgleich",
            Ampel="rot",
            Beginn="01.07.2025",
            **{
                "Ende (geplant)": "30.06.2026",
                "Ende (Prognose)": "30.06.2026",
                "Budget in €": "200.000,00",
                "Kostenprognose in €": "200.000,00",
            },
        ),
        _p(
            "S-SLIP",
            "Beihilfe Belegerfassung",
            Ampel="gelb",
            Beginn="01.01.2025",
            **{
                "Ende (Prognose)": "02.04.2027" if q3 else "31.12.2026",
                "Budget in €": "250.000,00",
                "Kostenprognose in €": "250.000,00",
            },
        ),
        _p(
            "S-SLIP60",
            "Reisekosten Abrechnung",
            Beginn="01.01.2025",
            **{"Ende (Prognose)": "01.03.2027" if q3 else "31.12.2026"},
        ),
        _p(
            "S-COST",
            "Liegenschaften Kataster",
            Ampel="rot",
            **{"Kostenprognose in €": "140.000,00"},
        ),
        _p(
            "S-CHEAP",
            "Vergabestatistik Meldewesen",
            Ampel="rot",
            **{"Kostenprognose in €": "60.000,00"},
        ),
        _p(
            "S-COST29",
            "Bürgschaften Register",
            Ampel="gelb",
            **{"Kostenprognose in €": "129.000,00"},
        ),
        _p("S-NR", "Spielbankabgabe Erhebung", **NOT_REPORTED),
        _p("S-NR1", "Zweitwohnungsteuer Veranlagung", **(NOT_REPORTED if q3 else {})),
        _p("S-CONF", "Steuerfahndung Analyseplattform", **CONFIDENTIAL),
        _p(
            "S-DONE",
            "Personalakte digital",
            Status="abgeschlossen",
            **{
                "Beginn": "01.01.2025",
                "Ende (geplant)": "30.06.2026",
                "Ende (Prognose)": "30.06.2026",
                "Ende (Ist)": "30.06.2026",
                "Ist-Kosten in €": "100.000,00",
            },
        ),
        _p("S-CHAT", "Chatbot für Bürgeranfragen"),
        _p("S-TERMIN", "Terminbuchung Bürgeramt", Ziel=GOAL),
        _p("S-GEWERBE", "Digitale Gewerbeanmeldung"),
        _p("S-EAKTE", "Einführung E-Akte", **{"Programm / Kategorie": "E-Akte"}),
    ]
    return rows


def _mitte(period: str) -> list[dict[str, str]]:
    q3 = period == "2026-Q3"
    money = "150.000,00" if q3 else "100.000,00"
    return [
        _p(
            "M-LIGHT",
            "Friedhofsverwaltung Grabstellen",
            **{"Budget in €": money, "Kostenprognose in €": money},
        ),
        _p("M-CHAT", "KI-Chatbot für Bürgeranfragen (Pilot)"),
        _p("M-TERMIN", "Terminvergabe Bürgeramt", Ziel=GOAL),
        _p("M-SCHUL", "Digitale Schulanmeldung"),
        _p("M-EAKTE", "Einführung E-Akte", **{"Programm / Kategorie": "E-Akte"}),
        _p(
            "M-DONE",
            "Personalakte digital",
            Status="abgeschlossen",
            **{
                "Beginn": "01.01.2025",
                "Ende (geplant)": "30.06.2026",
                "Ende (Prognose)": "30.06.2026",
                "Ende (Ist)": "30.06.2026",
                "Ist-Kosten in €": "100.000,00",
            },
        ),
    ]


PROJECT_FILES = {
    ("senfin", "2026-Q1"): _senfin("2026-Q1"),
    ("senfin", "2026-Q2"): _senfin("2026-Q2"),
    ("senfin", "2026-Q3"): _senfin("2026-Q3"),
    ("ba-mitte", "2026-Q2"): _mitte("2026-Q2"),
    ("ba-mitte", "2026-Q3"): _mitte("2026-Q3"),
    ("senstadt", "2026-Q3"): [_p("T-CHAT", "Bürgeranfragen per Chatbot beantworten")],
    ("ba-pankow", "2026-Q1"): [
        _p("P-1", "Grünflächenpflege Baumkataster"),
        _p("P-2", "Straßenreinigung Meldeportal"),
    ],
    ("lageso", "2026-Q2"): [_p("L-1", "Versorgungsamt Schwerbehindertenausweis")],
}


def _csv(rows: list[dict[str, str]]) -> bytes:
    lines = [";".join(HEADER)] + [";".join(r[h] for h in HEADER) for r in rows]
    return ("\r\n".join(lines) + "\r\n").encode("cp1252")


def key(n: int) -> int:
    return 99_100_000_000_000 + n


# (number, name, topic, responsible)
CATALOGUE = (
    [(n, f"Gesundheitsleistung {n}", "Gesundheit", "SenWGP") for n in range(1, 6)]
    + [(n, f"Gesundheitsleistung {n}", "Gesundheit", "LAGeSo") for n in range(6, 11)]
    + [(n, f"Gesundheitsleistung {n}", "Gesundheit", "alle Bezirke") for n in range(11, 16)]
    + [(n, f"Bildungsleistung {n}", "Bildung", "SenBJF") for n in range(21, 26)]
    + [(n, f"Bildungsleistung {n}", "Bildung", "alle Bezirke") for n in range(26, 31)]
    + [(n, f"Umweltleistung {n}", "Umwelt", "SenMVKU") for n in range(41, 43)]
    + [(n, f"Umweltleistung {n}", "Umwelt", "alle Bezirke") for n in range(43, 48)]
)
LAND = ("Land Berlin", "")
BEZIRK = ("Bezirk", "alle Bezirke")
# (number, level, provider, responsible)
STATUS = (
    [(n, 3, *LAND) for n in range(1, 6)]
    + [(6, 3, *LAND), (7, 2, "Bund", ""), (8, 1, *LAND)]
    + [(n, 3, *BEZIRK) for n in range(11, 15)]
    + [(15, 1, *BEZIRK)]
    + [(21, 3, *LAND), (21, 3, "EfA (Hamburg)", ""), (22, 3, *LAND)]
    + [(23, 4, "EfA (Bayern)", ""), (23, 1, *LAND), (24, 2, "EfA (Bayern)", ""), (24, 1, *LAND)]
    + [(n, 3, *BEZIRK) for n in range(26, 29)]
    + [(29, 1, *BEZIRK), (30, 3, "Bund", ""), (30, 0, *BEZIRK)]
    + [(n, 3, *BEZIRK) for n in range(43, 48)]
)


def _catalogue_csv() -> bytes:
    lines = ["Leistungsschlüssel;Leistungsbezeichnung;Themenfeld;Zuständige Behörde"]
    lines += [f"{key(n)};{name};{topic};{who}" for n, name, topic, who in CATALOGUE]
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")


def _status_xlsx() -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet("Leistungen")
    sheet.write_row(0, 0, ["Leistungsschlüssel", "Reifegrad", "Bereitstellung", "zuständig",
                           "flächendeckend"])  # fmt: skip
    for r, (n, level, provider, who) in enumerate(STATUS, start=1):
        sheet.write_number(r, 0, key(n))
        sheet.write_number(r, 1, level)
        sheet.write_row(r, 2, [provider, who, "ja" if provider == "Bezirk" else ""])
    book.close()
    return buffer.getvalue()


EAKTE_HEADER = "Behörde;Status;Go-Live geplant;Go-Live ist;Arbeitsplätze gesamt;davon mit E-Akte"
EAKTE = {
    "2026-Q1": [
        "BA Mitte;Rollout;31.03.2027;;1.000;100",
        "SenStadt;Rollout;31.12.2026;;400;100",
        "Senatskanzlei;Rollout;30.06.2026;;200;60",
        "SenFin;Pilot;31.12.2026;;500;0",
    ],
    "2026-Q2": [
        "BA Mitte;Rollout;31.03.2027;;1.000;150",
        "SenStadt;Rollout;31.12.2026;;400;100",
        "Senatskanzlei;Rollout;30.06.2026;;200;120",
        "SenFin;Rollout;31.12.2026;;500;200",
        "LAGeSo;produktiv;01.05.2026;01.05.2026;100;100",
    ],
    "2026-Q3": [
        "BA Mitte;Rollout;31.03.2027;;1.000;200",
        "SenStadt;Rollout;31.12.2026;;400;100",
        "Senatskanzlei;Rollout;30.06.2026;;200;180",
        "SenFin;Rollout;31.12.2026;;500;400",
    ],
}


def load_fixture() -> None:
    from loaders.eakte import ingest_collection
    from loaders.ingest import ingest

    def accept(result) -> None:  # noqa: ANN001 - IngestResult or CollectionResult
        assert result.outcome == "accepted", [p.as_line() for p in result.errors]

    for (authority, period), rows in PROJECT_FILES.items():
        accept(
            ingest(
                data=_csv(rows),
                file_name=f"{authority}_{period}.csv",
                kind="projects",
                authority=authority,
                period=period,
                identity=ADMIN,
                review_status="published",
            )
        )
    accept(
        ingest(
            data=_catalogue_csv(),
            file_name="katalog.csv",
            kind="catalog",
            authority="skzl",
            period=PERIOD,
            identity=ADMIN,
            review_status="published",
        )
    )
    accept(
        ingest(
            data=_status_xlsx(),
            file_name="stand.xlsx",
            kind="services",
            authority="skzl",
            period=PERIOD,
            identity=ADMIN,
            review_status="published",
        )
    )
    for period, lines in EAKTE.items():
        data = ("\r\n".join([EAKTE_HEADER, *lines]) + "\r\n").encode("utf-8")
        accept(
            ingest_collection(
                data=data,
                file_name=f"eakte_{period}.csv",
                period=period,
                identity=ADMIN,
                review_status="published",
            )
        )
    with db.write_transaction() as cur:
        cur.execute(
            "UPDATE authority SET expected_to_report = list_contains(?::VARCHAR[], id)",
            [list(EXPECTED)],
        )


@pytest.fixture(scope="module")
def planted(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    from loaders.setup import initialise
    from store.settings import get_settings
    from tests.conftest import use_database

    path = tmp_path_factory.mktemp("recommendations") / "planted.duckdb"
    with pytest.MonkeyPatch.context() as patch:
        use_database(patch, path)
        initialise(demo=False)
        load_fixture()
        yield path
        db.close()
    get_settings.cache_clear()


@pytest.fixture(scope="module")
def evaluation(planted: Path) -> rec.Evaluation:
    return rec.evaluate(db.cursor(), period=PERIOD, today=TODAY, thresholds=rec.Thresholds())


def _rows(evaluation: rec.Evaluation, rule_id: str, column: str) -> dict[str, set[str]]:
    rows = evaluation.evidence.get(rule_id, pd.DataFrame(columns=["key", column]))
    return {k: set(group[column].astype(str)) for k, group in rows.groupby("key")}


# Every rule fires exactly on its planted rows (key → evidence rows), nowhere else.
PLANTED: dict[str, tuple[str, dict[str, set[str]]]] = {
    "missing_report": (
        "authority_id",
        {"missing_report:ba-pankow": {"ba-pankow"}, "missing_report:lageso": {"lageso"}},
    ),
    "light_mismatch": (
        "project_id",
        {
            "light_mismatch:senfin": {"S-LIGHT", "S-YELLOW"},
            "light_mismatch:ba-mitte": {"M-LIGHT"},
        },
    ),
    "overdue": ("project_id", {"overdue:senfin": {"S-OVERDUE"}}),
    "forecast_slip": ("project_id", {"forecast_slip:senfin": {"S-SLIP"}}),
    "cost_overrun": (
        "project_id",
        {"cost_overrun:senfin": {"S-COST", "S-CHEAP"}, "cost_overrun:ba-mitte": {"M-LIGHT"}},
    ),
    "costs_not_reported": ("project_id", {"costs_not_reported:senfin": {"S-NR"}}),
    "reuse_check": (
        "leika_key",
        {"reuse_check:senbjf": {str(key(23))}, "reuse_check:bezirke": {str(key(30))}},
    ),
    "similar_projects": (
        "project_id",
        {CHAT_KEY: {"S-CHAT", "M-CHAT", "T-CHAT"}, TERMIN_KEY: {"S-TERMIN", "M-TERMIN"}},
    ),
    "eakte_behind": (
        "authority_id",
        {
            "eakte_behind:ba-mitte": {"ba-mitte"},
            "eakte_behind:senstadt": {"senstadt"},
            "eakte_behind:skzl": {"skzl"},
        },
    ),
    "quota_below_median": ("topic_area", {"quota_below_median:lageso": {"gesundheit"}}),
}


@pytest.mark.parametrize("rule_id", list(PLANTED))
def test_rule_fires_exactly_on_its_planted_rows(evaluation: rec.Evaluation, rule_id: str) -> None:
    column, expected = PLANTED[rule_id]
    assert _rows(evaluation, rule_id, column) == expected
    findings = evaluation.findings
    assert set(findings.loc[findings["rule_id"] == rule_id, "key"]) == set(expected)


def test_every_rule_has_a_planted_case() -> None:
    assert set(PLANTED) == {rule.id for rule in rec.RULES}


RANKING = [
    "eakte_behind:senstadt",
    "light_mismatch:senfin",
    "missing_report:ba-pankow",
    "light_mismatch:ba-mitte",
    "cost_overrun:senfin",
    "cost_overrun:ba-mitte",
    "eakte_behind:skzl",
    "eakte_behind:ba-mitte",
    CHAT_KEY,
    "forecast_slip:senfin",
    "quota_below_median:lageso",
    "overdue:senfin",
    "costs_not_reported:senfin",
    "missing_report:lageso",
    "reuse_check:bezirke",
    "reuse_check:senbjf",
    TERMIN_KEY,
]


def test_ranking_by_severity_then_impact_share(evaluation: rec.Evaluation) -> None:
    findings = evaluation.findings.set_index("key")
    assert list(evaluation.findings["key"]) == RANKING
    assert list(evaluation.findings["rank"]) == list(range(1, len(RANKING) + 1))
    assert findings.loc["eakte_behind:senstadt", "impact_share"] == pytest.approx(300 / 2100)
    assert findings.loc["light_mismatch:senfin", "impact"] == pytest.approx(200_000)
    assert findings.loc["light_mismatch:senfin", "impact_total"] == pytest.approx(2_500_000)
    assert findings.loc["missing_report:ba-pankow", "impact_share"] == pytest.approx(2 / 28)
    assert findings.loc["cost_overrun:senfin", "impact"] == pytest.approx(80_000)
    assert findings.loc["cost_overrun:ba-mitte", "impact"] == pytest.approx(50_000)
    assert findings.loc["quota_below_median:lageso", "impact"] == 3
    assert findings.loc["quota_below_median:lageso", "impact_total"] == 32
    assert findings.loc["costs_not_reported:senfin", "impact_share"] == pytest.approx(1 / 25)
    severities = evaluation.findings["severity"].tolist()
    assert severities == ["high"] * 7 + ["medium"] * 9 + ["low"]


def test_severity_per_evidence_row(evaluation: rec.Evaluation) -> None:
    light = evaluation.evidence_of("light_mismatch:senfin").set_index("project_id")
    assert light.loc["S-LIGHT", "severity"] == "high"  # self green
    assert light.loc["S-YELLOW", "severity"] == "medium"  # self yellow
    cost = evaluation.evidence_of("cost_overrun:senfin").set_index("project_id")
    assert cost.loc["S-COST", "severity"] == "high"
    assert cost.loc["S-CHEAP", "severity"] == "low"
    assert cost.loc["S-COST", "variance"] == pytest.approx(-0.4)
    mitte = evaluation.evidence_of("cost_overrun:ba-mitte").iloc[0]
    assert mitte["reference_budget"] == pytest.approx(100_000)  # the original budget
    assert mitte["deviation"] == pytest.approx(50_000)
    missing = evaluation.findings.set_index("key")
    assert missing.loc["missing_report:ba-pankow", "severity"] == "high"  # 2 periods behind
    assert missing.loc["missing_report:lageso", "severity"] == "medium"  # 1 period behind
    slip = evaluation.evidence_of("forecast_slip:senfin").iloc[0]
    assert slip["forecast_slip_days"] == 92
    eakte = {
        k: evaluation.evidence_of(k).iloc[0]["reasons"]
        for k in ("eakte_behind:ba-mitte", "eakte_behind:senstadt", "eakte_behind:skzl")
    }
    assert eakte == {
        "eakte_behind:ba-mitte": "forecast_late",
        "eakte_behind:senstadt": "no_progress",
        "eakte_behind:skzl": "golive_overdue",
    }
    quota = evaluation.evidence_of("quota_below_median:lageso").iloc[0]
    assert (quota["quota"], quota["median"], quota["peers"]) == (pytest.approx(0.2), 0.8, 3)


def test_similar_projects_cluster_titles_and_goals(evaluation: rec.Evaluation) -> None:
    chat = evaluation.evidence_of(CHAT_KEY)
    assert set(chat["authority_id"]) == {"senfin", "ba-mitte", "senstadt"}
    assert chat["similarity"].min() >= 85
    termin = evaluation.evidence_of(TERMIN_KEY).set_index("project_id")
    assert termin.loc["M-TERMIN", "similarity"] == pytest.approx(87, abs=1)
    findings = evaluation.findings.set_index("key")
    assert findings.loc[CHAT_KEY, "severity"] == "medium"  # three authorities
    assert findings.loc[TERMIN_KEY, "severity"] == "low"  # two
    assert findings.loc[CHAT_KEY, "authorities"] == "BA Mitte, SenFin, SenStadt"


def test_filters_choose_rows_clusters_stay_whole(planted: Path) -> None:
    cur = db.cursor()
    mitte = rec.evaluate(
        cur, period=PERIOD, today=TODAY, selection=Selection(authorities=("ba-mitte",))
    )
    assert set(mitte.findings["key"]) == {
        "light_mismatch:ba-mitte",
        "cost_overrun:ba-mitte",
        "eakte_behind:ba-mitte",
        CHAT_KEY,
        TERMIN_KEY,
    }
    assert len(mitte.evidence_of(CHAT_KEY)) == 3  # the whole cluster, not only BA Mitte
    red = rec.evaluate(cur, period=PERIOD, today=TODAY, selection=Selection(lights=("red",)))
    keys = set(red.findings["key"])
    assert "cost_overrun:senfin" in keys and "light_mismatch:senfin" not in keys
    assert set(red.evidence_of("overdue:senfin")["project_id"]) == {"S-OVERDUE"}
    assert "missing_report:ba-pankow" in keys  # project filters do not apply to reporting
    yellow = rec.evaluate(cur, period=PERIOD, today=TODAY, selection=Selection(lights=("yellow",)))
    light = yellow.findings.set_index("key").loc["light_mismatch:senfin"]
    assert light["evidence_rows"] == 1 and light["severity"] == "medium"
    # The fingerprint belongs to the whole finding, not to the filtered view.
    whole = rec.evaluate(cur, period=PERIOD, today=TODAY).findings.set_index("key")
    assert light["fingerprint"] == whole.loc["light_mismatch:senfin", "fingerprint"]
    health = rec.evaluate(
        cur, period=PERIOD, today=TODAY, selection=Selection(topic_areas=("Bildung",))
    )
    assert "quota_below_median:lageso" not in set(health.findings["key"])
    assert "reuse_check:senbjf" in set(health.findings["key"])


def test_thresholds_change_what_fires(planted: Path) -> None:
    cur = db.cursor()
    looser = rec.Thresholds(slip_days=59, unreported_cost_periods=1, stale_periods=3)
    result = rec.evaluate(cur, period=PERIOD, today=TODAY, thresholds=looser)
    assert set(result.evidence_of("forecast_slip:senfin")["project_id"]) == {"S-SLIP", "S-SLIP60"}
    assert set(result.evidence_of("costs_not_reported:senfin")["project_id"]) == {"S-NR", "S-NR1"}
    assert result.findings.set_index("key").loc["missing_report:ba-pankow", "severity"] == "medium"
    late_target = rec.Thresholds(eakte_target_date=date(2031, 12, 31))
    result = rec.evaluate(cur, period=PERIOD, today=TODAY, thresholds=late_target)
    assert "eakte_behind:ba-mitte" not in set(result.findings["key"])


def test_missing_report_waits_for_the_due_date(planted: Path) -> None:
    before_due = rec.evaluate(db.cursor(), period=PERIOD, today=date(2026, 11, 1))
    assert "missing_report" not in set(before_due.findings["rule_id"])


def test_fingerprint_ignores_row_order_and_sees_changes() -> None:
    rows = pd.DataFrame({"project_id": ["A", "B"], "traffic_light": ["green", "yellow"]})
    same = rec.fingerprint(rows.iloc[::-1], ("project_id", "traffic_light"))
    assert rec.fingerprint(rows, ("project_id", "traffic_light")) == same
    changed = rows.assign(traffic_light=["green", "green"])
    assert rec.fingerprint(changed, ("project_id", "traffic_light")) != same


def test_counts_and_catalogue(evaluation: rec.Evaluation) -> None:
    by_rule = rec.counts_by_rule(evaluation.findings).set_index("rule_id")
    assert len(by_rule) == len(rec.RULES)
    assert by_rule.loc["eakte_behind", "recommendations"] == 3
    assert by_rule.loc["eakte_behind", "high"] == 2
    assert by_rule.loc["light_mismatch", "evidence_rows"] == 3
    by_authority = rec.counts_by_authority(evaluation.findings).set_index("authority")
    # SenFin: light, overdue, slip, cost, costs, two clusters.
    assert by_authority.loc["SenFin", "recommendations"] == 7
    assert by_authority.loc["Bezirke", "recommendations"] == 1
    catalogue = rec.rule_catalogue(rec.Thresholds(slip_days=45)).set_index("rule_id")
    assert "45 Tage" in catalogue.loc["forecast_slip", "condition"]
    assert "30 %" in catalogue.loc["cost_overrun", "condition"]


def test_decisions_apply_while_the_evidence_is_the_same(planted: Path) -> None:
    from store.recommendations import decide

    cur = db.cursor()
    before = rec.evaluate(cur, period=PERIOD, today=TODAY).findings.set_index("key")
    target = before.loc["overdue:senfin"]
    decide(
        key="overdue:senfin",
        rule_id="overdue",
        period=PERIOD,
        state="dismissed",
        reason="Abschluss ist gemeldet, Nachtrag folgt",
        fingerprint=str(target["fingerprint"]),
        identity=ADMIN,
    )
    decide(
        key="light_mismatch:senfin",
        rule_id="light_mismatch",
        period=PERIOD,
        state="acknowledged",
        reason="Gespräch vereinbart",
        fingerprint="0123456789abcdef",  # evidence seen then differs from today's
        identity=ADMIN,
    )
    after = rec.evaluate(cur, period=PERIOD, today=TODAY).findings.set_index("key")
    assert after.loc["overdue:senfin", "state"] == "dismissed"
    assert after.loc["overdue:senfin", "decision_reason"].startswith("Abschluss")
    assert not after.loc["overdue:senfin", "evidence_changed"]
    assert after.loc["light_mismatch:senfin", "state"] == "open"
    assert after.loc["light_mismatch:senfin", "evidence_changed"]
    top = rec.top_from(rec.evaluate(cur, period=PERIOD, today=TODAY).findings, n=20)
    assert "overdue:senfin" not in set(top["key"])
    assert len(rec.top_from(after.reset_index(), n=5)) == 5
    history = rec.decision_history(cur, key="overdue:senfin")
    assert list(history["state"]) == ["dismissed"]
    # Cleanup for the other tests sharing the module fixture: reopen both.
    for k in ("overdue:senfin", "light_mismatch:senfin"):
        decide(
            key=k,
            rule_id=k.split(":")[0],
            period=PERIOD,
            state="open",
            fingerprint=str(before.loc[k, "fingerprint"]),
            identity=ADMIN,
        )


def test_demo_data_has_a_realistic_hit_for_every_rule(demo_db: Path) -> None:
    result = rec.evaluate(db.cursor(), period="2026-Q3", today=TODAY)
    counts = rec.counts_by_rule(result.findings).set_index("rule_id")["recommendations"]
    assert (counts > 0).all(), counts.to_dict()
    missing = result.findings[result.findings["rule_id"] == "missing_report"]
    assert set(missing["key"].str.split(":").str[1]) == {
        "ba-pankow",
        "ba-spandau",
        "senkultgz",
        "lageso",
        "laf",
    }
    # The planted, differently worded cluster of data.demo.PLANTED_SIMILAR_TITLES.
    from data.demo import PLANTED_SIMILAR_TITLES

    clusters = result.evidence["similar_projects"]
    planted_titles = set(PLANTED_SIMILAR_TITLES.values())
    members = clusters[clusters["title"].isin(planted_titles)]
    assert members["key"].nunique() == 1
    assert set(members["authority_id"]) == {a for a, _title in PLANTED_SIMILAR_TITLES}
    assert set(clusters.loc[clusters["key"] == members["key"].iloc[0], "title"]) == planted_titles


def test_sparse_data_evaluates_without_errors(empty_db: Path) -> None:
    """No submissions at all, then one project list without services or E-Akte status: every
    rule copes with empty inputs."""
    from loaders.ingest import ingest

    cur = db.cursor()
    nothing = rec.evaluate(cur, period=PERIOD, today=TODAY)
    assert nothing.findings.empty and nothing.evidence == {}
    assert list(rec.counts_by_rule(nothing.findings)["recommendations"]) == [0] * len(rec.RULES)
    assert rec.counts_by_authority(nothing.findings).empty
    result = ingest(
        data=_csv([_p("X-1", "Haushaltsportal Kassenanordnung", Ampel="rot")]),
        file_name="senfin.csv",
        kind="projects",
        authority="senfin",
        period=PERIOD,
        identity=ADMIN,
        review_status="published",
    )
    assert result.outcome == "accepted"
    sparse = rec.evaluate(cur, period=PERIOD, today=TODAY)
    # Only the other authorities' missing reports fire; nothing else has evidence.
    assert set(sparse.findings["rule_id"]) == {"missing_report"}
    assert "missing_report:senfin" not in set(sparse.findings["key"])


def test_eakte_forecast_out_of_sight_reads_as_such_not_as_a_date(demo_db: Path) -> None:
    """A forecast centuries after the target date (LEA in the demo data: no real progress)
    is shown as „nicht absehbar“ in the evidence, like on the E-Akte page, and is urgent."""
    evaluation = rec.evaluate(db.cursor(), period="2026-Q3", today=date(2026, 11, 28))
    lea = evaluation.evidence_of("eakte_behind:lea").iloc[0]
    assert lea["reasons"] == "forecast_out_of_sight"
    assert lea["forecast_label"].startswith("nicht absehbar")
    assert "nicht absehbar" in lea["reason_text"]
    findings = evaluation.findings.set_index("key")
    assert findings.loc["eakte_behind:lea", "severity"] == "high"
    rule = next(r for r in rec.RULES if r.id == "eakte_behind")
    assert rule.columns.get("forecast_label") == "Prognose 100 %"
    assert "forecast_date" not in rule.columns
