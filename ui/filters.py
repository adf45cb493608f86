"""The analysts' filters in one place: rendered by every analysis page, bound to the URL.

Each filter is a multiselect whose key is its query parameter (``?art=Bezirksamt&ampel=rot``),
so a filtered view can be bookmarked and sent by mail; the URL carries the German labels.
Streamlit drops a page's bound parameters when the user switches pages in the sidebar (they
belong to the page that rendered the widget), so the last values are remembered in the
session and put back on the next page unless its URL says otherwise: the filters apply across
pages. The period (``?periode=``) is rendered by ``ui.session`` and carried over the same way.

A link to another page (``st.page_link`` with :meth:`Filters.link`, e.g. a recommendation's
evidence view) names filter values in its URL. Streamlit 1.67 loses them on the click: the
browser puts the current page's bound parameters in front of the link's (``behoerde=A&…&
behoerde=B`` for a link to ``behoerde=B``), the server then drops every parameter the previous
page had bound and lets the widgets' previous values win. So every link starts with the marker
``verweis=1``; on a page switch the values after it are read from the run's query string and
set before the widgets. Values the URL names that are not among the options (an outdated
bookmark, a typo) are ignored, and the page says so.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlparse

import streamlit as st
from streamlit.errors import StreamlitAPIException

from data.reference import AUTHORITY_KIND_LABELS
from kpi.selection import Selection, filter_options
from loaders.enums import PROGRAMME_LABELS, STATUS_LABELS, TRAFFIC_LIGHT_LABELS
from ui.data import load

EMPTY_MESSAGE = "Keine Vorhaben für diese Auswahl"
_MEMORY = "_filters_memory"
_LAST_PATH = "_filters_path"
_MAX_QUERY = 16_384  # characters of a query string read here (Streamlit's own limit is higher)
_MAX_SHOWN = 5  # unknown values named in the notice
_MAX_VALUE_CHARS = 40
LINK_MARK = "verweis"  # first parameter of every in-app link (see requested())


@dataclass(frozen=True)
class FilterSpec:
    key: str  # widget key = query parameter
    field: str  # attribute of kpi.selection.Selection
    label: str
    help: str
    project_level: bool


SPECS: tuple[FilterSpec, ...] = (
    FilterSpec(
        "art",
        "authority_kinds",
        "Behördenart",
        "Senatsverwaltungen, Bezirksämter, nachgeordnete Behörden, Landesbetriebe.",
        False,
    ),
    FilterSpec("behoerde", "authorities", "Behörde", "Eine oder mehrere Behörden.", False),
    FilterSpec("programm", "programmes", "Programm", "Programm / Kategorie laut Meldung.", True),
    FilterSpec("themenfeld", "topic_areas", "Themenfeld", "OZG-Themenfeld laut Meldung.", True),
    FilterSpec("status", "statuses", "Status", "Status des Vorhabens laut Meldung.", True),
    FilterSpec(
        "ampel",
        "lights",
        "Ampel (Meldung)",
        "Die von der Behörde gemeldete Ampel (Selbsteinschätzung). Die berechnete Ampel "
        "steht in den Tabellen daneben.",
        True,
    ),
)
KEYS = tuple(spec.key for spec in SPECS)


@dataclass(frozen=True)
class Filters:
    """What the user chose: the selection for ``kpi`` functions plus what to show and link."""

    selection: Selection
    labels: dict[str, list[str]] = field(default_factory=dict)  # filter label → value labels
    url: dict[str, list[str]] = field(default_factory=dict)  # query parameters, period too

    @property
    def active(self) -> bool:
        return bool(self.labels)

    def describe(self) -> str:
        """``Behördenart: Bezirksamt · Status: in Umsetzung`` (empty without filters)."""
        return " · ".join(f"{name}: {', '.join(values)}" for name, values in self.labels.items())

    def export_filters(self) -> dict[str, str]:
        """Filter → values for the export files' info sheet."""
        return {name: ", ".join(values) for name, values in self.labels.items()}

    def link(self, **changes: Sequence[str] | str | None) -> dict[str, list[str]]:
        """Query parameters for a link to another page with these filters; ``changes`` set
        (or, with None, remove) single parameters, e.g. ``link(ampel=["rot"])``.

        The marker ``verweis=1`` comes first: it tells the target page where the link's own
        parameters begin in what the browser sends (:func:`requested`).
        """
        params = {LINK_MARK: ["1"]}
        params.update({k: list(v) for k, v in self.url.items()})
        for key, value in changes.items():
            if value is None:
                params.pop(key, None)
            else:
                params[key] = [value] if isinstance(value, str) else list(value)
        return params


