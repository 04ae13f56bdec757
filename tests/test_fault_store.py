"""Fault tests: poisoned input must not reach the store, and a row the store
refuses must fail alone (SQLite and a real PostgreSQL server).

- Attack: clients posting NUL bytes, lone surrogates, control characters and
  wrongly typed JSON values next to residents posting good submissions, all at
  once through a real endpoint server. Every resident gets a receipt and is
  stored; every attacker gets a 400 or 422, never a 500.
- Writer: a batch holding a row the database refuses (through the store API,
  which bypasses the endpoint's checks) commits its good rows and fails only
  the refused one.
- The boundary itself: which inputs are refused, with which message.
- The committee's CSV export: no control characters, no spreadsheet formulas.
"""

from __future__ import annotations

import asyncio
import csv
import io
import json
import sqlite3
import sys
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest

if str(Path(__file__).resolve().parent) not in sys.path:
    sys.path.insert(0, str(Path(__file__).resolve().parent))
from test_endpoint import (  # noqa: E402
    EXTRA_FORMS,
    HTML,
    JSON,
    RECEIPT,
    Endpoint,
    close_store,
    make_project,
    suggestion,
    token,
    write_spec,
)
from test_endpoint_postgres import Postgres  # noqa: E402

from endpoint.store import Store, Submission  # noqa: E402

pytestmark = pytest.mark.filterwarnings("ignore:.*was deleted while still open:ResourceWarning")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("fault-store-site")
    return write_spec(make_project(base / "project", EXTRA_FORMS), base / "site")


@pytest.fixture(scope="module")
def postgres():
    pg = Postgres().start()
    yield pg
    pg.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'submissions.db'}"
    return request.getfixturevalue("postgres").new_database()


def stored_rows(url: str) -> list[dict[str, Any]]:
    if url.startswith("sqlite:///"):
        conn = sqlite3.connect(url.removeprefix("sqlite:///"), timeout=30)
        conn.row_factory = sqlite3.Row
        try:
            return [dict(r) for r in conn.execute("SELECT * FROM submissions")]
        finally:
            conn.close()
    with psycopg.connect(url) as pg:
        cur = pg.execute("SELECT * FROM submissions")
        names = [d.name for d in cur.description]
        return [dict(zip(names, row)) for row in cur.fetchall()]


# -- concurrent residents and attackers ---------------------------------------------------

def poisons(i: int) -> dict[str, Any]:
    """httpx.post keyword arguments of one attacking request (a different poison each time)."""
    good = suggestion()
    kinds = [
        {"data": {**good, "_idem": f"evil\x00{i}"}},  # the reported case: NUL in the key
        {"json": {**good, "text": f"路灯\x00坏了 {i}"}},  # NUL in a stored value
        {"content": json.dumps({**good, "text": "x"}).replace('"x"', '"\\ud800"').encode(),
         "headers": {"Content-Type": "application/json"}},  # a lone surrogate: no UTF-8 for it
        {"json": {**good, "te\x00xt": "x"}},  # NUL in a field name
        {"json": {**good, "_idem": ["a", "b"], "topic": True}},  # wrong types
        {"data": {**good, "text": "bell\x07 and escape \x1b[31m"}},  # other control characters
    ]
    return kinds[i % len(kinds)]


async def attack_and_submit(ep: Endpoint, residents: int, each: int, attackers: int, attacks: int
                            ) -> tuple[dict[str, tuple[int, str]], Counter[int]]:
    legit: dict[str, tuple[int, str]] = {}  # _idem -> (status, body); a 303 counts as 201
    evil: Counter[int] = Counter()
    limits = httpx.Limits(max_connections=residents + attackers)
    async with httpx.AsyncClient(base_url=ep.url, timeout=60, limits=limits) as client:
        async def resident(n: int) -> None:
            html = n % 2 == 1  # half of them post as a browser without JavaScript would
            for _ in range(each):
                data = suggestion()
                try:
                    r = await client.post("/forms/suggestion", data=data, headers=HTML if html else JSON)
                except httpx.TransportError as exc:  # the server dropped the connection
                    legit[data["_idem"]] = (0, repr(exc))
                    continue
                if html and r.status_code == 303:  # the receipt is in the redirect
                    legit[data["_idem"]] = (201, json.dumps({"receipt": r.headers["location"].split("/")[2][:12]}))
                else:
                    legit[data["_idem"]] = (r.status_code, r.text)

        async def attacker(n: int) -> None:
            for i in range(attacks):
                kwargs = poisons(n * attacks + i)
                headers = {**JSON, **kwargs.pop("headers", {})}
                try:
                    r = await client.post("/forms/suggestion", headers=headers, **kwargs)
                except httpx.TransportError:
                    evil[0] += 1
                else:
                    evil[r.status_code] += 1

        await asyncio.gather(*(resident(n) for n in range(residents)), *(attacker(n) for n in range(attackers)))
    return legit, evil


