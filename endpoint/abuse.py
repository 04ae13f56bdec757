"""Abuse defences, all self-hosted (a third-party captcha is unreachable in
mainland China and a privacy leak):

- a honeypot field people never see (bots fill it);
- a signed time token: refused when used too fast after it was issued, or
  after it expired; a static token baked into the page at build time serves
  visitors without JavaScript (checked for expiry only);
- per-client rate limits (token bucket): submissions, and receipt lookups
  and ratings (a receipt is a 45-bit secret: no guessing at speed); the buckets
  live in the store (``SharedLimiter``), so ``--workers N`` shares one limit;
- an origin allow-list;
- an optional proof-of-work: the client finds a nonce such that
  sha256(token + nonce) starts with ``pow_bits`` zero bits.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import math
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from portal_core.tokens import sign_token  # the build signs with it too

if TYPE_CHECKING:
    from endpoint.store import Store

log = logging.getLogger("portal.endpoint")

HONEYPOT = "website"  # looks like a normal field to a bot; hidden from people


def check_token(secret: bytes, form_id: str, token: str, min_age: float, max_age: float,
                static_max_age: float, now: float | None = None) -> str | None:
    """None when the token is good, else why not: missing, invalid, too-fast, expired."""
    if not token:
        return "missing"
    try:
        kind, issued_s, mac = token.split(".")
        issued = int(issued_s)
    except ValueError:
        return "invalid"
    if kind not in ("t", "s"):
        return "invalid"
    expected = sign_token(secret, form_id, issued, kind).split(".")[2]
    if not hmac.compare_digest(expected, mac):
        return "invalid"
    age = (now if now is not None else time.time()) - issued
    if kind == "t" and age < min_age:
        return "too-fast"
    if age > (max_age if kind == "t" else static_max_age) or age < -60:
        return "expired"
    return None


def check_pow(token: str, nonce: str, bits: int) -> bool:
    """True when sha256(token + nonce) has ``bits`` leading zero bits."""
    if bits <= 0:
        return True
    digest = hashlib.sha256(f"{token}{nonce}".encode()).digest()
    value = int.from_bytes(digest, "big")
    return value >> (256 - bits) == 0


@dataclass
class RateLimiter:
    """Token bucket per client: ``burst`` at once, refilled at ``per_minute``."""

    per_minute: float
    burst: int
    buckets: dict[str, tuple[float, float]] = field(default_factory=dict)

    def allow(self, client: str, now: float | None = None) -> bool:
        if self.per_minute <= 0:
            return True
        now = now if now is not None else time.monotonic()
        tokens, last = self.buckets.get(client, (float(self.burst), now))
        tokens = min(float(self.burst), tokens + (now - last) * self.per_minute / 60.0)
        if tokens < 1:
            self.buckets[client] = (tokens, now)
            return False
        self.buckets[client] = (tokens - 1, now)
        if len(self.buckets) > 100_000:  # bound memory under a spray of addresses
            self.buckets.clear()
        return True

    def retry_after(self) -> int:
        """Seconds until a refused client has a token again (the Retry-After header)."""
        return max(1, math.ceil(60.0 / self.per_minute)) if self.per_minute > 0 else 1


class SharedLimiter:
    """The token bucket of ``RateLimiter``, kept in the store so that every worker
    process counts against the same limit (``--workers 2`` with burst 5: 5 in all,
    not 5 each). ``name`` keeps submissions and lookups apart.

    If the store cannot answer (the database is down), the process falls back to
    its own bucket and says so once: a limit per process is better than none, and
    better than refusing everyone."""

    def __init__(self, store: Store, name: str, per_minute: float, burst: int) -> None:
        self.store, self.name = store, name
        self.per_minute, self.burst = per_minute, burst
        self.local = RateLimiter(per_minute, burst)
        self._warned = False

    async def allow(self, client: str) -> bool:
        if self.per_minute <= 0:
            return True
        try:
            return await self.store.take_token(self.name, client, self.per_minute, self.burst)
        except Exception as exc:  # noqa: BLE001 - any store failure: fall back, never 500 for a limit
            if not self._warned:
                log.warning("rate limit %s: the store did not answer (%s); limiting per process for now",
                            self.name, exc)
                self._warned = True
            return self.local.allow(client)

    def retry_after(self) -> int:
        return self.local.retry_after()
