"""Durable storage of submissions: SQLite by default, PostgreSQL when one machine
is not enough. One schema, one code path, two dialects.

Durability rule: a receipt is handed to the resident only after the
transaction holding the submission (and its forwarding jobs) has committed —
SQLite in WAL mode with ``synchronous=FULL`` (fsync on every commit), or a
PostgreSQL commit (``synchronous_commit`` on, its default).

Throughput comes from **group commit**: one writer thread takes every
submission waiting in its queue, inserts them all in one transaction and
commits once, then acknowledges each. Under load many submissions share one
fsync; alone, a submission commits immediately (no timer, no added latency).

Several processes on one SQLite file (``portal endpoint --workers N``, the
inbox CLI next to a running endpoint): every write transaction first takes an
exclusive ``flock`` on ``<database>-writer.lock``, then ``BEGIN IMMEDIATE``.
SQLite's own busy handler *sleeps* when the database is locked (backing off to
100 ms per try), so a writer of one process could wait seconds while another
commits batch after batch; a process blocked in ``flock`` is woken by the
kernel the moment the lock is released. The lock is released by the kernel when
its process dies, so a killed worker never blocks the others.
"""

from __future__ import annotations

import asyncio
import builtins
import datetime as dt
import fcntl
import json
import os
import queue
import sqlite3
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from portal_core.receipts import new_receipt

SCHEMA = [
    """CREATE TABLE IF NOT EXISTS submissions (
        receipt TEXT PRIMARY KEY,
        form_id TEXT NOT NULL,
        idem_key TEXT NOT NULL,
        received_at TEXT NOT NULL,
        public_json TEXT NOT NULL,
        private_json TEXT,
        purge_after TEXT NOT NULL,
        status TEXT NOT NULL DEFAULT 'received',
        category TEXT,
        reply TEXT,
        replied_at TEXT,
        published_at TEXT,
        rating INTEGER,
        rated_at TEXT,
        UNIQUE (form_id, idem_key)
    )""",
    """CREATE TABLE IF NOT EXISTS outbox (
        id {serial} PRIMARY KEY,
        receipt TEXT NOT NULL,
        channel TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        next_at TEXT NOT NULL,
        last_error TEXT,
        done_at TEXT
    )""",
    "CREATE INDEX IF NOT EXISTS outbox_due ON outbox (done_at, next_at)",
    """CREATE TABLE IF NOT EXISTS events (
        id {serial} PRIMARY KEY,
        receipt TEXT NOT NULL,
        at TEXT NOT NULL,
        kind TEXT NOT NULL,
        detail TEXT
    )""",
]

#: Versioned upgrades of the tables above, which are version 1 (what the first
#: release created). Entry ``i`` takes a store from version ``i + 1`` to ``i + 2``;
#: each runs in one transaction with its version bump, so a store is never half
#: migrated. SQLite keeps the version in ``PRAGMA user_version``, PostgreSQL in
#: ``schema_migrations``. Never edit a released entry: append a new one.
MIGRATIONS: list[list[str]] = [
    [
        # The public number (R2026-0001) given at first publish: kept with the
        # submission so it never changes and is never given to another one.
        "ALTER TABLE submissions ADD COLUMN public_id TEXT",
        "CREATE UNIQUE INDEX IF NOT EXISTS submissions_public_id ON submissions (public_id)",
        # "<community id>:<hex>": the slow PBKDF2 receipt key, computed once, not at every publish.
        "ALTER TABLE submissions ADD COLUMN key_cache TEXT",
        # Bumped by every reply: a reply is stored only if nobody replied since it was read.
        "ALTER TABLE submissions ADD COLUMN revision INTEGER NOT NULL DEFAULT 0",
        # Version 1's publish counted every satisfaction answer received before it ran
        # but marked only requests: mark those answers too, or they would count twice.
        "UPDATE submissions SET published_at = (SELECT MAX(published_at) FROM submissions) "
        "WHERE published_at IS NULL AND received_at <= (SELECT MAX(published_at) FROM submissions)",
    ],
    [
        # What the store is: ``community`` is the id of the community whose residents
        # it serves; publishing it into another community's data would mix them.
        "CREATE TABLE IF NOT EXISTS store_meta (name TEXT PRIMARY KEY, value TEXT NOT NULL)",
        # Rate limits shared by every worker process: one token bucket per (limit, client).
        "CREATE TABLE IF NOT EXISTS rate_buckets (bucket TEXT NOT NULL, client TEXT NOT NULL, "
        "tokens DOUBLE PRECISION NOT NULL, at DOUBLE PRECISION NOT NULL, allowed INTEGER NOT NULL DEFAULT 1, "
        "PRIMARY KEY (bucket, client))",
    ],
    [
        # Ballots (endpoint/ballots.py). WITHOUT ROWID: SQLite keeps these rows in key
        # order, not in the order they were written, so the file does not tell which
        # code was spent just before which ballot was cast (PostgreSQL drops the clause).
        # A code: only its keyed hash, its round and state (issued, spent, revoked), the day issued.
        "CREATE TABLE IF NOT EXISTS ballot_codes (round_id TEXT NOT NULL, code_hash TEXT NOT NULL, "
        "state TEXT NOT NULL DEFAULT 'issued', issued_on TEXT NOT NULL, PRIMARY KEY (round_id, code_hash)) "
        "WITHOUT ROWID",
        # A ballot: a random id, the day it was cast and the choices; no code, address or time of day.
        "CREATE TABLE IF NOT EXISTS ballots (round_id TEXT NOT NULL, id TEXT NOT NULL, cast_on TEXT NOT NULL, "
        "choices_json TEXT NOT NULL, PRIMARY KEY (round_id, id)) WITHOUT ROWID",
        # The voters' receipts, kept apart from the ballots: a receipt proves that a ballot
        # was counted and leads to no ballot.
        "CREATE TABLE IF NOT EXISTS ballot_receipts (round_id TEXT NOT NULL, receipt TEXT NOT NULL, "
        "PRIMARY KEY (round_id, receipt)) WITHOUT ROWID",
    ],
]
SCHEMA_VERSION = 1 + len(MIGRATIONS)

