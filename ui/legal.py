"""The frame around every page (menu, language, title, legal links) and the legal texts.

``app.py`` runs the chosen page through :func:`run_page`, so every page gets an accessible
sidebar menu, ``<html lang="de">``, its own browser title and, at the bottom, links to
"Barrierefreiheit" and "Impressum / Datenschutz" (also in the menu for every role).

The texts are assembled from settings (``DASHBOARD_LEGAL_*``, ``DASHBOARD_A11Y_*``,
``DASHBOARD_CONTACT_RETENTION_DAYS``); configured values are escaped before they reach
Markdown, so an address with ``*`` or ``[`` stays text.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from urllib.parse import quote

import streamlit as st
from streamlit.delta_generator import DeltaGenerator
from streamlit.navigation.page import StreamlitPage

from store.identity import Identity
from store.settings import Settings
from ui.lang import set_document_language, set_page_title

ACCESSIBILITY_PAGE = "pages/barrierefreiheit.py"
IMPRINT_PAGE = "pages/impressum.py"
NOT_SET = "noch nicht hinterlegt"
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:])")


def run_page(
    navigation: StreamlitPage | Mapping[str, list[StreamlitPage]],
    *,
    role: str,
    menu: DeltaGenerator | None = None,
) -> None:
    """Run the current page with language, title and footer.

    Pass the *sections* (``{"Auswertung": [st.Page, ...], ...}``) rather than the result of
    ``st.navigation``: Streamlit 1.67 renders sectioned sidebar navigation as a ``<ul>`` whose
    children are ``<div>``/``<header>`` with the ``<li>`` nested inside (axe-core rules
    ``list`` and ``listitem``, serious: screen readers announce a broken list). Given
    sections, the native menu is hidden and :func:`sidebar_menu` draws the same links as
    plain page links under section labels, into ``menu`` (a container made at the top of
    the sidebar before other sidebar widgets) or at the end of the sidebar.
    """
    if isinstance(navigation, Mapping):
        page = st.navigation(dict(navigation), position="hidden")
        sidebar_menu(navigation, container=menu)
    else:
        page = navigation
    set_document_language()
    set_page_title(page.title)
    try:
        page.run()
    finally:
        footer(role=role)


def sidebar_menu(
    sections: Mapping[str, list[StreamlitPage]], *, container: DeltaGenerator | None = None
) -> None:
    """One page link per page under a text label per section (valid markup, tab order =
    reading order). The current page is highlighted by Streamlit's page link."""
    target = container if container is not None else st.sidebar
    with target:
        for section, pages in sections.items():
            if len(sections) > 1:
                st.markdown(f"**{md(section)}**")
            for item in pages:
                st.page_link(item, label=item.title, icon=item.icon or None)


def footer(*, role: str) -> None:
    """Links to the legal pages at the end of the main area (keyboard: last tab stops).

    A page that ends with ``st.stop()`` (an empty state) gets no footer: Streamlit refuses
    further elements in that run. The sidebar menu still links both pages.
    """
    from ui.navigation import pages_for

    registered = {spec.path for spec in pages_for(role)}
    links = [
        (ACCESSIBILITY_PAGE, "Barrierefreiheit", ":material/accessibility_new:"),
        (IMPRINT_PAGE, "Impressum / Datenschutz", ":material/gavel:"),
    ]
    links = [link for link in links if link[0] in registered]
    if not links:
        return
    st.divider()
    row = st.container(horizontal=True, key="legal_footer")
    for path, label, icon in links:
        row.page_link(path, label=label, icon=icon)


