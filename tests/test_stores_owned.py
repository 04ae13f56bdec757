"""No command merges, renumbers or limits what it does not own (issue #18, defects 7, 8, 12).

- a store records the community it serves: ``portal inbox publish`` refuses another
  community's database (nothing written) and the endpoint refuses to start on one;
  a store made before stores knew adopts the community on first use, with a note;
- public request numbers: the ledger ``data/requests/issued.csv`` keeps every number
  ever issued, so a number is never given twice (from any database) and a published
  request is never renumbered; a conflict is reported, not resolved by renumbering;
- rate limits live in the store: ``--workers 2`` with burst 5 accepts exactly 5.

SQLite throughout, PostgreSQL (a real server, as in test_endpoint_postgres.py) for the store.
The --out part of the issue (defect 6) is in test_fault_filesystem.py.
"""

from __future__ import annotations

import asyncio
import json
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

if str(Path(__file__).resolve().parent) not in sys.path:
    sys.path.insert(0, str(Path(__file__).resolve().parent))
from test_endpoint import JSON, Endpoint, close_store, make_project, suggestion, write_spec  # noqa: E402
from test_inbox_publish import blocks, ids, inbox, published, record, sql, submit  # noqa: E402

from endpoint.store import ForeignStore, Store  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
DEMO_ID = "hehuali"


@pytest.fixture
def demo(tmp_path: Path) -> Path:
    shutil.copytree(REPO / "data", tmp_path / "demo" / "data")
    return tmp_path / "demo"


@pytest.fixture
def db(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'inbox.db'}"


def snapshot(top: Path) -> dict[str, bytes]:
    return {p.relative_to(top).as_posix(): p.read_bytes() for p in sorted(top.rglob("*")) if p.is_file()}


def portal(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "generator", *args], capture_output=True, text=True, cwd=REPO,
                          timeout=300)


def ledger_lines(project: Path) -> list[str]:
    return (project / "data/requests/issued.csv").read_text(encoding="utf-8").splitlines()


# -- which community a store serves ---------------------------------------------------------

def test_demo_community_id_is_what_the_tests_assume() -> None:
    assert yaml.safe_load((REPO / "data/community.yaml").read_text(encoding="utf-8"))["id"] == DEMO_ID


def test_publish_refuses_another_communitys_database_and_writes_nothing(demo: Path, tmp_path: Path) -> None:
    """Defect 7: a database of community qingshi with 8 requests published into hehuali's data."""
    db = f"sqlite:///{tmp_path / 'qingshi.db'}"
    Store(db, community="qingshi").close()
    for day in range(10, 18):
        submit(db, received=f"2026-11-{day}T09:00:00+00:00")
    before_data, before_db = snapshot(demo), sql(db, "SELECT * FROM submissions ORDER BY receipt")
    for args in (("publish", str(demo)), ("publish", str(demo), "--dry-run")):
        done = inbox(db, *args, check=False)
        assert done.returncode == 1, done.stdout + done.stderr
        assert "qingshi" in done.stderr and DEMO_ID in done.stderr and "Traceback" not in done.stderr
        assert "nothing written" in done.stderr and "没有写入任何文件" in done.stderr
        assert snapshot(demo) == before_data
        assert sql(db, "SELECT * FROM submissions ORDER BY receipt") == before_db
    assert len(ids(demo)) == 16


def test_an_unbound_store_with_another_communitys_keys_is_refused(demo: Path, db: str) -> None:
    """A database from before stores knew their community: its cached receipt keys
    (``<community>:<hex>``) say whose it is."""
    receipt = submit(db)
    sql(db, "UPDATE submissions SET key_cache = ? WHERE receipt = ?", ("qingshi:" + "a" * 32, receipt))
    sql(db, "DELETE FROM store_meta")
    before = snapshot(demo)
    done = inbox(db, "publish", str(demo), check=False)
    assert done.returncode == 1 and "qingshi" in done.stderr, done.stderr
    assert snapshot(demo) == before and sql(db, "SELECT * FROM store_meta") == []


