"""The page registry: every page, its German title, URL and the roles that may open it.

``app.py`` builds ``st.navigation`` from the pages the current role may see, so a page that
is not in a user's navigation cannot be opened by URL either.
"""

from __future__ import annotations

from dataclasses import dataclass

ALL_ROLES = frozenset({"analyst", "coordinator", "admin"})


@dataclass(frozen=True)
class PageSpec:
    path: str
    title: str
    icon: str
    url_path: str
    roles: frozenset[str] = ALL_ROLES
    section: str = "Auswertung"
    default: bool = False


PAGES: tuple[PageSpec, ...] = (
    PageSpec(
        "pages/uebersicht.py",
        "Übersicht",
        "📊",
        "uebersicht",
        roles=ALL_ROLES | {"public"},  # aggregated, published figures only
        default=True,
    ),
    # Portfolio, authority and E-Akte analytics (issue 4): analysts and above.
    PageSpec("pages/vorhaben.py", "Vorhaben", "📋", "vorhaben"),
    PageSpec("pages/behoerden.py", "Behörden", "🏛️", "behoerden"),
    PageSpec("pages/e-akte.py", "E-Akte", "🗂️", "e-akte"),
    PageSpec(
        "pages/einreichen.py",
        "Daten einreichen",
        "📤",
        "einreichen",
        roles=frozenset({"coordinator", "admin"}),
        section="Meldungen",
    ),
    PageSpec(
        "pages/pruefung.py",
        "Prüfung & Freigabe",
        "✅",
        "pruefung",
        roles=frozenset({"admin"}),
        section="Meldungen",
    ),
)


# Online services: how many Verwaltungsleistungen Berlin offers online, and from whom (issue 3).
PAGES += (PageSpec("pages/online-dienste.py", "Online-Dienste", "🌐", "online-dienste"),)


# Handlungsempfehlungen: ranked, explainable recommendations with evidence (issue 7).
PAGES += (PageSpec("pages/empfehlungen.py", "Handlungsempfehlungen", "🧭", "empfehlungen"),)


# The audit log ("Protokoll"): admins only.
PAGES += (
    PageSpec(
        "pages/protokoll.py",
        "Protokoll",
        "🧾",
        "protokoll",
        roles=frozenset({"admin"}),
        section="Verwaltung",
    ),
)


# Stammdaten: admins maintain authorities (names, who reports) and reporting periods' due dates.
PAGES += (
    PageSpec(
        "pages/stammdaten.py",
        "Stammdaten",
        "🗃️",
        "stammdaten",
        roles=frozenset({"admin"}),
        section="Verwaltung",
    ),
)


# Accessibility statement and imprint/privacy notice: every role, the public too (issue 9).
PAGES += (
    PageSpec(
        "pages/barrierefreiheit.py",
        "Barrierefreiheit",
        "♿",
        "barrierefreiheit",
        roles=ALL_ROLES | {"public"},
        section="Hinweise",
    ),
    PageSpec(
        "pages/impressum.py",
        "Impressum / Datenschutz",
        "⚖️",
        "impressum",
        roles=ALL_ROLES | {"public"},
        section="Hinweise",
    ),
)


def pages_for(role: str) -> list[PageSpec]:
    return [p for p in PAGES if role in p.roles]


# Legal notices must be reachable without signing in (Impressumspflicht, BITV); the sign-in
# gate shows these pages next to itself. They must not need ``st.session_state["ctx"]``.
WITHOUT_SIGN_IN = frozenset({"pages/barrierefreiheit.py", "pages/impressum.py"})


def pages_without_sign_in() -> list[PageSpec]:
    return [p for p in PAGES if p.path in WITHOUT_SIGN_IN]
