"""Fault tests: slow clients (slowloris) cannot hold the endpoint's connections.

Real sockets on 127.0.0.1 against a real ``portal endpoint`` whose descriptor
limit is 256 (``RLIMIT_NOFILE`` set in the child): connections that send their
request head, or their body, a byte at a time are closed once
``header_timeout`` / ``body_timeout`` has passed, more of them than the
process has descriptors for do not exhaust it (the oldest unfinished heads
are closed first), and a resident posting meanwhile is served. The same with
``--workers 2``. Counts and durations stay small: at most 300 sockets, a few
seconds each.
"""

from __future__ import annotations

import selectors
import socket
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

if str(Path(__file__).resolve().parent) not in sys.path:
    sys.path.insert(0, str(Path(__file__).resolve().parent))
from test_endpoint import JSON, Endpoint, make_project, suggestion, write_spec  # noqa: E402

HEADER_TIMEOUT, BODY_TIMEOUT, NOFILE = 2.0, 3.0, 256
MARGIN = 1.5  #: seconds a closed connection may take beyond its timeout (timer, scheduling on a busy machine)
HEAD = b"POST /forms/suggestion HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: application/json\r\n"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("slow-site")
    return write_spec(make_project(base / "project"), base / "site")


def start(site: Path, base: Path, **kw: object) -> Endpoint:
    base.mkdir(parents=True, exist_ok=True)
    return Endpoint(site, f"sqlite:///{base / 'submissions.db'}", base / "server.log", nofile=NOFILE,
                    header_timeout=HEADER_TIMEOUT, body_timeout=BODY_TIMEOUT, **kw).start()


class Slowloris:
    """``n`` connections that each send ``first``, then one byte of ``drip`` every
    half second; records when the server closed each one (seconds after it opened)."""

    def __init__(self, port: int, n: int, first: bytes, drip: bytes, before: bytes = b"") -> None:
        self.port, self.n, self.first, self.drip, self.before = port, n, first, drip, before
        self.closed_after: list[float | None] = [None] * n
        self.opened_at: list[float] = [0.0] * n
        self.ready = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def run_for(self, seconds: float) -> Slowloris:
        self.seconds = seconds
        self.thread.start()
        assert self.ready.wait(30), "the slow connections could not be opened"
        return self

    def join(self) -> list[float | None]:
        self.thread.join(self.seconds + 30)
        return self.closed_after

    def _closed(self, sel: selectors.BaseSelector, i: int, sock: socket.socket) -> None:
        if self.closed_after[i] is None:
            self.closed_after[i] = time.monotonic() - self.opened_at[i]
        sel.unregister(sock)
        sock.close()

    def _run(self) -> None:
        sel = selectors.DefaultSelector()
        socks = []
        for i in range(self.n):
            sock = socket.create_connection(("127.0.0.1", self.port), timeout=5)
            self.opened_at[i] = time.monotonic()
            if self.before:  # one whole request first: the slow one comes on a kept-alive connection
                sock.sendall(self.before)
                sock.recv(65536)
                self.opened_at[i] = time.monotonic()
            sock.sendall(self.first)
            sock.setblocking(False)
            sel.register(sock, selectors.EVENT_READ, i)
            socks.append(sock)
        self.ready.set()
        end = time.monotonic() + self.seconds
        next_drip, k = time.monotonic() + 0.5, 0
        while time.monotonic() < end and any(c is None for c in self.closed_after):
            for key, _ in sel.select(0.1):
                try:
                    data = key.fileobj.recv(65536)  # type: ignore[union-attr]
                except OSError:
                    data = b""
                if not data:  # closed by the server (an answer first, such as a 503, is read and ignored)
                    self._closed(sel, key.data, key.fileobj)  # type: ignore[arg-type]
            if time.monotonic() >= next_drip:
                byte = self.drip[k % len(self.drip): k % len(self.drip) + 1]
                k, next_drip = k + 1, next_drip + 0.5
                for key in list(sel.get_map().values()):
                    try:
                        key.fileobj.send(byte)  # type: ignore[union-attr]
                    except OSError:
                        self._closed(sel, key.data, key.fileobj)  # type: ignore[arg-type]
        for key in list(sel.get_map().values()):
            sel.unregister(key.fileobj)
            key.fileobj.close()  # type: ignore[union-attr]