STATUSES = ("received", "in-progress", "answered", "closed", "rejected")


class ForeignStore(Exception):
    """The store serves another community than the one asking; nothing was changed."""

    def __init__(self, store_community: str, community: str) -> None:
        super().__init__(f"the database belongs to community {store_community!r}, not {community!r}")
        self.store_community, self.community = store_community, community


def now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


@dataclass
class Submission:
    form_id: str
    idem_key: str
    public: dict[str, Any]
    private: dict[str, Any]
    retention_days: int
    channels: list[str] = field(default_factory=list)
    category: str | None = None


@dataclass
class _Job:
    sub: Submission
    loop: asyncio.AbstractEventLoop
    future: asyncio.Future[tuple[str, bool]]


class Store:
    """Submissions store. ``url``: ``sqlite:///path`` or ``postgresql://…``."""

    def __init__(self, url: str, encrypt: Any = None, community: str | None = None) -> None:
        """``community``: the id of the community this store serves; a new store is
        bound to it at creation, an existing one must be bound to it already
        (``ForeignStore`` otherwise) or is bound now if it predates binding."""
        self.url = url
        self.dialect = "postgresql" if url.startswith(("postgresql://", "postgres://")) else "sqlite"
        self.encrypt = encrypt  # optional callable: bytes -> str (private fields at rest)
        self._queue: queue.Queue[_Job | None] = queue.Queue()
        self._writer: threading.Thread | None = None
        self._local = threading.local()
        self._rates: _RateKeeper | None = None
        self._rates_lock = threading.Lock()
        with self.connect() as conn:
            self._init(conn)
        self.adopted = False  #: True when ``community`` was recorded by this open (a store made before binding)
        if community is not None:
            try:
                self.adopted = self.bind(community)
            except ForeignStore:
                self.close()
                raise

    # -- connections -------------------------------------------------------------
    def connect(self) -> Any:
        if self.dialect == "sqlite":
            path = self.url.removeprefix("sqlite:///") or ":memory:"
            conn = sqlite3.connect(path, timeout=30, isolation_level=None, check_same_thread=False)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=FULL")  # fsync at each commit: acknowledged means on disk
            conn.execute("PRAGMA busy_timeout=30000")
            return _SqliteConn(conn, _writer_lock(path))
        import psycopg

        return _PgConn(psycopg.connect(self.url, autocommit=True))

    def _conn(self) -> _SqliteConn:
        conn: _SqliteConn | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._local.conn = self.connect()
        return conn

    def _init(self, conn: Any) -> None:
        if self._current(conn):
            return  # the usual case: no write transaction (and no writer lock) just to open
        serial = "INTEGER" if self.dialect == "sqlite" else "BIGSERIAL"
        with conn.transaction():
            if self.dialect == "postgresql":
                # Two processes starting on an old store: one migrates, the other waits.
                conn.execute("SELECT pg_advisory_xact_lock(7311020251)")
            for statement in SCHEMA:
                conn.execute(statement.format(serial=serial if "{serial}" in statement else ""))
            version = self.schema_version(conn)
            if version > SCHEMA_VERSION:
                raise RuntimeError(f"database schema version {version} is newer than this program's "
                                   f"({SCHEMA_VERSION}): upgrade the portal")
            for target in range(version + 1, SCHEMA_VERSION + 1):
                for statement in MIGRATIONS[target - 2]:
                    conn.execute(self._ddl(statement))
                self._set_version(conn, target)

    def _ddl(self, statement: str) -> str:
        """A migration's statement in this dialect (PostgreSQL has no ``WITHOUT ROWID``)."""
        return statement.removesuffix(" WITHOUT ROWID") if self.dialect == "postgresql" else statement

    def _current(self, conn: Any) -> bool:
        """Whether the store is at this program's schema version (read without locking)."""
        if self.dialect == "sqlite":
            return bool(conn.one("PRAGMA user_version", ())[0] == SCHEMA_VERSION)
        exists = conn.one("SELECT to_regclass('schema_migrations')", ())[0]
        return exists is not None and conn.one("SELECT MAX(version) FROM schema_migrations", ())[0] == SCHEMA_VERSION

    def schema_version(self, conn: Any = None) -> int:
        """The store's schema version; a store without a recorded one has version 1's tables."""
        conn = conn or self._conn()
        if self.dialect == "sqlite":
            return conn.one("PRAGMA user_version", ())[0] or 1
        conn.execute("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, "
                     "applied_at TEXT NOT NULL)")
        return conn.one("SELECT MAX(version) FROM schema_migrations", ())[0] or 1

    def _set_version(self, conn: Any, version: int) -> None:
        if self.dialect == "sqlite":
            conn.execute(f"PRAGMA user_version = {int(version)}")
        else:
            conn.execute("INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)", (version, now()))

    # -- which community ------------------------------------------------------------
    def _in_memory(self) -> bool:
        """An in-memory SQLite store (tests, route listings): each connection has its own
        empty database, so what it serves is kept on the object instead."""
        return self.dialect == "sqlite" and self.url.removeprefix("sqlite:///") in ("", ":memory:")

    def community(self) -> str | None:
        """The id of the community this store serves (None: made before stores knew)."""
        if self._in_memory():
            return getattr(self, "_memory_community", None)
        row = self._conn().one("SELECT value FROM store_meta WHERE name = 'community'", ())
        return None if row is None else str(row[0])

    def key_communities(self) -> set[str]:
        """Communities named by the cached receipt keys (``<community id>:<hex>``):
        evidence of whose store an unbound one is."""
        if self._in_memory():
            return set()
        rows = self._conn().all_dicts("SELECT DISTINCT key_cache FROM submissions WHERE key_cache IS NOT NULL", ())
        return {str(r["key_cache"]).split(":", 1)[0] for r in rows if ":" in str(r["key_cache"])}

    def check_community(self, community: str) -> bool:
        """Raise ``ForeignStore`` unless the store may serve ``community``; True when
        it does not know its community yet (``bind`` would record it). Writes nothing.
        An unbound store whose cached receipt keys were derived for another community
        is that community's."""
        known = self.community()
        if known is not None:
            if known != community:
                raise ForeignStore(known, community)
            return False
        others = sorted(self.key_communities() - {community})
        if others:
            raise ForeignStore(others[0], community)
        return True

    def bind(self, community: str) -> bool:
        """Check that the store serves ``community``, recording it if the store does
        not know yet. Returns True when it was recorded now; raises ``ForeignStore``
        (changing nothing) for another community's store."""
        if not self.check_community(community):
            return False
        if self._in_memory():
            self._memory_community = community
            return True
        conn = self._conn()
        with conn.transaction():
            # Two processes adopting at once: one row wins, the other reads it back.
            conn.execute("INSERT INTO store_meta (name, value) VALUES ('community', ?) ON CONFLICT (name) DO NOTHING",
                         (community,))
        known = self.community()
        if known != community:
            raise ForeignStore(str(known), community)
        return True

    # -- rate limits shared by all processes ------------------------------------------
    async def take_token(self, bucket: str, client: str, per_minute: float, burst: int) -> bool:
        """Take one token from ``client``'s bucket of the limit ``bucket`` (``burst``
        at once, refilled at ``per_minute``); False when it is empty. Every process
        on this store shares the buckets, so ``--workers N`` does not multiply the
        limit. Checks waiting at the same time share one transaction (as submissions
        share one commit), without fsync: a bucket lost in a power cut is harmless."""
        with self._rates_lock:
            if self._rates is None:
                self._rates = _RateKeeper(self)
        loop = asyncio.get_running_loop()
        future: asyncio.Future[bool] = loop.create_future()
        self._rates.queue.put(_RateJob(bucket, client, per_minute, burst, loop, future))
        return await future

    def take_token_sync(self, bucket: str, client: str, per_minute: float, burst: int,
                        at: float | None = None) -> bool:
        conn = self._conn()
        with conn.transaction():
            return self._take(conn, bucket, client, per_minute, burst, time.time() if at is None else at)

    def _take(self, conn: Any, bucket: str, client: str, per_minute: float, burst: int, at: float) -> bool:
        """One atomic upsert: refill by the time passed, take a token if there is a whole one."""
        least, greatest = ("MIN", "MAX") if self.dialect == "sqlite" else ("LEAST", "GREATEST")
        # Time since the last take, never negative (the wall clock may be set back).
        refill = f"{least}(CAST(? AS DOUBLE PRECISION), rate_buckets.tokens + " \
                 f"{greatest}(excluded.at - rate_buckets.at, 0) * CAST(? AS DOUBLE PRECISION) / 60.0)"
        row = conn.one(
            "INSERT INTO rate_buckets (bucket, client, tokens, at, allowed) VALUES (?, ?, ?, ?, 1) "
            "ON CONFLICT (bucket, client) DO UPDATE SET "
            f"allowed = CASE WHEN {refill} >= 1 THEN 1 ELSE 0 END, "
            f"tokens = CASE WHEN {refill} >= 1 THEN {refill} - 1 ELSE {refill} END, "
            "at = excluded.at RETURNING allowed",
            (bucket, client, float(burst) - 1, at, *(float(burst), per_minute) * 4))
        return bool(row[0])

    def prune_buckets(self, older_than: float) -> None:
        """Drop buckets untouched since ``older_than`` (they are full again anyway)."""
        conn = self._conn()
        with conn.transaction():
            conn.execute("DELETE FROM rate_buckets WHERE at < ?", (older_than,))

    # -- writing (group commit) -------------------------------------------------------
    def start(self) -> None:
        if self._writer is None:
            self._writer = threading.Thread(target=self._write_loop, name="store-writer", daemon=True)
            self._writer.start()

    def stop(self) -> None:
        if self._writer is not None:
            self._queue.put(None)
            self._writer.join(timeout=30)
            self._writer = None

    def close(self) -> None:
        """Stop the writer and close this thread's connection."""
        self.stop()
        with self._rates_lock:
            if self._rates is not None:
                self._rates.stop()
                self._rates = None
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None

    async def add(self, sub: Submission) -> tuple[str, bool]:
        """Store durably; returns (receipt, created). A repeated idempotency key
        returns the first submission's receipt and ``created=False``."""
        self.start()
        loop = asyncio.get_running_loop()
        future: asyncio.Future[tuple[str, bool]] = loop.create_future()
        self._queue.put(_Job(sub, loop, future))
        return await future

    def add_sync(self, sub: Submission) -> tuple[str, bool]:
        conn = self._conn()
        with conn.transaction():
            return self._insert(conn, sub)

    def _write_loop(self) -> None:
        conn: Any = self.connect()
        while True:
            job = self._queue.get()
            if job is None:
                if conn is not None:
                    conn.close()
                return
            batch = [job]
            try:
                conn = conn or self.connect()  # None after a failure: the database may be back now
                with conn.transaction():
                    # Taken once the transaction (and the writer lock) is ours: what
                    # arrived while another process was committing joins this batch.
                    self._drain(batch)
                    stamp = _Stamp()
                    results = [self._insert(conn, j.sub, stamp) for j in batch]
            except Exception as exc:  # noqa: BLE001 - nothing of the batch was committed
                conn = _close_quietly(conn)  # it may be broken: a fresh one next time
                if len(batch) == 1:
                    _notify(batch, [exc], _set_exception)
                    continue
                # One refused row (a value the database cannot store) must not fail
                # the others: the members again, each under its own savepoint.
                conn, done, failed = self._insert_each(batch)
                _notify([j for j, _ in done], [r for _, r in done], _set_result)
                _notify([j for j, _ in failed], [e for _, e in failed], _set_exception)
                continue
            _notify(batch, results, _set_result)

    def _insert_each(self, batch: list[_Job]) -> tuple[Any, list[tuple[_Job, Any]], list[tuple[_Job, Any]]]:
        """Retry a failed batch on a fresh connection in one transaction, one savepoint
        per member: a member the database refuses is rolled back alone and gets the
        error; the others commit together (still one fsync). If the transaction
        itself fails (connecting, the commit), every member gets that error: nothing
        is acknowledged that was not committed. Returns (connection or None, done, failed)."""
        done: list[tuple[_Job, Any]] = []
        failed: list[tuple[_Job, Any]] = []
        conn = None
        try:
            conn = self.connect()
            with conn.transaction():
                stamp = _Stamp()
                for job in batch:
                    conn.execute("SAVEPOINT member")
                    try:
                        result = self._insert(conn, job.sub, stamp)
                    except Exception as exc:  # noqa: BLE001 - this member only
                        conn.execute("ROLLBACK TO SAVEPOINT member")
                        failed.append((job, exc))
                    else:
                        conn.execute("RELEASE SAVEPOINT member")
                        done.append((job, result))
        except Exception as exc:  # noqa: BLE001 - not committed: nobody is acknowledged
            return _close_quietly(conn), [], [(job, exc) for job in batch]
        return conn, done, failed

    def _drain(self, batch: list[_Job], limit: int = 512) -> None:
        """Add the submissions waiting in the queue to ``batch`` (a stop request stays queued)."""
        while len(batch) < limit:
            try:
                nxt = self._queue.get_nowait()
            except queue.Empty:
                return
            if nxt is None:
                self._queue.put(None)
                return
            batch.append(nxt)

    def _insert(self, conn: Any, sub: Submission, stamp: _Stamp | None = None) -> tuple[str, bool]:
        stamp = stamp or _Stamp()
        receipt = new_receipt()
        received = stamp.received
        purge = stamp.purge_after(sub.retention_days)
        private = json.dumps(sub.private, ensure_ascii=False) if sub.private else None
        if private is not None and self.encrypt is not None:
            private = self.encrypt(private.encode("utf-8"))
        # A repeated key (a resubmission, from this process or another) inserts
        # nothing; only then is the first submission's receipt looked up. No
        # SELECT before the INSERT: the common case is a new key.
        inserted = conn.one(
            "INSERT INTO submissions (receipt, form_id, idem_key, received_at, public_json, private_json,"
            " purge_after, category) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (form_id, idem_key) DO NOTHING RETURNING receipt",
            (receipt, sub.form_id, sub.idem_key, received, json.dumps(sub.public, ensure_ascii=False),
             private, purge, sub.category))
        if inserted is None:
            existing = conn.one("SELECT receipt FROM submissions WHERE form_id = ? AND idem_key = ?",
                                (sub.form_id, sub.idem_key))
            return existing[0], False
        for channel in sub.channels:
            conn.execute("INSERT INTO outbox (receipt, channel, next_at) VALUES (?, ?, ?)",
                         (receipt, channel, received))
        conn.execute("INSERT INTO events (receipt, at, kind) VALUES (?, ?, 'received')", (receipt, received))
        return receipt, True

    # -- reading and updating -----------------------------------------------------
    def get(self, receipt: str) -> dict[str, Any] | None:
        row = self._conn().one_dict("SELECT * FROM submissions WHERE receipt = ?", (receipt,))
        return row

    def list(self, status: str | None = None, form_id: str | None = None) -> builtins.list[dict[str, Any]]:
        sql, args = "SELECT * FROM submissions WHERE 1=1", []
        if status:
            sql += " AND status = ?"
            args.append(status)
        if form_id:
            sql += " AND form_id = ?"
            args.append(form_id)
        return self._conn().all_dicts(sql + " ORDER BY received_at, receipt", tuple(args))

    def events(self, receipt: str) -> builtins.list[dict[str, Any]]:
        return self._conn().all_dicts("SELECT at, kind, detail FROM events WHERE receipt = ? ORDER BY id", (receipt,))

    def reply(self, receipt: str, status: str, text: str | None, category: str | None = None,
              revision: int | None = None) -> bool:
        """Record a reply. With ``revision`` (as read before), only if nobody replied
        since: returns False and changes nothing when the submission moved on."""
        conn = self._conn()
        with conn.transaction():
            at = now()
            # CASTs: PostgreSQL cannot infer a parameter's type inside CASE/COALESCE.
            sql = ("UPDATE submissions SET status = ?, reply = COALESCE(CAST(? AS TEXT), reply), "
                   "replied_at = CASE WHEN CAST(? AS TEXT) IS NULL THEN replied_at "
                   "ELSE COALESCE(replied_at, CAST(? AS TEXT)) END, "
                   "category = COALESCE(CAST(? AS TEXT), category), revision = revision + 1 WHERE receipt = ?")
            args: tuple[Any, ...] = (status, text, text, at, category, receipt)
            if revision is not None:
                sql, args = sql + " AND revision = ?", (*args, revision)
            if conn.rowcount(sql, args) != 1:
                return False
            conn.execute("INSERT INTO events (receipt, at, kind, detail) VALUES (?, ?, ?, ?)",
                         (receipt, at, f"status:{status}", text))
            if category is not None:  # the committee's choice: publish may show it (see inbox.publish)
                conn.execute("INSERT INTO events (receipt, at, kind, detail) VALUES (?, ?, 'category', ?)",
                             (receipt, at, category))
        return True

    def rate(self, receipt: str, rating: int) -> bool:
        conn = self._conn()
        with conn.transaction():
            row = conn.one("SELECT rating, reply FROM submissions WHERE receipt = ?", (receipt,))
            if row is None or row[0] is not None or row[1] is None:
                return False  # only once, and only after a reply
            at = now()
            conn.execute("UPDATE submissions SET rating = ?, rated_at = ? WHERE receipt = ?", (rating, at, receipt))
            conn.execute("INSERT INTO events (receipt, at, kind, detail) VALUES (?, ?, 'rated', ?)",
                         (receipt, at, str(rating)))
        return True

    def mark_published(self, receipts: builtins.list[str]) -> None:
        conn = self._conn()
        with conn.transaction():
            at = now()
            for r in receipts:
                conn.execute("UPDATE submissions SET published_at = ? WHERE receipt = ?", (at, r))

    def public_ids(self) -> dict[str, str]:
        """receipt → public number, for every submission that has one."""
        rows = self._conn().all_dicts("SELECT receipt, public_id FROM submissions WHERE public_id IS NOT NULL", ())
        return {r["receipt"]: r["public_id"] for r in rows}

    def record_publish(self, public_ids: dict[str, str], key_cache: dict[str, str], counted: builtins.list[str]) -> None:
        """After a publish, in one transaction: the public numbers given (or, where the
        published file says otherwise, corrected to it), the derived keys, and the
        satisfaction answers counted."""
        conn = self._conn()
        with conn.transaction():
            at = now()
            for receipt in public_ids:  # first let go of numbers that move (unique index)
                conn.execute("UPDATE submissions SET public_id = NULL WHERE receipt = ?", (receipt,))
            for receipt, public_id in public_ids.items():
                conn.execute("UPDATE submissions SET public_id = ?, published_at = COALESCE(published_at, ?) "
                             "WHERE receipt = ?", (public_id, at, receipt))
            for receipt, value in key_cache.items():
                conn.execute("UPDATE submissions SET key_cache = ? WHERE receipt = ?", (value, receipt))
            for receipt in counted:
                conn.execute("UPDATE submissions SET published_at = ? WHERE receipt = ? AND published_at IS NULL",
                             (at, receipt))

    def purge_expired(self) -> int:
        """Delete private fields whose retention period has passed."""
        conn = self._conn()
        with conn.transaction():
            at = now()
            n = conn.rowcount("UPDATE submissions SET private_json = NULL WHERE private_json IS NOT NULL "
                              "AND purge_after < ?", (at,))
        return n

    # -- outbox ------------------------------------------------------------------
    def due_jobs(self, limit: int = 50, at: str | None = None) -> builtins.list[dict[str, Any]]:
        """Forwarding jobs due at ``at`` (default: now), oldest first."""
        return self._conn().all_dicts("SELECT * FROM outbox WHERE done_at IS NULL AND next_at <= ? "
                                      "ORDER BY next_at, id LIMIT ?", (at or now(), limit))

    def claim_jobs(self, limit: int = 50, at: str | None = None, lease_seconds: float = 600) -> builtins.list[dict[str, Any]]:
        """Take the jobs due at ``at`` (default: now), oldest first, for this process.

        Several endpoint processes each run a forwarder (``--workers`` > 1). In the
        transaction that selects them, the jobs' ``next_at`` moves ``lease_seconds``
        ahead, so no other process takes them while this one sends; ``job_done`` or
        ``job_failed`` then records the outcome. If the process dies first, the job
        is due again when the lease ends: still at least once, never lost.
        PostgreSQL: ``FOR UPDATE SKIP LOCKED`` (another claimer skips these rows
        instead of waiting); SQLite: write transactions are serialized anyway.
        The rows are returned as they were before the claim."""
        at = at or now()
        lease = (dt.datetime.fromisoformat(at) + dt.timedelta(seconds=lease_seconds)).isoformat(timespec="seconds")
        skip_locked = " FOR UPDATE SKIP LOCKED" if self.dialect == "postgresql" else ""
        conn = self._conn()
        with conn.transaction():
            jobs = conn.all_dicts("SELECT * FROM outbox WHERE done_at IS NULL AND next_at <= ? "
                                  f"ORDER BY next_at, id LIMIT ?{skip_locked}", (at, limit))
            for job in jobs:
                conn.execute("UPDATE outbox SET next_at = ? WHERE id = ?", (lease, job["id"]))
        return jobs

    def job_done(self, job_id: int) -> None:
        conn = self._conn()
        with conn.transaction():
            conn.execute("UPDATE outbox SET done_at = ?, attempts = attempts + 1 WHERE id = ?", (now(), job_id))

    def job_failed(self, job_id: int, error: str, next_at: str) -> None:
        conn = self._conn()
        with conn.transaction():
            conn.execute("UPDATE outbox SET attempts = attempts + 1, last_error = ?, next_at = ? WHERE id = ?",
                         (error[:500], next_at, job_id))

    def outbox(self) -> builtins.list[dict[str, Any]]:
        return self._conn().all_dicts("SELECT * FROM outbox ORDER BY id", ())

    def count(self) -> int:
        return int(self._conn().one("SELECT COUNT(*) FROM submissions", ())[0])