def test_attackers_cannot_fail_residents_submissions(site: Path, db_url: str, tmp_path: Path) -> None:
    ep = Endpoint(site, db_url, tmp_path / "server.log").start()
    try:
        legit, evil = asyncio.run(attack_and_submit(ep, residents=8, each=20, attackers=4, attacks=30))
    finally:
        ep.stop()
    failed = {k: v for k, v in legit.items() if v[0] != 201}
    assert not failed, (f"{len(failed)} of {len(legit)} residents failed ({Counter(v[0] for v in failed.values())}),"
                        f" e.g. {next(iter(failed.values()))}; attackers got {dict(evil)}")
    assert set(evil) <= {400, 422}, evil
    stored = {r["idem_key"].split("#")[0]: r for r in stored_rows(db_url)}
    for idem, (_, body) in legit.items():
        assert stored[idem]["receipt"] == json.loads(body)["receipt"]
    assert len(stored) == len(legit), "an attacker's submission was stored"


# -- the writer: one refused row fails alone -------------------------------------------------

REFUSE_EVIL = {
    # The database itself refuses the row (as a constraint added later, a full
    # disk for one value, a driver limit would): an error in mid-transaction.
    "sqlite": "CREATE TRIGGER refuse_evil BEFORE INSERT ON submissions WHEN NEW.category = 'evil' "
              "BEGIN SELECT RAISE(ABORT, 'refused by the database'); END",
    "postgresql": "ALTER TABLE submissions ADD CONSTRAINT refuse_evil CHECK (category <> 'evil')",
}


def good_sub(i: int) -> Submission:
    return Submission(form_id="suggestion", idem_key=f"good-{i}-{uuid.uuid4().hex[:6]}",
                      public={"topic": "environment", "text": f"建议 {i}"}, private={"phone": "13800138000"},
                      retention_days=30, category="environment")


def test_a_refused_row_fails_alone_and_the_rest_of_its_batch_commits(db_url: str) -> None:
    store = Store(db_url)
    dialect = store.dialect
    if dialect == "sqlite":
        conn = sqlite3.connect(db_url.removeprefix("sqlite:///"))
        conn.execute(REFUSE_EVIL["sqlite"])
        conn.commit()
        conn.close()
    else:
        with psycopg.connect(db_url, autocommit=True) as pg:
            pg.execute(REFUSE_EVIL["postgresql"])
    goods = [good_sub(i) for i in range(30)]
    bads = [
        Submission(form_id="suggestion", idem_key="bad-check", public={"text": "x"}, private={},
                   retention_days=30, category="evil"),  # refused by the database
        Submission(form_id="suggestion", idem_key="bad\x00key" if dialect == "postgresql" else "bad-\ud800",
                   public={"text": "x"}, private={}, retention_days=30),  # refused by the driver
    ]
    subs = goods[:10] + bads[:1] + goods[10:20] + bads[1:] + goods[20:]

    async def one_batch() -> list[Any]:
        # Queue everything before the writer runs, so that it all lands in one batch.
        store.start = lambda: None  # type: ignore[method-assign]
        tasks = [asyncio.ensure_future(store.add(s)) for s in subs]
        await asyncio.sleep(0.05)
        del store.start
        store.start()
        return await asyncio.gather(*tasks, return_exceptions=True)

    try:
        results = asyncio.run(one_batch())
        outcome = dict(zip((s.idem_key for s in subs), results))
        for sub in goods:
            receipt, created = outcome[sub.idem_key]
            assert created and RECEIPT.match(receipt)
        for sub in bads:
            assert isinstance(outcome[sub.idem_key], Exception), outcome[sub.idem_key]
        rows = stored_rows(db_url)
        assert sorted(r["idem_key"] for r in rows) == sorted(s.idem_key for s in goods)
        # The writer goes on: the next submissions are stored as usual.
        assert store.add_sync(good_sub(99))[1] is True
    finally:
        close_store(store)


class DatabaseDown(Exception):
    pass


