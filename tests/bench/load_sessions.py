"""Concurrent sessions against a real ``streamlit run``, over Streamlit's own WebSocket protocol.

    python -m tests.bench.load_sessions                         # berlin, N = 1, 10, 30, 50 + upload
    python -m tests.bench.load_sessions --sessions 30 --no-upload --scale national
    python -m tests.bench.load_sessions --url http://127.0.0.1:8501 --sessions 5   # running app

Plain HTTP load tools only fetch the static page and never run the app. Each simulated user
here is what a browser tab is to the server: it fetches the XSRF cookie, opens
``/_stcore/stream`` with the ``streamlit`` subprotocol and speaks ``BackMsg``/``ForwardMsg``
protobufs (``streamlit.proto``): a ``rerun_script`` with the page hash, the query string and
the widget states, answered by deltas up to ``script_finished``. A page time is the time from
sending a rerun to receiving ``script_finished``: the server's run plus loopback transport,
without the browser's rendering.

Each session opens the app as analyst, then performs ``--actions`` actions, each either a
page switch (pages from the server's navigation message) or a filter change (a random value
for a random selectbox, radio, multiselect or toggle the last run rendered), with a think time
between them (default 5-15 s, someone reading a dashboard page; ``--think 1,3`` is a stress
test). Random filter values rarely repeat, so most filter changes miss the cache: a pessimistic
mix. Sessions start spread over ``--ramp`` seconds. Everything is bounded: the action
count, a timeout per rerun and a deadline per scenario. The server's memory (RSS of its process
tree) is sampled every 0.5 s.

The upload scenarios add one admin session that uploads 10,000-row project lists (each for
another authority) through the HTTP upload endpoint plus the uploader's widget state (as the
browser does) and waits for the validation and preview (``check``); in the ``commit`` scenario
it also presses "Meldung übernehmen" (the file becomes a draft, ``data_version`` changes, every
cache entry is stale). The other sessions' page times while an upload is in progress (upload
start until the page answered) are compared with the same scenario without upload.

Every scenario runs on a fresh server over a copy of the scale's database (uploads write to
it), after one untimed session has visited every page (a server in use has warm caches).
Not part of the test suite.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import random
import shutil
import statistics
import sys
import tempfile
import time
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.Common_pb2 import FileURLs, UploadedFileInfo
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from tests.bench.bench_pages_scale import DEFAULT_DB_DIR, database
from tests.bench.streamlit_server import Server, load_average, start

RERUN_TIMEOUT = 120.0
RSS_GUARD_MB = 6_144.0  # a server above this is stopped (shared machine); reported as such
UPLOAD_TIMEOUT = 600.0  # validating 10,000 rows while 30 sessions browse takes a while
WIDGET_KINDS = ("selectbox", "radio", "multiselect", "checkbox")
NOT_TOUCHED = ("Rolle (Demo)", "Behörde (Demo)")  # the identity switcher stays as it is
ADMIN = "Datenverantwortung (CDO-Büro)"
UPLOAD_ROWS = 10_000
LEVELS = (1, 10, 30, 50)


@dataclass
class Widget:
    id: str
    kind: str
    label: str
    options: list[str]
    disabled: bool


@dataclass
class Action:
    session: str
    kind: str  # start, page, filter, upload_check, upload_commit
    started: float
    ms: float
    ok: bool
    detail: str = ""


@dataclass
class Client:
    """One browser tab, as far as the server can tell."""

    base_url: str
    name: str
    rng: random.Random
    timeout: float = RERUN_TIMEOUT
    session_id: str = ""
    query: str = ""
    page_hash: str = ""
    pages: dict[str, str] = field(default_factory=dict)  # page name -> script hash
    states: dict[str, Any] = field(default_factory=dict)  # widget id -> value we set
    widgets: dict[str, Widget] = field(default_factory=dict)  # rendered in the last run
    errors: int = 0
    error_messages: list[str] = field(default_factory=list)
    _finished: asyncio.Future[int] | None = None
    _file_urls: asyncio.Future[Any] | None = None

    async def open(self) -> None:
        from websockets.asyncio.client import connect

        self.xsrf = await asyncio.to_thread(_xsrf_cookie, self.base_url)
        ws_url = self.base_url.replace("http://", "ws://") + "/_stcore/stream"
        self.ws = await connect(
            ws_url,
            subprotocols=["streamlit", self.xsrf],  # type: ignore[list-item]
            additional_headers={"Cookie": f"_streamlit_xsrf={self.xsrf}"},
            max_size=None,
            open_timeout=30,
            ping_interval=None,
        )
        self._reader = asyncio.create_task(self._read())

    async def close(self) -> None:
        with contextlib.suppress(Exception):
            await self.ws.close()
        self._reader.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await self._reader

    async def _read(self) -> None:
        async for data in self.ws:
            msg = ForwardMsg()
            msg.ParseFromString(data)  # type: ignore[arg-type]
            kind = msg.WhichOneof("type")
            if kind == "new_session":
                self.session_id = msg.new_session.initialize.session_id or self.session_id
            elif kind == "navigation":
                self.pages = {p.page_name: p.page_script_hash for p in msg.navigation.app_pages}
                self.page_hash = msg.navigation.page_script_hash or self.page_hash
            elif kind == "page_info_changed":
                self.query = msg.page_info_changed.query_string
            elif kind == "delta":
                self._element(msg)
            elif kind == "file_urls_response" and self._file_urls is not None:
                if not self._file_urls.done():
                    self._file_urls.set_result(msg.file_urls_response)
            elif kind == "script_finished" and self._finished is not None:
                status = msg.script_finished
                if status == ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                    self.widgets = {}  # st.rerun(): the next run renders the page anew
                elif not self._finished.done():
                    self._finished.set_result(status)

    def _element(self, msg: ForwardMsg) -> None:
        if not msg.delta.HasField("new_element"):
            return
        element = msg.delta.new_element
        kind = element.WhichOneof("type")
        if kind == "exception":
            self.errors += 1
            self.error_messages.append(
                f"{element.exception.type}: {element.exception.message}"[:300]
            )
        elif kind in WIDGET_KINDS or kind in ("button", "file_uploader"):
            proto = getattr(element, kind)
            self.widgets[proto.id] = Widget(
                id=proto.id,
                kind=kind,
                label=proto.label,
                options=list(getattr(proto, "options", [])),
                disabled=bool(getattr(proto, "disabled", False)),
            )

    async def rerun(self, *, page: str | None = None, trigger: str | None = None) -> float:
        """Send a rerun (to ``page`` if given) with every widget state set so far and wait
        for the end of the run; returns milliseconds."""
        msg = BackMsg()
        state = msg.rerun_script
        state.query_string = "" if page else self.query
        state.page_script_hash = self.pages[page] if page else self.page_hash
        state.context_info.timezone = "Europe/Berlin"
        state.context_info.locale = "de-DE"
        state.context_info.url = self.base_url + "/"
        for widget_id, value in self.states.items():
            _set(state.widget_states.widgets.add(), widget_id, value)
        if trigger:
            entry = state.widget_states.widgets.add()
            entry.id = trigger
            entry.trigger_value = True
        if page:
            self.page_hash = self.pages[page]
        self.widgets = {}
        self._finished = asyncio.get_running_loop().create_future()
        started = time.perf_counter()
        await self.ws.send(msg.SerializeToString())
        await asyncio.wait_for(self._finished, self.timeout)
        return (time.perf_counter() - started) * 1000

    async def start(self) -> float:
        """The first run, as a new tab (URL without page); returns its milliseconds.

        Streamlit derives widget ids from the page hash of the run: the first run (sent with
        an empty hash) renders other ids than every later run of the same page. One untimed
        rerun with the page hash the server announced settles them, so that the widgets this
        client sets afterwards are the ones the server renders.
        """
        elapsed = await self.rerun()
        await self.rerun()
        return elapsed

    def find(self, kind: str, label_start: str) -> Widget | None:
        return next(
            (
                w
                for w in self.widgets.values()
                if w.kind == kind and w.label.startswith(label_start)
            ),
            None,
        )

    def random_filter(self) -> str | None:
        """Set a random widget of the last run to a random value; returns what was set
        (``None`` if the page has no such widget)."""
        choices = [
            w
            for w in self.widgets.values()
            if w.kind in WIDGET_KINDS and not w.disabled and w.label not in NOT_TOUCHED
            and (w.options or w.kind == "checkbox")
        ]  # fmt: skip
        if not choices:
            return None
        widget = self.rng.choice(choices)
        if widget.kind == "checkbox":
            self.states[widget.id] = not self.states.get(widget.id, False)
        elif widget.kind == "multiselect":
            size = self.rng.choice((0, 1, 1, 2))
            self.states[widget.id] = self.rng.sample(widget.options, min(size, len(widget.options)))
        else:
            self.states[widget.id] = self.rng.choice(widget.options)
        return f"{widget.label} = {self.states[widget.id]}"

    async def upload(self, name: str, data: bytes) -> tuple[str, Any]:
        """Upload a file as the browser does: ask for URLs, PUT the file; returns the
        uploader's widget state value."""
        request = BackMsg()
        request.file_urls_request.request_id = uuid.uuid4().hex
        request.file_urls_request.file_names.append(name)
        request.file_urls_request.session_id = self.session_id
        self._file_urls = asyncio.get_running_loop().create_future()
        await self.ws.send(request.SerializeToString())
        response = await asyncio.wait_for(self._file_urls, self.timeout)
        urls = response.file_urls[0]
        await asyncio.to_thread(_put_file, self.base_url + urls.upload_url, name, data, self.xsrf)
        info = UploadedFileInfo(
            name=name,
            size=len(data),
            file_id=urls.file_id,
            file_urls=FileURLs(
                file_id=urls.file_id, upload_url=urls.upload_url, delete_url=urls.delete_url
            ),
        )
        return urls.file_id, info