def _choices() -> dict[str, list[tuple[str, str]]]:
    options = load(filter_options)
    return {
        "art": [
            (code, AUTHORITY_KIND_LABELS.get(code, code)) for code, _ in options["authority_kinds"]
        ],
        "behoerde": options["authorities"],
        "programm": list(PROGRAMME_LABELS.items()),
        "themenfeld": options["topic_areas"],
        "status": list(STATUS_LABELS.items()),
        "ampel": list(TRAFFIC_LIGHT_LABELS.items()),
    }


def _page_identity() -> str:
    """Which page is running: the URL path in the browser (stable from the first run on),
    else (in AppTest) the page script's hash."""
    try:
        url = st.context.url
    except (AttributeError, RuntimeError):
        url = None
    if url:
        return "path:" + urlparse(url).path
    from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx

    ctx = get_script_run_ctx()
    return "hash:" + (ctx.page_script_hash if ctx is not None else "")


def _page_identity_marker(group: str) -> tuple[str | None, str]:
    """The page of the previous run of this group, and (stored for the next run) this one."""
    page = _page_identity()
    marker = f"{_LAST_PATH}_{group}"
    last = st.session_state.get(marker)
    st.session_state[marker] = page
    return last, page


def requested() -> dict[str, list[str]]:
    """The query parameters the browser sent for this run, before Streamlit filtered them;
    after a click on an in-app link only the link's own ones.

    ``st.query_params`` lacks, on a page switch, every parameter a widget of the previous page
    was bound to; the query string of the run still has them. On a click on a page link the
    browser sends the previous page's bound parameters first and the link's after them, so
    what follows the link's marker (:data:`LINK_MARK`) is the link. Call at the start of the
    run: Streamlit rewrites the run's query string whenever a bound widget corrects the URL.
    """
    from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx

    ctx = get_script_run_ctx()
    query = getattr(ctx, "query_string", "") or ""
    if not query or len(query) > _MAX_QUERY:
        return {}
    pairs = parse_qsl(query, keep_blank_values=True)
    marks = [i for i, (key, _) in enumerate(pairs) if key == LINK_MARK]
    if marks:
        pairs = pairs[marks[-1] + 1 :]
    params: dict[str, list[str]] = {}
    for key, value in pairs:
        params.setdefault(key, []).append(value)
    return params


def link_query() -> dict[str, list[str]]:
    """The run's requested query as ``ui.session.context`` read it at the start of the run
    (before any bound widget rewrote the URL); :func:`requested` where no context exists."""
    link = getattr(st.session_state.get("ctx"), "link", None)
    return requested() if link is None else link


