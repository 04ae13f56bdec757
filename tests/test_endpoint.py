"""The form submission endpoint, run as a real server process and spoken to over HTTP.

Every answer of ``POST /forms/{id}`` is exercised (201/200/303, 400, 403, 404,
410, 413, 422, 429), with the messages of each field in zh and en, the
idempotency key, the receipt format, the public receipt view (status only,
never the resident's words nor private fields), ratings (only after a reply,
only once), private fields kept apart from public ones, and the anti-spam
defences (honeypot, signed time tokens, origin allow-list, body size, rate
limit, proof-of-work).

The helpers at the top (``Endpoint``, ``make_project``, ``write_spec``…) are
shared with the other endpoint test modules (durability, browser, PostgreSQL,
OpenAPI), which import them from here.
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import json
import os
import re
import shutil
import signal
import socket
import sqlite3
import string
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from bs4 import BeautifulSoup

from endpoint.abuse import check_token, sign_token
from endpoint.store import Store

REPO = Path(__file__).resolve().parent.parent
MINIMAL = REPO / "tests" / "projects" / "minimal"
SECRET = "endpoint-tests-secret-3f9a"
SITE_URL = "http://portal.test/"  #: the allowed origin of the servers below is http://portal.test
JSON = {"Accept": "application/json"}
HTML = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}

#: Receipt symbols: digits and capitals without the look-alikes and sound-alikes.
RECEIPT_SYMBOLS = "".join(sorted(set(string.digits + string.ascii_uppercase) - set("0O1IL2Z5S8BUV")))
RECEIPT = re.compile(rf"^[{RECEIPT_SYMBOLS}]{{4}}-[{RECEIPT_SYMBOLS}]{{4}}-[{RECEIPT_SYMBOLS}]{{2}}$")

#: Forms added to the copy of the minimal sample: a closed one (410) and one
#: with every field type (every kind of field error).
EXTRA_FORMS = {
    "old-survey": """\
id: old-survey
title: {zh: 旧问卷, en: Old survey}
kind: other
purpose: 已结束的问卷。
privacy: 不收集个人信息。
retention_days: 30
recipients: [jwh]
status: closed
fields:
  - {name: answer, type: text, label: {zh: 回答, en: Answer}, required: true}
""",
    "signup": """\
id: signup
title: {zh: 活动报名, en: Activity sign-up}
kind: signup
purpose: 报名参加活动。
privacy: 姓名和电话仅工作人员可见，30 天后删除。
retention_days: 30
recipients: [jwh]
fields:
  - {name: name, type: text, label: {zh: 姓名, en: Name}, required: true, private: true, max_length: 20}
  - {name: phone, type: tel, label: {zh: 电话, en: Phone}, required: true, private: true}
  - {name: email, type: email, label: {zh: 邮箱, en: Email}, private: true}
  - {name: people, type: number, label: {zh: 人数, en: People}, min: 1, max: 5, required: true}
  - {name: day, type: date, label: {zh: 日期, en: Date}}
  - {name: floor, type: number, label: {zh: 楼层, en: Floor}}
  - name: session
    type: radio
    label: {zh: 场次, en: Session}
    required: true
    choices:
      - {value: morning, label: {zh: 上午, en: Morning}}
      - {value: afternoon, label: {zh: 下午, en: Afternoon}}
  - name: needs
    type: checkbox
    label: {zh: 需要, en: Needs}
    choices:
      - {value: wheelchair, label: 轮椅}
      - {value: interpreter, label: 手语}
  - {name: score, type: rating, label: {zh: 评分, en: Score}}
  - {name: building, type: text, label: {zh: 楼号, en: Building}, pattern: "^[0-9]{1,2}号楼$"}
""",
}


# -- shared helpers ---------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def make_project(dest: Path, extra_forms: dict[str, str] | None = None) -> Path:
    """A copy of tests/projects/minimal (plus ``extra_forms``) at ``dest``."""
    shutil.copytree(MINIMAL, dest, ignore=shutil.ignore_patterns(".portal-build", "site", ".portal-*"))
    for name, text in (extra_forms or {}).items():
        (dest / "data" / "forms" / f"{name}.yaml").write_text(text, encoding="utf-8")
    return dest


def write_spec(project: Path, site: Path) -> Path:
    """The part of a built site the endpoint reads: ``site/forms/spec.json``,
    compiled from the project's forms exactly as ``portal build`` compiles it."""
    from generator.forms_spec import compile_forms
    from generator.pipeline import load_and_check

    checked = load_and_check(project, jobs=1)
    assert checked.report.ok, checked.report.problems
    spec = compile_forms([d.model for d in checked.project.valid("form")])
    spec["community"] = checked.project.community.id  # as generator/build.py writes it
    (site / "forms").mkdir(parents=True, exist_ok=True)
    (site / "forms" / "spec.json").write_text(json.dumps(spec, ensure_ascii=False, indent=1), encoding="utf-8")
    return site


