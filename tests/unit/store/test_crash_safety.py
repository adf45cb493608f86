"""kill -9 during ingests, again and again: nothing partial, nothing acknowledged lost.

A worker process imports the loaders once and forks a child per round; the child opens the
database and ingests distinct files in a loop, printing ``ACK <submission id> <rows>`` only
after ``ingest`` returned (the transaction committed). The test kills the child with SIGKILL at
a random moment — before, during or after a transaction or checkpoint — and starts the next
round on the same file, so every round also proves that the database reopens after a crash.
Forking from a warm worker keeps a round at a fraction of a second (no interpreter start).
"""

from __future__ import annotations

import os
import random
import selectors
import signal
import subprocess
import sys
import time
from pathlib import Path

from store import connection as db

ROUNDS = 22
SEED = 20261129
ROUND_TIMEOUT = 30.0  # seconds a round may take before the test gives up (hang, not speed)

WORKER = r"""
import os, sys
sys.path.insert(0, os.environ["PROJECT_ROOT"])
from loaders.ingest import ingest
from loaders import kinds, projects, header, readers, convert  # warm: the child only forks
from store import connection
from store.identity import Identity
from tests.builders import csv_bytes, project_row

ADMIN = Identity(name="Crash Test", role="admin")
AUTHORITIES = ["ba-mitte", "ba-pankow", "senfin", "ba-spandau"]

def child(round_no):
    connection.connection()
    os.write(1, b"OPEN\n")
    n = 0
    while True:
        n += 1
        size = 5 + (round_no * 7 + n * 3) % 40
        records = [
            project_row(i, **{"Bezeichnung des Vorhabens": f"Runde {round_no} Datei {n} Nr. {i}"})
            for i in range(1, size + 1)
        ]
        result = ingest(
            data=csv_bytes(records),
            file_name=f"r{round_no}-{n}.csv",
            kind="projects",
            authority=AUTHORITIES[(round_no + n) % len(AUTHORITIES)],
            period="2026-Q3",
            identity=ADMIN,
        )
        if result.outcome == "accepted":
            os.write(1, f"ACK {result.submission_id} {result.row_count}\n".encode())
        else:
            os.write(1, f"NOACK {result.outcome}\n".encode())

sys.stdout.write("READY\n"); sys.stdout.flush()
for line in sys.stdin:
    round_no = int(line)
    pid = os.fork()
    if pid == 0:
        try:
            child(round_no)
        finally:
            os._exit(3)
    os.write(1, f"PID {pid}\n".encode())
    _, status = os.waitpid(pid, 0)
    os.write(1, f"DEAD {pid} {status}\n".encode())
"""


class _Lines:
    """Line reader over the worker's stdout with a deadline (no blocking forever)."""

    def __init__(self, process: subprocess.Popen[bytes]) -> None:
        assert process.stdout is not None
        self.fd = process.stdout.fileno()
        self.selector = selectors.DefaultSelector()
        self.selector.register(self.fd, selectors.EVENT_READ)
        self.buffer = b""

    def next(self, deadline: float) -> str:
        while b"\n" not in self.buffer:
            if not self.selector.select(timeout=max(0.0, deadline - time.monotonic())):
                raise TimeoutError("worker did not answer in time")
            chunk = os.read(self.fd, 65536)
            if not chunk:
                raise EOFError("worker ended")
            self.buffer += chunk
        line, self.buffer = self.buffer.split(b"\n", 1)
        return line.decode()


def test_kill_9_during_ingest_loses_nothing_acknowledged(empty_db: Path) -> None:
    db.close()  # the worker's children own the file from here on
    rng = random.Random(SEED)
    env = {**os.environ, "PROJECT_ROOT": str(Path(__file__).resolve().parents[3])}
    process = subprocess.Popen(  # noqa: S603 - fixed interpreter and script
        [sys.executable, "-c", WORKER],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    assert process.stdin is not None
    lines = _Lines(process)
    acknowledged: dict[int, int] = {}
    kills = 0
    try:
        assert lines.next(time.monotonic() + ROUND_TIMEOUT) == "READY"
        for round_no in range(1, ROUNDS + 1):
            deadline = time.monotonic() + ROUND_TIMEOUT
            process.stdin.write(f"{round_no}\n".encode())
            process.stdin.flush()
            line = lines.next(deadline)
            while not line.startswith("PID "):
                line = lines.next(deadline)
            pid = int(line.split()[1])
            if rng.random() < 0.2:  # some rounds die while opening (WAL replay, migrations)
                time.sleep(rng.uniform(0.0, 0.05))
            else:  # the others after 0–3 commits, at a random moment of the next ingest
                # (counting commits, not seconds, keeps the test independent of machine speed)
                wait_for = rng.randint(0, 3)
                seen, opened = 0, False
                while not opened or seen < wait_for:
                    line = lines.next(deadline)
                    opened = opened or line == "OPEN"
                    assert not line.startswith("DEAD "), f"round {round_no}: child died: {line}"
                    if line.startswith("ACK "):
                        _, submission_id, row_count = line.split()
                        acknowledged[int(submission_id)] = int(row_count)
                        seen += 1
                time.sleep(rng.uniform(0.0, 0.15))
            os.kill(pid, signal.SIGKILL)
            kills += 1
            while True:
                line = lines.next(deadline)
                if line.startswith("ACK "):
                    _, submission_id, row_count = line.split()
                    acknowledged[int(submission_id)] = int(row_count)
                elif line.startswith("DEAD "):
                    status = int(line.split()[2])
                    assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL, (
                        f"round {round_no}: child ended on its own (status {status}), "
                        "probably an error in the ingest loop"
                    )
                    break
    finally:
        process.stdin.close()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    assert kills >= 20
    assert len(acknowledged) >= 10, "too few commits between kills to prove anything"

    cur = db.cursor()  # reopen after the last kill
    stored = dict(cur.execute("SELECT id, row_count FROM submission").fetchall())
    lost = {s: n for s, n in acknowledged.items() if stored.get(s) != n}
    assert not lost, f"acknowledged submissions lost or changed: {lost}"
    partial = cur.execute(
        "SELECT s.id, s.row_count, count(p.project_id) FROM submission s "
        "LEFT JOIN project_report p ON p.submission_id = s.id "
        "GROUP BY s.id, s.row_count HAVING count(p.project_id) <> s.row_count"
    ).fetchall()
    assert partial == [], f"submissions with missing rows: {partial}"
    orphans = cur.execute(
        "SELECT count(*) FROM project_report WHERE submission_id NOT IN (SELECT id FROM submission)"
    ).fetchall()[0][0]
    assert orphans == 0
    unaudited = cur.execute(
        "SELECT s.id FROM submission s LEFT JOIN audit_log a "
        "ON a.submission_id = s.id AND a.action = 'submission_accepted' WHERE a.id IS NULL"
    ).fetchall()
    assert unaudited == [], "every stored submission has its audit entry (same transaction)"
    # Commits the test never saw acknowledged (killed between commit and the ACK line) are
    # allowed; they must be complete, which the checks above cover for every row.
    assert len(stored) >= len(acknowledged)
