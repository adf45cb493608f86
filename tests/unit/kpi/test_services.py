"""The online-services KPIs against a small fixture whose figures are counted by hand.

Catalogue (2026-Q2): S1–S10; S10 is out of scope, so 9 services count.

=====  ================  ===========================================  ========  ========
svc    topic / resp.     offers 2026-Q2 (Q3 changes in brackets)       own lvl   all lvl
=====  ================  ===========================================  ========  ========
S1     Familie / SenBJF  Land 3 (since 10.05.2026), EfA Hamburg 4      3         4
S2     Familie / Bezirke Bezirk 3 area-wide (since 01.01.2025)         3         3
S3     Familie / Bezirke Bezirk BA Mitte 3 (since 01.04.2026; reported  3         3
                         by BA Mitte, not again in Q3: carried on)
S4     Familie / SenBJF  EfA Bayern 3 (since 01.06.2026), Land 1       1         3
S5     Familie / SenBJF  Bund 2                                        0         2
S6     Bauen / SenStadt  Land 2 [Q3: 3 since 01.08.2026]               2 [3]     2 [3]
S7     Bauen / Bezirke   Bezirk 1 area-wide                            1         1
S8     Bauen / SenStadt  Land level 5 in model 2.0 (= 4), since 15.04.  4         4
S9     Bauen / SenStadt  none [Q3: Land 3 since 15.09.2026]            0 [3]     0 [3]
=====  ================  ===========================================  ========  ========

2026-Q2: own ≥ 3 = S1 S2 S3 S8 = 4/9; all ≥ 3 = + S4 = 5/9; own ≥ 2 = + S6 = 5/9;
all ≥ 2 = S1–S6, S8 = 7/9. Bezirk-executed S2 S3 S7: ≥ 3 in a Bezirk 2/3, area-wide 1/3.
New online in (01.04., 30.06.]: S1, S4, S8 = 3 (S3 on 01.04. is just outside, S2 long ago).
Adoption candidates: S4 (EfA 3, Berlin 1) = 1; S5's Bund offer is only level 2.
2026-Q3: own ≥ 3 = 6/9, all ≥ 3 = 7/9 (deltas +22,2 Pp. each).
"""

from __future__ import annotations

import datetime as dt
import io
import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
import xlsxwriter

from kpi import services as k
from loaders.ingest import ingest
from store import connection as db
from store.identity import Identity

ADMIN = Identity(name="Test Admin", role="admin")
SAMPLES = Path(__file__).resolve().parents[3].parent / "shared" / "samples"


def key(n: int) -> int:
    return 99_000_000_000_000 + n


CATALOG_ROWS = [
    (1, "Elterngeld", "100", "Elterngeld", "Familie & Kind", "SenBJF", ""),
    (2, "Kita-Gutschein", "100", "Elterngeld", "Familie & Kind", "alle Bezirke", ""),
    (3, "Namensänderung", "101", "Namensrecht", "Familie & Kind", "alle Bezirke", ""),
    (4, "Unterhaltsvorschuss", "102", "Unterhalt", "Familie & Kind", "SenBJF", ""),
    (5, "Kindergeld", "103", "Kindergeld", "Familie & Kind", "SenBJF", ""),
    (6, "Baugenehmigung", "200", "Bauen", "Bauen & Wohnen", "SenStadt", ""),
    (7, "Wohngeld", "201", "Wohngeld", "Bauen & Wohnen", "alle Bezirke", ""),
    (8, "Wohnberechtigungsschein", "202", "WBS", "Bauen & Wohnen", "SenStadt", ""),
    (9, "Abrissgenehmigung", "200", "Bauen", "Bauen & Wohnen", "SenStadt", ""),
    (10, "Leuchtturmwärter", "300", "Seefahrt", "Bauen & Wohnen", "SenStadt", "kein Meer"),
]
STATUS_HEADER = ["Leistungsschlüssel", "Reifegrad", "Reifegradmodell", "Bereitstellung",
                 "zuständig", "Online seit", "flächendeckend"]  # fmt: skip