class Endpoint:
    """``python -m generator endpoint`` in a child process (a real uvicorn server).

    ``settings`` are Settings fields, passed as ``PORTAL_<NAME>`` variables;
    ``workers`` > 1 runs that many uvicorn worker processes under one supervisor."""

    def __init__(self, site: Path, db: str, log: Path, *, port: int | None = None,
                 site_url: str | None = SITE_URL, workers: int = 1, nofile: int | None = None,
                 **settings: Any) -> None:
        self.site, self.db, self.log, self.workers = site, db, log, workers
        self.nofile = nofile  #: the server's file descriptor limit (RLIMIT_NOFILE), if set
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.site_url = site_url
        self.settings = {"secret": SECRET, "min_seconds": 0.5, "rate_per_minute": 0, "lookup_per_minute": 0,
                         **settings}
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def db_path(self) -> Path:
        assert self.db.startswith("sqlite:///")
        return Path(self.db.removeprefix("sqlite:///"))

    def start(self, timeout: float = 30) -> Endpoint:
        env = {k: v for k, v in os.environ.items() if not k.startswith("PORTAL_")}
        env.update({f"PORTAL_{k.upper()}": str(v) for k, v in self.settings.items()})
        cmd = [sys.executable, "-m", "generator", "endpoint", "--site", str(self.site), "--db", self.db,
               "--host", "127.0.0.1", "--port", str(self.port)]
        if self.site_url:
            cmd += ["--site-url", self.site_url]
        if self.workers != 1:
            cmd += ["--workers", str(self.workers)]
        with open(self.log, "ab") as log:
            self.proc = subprocess.Popen(cmd, cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT,
                                         preexec_fn=self._limits if self.nofile else None)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"endpoint exited with {self.proc.returncode}:\n{self.log_text()}")
            try:
                if httpx.get(self.url + "/health", timeout=2).status_code == 200:
                    return self
            except httpx.TransportError:
                pass
            time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"endpoint did not answer in {timeout} s:\n{self.log_text()}")

    def _limits(self) -> None:
        import resource

        resource.setrlimit(resource.RLIMIT_NOFILE, (self.nofile, self.nofile))

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self.proc = None

    def kill(self) -> None:
        """SIGKILL: no shutdown handler runs, as in a power cut of the process."""
        assert self.proc is not None
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(10)
        self.proc = None

    def worker_pids(self) -> list[int]:
        """The uvicorn worker processes (children of the supervisor) with ``workers`` > 1."""
        assert self.proc is not None
        pids = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
                cmdline = (entry / "cmdline").read_bytes()
            except OSError:
                continue
            if ppid == self.proc.pid and b"endpoint.workers" in cmdline:
                pids.append(int(entry.name))
        return sorted(pids)

    def log_text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")[-4000:] if self.log.exists() else ""

    def client(self, **kwargs: Any) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=30, **kwargs)


def token(form: str = "suggestion", age: float = 5.0, kind: str = "t", secret: str = SECRET) -> str:
    """A token signed as the endpoint signs it, issued ``age`` seconds ago."""
    return sign_token(secret.encode(), form, time.time() - age, kind)


def suggestion(**overrides: Any) -> dict[str, Any]:
    """A valid submission of the sample's suggestion form, with a unique text and key."""
    tag = uuid.uuid4().hex[:10]
    data = {"topic": "environment", "text": f"3号楼楼道灯坏了 {tag}", "phone": "138 0013 8000",
            "_token": token(), "_idem": f"idem-{tag}"}
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def close_store(store: Store) -> None:
    """Stop the writer and close the calling thread's connection (Store has no close())."""
    store.stop()
    if store._rates is not None:  # noqa: SLF001 - the rate-limit thread and its connection
        store._rates.stop()  # noqa: SLF001
        store._rates = None  # noqa: SLF001
    conn = getattr(store._local, "conn", None)  # noqa: SLF001
    if conn is not None:
        conn.close()
        store._local.conn = None  # noqa: SLF001


@contextlib.contextmanager
def committee(db: str) -> Iterator[Store]:
    """The committee's own access to the endpoint's database (as ``portal inbox`` has)."""
    store = Store(db)
    try:
        yield store
    finally:
        close_store(store)


def db_rows(db_path: Path, where: str = "1=1", args: tuple[Any, ...] = ()) -> list[dict[str, Any]]:
    conn = sqlite3.connect(db_path, timeout=30)
    try:
        conn.row_factory = sqlite3.Row
        return [dict(r) for r in conn.execute(f"SELECT * FROM submissions WHERE {where}", args)]
    finally:
        conn.close()


def form_fields(html: str) -> tuple[str, dict[str, list[str]]]:
    """The action and the values a browser would send from the page's form."""
    form = BeautifulSoup(html, "html.parser").select_one("form.portal-form")
    assert form is not None, html[:2000]
    data: dict[str, list[str]] = {}
    for el in form.select("input[name], textarea[name], select[name]"):
        name = el["name"]
        if el.name == "textarea":
            data.setdefault(name, []).append(el.text)
        elif el.name == "select":
            chosen = el.select_one("option[selected]")
            data.setdefault(name, []).append(chosen["value"] if chosen else "")
        elif el.get("type") in ("radio", "checkbox"):
            if el.has_attr("checked"):
                data.setdefault(name, []).append(el["value"])
        else:
            data.setdefault(name, []).append(el.get("value", ""))
    return form["action"], data


# -- servers ------------------------------------------------------------------------

@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("endpoint-site")
    return write_spec(make_project(base / "project", EXTRA_FORMS), base / "site")


@pytest.fixture(scope="module")
def server(site: Path, tmp_path_factory: pytest.TempPathFactory):
    """Rate limit off, tokens usable after 0.5 s, allowed origin http://portal.test."""
    base = tmp_path_factory.mktemp("endpoint-main")
    ep = Endpoint(site, f"sqlite:///{base / 'submissions.db'}", base / "server.log").start()
    yield ep
    ep.stop()


@pytest.fixture(scope="module")
def limited(site: Path, tmp_path_factory: pytest.TempPathFactory):
    """Behind a proxy (X-Forwarded-For trusted), 2 submissions at once, then 1 a minute."""
    base = tmp_path_factory.mktemp("endpoint-limited")
    ep = Endpoint(site, f"sqlite:///{base / 'submissions.db'}", base / "server.log",
                  rate_per_minute=1, rate_burst=2, trust_proxy=1).start()
    yield ep
    ep.stop()


@pytest.fixture(scope="module")
def hardened(site: Path, tmp_path_factory: pytest.TempPathFactory):
    """Proof-of-work of 8 bits, private fields encrypted at rest, small bodies."""
    from cryptography.fernet import Fernet

    base = tmp_path_factory.mktemp("endpoint-hardened")
    ep = Endpoint(site, f"sqlite:///{base / 'submissions.db'}", base / "server.log",
                  pow_bits=8, encryption_key=Fernet.generate_key().decode(), max_body=4096).start()
    yield ep
    ep.stop()


# -- health, tokens, static -----------------------------------------------------------

def test_health(server: Endpoint) -> None:
    with server.client() as c:
        r = c.get("/health")
    assert r.status_code == 200
    assert r.json() == {"status": "ok", "forms": 3, "db": "sqlite"}


