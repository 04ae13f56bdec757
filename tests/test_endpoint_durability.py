"""Acknowledged means stored: a burst of concurrent submissions, the server
SIGKILLed in the middle of it, restarted on the same database.

- every submission the server acknowledged (201 received by the client) is in
  the database, with what was sent;
- no half-written submission exists (every row whole and readable, each with
  its 'received' event, the database file intact);
- a client that got no answer resends with the same idempotency key and gets
  the receipt of what was stored, or a new one: never two rows for one key.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
import sys
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

if str(Path(__file__).resolve().parent) not in sys.path:
    sys.path.insert(0, str(Path(__file__).resolve().parent))
from test_endpoint import JSON, RECEIPT, Endpoint, make_project, token, write_spec  # noqa: E402

TOTAL = 300
CONCURRENCY = 50
KILL_AFTER = 120  #: acknowledgements before the SIGKILL


@dataclass
class Burst:
    sent: dict[str, dict[str, Any]] = field(default_factory=dict)  #: idem -> body
    acked: dict[str, str] = field(default_factory=dict)  #: idem -> receipt (201)
    replayed: dict[str, str] = field(default_factory=dict)  #: idem -> receipt (200: stored before)
    failed: dict[str, str] = field(default_factory=dict)  #: idem -> why (no answer, or not 201)
    killed_at: int | None = None


def body(i: int) -> dict[str, Any]:
    tag = uuid.uuid4().hex
    return {"topic": "environment" if i % 2 else "other", "text": f"第{i}条建议：{'路灯' * (i % 40)}{tag}",
            "phone": f"138{i:08d}", "_token": token(), "_idem": f"burst-{i}-{tag}"}


async def burst(ep: Endpoint, bodies: list[dict[str, Any]], kill_after: int | None) -> Burst:
    out = Burst()
    gate = asyncio.Semaphore(CONCURRENCY)
    limits = httpx.Limits(max_connections=CONCURRENCY, max_keepalive_connections=CONCURRENCY)

    async with httpx.AsyncClient(base_url=ep.url, timeout=20, limits=limits) as client:
        async def one(data: dict[str, Any]) -> None:
            async with gate:
                out.sent[data["_idem"]] = data
                try:
                    r = await client.post("/forms/suggestion", data=data, headers=JSON)
                except httpx.TransportError as exc:
                    out.failed[data["_idem"]] = type(exc).__name__
                    return
                if r.status_code == 201:
                    out.acked[data["_idem"]] = r.json()["receipt"]
                    if kill_after is not None and out.killed_at is None and len(out.acked) >= kill_after:
                        out.killed_at = len(out.acked)
                        ep.kill()  # SIGKILL with ~CONCURRENCY requests in flight
                elif r.status_code == 200:
                    out.replayed[data["_idem"]] = r.json()["receipt"]
                else:
                    out.failed[data["_idem"]] = f"{r.status_code} {r.text[:200]}"

        await asyncio.gather(*(one(b) for b in bodies))
    return out


def rows(db: Path) -> list[dict[str, Any]]:
    conn = sqlite3.connect(db, timeout=30)
    try:
        conn.row_factory = sqlite3.Row
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        subs = [dict(r) for r in conn.execute("SELECT * FROM submissions")]
        events = [dict(r) for r in conn.execute("SELECT receipt, kind FROM events")]
    finally:
        conn.close()
    received = {}
    for e in events:
        if e["kind"] == "received":
            received[e["receipt"]] = received.get(e["receipt"], 0) + 1
    for r in subs:
        r["received_events"] = received.get(r["receipt"], 0)
    assert set(received) <= {r["receipt"] for r in subs}, "an event without its submission"
    return subs


def assert_whole(row: dict[str, Any]) -> None:
    """A row written completely: readable JSON, a receipt, its 'received' event."""
    assert RECEIPT.match(row["receipt"]), row
    public = json.loads(row["public_json"])
    assert isinstance(public, dict) and public.get("text") and public.get("topic") in ("environment", "other"), row
    private = json.loads(row["private_json"])
    assert set(private) == {"phone"}, row
    assert row["received_at"] and row["purge_after"] and row["status"] == "received", row
    assert row["received_events"] == 1, row


@pytest.fixture
def endpoint(tmp_path: Path):
    site = write_spec(make_project(tmp_path / "project"), tmp_path / "site")
    ep = Endpoint(site, f"sqlite:///{tmp_path / 'submissions.db'}", tmp_path / "server.log")
    yield ep
    ep.stop()


def test_acknowledged_submissions_survive_a_sigkill(endpoint: Endpoint) -> None:
    endpoint.start()
    bodies = [body(i) for i in range(TOTAL)]
    result = asyncio.run(burst(endpoint, bodies, KILL_AFTER))
    assert result.killed_at is not None, f"the burst ended before {KILL_AFTER} acknowledgements: {result.failed}"
    assert endpoint.proc is None  # killed
    assert result.failed, "the kill came after the last answer: it did not land mid-burst"
    assert not [why for why in result.failed.values() if why[:1].isdigit()], result.failed  # no error answers

    endpoint.start()  # same database, as after a crash
    stored = {r["idem_key"].split("#")[0]: r for r in rows(endpoint.db_path)}
    for row in stored.values():
        assert_whole(row)
    assert len(stored) == len({r["receipt"] for r in stored.values()})
    for idem, receipt in result.acked.items():
        assert idem in stored, f"acknowledged {receipt} is missing after the crash"
        row, sent = stored[idem], result.sent[idem]
        assert row["receipt"] == receipt
        assert json.loads(row["public_json"]) == {"topic": sent["topic"], "text": sent["text"]}
        assert json.loads(row["private_json"]) == {"phone": sent["phone"]}
    assert set(stored) <= set(result.sent), "a row nobody sent"

    # Those who got no answer send again with the same key: what was stored keeps
    # its receipt, the rest is stored now; one row per key in the end.
    unanswered = [b for b in bodies if b["_idem"] not in result.acked]
    retry = asyncio.run(burst(endpoint, [{**b, "_token": token()} for b in unanswered], None))
    assert not retry.failed, retry.failed
    assert set(retry.acked) | set(retry.replayed) == {b["_idem"] for b in unanswered}
    for idem in retry.acked:
        assert idem not in stored, "a stored submission was stored again"
    for idem, receipt in retry.replayed.items():
        assert stored[idem]["receipt"] == receipt
    final = rows(endpoint.db_path)
    assert len(final) == TOTAL == len({r["idem_key"].split("#")[0] for r in final})
    for row in final:
        assert_whole(row)