def test_an_unbound_store_adopts_the_community_at_its_first_publish_not_at_a_dry_run(demo: Path, db: str) -> None:
    submit(db)
    assert sql(db, "SELECT * FROM store_meta") == []
    dry = inbox(db, "publish", str(demo), "--dry-run")
    assert sql(db, "SELECT * FROM store_meta") == [] and "R2026-0017" in dry.stdout
    done = inbox(db, "publish", str(demo))
    assert f"now belongs to “{DEMO_ID}”" in done.stdout
    assert sql(db, "SELECT name, value FROM store_meta") == [("community", DEMO_ID)]
    again = inbox(db, "publish", str(demo))
    assert "now belongs" not in again.stdout
    # The same database, now bound, is refused by another community's project.
    other = demo.parent / "other"
    shutil.copytree(demo, other)
    community = other / "data/community.yaml"
    community.write_text(community.read_text(encoding="utf-8").replace(f"id: {DEMO_ID}", "id: qingshi", 1),
                         encoding="utf-8")
    before = snapshot(other)
    refused = inbox(db, "publish", str(other), check=False)
    assert refused.returncode == 1 and "qingshi" in refused.stderr and DEMO_ID in refused.stderr
    assert snapshot(other) == before


def test_store_bind_is_checked_and_recorded_once(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 's.db'}"
    store = Store(url, community="hehuali")
    assert store.adopted and store.community() == "hehuali"
    assert store.bind("hehuali") is False
    with pytest.raises(ForeignStore) as refused:
        store.bind("qingshi")
    assert (refused.value.store_community, refused.value.community) == ("hehuali", "qingshi")
    store.close()
    with pytest.raises(ForeignStore):
        Store(url, community="qingshi")
    assert Store(url).community() == "hehuali"


def test_the_endpoint_refuses_to_start_on_another_communitys_store(tmp_path: Path) -> None:
    project = make_project(tmp_path / "project")
    site = write_spec(project, tmp_path / "site")
    community = json.loads((site / "forms/spec.json").read_text(encoding="utf-8"))["community"]
    db = f"sqlite:///{tmp_path / 'foreign.db'}"
    Store(db, community="qingshi").close()
    done = portal("endpoint", "--site", str(site), "--db", db, "--port", "0")
    assert done.returncode == 2, done.stdout + done.stderr
    assert "qingshi" in done.stderr and community in done.stderr and "Traceback" not in done.stderr
    # Through the ASGI app itself (a server started without the CLI): no start either.
    from endpoint.app import create_app
    from endpoint.settings import Settings

    with pytest.raises(SystemExit, match="qingshi"):
        create_app(Settings(site=str(site), db=db, secret="x"))


def test_portal_serve_does_not_serve_another_communitys_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from generator.serve import start_endpoint

    monkeypatch.delenv("PORTAL_DB", raising=False)
    project = make_project(tmp_path / "project")
    Store(f"sqlite:///{project / 'submissions.db'}", community="qingshi").close()
    with pytest.raises(SystemExit, match="qingshi"):
        start_endpoint(project, "127.0.0.1", 0, "http://127.0.0.1:8000/")


def test_the_endpoint_adopts_an_unbound_store_with_a_note(tmp_path: Path) -> None:
    project = make_project(tmp_path / "project")
    site = write_spec(project, tmp_path / "site")
    community = json.loads((site / "forms/spec.json").read_text(encoding="utf-8"))["community"]
    db = f"sqlite:///{tmp_path / 'old.db'}"
    Store(db).close()
    log = tmp_path / "server.log"
    ep = Endpoint(site, db, log).start()
    try:
        assert httpx.post(ep.url + "/forms/suggestion", data=suggestion(), headers=JSON).status_code == 201
    finally:
        ep.stop()
    assert sql(db, "SELECT name, value FROM store_meta") == [("community", community)]
    assert f"now belongs to “{community}”" in log.read_text(errors="replace")


# -- public numbers: the ledger ---------------------------------------------------------------