def test_token_is_signed_fresh_and_not_cached(server: Endpoint) -> None:
    with server.client() as c:
        r = c.get("/forms/suggestion/token", headers=JSON)
        unknown = c.get("/forms/no-such-form/token", headers=JSON)
    assert r.status_code == 200
    body = r.json()
    assert set(body) == {"token", "min_seconds", "pow_bits"}
    assert body["min_seconds"] == 0.5 and body["pow_bits"] == 0
    assert "no-store" in r.headers["cache-control"]
    kind, issued, _mac = body["token"].split(".")
    assert kind == "t" and abs(int(issued) - time.time()) < 5
    assert check_token(SECRET.encode(), "suggestion", body["token"], 0, 3600, 3600) is None
    # A token is bound to its form.
    assert check_token(SECRET.encode(), "signup", body["token"], 0, 3600, 3600) == "invalid"
    assert unknown.status_code == 404 and unknown.json() == {"error": "unknown_form"}


def test_stylesheet(server: Endpoint) -> None:
    with server.client() as c:
        r = c.get("/static/endpoint.css")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/css") and r.text.strip()


# -- success: three body encodings, two kinds of client ------------------------------------

def test_json_client_with_a_token_from_the_token_route(server: Endpoint) -> None:
    with server.client() as c:
        tok = c.get("/forms/suggestion/token").json()["token"]
        time.sleep(0.6)  # min_seconds is 0.5
        data = suggestion(_token=tok)
        r = c.post("/forms/suggestion", json=data, headers=JSON)
    assert r.status_code == 201, r.text
    body = r.json()
    assert set(body) == {"receipt", "created", "status_url"}
    assert body["created"] is True and RECEIPT.match(body["receipt"])
    assert body["status_url"] == f"/receipts/{body['receipt']}"
    assert r.headers["content-type"].startswith("application/json")
    [row] = db_rows(server.db_path, "receipt = ?", (body["receipt"],))
    assert row["form_id"] == "suggestion" and row["status"] == "received" and row["category"] == "environment"
    assert json.loads(row["public_json"]) == {"topic": "environment", "text": data["text"]}
    assert row["idem_key"].split("#")[0] == data["_idem"]  # the key, then a digest of the content


def test_urlencoded_html_client_is_redirected_to_its_receipt(server: Endpoint) -> None:
    data = suggestion()
    with server.client() as c:
        r = c.post("/forms/suggestion?lang=en", data=data, headers=HTML)
        assert r.status_code == 303, r.text
        location = r.headers["location"]
        m = re.fullmatch(r"/receipts/([^?]+)\?lang=en&new=1", location)
        assert m and RECEIPT.match(m.group(1)), location
        page = c.get(location, headers=HTML)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    soup = BeautifulSoup(page.text, "html.parser")
    assert soup.html["lang"] == "en"
    assert soup.h1.get_text(strip=True) == "Received, thank you!"
    assert soup.select_one(".receipt").get_text(strip=True) == m.group(1)
    assert db_rows(server.db_path, "receipt = ?", (m.group(1),))


def test_multipart_body(server: Endpoint) -> None:
    data = suggestion()
    with server.client() as c:
        r = c.post("/forms/suggestion", files={k: (None, v) for k, v in data.items()}, headers=JSON)
    assert r.status_code == 201, r.text
    [row] = db_rows(server.db_path, "receipt = ?", (r.json()["receipt"],))
    assert json.loads(row["public_json"])["text"] == data["text"]


def test_multipart_with_a_file_is_refused_not_crashed(server: Endpoint) -> None:
    data = suggestion()
    files = {k: (None, v) for k, v in data.items()} | {"upload": ("a.txt", b"hello", "text/plain")}
    with server.client() as c:
        r = c.post("/forms/suggestion", files=files, headers=JSON)
    assert r.status_code == 400 and r.json()["error"] == "unreadable"


def test_receipts_have_the_readable_format(server: Endpoint) -> None:
    assert len(RECEIPT_SYMBOLS) == 23
    receipts = []
    with server.client() as c:
        for _ in range(40):
            r = c.post("/forms/suggestion", json=suggestion(), headers=JSON)
            assert r.status_code == 201, r.text
            receipts.append(r.json()["receipt"])
    assert len(set(receipts)) == len(receipts)
    for receipt in receipts:
        assert RECEIPT.match(receipt), receipt
        assert not set(receipt) & set("0O1IL2Z5S8BUV")


def test_private_fields_are_stored_apart_from_public_ones(server: Endpoint) -> None:
    data = suggestion(phone="+86 139 0000 1234")
    with server.client() as c:
        r = c.post("/forms/suggestion", data=data, headers=JSON)
    assert r.status_code == 201, r.text
    [row] = db_rows(server.db_path, "receipt = ?", (r.json()["receipt"],))
    assert json.loads(row["private_json"]) == {"phone": "+86 139 0000 1234"}
    public = json.loads(row["public_json"])
    assert "phone" not in public and "139 0000" not in row["public_json"]
    # No private field: no private record at all; fields the form does not have are never stored.
    data = suggestion(phone=None, website=None, extra="not a field", _lang="zh")
    with server.client() as c:
        r = c.post("/forms/suggestion", data=data, headers=JSON)
    [row] = db_rows(server.db_path, "receipt = ?", (r.json()["receipt"],))
    assert row["private_json"] is None
    assert set(json.loads(row["public_json"])) == {"topic", "text"}


# -- idempotency -------------------------------------------------------------------

