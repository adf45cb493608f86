"""Start and stop a real ``streamlit run app.py`` for the benchmarks, and measure its memory.

Like the browser-test harness (``tests/e2e/conftest.py``): loopback only, a free port, its own
process group so that stopping reaches every child, file watcher off. The server's output goes
to a log file beside the database.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
STOP_TIMEOUT = 10.0


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:  # noqa: S310 - loopback
            return response.status == 200 and response.read().strip() == b"ok"
    except (urllib.error.URLError, OSError):
        return False


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    url: str
    log: Path
    started: float  # time.perf_counter() just before the process was started
    healthy_after: float | None = None
    rss_samples: list[float] = field(default_factory=list)

    def wait_healthy(self, timeout: float = 120.0, interval: float = 0.05) -> float:
        """Seconds from process start until ``/_stcore/health`` answered ``ok``."""
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"streamlit exited ({self.process.returncode}); see {self.log}")
            if healthy(self.url):
                self.healthy_after = time.perf_counter() - self.started
                return self.healthy_after
            time.sleep(interval)
        raise RuntimeError(f"streamlit not healthy after {timeout:.0f} s; see {self.log}")

    def rss_mb(self) -> float:
        """Resident memory of the server and all its descendants, in MiB (from /proc)."""
        return sum(_rss_kb(pid) for pid in _tree(self.process.pid)) / 1024

    def stop(self) -> None:
        if self.process.poll() is not None:
            return
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=STOP_TIMEOUT)
        except ProcessLookupError:
            return
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=STOP_TIMEOUT)


def start(db_path: Path, *, log: Path, extra_env: dict[str, str] | None = None) -> Server:
    """Start the app on ``db_path`` (demo seeding off); returns at once, see ``wait_healthy``."""
    port = free_port()
    env = {
        **os.environ,
        "DASHBOARD_DB": str(db_path),
        "DASHBOARD_SEED_DEMO": "false",
        "PYTHONUNBUFFERED": "1",
        **(extra_env or {}),
    }
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        "app.py",
        "--server.headless",
        "true",
        "--server.address",
        "127.0.0.1",
        "--server.port",
        str(port),
        "--browser.gatherUsageStats",
        "false",
        "--server.fileWatcherType",
        "none",
    ]
    handle = log.open("ab")
    started = time.perf_counter()
    process = subprocess.Popen(  # noqa: S603 - fixed command line
        command,
        cwd=PROJECT_ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=handle,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    handle.close()
    return Server(process=process, url=f"http://127.0.0.1:{port}", log=log, started=started)


def _tree(pid: int) -> list[int]:
    """``pid`` and its descendants (Linux /proc)."""
    found, stack = [], [pid]
    while stack:
        current = stack.pop()
        found.append(current)
        for task in Path(f"/proc/{current}/task").glob("*"):
            try:
                children = (task / "children").read_text().split()
            except OSError:
                continue
            stack.extend(int(c) for c in children)
    return found


def _rss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def load_average() -> str:
    """``uptime``'s load averages, to state how busy the machine was during a measurement."""
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} / {five:.2f} / {fifteen:.2f}"
