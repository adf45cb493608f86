"""The identity rules behind sign-in: claims → role and authority, session age, start-up."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from store.identity import Identity
from store.settings import Settings
from ui.auth import (
    claim_values,
    identity_from_claims,
    is_loopback,
    parse_role_value,
    session_expired,
    source_trusted,
    startup_refusal,
)

AUTHORITIES = {"ba-mitte": "ba-mitte", "ba mitte": "ba-mitte", "senfin": "senfin"}


def resolve(text: str) -> str:
    try:
        return AUTHORITIES[text.lower()]
    except KeyError:
        raise LookupError(text) from None


def settings(**overrides) -> Settings:
    return Settings(_env_file=None, **overrides)


def identity(values, **overrides) -> tuple[Identity | None, str]:
    return identity_from_claims(
        name="Erika Muster", values=values, settings=settings(**overrides), resolve=resolve
    )


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("analyst", ("analyst", None)),
        ("Admin", ("admin", None)),
        ("coordinator:BA Mitte", ("coordinator", "BA Mitte")),
        ("coordinator:", None),  # a coordinator needs an authority
        ("analyst:ba-mitte", None),  # other roles take none
        ("public", None),  # nobody signs in as the public
        ("superuser", None),
        ("", None),
    ],
)
def test_role_values(value: str, expected) -> None:
    assert parse_role_value(value, prefix="", role_map={}) == expected


def test_prefix_and_explicit_map() -> None:
    prefix = "/dashboard/"
    assert parse_role_value("/dashboard/admin", prefix=prefix, role_map={}) == ("admin", None)
    assert parse_role_value("admin", prefix=prefix, role_map={}) is None  # other app's group
    ad_map = {"CN=CDO-Analyse,OU=Gruppen": "analyst"}
    assert parse_role_value("CN=CDO-Analyse,OU=Gruppen", prefix=prefix, role_map=ad_map) == (
        "analyst",
        None,
    )


def test_claims_map_to_the_highest_role() -> None:
    assert identity(["analyst"]) == (Identity("Erika Muster", "analyst"), "ok")
    assert identity(["analyst", "coordinator:senfin"]) == (
        Identity("Erika Muster", "coordinator", "senfin"),
        "ok",
    )
    assert identity(["coordinator:senfin", "admin"]) == (Identity("Erika Muster", "admin"), "ok")


def test_unmapped_unknown_and_ambiguous_claims_grant_nothing() -> None:
    assert identity([]) == (None, "unmapped")
    assert identity(["offline_access", "uma_authorization"]) == (None, "unmapped")
    assert identity(["coordinator:Atlantis"]) == (None, "unmapped")  # unknown authority
    assert identity(["coordinator:ba-mitte", "coordinator:senfin"]) == (None, "ambiguous")
    assert identity(["coordinator:ba-mitte", "coordinator:BA Mitte"])[1] == "ok"  # same one


def test_role_map_from_settings() -> None:
    result, _ = identity(
        ["G-DIGI-KOORD-MITTE"], role_map={"G-DIGI-KOORD-MITTE": "coordinator:ba-mitte"}
    )
    assert result == Identity("Erika Muster", "coordinator", "ba-mitte")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (["admin", "analyst"], ["admin", "analyst"]),
        ("admin, coordinator:ba-mitte", ["admin", "coordinator:ba-mitte"]),
        ("analyst;admin", ["analyst", "admin"]),
        (None, []),
        ({"admin": True}, []),
        (42, []),
    ],
)
def test_claim_values(raw, expected) -> None:
    assert claim_values(raw) == expected


def test_session_age_uses_the_sign_in_time() -> None:
    now = datetime(2026, 11, 29, 12, tzinfo=UTC)
    fresh = {"iat": (now - timedelta(hours=2)).timestamp()}
    stale = {"iat": (now - timedelta(hours=11)).timestamp()}
    assert not session_expired(fresh, max_age_hours=10, now=now)
    assert session_expired(stale, max_age_hours=10, now=now)
    # auth_time (the actual sign-in) wins over a refreshed iat
    refreshed = {"auth_time": stale["iat"], "iat": fresh["iat"]}
    assert session_expired(refreshed, max_age_hours=10, now=now)
    assert session_expired({}, max_age_hours=10, now=now)  # no proof of age: expired
    assert session_expired({"iat": "gestern"}, max_age_hours=10, now=now)


def test_demo_mode_refuses_non_loopback_addresses() -> None:
    demo = settings(auth_mode="demo")
    assert startup_refusal(settings=demo, server_address="127.0.0.1") is None
    assert startup_refusal(settings=demo, server_address="localhost") is None
    for address in ("0.0.0.0", "", None, "10.1.2.3", "dashboard.berlin.de"):
        message = startup_refusal(settings=demo, server_address=address)
        assert message is not None and "Demo-Modus" in message
    allowed = settings(auth_mode="demo", allow_remote_demo=True)
    assert startup_refusal(settings=allowed, server_address="0.0.0.0") is None
    assert startup_refusal(settings=settings(auth_mode="oidc"), server_address="0.0.0.0") is None


def test_loopback_and_proxy_sources() -> None:
    assert is_loopback("::1") and not is_loopback("0.0.0.0") and not is_loopback(None)
    assert source_trusted(None, trusted=["127.0.0.1"])  # Streamlit reports loopback as None
    assert source_trusted("10.0.0.5", trusted=["10.0.0.5"])
    assert not source_trusted("10.0.0.6", trusted=["10.0.0.5"])
    assert not source_trusted(None, trusted=["10.0.0.5"])


def test_streamlit_config_is_private_and_serves_loopback() -> None:
    """.streamlit/config.toml: no usage statistics, no error details, minimal toolbar, the
    upload limit of the loaders, loopback (the demo default), and no third-party URLs."""
    import tomllib
    from pathlib import Path

    path = Path(__file__).resolve().parents[3] / ".streamlit" / "config.toml"
    config = tomllib.loads(path.read_text(encoding="utf-8"))
    assert config["browser"]["gatherUsageStats"] is False
    assert config["client"]["showErrorDetails"] == "none"
    assert config["client"]["toolbarMode"] == "minimal"
    assert config["server"]["maxUploadSize"] == Settings(_env_file=None).max_upload_mb
    assert config["server"]["enableXsrfProtection"] is True
    assert config["server"]["enableStaticServing"] is False
    assert is_loopback(config["server"]["address"])
    assert "http" not in repr(config.get("theme", {})), "fonts/images must be bundled"
