"""Two endpoint worker processes on one SQLite database (``portal endpoint --workers 2``).

- a burst from many clients reaches both workers; every acknowledged receipt is
  stored exactly once, whole, with what was sent;
- one worker SIGKILLed in the middle of a burst: the other goes on answering,
  nothing acknowledged is lost, and clients that got no answer resend with the
  same key and end up with exactly one row per key;
- the writers of several processes take turns through a file lock (a waiting
  writer blocks in ``flock`` and goes on the moment the lock is free, instead of
  sleeping in SQLite's busy handler).
"""

from __future__ import annotations

import asyncio
import fcntl
import json
import os
import signal
import sys
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import pytest

if str(Path(__file__).resolve().parent) not in sys.path:
    sys.path.insert(0, str(Path(__file__).resolve().parent))
from test_endpoint import Endpoint, make_project, token, write_spec  # noqa: E402
from test_endpoint_durability import assert_whole, body, burst, rows  # noqa: E402

from endpoint.store import Store, Submission  # noqa: E402

TOTAL = 400


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@pytest.fixture
def two_workers(tmp_path: Path):
    site = write_spec(make_project(tmp_path / "project"), tmp_path / "site")
    ep = Endpoint(site, f"sqlite:///{tmp_path / 'submissions.db'}", tmp_path / "server.log", workers=2)
    ep.start()
    deadline = time.monotonic() + 30
    while len(ep.worker_pids()) < 2:  # /health answered once one worker was up
        assert time.monotonic() < deadline, f"two workers did not start:\n{ep.log_text()}"
        time.sleep(0.1)
    yield ep
    ep.stop()


def check_stored(ep: Endpoint, sent: dict[str, dict], acked: dict[str, str]) -> dict[str, dict]:
    stored = {r["idem_key"].split("#")[0]: r for r in rows(ep.db_path)}
    assert len(stored) == len(rows(ep.db_path)), "two rows for one key"
    for row in stored.values():
        assert_whole(row)
    for idem, receipt in acked.items():
        assert idem in stored, f"acknowledged {receipt} is not stored"
        assert stored[idem]["receipt"] == receipt
        assert json.loads(stored[idem]["public_json"]) == {"topic": sent[idem]["topic"], "text": sent[idem]["text"]}
    assert set(stored) <= set(sent), "a row nobody sent"
    return stored


def test_burst_on_two_workers_stores_each_acknowledged_submission_once(two_workers: Endpoint) -> None:
    pids = two_workers.worker_pids()
    before = {pid: cpu_seconds(pid) for pid in pids}
    bodies = [body(i) for i in range(TOTAL)]
    result = asyncio.run(burst(two_workers, bodies, None))
    assert not result.failed, list(result.failed.values())[:5]
    assert len(result.acked) == TOTAL and not result.replayed
    used = {pid: cpu_seconds(pid) - before[pid] for pid in pids}
    # How the kernel spreads connections over the SO_REUSEPORT sockets varies from
    # run to run (0.04 s against 0.17 s seen); an idle worker uses next to nothing.
    assert all(v > 0.015 for v in used.values()), f"one worker did no work: {used}"
    stored = check_stored(two_workers, result.sent, result.acked)
    assert len(stored) == TOTAL


class OneWorker:
    """What ``burst`` needs of an endpoint, with ``kill()`` SIGKILLing one worker only."""

    def __init__(self, ep: Endpoint, pid: int) -> None:
        self.url, self.pid = ep.url, pid

    def kill(self) -> None:
        os.kill(self.pid, signal.SIGKILL)


