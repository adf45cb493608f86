"""Who is using the app, decided by ``DASHBOARD_AUTH_MODE``.

- ``oidc``: ``st.login`` against the administration's identity provider; role and authority
  come from a claim (default ``groups``) whose values read ``analyst``, ``admin`` or
  ``coordinator:<Behörde>`` (after an optional prefix), or are mapped explicitly by
  ``DASHBOARD_ROLE_MAP``. Streamlit keeps the identity cookie for 30 days, so the app ends a
  session itself once the token's issue time is older than ``DASHBOARD_SESSION_MAX_AGE_HOURS``.
- ``proxy``: a trusted reverse proxy authenticates and sets headers; Streamlit copies them into
  ``st.user`` (``server.trustedUserHeaders``) when the WebSocket connects and refuses to hand a
  session to a reconnecting client with another identity.
- ``demo``: no sign-in, a role and authority switcher and a permanent notice; served on
  loopback only unless ``DASHBOARD_ALLOW_REMOTE_DEMO`` is set.

There is deliberately no password form: a login kept in ``st.session_state`` would be resumed
by any client that presents the session's id within the disconnect TTL. Identity always comes
from ``st.user`` (signed cookie or proxy headers) or, in demo mode, from the switcher.

Names and claims are untrusted text: they are shown with ``st.text`` only, never as Markdown.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

import streamlit as st

from store.identity import ROLE_LABELS, Identity
from store.settings import Settings, get_settings

log = logging.getLogger(__name__)

LOOPBACK_ADDRESSES = frozenset({"127.0.0.1", "localhost", "::1", "[::1]"})
SIGNED_IN_ROLES = ("analyst", "coordinator", "admin")
_RANK = {"admin": 3, "coordinator": 2, "analyst": 1}

GateReason = Literal["ok", "public", "signed_out", "unmapped", "ambiguous", "untrusted", "expired"]


@dataclass(frozen=True)
class AuthResult:
    """The identity of this run, or why there is none (``reason``); ``user`` is the display
    name of a signed-in but unmapped user."""

    identity: Identity | None
    reason: GateReason
    user: str | None = None


# --- pure rules (no Streamlit calls; unit-tested directly) -----------------------------------


def is_loopback(address: str | None) -> bool:
    """Streamlit binds every interface when ``server.address`` is empty."""
    return bool(address) and str(address).strip().lower() in LOOPBACK_ADDRESSES


def startup_refusal(*, settings: Settings, server_address: str | None) -> str | None:
    """A German reason why the app must not serve at all, or ``None``."""
    if (
        settings.auth_mode == "demo"
        and not settings.allow_remote_demo
        and not is_loopback(server_address)
    ):
        return (
            "Die App startet nicht: Der Demo-Modus (ohne Anmeldung) ist nur auf dieser Maschine "
            f"erlaubt (server.address = 127.0.0.1), gebunden ist aber „{server_address or 'alle Adressen'}“. "
            "Für den Betrieb DASHBOARD_AUTH_MODE=oidc oder proxy setzen; nur für eine "
            "Vorführung im Netz DASHBOARD_ALLOW_REMOTE_DEMO=true."
        )
    return None


def claim_values(raw: Any) -> list[str]:
    """A claim as a list of strings: lists stay, strings split on commas and whitespace-free
    separators (``a,b``), anything else is ignored."""
    if raw is None:
        return []
    if isinstance(raw, str):
        return [v.strip() for v in re.split(r"[,;]", raw) if v.strip()]
    if isinstance(raw, Iterable) and not isinstance(raw, (bytes, Mapping)):
        return [str(v).strip() for v in raw if isinstance(v, (str, int)) and str(v).strip()]
    return []


def parse_role_value(
    value: str, *, prefix: str, role_map: Mapping[str, str]
) -> tuple[str, str | None] | None:
    """``(role, authority text)`` for one claim value, or ``None`` if it grants nothing.

    Keycloak group paths (``/dashboard/coordinator:BA Mitte``) work with a prefix such as
    ``/dashboard/``; Active Directory group names are mapped through ``role_map``.
    """
    value = value.strip()
    if value in role_map:
        value = role_map[value].strip()
    elif prefix:
        if not value.startswith(prefix):
            return None
        value = value[len(prefix) :]
    role, _, authority = value.partition(":")
    role = role.strip().lower()
    if role in ("analyst", "admin") and not authority:
        return role, None
    if role == "coordinator" and authority.strip():
        return role, authority.strip()
    return None


def identity_from_claims(
    *,
    name: str,
    values: Iterable[str],
    settings: Settings,
    resolve: Any,
) -> tuple[Identity | None, GateReason]:
    """The highest role granted by the claim values; coordinators need exactly one authority.

    ``resolve`` turns an authority text (id, short or full name) into an id or raises; an
    unknown authority grants nothing. Several coordinator authorities without a higher role
    are ambiguous and grant nothing either — the identity model has one authority per user.
    """
    grants: list[tuple[str, str | None]] = []
    for value in values:
        parsed = parse_role_value(
            value, prefix=settings.role_value_prefix, role_map=settings.role_map
        )
        if parsed is None:
            continue
        role, authority = parsed
        if authority is not None:
            try:
                authority = resolve(authority)
            except Exception:  # unknown authority: log, grant nothing
                log.warning("claim names an unknown authority: %r", authority)
                continue
        grants.append((role, authority))
    if not grants:
        return None, "unmapped"
    best = max(_RANK[role] for role, _a in grants)
    if best == _RANK["admin"]:
        return Identity(name=name, role="admin"), "ok"
    if best == _RANK["coordinator"]:
        authorities = {a for role, a in grants if role == "coordinator"}
        if len(authorities) != 1:
            return None, "ambiguous"
        return Identity(name=name, role="coordinator", authority_id=authorities.pop()), "ok"
    return Identity(name=name, role="analyst"), "ok"


def token_issued_at(claims: Mapping[str, Any]) -> datetime | None:
    """When the identity provider authenticated the user (``auth_time``, else ``iat``)."""
    for key in ("auth_time", "iat"):
        raw = claims.get(key)
        if isinstance(raw, (int, float)) and not isinstance(raw, bool):
            return datetime.fromtimestamp(float(raw), tz=UTC)
    return None


def session_expired(claims: Mapping[str, Any], *, max_age_hours: float, now: datetime) -> bool:
    """True once the sign-in is older than the app's maximum; no timestamp counts as expired
    (an identity provider that omits ``iat`` cannot prove how old the sign-in is)."""
    issued = token_issued_at(claims)
    if issued is None:
        return True
    return (now - issued).total_seconds() > max_age_hours * 3600


def source_trusted(ip_address: str | None, *, trusted: Iterable[str]) -> bool:
    """Streamlit reports loopback clients as ``None``; others must be a configured proxy."""
    trusted = set(trusted)
    if ip_address is None:
        return bool(trusted & {"127.0.0.1", "::1", "localhost"})
    return ip_address in trusted


# --- Streamlit side ---------------------------------------------------------------------------


def _resolve_authority(text: str) -> str:
    from loaders.authorities import resolve_authority

    return resolve_authority(text)


def _user() -> dict[str, Any]:
    try:
        return dict(st.user.to_dict())
    except Exception:  # no user info at all (e.g. bare script run)
        return {}


def _oidc() -> AuthResult:
    settings = get_settings()
    claims = _user()
    if not claims.get("is_logged_in"):
        return _public_or(AuthResult(None, "signed_out"))
    name = _display_name(claims, settings.oidc_name_claim)
    if session_expired(claims, max_age_hours=settings.session_max_age_hours, now=datetime.now(UTC)):
        log.info("session of %r older than %s h: signing out", name, settings.session_max_age_hours)
        return AuthResult(None, "expired", user=name)
    identity, reason = identity_from_claims(
        name=name,
        values=claim_values(claims.get(settings.oidc_roles_claim)),
        settings=settings,
        resolve=_resolve_authority,
    )
    return AuthResult(identity, reason, user=name)


def _display_name(claims: Mapping[str, Any], key: str) -> str:
    for candidate in (key, "name", "preferred_username", "email", "sub"):
        value = claims.get(candidate)
        if isinstance(value, str) and value.strip():
            return value.strip()[:200]
    return "unbekannt"


def _header_key(header: str) -> str | None:
    """The ``st.user`` key Streamlit stores ``header`` under (``server.trustedUserHeaders``)."""
    mapping = st.get_option("server.trustedUserHeaders") or {}
    if not isinstance(mapping, Mapping):
        return None
    for name, key in mapping.items():
        if str(name).lower() == header.lower():
            return str(key)
    return None


def proxy_misconfiguration() -> str | None:
    settings = get_settings()
    missing = [
        h
        for h in (settings.proxy_user_header, settings.proxy_groups_header)
        if _header_key(h) is None
    ]
    if missing:
        return (
            "Die App startet nicht: Im Proxy-Modus muss server.trustedUserHeaders die Kopfzeilen "
            + ", ".join(missing)
            + " enthalten (siehe docs/security.md)."
        )
    return None


def _proxy() -> AuthResult:
    settings = get_settings()
    address = st.context.ip_address
    address = address if isinstance(address, str) else None  # None: loopback (or AppTest)
    if not source_trusted(address, trusted=settings.proxy_trusted_ips):
        log.warning("request from untrusted address %s in proxy mode", address)
        return AuthResult(None, "untrusted")
    claims = _user()
    user_key = _header_key(settings.proxy_user_header)
    groups_key = _header_key(settings.proxy_groups_header)
    raw_name = claims.get(user_key) if user_key else None
    if not isinstance(raw_name, str) or not raw_name.strip():
        return _public_or(AuthResult(None, "signed_out"))
    name = raw_name.strip()[:200]
    identity, reason = identity_from_claims(
        name=name,
        values=claim_values(claims.get(groups_key) if groups_key else None),
        settings=settings,
        resolve=_resolve_authority,
    )
    return AuthResult(identity, reason, user=name)


def _public_or(result: AuthResult) -> AuthResult:
    if get_settings().public_view:
        return AuthResult(Identity(name="Öffentlichkeit", role="public"), "public")
    return result


def _demo() -> AuthResult:
    from store import connection as db
    from store.reference import authorities

    st.sidebar.warning(
        "**Demo-Modus**: keine Anmeldung. Rolle und Behörde sind hier frei wählbar.",
        icon="🧪",
    )
    roles = list(SIGNED_IN_ROLES) + (["public"] if get_settings().public_view else [])
    role = st.sidebar.selectbox(
        "Rolle (Demo)", roles, format_func=lambda r: ROLE_LABELS[r], key="demo_role"
    )
    authority_id = None
    options: dict[str, str] = {}
    if role == "coordinator":
        options = {aid: short for aid, _name, short, _kind in authorities(db.cursor())}
        authority_id = st.sidebar.selectbox(
            "Behörde (Demo)", list(options), format_func=options.get, key="demo_authority"
        )
    if role == "public":
        return AuthResult(Identity(name="Öffentlichkeit", role="public"), "public")
    name = f"Demo {ROLE_LABELS[role]}" + (f" {options[authority_id]}" if authority_id else "")
    return AuthResult(Identity(name=name, role=role, authority_id=authority_id), "ok")


def identify() -> AuthResult:
    """Who is this run for? Renders the demo switcher in demo mode."""
    mode = get_settings().auth_mode
    if mode == "oidc":
        return _oidc()
    if mode == "proxy":
        return _proxy()
    return _demo()


def demo_notice() -> None:
    """The permanent notice at the top of every page in demo mode."""
    if get_settings().auth_mode == "demo":
        st.warning(
            "**Demo-Modus** – ohne Anmeldung, Rollen frei wählbar. Nicht für echte Daten.",
            icon="🧪",
        )


def sign_in() -> None:
    provider = get_settings().oidc_provider
    if provider:
        st.login(provider)
    else:
        st.login()


def account_box(result: AuthResult) -> None:
    """Sidebar: who is signed in (as plain text), the role, and the sign-out button."""
    mode = get_settings().auth_mode
    identity = result.identity
    if mode == "demo" or identity is None:
        return
    box = st.sidebar.container(border=True)
    if identity.role == "public":
        box.text("Nicht angemeldet – öffentliche Ansicht")
        if mode == "oidc":
            box.button("Anmelden", on_click=sign_in, key="auth_sign_in_public")
        return
    box.text(f"Angemeldet: {identity.name}")
    label = ROLE_LABELS[identity.role]
    if identity.authority_id:
        label += f" · {identity.authority_id}"
    box.text(f"Rolle: {label}")
    if mode == "oidc":
        box.button("Abmelden", on_click=st.logout, key="auth_sign_out")


_GATE_KEY = "_auth_gate"
_REFUSALS_LOGGED = ("unmapped", "ambiguous", "untrusted", "expired")


def remember_gate(result: AuthResult) -> None:
    """Keep the result for :func:`gate` and audit-log a refused access once per session."""
    st.session_state[_GATE_KEY] = result
    logged = st.session_state.setdefault("_auth_refusals_logged", set())
    if result.reason in _REFUSALS_LOGGED and (result.reason, result.user) not in logged:
        from kpi.access import audit_refusal

        audit_refusal(
            Identity(name=result.user or "unbekannt", role="public"),
            action="sign in",
            detail={"reason": result.reason, "mode": get_settings().auth_mode},
        )
        logged.add((result.reason, result.user))


def gate() -> None:
    """The gate page (a callable page for ``st.navigation``)."""
    result = st.session_state.get(_GATE_KEY) or AuthResult(None, "signed_out")
    gate_page(result)


def gate_page(result: AuthResult) -> None:
    """The only page for someone without access: sign in, or why there is no access."""
    mode = get_settings().auth_mode
    if result.reason == "signed_out":
        st.title("Anmeldung")
        st.write(
            "Das Digitalisierungs-Dashboard ist nur für Beschäftigte der Berliner Verwaltung "
            "mit freigeschalteter Rolle zugänglich."
        )
        if mode == "oidc":
            st.button("Anmelden", type="primary", on_click=sign_in, key="auth_sign_in")
        else:
            st.info("Die Anmeldung erfolgt über das Verwaltungsportal (Proxy).")
        return
    st.title("Kein Zugang")
    if result.reason == "expired":
        hours = get_settings().session_max_age_hours
        st.write(
            f"Ihre Anmeldung ist älter als {hours:g} Stunden und damit abgelaufen. "
            "Bitte melden Sie sich erneut an."
        )
        st.button("Erneut anmelden", type="primary", on_click=st.logout, key="auth_again")
        return
    elif result.reason == "untrusted":
        st.write("Diese Verbindung kommt nicht über das Verwaltungsportal und wird abgewiesen.")
    else:
        if result.user:
            st.text(f"Angemeldet als: {result.user}")
        if result.reason == "ambiguous":
            st.write(
                "Ihrem Konto sind mehrere Behörden als Digitalisierungskoordination zugeordnet. "
                "Eine Rolle gilt für genau eine Behörde."
            )
        else:
            st.write("Ihrem Konto ist keine Rolle im Digitalisierungs-Dashboard zugeordnet.")
        st.write(
            "Bitte wenden Sie sich an das CDO-Büro (Datenverantwortung), um eine Rolle "
            "freischalten zu lassen."
        )
    if mode == "oidc":
        st.button("Abmelden", on_click=st.logout, key="auth_sign_out_gate")