def resident_posts(ep: Endpoint) -> int:
    """A normal submission while the slow connections are open: its status (0 if not served in 5 s)."""
    try:
        r = httpx.post(ep.url + "/forms/suggestion", data=suggestion(), headers=JSON, timeout=5)
    except httpx.TransportError:
        return 0
    return r.status_code


def assert_all_closed_in_time(closed: list[float | None], timeout: float) -> None:
    still_open = sum(c is None for c in closed)
    assert not still_open, f"{still_open} of {len(closed)} slow connections were never closed"
    late = [round(c, 2) for c in closed if c is not None and c > timeout + MARGIN]
    assert not late, f"closed later than {timeout} s: {late[:10]}"


def assert_descriptors_not_exhausted(ep: Endpoint) -> None:
    log = ep.log_text()
    assert "Too many open files" not in log and "out of system resource" not in log, log


def test_slow_request_heads_are_closed_and_do_not_exhaust_descriptors(site: Path, tmp_path: Path) -> None:
    """300 slow heads against a 256-descriptor process: none stays open past the
    header timeout, and a resident is served while they are open."""
    ep = start(site, tmp_path / "heads")
    try:
        slow = Slowloris(ep.port, 300, HEAD, b"X-Slow: 1\r\n").run_for(HEADER_TIMEOUT + 6)
        status = resident_posts(ep)
        closed = slow.join()
        assert status == 201, f"a resident was not served while slow clients were connected ({status})"
        assert_all_closed_in_time(closed, HEADER_TIMEOUT)
        assert_descriptors_not_exhausted(ep)
        assert httpx.get(ep.url + "/health", timeout=5).status_code == 200
    finally:
        ep.stop()


def test_slow_bodies_are_closed(site: Path, tmp_path: Path) -> None:
    ep = start(site, tmp_path / "bodies")
    head = HEAD + b"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000\r\n\r\ntopic=envi"
    try:
        slow = Slowloris(ep.port, 60, head, b"ronment&text=x").run_for(BODY_TIMEOUT + 6)
        status = resident_posts(ep)
        closed = slow.join()
        assert status == 201, status
        assert_all_closed_in_time(closed, BODY_TIMEOUT)
        assert_descriptors_not_exhausted(ep)
        assert ep.proc is not None and ep.proc.poll() is None
    finally:
        ep.stop()


def test_a_slow_second_request_on_a_kept_alive_connection_is_closed(site: Path, tmp_path: Path) -> None:
    """uvicorn's keep-alive timer stops at the first byte of the next request: that byte must not buy time."""
    ep = start(site, tmp_path / "keepalive")
    try:
        first = b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
        closed = Slowloris(ep.port, 10, b"G", b"ET /health HTTP/1.1\r\n", before=first).run_for(
            HEADER_TIMEOUT + 6).join()
        assert_all_closed_in_time(closed, HEADER_TIMEOUT)
    finally:
        ep.stop()


def test_slow_clients_on_two_workers(site: Path, tmp_path: Path) -> None:
    ep = start(site, tmp_path / "workers", workers=2)
    try:
        slow = Slowloris(ep.port, 80, HEAD, b"X-Slow: 1\r\n").run_for(HEADER_TIMEOUT + 6)
        status = resident_posts(ep)
        closed = slow.join()
        assert status == 201, status
        assert_all_closed_in_time(closed, HEADER_TIMEOUT)
        assert_descriptors_not_exhausted(ep)
    finally:
        ep.stop()


def test_the_connection_cap_answers_503_when_every_connection_is_busy(site: Path, tmp_path: Path) -> None:
    """No unfinished head to close (all are sending bodies): one more connection is
    told to come back (503, Retry-After) instead of taking a descriptor."""
    ep = start(site, tmp_path / "cap", max_connections=20)
    head = HEAD + b"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000\r\n\r\nt"
    try:
        slow = Slowloris(ep.port, 20, head, b"x").run_for(BODY_TIMEOUT + 6)
        time.sleep(0.3)
        with socket.create_connection(("127.0.0.1", ep.port), timeout=5) as sock:
            sock.sendall(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            answer = sock.recv(65536)
        assert answer.startswith(b"HTTP/1.1 503") and b"retry-after: 5" in answer.lower(), answer
        assert_all_closed_in_time(slow.join(), BODY_TIMEOUT)
        assert httpx.get(ep.url + "/health", timeout=5).status_code == 200  # served again once they are gone
    finally:
        ep.stop()
