"""`portal inbox publish` only ever adds to the public record (issue #11).

Through the real CLI (``python -m generator inbox …``) on a copy of the demo,
whose ``data/requests/2026.yaml`` holds 16 published requests that no test
database knows: publishing merges into it, never erases or renumbers. Also the
store's versioned schema migration (a store made by the first release's DDL),
the cached receipt keys, and compare-and-set replies between two processes.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import pytest
import yaml

from endpoint.store import SCHEMA_VERSION, Store, Submission
from generator import receipt_key as rk

REPO = Path(__file__).resolve().parent.parent
DEMO_REQUESTS = REPO / "data" / "requests" / "2026.yaml"

#: The store's tables as the first release (version 1, no recorded version) created them.
V1_SCHEMA = [
    """CREATE TABLE IF NOT EXISTS submissions (
        receipt TEXT PRIMARY KEY, form_id TEXT NOT NULL, idem_key TEXT NOT NULL, received_at TEXT NOT NULL,
        public_json TEXT NOT NULL, private_json TEXT, purge_after TEXT NOT NULL,
        status TEXT NOT NULL DEFAULT 'received', category TEXT, reply TEXT, replied_at TEXT, published_at TEXT,
        rating INTEGER, rated_at TEXT, UNIQUE (form_id, idem_key))""",
    """CREATE TABLE IF NOT EXISTS outbox (id {serial} PRIMARY KEY, receipt TEXT NOT NULL, channel TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0, next_at TEXT NOT NULL, last_error TEXT, done_at TEXT)""",
    "CREATE INDEX IF NOT EXISTS outbox_due ON outbox (done_at, next_at)",
    """CREATE TABLE IF NOT EXISTS events (id {serial} PRIMARY KEY, receipt TEXT NOT NULL, at TEXT NOT NULL,
        kind TEXT NOT NULL, detail TEXT)""",
]
#: Rows as the first release stored them: a request published by its publish, a
#: satisfaction answer counted by that publish, and one that came after it.
V1_ROWS = [
    ("K7QM-4XRA-3P", "request", "k1", "2026-11-25T01:00:00+00:00", '{"category": "repair", "text": "灯"}',
     '{"phone": "13800138000"}', "2027-05-25T01:00:00+00:00", "answered", "repair", "已修", "2026-11-26T01:00:00+00:00",
     "2026-11-27T01:00:00+00:00"),
    ("W9XY-3KMN-4P", "satisfaction", "k2", "2026-11-25T02:00:00+00:00", '{"overall": 5, "speed": 4}', None,
     "2027-05-25T02:00:00+00:00", "received", None, None, None, None),
    ("HJKM-7NPQ-RT", "satisfaction", "k3", "2026-11-28T02:00:00+00:00", '{"overall": 3}', None,
     "2027-05-28T02:00:00+00:00", "received", None, None, None, None),
]
V1_INSERT = ("INSERT INTO submissions (receipt, form_id, idem_key, received_at, public_json, private_json, purge_after,"
             " status, category, reply, replied_at, published_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")


@pytest.fixture
def demo(tmp_path: Path) -> Path:
    """A copy of the demo project's data."""
    shutil.copytree(REPO / "data", tmp_path / "demo" / "data")
    return tmp_path / "demo"


@pytest.fixture
def db(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / f'inbox-{uuid.uuid4().hex[:6]}.db'}"