def carry_over(
    keys: Sequence[str],
    *,
    options: Mapping[str, Mapping[str, object]],
    url: Mapping[str, Sequence[str]],
    multiple: bool = True,
    group: str = "filters",
) -> dict[str, list[str]]:
    """Give the widgets ``keys`` the values the URL names, or after a page switch the values
    they had on the previous page; call before the widgets are created.

    ``options[key]`` maps the text a URL carries (the option's label) to the widget's value;
    ``url`` is the query the browser asked for (:func:`requested`, read at the start of the
    run: Streamlit rewrites the run's query string as soon as a bound widget corrects it).
    Returns, per key, the URL values that are no option (ignored; see :func:`ignored_notice`).

    Streamlit forgets a page's URL-bound widgets when the user switches pages (the parameters
    belong to the page that rendered them) and, on a switch, lets the widget's previous value
    win over the URL. So the values are remembered in the session (:func:`remember`) and set
    here, before the widget exists, which makes the new page's widget return them in its first
    run: the values of the URL where it names the key, else the remembered ones.
    """
    last, page = _page_identity_marker(group)
    switched = last is not None and last != page
    _write_url(LINK_MARK, [])  # read (requested()); the view's own URL does not need it
    memory = st.session_state.get(_MEMORY, {})
    unknown: dict[str, list[str]] = {}
    for key in keys:
        allowed = options[key]
        if key in url:
            texts = [text for text in url[key] if text != ""]
            bad = [text for text in texts if text not in allowed]
            if bad:
                unknown[key] = bad
            if not (switched or bad):
                continue  # Streamlit seeds a first run from the URL itself
            # Set before the widget exists: wins over the widget's previous value (which
            # st.session_state may still show, though the widget would not return it).
            names = list(dict.fromkeys(text for text in texts if text in allowed))
            if multiple:
                st.session_state[key] = [allowed[text] for text in names]
            elif names:
                st.session_state[key] = allowed[names[-1]]
                names = names[-1:]
            elif st.session_state.get(key) in allowed.values():
                st.session_state[key] = st.session_state[key]  # the value shown stays
            _write_url(key, names)
            continue
        if not switched or key in st.query_params or key not in memory:
            continue
        value = memory[key]
        label = {code: text for text, code in allowed.items()}
        if isinstance(value, list):  # also an empty list: a stale value must not come back
            st.session_state[key] = [v for v in value if v in label]
            _write_url(key, [label[v] for v in value if v in label])
        elif value is not None and value in label:
            st.session_state[key] = value
            _write_url(key, [label[value]])
    return unknown


def _write_url(key: str, texts: list[str]) -> None:
    """Put the values set before a widget into the URL too (without unknown values).

    Streamlit writes a value set this way back to the URL only if the widget's previous value
    is still in its state, which it is not after every page switch; the bookmark of the page
    would lack the filter. A parameter still bound (the period: rendered by the main script)
    cannot be written here; Streamlit keeps that one in step itself.
    """
    try:
        if len(texts) > 1:
            st.query_params[key] = texts
        elif texts:
            st.query_params[key] = texts[0]
        elif key in st.query_params:
            del st.query_params[key]
    except StreamlitAPIException:
        pass


def _quoted(values: Sequence[str]) -> str:
    shown = [
        v if len(v) <= _MAX_VALUE_CHARS else v[: _MAX_VALUE_CHARS - 1] + "…"
        for v in values[:_MAX_SHOWN]
    ]
    more = f" und {len(values) - _MAX_SHOWN} weitere" if len(values) > _MAX_SHOWN else ""
    return ", ".join(f"„{escape(v)}“" for v in shown) + more


def ignored_notice(unknown: Mapping[str, Sequence[str]], *, labels: Mapping[str, str]) -> None:
    """Say which values of a link were not recognised and ignored (escaped: the URL is
    anyone's text); nothing when all were recognised."""
    parts = [f"{labels.get(key, key)} {_quoted(values)}" for key, values in unknown.items()]
    if parts:
        st.warning(
            "Unbekannte Werte im Link wurden ignoriert: "
            + "; ".join(parts)
            + ". Gezeigt wird die Auswahl ohne diese Werte.",
            icon=":material/link_off:",
        )