def _set(entry: Any, widget_id: str, value: Any) -> None:
    entry.id = widget_id
    if isinstance(value, bool):
        entry.bool_value = value
    elif isinstance(value, str):
        entry.string_value = value
    elif isinstance(value, list):
        entry.string_array_value.data.extend(value)
    elif isinstance(value, UploadedFileInfo):
        entry.file_uploader_state_value.uploaded_file_info.append(value)
    else:
        raise TypeError(f"no widget value type for {value!r}")


def _xsrf_cookie(base_url: str) -> str:
    with urllib.request.urlopen(f"{base_url}/_stcore/health", timeout=30) as response:  # noqa: S310 - loopback
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            if name.strip() == "_streamlit_xsrf":
                return rest.split(";")[0]
    raise RuntimeError("server sent no XSRF cookie")


def _put_file(url: str, name: str, data: bytes, xsrf: str) -> None:
    boundary = uuid.uuid4().hex
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
            "Content-Type: text/csv\r\n\r\n"
        ).encode()
        + data
        + f"\r\n--{boundary}--\r\n".encode()
    )
    request = urllib.request.Request(  # noqa: S310 - loopback
        url,
        data=body,
        method="PUT",
        headers={
            "Content-Type": f"multipart/form-data; boundary={boundary}",
            "X-Xsrftoken": xsrf,
            "Cookie": f"_streamlit_xsrf={xsrf}",
        },
    )
    with urllib.request.urlopen(request, timeout=RERUN_TIMEOUT) as response:  # noqa: S310
        if response.status not in (200, 204):
            raise RuntimeError(f"upload answered {response.status}")


