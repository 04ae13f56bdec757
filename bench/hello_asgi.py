"""Bare ASGI hello-world: the baseline for ``bench/bench_endpoint.py``.

It reads the whole request body (like the endpoint does) and answers
``201 {"receipt": "HELLO"}`` as JSON, with nothing else: no framework, no
validation, no storage. Served by uvicorn with the same flags as the endpoint,
it gives the ceiling of this server + load generator on this machine.

    uvicorn bench.hello_asgi:app --log-level warning
"""

from __future__ import annotations

from typing import Any, Awaitable, Callable

BODY = b'{"receipt":"HELLO","created":true}'
HEADERS = [(b"content-type", b"application/json"), (b"content-length", str(len(BODY)).encode())]


async def app(scope: dict[str, Any], receive: Callable[[], Awaitable[dict[str, Any]]],
              send: Callable[[dict[str, Any]], Awaitable[None]]) -> None:
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return
    if scope["type"] != "http":
        return
    more = True
    while more:  # drain the request body, as a real handler must
        message = await receive()
        if message["type"] == "http.disconnect":
            return
        more = message.get("more_body", False)
    await send({"type": "http.response.start", "status": 201, "headers": HEADERS})
    await send({"type": "http.response.body", "body": BODY})
