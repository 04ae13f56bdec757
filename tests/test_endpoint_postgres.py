"""The submissions store and the endpoint on a real PostgreSQL server.

The test starts its own PostgreSQL (Debian's ``postgresql`` package:
``/usr/lib/postgresql/<version>/bin/initdb`` and ``pg_ctl``) in a temporary
folder on a free port; as root it runs the server as the ``postgres`` user.
Each test starts on an empty database. The same core checks as on SQLite: submit,
idempotency, receipts, replies and ratings, through ``Store`` directly and
through the endpoint server started with ``--db postgresql://…``.
"""

from __future__ import annotations

import asyncio
import gc
import json
import os
import pwd
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import uuid
import warnings
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest

if str(Path(__file__).resolve().parent) not in sys.path:
    sys.path.insert(0, str(Path(__file__).resolve().parent))
from test_endpoint import (  # noqa: E402
    HTML,
    JSON,
    RECEIPT,
    SECRET,
    Endpoint,
    close_store,
    free_port,
    make_project,
    suggestion,
    write_spec,
)

from endpoint.store import Store, Submission  # noqa: E402

#: Store keeps a connection per thread and has no way to close them (see
#: test_store_stop_closes_its_writer_connection); psycopg warns when they are
#: collected. Only that warning is let through here, and the tests close what
#: they can reach (``close_store``) so that none is collected during later tests.
pytestmark = pytest.mark.filterwarnings("ignore:.*was deleted while still open:ResourceWarning")


@pytest.fixture(scope="module", autouse=True)
def _collect_leftovers():
    """Connections left in threads or reference cycles are collected here, not in a later module."""
    yield
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        gc.collect()


def pg_bin() -> Path:
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"),
                      key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit() else 0)
    assert versions, ("PostgreSQL server binaries not found: install Debian's postgresql package "
                      "(apt-get install -y postgresql)")
    return versions[-1].parent


