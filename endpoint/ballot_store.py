"""Ballot codes and ballots in the submissions store (tables of schema version 4,
``endpoint/store.py``), for the endpoint (``endpoint/ballots.py``) and the
committee's command (``endpoint/ballot_cli.py``).

``cast`` is the one write that matters: in one transaction it takes a token from
the wrong-code buckets of the client and of the round, spends the code (``UPDATE
… WHERE state = 'issued'``: of two requests with the same code, on SQLite the
writer lock and on PostgreSQL the row lock let exactly one change the row), and
stores the ballot and the receipt. A code is spent if and only if its ballot is
stored: the three commit together or not at all, with the store's durability (the
answer is sent after the commit; SQLite ``synchronous=FULL``). A spent code gives
its tokens back, so an honest household never pays for the guessers; a wrong code
keeps them taken, so guessing runs into the limits; a request finding a bucket
empty changes nothing and is refused before the code is looked at (429).
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
from dataclasses import dataclass
from typing import Any

from endpoint.ballot_codes import code_hash
from endpoint.store import Store
from portal_core.china_time import TZ
from portal_core.receipts import new_receipt


@dataclass(frozen=True)
class Limits:
    """Wrong codes allowed per client address and per round (token buckets)."""

    client_per_minute: float = 5.0
    client_burst: int = 10
    round_per_minute: float = 30.0
    round_burst: int = 300


@dataclass(frozen=True)
class Cast:
    """What ``cast`` did: ``outcome`` is ``counted`` (``receipt`` set), ``unknown``,
    ``spent``, ``revoked`` or ``limited``."""

    outcome: str
    receipt: str | None = None


class _Refused(Exception):
    """A bucket was empty: roll back, nothing taken."""


def today() -> str:
    """The day in the community's time zone: ballots and codes keep no finer time."""
    return dt.datetime.now(TZ).date().isoformat()


def issue(store: Store, secret: bytes, round_id: str, codes: list[str]) -> None:
    """Store new codes of the round (``ballot_codes.new_code``) as keyed hashes, all or
    none. The codes themselves are the caller's to print: the store cannot give them back.
    A code that is already stored (1 chance in 10^14 per pair) raises ValueError."""
    conn = store._conn()  # noqa: SLF001 - the store's per-thread connection
    with conn.transaction():
        day = today()
        for code in codes:
            added = conn.rowcount("INSERT INTO ballot_codes (round_id, code_hash, state, issued_on) "
                                  "VALUES (?, ?, 'issued', ?) ON CONFLICT DO NOTHING",
                                  (round_id, code_hash(secret, round_id, code), day))
            if added != 1:
                raise ValueError("a code drawn twice: issue again")


def revoke(store: Store, secret: bytes, round_id: str, codes: list[str]) -> list[str]:
    """Revoke unspent codes (a slip lost or delivered twice); returns those revoked."""
    done = []
    conn = store._conn()  # noqa: SLF001
    with conn.transaction():
        for code in codes:
            if conn.rowcount("UPDATE ballot_codes SET state = 'revoked' WHERE round_id = ? AND code_hash = ? "
                             "AND state = 'issued'", (round_id, code_hash(secret, round_id, code))) == 1:
                done.append(code)
    return done


def status(store: Store, round_id: str) -> dict[str, int]:
    """Codes issued (all states), spent, revoked, and ballots stored, for the round."""
    conn = store._conn()  # noqa: SLF001
    counts = {"issued": 0, "spent": 0, "revoked": 0}
    for row in conn.all_dicts("SELECT state, COUNT(*) AS n FROM ballot_codes WHERE round_id = ? GROUP BY state",
                              (round_id,)):
        counts[row["state"]] = int(row["n"])
    counts["issued"] += counts["spent"] + counts["revoked"]
    counts["ballots"] = int(conn.one("SELECT COUNT(*) FROM ballots WHERE round_id = ?", (round_id,))[0])
    return counts


def cast(store: Store, secret: bytes, round_id: str, code: str, choices: dict[str, int], client: str,
         limits: Limits) -> Cast:
    """Spend ``code`` and store the ballot, atomically (see the module docstring)."""
    conn = store._conn()  # noqa: SLF001
    buckets = [("ballot-miss", client, limits.client_per_minute, limits.client_burst),
               ("ballot-round-miss", round_id, limits.round_per_minute, limits.round_burst)]
    try:
        with conn.transaction():
            at = dt.datetime.now(dt.UTC).timestamp()
            for bucket, key, per_minute, burst in buckets:  # always in this order: no deadlock
                if per_minute > 0 and not store._take(conn, bucket, key, per_minute, burst, at):  # noqa: SLF001
                    raise _Refused
            hashed = code_hash(secret, round_id, code)
            if conn.rowcount("UPDATE ballot_codes SET state = 'spent' WHERE round_id = ? AND code_hash = ? "
                             "AND state = 'issued'", (round_id, hashed)) != 1:
                row = conn.one("SELECT state FROM ballot_codes WHERE round_id = ? AND code_hash = ?",
                               (round_id, hashed))
                outcome = "unknown" if row is None else str(row[0])
                if outcome != "unknown":  # a real code: not a guess, give the tokens back
                    _give_back(store, conn, buckets)
                return Cast(outcome)
            _give_back(store, conn, buckets)
            receipt = new_receipt()
            conn.execute("INSERT INTO ballots (round_id, id, cast_on, choices_json) VALUES (?, ?, ?, ?)",
                         (round_id, secrets.token_hex(8), today(), json.dumps(choices, sort_keys=True)))
            conn.execute("INSERT INTO ballot_receipts (round_id, receipt) VALUES (?, ?)", (round_id, receipt))
    except _Refused:
        return Cast("limited")
    return Cast("counted", receipt)


def _give_back(store: Store, conn: Any, buckets: list[tuple[str, str, float, int]]) -> None:
    for bucket, key, per_minute, burst in buckets:
        if per_minute > 0:
            least = "MIN" if store.dialect == "sqlite" else "LEAST"
            conn.execute(f"UPDATE rate_buckets SET tokens = {least}(tokens + 1, CAST(? AS DOUBLE PRECISION)) "
                         "WHERE bucket = ? AND client = ?", (float(burst), bucket, key))


def receipt_counted(store: Store, round_id: str, receipt: str) -> bool:
    row = store._conn().one("SELECT 1 FROM ballot_receipts WHERE round_id = ? AND receipt = ?",  # noqa: SLF001
                            (round_id, receipt))
    return row is not None


def ballot_rows(store: Store, round_id: str) -> list[tuple[str, str, int]]:
    """``(ballot, project, value)`` per choice, ordered by the ballots' random ids (then
    project), an order that says nothing of when a ballot was cast."""
    rows = store._conn().all_dicts("SELECT id, choices_json FROM ballots WHERE round_id = ? ORDER BY id",  # noqa: SLF001
                                   (round_id,))
    out = []
    for row in rows:
        for project, value in sorted(json.loads(row["choices_json"]).items()):
            out.append((str(row["id"]), project, int(value)))
    return out


def receipts(store: Store, round_id: str) -> list[str]:
    """Every receipt of the round, sorted: the list to publish beside the count."""
    rows = store._conn().all_dicts("SELECT receipt FROM ballot_receipts WHERE round_id = ? ORDER BY receipt",  # noqa: SLF001
                                   (round_id,))
    return [str(r["receipt"]) for r in rows]