def test_a_number_is_never_given_twice_nor_changed_by_two_databases(demo: Path, tmp_path: Path) -> None:
    """Defect 8: A publishes R2026-0017, the record is deleted from the YAML, B
    publishes (took R2026-0017), A publishes again (its request was renumbered)."""
    a, b = (f"sqlite:///{tmp_path / name}" for name in ("a.db", "b.db"))
    ra = submit(a)
    inbox(a, "publish", str(demo))
    assert ids(demo)[16:] == ["R2026-0017"]
    path = demo / "data/requests/2026.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace(blocks(text)["R2026-0017"], ""), encoding="utf-8")  # deleted by hand
    assert "R2026-0017" not in ids(demo)
    rb = submit(b, received="2026-11-26T09:00:00+00:00")
    inbox(b, "publish", str(demo))
    assert ids(demo)[16:] == ["R2026-0018"], "B took a number already issued"
    inbox(a, "reply", ra, "--status", "answered", "--text", "A 的答复")
    inbox(a, "publish", str(demo))
    assert sorted(ids(demo)[16:]) == ["R2026-0017", "R2026-0018"], "A's request was renumbered"
    assert record(demo, "R2026-0017")["reply"] == "A 的答复"
    assert dict(sql(a, "SELECT receipt, public_id FROM submissions")) == {ra: "R2026-0017"}
    assert dict(sql(b, "SELECT receipt, public_id FROM submissions")) == {rb: "R2026-0018"}
    issued = [line.split(",")[0] for line in ledger_lines(demo)[1:]]
    assert issued == [f"R2026-{n:04d}" for n in range(1, 19)]  # each once, never removed
    check = portal("check", str(demo))
    assert check.returncode == 0 and "request." not in check.stdout, check.stdout


def test_a_number_held_by_another_request_is_a_reported_conflict_not_a_renumbering(demo: Path,
                                                                                    tmp_path: Path) -> None:
    """Two checkouts published at once (both gave R2026-0017), then merged: the second
    database's request keeps its number and is not published until the committee decides."""
    first, second = demo, tmp_path / "checkout2"
    shutil.copytree(demo, second)
    a, b = (f"sqlite:///{tmp_path / name}" for name in ("a.db", "b.db"))
    submit(a)
    rb = submit(b, received="2026-11-26T09:00:00+00:00")
    inbox(a, "publish", str(first))
    inbox(b, "publish", str(second))
    assert ids(first)[16:] == ids(second)[16:] == ["R2026-0017"]
    before = snapshot(first)
    done = inbox(b, "publish", str(first), check=False)  # B's database on the merged repository
    assert done.returncode == 1, done.stdout + done.stderr
    assert "R2026-0017" in done.stderr and rb in done.stderr and "never changed" in done.stderr
    assert snapshot(first) == before  # nothing else to publish: nothing written
    assert dict(sql(b, "SELECT receipt, public_id FROM submissions")) == {rb: "R2026-0017"}
    # Merging the two ledgers line by line gives the number twice: portal check says where.
    ledger = first / "data/requests/issued.csv"
    ledger.write_text(ledger.read_text(encoding="utf-8") + ledger_lines(second)[-1] + "\n", encoding="utf-8")
    check = portal("check", str(first), "--lang", "en")
    assert check.returncode == 1
    assert "data/requests/issued.csv:19: error request.ledger-duplicate" in check.stdout, check.stdout


def test_dry_run_shows_the_ledger_it_would_write(demo: Path, db: str) -> None:
    (demo / "data/requests/issued.csv").unlink()
    submit(db)
    before = snapshot(demo)
    out = inbox(db, "publish", str(demo), "--dry-run").stdout
    assert "+++ b/data/requests/issued.csv" in out and "+id,receipt_key,issued" in out
    assert "+R2026-0001,b52a7ba1304ba17a09b464a601020d4f,2026-10-02" in out and "+R2026-0017," in out
    assert snapshot(demo) == before


def test_a_project_without_a_ledger_gets_one_from_its_published_numbers(demo: Path, db: str) -> None:
    """Existing data keeps working: check warns and says how; publish starts the ledger."""
    (demo / "data/requests/issued.csv").unlink()
    check = portal("check", str(demo), "--lang", "en")
    assert check.returncode == 0 and "warning request.ledger-missing" in check.stdout
    assert "portal inbox publish" in check.stdout and "data/requests/2026.yaml:" in check.stdout
    Store(db).close()
    done = inbox(db, "publish", str(demo))  # an empty inbox: only the ledger is written
    assert "16 published number(s) recorded" in done.stdout
    assert ledger_lines(demo) == (REPO / "data/requests/issued.csv").read_text(encoding="utf-8").splitlines()
    assert portal("check", str(demo)).returncode == 0
    assert "request." not in portal("check", str(demo)).stdout