def test_the_writer_survives_a_database_it_cannot_reach(db_url: str) -> None:
    """A failed commit, then no connection at all: the waiting submissions get an
    error (never a receipt, never a hang), and once the database is back the
    writer stores again."""
    store = Store(db_url)

    def refused(*_: Any, **__: Any) -> Any:
        raise DatabaseDown("the database went away")

    async def go() -> tuple[str, bool]:
        await store.add(good_sub(1))  # the writer runs
        store._insert = refused  # type: ignore[method-assign]  # noqa: SLF001
        store.connect = refused  # type: ignore[method-assign]
        for i in (2, 3):
            with pytest.raises(DatabaseDown):
                await asyncio.wait_for(store.add(good_sub(i)), 10)
        del store._insert, store.connect
        return await asyncio.wait_for(store.add(good_sub(4)), 10)

    try:
        receipt, created = asyncio.run(go())
        assert created and RECEIPT.match(receipt)
        assert len(stored_rows(db_url)) == 2
    finally:
        close_store(store)


# -- the boundary -----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def server(site: Path, tmp_path_factory: pytest.TempPathFactory):
    base = tmp_path_factory.mktemp("fault-store-server")
    ep = Endpoint(site, f"sqlite:///{base / 'submissions.db'}", base / "server.log").start()
    yield ep
    ep.stop()


SIGNUP = {"name": "王芳", "phone": "13800138000", "people": "2", "session": "morning"}

FIELD_PROBLEMS = [
    # (form, body changes, field, zh message, en message)
    ("suggestion", {"text": "路灯\x00坏了"}, "text", "“内容”含有不能保存的控制字符，请删除后再提交",
     "“Your suggestion” contains control characters that cannot be stored: please remove them"),
    ("suggestion", {"text": "a\x1b[2Jb"}, "text", None, None),
    ("signup", {"needs": [True]}, "needs", "“需要”的值类型不对，请填写文字",
     "“Needs” has a value of the wrong type: please send text"),
    ("signup", {"needs": [1, 2]}, "needs", None, None),
    ("signup", {"people": True}, "people", None, None),
    ("signup", {"name": {"first": "芳"}}, "name", None, None),
    ("signup", {"name": ["王芳", ["x"]]}, "name", None, None),
]


@pytest.mark.parametrize("form, change, name, zh, en", FIELD_PROBLEMS)
def test_unstorable_field_values_get_a_message_per_field(server: Endpoint, form: str, change: dict[str, Any],
                                                         name: str, zh: str | None, en: str | None) -> None:
    base = {**SIGNUP, "_token": token("signup")} if form == "signup" else suggestion()
    with server.client() as c:
        for lang, message in (("zh", zh), ("en", en)):
            body = {**base, **change, "_idem": uuid.uuid4().hex, "_lang": lang}
            r = c.post(f"/forms/{form}", json=body, headers=JSON)
            assert r.status_code == 422, r.text
            assert name in r.json()["fields"], r.json()
            if message:
                assert r.json()["fields"][name] == message
    assert not [r for r in stored_rows(server.db) if "\x00" in r["public_json"]]


def test_json_null_is_an_absent_field_and_numbers_are_text(server: Endpoint) -> None:
    with server.client() as c:
        r = c.post("/forms/signup", json={**SIGNUP, "people": 2, "day": None, "_token": token("signup"),
                                          "_idem": uuid.uuid4().hex}, headers=JSON)
    assert r.status_code == 201, r.text


ENVELOPE_PROBLEMS = {
    "NUL in _idem": {"data": {"_idem": "a\x00b"}},
    "NUL in _idem (JSON)": {"json": {"_idem": "a\x00b"}},
    "space in _idem": {"data": {"_idem": "a b"}},
    "_idem a list": {"json": {"_idem": ["a", "b"]}},
    "_idem a boolean": {"json": {"_idem": True}},
    "_idem an object": {"json": {"_idem": {"a": 1}}},
    "NUL in _token": {"data": {"_token": "t.1\x00"}},
    "NUL in _lang": {"data": {"_lang": "en\x00"}},
    "NUL in a field name": {"json": {"te\x00xt": "x"}},
    "NUL in an unknown field": {"data": {"other": "\x00"}},
    "a very long unknown value": {"data": {"other": "x" * 5000}},
    "a very long name": {"data": {"x" * 101: "y"}},
    "too many values": {"data": {"other": ["x"] * 51}},
    "too many JSON members": {"json": {f"f{i}": "x" for i in range(201)}},
    "lone surrogate in a name": {"content": b'{"\\udc00": "x"}'},
}