SKZL_Q2 = [
    (1, 3, "", "Land Berlin", "SenBJF", "10.05.2026", ""),
    (1, 4, "", "EfA (Hamburg)", "", "", ""),
    (2, 3, "", "Bezirk", "alle Bezirke", "01.01.2025", "ja"),
    (4, 3, "", "EfA Bayern", "", "01.06.2026", ""),
    (4, 1, "", "Berlin", "SenBJF", "", ""),
    (5, 2, "", "Bund", "", "", ""),
    (6, 2, "", "Land Berlin", "SenStadt", "", ""),
    (7, 1, "", "Bezirk", "alle Bezirke", "", ""),
    (8, 5, "2.0", "Land Berlin", "SenStadt", "15.04.2026", ""),
    (10, 4, "", "Land Berlin", "SenStadt", "01.01.2024", ""),
]
BA_MITTE_Q2 = [(3, 3, "", "Bezirk", "BA Mitte", "01.04.2026", "nein")]
SKZL_Q3 = [row for row in SKZL_Q2 if row[0] != 6] + [
    (6, 3, "", "Land Berlin", "SenStadt", "01.08.2026", ""),
    (9, 3, "", "Land Berlin", "SenStadt", "15.09.2026", ""),
]
SKZL_Q3_DRAFT = [row for row in SKZL_Q3 if row[0] != 7] + [
    (7, 3, "", "Bezirk", "alle Bezirke", "20.09.2026", "ja")
]


def catalogue_csv() -> bytes:
    lines = ["Leistungsschlüssel;Leistungsbezeichnung;OZG-ID;OZG-Leistung;Themenfeld;"
             "Zuständige Behörde;Nicht im Geltungsbereich (Begründung)"]  # fmt: skip
    lines += [";".join([str(key(n)), *rest]) for n, *rest in CATALOG_ROWS]
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")


def status_xlsx(rows: list[tuple]) -> bytes:
    """The reporting template as authorities send it: keys as Excel numbers."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet("Leistungen")
    sheet.write_row(0, 0, STATUS_HEADER)
    for r, (n, level, model, *rest) in enumerate(rows, start=1):
        sheet.write_number(r, 0, key(n))
        sheet.write(r, 1, level)  # a number, or text such as "k.A."
        sheet.write_row(r, 2, [model, *rest])
    book.close()
    return buffer.getvalue()


def _ingest(data: bytes, *, name: str, kind: str, authority: str, period: str, status: str):
    result = ingest(
        data=data,
        file_name=name,
        kind=kind,
        authority=authority,
        period=period,
        identity=ADMIN,
        review_status=status,
    )
    assert result.outcome == "accepted", [p.as_line() for p in result.problems]
    return result


def _load_fixture() -> None:
    _ingest(catalogue_csv(), name="k.csv", kind="catalog", authority="skzl", period="2026-Q2",
            status="published")  # fmt: skip
    for rows, authority, period, status in (
        (SKZL_Q2, "skzl", "2026-Q2", "published"),
        (BA_MITTE_Q2, "ba-mitte", "2026-Q2", "published"),
        (SKZL_Q3, "skzl", "2026-Q3", "published"),
        (SKZL_Q3_DRAFT, "skzl", "2026-Q3", "draft"),
    ):
        _ingest(status_xlsx(rows), name="s.xlsx", kind="services", authority=authority,
                period=period, status=status)  # fmt: skip


@pytest.fixture(scope="module")
def fixture_template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The fixture loaded once through the loaders; each test reads a private copy."""
    from loaders.setup import initialise
    from store.settings import get_settings
    from tests.conftest import use_database

    path = tmp_path_factory.mktemp("services_kpi") / "fixture.duckdb"
    with pytest.MonkeyPatch.context() as mp:
        use_database(mp, path)
        initialise(demo=False)
        _load_fixture()
        db.close()
    get_settings.cache_clear()
    yield path


@pytest.fixture
def fixture_db(
    fixture_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Path]:
    from store.settings import get_settings
    from tests.conftest import use_database

    path = tmp_path / "fixture.duckdb"
    shutil.copy(fixture_template, path)
    use_database(monkeypatch, path)
    yield path
    db.close()
    get_settings.cache_clear()


