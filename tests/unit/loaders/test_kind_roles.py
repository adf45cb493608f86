"""Kinds only the CDO office submits: the service catalogue is admin-only below the page too."""

from __future__ import annotations

from pathlib import Path

import pytest

from loaders.errors import NotAllowed
from loaders.kinds import ADMIN_ONLY_KINDS, KINDS, check_kind_allowed
from store import connection as db
from store.identity import Identity
from tests.unit.loaders.test_catalog import catalogue_csv

ADMIN = Identity(name="Daten Verantwortung", role="admin")
SKZL = Identity(name="Koordination Skzl", role="coordinator", authority_id="skzl")
ANALYST = Identity(name="Ana Lyse", role="analyst")
CATALOGUE = catalogue_csv(
    [["99050012104000", "Hundesteuer Anmeldung", "1", "", "", "Steuern & Zoll", "skzl"]]
)


def test_catalogue_is_admin_only() -> None:
    assert ADMIN_ONLY_KINDS == {"catalog"}
    check_kind_allowed("catalog", identity=ADMIN)
    for identity in (SKZL, ANALYST):
        with pytest.raises(NotAllowed) as refused:
            check_kind_allowed("catalog", identity=identity)
        assert refused.value.message == (
            "Den Leistungskatalog lädt nur die Datenverantwortung des CDO-Büros hoch."
        )
        assert identity.role in refused.value.detail


def test_coordinators_keep_their_own_kinds() -> None:
    for kind in KINDS.keys() - ADMIN_ONLY_KINDS:
        check_kind_allowed(kind, identity=SKZL)  # the authority check is a separate one


def test_prepare_refuses_a_coordinator_catalogue(empty_db: Path) -> None:
    from loaders.ingest import prepare

    try:
        prepare(
            data=CATALOGUE,
            file_name="katalog.csv",
            kind="catalog",
            authority="skzl",
            period="2026-Q3",
            identity=SKZL,
        )
    except NotAllowed as refused:
        assert "CDO-Büros" in refused.message
        refusals = db.cursor().execute(
            "SELECT count(*) FROM audit_log WHERE action = 'action_refused'"
        )
        assert refusals.fetchone() == (1,)
    else:
        raise AssertionError("a coordinator prepared a catalogue upload")


def test_commit_refuses_a_coordinator_catalogue_prepared_by_an_admin(empty_db: Path) -> None:
    """A prepared upload handed to another identity is checked again on commit."""
    from loaders.ingest import commit, prepare

    admin = Identity(name="CDO", role="admin")
    prepared = prepare(
        data=CATALOGUE,
        file_name="katalog.csv",
        kind="catalog",
        authority="skzl",
        period="2026-Q3",
        identity=admin,
    )
    before = db.data_version()
    with pytest.raises(NotAllowed) as refused:
        commit(prepared, identity=SKZL)
    assert "CDO-Büros" in refused.value.message
    assert db.data_version() == before
    assert db.cursor().execute("SELECT count(*) FROM submission").fetchone() == (0,)