@pytest.mark.parametrize("case", ENVELOPE_PROBLEMS.values(), ids=ENVELOPE_PROBLEMS.keys())
def test_unstorable_envelopes_are_refused_whole(server: Endpoint, case: dict[str, Any]) -> None:
    case = dict(case)
    kind = next(iter(case))
    if kind == "content":
        kwargs = {"content": case["content"], "headers": {**JSON, "Content-Type": "application/json"}}
    else:
        kwargs = {kind: {**suggestion(), **case[kind]}, "headers": JSON}
    with server.client() as c:
        r = c.post("/forms/suggestion", **kwargs)
    assert r.status_code == 400, r.text
    assert r.json() == {"error": "unreadable", "message": "无法读取提交的内容。"}


@pytest.mark.parametrize("header", [b"Accept-Language: en\x00x", b"Origin: http://portal.test\x00",
                                    b"Content-Type: application/x-www-form-urlencoded\x00"])
def test_headers_with_nul_bytes_never_reach_the_app(server: Endpoint, header: bytes) -> None:
    """The headers the endpoint reads: the HTTP parser refuses a NUL byte in any of them."""
    import socket

    body = b"topic=environment&text=x&_idem=nul-header"
    request = (b"POST /forms/suggestion HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: application/json\r\n" + header
               + b"\r\nContent-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body)
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        sock.sendall(request)
        answer = sock.recv(4096)
    assert answer.startswith(b"HTTP/1.1 400 "), answer[:200]


def test_the_rating_route_shares_the_boundary(server: Endpoint) -> None:
    with server.client() as c:
        r = c.post("/receipts/WXYZ-WXYZ-WX/rating", data={"rating": "5", "note": "\x00"}, headers=JSON)
    assert r.status_code == 400 and r.json() == {"error": "unreadable"}


# -- the committee's CSV export ------------------------------------------------------------------

def test_csv_export_has_no_control_characters_and_no_formulas(tmp_path: Path) -> None:
    from generator.inbox import export

    store = Store(f"sqlite:///{tmp_path / 'inbox.db'}")
    try:
        # Rows as an older endpoint (or any writer bypassing the checks) may have stored them.
        store.add_sync(Submission(
            form_id="suggestion", idem_key="k1", retention_days=30, category="=cmd|' /C calc'!A0",
            public={"text": "路灯\x00坏了\x1b[31m", "floor": -1, "note": "-2+3", "q": "@SUM(A1)",
                    "tab": "\t=1", "plus": "+1", "multi": "第一行\n第二行", "needs": ["a", "b"]},
            private={"phone": "=HYPERLINK(\"http://evil.example\")", "name": "王\x07芳"}))
        text = export(store, "csv")
    finally:
        close_store(store)
    assert not any(ch in text for ch in "\x00\x07\x1b"), repr(text)
    header, row = list(csv.reader(io.StringIO(text)))
    cells = dict(zip(header, row))
    assert cells["field:text"] == "路灯坏了[31m"
    assert cells["category"] == "'=cmd|' /C calc'!A0"
    assert cells["field:note"] == "'-2+3" and cells["field:q"] == "'@SUM(A1)" and cells["field:plus"] == "'+1"
    assert cells["field:tab"] == "'\t=1"
    assert cells["field:floor"] == "-1"  # a number is no formula
    assert cells["field:multi"] == "第一行\n第二行"
    assert cells["private:phone"].startswith("'=") and cells["private:name"] == "王芳"


# -- idempotency never merges different residents ---------------------------------------------

def test_residents_behind_one_proxy_with_the_same_answers_are_not_merged(server: Endpoint) -> None:
    """No JavaScript, trust_proxy off: every resident comes from the proxy's
    address (here 127.0.0.1) with the build-time token. The same answers from
    two residents are two submissions, two receipts: no lost vote, and neither
    can read or rate the other's."""
    answers = {"topic": "environment", "text": f"满意 {uuid.uuid4().hex[:8]}", "_token": token(kind="s", age=3600)}
    with server.client() as c:
        first = c.post("/forms/suggestion", data=answers, headers={"Accept": "text/html"})
        second = c.post("/forms/suggestion", data=answers, headers={"Accept": "text/html"})
    assert first.status_code == second.status_code == 303
    assert first.headers["location"] != second.headers["location"]
    assert second.headers["location"].endswith("&new=1")
    rows = [r for r in stored_rows(server.db) if answers["text"] in r["public_json"]]
    assert len(rows) == 2


def test_the_same_key_with_other_content_is_a_new_submission(server: Endpoint) -> None:
    """With JavaScript: a retry of the same content keeps its receipt; the same
    key with other content (the form edited after going back) is not silently
    answered with the first receipt."""
    first = suggestion()
    edited = {**first, "text": first["text"] + "（补充：二楼也坏了）"}
    with server.client() as c:
        r1 = c.post("/forms/suggestion", json=first, headers=JSON)
        retry = c.post("/forms/suggestion", json=first, headers=JSON)
        r2 = c.post("/forms/suggestion", json=edited, headers=JSON)
        retry2 = c.post("/forms/suggestion", json=edited, headers=JSON)
    assert r1.status_code == 201 and retry.status_code == 200
    assert retry.json()["receipt"] == r1.json()["receipt"]
    assert r2.status_code == 201 and r2.json()["created"] is True and r2.json()["receipt"] != r1.json()["receipt"]
    assert retry2.status_code == 200 and retry2.json()["receipt"] == r2.json()["receipt"]
    texts = {json.loads(r["public_json"])["text"]: r for r in stored_rows(server.db)
             if r["idem_key"].startswith(first["_idem"] + "#")}
    assert set(texts) == {first["text"], edited["text"]}
    # A private field is part of the content too (two people, one shared page key).
    other = {**first, "phone": "139 0000 0000"}
    with server.client() as c:
        r3 = c.post("/forms/suggestion", json=other, headers=JSON)
    assert r3.status_code == 201 and r3.json()["receipt"] not in (r1.json()["receipt"], r2.json()["receipt"])


# -- low items: Origin null, lookups and ratings rate-limited -------------------------------------

def test_origin_null_is_refused_unless_listed(site: Path, server: Endpoint, tmp_path: Path) -> None:
    null = {**JSON, "Origin": "null"}
    with server.client() as c:
        submit = c.post("/forms/suggestion", data=suggestion(), headers=null)
        rate = c.post("/receipts/WXYZ-WXYZ-WX/rating", data={"rating": "5"}, headers=null)
        evil = c.post("/receipts/WXYZ-WXYZ-WX/rating", data={"rating": "5"},
                      headers={**JSON, "Origin": "http://evil.example"})
    assert submit.status_code == 403 and submit.json()["error"] == "origin"
    assert rate.status_code == 403 and evil.status_code == 403
    listed = Endpoint(site, f"sqlite:///{tmp_path / 'db.sqlite'}", tmp_path / "server.log",
                      allowed_origins="http://portal.test,null").start()
    try:
        with listed.client() as c:
            r = c.post("/forms/suggestion", data=suggestion(), headers=null)
        assert r.status_code == 201, r.text
    finally:
        listed.stop()


def test_receipt_lookups_and_ratings_are_rate_limited(site: Path, tmp_path: Path) -> None:
    """A receipt is the only key to a request: 30 guesses a minute per client, 5 at once here."""
    ep = Endpoint(site, f"sqlite:///{tmp_path / 'db.sqlite'}", tmp_path / "server.log",
                  lookup_per_minute=30, lookup_burst=5).start()
    try:
        with ep.client() as c:
            receipt = c.post("/forms/suggestion", data=suggestion(), headers=JSON).json()["receipt"]
            statuses = [c.get(f"/receipts/{receipt}", headers=JSON).status_code for _ in range(5)]
            json_429 = c.get("/receipts/WXYZ-WXYZ-WX", headers=JSON)
            html_429 = c.get(f"/receipts/{receipt}", headers={"Accept": "text/html", "Accept-Language": "en"})
            lookup_429 = c.get("/receipts/lookup", params={"r": receipt})
            rating_429 = c.post(f"/receipts/{receipt}/rating", data={"rating": "5"}, headers=JSON)
            submit = c.post("/forms/suggestion", data=suggestion(), headers=JSON)  # submissions: their own limit
    finally:
        ep.stop()
    assert statuses == [200] * 5
    for r in (json_429, html_429, lookup_429, rating_429):
        assert r.status_code == 429 and r.headers["retry-after"] == "2", (r.status_code, r.text[:200])
    assert json_429.json() == {"error": "rate_limited", "message": "查询太频繁，请稍后再试。"}
    assert "Too many requests: please try again in a minute." in html_429.text
    assert submit.status_code == 201
