"""Forwarding of submissions (endpoint/forwarding.py) against real local servers:
an HTTP receiver (http.server in a thread) standing in for the webhooks and robots,
a tiny SMTP server (socketserver in a thread), a real SQLite store, and for the
end-to-end test the real endpoint app under uvicorn. No mocks.
"""

from __future__ import annotations

import asyncio
import base64
import datetime as dt
import email
import email.policy
import hashlib
import hmac
import json
import socket
import socketserver
import threading
import time
import urllib.parse
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest
import uvicorn

from endpoint.app import create_app
from endpoint.forwarding import CONTACT_NOTE, LEASE, Forwarder, iso
from endpoint.settings import Settings
from endpoint.store import Store, Submission
from generator.forms_spec import compile_forms
from generator.kinds.form.model import Form

pytestmark = pytest.mark.anyio

PRIVATE = {"name": "王秀英", "phone": "13812345678"}
PUBLIC = {"text": "3号楼楼道灯坏了，晚上很黑", "category": "repair"}
FORM = Form.model_validate({
    "id": "suggestion", "title": {"zh": "意见建议", "en": "Suggestions"}, "kind": "suggestion",
    "purpose": "收集居民意见", "privacy": "姓名和电话只给居委会工作人员看", "retention_days": 30,
    "recipients": ["jwh"],
    "fields": [
        {"name": "text", "type": "textarea", "label": {"zh": "内容", "en": "Text"}, "required": True},
        {"name": "category", "type": "select", "label": {"zh": "类别", "en": "Category"},
         "choices": [{"value": "repair", "label": {"zh": "报修", "en": "Repair"}},
                     {"value": "other", "label": {"zh": "其他", "en": "Other"}}]},
        {"name": "name", "type": "text", "label": {"zh": "姓名", "en": "Name"}, "private": True},
        {"name": "phone", "type": "tel", "label": {"zh": "电话", "en": "Phone"}, "private": True},
    ],
})
SPEC = compile_forms([FORM])


# --- a real HTTP receiver ------------------------------------------------------------