def _state(period: str = "2026-Q2", unpublished: bool = False) -> pd.DataFrame:
    return k.service_state(db.cursor(), period=period, include_unpublished=unpublished)


def test_online_quotas_own_vs_incl_bund_efa_and_level_2_comparison(fixture_db: Path) -> None:
    figures = k.services_headline(db.cursor(), period="2026-Q2")
    assert figures["services_in_scope"] == 9
    assert figures["services_with_status"] == 8
    assert (figures["services_online_own"], figures["services_online_all"]) == (4, 5)
    assert figures["online_quota_own"] == pytest.approx(4 / 9)
    assert figures["online_quota_all"] == pytest.approx(5 / 9)
    assert (figures["services_level2_own"], figures["services_level2_all"]) == (5, 7)
    assert figures["level2_quota_own"] == pytest.approx(5 / 9)
    assert figures["level2_quota_all"] == pytest.approx(7 / 9)


def test_best_offer_counts_once_and_missing_status_counts_zero(fixture_db: Path) -> None:
    state = _state().set_index("service_key")
    assert len(state) == 9 and str(key(10)) not in state.index  # out of scope
    assert state.loc[str(key(1)), ["own_level", "all_level"]].tolist() == [3, 4]
    assert state.loc[str(key(1)), "best_provider"] == "efa"
    assert state.loc[str(key(9)), ["own_level", "all_level", "has_status"]].tolist() == [
        0,
        0,
        False,
    ]
    assert state.loc[str(key(8)), "own_level"] == 4  # model 2.0 level 5 shown as 4
    assert state.loc[str(key(3)), "authority_name"] == "Bezirke"