@pytest.mark.parametrize(("edit", "code", "line"), [
    (lambda t: t.replace("id,receipt_key,issued", "number,key,date"), "request.ledger-header", 1),
    (lambda t: t.replace("R2026-0003,", "R2026-3,"), "request.ledger-id", 4),
    (lambda t: t.replace("b52a7ba1304ba17a09b464a601020d4f", "13800138000"), "request.ledger-key", 2),
    (lambda t: t.replace(",2026-10-06", ",6.10.2026"), "request.ledger-date", 4),
    (lambda t: t.replace(",2026-10-06", ",2026-10-06,extra"), "request.ledger-columns", 4),
    (lambda t: t.replace("ce712a0b58c3cf47986892f76ccedcbf", "d" * 32), "request.issued-to-other", None),
    (lambda t: "\n".join(line for line in t.splitlines() if not line.startswith("R2026-0005")) + "\n",
     "request.not-issued", None),
])
def test_a_damaged_ledger_is_reported_at_its_line(demo: Path, db: str, edit: Any, code: str,
                                                  line: int | None) -> None:
    ledger = demo / "data/requests/issued.csv"
    ledger.write_text(edit(ledger.read_text(encoding="utf-8")), encoding="utf-8")
    check = portal("check", str(demo), "--format", "json")
    found = [p for p in json.loads(check.stdout)["problems"] if p["code"] == code]
    assert found, check.stdout
    where = "data/requests/issued.csv" if line is not None else "data/requests/2026.yaml"
    assert found[0]["file"] == where and (line is None or found[0]["line"] == line)
    assert found[0]["line"] and found[0]["hint"]
    if code != "request.not-issued":
        assert check.returncode == 1
    if line is not None:  # publish refuses to build on a ledger it cannot read
        submit(db)
        before = snapshot(demo)
        done = inbox(db, "publish", str(demo), check=False)
        assert done.returncode == 1 and f"issued.csv:{line}" in done.stderr, done.stderr
        assert snapshot(demo) == before


def test_the_ledger_survives_the_deletion_of_a_whole_year_file(demo: Path, db: str) -> None:
    (demo / "data/requests/2026.yaml").unlink()
    submit(db)
    inbox(db, "publish", str(demo))
    assert ids(demo) == ["R2026-0017"]
    assert published(demo)["requests"][0]["id"] == "R2026-0017"


# -- rate limits shared by every process -----------------------------------------------------

def test_token_buckets_in_the_store_refill_and_are_per_client(tmp_path: Path) -> None:
    store = Store(f"sqlite:///{tmp_path / 'r.db'}")
    try:
        t = 1_000_000.0
        assert [store.take_token_sync("submit", "1.2.3.4", 60, 3, at=t) for _ in range(4)] == [True] * 3 + [False]
        assert store.take_token_sync("submit", "5.6.7.8", 60, 3, at=t)  # another client
        assert store.take_token_sync("lookup", "1.2.3.4", 60, 3, at=t)  # another limit
        assert not store.take_token_sync("submit", "1.2.3.4", 60, 3, at=t + 0.5)  # half a token
        assert store.take_token_sync("submit", "1.2.3.4", 60, 3, at=t + 1.01)  # one a second
        assert not store.take_token_sync("submit", "1.2.3.4", 60, 3, at=t + 1.02)
        # Refilled, but never above the burst.
        assert [store.take_token_sync("submit", "1.2.3.4", 60, 3, at=t + 3600) for _ in range(4)] == \
            [True] * 3 + [False]
        # A clock set back takes nothing away and gives nothing.
        assert not store.take_token_sync("submit", "1.2.3.4", 60, 3, at=t)
        assert not store.take_token_sync("submit", "1.2.3.4", 60, 3, at=t + 0.5)
        assert store.take_token_sync("submit", "1.2.3.4", 60, 3, at=t + 1.01)
    finally:
        store.close()


def _concurrent_takes(url: str, burst: int, threads: int = 8, each: int = 25) -> int:
    """Threads with their own connections and an async burst, all at once: how many got a token."""
    allowed: list[bool] = []
    lock = threading.Lock()
    store = Store(url)

    def worker() -> None:
        own = Store(url)
        try:
            got = [own.take_token_sync("submit", "9.9.9.9", 0.001, burst) for _ in range(each)]
        finally:
            close_store(own)
        with lock:
            allowed.extend(got)

    async def gathered() -> list[bool]:
        return list(await asyncio.gather(*(store.take_token("submit", "9.9.9.9", 0.001, burst) for _ in range(100))))

    pool = [threading.Thread(target=worker) for _ in range(threads)]
    for th in pool:
        th.start()
    allowed.extend(asyncio.run(gathered()))
    for th in pool:
        th.join()
    close_store(store)
    assert len(allowed) == threads * each + 100
    return sum(allowed)