class Receiver:
    """Records every POST; ``mode``: ok, 500, hang, errcode (WeCom/DingTalk), feishu-code."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.mode = "ok"
        self.release = threading.Event()
        self.lock = threading.Lock()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                parts = urllib.parse.urlsplit(self.path)
                with outer.lock:
                    outer.requests.append({"path": parts.path, "query": dict(urllib.parse.parse_qsl(parts.query)),
                                           "raw": body, "json": json.loads(body), "mode": outer.mode,
                                           "content_type": self.headers.get("Content-Type"),
                                           "t": time.monotonic()})
                    mode = outer.mode
                if mode == "hang":
                    outer.release.wait(10)
                    return
                if mode == "500":
                    self.answer(500, {"error": "boom"})
                elif mode == "errcode":
                    self.answer(200, {"errcode": 93000, "errmsg": "invalid webhook url"})
                elif mode == "feishu-code":
                    self.answer(200, {"code": 19021, "msg": "sign match fail"})
                elif parts.path.startswith(("/wecom", "/dingtalk")):
                    self.answer(200, {"errcode": 0, "errmsg": "ok"})
                elif parts.path.startswith("/feishu"):
                    self.answer(200, {"code": 0, "msg": "success", "data": {}})
                else:
                    self.answer(202, {"ok": True})

            def answer(self, status: int, obj: Any) -> None:
                data = json.dumps(obj).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass

        class Server(ThreadingHTTPServer):
            daemon_threads = True
            # Two forwarders send up to 14 requests at once; the default listen backlog (5)
            # overflows on a loaded machine and resets connections (seen in a full run).
            request_queue_size = 64

            def handle_error(self, request: Any, client_address: Any) -> None:
                pass  # a hung request's client is gone when it is released

        self.server = Server(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def at(self, path: str) -> list[dict[str, Any]]:
        with self.lock:
            return [r for r in self.requests if r["path"] == path]

    def close(self) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


# --- a real SMTP server --------------------------------------------------------------

class SMTPServer:
    """Just enough SMTP (RFC 5321) for smtplib: EHLO, AUTH PLAIN, MAIL, RCPT, DATA.
    ``mode = "fail"`` answers 451 to MAIL FROM. Advertises no 8BITMIME."""

    def __init__(self) -> None:
        self.messages: list[dict[str, Any]] = []
        self.mode = "ok"
        outer = self

        class Handler(socketserver.StreamRequestHandler):
            def say(self, text: str) -> None:
                self.wfile.write(text.encode() + b"\r\n")

            def handle(self) -> None:
                self.say("220 test.local ESMTP")
                sender, rcpts, auth = "", [], None
                while line := self.rfile.readline():
                    cmd = line.decode("ascii").rstrip("\r\n")
                    verb = cmd.split(" ", 1)[0].upper()
                    if verb == "EHLO":
                        self.wfile.write(b"250-test.local\r\n250-AUTH PLAIN\r\n250 HELP\r\n")
                    elif verb == "HELO":
                        self.say("250 test.local")
                    elif verb == "AUTH":
                        parts = cmd.split(" ")
                        initial = parts[2] if len(parts) > 2 else ""
                        if not initial:
                            self.say("334 ")
                            initial = self.rfile.readline().decode().strip()
                        _, user, password = base64.b64decode(initial).decode().split("\0")
                        auth = (user, password)
                        self.say("235 2.7.0 ok")
                    elif verb == "MAIL" and outer.mode == "fail":
                        self.say("451 4.3.0 try again later")
                    elif verb == "MAIL":
                        sender, rcpts = cmd[10:].strip().strip("<>"), []
                        self.say("250 ok")
                    elif verb == "RCPT":
                        rcpts.append(cmd[8:].strip().strip("<>"))
                        self.say("250 ok")
                    elif verb == "DATA":
                        self.say("354 go ahead")
                        data = bytearray()
                        while (chunk := self.rfile.readline()) not in (b".\r\n", b""):
                            data += chunk[1:] if chunk.startswith(b".") else chunk
                        outer.messages.append({"from": sender, "to": rcpts, "data": bytes(data), "auth": auth})
                        self.say("250 queued")
                    elif verb == "QUIT":
                        self.say("221 bye")
                        return
                    else:
                        self.say("250 ok" if verb in ("RSET", "NOOP") else "502 not implemented")

        class Server(socketserver.ThreadingTCPServer):
            daemon_threads = True
            allow_reuse_address = True

        self.server = Server(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.close()


@pytest.fixture
def smtp() -> Iterator[SMTPServer]:
    s = SMTPServer()
    yield s
    s.close()


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store(f"sqlite:///{tmp_path / 'submissions.db'}")


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def smtp_setting(server: SMTPServer, port: int | None = None) -> str:
    return (f"smtp://127.0.0.1:{port or server.port}/?from=jwh%40hehuali.example"
            "&to=zhuren%40hehuali.example,shuji%40hehuali.example&user=jwh&password=p%2Bss%20w0rd")


def add(store: Store, channels: list[str], public: dict[str, Any] | None = None,
        private: dict[str, Any] | None = None, idem: str = "k1") -> str:
    receipt, created = store.add_sync(Submission(
        form_id="suggestion", idem_key=idem, public=dict(PUBLIC if public is None else public),
        private=dict(PRIVATE if private is None else private), retention_days=30, channels=channels,
        category="repair"))
    assert created
    return receipt


def jobs(store: Store, receipt: str) -> dict[str, dict[str, Any]]:
    return {j["channel"]: j for j in store.outbox() if j["receipt"] == receipt}


def parse_mail(data: bytes) -> email.message.EmailMessage:
    return email.message_from_bytes(data, policy=email.policy.default)  # type: ignore[return-value]


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


# --- each format reaches its receiver ---------------------------------------------------

async def test_generic_json_webhook_shape(receiver: Receiver, store: Store) -> None:
    receipt = add(store, ["webhook:0"])
    fw = Forwarder(store, Settings(webhooks=f"json={receiver.url('/hook')}"), spec=SPEC)
    try:
        assert await fw.run_once() == (1, 0)
    finally:
        await fw.stop()
    [request] = receiver.at("/hook")
    body = request["json"]
    assert request["content_type"] == "application/json"
    assert set(body) == {"receipt", "form", "form_title", "received", "category", "fields", "status_url",
                         "contact_in_inbox"}
    sub = store.get(receipt)
    assert body["receipt"] == receipt
    assert body["form"] == "suggestion" and body["form_title"] == "意见建议"
    assert body["received"] == sub["received_at"]
    assert body["category"] == "repair"
    assert body["fields"] == PUBLIC
    assert body["status_url"] == f"/receipts/{receipt}"
    assert body["contact_in_inbox"] is True
    job = jobs(store, receipt)["webhook:0"]
    assert job["done_at"] is not None and job["attempts"] == 1 and job["last_error"] is None


@pytest.mark.parametrize("kind", ["wecom", "dingtalk", "feishu"])
async def test_robot_message_shapes(receiver: Receiver, store: Store, kind: str) -> None:
    receipt = add(store, ["webhook:0"])
    fw = Forwarder(store, Settings(webhooks=f"{kind}={receiver.url('/' + kind)}?key=abc"), spec=SPEC)
    try:
        assert await fw.run_once() == (1, 0)
    finally:
        await fw.stop()
    [request] = receiver.at(f"/{kind}")
    assert request["query"] == {"key": "abc"}
    body = request["json"]
    if kind == "wecom":
        assert set(body) == {"msgtype", "markdown"} and body["msgtype"] == "markdown"
        assert set(body["markdown"]) == {"content"}
        text = body["markdown"]["content"]
    elif kind == "dingtalk":
        assert set(body) == {"msgtype", "markdown"} and body["msgtype"] == "markdown"
        assert set(body["markdown"]) == {"title", "text"}
        assert receipt in body["markdown"]["title"]
        text = body["markdown"]["text"]
    else:
        assert set(body) == {"msg_type", "content"} and body["msg_type"] == "text"
        assert set(body["content"]) == {"text"}
        text = body["content"]["text"]
    assert receipt in text and "回执" in text
    assert "意见建议" in text  # form title from the spec
    assert "3号楼楼道灯坏了，晚上很黑" in text
    assert "报修" in text  # the choice's label, not its value
    assert CONTACT_NOTE in text
    assert len(text.encode()) <= 4096
    assert jobs(store, receipt)["webhook:0"]["done_at"] is not None


async def test_private_fields_are_never_forwarded(receiver: Receiver, smtp: SMTPServer, store: Store) -> None:
    hooks = ",".join(f"{k}={receiver.url('/' + k)}" for k in ("json", "wecom", "dingtalk", "feishu"))
    receipt = add(store, ["webhook:0", "webhook:1", "webhook:2", "webhook:3", "smtp"])
    fw = Forwarder(store, Settings(webhooks=hooks, smtp=smtp_setting(smtp)), spec=SPEC)
    try:
        assert await fw.run_once() == (5, 0)
    finally:
        await fw.stop()
    assert len(receiver.requests) == 4 and len(smtp.messages) == 1
    mail = parse_mail(smtp.messages[0]["data"])
    texts = [json.dumps(r["json"], ensure_ascii=False) for r in receiver.requests]
    texts += [r["raw"].decode("utf-8") for r in receiver.requests]
    texts += [str(mail["Subject"]), mail.get_content(), smtp.messages[0]["data"].decode("ascii")]
    for text in texts:
        for secret in PRIVATE.values():
            assert secret not in text
        assert "phone" not in text and "电话" not in text and "姓名" not in text
    assert all(receipt in t for t in texts[:4]) and receipt in mail.get_content()
    robots = [json.dumps(receiver.at("/" + k)[0]["json"], ensure_ascii=False) for k in ("wecom", "dingtalk", "feishu")]
    assert all(CONTACT_NOTE in t for t in robots) and CONTACT_NOTE in mail.get_content()
    assert receiver.at("/json")[0]["json"]["contact_in_inbox"] is True
    assert all(r["json"] != {} for r in receiver.requests)


async def test_no_contact_note_without_private_fields(receiver: Receiver, store: Store) -> None:
    receipt = add(store, ["webhook:0", "webhook:1"], private={})
    fw = Forwarder(store, Settings(webhooks=f"json={receiver.url('/json')},wecom={receiver.url('/wecom')}"),
                   spec={"forms": {}})
    try:
        assert await fw.run_once() == (2, 0)
    finally:
        await fw.stop()
    assert receiver.at("/json")[0]["json"]["contact_in_inbox"] is False
    content = receiver.at("/wecom")[0]["json"]["markdown"]["content"]
    assert receipt in content and CONTACT_NOTE not in content
    assert "**text**：" in content and "意见建议" not in content  # no spec: machine names label the fields
    assert receiver.at("/json")[0]["json"]["form_title"] == ""


async def test_resident_text_cannot_inject_chat_markup(receiver: Receiver, store: Store) -> None:
    evil = "点这里 [领奖](http://evil.example/x) ![img](http://evil.example/i.png) <@all> <at user_id=\"all\">所有人</at> # 标题"
    receipt = add(store, ["webhook:0", "webhook:1", "webhook:2", "webhook:3"], public={"text": evil})
    hooks = ",".join(f"{k}={receiver.url('/' + k)}" for k in ("json", "wecom", "dingtalk", "feishu"))
    fw = Forwarder(store, Settings(webhooks=hooks), spec=SPEC)
    try:
        assert await fw.run_once() == (4, 0)
    finally:
        await fw.stop()
    assert receiver.at("/json")[0]["json"]["fields"] == {"text": evil}  # structured data stays exact
    texts = [receiver.at("/wecom")[0]["json"]["markdown"]["content"],
             receiver.at("/dingtalk")[0]["json"]["markdown"]["text"],
             receiver.at("/feishu")[0]["json"]["content"]["text"]]
    for text in texts:
        assert receipt in text and "领奖" in text and "evil.example" in text
        assert "](" not in text and "[" not in text and "<" not in text and "# 标题" not in text


async def test_long_text_is_clipped_for_robots_but_not_for_mail(receiver: Receiver, smtp: SMTPServer,
                                                                store: Store) -> None:
    long_text = "很长的意见。" * 2000
    add(store, ["webhook:0", "smtp"], public={"text": long_text})
    fw = Forwarder(store, Settings(webhooks=f"wecom={receiver.url('/wecom')}", smtp=smtp_setting(smtp)), spec=SPEC)
    try:
        assert await fw.run_once() == (2, 0)
    finally:
        await fw.stop()
    content = receiver.at("/wecom")[0]["json"]["markdown"]["content"]
    assert len(content.encode()) <= 4096 and "很长的意见。" in content
    assert long_text in parse_mail(smtp.messages[0]["data"]).get_content()


@pytest.mark.parametrize("kind", ["dingtalk", "feishu"])
async def test_robot_signature_from_url_fragment(receiver: Receiver, store: Store, kind: str) -> None:
    secret = "SECa1b2c3"
    add(store, ["webhook:0"])
    url = receiver.url(f"/{kind}") + ("?access_token=tok" if kind == "dingtalk" else "")
    fw = Forwarder(store, Settings(webhooks=f"{kind}={url}#secret={secret}"), spec=SPEC)
    try:
        assert await fw.run_once() == (1, 0)
    finally:
        await fw.stop()
    [request] = receiver.at(f"/{kind}")
    assert secret not in request["raw"].decode() and "secret" not in json.dumps(request["query"])
    if kind == "dingtalk":
        stamp, sign = request["query"]["timestamp"], request["query"]["sign"]
        assert request["query"]["access_token"] == "tok"
        assert abs(int(stamp) / 1000 - time.time()) < 60
        expected = hmac.new(secret.encode(), f"{stamp}\n{secret}".encode(), hashlib.sha256).digest()
    else:
        stamp, sign = request["json"]["timestamp"], request["json"]["sign"]
        assert abs(int(stamp) - time.time()) < 60
        expected = hmac.new(f"{stamp}\n{secret}".encode(), b"", hashlib.sha256).digest()
        assert request["json"]["msg_type"] == "text"
    assert sign == base64.b64encode(expected).decode()


# --- e-mail ------------------------------------------------------------------------------

async def test_smtp_delivery_utf8(smtp: SMTPServer, store: Store) -> None:
    receipt = add(store, ["smtp"])
    fw = Forwarder(store, Settings(smtp=smtp_setting(smtp)), spec=SPEC)
    try:
        assert await fw.run_once() == (1, 0)
    finally:
        await fw.stop()
    [message] = smtp.messages
    assert message["from"] == "jwh@hehuali.example"
    assert message["to"] == ["zhuren@hehuali.example", "shuji@hehuali.example"]
    assert message["auth"] == ("jwh", "p+ss w0rd")  # percent-decoded, '+' kept
    assert max(message["data"]) < 128  # 7-bit clean: the server announced no 8BITMIME
    mail = parse_mail(message["data"])
    assert mail["Subject"] == f"[回执 {receipt}] suggestion"
    assert mail["To"] == "zhuren@hehuali.example, shuji@hehuali.example"
    assert mail.get_content_type() == "text/plain" and mail.get_content_charset() == "utf-8"
    body = mail.get_content()
    assert receipt in body and "3号楼楼道灯坏了，晚上很黑" in body and "内容：" in body
    assert "意见建议" in body and CONTACT_NOTE in body
    assert jobs(store, receipt)["smtp"]["done_at"] is not None


async def test_smtp_failure_then_recovery(smtp: SMTPServer, store: Store) -> None:
    smtp.mode = "fail"
    receipt = add(store, ["smtp"])
    fw = Forwarder(store, Settings(smtp=smtp_setting(smtp)), spec=SPEC)
    try:
        before = utc_now()
        assert await fw.run_once() == (0, 1)
        job = jobs(store, receipt)["smtp"]
        assert job["done_at"] is None and job["attempts"] == 1 and "451" in job["last_error"]
        assert dt.datetime.fromisoformat(job["next_at"]) > before
        assert smtp.messages == []
        smtp.mode = "ok"
        assert await fw.run_once(now=utc_now() + dt.timedelta(hours=2)) == (1, 0)
    finally:
        await fw.stop()
    assert len(smtp.messages) == 1 and receipt in parse_mail(smtp.messages[0]["data"])["Subject"]
    assert jobs(store, receipt)["smtp"]["done_at"] is not None


# --- failures, backoff and recovery -----------------------------------------------------

@pytest.mark.parametrize("kind,mode,error", [
    ("json", "500", "HTTP 500"),
    ("json", "hang", "timed out"),
    ("json", "down", "ConnectError"),
    ("wecom", "errcode", "errcode 93000"),
    ("dingtalk", "errcode", "errcode 93000"),
    ("feishu", "feishu-code", "code 19021"),
])
async def test_failure_backs_off_then_recovers(receiver: Receiver, store: Store, kind: str, mode: str,
                                               error: str) -> None:
    url = f"http://127.0.0.1:{closed_port()}/{kind}" if mode == "down" else receiver.url(f"/{kind}")
    receipt = add(store, ["webhook:0"])
    fw = Forwarder(store, Settings(webhooks=f"{kind}={url}"), spec=SPEC, timeout=0.5)
    receiver.mode = mode
    try:
        before = utc_now()
        assert await fw.run_once() == (0, 1)
        after = utc_now()
        job = jobs(store, receipt)["webhook:0"]
        assert job["done_at"] is None and job["attempts"] == 1
        assert error in job["last_error"] and "127.0.0.1" in job["last_error"]
        next_at = dt.datetime.fromisoformat(job["next_at"])  # 10 s × 2^0 × jitter (0.75 … 1), whole seconds
        assert before + dt.timedelta(seconds=6.5) <= next_at <= after + dt.timedelta(seconds=10)
        tried = len(receiver.requests)
        assert tried == (0 if mode == "down" else 1)

        assert await fw.run_once() == (0, 0)  # not due yet: nothing is sent
        assert len(receiver.requests) == tried

        second = utc_now() + dt.timedelta(seconds=12)  # still failing: the wait doubles
        assert await fw.run_once(now=second) == (0, 1)
        job = jobs(store, receipt)["webhook:0"]
        assert job["attempts"] == 2 and job["done_at"] is None
        assert 14 <= (dt.datetime.fromisoformat(job["next_at"]) - second).total_seconds() <= 21

        receiver.mode = "ok"
        if mode == "down":  # the receiver "comes up" where the settings point
            await fw.stop()
            fw = Forwarder(store, Settings(webhooks=f"{kind}={receiver.url('/' + kind)}"), spec=SPEC)
        assert await fw.run_once(now=utc_now() + dt.timedelta(hours=2)) == (1, 0)
    finally:
        await fw.stop()
    delivered = [r for r in receiver.at(f"/{kind}") if r["mode"] == "ok"]
    assert len(delivered) == 1 and receipt in delivered[0]["raw"].decode()
    job = jobs(store, receipt)["webhook:0"]
    assert job["done_at"] is not None and job["attempts"] == 3


async def test_failing_webhook_does_not_block_smtp_or_other_submissions(receiver: Receiver, smtp: SMTPServer,
                                                                        store: Store) -> None:
    receiver.mode = "hang"
    receipts = [add(store, ["webhook:0", "webhook:1", "smtp"], idem=key) for key in "abcd"]
    hooks = f"json={receiver.url('/hook')},json=http://127.0.0.1:{closed_port()}/hook"
    fw = Forwarder(store, Settings(webhooks=hooks, smtp=smtp_setting(smtp)), spec=SPEC, timeout=0.5)
    try:
        assert await fw.run_once() == (4, 8)
    finally:
        await fw.stop()
    assert sorted(parse_mail(m["data"])["Subject"] for m in smtp.messages) == sorted(
        f"[回执 {r}] suggestion" for r in receipts)
    hung = [r["t"] for r in receiver.at("/hook")]
    assert len(hung) == 4  # each hung webhook was tried …
    assert max(hung) - min(hung) < 1.0  # … side by side: one after another would take ≥ 3 × 0.5 s
    for receipt in receipts:
        state = jobs(store, receipt)
        assert state["smtp"]["done_at"] is not None
        assert state["webhook:0"]["done_at"] is None and state["webhook:0"]["attempts"] == 1
        assert state["webhook:1"]["done_at"] is None and state["webhook:1"]["attempts"] == 1
        assert store.get(receipt) is not None


async def test_misconfigured_channels_fail_alone(receiver: Receiver, store: Store) -> None:
    receipt = add(store, ["webhook:0", "webhook:1", "webhook:7", "smtp"])
    hooks = f"slack=http://127.0.0.1:1/x,json={receiver.url('/hook')}"
    fw = Forwarder(store, Settings(webhooks=hooks, smtp="smtp://127.0.0.1:25/?to=a@x.example"), spec=SPEC)
    try:
        assert await fw.run_once() == (1, 3)
    finally:
        await fw.stop()
    state = jobs(store, receipt)
    assert state["webhook:1"]["done_at"] is not None and len(receiver.at("/hook")) == 1
    assert "unknown webhook kind 'slack'" in state["webhook:0"]["last_error"]
    assert "no channel 'webhook:7'" in state["webhook:7"]["last_error"]
    assert "needs from=" in state["smtp"]["last_error"]
    assert all(state[c]["done_at"] is None and state[c]["attempts"] == 1 for c in ("webhook:0", "webhook:7", "smtp"))


async def test_background_loop_forwards_and_stops(receiver: Receiver, store: Store) -> None:
    fw = Forwarder(store, Settings(webhooks=f"json={receiver.url('/hook')}"), spec=SPEC, interval=0.05)
    fw.start()
    try:
        receipt = await anyio.to_thread.run_sync(add, store, ["webhook:0"])
        with anyio.fail_after(5):
            while not receiver.at("/hook"):
                await anyio.sleep(0.02)
        assert receiver.at("/hook")[0]["json"]["receipt"] == receipt
    finally:
        await fw.stop()
    later = await anyio.to_thread.run_sync(lambda: add(store, ["webhook:0"], idem="later"))
    await anyio.sleep(0.3)
    assert len(receiver.at("/hook")) == 1  # stopped: nothing more is sent
    assert jobs(store, later)["webhook:0"]["done_at"] is None


# --- several endpoint processes (--workers > 1) ------------------------------------------

async def test_two_processes_forward_each_job_once(receiver: Receiver, tmp_path: Path) -> None:
    """Each worker process has its own store and forwarder on the same database;
    passes that run at the same time must not send a job twice."""
    db = f"sqlite:///{tmp_path / 'shared.db'}"
    first, second = Store(db), Store(db)
    settings = Settings(webhooks=f"json={receiver.url('/hook')}")
    receipts = [add(first, ["webhook:0"], idem=f"k{i}") for i in range(40)]
    forwarders = [Forwarder(first, settings, spec=SPEC, batch=7), Forwarder(second, settings, spec=SPEC, batch=7)]
    try:
        for _ in range(8):
            await asyncio.gather(*(fw.run_once() for fw in forwarders))
    finally:
        for fw in forwarders:
            await fw.stop()
    sent = [r["json"]["receipt"] for r in receiver.at("/hook")]
    assert sorted(sent) == sorted(receipts), "a job was sent twice, or not at all"
    assert all(j["done_at"] is not None and j["attempts"] == 1 for j in second.outbox())


async def test_a_claim_ends_when_its_process_is_gone(receiver: Receiver, store: Store) -> None:
    """A worker that claimed jobs and died leaves them due again after the lease."""
    receipt = add(store, ["webhook:0"])
    t0 = dt.datetime.now(dt.UTC)
    [claimed] = store.claim_jobs(10, at=iso(t0))  # taken by a worker that is then killed
    assert claimed["receipt"] == receipt and claimed["done_at"] is None
    fw = Forwarder(store, Settings(webhooks=f"json={receiver.url('/hook')}"), spec=SPEC)
    try:
        assert await fw.run_once(now=t0 + dt.timedelta(seconds=60)) == (0, 0)  # still claimed
        assert not receiver.at("/hook")
        assert await fw.run_once(now=t0 + dt.timedelta(seconds=LEASE + 1)) == (1, 0)
    finally:
        await fw.stop()
    assert [r["json"]["receipt"] for r in receiver.at("/hook")] == [receipt]
    assert jobs(store, receipt)["webhook:0"]["done_at"] is not None


# --- end to end: the real endpoint under uvicorn -------------------------------------------

def test_end_to_end_submission_reaches_webhook(receiver: Receiver, tmp_path: Path) -> None:
    from cryptography.fernet import Fernet

    site = tmp_path / "site"
    (site / "forms").mkdir(parents=True)
    (site / "forms" / "spec.json").write_text(json.dumps(SPEC, ensure_ascii=False), encoding="utf-8")
    settings = Settings(site=str(site), db=f"sqlite:///{tmp_path / 'e2e.db'}",
                        webhooks=f"json={receiver.url('/hook')}", min_seconds=0, rate_per_minute=0,
                        encryption_key=Fernet.generate_key().decode())
    app = create_app(settings)
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 10
        while not server.started:
            assert time.monotonic() < deadline, "uvicorn did not start"
            time.sleep(0.02)
        base = f"http://127.0.0.1:{port}"
        with httpx.Client(base_url=base, timeout=10, trust_env=False) as client:
            token = client.get("/forms/suggestion/token").json()["token"]
            answer = client.post("/forms/suggestion", headers={"Accept": "application/json"},
                                 json={"_token": token, "text": "小区东门路灯不亮", "category": "repair",
                                       "name": PRIVATE["name"], "phone": PRIVATE["phone"]})
        assert answer.status_code == 201, answer.text
        receipt = answer.json()["receipt"]
        while not receiver.at("/hook"):
            assert time.monotonic() < deadline + 10, "the webhook never arrived"
            time.sleep(0.05)
        [request] = receiver.at("/hook")
        body = request["json"]
        assert body["receipt"] == receipt and body["form"] == "suggestion" and body["form_title"] == "意见建议"
        assert body["fields"] == {"text": "小区东门路灯不亮", "category": "repair"}
        assert body["contact_in_inbox"] is True and body["status_url"] == answer.json()["status_url"]
        raw = request["raw"].decode()
        assert PRIVATE["name"] not in raw and PRIVATE["phone"] not in raw
        store: Store = app.state.store
        while jobs(store, receipt)["webhook:0"]["done_at"] is None:
            assert time.monotonic() < deadline + 20, "the outbox job was not marked done"
            time.sleep(0.05)
    finally:
        server.should_exit = True
        thread.join(15)
    assert not thread.is_alive()
    assert len(receiver.requests) == 1  # forwarded exactly once