def md(text: str) -> str:
    """``text`` with every Markdown control character escaped."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


def value_or_not_set(text: str) -> str:
    return md(text.strip()) if text and text.strip() else f"*{NOT_SET}*"


def mail_link(address: str) -> str:
    """A ``mailto:`` link for a configured address, or the not-set marker."""
    address = (address or "").strip()
    if not address:
        return f"*{NOT_SET}*"
    return f"[{md(address)}](mailto:{quote(address, safe='@.+-_')})"


@dataclass(frozen=True)
class Limitation:
    """A part of the application that is not (fully) accessible, and the way around it."""

    what: str
    why: str
    alternative: str


# Found by the axe-core run and keyboard tests (tests/e2e); README "Barrierefreiheit" lists
# the automated findings. Keep both in step when one is fixed.
KNOWN_LIMITATIONS: tuple[Limitation, ...] = (
    Limitation(
        what="Diagramme",
        why="Diagramme sind Grafiken; Werte einzelner Balken oder Punkte sind für "
        "Screenreader nicht einzeln erreichbar.",
        alternative="Neben jedem Diagramm steht eine Tabelle mit denselben Zahlen; "
        "Diagramm und Tabelle lassen sich herunterladen.",
    ),
    Limitation(
        what="Interaktive Tabellen",
        why="Die Tabellen von Streamlit werden gezeichnet (Canvas); Screenreader lesen "
        "Zellen nur eingeschränkt vor, die Navigation in der Tabelle geht mit den Pfeiltasten.",
        alternative="Jede Tabelle lässt sich als CSV- oder Excel-Datei herunterladen und "
        "in einem barrierefreien Tabellenprogramm lesen.",
    ),
    Limitation(
        what="Seitensprache beim Laden",
        why="Streamlit liefert die Seite mit der Sprachangabe Englisch aus; die Anwendung "
        "setzt sie beim Start auf Deutsch. Bis dahin (Bruchteile einer Sekunde) ist die "
        "Angabe falsch.",
        alternative="Nach dem Laden ist die Sprache richtig gesetzt; Inhalte erscheinen "
        "erst danach.",
    ),
    Limitation(
        what="Dunkles Design",
        why="Das Design folgt der Einstellung des Betriebssystems (hell oder dunkel); beide "
        "sind auf Kontrast geprüft. Im dunklen Design ist die gewählte Option mancher "
        "Umschalter (z. B. „Ansicht“ auf der Seite Vorhaben) mit 3,6 : 1 zu kontrastarm.",
        alternative="Das helle Design erfüllt alle Kontrastanforderungen; es lässt sich im "
        "Betriebssystem oder Browser einstellen.",
    ),
    Limitation(
        what="Englische Bedienhinweise",
        why="Einige Texte des Anwendungsrahmens Streamlit sind fest englisch, z. B. „Skip to "
        "main content“, „Help for …“, „Upload“ und „Choose an option“.",
        alternative="Die Bedienelemente selbst sind deutsch beschriftet; die englischen "
        "Hinweise wiederholen nur deren Zweck.",
    ),
)


def accessibility_statement(settings: Settings) -> dict[str, str]:
    """Sections of the statement (heading → Markdown), in the order of the EU model
    statement (Durchführungsbeschluss (EU) 2018/1523)."""
    feedback = settings.a11y_feedback_email or settings.legal_contact_email
    limitations = "\n".join(
        f"- **{md(item.what)}**: {md(item.why)} *Alternative:* {md(item.alternative)}"
        for item in KNOWN_LIMITATIONS
    )
    return {
        "Erklärung zur Barrierefreiheit": (
            f"{value_or_not_set(settings.legal_operator)} ist bemüht, das "
            "Digitalisierungs-Dashboard Berlin barrierefrei zugänglich zu machen. "
            "Rechtsgrundlage ist das Barrierefreie-IKT-Gesetz Berlin (BIKTG Bln). "
            "Prüfmaßstab sind die Web Content Accessibility Guidelines (WCAG) 2.1 in der "
            "Konformitätsstufe AA, wie sie die Barrierefreie-Informationstechnik-Verordnung "
            "(BITV 2.0) und die europäische Norm EN 301 549 verlangen."
        ),
        "Stand der Vereinbarkeit mit den Anforderungen": (
            "Diese Anwendung ist mit den Anforderungen **teilweise vereinbar**. "
            "Die folgenden Inhalte sind nicht vollständig barrierefrei."
        ),
        "Nicht barrierefreie Inhalte": limitations,
        "Erstellung dieser Erklärung": (
            f"Diese Erklärung wurde am {settings.a11y_statement_date:%d.%m.%Y} erstellt. "
            "Grundlage ist eine Selbstbewertung: Jede Seite wird bei jeder Änderung "
            "automatisch mit axe-core geprüft (keine schwerwiegenden oder kritischen "
            "Verstöße), das Hochladen von Daten, die Filter und die Downloads werden "
            "allein mit der Tastatur getestet, und die Farben sind in hellem und dunklem "
            "Design auf Kontrast (Text mindestens 4,5 : 1, Diagrammelemente mindestens "
            "3 : 1) und auf Unterscheidbarkeit bei Farbsehschwächen geprüft."
        ),
        "Feedback und Kontakt": (
            "Sind Ihnen Mängel beim barrierefreien Zugang aufgefallen, oder benötigen Sie "
            "Inhalte in einer anderen Form? Dann wenden Sie sich bitte an: "
            f"{value_or_not_set(settings.legal_operator)}, E-Mail: {mail_link(feedback)}"
            + (
                f", Telefon: {md(settings.legal_contact_phone)}"
                if settings.legal_contact_phone.strip()
                else ""
            )
            + "."
        ),
        "Durchsetzungsverfahren": (
            "Wenn Sie auf Ihre Rückmeldung keine zufriedenstellende Antwort erhalten, "
            "können Sie sich an die zuständige Stelle wenden: "
            f"{value_or_not_set(settings.a11y_enforcement_body)}."
        ),
    }


def imprint(settings: Settings) -> dict[str, str]:
    """Impressum: who runs the application and how to reach them."""
    lines = [
        f"**Betreiber:** {value_or_not_set(settings.legal_operator)}",
        f"**Anschrift:** {value_or_not_set(settings.legal_address)}",
        f"**E-Mail:** {mail_link(settings.legal_contact_email)}",
        f"**Telefon:** {value_or_not_set(settings.legal_contact_phone)}",
    ]
    if settings.legal_representative.strip():
        lines.append(f"**Vertreten durch:** {md(settings.legal_representative)}")
    return {"Impressum": "  \n".join(lines)}


def privacy_notice(settings: Settings) -> dict[str, str]:
    """Datenschutzerklärung: what personal data the dashboard holds, why, for how long."""
    days = settings.contact_retention_days
    return {
        "Verantwortliche Stelle": (
            f"{value_or_not_set(settings.legal_operator)}, "
            f"E-Mail: {mail_link(settings.legal_contact_email)}. "
            f"Datenschutzbeauftragte Stelle: {value_or_not_set(settings.privacy_officer)}."
        ),
        "Ansprechpersonen in Vorhabenlisten": (
            "Behörden melden zu jedem Vorhaben eine Ansprechperson (Name, E-Mail) für "
            "Rückfragen. Sichtbar sind diese Angaben nur den Datenverantwortlichen des "
            "CDO-Büros und der Digitalisierungskoordination der eigenen Behörde – nicht der "
            "Analyse, nicht in deren Exporten und nicht in der öffentlichen Ansicht. "
            "Wird eine Meldung durch eine neuere ersetzt, werden ihre Ansprechpersonen und "
            f"die gespeicherte Originaldatei nach **{days} Tagen** gelöscht; die Löschung "
            "wird protokolliert."
        ),
        "Protokoll": (
            "Hochladen, Prüfen, Veröffentlichen, Exportieren und abgelehnte Aktionen werden "
            "mit Name und Rolle der handelnden Person und dem Zeitpunkt protokolliert, damit "
            "nachvollziehbar bleibt, wer welche Zahl geliefert oder geändert hat."
        ),
        "Cookies und Verbindungen": (
            "Die Anwendung setzt nur technisch notwendige Cookies (Schutz vor "
            "Cross-Site-Request-Forgery und, falls eingerichtet, die Anmeldung). Es gibt "
            "keine Analyse- oder Werbe-Cookies und keine Nutzungsstatistik. Schriften, "
            "Skripte und Bilder kommen ausschließlich vom Server dieser Anwendung; es "
            "werden keine Daten an Dritte übermittelt (automatisch getestet)."
        ),
        "Rechtsgrundlage": (
            "Art. 6 Abs. 1 Buchst. e DSGVO in Verbindung mit dem Berliner "
            "Datenschutzgesetz (BlnDSG): Die Verarbeitung ist für die Steuerung der "
            "Digitalisierung der Berliner Verwaltung erforderlich."
        ),
        "Ihre Rechte": (
            "Sie haben das Recht auf Auskunft (Art. 15 DSGVO), Berichtigung (Art. 16), "
            "Löschung (Art. 17), Einschränkung der Verarbeitung (Art. 18) und Widerspruch "
            "(Art. 21). Für eine Auskunft stellen die Datenverantwortlichen alle "
            "gespeicherten Angaben zu einer Person oder Behörde zusammen. Sie können sich "
            "bei der Berliner Beauftragten für Datenschutz und Informationsfreiheit "
            "beschweren."
        ),
    }


def render_sections(sections: dict[str, str], *, level: int = 2) -> None:
    """Each section as a heading of ``level`` (2 → ``st.header``, 3 → ``st.subheader``)."""
    heading: Callable[[str], object] = st.header if level == 2 else st.subheader
    for title, body in sections.items():
        heading(title, anchor=False)
        st.markdown(body)


def information_request_section(identity: Identity) -> None:
    """Downloads for information requests: a coordinator gets all data of their own
    authority; an admin that of any authority, or a search for one person."""
    from kpi import personal_data
    from store import connection as db
    from store.reference import authorities

    if identity.role not in ("coordinator", "admin"):
        return
    st.header("Auskunft über gespeicherte Daten", anchor=False)
    st.markdown(
        "Alle Angaben, die das Dashboard zu einer Behörde speichert – Meldungen, jede Zeile "
        "(auch abgelöster Meldungen, mit Ansprechpersonen), Prüfschritte und "
        "Protokolleinträge – als eine Excel-Datei. Der Export wird protokolliert."
    )
    options = {aid: short for aid, _name, short, _kind in authorities(db.cursor())}
    if identity.role == "coordinator":
        authority_id = identity.authority_id
        if authority_id is None:
            return
        st.markdown(f"Behörde: **{md(options.get(authority_id, authority_id))}**")
    else:
        authority_id = st.selectbox(
            "Behörde für die Auskunft",
            list(options),
            format_func=options.get,
            key="auskunft_behoerde",
            help="Die Datenverantwortlichen können die Daten jeder Behörde zusammenstellen.",
        )
    label = options.get(authority_id, authority_id)
    st.download_button(
        "Auskunft als Excel-Datei",
        data=_deferred_workbook(
            lambda cur: personal_data.authority_data(
                cur, identity=identity, authority_id=authority_id
            ),
            title=f"Auskunft {label}",
            identity=identity,
            detail={"authority_id": authority_id},
        ),
        file_name=f"auskunft_{authority_id}_{dt.date.today():%Y-%m-%d}.xlsx",
        mime=XLSX_MIME,
        key="auskunft_behoerde_xlsx",
        icon=":material/download:",
        on_click="ignore",
    )
    if identity.role != "admin":
        return
    st.subheader("Auskunft zu einer Person (Art. 15 DSGVO)", anchor=False)
    st.markdown(
        "Sucht den Namen in den Ansprechpersonen aller Meldungen (auch als Teil des Feldes), "
        "die E-Mail-Adresse genau, und den Namen als Einreichende, Prüfende und im Protokoll."
    )
    name = st.text_input("Name der Person", key="auskunft_name").strip()
    email = st.text_input("E-Mail-Adresse der Person", key="auskunft_email").strip()
    if not (name or email):
        st.caption(
            "Geben Sie einen Namen oder eine E-Mail-Adresse ein, um die Auskunft zu erstellen."
        )
        return
    st.download_button(
        "Personenauskunft als Excel-Datei",
        data=_deferred_workbook(
            lambda cur: personal_data.person_data(cur, identity=identity, name=name, email=email),
            title="Auskunft zu einer Person",
            identity=identity,
            detail={"person_search": True},
        ),
        file_name=f"auskunft_person_{dt.date.today():%Y-%m-%d}.xlsx",
        mime=XLSX_MIME,
        key="auskunft_person_xlsx",
        icon=":material/download:",
        on_click="ignore",
    )


def _deferred_workbook(
    collect: Callable[..., dict],
    *,
    title: str,
    identity: Identity,
    detail: dict[str, object],
) -> Callable[[], bytes]:
    """Build the workbook when clicked and audit it in the same step (no file without its
    audit entry). Runs outside the script thread: no Streamlit calls in here."""

    def make() -> bytes:
        from kpi import personal_data
        from store import connection as db
        from store.audit import write_audit

        sheets = collect(db.cursor())
        content = personal_data.to_xlsx(sheets, title=title, exported_by=identity.name)
        with db.audit_only_transaction() as cur:
            write_audit(
                cur,
                actor=identity.name,
                role=identity.role,
                action="export",
                authority_id=identity.authority_id,
                detail={
                    "title": title,
                    "format": "xlsx",
                    "what": "information_request",
                    "rows": sum(len(s) for s in sheets.values()),
                    **detail,
                },
            )
        return content

    return make