def inbox(db: str, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    done = subprocess.run([sys.executable, "-m", "generator", "inbox", "--db", db, *args], capture_output=True,
                          text=True, cwd=REPO, timeout=300)
    if check:
        assert done.returncode == 0, done.stdout + done.stderr
    return done


def submit(db: str, form: str = "request", received: str = "2026-11-25T09:00:00+00:00", **public: Any) -> str:
    """One stored submission, received at a fixed time (the demo's year, whatever today is)."""
    store = Store(db)
    try:
        public = public or {"category": "repair", "text": "3幢电梯异响"}
        receipt, _ = store.add_sync(Submission(form_id=form, idem_key=uuid.uuid4().hex, public=public,
                                               private={"phone": "13800138000"}, retention_days=180,
                                               category=public.get("category")))
        conn = store._conn()
        with conn.transaction():
            conn.execute("UPDATE submissions SET received_at = ? WHERE receipt = ?", (received, receipt))
            conn.execute("UPDATE events SET at = ? WHERE receipt = ?", (received, receipt))
    finally:
        store.close()
    return receipt


def published(project: Path, year: int = 2026) -> dict[str, Any]:
    return yaml.safe_load((project / "data" / "requests" / f"{year}.yaml").read_text(encoding="utf-8"))


def ids(project: Path) -> list[str]:
    return [r["id"] for r in published(project)["requests"]]


def record(project: Path, public_id: str) -> dict[str, Any]:
    return next(r for r in published(project)["requests"] if r["id"] == public_id)


def sql(db: str, statement: str, args: tuple[Any, ...] = ()) -> list[Any]:
    with sqlite3.connect(db.removeprefix("sqlite:///")) as conn:
        return conn.execute(statement, args).fetchall()


def blocks(text: str) -> dict[str, str]:
    """Each record's exact text, by public number."""
    body = text.split("\nsatisfaction:")[0]
    parts = re.split(r"(?m)^(?=- id: )", body)[1:]
    return {p.split("\n")[0].removeprefix("- id: "): p for p in parts}


# -- merging ------------------------------------------------------------------------------

def test_fresh_database_keeps_every_published_record_byte_for_byte(demo: Path, db: str) -> None:
    before = (demo / "data/requests/2026.yaml").read_text(encoding="utf-8")
    receipt = submit(db)
    inbox(db, "reply", receipt, "--status", "answered", "--text", "已联系电梯维保单位，本周内检修。")
    out = inbox(db, "publish", str(demo)).stdout
    after = (demo / "data/requests/2026.yaml").read_text(encoding="utf-8")
    old, new = blocks(before), blocks(after)
    assert len(old) == 16 and all(new[i] == text for i, text in old.items() if i != "R2026-0016")
    assert new["R2026-0016"].startswith(old["R2026-0016"])
    assert after.startswith(before.split("- id: R2026-0016")[0])  # header comments too
    assert after.split("\nsatisfaction:")[1] == before.split("\nsatisfaction:")[1]
    assert ids(demo)[-1] == "R2026-0017" and record(demo, "R2026-0017")["reply"].startswith("已联系")
    assert "R2026-0017" in out and "R2026-0001" in out.split("kept")[1]  # listed as kept
    assert sql(db, "SELECT public_id FROM submissions") == [("R2026-0017",)]
    assert f"{receipt}  R2026-0017" in inbox(db, "list").stdout  # to cite it in an agenda
    check = subprocess.run([sys.executable, "-m", "generator", "check", str(demo)], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout


def test_publishing_again_changes_nothing(demo: Path, db: str) -> None:
    submit(db)
    inbox(db, "publish", str(demo))
    before = (demo / "data/requests/2026.yaml").read_bytes()
    out = inbox(db, "publish", str(demo)).stdout
    assert (demo / "data/requests/2026.yaml").read_bytes() == before
    assert "nothing to publish" in out


def test_deleting_a_submission_from_the_inbox_renumbers_nothing(demo: Path, db: str) -> None:
    first, spam, third = (submit(db, received=f"2026-11-2{d}T09:00:00+00:00") for d in (5, 6, 7))
    inbox(db, "publish", str(demo))
    assert ids(demo)[16:] == ["R2026-0017", "R2026-0018", "R2026-0019"]
    before = blocks((demo / "data/requests/2026.yaml").read_text(encoding="utf-8"))
    sql(db, "DELETE FROM submissions WHERE receipt = ?", (spam,))
    submit(db, received="2026-11-28T09:00:00+00:00")
    out = inbox(db, "publish", str(demo)).stdout
    after = blocks((demo / "data/requests/2026.yaml").read_text(encoding="utf-8"))
    assert all(after[i] == t for i, t in before.items() if i != "R2026-0019")  # the last one is followed by 0020
    assert after["R2026-0019"].startswith(before["R2026-0019"])
    assert list(after)[16:] == ["R2026-0017", "R2026-0018", "R2026-0019", "R2026-0020"]
    assert "R2026-0018" in out.split("kept")[1]  # the deleted one's record stays, listed
    assert dict(sql(db, "SELECT receipt, public_id FROM submissions"))[third] == "R2026-0019"
    assert dict(sql(db, "SELECT receipt, public_id FROM submissions"))[first] == "R2026-0017"


def test_a_status_change_updates_only_its_record(demo: Path, db: str) -> None:
    submit(db)
    b = submit(db, received="2026-11-26T09:00:00+00:00")
    inbox(db, "publish", str(demo))
    before = (demo / "data/requests/2026.yaml").read_text(encoding="utf-8")
    inbox(db, "reply", b, "--status", "closed", "--text", "已修复。")
    dry = inbox(db, "publish", str(demo), "--dry-run").stdout
    assert (demo / "data/requests/2026.yaml").read_text(encoding="utf-8") == before  # dry run wrote nothing
    assert sql(db, "SELECT COUNT(*) FROM events WHERE kind = 'status:closed'") == [(1,)]
    changed = [line for line in dry.splitlines() if line[:1] in "+-" and not line.startswith(("+++", "---"))]
    assert changed and all(re.search(r"status|closed|reply", line) for line in changed), dry
    assert "updated" in dry and "R2026-0018" in dry and "dry run" in dry
    inbox(db, "publish", str(demo))
    old, new = blocks(before), blocks((demo / "data/requests/2026.yaml").read_text(encoding="utf-8"))
    assert [i for i in new if new[i] != old[i]] == ["R2026-0018"]
    assert record(demo, "R2026-0018")["status"] == "closed" and record(demo, "R2026-0017")["status"] == "received"


def test_dry_run_writes_nothing_anywhere(demo: Path, db: str) -> None:
    submit(db)
    submit(db, "satisfaction", overall=5)
    before = sorted((p.name, p.read_bytes()) for p in (demo / "data/requests").iterdir())
    out = inbox(db, "publish", str(demo), "--dry-run").stdout
    assert "+- id: R2026-0017" in out and "+++ b/data/requests/2026.yaml" in out
    assert sorted((p.name, p.read_bytes()) for p in (demo / "data/requests").iterdir()) == before
    assert sql(db, "SELECT public_id, published_at, key_cache FROM submissions") == [(None, None, None)] * 2


def test_satisfaction_counts_never_decrease(demo: Path, db: str, tmp_path: Path) -> None:
    def counts() -> dict[tuple[str, str], dict[int, int]]:
        return {(s["form"], s["field"]): s["counts"] for s in published(demo)["satisfaction"]}

    before = counts()
    submit(db, "satisfaction", overall=5, speed=2)
    submit(db, "satisfaction", overall=1)
    inbox(db, "publish", str(demo))
    after = counts()
    assert after[("satisfaction", "overall")] == {**before[("satisfaction", "overall")], 1: 2, 5: 25}
    assert after[("satisfaction", "speed")] == {2: 4, 3: 8, 4: 14, 5: 17}
    assert after[("property-survey-2026", "overall")] == before[("property-survey-2026", "overall")]
    inbox(db, "publish", str(demo))  # counted once
    assert counts() == after
    empty = f"sqlite:///{tmp_path / 'empty.db'}"
    Store(empty).close()
    inbox(empty, "publish", str(demo))  # a newer, emptier database lowers nothing
    assert counts() == after


def test_two_databases_publish_into_one_repository_one_after_the_other(demo: Path, tmp_path: Path) -> None:
    a, b = (f"sqlite:///{tmp_path / name}" for name in ("a.db", "b.db"))
    ra = submit(a)
    inbox(a, "publish", str(demo))
    rb = submit(b, received="2026-11-24T09:00:00+00:00")  # older than A's, but published later
    submit(b, "satisfaction", overall=4)
    inbox(b, "publish", str(demo))
    assert ids(demo)[16:] == ["R2026-0017", "R2026-0018"]
    inbox(a, "reply", ra, "--status", "answered", "--text", "A 的答复")
    submit(a, "satisfaction", overall=4)
    inbox(a, "publish", str(demo))
    inbox(b, "reply", rb, "--status", "rejected", "--text", "B 的答复")
    inbox(b, "publish", str(demo))
    assert len(ids(demo)) == 18 and len(set(ids(demo))) == 18
    assert record(demo, "R2026-0017")["reply"] == "A 的答复" and record(demo, "R2026-0018")["reply"] == "B 的答复"
    assert record(demo, "R2026-0001")["summary"] == "12幢2单元楼道灯不亮"
    assert {s["field"]: s["counts"] for s in published(demo)["satisfaction"] if s["form"] == "satisfaction"}[
        "overall"][4] == 15 + 2


def test_a_number_kept_in_the_store_survives_a_lost_file(demo: Path, db: str) -> None:
    """The file is reset (an old checkout): the store still knows R2026-0017 and keeps it."""
    receipt = submit(db)
    inbox(db, "publish", str(demo))
    shutil.copy(DEMO_REQUESTS, demo / "data/requests/2026.yaml")
    inbox(db, "reply", receipt, "--status", "in-progress", "--text", "处理中")
    inbox(db, "publish", str(demo))
    assert ids(demo)[16:] == ["R2026-0017"] and record(demo, "R2026-0017")["status"] == "in-progress"


def test_a_new_year_and_a_fresh_repository(tmp_path: Path, db: str) -> None:
    shutil.copytree(REPO / "tests/projects/minimal", tmp_path / "p")
    project = tmp_path / "p"
    forms = {p.stem for p in (project / "data/forms").glob("*.yaml")}
    form = next(f for f in ("suggestion", "request") if f in forms)
    submit(db, form, received="2027-01-03T09:00:00+00:00", topic="other", text="x")
    inbox(db, "publish", str(project))
    assert [r["id"] for r in published(project, 2027)["requests"]] == ["R2027-0001"]


def test_publish_does_not_overwrite_a_file_it_cannot_read(demo: Path, db: str) -> None:
    path = demo / "data/requests/2026.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "  broken: [\n", encoding="utf-8")
    before = path.read_bytes()
    submit(db)
    done = inbox(db, "publish", str(demo), check=False)
    assert done.returncode == 1 and "nothing written" in done.stderr
    assert path.read_bytes() == before


# -- the store: migration, key cache, compare-and-set ----------------------------------------

def make_v1_sqlite(path: Path) -> None:
    with sqlite3.connect(path) as conn:
        for statement in V1_SCHEMA:
            conn.execute(statement.format(serial="INTEGER"))
        conn.executemany(V1_INSERT, V1_ROWS)
        conn.execute("INSERT INTO events (receipt, at, kind) VALUES ('K7QM-4XRA-3P', '2026-11-25T01:00:00+00:00',"
                     " 'received')")


def test_migration_of_a_first_release_sqlite_store_keeps_every_submission(tmp_path: Path, demo: Path) -> None:
    path = tmp_path / "v1.db"
    make_v1_sqlite(path)
    before = sql(f"sqlite:///{path}", "SELECT * FROM submissions ORDER BY receipt")
    store = Store(f"sqlite:///{path}")
    try:
        assert store.schema_version() == SCHEMA_VERSION == 4
    finally:
        store.close()
    assert sql(f"sqlite:///{path}", "PRAGMA user_version") == [(4,)]
    rows = sql(f"sqlite:///{path}", "SELECT receipt, form_id, idem_key, received_at, public_json, private_json, "
               "purge_after, status, category, reply, replied_at, rating, rated_at FROM submissions ORDER BY receipt")
    assert [r[:13] for r in rows] == [tuple(b[i] for i in range(14) if i != 11) for b in before]
    marked = dict(sql(f"sqlite:///{path}", "SELECT receipt, published_at FROM submissions"))
    # counted by the first release's publish: marked; received after it: still to count
    assert marked["W9XY-3KMN-4P"] == marked["K7QM-4XRA-3P"] and marked["HJKM-7NPQ-RT"] is None
    Store(f"sqlite:///{path}").close()  # opening again migrates nothing twice
    assert sql(f"sqlite:///{path}", "PRAGMA user_version") == [(4,)]
    before_counts = {s["field"]: s["counts"] for s in published(demo)["satisfaction"] if s["form"] == "satisfaction"}
    inbox(f"sqlite:///{path}", "publish", str(demo))
    counts = {s["field"]: s["counts"] for s in published(demo)["satisfaction"] if s["form"] == "satisfaction"}
    assert counts["overall"][3] == before_counts["overall"][3] + 1 and counts["speed"] == before_counts["speed"]


def test_publish_derives_each_receipt_key_once(demo: Path, db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from generator import inbox as inbox_module

    for day in range(10, 30):
        submit(db, received=f"2026-11-{day}T09:00:00+00:00")
    store = Store(db)
    try:
        inbox_module.publish(store, demo)
        cached = sql(db, "SELECT key_cache FROM submissions")
        assert len(cached) == 20 and all(c.startswith("hehuali:") for (c,) in cached)

        def slow(*_: Any) -> str:
            raise AssertionError("PBKDF2 computed again")

        monkeypatch.setattr(inbox_module, "derive", slow)
        t0 = time.perf_counter()
        result = inbox_module.publish(store, demo)
        assert time.perf_counter() - t0 < 5 and not result.added and not result.written
    finally:
        store.close()


def test_concurrent_replies_the_second_is_refused_not_lost(db: str) -> None:
    """Two members answer the same request at once, in two processes: one reply is
    saved, the other gets a clear message and exit status 3 (nothing overwritten).
    The test holds the store's writer lock until both have read the submission."""
    import fcntl

    receipt = submit(db)
    lock = os.open(db.removeprefix("sqlite:///") + "-writer.lock", os.O_RDWR | os.O_CREAT, 0o600)
    fcntl.flock(lock, fcntl.LOCK_EX)
    cmd = [sys.executable, "-m", "generator", "inbox", "--db", db, "reply", receipt, "--status", "answered", "--text"]
    procs = [subprocess.Popen([*cmd, text], cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for text in ("甲的答复", "乙的答复")]
    try:
        deadline = time.monotonic() + 60
        pids = {p.pid for p in procs}
        while time.monotonic() < deadline and _waiting_for_flock(pids) < 2:
            time.sleep(0.05)
        assert _waiting_for_flock(pids) == 2, "both processes should wait for the writer lock"
    finally:
        fcntl.flock(lock, fcntl.LOCK_UN)
        os.close(lock)
    outcomes = sorted((p.wait(60), *p.communicate()) for p in procs)
    assert [code for code, _, _ in outcomes] == [0, 3], outcomes
    assert "changed by someone else" in outcomes[1][2] and "已被他人更新" in outcomes[1][2]
    (reply,) = sql(db, "SELECT reply FROM submissions")[0]
    assert reply in ("甲的答复", "乙的答复")  # one of them, whole
    assert sql(db, "SELECT COUNT(*) FROM events WHERE kind = 'status:answered'") == [(1,)]


def _waiting_for_flock(pids: set[int]) -> int:
    """How many of ``pids`` wait for a flock (``/proc/locks`` lists waiters with ``->``);
    a store opens without the lock, so they have read the submission by then."""
    waiting = set()
    for line in Path("/proc/locks").read_text().splitlines():
        fields = line.split()
        if "->" in fields and "FLOCK" in fields:
            waiting |= {int(f) for f in fields if f.isdigit()} & pids
    return len(waiting)


def test_reply_with_expect_status_refuses_a_stale_view(db: str) -> None:
    receipt = submit(db)
    inbox(db, "reply", receipt, "--status", "in-progress", "--text", "已受理")
    done = inbox(db, "reply", receipt, "--status", "answered", "--text", "x", "--expect-status", "received",
                 check=False)
    assert done.returncode == 3 and "in-progress" in done.stderr
    assert sql(db, "SELECT status, reply FROM submissions") == [("in-progress", "已受理")]


# -- receipt keys (#10.5) ---------------------------------------------------------------------

def test_receipt_keys_can_never_look_like_personal_data() -> None:
    """Property: whatever the derived bits, the published key has no digit, so the
    privacy check's mobile / ID-card / e-mail patterns cannot match it."""
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from generator.checks.privacy import scan

    @settings(max_examples=3000, deadline=None)
    @given(st.binary(min_size=16, max_size=16))
    def prop(raw: bytes) -> None:
        key = rk.letters(raw.hex())
        assert rk.LETTER_KEY.fullmatch(key) and not any(c.isdigit() for c in key)
        text = f"requests:\n- id: R2026-0001\n  receipt_key: {key}\n  note: {key}{key}\n"
        assert list(scan("x.yaml", text)) == []

    prop()
    # and the adversarial case of the old alphabet: bits whose hex is all digits
    assert rk.letters("13812345678" * 2 + "9" * 10).isalpha()


def test_published_hex_keys_stay_valid(demo: Path, db: str) -> None:
    """A hex key holding a mobile-like run (as 0.15 % of the first release's did)
    still passes the check; a mobile number next to it is still found."""
    path = demo / "data/requests/2026.yaml"
    text = path.read_text(encoding="utf-8")
    text = text.replace("b52a7ba1304ba17a09b464a601020d4f", "0a13912345678bcdef0123456789abcd")
    path.write_text(text, encoding="utf-8")
    ledger = demo / "data/requests/issued.csv"  # the number was issued with that key
    ledger.write_text(ledger.read_text().replace("b52a7ba1304ba17a09b464a601020d4f", "0a13912345678bcdef0123456789abcd"))
    done = subprocess.run([sys.executable, "-m", "generator", "check", str(demo), "--format", "json"],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stdout
    path.write_text(text.replace("summary: 12幢2单元楼道灯不亮", "summary: 12幢 13912345678"), encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "generator", "check", str(demo), "--format", "json"],
                          capture_output=True, text=True)
    assert done.returncode == 1 and "privacy.mobile" in done.stdout


def test_a_receipt_published_with_a_hex_key_is_still_matched(demo: Path, db: str) -> None:
    """The first release wrote hex keys: publishing again finds the record by it
    (no duplicate), and updates it in place."""
    receipt = submit(db)
    community = yaml.safe_load((demo / "data/community.yaml").read_text(encoding="utf-8"))["id"]
    hex_key = rk.derive(receipt, community)
    path = demo / "data/requests/2026.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("b52a7ba1304ba17a09b464a601020d4f", hex_key),
                    encoding="utf-8")
    inbox(db, "reply", receipt, "--status", "closed", "--text", "已更换楼道灯")
    inbox(db, "publish", str(demo))
    assert len(ids(demo)) == 16
    r1 = record(demo, "R2026-0001")
    assert r1["receipt_key"] == hex_key and r1["reply"] == "已更换楼道灯" and r1["summary"] == "12幢2单元楼道灯不亮"
    assert r1["rating"] == 5  # the inbox has no rating: the published one stays
    assert sql(db, "SELECT public_id FROM submissions") == [("R2026-0001",)]
    assert json.loads(json.dumps(r1, default=str))["first_reply"] == "2026-10-02"


# -- references to requests by public number ------------------------------------------------

@pytest.mark.parametrize(("rel", "old", "new"), [
    ("data/meetings/2026-12-08-council.yaml", "request: R2026-0007}", "request: R2026-0070}"),
    ("data/notices/2026-11-21-council-q4-agenda.yaml", '"request:R2026-0010"]', '"request:R2026-0100"]'),
], ids=["meeting-raised-by", "notice-related"])
def test_a_dangling_request_reference_is_a_check_error_at_its_line(demo: Path, rel: str, old: str, new: str) -> None:
    from generator.messages import render
    from generator.pipeline import check

    path = demo / rel
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")
    problems = [p for p in check(demo, jobs=1).problems if p.severity == "error"]
    assert [p.code for p in problems] == ["ref.request"], problems
    (problem,) = problems
    number = new.split("R")[-1].strip('"}] ')
    line = next(i for i, t in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if f"R{number}" in t)
    assert (problem.file, problem.line) == (rel, line)
    zh, en = render(problem, "zh"), render(problem, "en")
    assert f"R{number}" in zh[0] and "portal inbox publish" in zh[1] and "not published" in en[0]
    assert re.search(r"published ones: R2026-\d{4}", en[1])  # numbers that do exist, to compare


def test_references_need_a_published_request_even_without_any_requests_file(demo: Path) -> None:
    from generator.pipeline import check

    shutil.rmtree(demo / "data/requests")
    codes = [p.code for p in check(demo, jobs=1).problems if p.severity == "error"]
    assert codes.count("ref.request") == 5  # two agenda items, two notice links, a matter's origin


def test_a_year_with_answers_only_then_its_first_request(demo: Path, db: str) -> None:
    """A file written with ``requests: []`` stays valid when only counts change, and
    takes its first record later (a satisfaction-only year, e.g. just after New Year)."""
    path = demo / "data/requests/2027.yaml"
    path.write_text("# 2027\nid: '2027'\nrequests: []\n", encoding="utf-8")
    submit(db, "satisfaction", received="2027-01-02T09:00:00+00:00", overall=4)
    inbox(db, "publish", str(demo))
    assert published(demo, 2027)["requests"] == [] and path.read_text(encoding="utf-8").startswith("# 2027\n")
    assert published(demo, 2027)["satisfaction"][0]["counts"] == {4: 1}
    submit(db, received="2027-01-03T09:00:00+00:00")
    inbox(db, "publish", str(demo))
    assert [r["id"] for r in published(demo, 2027)["requests"]] == ["R2027-0001"]
    assert published(demo, 2027)["satisfaction"][0]["counts"] == {4: 1}
    done = subprocess.run([sys.executable, "-m", "generator", "check", str(demo)], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout


@pytest.mark.parametrize("form", ["letters", "hex"])
def test_the_lookup_page_finds_a_key_in_either_form(browser: Any, form: str) -> None:
    """lookup.js derives the key in the browser (WebCrypto) and finds a request whether
    its published key is today's letters or the first release's hex."""
    receipt, community = "K7QM-4XRA-3P", "hehuali"
    derived = rk.derive(receipt, community)
    key = rk.letters(derived) if form == "letters" else derived
    assert key == (rk.receipt_key(receipt, community) if form == "letters" else key)
    script = (REPO / "site_templates/assets/lookup.js").read_text(encoding="utf-8")
    page_html = (f'<!doctype html><meta charset="utf-8"><form class="receipt-lookup" method="get" '
                 f'action="http://127.0.0.1:9/endpoint" data-community="{community}" data-index="lookup.json" '
                 f'data-requests="../requests/"><input name="r"><button type="submit">go</button></form>'
                 f'<script>{script}</script>')
    base = "http://127.0.0.1:9/receipt/"  # 127.0.0.1 is a secure context: WebCrypto is there
    page = browser.new_page()
    try:
        page.route(base, lambda route: route.fulfill(body=page_html, content_type="text/html"))
        page.route(base + "lookup.json", lambda route: route.fulfill(
            body=json.dumps({key: "R2026-0001", "zzzz": "R2026-0002"}), content_type="application/json"))
        page.route("http://127.0.0.1:9/requests/", lambda route: route.fulfill(body="requests",
                                                                             content_type="text/html"))
        page.goto(base)
        page.fill("input[name=r]", receipt.lower().replace("-", ""))
        with page.expect_navigation(url="**/requests/#r2026-0001", timeout=30_000):
            page.click("button")
    finally:
        page.close()


def test_two_databases_publishing_at_the_same_moment_take_turns(demo: Path, tmp_path: Path) -> None:
    dbs = [f"sqlite:///{tmp_path / f'{name}.db'}" for name in ("a", "b", "c")]
    for i, db in enumerate(dbs):
        for day in range(3):
            submit(db, received=f"2026-11-2{day}T0{i}:00:00+00:00")
    procs = [subprocess.Popen([sys.executable, "-m", "generator", "inbox", "--db", db, "publish", str(demo)],
                              cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for db in dbs]
    outputs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0], outputs
    assert ids(demo) == [f"R2026-{n:04d}" for n in range(1, 26)]  # 16 + 3 × 3, none lost, none twice
    numbers = [sorted(n for (n,) in sql(db, "SELECT public_id FROM submissions")) for db in dbs]
    assert sorted(sum(numbers, [])) == ids(demo)[16:]