def test_same_idempotency_key_twice_gives_the_same_receipt_and_one_row(server: Endpoint) -> None:
    first = suggestion()
    again = suggestion(_idem=first["_idem"], text="something else entirely")
    with server.client() as c:
        r1 = c.post("/forms/suggestion", data=first, headers=JSON)
        r2 = c.post("/forms/suggestion", data=first, headers=JSON)
        r3 = c.post("/forms/suggestion", data=first, headers=HTML)
        edited = c.post("/forms/suggestion", data=again, headers=JSON)
        other_form = c.post("/forms/signup", headers=JSON, data={
            "name": "王芳", "phone": "13800138000", "people": "2", "session": "morning",
            "_token": token("signup"), "_idem": first["_idem"]})
    assert r1.status_code == 201 and r1.json()["created"] is True
    assert r2.status_code == 200 and r2.json()["created"] is False
    assert r2.json()["receipt"] == r1.json()["receipt"]
    assert r3.status_code == 303 and r3.headers["location"] == f"/receipts/{r1.json()['receipt']}?lang=zh&new=0"
    # The same key with other content is never merged into the first: its own receipt.
    assert edited.status_code == 201 and edited.json()["receipt"] != r1.json()["receipt"]
    rows = db_rows(server.db_path, "idem_key LIKE ? || '#%' AND form_id = 'suggestion'", (first["_idem"],))
    assert sorted(json.loads(r["public_json"])["text"] for r in rows) == sorted([first["text"], again["text"]])
    # The key is per form: the same key on another form is another submission.
    assert other_form.status_code == 201 and other_form.json()["receipt"] != r1.json()["receipt"]


def test_without_a_key_every_post_is_a_submission(server: Endpoint) -> None:
    """No JavaScript: no _idem (the static page cannot carry one per visit), so
    nothing is merged, not even the same content from the same address."""
    data = suggestion(_idem=None, _token=token(kind="s", age=3600))
    with server.client() as c:
        r1 = c.post("/forms/suggestion", data=data, headers=HTML)
        r2 = c.post("/forms/suggestion", data=data, headers=HTML)
    assert r1.status_code == r2.status_code == 303
    assert r1.headers["location"].endswith("new=1") and r2.headers["location"].endswith("new=1")
    assert r1.headers["location"] != r2.headers["location"]
    assert len(db_rows(server.db_path, "public_json LIKE ?", (f"%{data['text']}%",))) == 2


# -- 422: fields, in zh and en ----------------------------------------------------------

BAD_SIGNUP = {"name": "王" * 21, "phone": "call me", "email": "not-an-email", "people": "many", "day": "2026-13-40",
              "session": "evening", "needs": ["wheelchair", "piano"], "score": "9", "building": "B栋"}

EXPECTED_ZH = {
    "name": "“姓名”太长，最多 20 个字",
    "phone": "“电话”的格式不对",
    "email": "“邮箱”的格式不对",
    "people": "“人数”请填写数字",
    "day": "“日期”请填写日期，如 2025-03-15",
    "session": "请在“场次”中选择列出的选项",
    "needs": "请在“需要”中选择列出的选项",
    "score": "“评分”应在 1 到 5 之间",
    "building": "“楼号”的格式不对",
}
EXPECTED_EN = {
    "name": "“Name” is too long (at most 20 characters)",
    "phone": "“Phone” is not in the right format",
    "email": "“Email” is not in the right format",
    "people": "Please enter a number for “People”",
    "day": "Please enter a date for “Date”, e.g. 2025-03-15",
    "session": "Please choose one of the listed options for “Session”",
    "needs": "Please choose one of the listed options for “Needs”",
    "score": "“Score” must be between 1 and 5",
    "building": "“Building” is not in the right format",
}


@pytest.mark.parametrize("accept_language, body_lang, expected", [
    ("zh-CN,zh;q=0.9,en;q=0.8", None, EXPECTED_ZH),
    (None, None, EXPECTED_ZH),  # zh is the default
    ("en-US,en;q=0.9", None, EXPECTED_EN),
    ("zh-CN", "en", EXPECTED_EN),  # the form's own _lang wins over the browser's
], ids=["zh", "default", "en", "_lang"])
def test_every_field_error_has_a_message_in_the_asked_language(server: Endpoint, accept_language: str | None,
                                                                body_lang: str | None,
                                                                expected: dict[str, str]) -> None:
    headers = dict(JSON)
    if accept_language:
        headers["Accept-Language"] = accept_language
    data = {**BAD_SIGNUP, "_token": token("signup"), "_idem": uuid.uuid4().hex}
    if body_lang:
        data["_lang"] = body_lang
    before = len(db_rows(server.db_path))
    with server.client() as c:
        r = c.post("/forms/signup", data=data, headers=headers)
    assert r.status_code == 422, r.text
    body = r.json()
    assert body["error"] == "invalid"
    assert body["message"] == ("Please correct the following and submit again:" if expected is EXPECTED_EN
                               else "请修改以下内容后再提交：")
    assert body["fields"] == expected
    assert len(db_rows(server.db_path)) == before


@pytest.mark.parametrize("lang, messages", [
    ("zh", {"topic": "请填写“类别”", "text": "请填写“内容”"}),
    ("en", {"topic": "Please fill in “Topic”", "text": "Please fill in “Your suggestion”"}),
], ids=["zh", "en"])
def test_required_fields_and_blank_answers(server: Endpoint, lang: str, messages: dict[str, str]) -> None:
    with server.client() as c:
        r = c.post("/forms/suggestion", json={"topic": "", "text": "   \n ", "_token": token()},
                   headers={**JSON, "Accept-Language": lang})
        long = c.post("/forms/suggestion", json=suggestion(text="长" * 2001),
                      headers={**JSON, "Accept-Language": lang})
    assert r.status_code == 422 and r.json()["fields"] == messages
    assert long.status_code == 422
    assert long.json()["fields"] == {"text": {"zh": "“内容”太长，最多 2000 个字",
                                              "en": "“Your suggestion” is too long (at most 2000 characters)"}[lang]}


@pytest.mark.parametrize("people, lang, message", [
    ("9", "zh", "“人数”应在 1 到 5 之间"),
    ("0", "en", "“People” must be between 1 and 5"),
], ids=["zh", "en"])
def test_range_message_names_the_bounds_as_written(server: Endpoint, people: str, lang: str, message: str) -> None:
    """The form says ``min: 1, max: 5``: a resident is told "1 到 5", not "1.0 到 5.0"."""
    data = {"name": "王芳", "phone": "13800138000", "people": people, "session": "morning",
            "_token": token("signup"), "_lang": lang}
    with server.client() as c:
        r = c.post("/forms/signup", data=data, headers=JSON)
    assert r.status_code == 422 and r.json()["fields"] == {"people": message}