@dataclass
class _RateJob:
    bucket: str
    client: str
    per_minute: float
    burst: int
    loop: asyncio.AbstractEventLoop
    future: asyncio.Future[bool]


class _RateKeeper:
    """A thread that answers rate checks in groups: every check waiting when it is
    free goes into one transaction, on its own connection. SQLite: with
    ``synchronous=NORMAL`` the commit does not fsync (WAL stays consistent; a
    bucket lost in a power cut only lets a client in again), and the writer lock
    is held for microseconds. PostgreSQL: ``synchronous_commit = off`` likewise."""

    PRUNE_EVERY = 2000  # batches between removals of idle buckets

    def __init__(self, store: Store) -> None:
        self.store = store
        self.queue: queue.Queue[_RateJob | None] = queue.Queue()
        self.thread = threading.Thread(target=self._loop, name="store-rates", daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.queue.put(None)
        self.thread.join(timeout=10)

    def _connect(self) -> Any:
        conn = self.store.connect()
        if self.store.dialect == "sqlite":
            conn.execute("PRAGMA synchronous=NORMAL")
        else:
            conn.execute("SET synchronous_commit = off")
        return conn

    def _loop(self) -> None:
        conn: Any = None
        batches = 0
        while True:
            job = self.queue.get()
            if job is None:
                _close_quietly(conn)
                return
            batch = [job]
            while len(batch) < 512:
                try:
                    nxt = self.queue.get_nowait()
                except queue.Empty:
                    break
                if nxt is None:
                    self.queue.put(None)
                    break
                batch.append(nxt)
            try:
                conn = conn or self._connect()
                at = time.time()
                with conn.transaction():
                    results: list[Any] = [self.store._take(conn, j.bucket, j.client, j.per_minute, j.burst, at)
                                          for j in batch]
                    batches += 1
                    if batches % self.PRUNE_EVERY == 0:
                        # A bucket idle for a day is full again: dropping it changes nothing.
                        conn.execute("DELETE FROM rate_buckets WHERE at < ?", (at - 86400,))
            except Exception as exc:  # noqa: BLE001 - the caller decides (see abuse.SharedLimiter)
                conn = _close_quietly(conn)
                _notify(batch, [exc] * len(batch), _set_exception)
                continue
            _notify(batch, results, _set_result)


class _Stamp:
    """The times of one batch: one clock reading for all its rows."""

    def __init__(self) -> None:
        self.moment = dt.datetime.now(dt.UTC)
        self.received = self.moment.isoformat(timespec="seconds")
        self._purge: dict[int, str] = {}

    def purge_after(self, days: int) -> str:
        value = self._purge.get(days)
        if value is None:
            value = self._purge[days] = (self.moment + dt.timedelta(days=days)).isoformat(timespec="seconds")
        return value


def _close_quietly(conn: Any) -> Any:
    """Close a connection that may be broken; always None (the caller's new value)."""
    if conn is not None:
        try:
            conn.close()
        except Exception:  # noqa: BLE001 - it is being dropped anyway
            pass
    return None


def _notify(batch: list[Any], values: list[Any], setter: Any) -> None:
    """Resolve the batch's futures with one wake-up per event loop, not one per job
    (each ``call_soon_threadsafe`` writes to the loop's self-pipe)."""
    by_loop: dict[asyncio.AbstractEventLoop, list[tuple[asyncio.Future[Any], Any]]] = {}
    for job, value in zip(batch, values):
        by_loop.setdefault(job.loop, []).append((job.future, value))
    for loop, items in by_loop.items():
        try:
            loop.call_soon_threadsafe(_resolve, items, setter)
        except RuntimeError:  # the loop is closed: nobody is waiting any more
            pass


def _resolve(items: list[tuple[asyncio.Future[Any], Any]], setter: Any) -> None:
    for future, value in items:
        setter(future, value)


def _set_result(future: asyncio.Future[Any], value: Any) -> None:
    if not future.done():
        future.set_result(value)


def _set_exception(future: asyncio.Future[Any], exc: BaseException) -> None:
    if not future.done():
        future.set_exception(exc)


def _writer_lock(path: str) -> int | None:
    """A file descriptor for the cross-process writer lock of the database at
    ``path`` (None for an in-memory database, or where the file cannot be made:
    then SQLite's own locking alone serializes writers, as before)."""
    if not path or path == ":memory:" or path.startswith("file:"):
        return None
    try:
        return os.open(f"{path}-writer.lock", os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
    except OSError:
        return None


class _Tx:
    def __init__(self, conn: Any, begin: str, lock: int | None = None) -> None:
        self.conn, self.begin, self.lock = conn, begin, lock

    def __enter__(self) -> None:
        if self.lock is not None:
            # Blocks this thread only (the GIL is released while waiting); flock
            # locks belong to the open file, so two connections of one process
            # exclude each other as two processes do.
            fcntl.flock(self.lock, fcntl.LOCK_EX)
        try:
            self.conn.execute(self.begin)
        except BaseException:
            self._unlock()
            raise

    def __exit__(self, exc_type: Any, *_: Any) -> None:
        try:
            self.conn.execute("ROLLBACK" if exc_type else "COMMIT")
        finally:
            self._unlock()

    def _unlock(self) -> None:
        if self.lock is not None:
            fcntl.flock(self.lock, fcntl.LOCK_UN)


class _SqliteConn:
    """Tiny adapter so the store speaks one API to both databases."""

    def __init__(self, conn: sqlite3.Connection, lock: int | None = None) -> None:
        self.conn = conn
        self.lock = lock

    def transaction(self) -> _Tx:
        return _Tx(self.conn, "BEGIN IMMEDIATE", self.lock)

    def execute(self, sql: str, args: tuple[Any, ...] = ()) -> None:
        self.conn.execute(sql, args)

    def rowcount(self, sql: str, args: tuple[Any, ...]) -> int:
        return self.conn.execute(sql, args).rowcount

    def one(self, sql: str, args: tuple[Any, ...]) -> Any:
        return self.conn.execute(sql, args).fetchone()

    def one_dict(self, sql: str, args: tuple[Any, ...]) -> dict[str, Any] | None:
        rows = self.all_dicts(sql, args)
        return rows[0] if rows else None

    def all_dicts(self, sql: str, args: tuple[Any, ...]) -> list[dict[str, Any]]:
        cur = self.conn.execute(sql, args)
        names = [d[0] for d in cur.description]
        return [dict(zip(names, row)) for row in cur.fetchall()]

    def close(self) -> None:
        self.conn.close()
        if self.lock is not None:
            os.close(self.lock)
            self.lock = None

    def __enter__(self) -> _SqliteConn:
        return self

    def __exit__(self, *_: Any) -> None:
        self.close()


class _PgConn(_SqliteConn):
    def __init__(self, conn: Any) -> None:  # psycopg.Connection
        self.conn = conn
        self.lock = None  # PostgreSQL takes concurrent writers itself

    def transaction(self) -> _Tx:
        return _Tx(self, "BEGIN")

    @staticmethod
    def _sql(sql: str) -> str:
        return sql.replace("?", "%s")

    def execute(self, sql: str, args: tuple[Any, ...] = ()) -> None:
        self.conn.execute(self._sql(sql), args)

    def rowcount(self, sql: str, args: tuple[Any, ...]) -> int:
        return self.conn.execute(self._sql(sql), args).rowcount

    def one(self, sql: str, args: tuple[Any, ...]) -> Any:
        return self.conn.execute(self._sql(sql), args).fetchone()

    def all_dicts(self, sql: str, args: tuple[Any, ...]) -> list[dict[str, Any]]:
        cur = self.conn.execute(self._sql(sql), args)
        names = [d[0] for d in cur.description or ()]  # psycopg's Column is a sequence too
        return [dict(zip(names, row)) for row in cur.fetchall()]