# --- users --------------------------------------------------------------------------------------


async def browse(
    url: str,
    name: str,
    *,
    seed: int,
    actions: int,
    think: tuple[float, float],
    start_delay: float,
    deadline: float,
    log: list[Action],
    errors: list[str],
) -> None:
    """An analyst switching pages and filters."""
    rng = random.Random(seed)
    await asyncio.sleep(start_delay)
    client = Client(url, name, rng)
    try:
        await client.open()
        started = time.perf_counter()
        log.append(Action(name, "start", started, await client.start(), client.errors == 0))
        for _ in range(actions):
            if time.perf_counter() + think[1] > deadline:
                break
            await asyncio.sleep(rng.uniform(*think))
            before = client.errors
            current = next((p for p, h in client.pages.items() if h == client.page_hash), "")
            changed = client.random_filter() if rng.random() >= 0.5 else None
            if changed is None:
                kind, page = "page", rng.choice(sorted(client.pages))
                detail = page
            else:
                kind, page, detail = "filter", None, f"{current}: {changed}"
            started = time.perf_counter()
            ms = await client.rerun(page=page)
            log.append(Action(name, kind, started, ms, client.errors == before, detail))
    finally:
        await client.close()
        errors.extend(f"{name}: {m}" for m in client.error_messages)


