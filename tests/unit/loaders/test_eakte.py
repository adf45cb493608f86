"""Kind ``eakte``: single reports through the generic path, collection files as one
submission per authority in one transaction, and every problem a file can have."""

from __future__ import annotations

import io
import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
import xlsxwriter

from loaders.eakte import (
    COLLECTION_REFUSED,
    collection_problem_table,
    commit_collection,
    compare_collection,
    ingest_collection,
    prepare_collection,
)
from loaders.errors import NotAllowed
from loaders.ingest import ingest
from store import connection as db
from store.identity import SYSTEM, Identity

HEADER = (
    "Behörde;Status;Go-Live geplant;Go-Live ist;Arbeitsplätze gesamt;davon mit E-Akte;aktive Nutzer"
)
# Like the programme office's list: BOM, CRLF, short names, German thousands, one oddity
# (status "geplant" with an actual go-live date) that is a warning, not an error.
COLLECTION = [
    "BA Mitte;Rollout;31.12.2026;;2.112;1.588;1.112",
    "Bezirksamt Pankow;produktiv;01.04.2024;15.04.2024;848;848;759",
    "BA Neukölln;geplant;01.04.2024;15.05.2025;2271;654;363",
    "SenFin;Pilot;30.06.2025;;1685;157;91",
]