@pytest.mark.parametrize("people, floor", [("nan", "3"), ("2", "inf")], ids=["nan-within-bounds", "inf-unbounded"])
def test_number_fields_refuse_nan_and_infinity(server: Endpoint, people: str, floor: str) -> None:
    """Not numbers a resident can mean; stored, they would also make public_json
    invalid JSON (NaN, Infinity) for every later reader (inbox export, Open311)."""
    data = {"name": "王芳", "phone": "13800138000", "people": people, "floor": floor, "session": "morning",
            "_token": token("signup"), "_idem": uuid.uuid4().hex}
    with server.client() as c:
        r = c.post("/forms/signup", data=data, headers=JSON)
    assert r.status_code == 422, f"accepted people={people!r} floor={floor!r}: {r.text}"
    bad = "people" if people != "2" else "floor"
    assert r.json()["fields"] == {bad: {"people": "“人数”请填写数字", "floor": "“楼层”请填写数字"}[bad]}


def test_text_at_the_limit_with_line_breaks_is_accepted(server: Endpoint) -> None:
    """A browser counts a line break as one character against maxlength (the
    textarea's value has LF) but submits it as CRLF: text the page allowed must
    not come back as too long."""
    paragraphs = ("楼" * 99 + "\r\n") * 20  # 2000 characters as the browser counts them, 2020 as sent
    assert len(paragraphs.replace("\r\n", "\n")) == 2000
    with server.client() as c:
        r = c.post("/forms/suggestion", data=suggestion(text=paragraphs), headers=JSON)
    assert r.status_code == 201, r.text


def test_valid_signup_with_every_field_type(server: Endpoint) -> None:
    data = {"name": "王芳", "phone": "+86 138-0013-8000", "email": "wang@example.cn", "people": "2", "day": "2026-12-05",
            "session": "afternoon", "needs": ["interpreter", "wheelchair"], "score": "5", "building": "3号楼",
            "_token": token("signup"), "_idem": uuid.uuid4().hex}
    with server.client() as c:
        r = c.post("/forms/signup", data=data, headers=JSON)
    assert r.status_code == 201, r.text
    [row] = db_rows(server.db_path, "receipt = ?", (r.json()["receipt"],))
    assert json.loads(row["public_json"], parse_constant=lambda c: pytest.fail(f"{c} in public_json")) == {
        "people": 2, "day": "2026-12-05", "session": "afternoon", "needs": ["interpreter", "wheelchair"], "score": 5,
        "building": "3号楼"}
    assert json.loads(row["private_json"]) == {"name": "王芳", "phone": "+86 138-0013-8000", "email": "wang@example.cn"}


def test_html_client_gets_the_form_back_with_errors_tied_to_fields(server: Endpoint) -> None:
    data = suggestion(topic="", text="<script>alert(1)</script>我的建议", phone="12")
    with server.client() as c:
        r = c.post("/forms/suggestion", data=data, headers={**HTML, "Accept-Language": "en"})
    assert r.status_code == 422 and r.headers["content-type"].startswith("text/html")
    assert "<script>alert(1)</script>" not in r.text  # what was typed comes back escaped
    soup = BeautifulSoup(r.text, "html.parser")
    summary = soup.select_one(".form-errors")
    assert summary is not None and summary.get("role") == "alert"
    assert [a["href"] for a in summary.select("a")] == ["#f-suggestion-topic", "#f-suggestion-phone"]
    for name, message in (("topic", "Please fill in “Topic”"), ("phone", "“Phone” is not in the right format")):
        el = soup.select_one(f"#f-suggestion-{name}")
        assert el.get("aria-invalid") == "true"
        error = soup.select_one(f"#{el['aria-describedby'].split()[-1]}")
        assert error is not None and "error" in error["class"] and error.get_text(strip=True) == message
    text = soup.select_one("#f-suggestion-text")
    assert text.text == data["text"] and not text.has_attr("aria-invalid")  # kept, and not in error
    assert soup.select_one("#f-suggestion-phone")["value"] == "12"
    action, values = form_fields(r.text)
    assert action == "/forms/suggestion?lang=en"
    assert values["_idem"] == [data["_idem"]] and values["_lang"] == ["en"]


# -- 422 for people without JavaScript: missing, too fast or expired token --------------------

#: How to make each kind of bad token (made when the test runs: "too fast" is about time).
BAD_TOKENS = {
    "missing": lambda: None,
    "garbage": lambda: "garbage",
    "bad-kind": lambda: "x.123.abc",
    "bad-signature": lambda: token(secret="not-the-secret"),
    "other-form": lambda: token(form="signup"),
    "too-fast": lambda: token(age=-1),  # issued within the last 0.5 s (issue times are whole seconds)
    "expired": lambda: token(age=12 * 3600 + 60),
    "static-future": lambda: token(kind="s", age=-120),  # issued in the future: a clock gone wrong
    "static-expired": lambda: token(kind="s", age=60 * 86400 + 60),
}


@pytest.mark.parametrize("problem, notice", [
    ("missing", "请核对内容，然后再点一次“提交”。"),
    ("too-fast", "提交太快了，请核对内容后再点一次“提交”。"),
    ("expired", "页面已过期，请核对内容后再点一次“提交”。"),
    ("static-expired", "页面已过期，请核对内容后再点一次“提交”。"),
    ("bad-signature", "请核对内容，然后再点一次“提交”。"),
], ids=["missing", "too-fast", "expired", "static-expired", "bad-signature"])
def test_html_token_problem_gives_a_page_to_confirm_then_one_submission(server: Endpoint, problem: str,
                                                                        notice: str) -> None:
    data = suggestion(_token=BAD_TOKENS[problem]() or "", _idem=None)
    with server.client() as c:
        r = c.post("/forms/suggestion?lang=zh", data=data, headers=HTML)
        assert r.status_code == 422, r.text
        soup = BeautifulSoup(r.text, "html.parser")
        assert soup.select_one(".notice").get_text(strip=True) == notice
        assert soup.select_one(".form-errors") is None
        action, values = form_fields(r.text)
        # Everything typed is kept; a fresh token and an idempotency key come with the page.
        assert values["topic"] == ["environment"] and values["text"] == [data["text"]]
        assert values["phone"] == [data["phone"]] and values["website"] == [""]
        assert check_token(SECRET.encode(), "suggestion", values["_token"][0], 0, 60, 60) is None
        assert values["_idem"][0]
        assert not db_rows(server.db_path, "public_json LIKE ?", (f"%{data['text']}%",))
        time.sleep(0.6)  # the person reads the page
        again = c.post(action, data=values, headers=HTML)
        twice = c.post(action, data=values, headers=HTML)  # a double click
    assert again.status_code == 303, again.text
    receipt = again.headers["location"].split("/")[2].split("?")[0]
    assert RECEIPT.match(receipt)
    assert twice.status_code == 303 and receipt in twice.headers["location"]
    rows = db_rows(server.db_path, "public_json LIKE ?", (f"%{data['text']}%",))
    assert [r["receipt"] for r in rows] == [receipt]