async def upload_user(
    url: str,
    *,
    files: list[tuple[str, bytes]],
    deadline: float,
    log: list[Action],
    errors: list[str],
    commit: bool = True,
) -> list[tuple[float, float]]:
    """The admin uploading and validating each file and (with ``commit``) taking it over as a
    draft; returns the upload windows (upload start until the page answered)."""
    client = Client(url, "upload", random.Random(0), timeout=UPLOAD_TIMEOUT)
    windows = []
    try:
        await client.open()
        await client.start()
        role = client.find("selectbox", "Rolle (Demo)")
        if role is None:
            raise RuntimeError("no demo role switcher: is the app in demo mode?")
        client.states[role.id] = ADMIN
        await client.rerun()
        page = next(p for p in client.pages if p.startswith("Daten einreichen"))
        await client.rerun(page=page)
        for number, (name, data) in enumerate(files):
            if time.perf_counter() > deadline:
                break
            # each file for another authority: replacing its short list is the common case (a
            # re-upload over a 10,000-row list hits the preview's quadratic comparison)
            authority = client.find("selectbox", "Behörde")
            if authority is not None and len(authority.options) > number + 1:
                client.states[authority.id] = authority.options[-1 - number]
                await client.rerun()
            began = time.perf_counter()
            uploader = client.find("file_uploader", "")
            if uploader is None:
                raise RuntimeError("no file uploader on the submit page")
            _, info = await client.upload(name, data)
            client.states[uploader.id] = info
            before = client.errors
            started = time.perf_counter()
            ms = await client.rerun()
            log.append(Action("upload", "upload_check", started, ms, client.errors == before))
            button = client.find("button", "Meldung übernehmen")
            if button is None:
                raise RuntimeError("the file was not accepted for commit (validation errors?)")
            if commit:
                started = time.perf_counter()
                ms = await client.rerun(trigger=button.id)
                log.append(Action("upload", "upload_commit", started, ms, client.errors == before))
            client.states.pop(uploader.id, None)  # the page starts a new, empty uploader
            windows.append((began, time.perf_counter()))
            await asyncio.sleep(2.0)
    finally:
        await client.close()
        errors.extend(f"upload: {m}" for m in client.error_messages)
    return windows


def upload_files(count: int, directory: Path) -> list[tuple[str, bytes]]:
    """``count`` different valid 10,000-row project lists as German CSV (cp1252, ``;``)."""
    from tests.bench.generate import project_rows, write_csv

    files = []
    for n in range(count):
        path = directory / f"vorhaben_last_{n + 1}.csv"
        write_csv(path, project_rows(UPLOAD_ROWS, seed=4_000 + n))
        files.append((path.name, path.read_bytes()))
    return files


async def warm_up(url: str) -> None:
    """One untimed visit of every page, as a server in use has warm caches."""
    client = Client(url, "warmup", random.Random(1))
    try:
        await client.open()
        await client.start()
        for page in sorted(client.pages):
            await client.rerun(page=page)
    finally:
        await client.close()


async def scenario(
    url: str,
    server: Server | None,
    *,
    sessions: int,
    actions: int,
    think: tuple[float, float],
    ramp: float,
    limit: float,
    files: list[tuple[str, bytes]],
    commit: bool = True,
) -> dict[str, Any]:
    log: list[Action] = []
    errors: list[str] = []
    samples: list[float] = []
    deadline = time.perf_counter() + limit

    guard: list[float] = []

    async def sample() -> None:
        while True:
            if server is not None:
                samples.append(server.rss_mb())
                if samples[-1] > RSS_GUARD_MB and not guard:
                    # the machine is shared: stop the server before it takes everyone's memory
                    guard.append(samples[-1])
                    server.stop()
            await asyncio.sleep(0.5)

    sampler = asyncio.create_task(sample())
    users = [
        browse(
            url,
            f"s{n}",
            seed=1_000 + n,
            actions=actions,
            think=think,
            start_delay=ramp * n / max(1, sessions),
            deadline=deadline,
            log=log,
            errors=errors,
        )
        for n in range(sessions)
    ]
    uploading = None
    if files:
        uploading = asyncio.ensure_future(
            _after(
                ramp,
                upload_user(
                    url, files=files, deadline=deadline, log=log, errors=errors, commit=commit
                ),
            )
        )
    outcomes = await asyncio.gather(*users, return_exceptions=True)
    failures = [repr(o) for o in outcomes if isinstance(o, BaseException)]
    windows: list[tuple[float, float]] = []
    if uploading is not None:
        try:
            windows = await uploading
        except Exception as exc:  # reported in the table, the other figures still count
            failures.append(f"upload: {exc!r}")
    sampler.cancel()
    result = summarise(log, samples, windows, sessions=sessions, failures=failures)
    result["error_messages"] = errors[:20]
    result["commit"] = commit
    result["stopped_at_rss_mb"] = guard[0] if guard else None
    return result


