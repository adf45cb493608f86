"""The filter selection applied to the finished rule evidence (issue 8) gives exactly what
evaluating every rule for that selection gave.

The reference below is the evaluation loop as it was before the split into
``rule_findings`` (once per data version) and ``select`` (per selection): a fresh evaluation of
all rules for each selection, filtered, sorted, grouped and ranked. Both run on the demo data
for several selections, with and without unpublished submissions.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from kpi import recommendations as rec
from kpi.selection import Selection
from store import connection as db

PERIOD = "2026-Q3"
TODAY = date(2026, 11, 29)


def per_selection_evaluation(
    cur: object, *, include_unpublished: bool, selection: Selection
) -> rec.Evaluation:
    """The evaluation before issue 8: every rule evaluated again for each selection."""
    t = rec.Thresholds()
    inputs = rec.Inputs(
        cur, period=PERIOD, today=TODAY, include_unpublished=include_unpublished, thresholds=t
    )
    records: list[dict[str, object]] = []
    evidence: dict[str, pd.DataFrame] = {}
    for rule in rec.RULES:
        rows = rec.evaluate_rule(rule, inputs)
        if rows.empty:
            continue
        mask = rec._matches(rows, selection, rule.filters)
        if rule.whole_subject:
            mask = rows["key"].isin(set(rows.loc[mask, "key"]))
        rows = rows[mask]
        if rows.empty:
            continue
        rows = rows.sort_values(
            ["key", *(column for column, _ in rule.sort)],
            ascending=[True, *(ascending for _, ascending in rule.sort)],
        )
        evidence[rule.id] = rows.reset_index(drop=True)
        records.extend(rec._findings(rule, rows, total=float(rule.total(inputs)), thresholds=t))
    findings = pd.DataFrame.from_records(
        records, columns=[c for c in rec.FINDING_COLUMNS if c != "rank"]
    )
    findings = rec.apply_decisions(rec.rank(findings), rec.decisions(cur))
    return rec.Evaluation(period=PERIOD, findings=findings, evidence=evidence, thresholds=t)


SELECTIONS = {
    "none": Selection(),
    "Bezirksämter": Selection(authority_kinds=("district_office",)),
    "zwei Behörden": Selection(authorities=("ba-lichtenberg", "labo")),
    "Cluster über eine Behörde": Selection(authorities=("seninnsport",)),
    "Onlinedienste": Selection(programmes=("online_service",)),
    "in Umsetzung, grün": Selection(statuses=("in_progress",), lights=("green",)),
    "Themenfeld": Selection(topic_areas=("Familie & Kind",)),
    "Senat, Themenfeld, gelb": Selection(
        authority_kinds=("senate_department",), topic_areas=("Bildung",), lights=("yellow",)
    ),
    "nichts": Selection(authorities=("keine-behoerde",)),
}


@pytest.mark.parametrize("include_unpublished", [False, True])
def test_selection_applied_afterwards_equals_evaluation_per_selection(
    demo_db: Path, include_unpublished: bool
) -> None:
    cur = db.cursor()
    found = rec.rule_findings(
        cur,
        period=PERIOD,
        today=TODAY,
        include_unpublished=include_unpublished,
        thresholds=rec.Thresholds(),
    )
    sizes = {}
    for name, selection in SELECTIONS.items():
        expected = per_selection_evaluation(
            cur, include_unpublished=include_unpublished, selection=selection
        )
        result = rec.select(found, selection=selection)
        pd.testing.assert_frame_equal(result.findings, expected.findings, obj=name)
        assert result.evidence.keys() == expected.evidence.keys(), name
        for rule_id, rows in expected.evidence.items():
            pd.testing.assert_frame_equal(result.evidence[rule_id], rows, obj=f"{name} {rule_id}")
        assert result.period == expected.period and result.thresholds == expected.thresholds
        sizes[name] = len(result.findings)
    # The selections really select: all findings, some, none.
    assert sizes["none"] > sizes["Bezirksämter"] > 0
    assert sizes["none"] > sizes["zwei Behörden"] > 0
    assert sizes["nichts"] == 0
    assert len(set(sizes.values())) >= 5


def test_whole_clusters_stay_whole_under_an_authority_filter(demo_db: Path) -> None:
    """A filter naming one authority of a cluster shows the whole cluster (all authorities)."""
    found = rec.rule_findings(db.cursor(), period=PERIOD, today=TODAY)
    chosen = rec.select(found, selection=SELECTIONS["Cluster über eine Behörde"])
    clusters = chosen.evidence["similar_projects"]
    chat = clusters[clusters["key"].str.contains("chatbot")]
    assert {"BA Lichtenberg", "BA Treptow-Köpenick", "LABO", "SenInnSport"} <= set(
        chat["short_name"]
    )


def test_evaluate_is_rule_findings_then_select(demo_db: Path) -> None:
    selection = SELECTIONS["Bezirksämter"]
    direct = rec.evaluate(db.cursor(), period=PERIOD, today=TODAY, selection=selection)
    split = rec.select(
        rec.rule_findings(db.cursor(), period=PERIOD, today=TODAY), selection=selection
    )
    pd.testing.assert_frame_equal(direct.findings, split.findings)