class Postgres:
    """A throwaway PostgreSQL cluster: trust authentication, TCP on 127.0.0.1 only."""

    def __init__(self) -> None:
        self.bin = pg_bin()
        self.dir = Path(tempfile.mkdtemp(prefix="portal-pg-"))
        self.data = self.dir / "data"
        self.port = free_port()
        self.user: str | None = None
        if os.geteuid() == 0:  # initdb refuses to run as root
            self.user = "postgres"
            pw = pwd.getpwnam(self.user)
            os.chown(self.dir, pw.pw_uid, pw.pw_gid)
        self.url = f"postgresql://postgres@127.0.0.1:{self.port}"

    def run(self, *args: str) -> None:
        cmd = [str(self.bin / args[0]), *args[1:]]
        if self.user:
            cmd = ["runuser", "-u", self.user, "--", *cmd]
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, f"{' '.join(cmd)}:\n{done.stdout}\n{done.stderr}\n{self.log()}"

    def log(self) -> str:
        path = self.dir / "server.log"
        return path.read_text(errors="replace")[-3000:] if path.exists() else ""

    def start(self) -> Postgres:
        self.run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-locale",
                 "--no-sync")
        self.run("pg_ctl", "-D", str(self.data), "-l", str(self.dir / "server.log"), "-w", "-t", "60", "-o",
                 f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c max_connections=200", "start")
        return self

    def stop(self) -> None:
        try:
            # A throwaway cluster: no shutdown checkpoint, it is deleted next.
            self.run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)

    def new_database(self) -> str:
        name = "portal_" + uuid.uuid4().hex[:12]
        with psycopg.connect(self.url + "/postgres", autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return f"{self.url}/{name}"


@pytest.fixture(scope="module")
def postgres():
    pg = Postgres().start()
    yield pg
    pg.stop()


@pytest.fixture(scope="module")
def pg_database(postgres: Postgres) -> str:
    return postgres.new_database()


@pytest.fixture
def pg_url(pg_database: str) -> str:
    """The module's database, emptied: each test starts without the store's tables."""
    with psycopg.connect(pg_database, autocommit=True) as conn:
        conn.execute("DROP TABLE IF EXISTS submissions, outbox, events, schema_migrations, store_meta, rate_buckets, "
                     "ballot_codes, ballots, ballot_receipts")
    return pg_database


@pytest.fixture
def store(pg_url: str):
    s = Store(pg_url)
    yield s
    close_store(s)


def sub(idem: str | None = None, text: str = "路灯坏了", phone: str | None = "13800138000", **kw: Any) -> Submission:
    return Submission(form_id=kw.pop("form_id", "suggestion"), idem_key=idem or uuid.uuid4().hex,
                      public={"topic": "environment", "text": text},
                      private={"phone": phone} if phone else {}, retention_days=kw.pop("retention_days", 180),
                      category="environment", **kw)


def one_row(url: str, sql: str, args: tuple[Any, ...] = ()) -> Any:
    with psycopg.connect(url) as conn:
        return conn.execute(sql, args).fetchone()


# -- Store on PostgreSQL ------------------------------------------------------------------

def test_store_submit_and_read_back(store: Store, pg_url: str) -> None:
    assert store.dialect == "postgresql"

    async def go() -> tuple[str, bool]:
        return await store.add(sub("k-1", text="三号楼电梯异响", phone="139 0000 1111"))

    receipt, created = asyncio.run(go())
    assert created and RECEIPT.match(receipt)
    row = store.get(receipt)
    assert row["form_id"] == "suggestion" and row["status"] == "received" and row["category"] == "environment"
    assert json.loads(row["public_json"]) == {"topic": "environment", "text": "三号楼电梯异响"}
    assert json.loads(row["private_json"]) == {"phone": "139 0000 1111"}
    assert store.count() == 1 and [e["kind"] for e in store.events(receipt)] == ["received"]
    # What a crash-safe commit leaves: visible from any other connection.
    assert one_row(pg_url, "SELECT receipt FROM submissions WHERE idem_key = %s", ("k-1",)) == (receipt,)
    assert store.get("WXYZ-WXYZ-WX") is None


def test_store_idempotency(store: Store) -> None:
    first = store.add_sync(sub("same-key", text="第一次"))
    second = store.add_sync(sub("same-key", text="第二次"))
    assert first[1] is True and second == (first[0], False)

    async def together() -> list[tuple[str, bool]]:  # 20 at once: one group commit
        return await asyncio.gather(*(store.add(sub("burst-key", text=f"第{i}次")) for i in range(20)))

    results = asyncio.run(together())
    assert len({r for r, _ in results}) == 1 and sum(created for _, created in results) == 1
    assert store.count() == 2
    assert len(store.list(form_id="suggestion")) == 2
    # The key belongs to its form.
    other = store.add_sync(sub("same-key", form_id="signup"))
    assert other[1] is True and other[0] != first[0]


def test_store_group_commit_under_load(store: Store) -> None:
    async def many() -> list[tuple[str, bool]]:
        return await asyncio.gather(*(store.add(sub(f"load-{i}", text=f"建议 {i}")) for i in range(300)))

    results = asyncio.run(many())
    assert all(created for _, created in results) and len({r for r, _ in results}) == 300
    assert store.count() == 300
    assert all(RECEIPT.match(r) for r, _ in results)


def test_store_reply_then_rating_once(store: Store) -> None:
    receipt, _ = store.add_sync(sub())
    assert store.rate(receipt, 5) is False  # no reply yet
    store.reply(receipt, "in-progress", None)
    assert store.get(receipt)["status"] == "in-progress" and store.rate(receipt, 5) is False
    store.reply(receipt, "answered", "已安排维修，本周五前完成。", category="lighting")
    row = store.get(receipt)
    assert row["status"] == "answered" and row["reply"] == "已安排维修，本周五前完成。"
    assert row["replied_at"] and row["category"] == "lighting"
    assert store.rate(receipt, 4) is True
    assert store.rate(receipt, 1) is False  # only once
    assert store.get(receipt)["rating"] == 4
    assert [e["kind"] for e in store.events(receipt)] == ["received", "status:in-progress", "status:answered",
                                                          "category", "rated"]


def test_store_purge_and_publish(store: Store) -> None:
    old, _ = store.add_sync(sub(retention_days=-1))
    new, _ = store.add_sync(sub(retention_days=30))
    assert store.purge_expired() == 1
    assert store.get(old)["private_json"] is None and store.get(new)["private_json"] is not None
    store.mark_published([old])
    assert store.get(old)["published_at"] and store.get(new)["published_at"] is None


def test_migration_of_a_first_release_store_keeps_every_submission(pg_url: str) -> None:
    """A store made by the first release's DDL (no recorded version) is upgraded in
    place to the current schema; every submission stays as it was."""
    from test_inbox_publish import V1_INSERT, V1_ROWS, V1_SCHEMA

    from endpoint.store import SCHEMA_VERSION

    with psycopg.connect(pg_url, autocommit=True) as conn:
        for statement in V1_SCHEMA:
            conn.execute(statement.format(serial="BIGSERIAL"))
        for row in V1_ROWS:
            conn.execute(V1_INSERT.replace("?", "%s"), row)
    columns = ("receipt, form_id, idem_key, received_at, public_json, private_json, purge_after, status, category, "
               "reply, replied_at")
    with psycopg.connect(pg_url) as conn:
        before = conn.execute(f"SELECT {columns} FROM submissions ORDER BY receipt").fetchall()
    stores = [Store(pg_url), Store(pg_url)]  # the second finds it migrated
    try:
        assert stores[1].schema_version() == SCHEMA_VERSION == 4
        assert stores[0].count() == len(V1_ROWS)
        receipt, _ = stores[0].add_sync(sub())
        assert stores[0].reply(receipt, "answered", "好", revision=0) is True
        assert stores[0].reply(receipt, "closed", "晚了一步", revision=0) is False  # compare-and-set
    finally:
        for s in stores:
            close_store(s)
    with psycopg.connect(pg_url) as conn:
        after = conn.execute(f"SELECT {columns} FROM submissions WHERE receipt <> %s ORDER BY receipt",
                             (receipt,)).fetchall()
        marked = dict(conn.execute("SELECT receipt, published_at FROM submissions").fetchall())
        versions = conn.execute("SELECT version FROM schema_migrations ORDER BY version").fetchall()
    assert after == before and versions == [(2,), (3,), (4,)]  # each migration once, by one of the two
    assert marked["W9XY-3KMN-4P"] == marked["K7QM-4XRA-3P"] and marked["HJKM-7NPQ-RT"] is None


def test_store_same_key_from_two_endpoint_instances(pg_url: str) -> None:
    """Two endpoint processes share one database (PostgreSQL is for more than
    one machine). A double click may reach both: while the first instance's
    transaction holding key K is still open, the second stores K too. Once the
    first commits, the second must answer with the first's receipt (created
    False) — not fail (and with it every other submission of its group commit)."""
    store = Store(pg_url)
    other_instance = psycopg.connect(pg_url)  # its transaction is open until commit()
    other_instance.execute(
        "INSERT INTO submissions (receipt, form_id, idem_key, received_at, public_json, private_json, purge_after)"
        " VALUES ('WXYZ-WXYZ-WX', 'suggestion', 'double-click', '2026-11-22T10:00:00+00:00',"
        " '{\"topic\": \"other\", \"text\": \"x\"}', NULL, '2027-05-21T10:00:00+00:00')")
    outcome: dict[str, Any] = {}

    def second() -> None:
        try:
            outcome["result"] = store.add_sync(sub("double-click"))
        except Exception as exc:  # noqa: BLE001 - reported below
            outcome["error"] = repr(exc)  # not the exception: its traceback would keep the store alive

    t = threading.Thread(target=second)
    t.start()
    time.sleep(0.5)  # the second instance is now waiting on the unique key
    other_instance.commit()
    other_instance.close()
    t.join(30)
    close_store(store)
    assert "error" not in outcome, f"second instance failed: {outcome.get('error')}"
    assert outcome["result"] == ("WXYZ-WXYZ-WX", False)
    assert one_row(pg_url, "SELECT COUNT(*) FROM submissions WHERE idem_key = 'double-click'") == (1,)


def test_outbox_claims_of_two_workers_never_overlap(store: Store, pg_url: str) -> None:
    """Another worker's forwarder is in the middle of claiming some jobs (its rows
    locked); this one takes the others at once instead of waiting, and nothing twice."""
    for i in range(6):
        store.add_sync(sub(f"fw-{i}", channels=["webhook:0"]))
    other = psycopg.connect(pg_url)  # its claiming transaction stays open
    locked = [row[0] for row in other.execute(
        "SELECT id FROM outbox ORDER BY id LIMIT 2 FOR UPDATE SKIP LOCKED").fetchall()]
    start = time.monotonic()
    mine = [job["id"] for job in store.claim_jobs(10)]
    assert time.monotonic() - start < 2, "the claim waited for the other worker's lock"
    other.rollback()
    other.close()
    assert len(locked) == 2 and not set(locked) & set(mine) and len(mine) == 4
    # The other worker gave up its claim (rolled back): those two are due; mine are leased.
    assert sorted(job["id"] for job in store.claim_jobs(10)) == sorted(locked)
    assert store.claim_jobs(10) == []
    later = store.claim_jobs(10, at="2999-01-01T00:00:00+00:00")  # after every lease: all due again
    assert sorted(job["id"] for job in later) == sorted(locked + mine)


def test_store_stop_closes_its_writer_connection(pg_url: str) -> None:
    """``stop()`` ends the group-commit writer: its database connection must be
    closed with it, not left for the garbage collector."""
    store = Store(pg_url)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        asyncio.run(store.add(sub()))
        store.stop()
        time.sleep(0.2)
        gc.collect()
    leaks = [str(w.message) for w in caught if issubclass(w.category, ResourceWarning)]
    assert not leaks, leaks


# -- the endpoint server on PostgreSQL ----------------------------------------------------

@pytest.fixture(scope="module")
def pg_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("pg-site")
    return write_spec(make_project(base / "project"), base / "site")


@pytest.fixture
def pg_server(pg_site: Path, pg_url: str, tmp_path: Path):
    ep = Endpoint(pg_site, pg_url, tmp_path / "server.log").start()
    yield ep
    ep.stop()


def test_server_submit_idempotency_and_receipt(pg_server: Endpoint, pg_url: str) -> None:
    data = suggestion(phone="+86 138 2222 3333")
    with pg_server.client() as c:
        health = c.get("/health").json()
        created = c.post("/forms/suggestion", json=data, headers=JSON)
        again = c.post("/forms/suggestion", data=data, headers=JSON)
        edited = c.post("/forms/suggestion", data={**data, "text": "另一段话"}, headers=JSON)
        html = c.post("/forms/suggestion", data=data, headers=HTML)
        receipt = created.json()["receipt"]
        view = c.get(f"/receipts/{receipt}", headers=JSON)
        page = c.get(f"/receipts/{receipt}", headers=HTML)
        early = c.post(f"/receipts/{receipt}/rating", data={"rating": "5"}, headers=JSON)
    assert health == {"status": "ok", "forms": 1, "db": "postgresql"}
    assert created.status_code == 201 and RECEIPT.match(receipt) and created.json()["created"] is True
    assert again.status_code == 200 and again.json()["receipt"] == receipt and again.json()["created"] is False
    assert html.status_code == 303 and html.headers["location"] == f"/receipts/{receipt}?lang=zh&new=0"
    # The same key with other content is never merged into the first submission.
    assert edited.status_code == 201 and edited.json()["receipt"] != receipt
    assert view.status_code == 200 and view.json()["status"] == "received" and view.json()["form"] == "suggestion"
    assert page.status_code == 200 and receipt in page.text
    for bit in (data["text"], "2222 3333"):
        assert bit not in view.text and bit not in page.text
    assert early.status_code == 409
    public, private, n = one_row(pg_url, "SELECT public_json, private_json, (SELECT COUNT(*) FROM submissions)"
                                         " FROM submissions WHERE receipt = %s", (receipt,))
    assert n == 2
    assert json.loads(public) == {"topic": "environment", "text": data["text"]}
    assert json.loads(private) == {"phone": "+86 138 2222 3333"}


def test_server_concurrent_submissions(pg_server: Endpoint, pg_url: str) -> None:
    async def burst() -> list[httpx.Response]:
        limits = httpx.Limits(max_connections=40)
        async with httpx.AsyncClient(base_url=pg_server.url, timeout=30, limits=limits) as c:
            return await asyncio.gather(*(c.post("/forms/suggestion", data=suggestion(), headers=JSON)
                                          for _ in range(200)))

    answers = asyncio.run(burst())
    assert [r.status_code for r in answers] == [201] * 200
    receipts = {r.json()["receipt"] for r in answers}
    assert len(receipts) == 200
    assert one_row(pg_url, "SELECT COUNT(*) FROM submissions") == (200,)


def test_server_rating_after_the_committee_replies(pg_server: Endpoint, pg_url: str) -> None:
    with pg_server.client() as c:
        receipt = c.post("/forms/suggestion", data=suggestion(), headers=JSON).json()["receipt"]
        committee = Store(pg_url)
        try:
            committee.reply(receipt, "answered", "已处理，谢谢。")
        finally:
            close_store(committee)
        shown = c.get(f"/receipts/{receipt}", headers=JSON).json()
        ok = c.post(f"/receipts/{receipt}/rating", data={"rating": "5"}, headers=JSON)
        again = c.post(f"/receipts/{receipt}/rating", data={"rating": "3"}, headers=JSON)
    assert shown["status"] == "answered" and shown["reply"] == "已处理，谢谢。"
    assert ok.status_code == 200 and again.status_code == 409
    assert one_row(pg_url, "SELECT rating FROM submissions WHERE receipt = %s", (receipt,)) == (5,)


def test_server_double_click_reaching_two_instances(pg_server: Endpoint, pg_url: str) -> None:
    """The same key arrives while another instance's transaction holding it is
    still open: once that commits, this instance answers with its receipt (200),
    not a server error."""
    from endpoint.submit import idempotency_key

    data = suggestion(_idem="dbl")
    # The key the other instance stored for the same submission: the same _idem and content.
    key = idempotency_key(SECRET.encode(), "dbl", {k: data[k] for k in ("topic", "text", "phone")})
    other_instance = psycopg.connect(pg_url)
    other_instance.execute(
        "INSERT INTO submissions (receipt, form_id, idem_key, received_at, public_json, private_json, purge_after)"
        " VALUES ('WXYZ-WXYZ-WX', 'suggestion', %s, '2026-11-22T10:00:00+00:00',"
        " '{\"topic\": \"other\", \"text\": \"x\"}', NULL, '2027-05-21T10:00:00+00:00')", (key,))
    answer: dict[str, httpx.Response] = {}

    def post() -> None:
        with pg_server.client() as c:
            answer["r"] = c.post("/forms/suggestion", data=data, headers=JSON)

    t = threading.Thread(target=post)
    t.start()
    time.sleep(0.5)
    other_instance.commit()
    other_instance.close()
    t.join(30)
    r = answer["r"]
    assert r.status_code == 200, f"{r.status_code}: {r.text[:300]}"
    assert r.json()["receipt"] == "WXYZ-WXYZ-WX" and r.json()["created"] is False
    # The server keeps working afterwards.
    with pg_server.client() as c:
        assert c.post("/forms/suggestion", data=suggestion(), headers=JSON).status_code == 201


def test_publish_from_sqlite_then_from_postgresql_keeps_everything(pg_url: str, tmp_path: Path) -> None:
    """A move from SQLite to PostgreSQL: the new database publishes into the same
    repository and nothing published from the old one is lost or renumbered."""
    from test_inbox_publish import ids, inbox, record, submit

    demo = tmp_path / "demo"
    shutil.copytree(Path(__file__).resolve().parent.parent / "data", demo / "data")
    old = f"sqlite:///{tmp_path / 'old.db'}"
    submit(old)
    inbox(old, "publish", str(demo))
    receipt = submit(pg_url, received="2026-11-29T09:00:00+00:00")
    inbox(pg_url, "reply", receipt, "--status", "answered", "--text", "新服务器上的答复")
    inbox(pg_url, "publish", str(demo))
    assert ids(demo)[15:] == ["R2026-0016", "R2026-0017", "R2026-0018"]
    assert record(demo, "R2026-0018")["reply"] == "新服务器上的答复"
    assert one_row(pg_url, "SELECT public_id, key_cache IS NOT NULL FROM submissions") == ("R2026-0018", True)