def test_static_build_token_needs_no_waiting(server: Endpoint) -> None:
    with server.client() as c:
        r = c.post("/forms/suggestion", data=suggestion(_token=token(kind="s", age=-1)), headers=JSON)
    assert r.status_code == 201, r.text


# -- 400 for JSON clients: token problems, honeypot, unreadable bodies -----------------------

@pytest.mark.parametrize("problem, reason", [
    ("missing", "missing"), ("garbage", "invalid"), ("bad-kind", "invalid"), ("bad-signature", "invalid"),
    ("other-form", "invalid"), ("too-fast", "too-fast"), ("expired", "expired"), ("static-future", "expired"),
    ("static-expired", "expired"),
])
def test_json_token_problems(server: Endpoint, problem: str, reason: str) -> None:
    data = suggestion(_token=BAD_TOKENS[problem]())
    with server.client() as c:
        r = c.post("/forms/suggestion", json=data, headers={**JSON, "Accept-Language": "en"})
    assert r.status_code == 400, r.text
    assert r.json() == {"error": "token", "reason": reason,
                        "message": "Please check your answers, then press “Submit” again."}
    assert not db_rows(server.db_path, "idem_key LIKE ? || '#%'", (data["_idem"],))


def test_forged_old_token_is_expired(server: Endpoint) -> None:
    """A token forged with the real secret but issued 13 hours ago (token_hours is 12)."""
    secret = server.settings["secret"]  # the server's PORTAL_SECRET
    forged = sign_token(str(secret).encode(), "suggestion", time.time() - 13 * 3600)
    with server.client() as c:
        r = c.post("/forms/suggestion", data=suggestion(_token=forged), headers=JSON)
    assert r.status_code == 400 and r.json()["reason"] == "expired"


@pytest.mark.parametrize("headers", [JSON, HTML], ids=["json", "html"])
def test_honeypot_filled_is_refused(server: Endpoint, headers: dict[str, str]) -> None:
    data = suggestion(website="http://cheap-pills.example")
    with server.client() as c:
        r = c.post("/forms/suggestion", data=data, headers=headers)
    assert r.status_code == 400
    if headers is JSON:
        assert r.json() == {"error": "refused", "message": "提交被拒绝。"}
    else:
        assert "提交被拒绝。" in BeautifulSoup(r.text, "html.parser").h1.get_text()
    assert not db_rows(server.db_path, "idem_key LIKE ? || '#%'", (data["_idem"],))


@pytest.mark.parametrize("content, ctype", [
    (b"{not json", "application/json"),
    (b"[1, 2, 3]", "application/json"),
    (b'"text"', "application/json"),
    (b"text=\xff\xfe", "application/x-www-form-urlencoded"),
    (b"--xyz\r\nContent-Disposition: form-data; name=\"text\"\r\n\r\nabc", "multipart/form-data"),
    ("&".join(f"f{i}=1" for i in range(300)).encode(), "application/x-www-form-urlencoded"),
], ids=["bad-json", "json-array", "json-string", "bad-utf8", "multipart-no-boundary", "too-many-fields"])
def test_unreadable_body(server: Endpoint, content: bytes, ctype: str) -> None:
    with server.client() as c:
        r = c.post("/forms/suggestion", content=content, headers={**JSON, "Content-Type": ctype})
    assert r.status_code == 400, r.text
    assert r.json() == {"error": "unreadable", "message": "无法读取提交的内容。"}


# -- 403, 404, 410, 413 ------------------------------------------------------------------

@pytest.mark.parametrize("origin, allowed", [
    ("http://portal.test", True),
    ("http://portal.test/", True),
    ("null", False),  # any page can send "null" (a sandboxed frame): only when listed
    ("http://evil.example", False),
    ("https://portal.test", False),
    ("http://portal.test.evil.example", False),
])
def test_origin_allow_list(server: Endpoint, origin: str, allowed: bool) -> None:
    with server.client() as c:
        r = c.post("/forms/suggestion", data=suggestion(), headers={**JSON, "Origin": origin})
        page = c.post("/forms/suggestion", data=suggestion(), headers={**HTML, "Origin": origin})
    if allowed:
        assert r.status_code == 201, r.text
        assert page.status_code == 303
    else:
        assert r.status_code == 403 and r.json() == {"error": "origin", "message": "不接受来自这个网站的提交。"}
        assert page.status_code == 403 and "不接受来自这个网站的提交。" in page.text


def test_cors_lets_the_site_fetch_a_token_and_submit(server: Endpoint) -> None:
    with server.client() as c:
        tok = c.get("/forms/suggestion/token", headers={"Origin": "http://portal.test"})
        pre = c.options("/forms/suggestion", headers={"Origin": "http://portal.test",
                                                      "Access-Control-Request-Method": "POST",
                                                      "Access-Control-Request-Headers": "content-type"})
        evil = c.get("/forms/suggestion/token", headers={"Origin": "http://evil.example"})
    assert tok.headers["access-control-allow-origin"] == "http://portal.test"
    assert pre.status_code == 200 and pre.headers["access-control-allow-origin"] == "http://portal.test"
    assert "POST" in pre.headers["access-control-allow-methods"]
    assert "access-control-allow-origin" not in evil.headers