def test_token_buckets_are_exact_under_concurrency_sqlite(tmp_path: Path) -> None:
    assert _concurrent_takes(f"sqlite:///{tmp_path / 'c.db'}", burst=37) == 37


@pytest.fixture(scope="module")
def postgres():  # type: ignore[no-untyped-def]
    from test_endpoint_postgres import Postgres

    pg = Postgres().start()
    yield pg
    pg.stop()


#: as in test_endpoint_postgres.py: per-thread connections of a Store are collected, not closed
PG_WARNINGS = pytest.mark.filterwarnings("ignore:.*was deleted while still open:ResourceWarning")


@PG_WARNINGS
def test_store_knows_its_community_and_limits_on_postgresql(postgres: Any) -> None:
    url = postgres.new_database()
    store = Store(url, community="hehuali")
    try:
        assert store.adopted and store.community() == "hehuali"
        with pytest.raises(ForeignStore):
            store.bind("qingshi")
        t = 5_000.0
        assert [store.take_token_sync("lookup", "1.1.1.1", 60, 2, at=t) for _ in range(3)] == [True, True, False]
        assert store.take_token_sync("lookup", "1.1.1.1", 60, 2, at=t + 1.01)
    finally:
        close_store(store)
    with pytest.raises(ForeignStore):
        Store(url, community="qingshi")
    assert _concurrent_takes(postgres.new_database(), burst=37) == 37


@PG_WARNINGS
def test_publish_refuses_another_communitys_postgresql_database(postgres: Any, demo: Path) -> None:
    url = postgres.new_database()
    close_store(Store(url, community="qingshi"))
    submit(url)
    before = snapshot(demo)
    done = inbox(url, "publish", str(demo), check=False)
    assert done.returncode == 1 and "qingshi" in done.stderr and DEMO_ID in done.stderr, done.stderr
    assert snapshot(demo) == before


@pytest.fixture
def two_limited_workers(tmp_path: Path):  # type: ignore[no-untyped-def]
    site = write_spec(make_project(tmp_path / "project"), tmp_path / "site")
    ep = Endpoint(site, f"sqlite:///{tmp_path / 'submissions.db'}", tmp_path / "server.log", workers=2,
                  rate_per_minute=0.01, rate_burst=5, lookup_per_minute=0.01, lookup_burst=20)
    ep.start()
    deadline = time.monotonic() + 30
    while len(ep.worker_pids()) < 2:
        assert time.monotonic() < deadline, f"two workers did not start:\n{ep.log_text()}"
        time.sleep(0.1)
    yield ep
    ep.stop()


def _answers(ep: Endpoint, n: int, request: Any) -> list[int]:
    """The statuses of ``n`` requests, each on a new connection (the kernel spreads
    connections over the two workers' sockets)."""
    codes = []
    for _ in range(n):
        with httpx.Client(base_url=ep.url, timeout=10) as client:
            codes.append(request(client).status_code)
    return codes


def test_two_workers_share_one_limit_through_real_http(two_limited_workers: Endpoint) -> None:
    """Defect 12: with --workers 2 and burst 5, 10 submissions were accepted before a 429
    (and 39 lookups with burst 20)."""
    from test_endpoint_workers import cpu_seconds

    ep = two_limited_workers
    before = {pid: cpu_seconds(pid) for pid in ep.worker_pids()}
    codes = _answers(ep, 30, lambda c: c.post("/forms/suggestion", data=suggestion(), headers=JSON))
    used = {pid: cpu_seconds(pid) - before[pid] for pid in before}
    assert codes[:5] == [201] * 5 and codes[5:] == [429] * 25, codes
    assert len(sql(ep.db, "SELECT receipt FROM submissions")) == 5
    # Both workers answered (else this would prove nothing): each used CPU time meanwhile.
    assert len(used) == 2 and all(v > 0.003 for v in used.values()), used
    lookups = _answers(ep, 60, lambda c: c.get("/receipts/ABCD-EFGH-JK", headers=JSON))
    assert lookups[:20] == [404] * 20 and lookups[20:] == [429] * 40, lookups
    # One bucket per limit for this client, shared by both processes.
    assert sorted(sql(ep.db, "SELECT bucket, client FROM rate_buckets")) == [("lookup", "127.0.0.1"),
                                                                            ("submit", "127.0.0.1")]
