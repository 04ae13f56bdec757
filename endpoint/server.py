"""uvicorn's HTTP protocol with the limits a public server needs against slow clients.

uvicorn times out idle keep-alive connections only, and any byte received
cancels that timer: a client that sends its request head or body a byte at a
time (slowloris) keeps its connection, and its file descriptor, forever; a few
hundred of them exhaust the process's descriptors and nobody else is served.
Here each connection has, at any time, one deadline:

- ``header_timeout`` seconds from the connection (or from the previous
  answer on a kept-alive connection) to the end of the request head;
- ``body_timeout`` seconds from the end of the head to the end of the body;
- none while the app works (the group commit is the server's own time).

A connection past its deadline is closed (the app, if it was reading the body,
sees a disconnect and answers nothing). And there are at most
``max_connections`` connections: one more evicts the oldest connection still
sending its request head (the likeliest slowloris), or, if there is none, is
answered 503 and closed, before the descriptors run out.

``Config`` gives uvicorn these settings (``endpoint/workers.py`` uses it for
one process and for each of ``--workers N``).
"""

from __future__ import annotations

import asyncio
import logging
import resource
from typing import Any

log = logging.getLogger("portal.endpoint")
_BUSY = (b"HTTP/1.1 503 Service Unavailable\r\ncontent-type: text/plain; charset=utf-8\r\n"
         b"retry-after: 5\r\nconnection: close\r\ncontent-length: 20\r\n\r\nToo many connections")


def connection_cap(configured: int = 0) -> int:
    """``configured`` if set, else what the descriptor limit allows: a quarter of it
    (at least 64) stays for the database, the listening socket, logs and threads."""
    if configured > 0:
        return configured
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY:
        return 10_000
    return max(16, min(10_000, soft - max(64, soft // 4)))


def raise_descriptor_limit() -> None:
    """Raise the soft descriptor limit to the hard one (systemd gives services 1024
    soft, often 524288 hard): more room before the connection cap is needed."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = hard if hard != resource.RLIM_INFINITY else 65536
    if soft != resource.RLIM_INFINITY and soft < target:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (min(target, 65536), hard))
        except (ValueError, OSError):
            pass


def limited_protocol(header_timeout: float, body_timeout: float, max_connections: int) -> type:
    """An ``HttpToolsProtocol`` class with these limits (one class per server: it
    keeps the server's connections that are still sending their request head)."""
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

    class LimitedProtocol(HttpToolsProtocol):
        #: connections still sending a request head, oldest first (dict: ordered set)
        waiting: dict[Any, None] = {}

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._deadline: asyncio.TimerHandle | None = None

        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            super().connection_made(transport)
            if len(self.connections) > max_connections:
                victim = next(iter(self.waiting), None)
                if victim is None:  # every connection is in a request: this one waits outside
                    transport.write(_BUSY)
                    transport.close()
                    return
                log.warning("connection limit (%d) reached: closing the oldest unfinished request head",
                            max_connections)
                victim._expire()
            self._arm(header_timeout, waiting=True)

        def connection_lost(self, exc: Exception | None) -> None:
            self._disarm()
            super().connection_lost(exc)

        def on_headers_complete(self) -> None:
            self._arm(body_timeout, waiting=False)
            super().on_headers_complete()

        def on_message_complete(self) -> None:
            self._disarm()
            super().on_message_complete()

        def on_response_complete(self) -> None:
            super().on_response_complete()
            if not self.transport.is_closing() and not self.pipeline:
                self._arm(header_timeout, waiting=True)  # the next request's head

        def _arm(self, seconds: float, waiting: bool) -> None:
            self._disarm()
            if waiting:
                self.waiting[self] = None
            self._deadline = self.loop.call_later(seconds, self._expire)

        def _disarm(self) -> None:
            self.waiting.pop(self, None)
            if self._deadline is not None:
                self._deadline.cancel()
                self._deadline = None

        def _expire(self) -> None:
            self._disarm()
            if not self.transport.is_closing():
                self.transport.close()

    LimitedProtocol.waiting = {}
    return LimitedProtocol


def config(app: Any, **kwargs: Any) -> Any:
    """A ``uvicorn.Config`` with the endpoint's limits (from ``Settings``, i.e. PORTAL_* variables)."""
    import uvicorn

    from endpoint.settings import Settings

    settings = Settings.from_env()
    raise_descriptor_limit()
    try:
        http: Any = limited_protocol(settings.header_timeout, settings.body_timeout,
                                     connection_cap(settings.max_connections))
    except ImportError:  # no httptools (uvicorn without [standard]): uvicorn's own protocol, no limits
        log.warning("httptools is not installed: slow clients are not timed out; put nginx in front")
        http = "auto"
    return uvicorn.Config(app, http=http, timeout_keep_alive=5, **kwargs)