def test_the_endpoint_accepts_its_own_confirm_page(server: Endpoint) -> None:
    """The "please check" page is served by the endpoint and posts back to it: a
    browser sends the endpoint's own origin, which must not be refused (the site,
    and so the allowed origin, is usually on another host)."""
    with server.client() as c:
        r = c.post("/forms/suggestion?lang=zh", data=suggestion(_token=""), headers=HTML)
        assert r.status_code == 422
        action, values = form_fields(r.text)
        time.sleep(0.6)
        again = c.post(action, data=values, headers={**HTML, "Origin": server.url})
    assert again.status_code == 303, f"{again.status_code}: {again.text[:500]}"


@pytest.mark.parametrize("headers", [JSON, HTML], ids=["json", "html"])
def test_unknown_form(server: Endpoint, headers: dict[str, str]) -> None:
    with server.client() as c:
        r = c.post("/forms/nope", data=suggestion(), headers={**headers, "Accept-Language": "en"})
    assert r.status_code == 404
    if headers is JSON:
        assert r.json() == {"error": "unknown_form", "message": "There is no such form."}
    else:
        assert "There is no such form." in r.text


@pytest.mark.parametrize("headers", [JSON, HTML], ids=["json", "html"])
def test_closed_form(server: Endpoint, headers: dict[str, str]) -> None:
    with server.client() as c:
        r = c.post("/forms/old-survey", data={"answer": "yes", "_token": token("old-survey")}, headers=headers)
    assert r.status_code == 410
    if headers is JSON:
        assert r.json() == {"error": "closed_form", "message": "这个表单已停止收集。"}
    else:
        assert "这个表单已停止收集。" in r.text
    assert not db_rows(server.db_path, "form_id = 'old-survey'")


def test_body_over_max_body(server: Endpoint) -> None:
    big = suggestion(text="x" * (64 * 1024))

    def chunks():
        raw = json.dumps(big).encode()
        for i in range(0, len(raw), 4096):
            yield raw[i:i + 4096]

    with server.client() as c:
        declared = c.post("/forms/suggestion", data=big, headers=JSON)
        streamed = c.post("/forms/suggestion", content=chunks(),
                          headers={**JSON, "Content-Type": "application/json"})
        page = c.post("/forms/suggestion", data=big, headers=HTML)
    assert declared.status_code == 413 and declared.json() == {"error": "too_large", "message": "提交的内容太大。"}
    assert streamed.status_code == 413 and streamed.json()["error"] == "too_large"
    assert page.status_code == 413 and "提交的内容太大。" in page.text
    assert not db_rows(server.db_path, "idem_key LIKE ? || '#%'", (big["_idem"],))


# -- 429 -----------------------------------------------------------------------------

def test_rate_limit(limited: Endpoint) -> None:
    with limited.client() as c:
        answers = [c.post("/forms/suggestion", data=suggestion(), headers=JSON) for _ in range(3)]
        page = c.post("/forms/suggestion", data=suggestion(), headers=HTML)
        elsewhere = c.post("/forms/suggestion", data=suggestion(), headers={**JSON, "X-Forwarded-For": "203.0.113.9"})
    assert [r.status_code for r in answers] == [201, 201, 429]
    assert answers[2].json() == {"error": "rate_limited", "message": "提交太频繁，请稍后再试。"}
    assert int(answers[2].headers["retry-after"]) > 0
    assert elsewhere.status_code == 201  # another resident behind the same proxy is not limited
    assert page.status_code == 429 and "提交太频繁，请稍后再试。" in page.text
    assert int(page.headers.get("retry-after", "0")) > 0, "a 429 page must say when to retry (Retry-After)"


def test_rate_limit_is_not_bypassed_by_a_forged_forwarded_for(limited: Endpoint) -> None:
    """Behind a proxy that appends the real address (nginx $proxy_add_x_forwarded_for),
    the client controls the left of X-Forwarded-For: the limit must key on what the
    proxy saw (the right), else a bot sends a new address with each post."""
    with limited.client() as c:
        codes = [c.post("/forms/suggestion", data=suggestion(),
                        headers={**JSON, "X-Forwarded-For": f"10.0.0.{i}, 198.51.100.7"}).status_code
                 for i in range(4)]
    assert codes == [201, 201, 429, 429], codes


# -- proof of work, encryption at rest ------------------------------------------------

def solve_pow(tok: str, bits: int) -> str:
    for nonce in itertools.count():
        digest = hashlib.sha256(f"{tok}{nonce}".encode()).digest()
        if int.from_bytes(digest, "big") >> (256 - bits) == 0:
            return str(nonce)
    raise AssertionError("unreachable")


def test_proof_of_work(hardened: Endpoint) -> None:
    with hardened.client() as c:
        issued = c.get("/forms/suggestion/token").json()
        assert issued["pow_bits"] == 8
        tok = issued["token"]
        time.sleep(0.6)
        nonce = solve_pow(tok, 8)
        wrong = next(str(n) for n in itertools.count() if str(n) != nonce and
                     int.from_bytes(hashlib.sha256(f"{tok}{n}".encode()).digest(), "big") >> 248 != 0)
        without = c.post("/forms/suggestion", data=suggestion(_token=tok), headers=JSON)
        bad = c.post("/forms/suggestion", data=suggestion(_token=tok, _pow=wrong), headers=JSON)
        data = suggestion(_token=tok, _pow=nonce)
        good = c.post("/forms/suggestion", data=data, headers=JSON)
    assert without.status_code == 400 and without.json()["reason"] == "pow"
    assert bad.status_code == 400 and bad.json()["reason"] == "pow"
    assert good.status_code == 201, good.text
    assert db_rows(hardened.db_path, "receipt = ?", (good.json()["receipt"],))


def test_private_fields_encrypted_at_rest(hardened: Endpoint) -> None:
    from cryptography.fernet import Fernet

    tok = token()
    data = suggestion(_token=tok, _pow=solve_pow(tok, 8), phone="+86 137 1111 2222")
    with hardened.client() as c:
        r = c.post("/forms/suggestion", data=data, headers=JSON)
        small = c.post("/forms/suggestion", data=suggestion(text="长" * 1500), headers=JSON)
    assert r.status_code == 201, r.text
    assert small.status_code == 413  # max_body 4096
    [row] = db_rows(hardened.db_path, "receipt = ?", (r.json()["receipt"],))
    assert "1111" not in row["private_json"]
    plain = Fernet(hardened.settings["encryption_key"].encode()).decrypt(row["private_json"].encode())
    assert json.loads(plain) == {"phone": "+86 137 1111 2222"}