@pytest.fixture(scope="module")
def initialised(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An initialised database without submissions, made once for this module."""
    from loaders.setup import initialise
    from store.settings import get_settings
    from tests.conftest import use_database

    path = tmp_path_factory.mktemp("eakte_template") / "template.duckdb"
    with pytest.MonkeyPatch.context() as patch:
        use_database(patch, path)
        initialise(demo=False)
        db.close()
    get_settings.cache_clear()
    return path


@pytest.fixture
def empty_db(initialised: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A private copy of the initialised database (faster than initialising each time)."""
    from store.settings import get_settings
    from tests.conftest import use_database

    path = tmp_path / "test.duckdb"
    shutil.copy(initialised, path)
    use_database(monkeypatch, path)
    yield path
    db.close()
    get_settings.cache_clear()


def _csv(lines: list[str], *, header: str = HEADER, encoding: str = "utf-8") -> bytes:
    text = "\r\n".join([header, *lines]) + "\r\n"
    data = text.encode(encoding)
    return b"\xef\xbb\xbf" + data if encoding == "utf-8" else data


def _count(sql: str, params: list[object] | None = None) -> int:
    row = db.cursor().execute(sql, params or []).fetchone()
    return int(row[0]) if row else 0


def _collect(data: bytes, *, identity: Identity = SYSTEM, period: str = "2026-Q3"):  # noqa: ANN202
    return ingest_collection(
        data=data, file_name="eakte_stand.csv", period=period, identity=identity
    )


def test_collection_becomes_one_submission_per_authority(empty_db: Path) -> None:
    version_before = db.data_version()
    result = _collect(_csv(COLLECTION))
    assert result.outcome == "accepted", [p.as_line() for p in result.errors]
    assert sorted(result.submissions) == ["ba-mitte", "ba-neukoelln", "ba-pankow", "senfin"]
    assert db.data_version() == version_before + 1  # one transaction
    rows = (
        db.cursor()
        .execute(
            "SELECT s.authority_id, e.authority_id, e.status, e.workplaces_in_scope, "
            "e.workplaces_live, e.active_users, e.golive_actual, s.kind, s.row_count "
            "FROM eakte_status e JOIN submission s ON s.id = e.submission_id ORDER BY 1"
        )
        .fetchall()
    )
    assert rows[0] == ("ba-mitte", "ba-mitte", "rollout", 2112, 1588, 1112, None, "eakte", 1)
    assert rows[1][2] == "planned" and rows[1][6] == date(2025, 5, 15)  # Neukölln
    assert rows[2][:5] == ("ba-pankow", "ba-pankow", "productive", 848, 848)
    assert [p.severity for p in result.problems] == ["warning"]  # Neukölln only
    assert "geplant" in result.problems[0].message and result.problems[0].row == 4
    audits = _count("SELECT count(*) FROM audit_log WHERE action = 'submission_accepted'")
    assert audits == 4


def test_same_collection_again_stores_nothing_and_changed_parts_only(empty_db: Path) -> None:
    _collect(_csv(COLLECTION))
    version = db.data_version()
    again = _collect(_csv(COLLECTION))
    assert again.outcome == "already_present"
    assert len(again.unchanged) == 4
    assert db.data_version() == version
    changed = [*COLLECTION]
    changed[0] = "BA Mitte;Rollout;31.12.2026;;2.112;1.700;1.150"
    update = _collect(_csv(changed))
    assert update.outcome == "accepted"
    assert list(update.submissions) == ["ba-mitte"]
    assert sorted(update.unchanged) == ["ba-neukoelln", "ba-pankow", "senfin"]
    assert _count("SELECT count(*) FROM submission WHERE kind = 'eakte'") == 5


def test_every_problem_is_reported_and_nothing_is_stored(empty_db: Path) -> None:
    bad = [
        "BA Mitte;Rollout;31.12.2026;;1.000;1.200;10",  # live > scope
        "Bezirksamt Atlantis;Rollout;;;100;10;5",  # unknown authority
        "SenFin;halb fertig;;;100;10;5",  # unknown status
        "LABO;Pilot;32.13.2026;;ca. 500;10;5",  # bad date, not a number
        "BA Mitte;Pilot;;;100;10;5",  # BA Mitte twice
        ";Pilot;;;100;10;-5",  # no authority, negative users
    ]
    result = _collect(_csv(bad))
    assert result.outcome == "rejected"
    found = {(p.row, p.column) for p in result.errors}
    assert found == {
        (2, "davon mit E-Akte"),
        (3, "Behörde"),
        (4, "Status"),
        (5, "Go-Live geplant"),
        (5, "Arbeitsplätze gesamt"),
        (6, "Behörde"),
        (7, "Behörde"),
        (7, "aktive Nutzer"),
    }
    assert _count("SELECT count(*) FROM submission") == 0
    assert _count("SELECT count(*) FROM audit_log WHERE action = 'submission_rejected'") == 1


def test_collection_needs_the_authority_column(empty_db: Path) -> None:
    header = "Status;Arbeitsplätze gesamt;davon mit E-Akte"
    result = _collect(_csv(["Rollout;100;10"], header=header))
    assert result.outcome == "rejected"
    assert any("Behörde" in p.message for p in result.errors)


def test_only_admins_submit_collections(empty_db: Path) -> None:
    """A coordinator (even with a file holding only the own authority) and an analyst are
    refused with a German message; the refusal is audited and nothing is stored."""
    mitte = Identity(name="Koordination Mitte", role="coordinator", authority_id="ba-mitte")
    analyst = Identity(name="Analyse", role="analyst")
    for identity, lines in ((mitte, COLLECTION), (mitte, COLLECTION[:1]), (analyst, COLLECTION)):
        with pytest.raises(NotAllowed) as refused:
            prepare_collection(
                data=_csv(lines), file_name="x.csv", period="2026-Q3", identity=identity
            )
        assert refused.value.message == COLLECTION_REFUSED
        assert "CDO-Büros" in refused.value.message and "eigenen Behörde" in refused.value.message
    assert _count("SELECT count(*) FROM audit_log WHERE action = 'action_refused'") == 3
    assert _count("SELECT count(*) FROM submission") == 0


def test_commit_checks_the_role_again(empty_db: Path) -> None:
    """A collection prepared by an admin cannot be committed under a coordinator's name."""
    prepared = prepare_collection(
        data=_csv(COLLECTION[:1]), file_name="x.csv", period="2026-Q3", identity=SYSTEM
    )
    assert not prepared.errors
    mitte = Identity(name="Koordination Mitte", role="coordinator", authority_id="ba-mitte")
    with pytest.raises(NotAllowed) as refused:
        commit_collection(prepared, identity=mitte)
    assert refused.value.message == COLLECTION_REFUSED
    assert _count("SELECT count(*) FROM submission") == 0
    assert _count("SELECT count(*) FROM audit_log WHERE action = 'action_refused'") == 1
    assert commit_collection(prepared, identity=SYSTEM).outcome == "accepted"


def test_problems_name_the_authority_of_their_row(empty_db: Path) -> None:
    bad = [
        "BA Mitte;Rollout;;;1.000;1.200;10",  # live > scope
        "Bezirksamt Atlantis;Rollout;;;100;10;5",  # unknown authority: named as written
        "SenFin;Pilot;;;100;10;5",
    ]
    prepared = prepare_collection(
        data=_csv(bad), file_name="x.csv", period="2026-Q3", identity=SYSTEM
    )
    table = collection_problem_table(prepared)
    assert list(table.columns) == ["Art", "Zeile", "Behörde", "Spalte", "Wert", "Meldung"]
    located = {(r.Zeile, r.Behörde, r.Spalte, r.Wert) for r in table.itertuples()}
    assert located == {
        (2, "BA Mitte", "davon mit E-Akte", "1.200"),
        (3, "Bezirksamt Atlantis", "Behörde", "Bezirksamt Atlantis"),
    }


def test_collection_preview_compares_each_authority_with_its_current_state(
    empty_db: Path,
) -> None:
    from kpi.submissions import comparison_submission, submission_rows

    _collect(_csv(COLLECTION[:2]), period="2026-Q2")
    changed = ["BA Mitte;Rollout;31.12.2026;;2.112;1.700;1.150", *COLLECTION[1:]]
    prepared = prepare_collection(
        data=_csv(changed), file_name="x.csv", period="2026-Q3", identity=SYSTEM
    )
    cur = db.cursor()
    current = {}
    for authority_id in prepared.authority_ids:
        base = comparison_submission(cur, authority_id=authority_id, period="2026-Q3", kind="eakte")
        current[authority_id] = (
            submission_rows(cur, submission_id=base["id"], kind="eakte") if base else None
        )
    preview = compare_collection(prepared, current=current)
    assert sorted(preview.added["Schlüssel"]) == ["ba-neukoelln", "senfin"]
    assert preview.removed.empty
    assert preview.unchanged == 1  # Pankow as in 2026-Q2
    assert set(preview.changes["Schlüssel"]) == {"ba-mitte"}
    assert set(preview.changes["Feld"]) == {"workplaces_live", "active_users"}


def test_single_report_through_the_generic_path(empty_db: Path) -> None:
    header = "Status;Go-Live geplant;Arbeitsplätze gesamt;davon mit E-Akte;Konten;aktive Nutzer"
    result = ingest(
        data=_csv(["Rollout;30.06.2027;1.250;600;640;700"], header=header, encoding="cp1252"),
        file_name="mitte.csv",
        kind="eakte",
        authority="BA Mitte",
        period="2026-Q3",
        identity=SYSTEM,
    )
    assert result.outcome == "accepted", [p.as_line() for p in result.errors]
    row = (
        db.cursor()
        .execute("SELECT authority_id, workplaces_in_scope, accounts FROM eakte_status")
        .fetchone()
    )
    assert row == ("ba-mitte", 1250, 640)
    assert [p.field for p in result.warnings] == ["active_users"]  # more users than accounts


def test_single_report_must_not_name_another_authority(empty_db: Path) -> None:
    result = ingest(
        data=_csv(COLLECTION),
        file_name="alle.csv",
        kind="eakte",
        authority="ba-mitte",
        period="2026-Q3",
        identity=SYSTEM,
    )
    assert result.outcome == "rejected"
    assert {p.value for p in result.errors} == {"Bezirksamt Pankow", "BA Neukölln", "SenFin"}
    assert all("Sammelmeldung" in p.message for p in result.errors)
    assert _count("SELECT count(*) FROM eakte_status") == 0


def test_xlsx_collection_with_title_row_and_typed_cells(empty_db: Path) -> None:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet("E-Akte")
    sheet.write(0, 0, "Stand der E-Akte-Einführung, 3. Quartal 2026")
    headers = ["Behörde", "Status", "Go-Live ist", "Arbeitsplätze gesamt", "davon mit E-Akte"]
    for col, text in enumerate(headers):
        sheet.write_string(2, col, text)
    fmt = book.add_format({"num_format": "dd.mm.yyyy"})
    sheet.write_string(3, 0, "LABO")
    sheet.write_string(3, 1, "produktiv")
    sheet.write_datetime(3, 2, date(2026, 3, 2), fmt)
    sheet.write_number(3, 3, 2773)
    sheet.write_number(3, 4, 2773)
    book.close()
    result = ingest_collection(
        data=buffer.getvalue(), file_name="eakte.xlsx", period="2026-Q3", identity=SYSTEM
    )
    assert result.outcome == "accepted", [p.as_line() for p in result.errors]
    row = db.cursor().execute("SELECT golive_actual, workplaces_live FROM eakte_status").fetchone()
    assert row == (date(2026, 3, 2), 2773)


def test_command_line_for_collections(
    empty_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from loaders.eakte import main

    path = tmp_path / "eakte.csv"
    path.write_bytes(_csv(COLLECTION))
    assert main([str(path), "--period", "2026-Q3", "--publish", "--json"]) == 0
    out = capsys.readouterr().out
    assert '"outcome": "accepted"' in out and '"ba-neukoelln"' in out
    assert _count("SELECT count(*) FROM submission WHERE review_status = 'published'") == 4
    assert main([str(path), "--period", "2026-13"]) == 2
    assert main([str(tmp_path / "fehlt.csv"), "--period", "2026-Q3"]) == 2
    path.write_bytes(_csv(["BA Mitte;Rollout;;;100;200;5"]))
    assert main([str(path), "--period", "2026-Q3"]) == 1  # live > in scope: rejected