async def _after(delay: float, coroutine: Any) -> Any:
    await asyncio.sleep(delay)
    return await coroutine


def _percentile(values: list[float], share: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))
    return ordered[index]


def summarise(
    log: list[Action],
    samples: list[float],
    windows: list[tuple[float, float]],
    *,
    sessions: int,
    failures: list[str],
) -> dict[str, Any]:
    browsing = [a for a in log if a.kind in ("page", "filter")]
    starts = [a.ms for a in log if a.kind == "start"]
    times = [a.ms for a in browsing]
    during = [a.ms for a in browsing if any(b <= a.started <= e for b, e in windows)]
    uploads = {
        kind: [a.ms for a in log if a.kind == kind] for kind in ("upload_check", "upload_commit")
    }
    return {
        "sessions": sessions,
        "actions": len(times),
        "p50_ms": _percentile(times, 0.5),
        "p95_ms": _percentile(times, 0.95),
        "max_ms": max(times) if times else None,
        "start_p50_ms": _percentile(starts, 0.5),
        "start_p95_ms": _percentile(starts, 0.95),
        "errors": sum(1 for a in log if not a.ok),
        "failed_sessions": failures,
        "rss_peak_mb": max(samples) if samples else None,
        "rss_end_mb": samples[-1] if samples else None,
        "uploads": len(windows),
        "during_upload_actions": len(during),
        "during_upload_p95_ms": _percentile(during, 0.95),
        "upload_check_ms": statistics.median(uploads["upload_check"])
        if uploads["upload_check"]
        else None,
        "upload_commit_ms": statistics.median(uploads["upload_commit"])
        if uploads["upload_commit"]
        else None,
        "load": load_average(),
        "slowest": [
            f"{a.ms:.0f} ms {a.kind} {a.detail}" for a in sorted(log, key=lambda a: -a.ms)[:8]
        ],
        "by_page": by_page(browsing),
        "log": [
            {"session": a.session, "kind": a.kind, "detail": a.detail, "ms": round(a.ms, 1)}
            for a in log
        ],
    }


def by_page(browsing: list[Action]) -> list[dict[str, Any]]:
    """Where the server time goes: page visits and filter changes per page (count, p50, p95,
    share of all page time), largest share first. A filter change of the period or of
    "unpublished" is listed apart: it changes the selection-independent cache keys too."""
    groups: dict[str, list[float]] = {}
    for action in browsing:
        page, _, change = action.detail.partition(": ")
        if action.kind == "page":
            label = f"{page} (Seitenwechsel)"
        elif change.startswith(("Berichtsperiode", "Nicht veröffentlichte")):
            label = f"{page} (Periode/Entwürfe)"
        else:
            label = f"{page} (Filter)"
        groups.setdefault(label, []).append(action.ms)
    total = sum(sum(times) for times in groups.values()) or 1.0
    rows = [
        {
            "what": label,
            "actions": len(times),
            "p50_ms": _percentile(times, 0.5),
            "p95_ms": _percentile(times, 0.95),
            "share": sum(times) / total,
        }
        for label, times in groups.items()
    ]
    return sorted(rows, key=lambda row: -row["share"])


def run_on_fresh_server(
    source: Path, workdir: Path, *, log_dir: Path | None = None, **kwargs: Any
) -> dict[str, Any]:
    db_path = workdir / "load.duckdb"
    shutil.copy(source, db_path)
    upload = ("-commit" if kwargs.get("commit", True) else "-check") if kwargs.get("files") else ""
    name = f"streamlit-{kwargs['sessions']}{upload}.log"
    server = start(db_path, log=(log_dir or workdir) / name)
    try:
        server.wait_healthy()
        asyncio.run(warm_up(server.url))
        rss_idle = server.rss_mb()
        result = asyncio.run(scenario(server.url, server, **kwargs))
        result["rss_idle_mb"] = rss_idle
        return result
    finally:
        server.stop()
        db_path.unlink(missing_ok=True)
        Path(f"{db_path}.wal").unlink(missing_ok=True)