# -- receipts: the public view, ratings -------------------------------------------------

def _submit(server: Endpoint, **overrides: Any) -> tuple[str, dict[str, Any]]:
    data = suggestion(**overrides)
    with server.client() as c:
        r = c.post("/forms/suggestion", data=data, headers=JSON)
    assert r.status_code == 201, r.text
    return r.json()["receipt"], data


def test_receipt_shows_status_never_the_text_nor_private_fields(server: Endpoint) -> None:
    receipt, data = _submit(server, phone="139 8765 4321")
    secret_bits = [data["text"], data["text"].split()[-1], "139 8765 4321", "8765"]
    with server.client() as c:
        js = c.get(f"/receipts/{receipt}", headers=JSON)
        page = c.get(f"/receipts/{receipt}", headers={**HTML, "Accept-Language": "en"})
        sloppy = c.get(f"/receipts/{receipt.lower().replace('-', ' ')}", headers=JSON)
    assert js.status_code == 200
    body = js.json()
    assert set(body) == {"receipt", "form", "status", "received", "reply", "replied", "rating"}
    assert body["receipt"] == receipt and body["form"] == "suggestion" and body["status"] == "received"
    assert body["reply"] is None and body["replied"] is None and body["rating"] is None
    assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d", body["received"])
    assert page.status_code == 200
    soup = BeautifulSoup(page.text, "html.parser")
    assert soup.select_one(".receipt").get_text(strip=True) == receipt
    assert "Received" in soup.select_one("dd").get_text()
    assert soup.select_one("form") is None  # no rating before a reply
    for bit in secret_bits:
        assert bit not in js.text and bit not in page.text
    assert sloppy.status_code == 200 and sloppy.json()["receipt"] == receipt


@pytest.mark.parametrize("receipt", ["WXYZ-WXYZ-WX", "0000-0000-00", "abc", "WXYZ-WXYZ-WXY"])
def test_unknown_receipt(server: Endpoint, receipt: str) -> None:
    with server.client() as c:
        js = c.get(f"/receipts/{receipt}", headers=JSON)
        page = c.get(f"/receipts/{receipt}", headers=HTML)
    assert js.status_code == 404 and js.json() == {"error": "not_found"}
    assert page.status_code == 404 and "没有找到这个回执号。" in page.text


def test_receipt_lookup_redirects(server: Endpoint) -> None:
    receipt, _ = _submit(server)
    with server.client() as c:
        found = c.get("/receipts/lookup", params={"r": receipt.lower().replace("-", "")},
                      headers={**HTML, "Accept-Language": "en"})
        bad = c.get("/receipts/lookup", params={"r": "nothing"}, headers=HTML)
    assert found.status_code == 303 and found.headers["location"] == f"/receipts/{receipt}?lang=en"
    assert bad.status_code == 404 and "没有找到这个回执号。" in bad.text


def test_rating_only_after_a_reply_and_only_once(server: Endpoint) -> None:
    receipt, _ = _submit(server)
    with server.client() as c:
        early = c.post(f"/receipts/{receipt}/rating", data={"rating": "5"}, headers=JSON)
        assert early.status_code == 409 and early.json() == {"ok": False}
        with committee(server.db) as store:  # the committee answers, on the same database
            store.reply(receipt, "answered", "已安排维修，本周五前完成。")
        shown = c.get(f"/receipts/{receipt}", headers=JSON).json()
        assert shown["status"] == "answered" and shown["reply"] == "已安排维修，本周五前完成。"
        assert shown["replied"] is not None and shown["rating"] is None
        page = c.get(f"/receipts/{receipt}", headers=HTML)
        form = BeautifulSoup(page.text, "html.parser").select_one("form")
        assert form is not None and form["action"] == f"/receipts/{receipt}/rating"
        assert "已安排维修" in page.text
        bad = [c.post(f"/receipts/{receipt}/rating", data={"rating": v}, headers=JSON).status_code
               for v in ("0", "6", "x", "", "4.5")]
        assert bad == [409] * 5
        ok = c.post(f"/receipts/{receipt}/rating", json={"rating": 4}, headers=JSON)
        assert ok.status_code == 200 and ok.json() == {"ok": True}
        again = c.post(f"/receipts/{receipt}/rating", data={"rating": "1"}, headers=JSON)
        assert again.status_code == 409 and again.json() == {"ok": False}
        after = c.get(f"/receipts/{receipt}", headers=JSON).json()
        page = c.get(f"/receipts/{receipt}", headers=HTML)
    assert after["rating"] == 4
    with committee(server.db) as store:
        assert store.get(receipt)["rating"] == 4
    assert "感谢您的评价。" in page.text and BeautifulSoup(page.text, "html.parser").select_one("form") is None


def test_rating_from_the_receipt_page_without_javascript(server: Endpoint) -> None:
    receipt, _ = _submit(server)
    with committee(server.db) as store:
        store.reply(receipt, "closed", "已处理。")
    with server.client() as c:
        ok = c.post(f"/receipts/{receipt}/rating", data={"rating": "5", "_lang": "en"}, headers=HTML)
        again = c.post(f"/receipts/{receipt}/rating", data={"rating": "5"}, headers=HTML)
        unknown = c.post("/receipts/WXYZ-WXYZ-WX/rating", data={"rating": "5"}, headers=JSON)
        huge = c.post(f"/receipts/{receipt}/rating", data={"rating": "5", "x": "y" * 5000}, headers=JSON)
    assert ok.status_code == 303 and ok.headers["location"] == f"/receipts/{receipt}?lang=en"
    assert again.status_code == 409 and "提交被拒绝。" in again.text
    assert unknown.status_code == 409
    assert huge.status_code == 413 and huge.json() == {"error": "too_large"}