def test_unknown_level_in_model_2_counts_as_no_offer(
    empty_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """ "k.A." is an unknown level, not level 4: in model 2.0 levels above 4 are capped at 4,
    and the cap must not turn an unknown level into the highest one."""
    _ingest(catalogue_csv(), name="k.csv", kind="catalog", authority="skzl", period="2026-Q2",
            status="published")  # fmt: skip
    rows = [
        (8, 5, "2.0", "Land Berlin", "SenStadt", "15.04.2026", ""),
        (9, "k.A.", "2.0", "Land Berlin", "SenStadt", "", ""),
        (6, "k.A.", "", "Land Berlin", "SenStadt", "", ""),
    ]
    _ingest(status_xlsx(rows), name="s.xlsx", kind="services", authority="skzl",
            period="2026-Q2", status="published")  # fmt: skip
    state = _state().set_index("service_key")
    assert state.loc[str(key(8)), "own_level"] == 4
    assert state.loc[str(key(9)), ["own_level", "all_level"]].tolist() == [0, 0]
    assert state.loc[str(key(6)), ["own_level", "all_level"]].tolist() == [0, 0]
    figures = k.services_headline(db.cursor(), period="2026-Q2")
    assert (figures["services_online_own"], figures["services_online_all"]) == (1, 1)
    counts = k.quota_counts(db.cursor(), period="2026-Q2")
    assert (counts["services_online_own"], counts["services_online_all"]) == (1, 1)


def test_bezirk_services_area_wide_vs_at_least_one(fixture_db: Path) -> None:
    figures = k.services_headline(db.cursor(), period="2026-Q2")
    assert figures["district_services"] == 3
    assert (figures["district_online_any"], figures["district_online_area_wide"]) == (2, 1)
    assert figures["district_quota_any"] == pytest.approx(2 / 3)
    assert figures["district_quota_area_wide"] == pytest.approx(1 / 3)


def test_newly_online_in_the_90_days_before_the_period_end(fixture_db: Path) -> None:
    new = k.newly_online(db.cursor(), period="2026-Q2")
    assert set(new["service_key"]) == {str(key(1)), str(key(4)), str(key(8))}
    assert k.services_headline(db.cursor(), period="2026-Q2")["services_new_online"] == 3


def test_adoption_candidates(fixture_db: Path) -> None:
    candidates = k.adoption_candidates(db.cursor(), period="2026-Q2")
    assert candidates["service_key"].tolist() == [str(key(4))]
    assert candidates[["reuse_offer", "reuse_level", "own_level"]].values.tolist() == [
        ["EfA (Bayern)", 3, 1]
    ]


def test_distribution_by_topic_provider_and_authority(fixture_db: Path) -> None:
    def counts(by: str, offers: str = "all") -> dict[str, list[int]]:
        frame = k.maturity_distribution(db.cursor(), period="2026-Q2", by=by, offers=offers)
        return {g: part["services"].tolist() for g, part in frame.groupby("group", sort=False)}

    assert counts("topic_area") == {
        "Bauen & Wohnen": [1, 1, 1, 0, 1],
        "Familie & Kind": [0, 0, 1, 3, 1],
    }
    assert counts("provider") == {
        "Bund": [0, 0, 1, 0, 0],
        "EfA": [0, 0, 0, 1, 1],
        "Land Berlin": [0, 1, 1, 1, 1],
        "Bezirk": [0, 1, 0, 2, 0],
        "kein Angebot": [1, 0, 0, 0, 0],
    }
    assert counts("authority", "own") == {
        "Bezirke": [0, 1, 0, 2, 0],
        "SenBJF": [1, 1, 0, 1, 0],
        "SenStadt": [1, 0, 1, 0, 1],
    }
    frame = k.maturity_distribution(db.cursor(), period="2026-Q2", by="topic_area")
    quotas = frame.drop_duplicates("group").set_index("group")["group_quota"]
    assert quotas.to_dict() == pytest.approx({"Bauen & Wohnen": 1 / 4, "Familie & Kind": 4 / 5})


def test_trend_with_deltas_and_carried_status(fixture_db: Path) -> None:
    trend = k.online_trend(db.cursor()).set_index("period")
    assert trend.index.tolist() == ["2026-Q2", "2026-Q3"]
    assert trend.loc["2026-Q3", "services_online_own"] == 6  # S3 from BA Mitte carried on
    assert trend.loc["2026-Q3", "services_online_all"] == 7
    assert trend.loc["2026-Q3", "online_quota_own_delta_pp"] == pytest.approx(200 / 9)
    assert trend.loc["2026-Q3", "online_quota_all_delta_pp"] == pytest.approx(200 / 9)
    assert pd.isna(trend.loc["2026-Q2", "online_quota_own_delta_pp"])


def test_unpublished_reports_only_on_request(fixture_db: Path) -> None:
    published = k.services_headline(db.cursor(), period="2026-Q3")
    drafts = k.services_headline(db.cursor(), period="2026-Q3", include_unpublished=True)
    assert (published["services_online_own"], drafts["services_online_own"]) == (6, 7)
    assert (published["district_online_area_wide"], drafts["district_online_area_wide"]) == (1, 2)


def test_catalogue_of_the_period_or_the_first_one(fixture_db: Path) -> None:
    for period in ("2026-Q1", "2026-Q2", "2027-Q1"):
        info = k.catalogue_info(db.cursor(), period=period)
        assert info is not None and info["period"] == "2026-Q2"
        assert (info["services"], info["out_of_scope"]) == (10, 1)
    assert k.services_headline(db.cursor(), period="2026-Q1")["services_with_status"] == 0


def test_filters_and_ozg_drill_down(fixture_db: Path) -> None:
    state = _state()

    def keys(frame: pd.DataFrame) -> set[int]:
        return {int(s) - 99_000_000_000_000 for s in frame["service_key"]}

    assert keys(k.filter_services(state, text="GELD")) == {1, 2, 5, 7}  # 2 via its OZG-Leistung
    assert keys(k.filter_services(state, text="100")) == {1, 2}  # OZG-ID
    assert keys(k.filter_services(state, topic_areas=("bauen-wohnen",))) == {6, 7, 8, 9}
    assert keys(k.filter_services(state, providers=("efa", "none"))) == {1, 4, 9}
    assert keys(k.filter_services(state, levels=(3,))) == {2, 3, 4}
    assert keys(k.filter_services(state, authorities=("Bezirke",), online=True)) == {2, 3}
    assert keys(k.filter_services(state, online=False)) == {5, 6, 7, 9}
    assert keys(k.filter_services(state, ozg_id="200")) == {6, 9}
    bundles = k.ozg_summary(db.cursor(), period="2026-Q2").set_index("ozg_id")
    assert bundles.loc["100", ["services", "online_own", "online_all"]].tolist() == [2, 2, 2]
    assert bundles.loc["200", ["services", "online_all"]].tolist() == [2, 0]


def test_quota_figures_on_a_hand_made_frame() -> None:
    state = pd.DataFrame(
        {
            "own_level": [0, 3, 2, 4],
            "all_level": [3, 3, 2, 4],
            "has_status": [True, True, True, True],
            "district_executed": [False, True, True, False],
            "district_online_any": [False, True, False, False],
            "district_online_area_wide": [False, False, False, False],
        }
    )
    figures = k.quota_figures(state)
    assert figures["online_quota_own"] == 0.5 and figures["online_quota_all"] == 0.75
    assert figures["level2_quota_own"] == 0.75
    assert (figures["district_quota_any"], figures["district_quota_area_wide"]) == (0.5, 0.0)
    assert k.quota_figures(state.iloc[0:0])["online_quota_own"] is None


def test_command_line_import_and_summary_agree_with_hand_count(
    empty_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from kpi.__main__ import main as kpi_main
    from loaders.__main__ import main as loaders_main

    (tmp_path / "katalog.csv").write_bytes(catalogue_csv())
    (tmp_path / "stand.xlsx").write_bytes(status_xlsx(SKZL_Q2 + BA_MITTE_Q2))
    common = ["--authority", "skzl", "--period", "2026-Q2", "--publish"]
    assert (
        loaders_main(["ingest", str(tmp_path / "katalog.csv"), "--kind", "catalog", *common]) == 0
    )
    assert (
        loaders_main(["ingest", str(tmp_path / "stand.xlsx"), "--kind", "services", *common]) == 0
    )
    capsys.readouterr()
    assert kpi_main(["summary", "--period", "2026-Q2", "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["period"] == "2026-Q2" and "projects" in summary  # existing keys kept
    assert summary["services_in_scope"] == 9
    assert (summary["services_online_own"], summary["services_online_all"]) == (4, 5)
    assert (summary["services_level2_own"], summary["services_level2_all"]) == (5, 7)
    assert summary["online_quota_own"] == pytest.approx(4 / 9)
    assert summary["online_quota_all"] == pytest.approx(5 / 9)
    assert summary["level2_quota_all"] == pytest.approx(7 / 9)
    assert summary["services_status_as_of"] == str(dt.date(2026, 6, 30))


@pytest.mark.skipif(not SAMPLES.is_dir(), reason="shared sample files not available")
def test_shared_sample_files_through_the_command_line(
    empty_db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The samples as they are (read in place, never copied): counted by hand from the sheet,
    own ≥ 3 = 9 Land + 7 Bezirk offers, + 5 Bund + 8 EfA; ≥ 2 adds 10 own, 8 Bund, 10 EfA."""
    from kpi.__main__ import main as kpi_main
    from loaders.__main__ import main as loaders_main

    common = ["--authority", "skzl", "--period", "2026-Q3", "--publish"]
    catalogue = str(SAMPLES / "leistungskatalog_auszug.csv")
    status = str(SAMPLES / "leistungen_stand_2026-09.xlsx")
    assert loaders_main(["ingest", catalogue, "--kind", "catalog", *common]) == 0
    assert loaders_main(["ingest", status, "--kind", "services", *common]) == 0
    capsys.readouterr()
    assert kpi_main(["summary", "--period", "2026-Q3", "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["services_in_scope"] == 60
    assert (summary["services_online_own"], summary["services_online_all"]) == (16, 29)
    assert (summary["services_level2_own"], summary["services_level2_all"]) == (26, 44)