def test_sigkill_of_one_worker_mid_burst_loses_nothing(two_workers: Endpoint) -> None:
    victim, survivor = two_workers.worker_pids()
    bodies = [body(i) for i in range(TOTAL)]
    result = asyncio.run(burst(OneWorker(two_workers, victim), bodies, kill_after=120))  # type: ignore[arg-type]
    assert result.killed_at is not None
    assert not Path(f"/proc/{victim}").exists() or "Z" in Path(f"/proc/{victim}/stat").read_text().split()[2]
    assert Path(f"/proc/{survivor}").exists(), "the other worker died too"
    assert not [why for why in result.failed.values() if why[:1].isdigit()], result.failed  # no error answers
    assert len(result.acked) > 120 + 50, "the surviving worker stopped answering"  # went on after the kill
    stored = check_stored(two_workers, result.sent, result.acked)

    # Those who got no answer resend with the same key (the supervisor may have
    # started a new worker meanwhile; either way one row per key in the end).
    unanswered = [b for b in bodies if b["_idem"] not in result.acked]
    retry = asyncio.run(burst(two_workers, [{**b, "_token": token()} for b in unanswered], None))
    assert not retry.failed, retry.failed
    for idem in retry.acked:
        assert idem not in stored, "a stored submission was stored again"
    for idem, receipt in retry.replayed.items():
        assert stored[idem]["receipt"] == receipt
    final = check_stored(two_workers, {**result.sent}, {**result.acked, **retry.acked, **retry.replayed})
    assert len(final) == TOTAL


def test_writers_wait_for_the_file_lock_and_go_on_at_once(tmp_path: Path) -> None:
    db = tmp_path / "locked.db"
    store = Store(f"sqlite:///{db}")
    lock = os.open(f"{db}-writer.lock", os.O_RDWR)
    fcntl.flock(lock, fcntl.LOCK_EX)  # as another process in the middle of its transaction
    done: dict[str, float] = {}

    def submit() -> None:
        store.add_sync(Submission("suggestion", uuid.uuid4().hex, {"text": "x"}, {}, 30))
        done["at"] = time.monotonic()

    writer = threading.Thread(target=submit)
    writer.start()
    time.sleep(1.0)
    assert "at" not in done, "the store wrote without the lock"
    released = time.monotonic()
    fcntl.flock(lock, fcntl.LOCK_UN)
    writer.join(10)
    os.close(lock)
    assert "at" in done
    assert done["at"] - released < 0.5, "the waiting writer did not go on when the lock was released"
    assert store.count() == 1


def alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def wait_for(condition: Any, what: str, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, what
        time.sleep(0.1)


def test_supervisor_replaces_a_dead_worker_and_its_workers_end_with_it(two_workers: Endpoint) -> None:
    first = two_workers.worker_pids()
    os.kill(first[0], signal.SIGKILL)
    wait_for(lambda: len([p for p in two_workers.worker_pids() if alive(p)]) == 2
             and first[0] not in two_workers.worker_pids(), "no new worker after one was killed")
    workers = [p for p in two_workers.worker_pids() if alive(p)]
    with two_workers.client() as client:
        for _ in range(20):  # new connections: spread over both sockets, the new worker's too
            assert client.get("/health", headers={"Connection": "close"}).status_code == 200
    two_workers.kill()  # SIGKILL the supervisor: its workers must not serve on, orphaned
    wait_for(lambda: not any(alive(p) for p in workers), "workers outlived their supervisor")


@pytest.mark.parametrize("workers", [1, 2])
def test_a_port_in_use_is_one_clear_sentence(tmp_path: Path, workers: int) -> None:
    import socket
    import subprocess

    site = write_spec(make_project(tmp_path / "project"), tmp_path / "site")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        run = subprocess.run([sys.executable, "-m", "generator", "endpoint", "--site", str(site), "--db",
                              f"sqlite:///{tmp_path / 'x.db'}", "--port", str(port), "--workers", str(workers)],
                             cwd=Path(__file__).resolve().parent.parent, capture_output=True, text=True, timeout=60)
    assert run.returncode == 1
    assert f"cannot listen on 127.0.0.1:{port}" in run.stderr and "Traceback" not in run.stderr, run.stderr