def link_notice(options: Mapping[str, Iterable[str]], *, labels: Mapping[str, str]) -> None:
    """The notice of :func:`ignored_notice` for a page's own URL-bound widgets (Streamlit
    drops their unknown values itself, without a word); ``options[key]`` are the texts the
    widget's URL parameter may carry (its option labels)."""
    url = link_query()
    unknown: dict[str, list[str]] = {}
    for key, texts in options.items():
        allowed = set(texts)
        bad = [text for text in url.get(key, []) if text != "" and text not in allowed]
        if bad:
            unknown[key] = bad
    ignored_notice(unknown, labels=labels)


def remember(key: str, value: object) -> None:
    st.session_state.setdefault(_MEMORY, {})[key] = value


def carry_over_period(periods: Sequence[str], *, url: Mapping[str, Sequence[str]]) -> None:
    """The period selectbox of ``ui.session`` (created by the main script) keeps its value
    across page switches; call before the selectbox and :func:`remember` after it.

    A period the URL names that does not exist is ignored with a notice naming the period
    that is shown instead.
    """
    unknown = carry_over(
        ["periode"],
        options={"periode": {p: p for p in periods}},
        url=url,
        multiple=False,
        group="period",
    )
    if unknown and periods:
        current = st.session_state.get("periode")
        shown = current if current in periods else periods[0]
        st.warning(
            f"Die Berichtsperiode {_quoted(unknown['periode'])} aus dem Link gibt es nicht; "
            f"sie wurde ignoriert. Gezeigt wird {shown}.",
            icon=":material/link_off:",
        )


def _reset() -> None:
    for key in KEYS:
        st.session_state[key] = []
    st.session_state[_MEMORY] = {
        k: v for k, v in st.session_state.get(_MEMORY, {}).items() if k not in KEYS
    }


def render(*, project_filters: bool = True) -> Filters:
    """The filter widgets in the sidebar; returns the selection and its description.

    ``project_filters=False`` shows only the authority filters (pages that do not count
    projects, e.g. E-Akte); the project filters stay remembered for the next page.
    """
    choices = _choices()
    shown = [spec for spec in SPECS if project_filters or not spec.project_level]
    by_label = {key: {label: code for code, label in values} for key, values in choices.items()}
    ctx = st.session_state.get("ctx")
    unknown = carry_over([spec.key for spec in shown], options=by_label, url=link_query())
    ignored_notice(unknown, labels={spec.key: spec.label for spec in SPECS})
    box = st.sidebar.expander("Filter", expanded=True, icon=":material/filter_alt:")
    selected: dict[str, tuple[str, ...]] = {}
    labels: dict[str, list[str]] = {}
    url: dict[str, list[str]] = {}
    for spec in shown:
        names = dict(choices[spec.key])
        value = box.multiselect(
            spec.label,
            list(names),
            format_func=lambda code, names=names: names.get(code, code),
            key=spec.key,
            bind="query-params",
            help=spec.help,
            placeholder="alle",
        )
        remember(spec.key, list(value))
        selected[spec.field] = tuple(value)
        if value:
            labels[spec.label] = [names.get(v, v) for v in value]
            url[spec.key] = [names.get(v, v) for v in value]
    if labels:
        box.button("Filter zurücksetzen", on_click=_reset, icon=":material/filter_alt_off:")
    if ctx is not None and ctx.period:
        url["periode"] = [ctx.period]
    return Filters(selection=Selection(**selected), labels=labels, url=url)


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:])")


def escape(text: str) -> str:
    """Values from uploaded files (topic areas) are shown as text, never as Markdown."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


def caption(filters: Filters) -> None:
    """One line above the content naming the active filters (escaped: values may come from
    uploaded files)."""
    if filters.active:
        st.caption(f"Gefiltert: {escape(filters.describe())}")


def empty_notice(filters: Filters) -> None:
    """The empty state: say that nothing matches and what to do."""
    hint = (
        " Lockern Sie die Filter in der Seitenleiste oder setzen Sie sie zurück."
        if filters.active
        else " Für diese Berichtsperiode liegen keine Vorhabenlisten vor."
    )
    st.info(f"{EMPTY_MESSAGE}.{hint}", icon=":material/search_off:")