def markdown(results: list[dict[str, Any]], *, scale: str, think: str = "") -> str:
    from ui.format import number

    def ms(value: float | None) -> str:
        return "–" if value is None else f"{number(value)} ms"

    lines = [
        f"| Sitzungen ({scale}{', Denkzeit ' + think + ' s' if think else ''}) | Aktionen | p50 "
        "| p95 | max | Sitzungsstart p95 | Fehler "
        "| RSS Server (Spitze) | Last (1/5/15 min) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in results:
        label = str(r["sessions"])
        if r["uploads"]:
            label += " + Upload" + (" mit Übernahme" if r.get("commit") else " (nur Prüfung)")
        lines.append(
            f"| {label} | {r['actions']} | {ms(r['p50_ms'])} | {ms(r['p95_ms'])} "
            f"| {ms(r['max_ms'])} | {ms(r['start_p95_ms'])} "
            f"| {r['errors'] + len(r['failed_sessions'])} "
            f"| {number(r['rss_peak_mb'] or 0)} MiB"
            + (" (Server gestoppt)" if r.get("stopped_at_rss_mb") else "")
            + f" | {r['load']} |"
        )
    for r in results:
        if r["uploads"]:
            lines.append("")
            lines.append(
                f"Upload{' mit Übernahme' if r.get('commit') else ''} "
                f"({number(UPLOAD_ROWS)} Zeilen, {r['uploads']}×): Prüfung "
                f"{ms(r['upload_check_ms'])}, Übernahme {ms(r['upload_commit_ms'])} (Median); "
                f"p95 der anderen Sitzungen während der Uploads {ms(r['during_upload_p95_ms'])} "
                f"({r['during_upload_actions']} Aktionen)."
            )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default="berlin")
    parser.add_argument("--db-dir", type=Path, default=DEFAULT_DB_DIR)
    parser.add_argument("--sessions", default=",".join(map(str, LEVELS)))
    parser.add_argument("--actions", type=int, default=8, help="actions per session")
    parser.add_argument(
        "--think",
        default="5,15",
        help="think time range in seconds (5-15 s: reading a dashboard page; 1,3: stress)",
    )
    parser.add_argument("--ramp", type=float, default=5.0, help="seconds to start all sessions")
    parser.add_argument("--limit", type=float, default=300.0, help="seconds per scenario")
    parser.add_argument("--upload-sessions", type=int, default=30)
    parser.add_argument("--upload-cycles", type=int, default=3)
    parser.add_argument("--no-upload", action="store_true")
    parser.add_argument(
        "--upload-modes",
        default="check,commit",
        help="check: upload and validation only; commit: also take the file over (a draft)",
    )
    parser.add_argument("--url", help="use a running app instead (no memory figures)")
    parser.add_argument("--json", type=Path)
    parser.add_argument("--log-dir", type=Path, help="keep the servers' logs here")
    args = parser.parse_args(argv)
    think = tuple(float(x) for x in args.think.split(","))
    common = {"actions": args.actions, "think": think, "ramp": args.ramp, "limit": args.limit}
    levels = [int(n) for n in args.sessions.split(",") if n]
    results = []
    with tempfile.TemporaryDirectory(prefix="dashboard-load-") as tmp:
        workdir = Path(tmp)
        if args.url:
            for n in levels:
                results.append(
                    asyncio.run(scenario(args.url, None, sessions=n, files=[], **common))
                )
        else:
            source = database(args.scale, args.db_dir)
            for n in levels:
                print(f"{n} sessions …", file=sys.stderr, flush=True)
                results.append(
                    run_on_fresh_server(
                        source, workdir, log_dir=args.log_dir, sessions=n, files=[], **common
                    )
                )
            if not args.no_upload:
                files = upload_files(args.upload_cycles, workdir)
                for mode in args.upload_modes.split(","):
                    print(f"{args.upload_sessions} sessions + upload ({mode}) …", file=sys.stderr)
                    results.append(
                        run_on_fresh_server(
                            source,
                            workdir,
                            log_dir=args.log_dir,
                            sessions=args.upload_sessions,
                            files=files,
                            commit=mode == "commit",
                            **common,
                        )
                    )
    print(markdown(results, scale=args.scale, think=args.think.replace(",", "–")))
    for result in results:
        print(f"\nZeitanteile, {result['sessions']} Sitzungen:", file=sys.stderr)
        for row in result["by_page"][:10]:
            print(
                f"  {row['share']:5.1%}  {row['actions']:4d}×  p50 {row['p50_ms']:7.0f} ms  "
                f"p95 {row['p95_ms']:7.0f} ms  {row['what']}",
                file=sys.stderr,
            )
    if args.json:
        args.json.write_text(json.dumps(results, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
