"""Forwarding: every stored submission is passed on to the committee's channels.

The endpoint writes one ``outbox`` row per channel in the same transaction as
the submission (``endpoint/store.py``), so a forward is never lost; this module
works through that outbox. ``Forwarder(store, settings)`` runs as an asyncio
task next to the app: every ~0.5 s it takes the due jobs, sends them
concurrently and marks each done, or failed with a retry time. Database calls
run in worker threads (``anyio.to_thread``), so the event loop never blocks.

Channels (``settings.webhooks``, comma-separated ``kind=url``; job channel
``webhook:<i>`` is the i-th item):

- ``json``: POST ``{"receipt", "form", "form_title", "received", "category",
  "fields", "status_url", "contact_in_inbox"}``; any 2xx answer is success.
  ``fields`` holds the public fields only; ``status_url`` is the endpoint path
  ``/receipts/<receipt>`` (the same relative URL the submit API returns).
- ``wecom`` (企业微信群机器人): ``{"msgtype": "markdown", "markdown": {"content"}}``;
- ``dingtalk`` (钉钉自定义机器人): ``{"msgtype": "markdown", "markdown": {"title", "text"}}``;
- ``feishu`` (飞书自定义机器人): ``{"msg_type": "text", "content": {"text"}}``.

  A robot answers HTTP 200 even when it refuses a message, so its JSON body is
  checked too: ``errcode`` != 0 (WeCom, DingTalk), ``code`` / ``StatusCode``
  != 0 (Feishu) is a failure. DingTalk and Feishu robots with 加签 / 签名校验
  need the robot's secret: append it to the URL as a fragment,
  ``dingtalk=https://oapi.dingtalk.com/robot/send?access_token=…#secret=SEC…``
  (a fragment is never sent over the network; the signature is added per
  request: DingTalk as ``timestamp``/``sign`` query parameters, Feishu as
  ``timestamp``/``sign`` body fields). Resident text is shown with the markup
  characters of these chat apps (``< > [ ] * _ ` # ~ |``) replaced by their
  full-width forms, so a submission cannot post links, images or @-mentions
  into the committee's group. Every message contains "回执" (a robot secured
  by keywords can use it).

E-mail (``settings.smtp``, job channel ``smtp``):
``smtp[s]://host:port/?from=…&to=a@x,b@y[&starttls=1&user=…&password=…]``
(``smtps`` is TLS from the first byte, port 465 by default; query values are
percent-decoded, ``+`` stays ``+``). Sent with ``smtplib`` in a worker thread:
a plain-text UTF-8 body (base64, so 7-bit clean for any server), subject
``[回执 XXXX-XXXX-XX] <form id>``.

PRIVATE FIELDS ARE NEVER FORWARDED, to any channel. Messages carry the public
fields and, when the submission has private fields, the sentence
"联系方式已保存在收件箱" (contact details are kept in the inbox, ``portal inbox
show <receipt>``). The forwarder never reads ``private_json``. Reasons: robot
messages are stored by third parties and seen by every group member; e-mail and
webhook copies are outside the store, so the form's retention period (the store
deletes private fields after ``retention_days``) and encryption at rest could
not reach them. There is deliberately no setting to turn this off.

Failures: a non-2xx answer, a timeout (5 s), a connection error, a robot error
code, an SMTP error or a configuration problem (unknown channel, bad URL) marks
the job failed with ``next_at`` = now + 10 s × 2^attempts, capped at 1 hour,
times a random factor in [0.75, 1] (jitter); the job stays in the outbox and is
retried forever, hourly at worst (``last_error`` says why). Each job is handled
on its own, so one failing channel never delays or loses another job or
submission beyond the bounded timeout of one pass.

Delivery is at least once: a crash between sending and ``job_done`` sends the
message again at the next start. Several endpoint processes (``--workers`` > 1)
each run a forwarder; a job is sent by one of them only: each pass *claims* its
jobs (``Store.claim_jobs``: in one transaction their ``next_at`` moves
``LEASE`` seconds ahead), so the others skip them. A process that dies holding a
claim leaves its jobs due again when the lease ends. Log messages never contain
webhook URLs (they hold access tokens) or field values.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import datetime as dt
import hashlib
import hmac
import inspect
import json
import logging
import random
import smtplib
import ssl
import time
import urllib.parse
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr
from pathlib import Path
from typing import Any

import anyio
import httpx

from endpoint.settings import Settings
from endpoint.store import Store
from portal_core.china_time import TZ
from portal_core.forms import category_field, public_category
from portal_core.languages import pick

log = logging.getLogger("portal.forwarding")

KINDS = ("json", "wecom", "dingtalk", "feishu")
CONTACT_NOTE = "联系方式已保存在收件箱"
BASE_DELAY = 10.0  # seconds before the first retry
MAX_DELAY = 3600.0  # never wait longer than an hour between tries
LEASE = 600.0  # seconds a claimed job is left to its process: longer than a whole pass can take
ROBOT_VALUE_CHARS = 500  # one field value in a chat message
ROBOT_MAX_BYTES = 4000  # WeCom refuses markdown content over 4096 bytes
#: Markup of the chat apps (markdown, WeCom <@user>/<font>, Feishu <at>) made inert.
_INERT = str.maketrans({"<": "＜", ">": "＞", "[": "［", "]": "］", "*": "＊", "_": "＿",
                        "`": "｀", "#": "＃", "~": "～", "|": "｜"})


class ForwardError(Exception):
    """A forward that did not go through; the message becomes the job's ``last_error``."""


@dataclass(frozen=True)
class Webhook:
    kind: str
    url: str  # without the fragment
    secret: str = ""

    @property
    def where(self) -> str:
        """For logs: kind and host only (the URL holds the access token)."""
        return f"{self.kind}@{urllib.parse.urlsplit(self.url).hostname or '?'}"


@dataclass(frozen=True)
class Mail:
    host: str
    port: int
    sender: str
    to: tuple[str, ...]
    tls: bool = False  # smtps: TLS from the start
    starttls: bool = False
    user: str = ""
    password: str = ""


def parse_webhooks(value: str) -> list[Webhook | str]:
    """The ``webhooks`` setting, indexed like the ``webhook:<i>`` channels; a
    malformed item becomes its error message (the job fails with it).

    >>> [w.kind if isinstance(w, Webhook) else w for w in parse_webhooks("json=https://a/x, slack=https://b")]
    ['json', "unknown webhook kind 'slack' (json, wecom, dingtalk, feishu)"]
    >>> parse_webhooks("dingtalk=https://d/send?access_token=t#secret=SEC1")[0].secret
    'SEC1'
    """
    out: list[Webhook | str] = []
    for item in (x.strip() for x in value.split(",") if x.strip()):
        kind, sep, url = item.partition("=")
        kind = kind.strip().lower()
        if not sep or kind not in KINDS:
            out.append(f"unknown webhook kind {kind!r} ({', '.join(KINDS)})")
            continue
        url, _, fragment = url.strip().partition("#")
        if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
            out.append(f"webhook {kind}: not an http(s) URL")
            continue
        secret = dict(urllib.parse.parse_qsl(fragment)).get("secret", "")
        out.append(Webhook(kind, url, secret))
    return out


def parse_smtp(value: str) -> Mail:
    """The ``smtp`` setting; raises ForwardError naming what is wrong.

    >>> m = parse_smtp("smtp://mail.example.org:587/?from=jwh@example.org&to=a@x.cn,b@y.cn&starttls=1"
    ...                "&user=jwh&password=p%2Bw+d")
    >>> m.port, m.to, m.starttls, m.password
    (587, ('a@x.cn', 'b@y.cn'), True, 'p+w+d')
    """
    parts = urllib.parse.urlsplit(value.strip())
    if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
        raise ForwardError("smtp setting: expected smtp://host:port/?from=…&to=…")
    query: dict[str, str] = {}
    for pair in parts.query.split("&"):
        key, _, raw = pair.partition("=")
        if key:
            query[urllib.parse.unquote(key)] = urllib.parse.unquote(raw)  # not unquote_plus: keep '+'
    to = tuple(a.strip() for a in query.get("to", "").split(",") if a.strip())
    if not query.get("from") or not to:
        raise ForwardError("smtp setting: needs from=… and to=…")
    tls = parts.scheme == "smtps"
    try:
        port = parts.port or (465 if tls else 25)
    except ValueError as exc:
        raise ForwardError("smtp setting: bad port") from exc
    yes = ("1", "true", "yes", "on")
    return Mail(host=parts.hostname, port=port, sender=query["from"], to=to, tls=tls,
                starttls=query.get("starttls", "").lower() in yes,
                user=query.get("user") or urllib.parse.unquote(parts.username or ""),
                password=query.get("password") or urllib.parse.unquote(parts.password or ""))


def backoff(attempts: int, rng: random.Random | None = None) -> float:
    """Seconds to wait after the ``attempts``-th failure (0 for the first):
    10 s × 2^attempts, capped at an hour, with jitter (× 0.75 … 1).

    >>> 7.5 <= backoff(0) <= 10, 60 <= backoff(3) <= 80, 2700 <= backoff(50) <= 3600
    (True, True, True)
    """
    delay = min(MAX_DELAY, BASE_DELAY * 2 ** min(max(attempts, 0), 20))
    return float(delay * (rng or random).uniform(0.75, 1.0))


def iso(moment: dt.datetime) -> str:
    """The store's timestamp format (UTC, seconds), which compares as text."""
    return moment.astimezone(dt.UTC).isoformat(timespec="seconds")


class Forwarder:
    """Works through the outbox; ``start()`` on the running loop, ``await stop()`` at shutdown.

    ``run_once(now=…)`` is one pass (the tests drive time with it).
    """

    def __init__(self, store: Store, settings: Settings, spec: dict[str, Any] | None = None,
                 timeout: float = 5.0, interval: float = 0.5, batch: int = 50, concurrency: int = 8,
                 smtp_timeout: float = 30.0) -> None:
        self.store, self.settings = store, settings
        self.timeout, self.interval, self.batch = timeout, interval, batch
        self.smtp_timeout = smtp_timeout
        self.webhooks = parse_webhooks(settings.webhooks)
        self.mail: Mail | str | None = None
        if settings.smtp:
            try:
                self.mail = parse_smtp(settings.smtp)
            except ForwardError as exc:
                self.mail = str(exc)
        self.forms = (spec if spec is not None else _load_spec(settings.site)).get("forms", {})
        self._limit = asyncio.Semaphore(concurrency)
        self._client: httpx.AsyncClient | None = None
        self._task: asyncio.Task[None] | None = None
        self._stopping: asyncio.Event | None = None
        try:
            self._due_takes_at = "at" in inspect.signature(store.due_jobs).parameters
        except (TypeError, ValueError):
            self._due_takes_at = False
        for i, hook in enumerate(self.webhooks):
            if isinstance(hook, str):
                log.error("webhook:%d will not be forwarded: %s", i, hook)
        if isinstance(self.mail, str):
            log.error("e-mail will not be forwarded: %s", self.mail)

    # -- life cycle ------------------------------------------------------------------
    def start(self) -> None:
        if self._task is None:
            self._stopping = asyncio.Event()
            self._task = asyncio.get_running_loop().create_task(self._run(), name="forwarder")

    async def stop(self) -> None:
        """Let the current pass finish (bounded by the timeouts), then stop."""
        task, self._task = self._task, None
        if task is not None:
            assert self._stopping is not None
            self._stopping.set()
            done, _ = await asyncio.wait({task}, timeout=self.timeout + 2)
            if not done:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    async def _run(self) -> None:
        assert self._stopping is not None
        while not self._stopping.is_set():
            handled = 0
            try:
                sent, failed = await self.run_once()
                handled = sent + failed
            except Exception:  # noqa: BLE001 - e.g. database unavailable: try again next tick
                log.exception("forwarding pass failed")
            if handled >= self.batch:
                continue  # more may be waiting
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), self.interval)

    # -- one pass ----------------------------------------------------------------
    async def run_once(self, now: dt.datetime | None = None) -> tuple[int, int]:
        """Send every job due at ``now`` (default: the real time); returns (sent, failed)."""
        at = iso(now) if now is not None else None
        jobs = await anyio.to_thread.run_sync(self._due, at)
        if not jobs:
            return 0, 0
        results = await asyncio.gather(*(self._handle(job, now) for job in jobs))
        sent = sum(results)
        return sent, len(results) - sent

    def _due(self, at: str | None) -> list[dict[str, Any]]:
        claim = getattr(self.store, "claim_jobs", None)
        if claim is not None:  # taken by this process only (other workers skip them)
            return sorted(claim(self.batch, at=at, lease_seconds=LEASE), key=lambda j: (j["next_at"], j["id"]))
        if at is None:
            return self.store.due_jobs(self.batch)
        if self._due_takes_at:
            return self.store.due_jobs(self.batch, at=at)
        # The store cannot be asked about another time yet: filter the outbox here.
        due = [j for j in self.store.outbox() if j["done_at"] is None and j["next_at"] <= at]
        return sorted(due, key=lambda j: (j["next_at"], j["id"]))[: self.batch]

    async def _handle(self, job: dict[str, Any], now: dt.datetime | None) -> bool:
        async with self._limit:
            try:
                sub = await anyio.to_thread.run_sync(self.store.get, job["receipt"])
                if sub is None:
                    raise ForwardError("submission not found")
                await self.send(job["channel"], sub)
            except Exception as exc:  # noqa: BLE001 - every failure is retried later
                error = _describe(exc)
                delay = backoff(int(job["attempts"] or 0))
                next_at = iso((now or dt.datetime.now(dt.UTC)) + dt.timedelta(seconds=delay))
                log.warning("forward %s of %s failed (attempt %d, retry at %s): %s",
                            job["channel"], job["receipt"], int(job["attempts"] or 0) + 1, next_at, error)
                try:
                    await anyio.to_thread.run_sync(self.store.job_failed, job["id"], error, next_at)
                except Exception:  # noqa: BLE001 - the job stays due and is tried again
                    log.exception("could not record the failure of outbox job %s", job["id"])
                return False
            try:
                await anyio.to_thread.run_sync(self.store.job_done, job["id"])
            except Exception:  # noqa: BLE001 - it will be sent once more (at least once)
                log.exception("forwarded outbox job %s but could not mark it done", job["id"])
            log.info("forwarded %s to %s", job["receipt"], job["channel"])
            return True

    # -- sending -----------------------------------------------------------------
    async def send(self, channel: str, sub: dict[str, Any]) -> None:
        """Send one submission to one channel; raises on any failure."""
        if channel == "smtp":
            if self.mail is None:
                raise ForwardError("no smtp setting")
            if isinstance(self.mail, str):
                raise ForwardError(self.mail)
            message = self.email(sub, self.mail)
            await anyio.to_thread.run_sync(self._send_mail, self.mail, message)
            return
        kind, _, index = channel.partition(":")
        if kind != "webhook" or not index.isdigit() or int(index) >= len(self.webhooks):
            raise ForwardError(f"no channel {channel!r} in the settings")
        hook = self.webhooks[int(index)]
        if isinstance(hook, str):
            raise ForwardError(hook)
        await self._post(hook, self.payload(hook.kind, sub))

    async def _post(self, hook: Webhook, payload: dict[str, Any]) -> None:
        url = hook.url
        if hook.secret and hook.kind == "dingtalk":
            stamp = str(int(time.time() * 1000))
            digest = hmac.new(hook.secret.encode(), f"{stamp}\n{hook.secret}".encode(), hashlib.sha256).digest()
            sign = urllib.parse.quote_plus(base64.b64encode(digest).decode())
            url += ("&" if urllib.parse.urlsplit(url).query else "?") + f"timestamp={stamp}&sign={sign}"
        elif hook.secret and hook.kind == "feishu":
            stamp = str(int(time.time()))
            digest = hmac.new(f"{stamp}\n{hook.secret}".encode(), b"", hashlib.sha256).digest()
            payload = {"timestamp": stamp, "sign": base64.b64encode(digest).decode(), **payload}
        if self._client is None:
            self._client = httpx.AsyncClient(timeout=self.timeout, headers={"User-Agent": "community-portal"})
        try:
            response = await self._client.post(url, json=payload)
        except httpx.TimeoutException as exc:
            raise ForwardError(f"{hook.where}: timed out after {self.timeout:g} s") from exc
        except httpx.HTTPError as exc:
            raise ForwardError(f"{hook.where}: {type(exc).__name__}: {exc}") from exc
        if not 200 <= response.status_code < 300:
            raise ForwardError(f"{hook.where}: HTTP {response.status_code} {response.text[:200]}")
        if hook.kind == "json":
            return
        try:
            answer = response.json()
        except ValueError as exc:
            raise ForwardError(f"{hook.where}: answer is not JSON: {response.text[:200]}") from exc
        if not isinstance(answer, dict):
            raise ForwardError(f"{hook.where}: unexpected answer {response.text[:200]}")
        keys = ("code", "StatusCode") if hook.kind == "feishu" else ("errcode",)
        for key in keys:
            if answer.get(key) not in (None, 0, "0"):
                message = answer.get("msg") or answer.get("errmsg") or answer.get("StatusMessage") or ""
                raise ForwardError(f"{hook.where}: {key} {answer[key]} {message}"[:300])

    def _send_mail(self, mail: Mail, message: EmailMessage) -> None:
        context = ssl.create_default_context()
        server: smtplib.SMTP
        if mail.tls:
            server = smtplib.SMTP_SSL(mail.host, mail.port, timeout=self.smtp_timeout, context=context)
        else:
            server = smtplib.SMTP(mail.host, mail.port, timeout=self.smtp_timeout)
        with server:
            if mail.starttls:
                server.starttls(context=context)
            if mail.user:
                server.login(mail.user, mail.password)
            refused = server.send_message(message, from_addr=parseaddr(mail.sender)[1], to_addrs=list(mail.to))
        if refused:  # some recipients took it: resending would duplicate theirs
            log.warning("e-mail for %s refused by %d recipient(s)", message["Subject"], len(refused))

    # -- messages ------------------------------------------------------------------
    def payload(self, kind: str, sub: dict[str, Any]) -> dict[str, Any]:
        """The JSON body for a webhook of ``kind``."""
        receipt = sub["receipt"]
        if kind == "json":
            return {"receipt": receipt, "form": sub["form_id"], "form_title": self._title(sub["form_id"]),
                    "received": sub["received_at"], "category": self._category(sub),
                    "fields": _public(sub), "status_url": f"/receipts/{receipt}",
                    "contact_in_inbox": sub["private_json"] is not None}
        title = f"新提交 · 回执 {receipt}"
        if kind == "wecom":
            return {"msgtype": "markdown", "markdown": {"content": _clip("\n".join(self._lines(sub, md=True)))}}
        if kind == "dingtalk":
            return {"msgtype": "markdown",
                    "markdown": {"title": title, "text": _clip("\n\n".join(self._lines(sub, md=True)))}}
        if kind == "feishu":
            return {"msg_type": "text", "content": {"text": _clip("\n".join(self._lines(sub, md=False)))}}
        raise ForwardError(f"unknown webhook kind {kind!r}")

    def email(self, sub: dict[str, Any], mail: Mail) -> EmailMessage:
        message = EmailMessage()
        message["Subject"] = f"[回执 {sub['receipt']}] {sub['form_id']}"
        message["From"] = mail.sender
        message["To"] = ", ".join(mail.to)
        message["Date"] = formatdate(usegmt=True)
        domain = parseaddr(mail.sender)[1].rpartition("@")[2] or "portal.invalid"
        message["Message-ID"] = make_msgid("receipt." + sub["receipt"], domain=domain)
        body = "\n".join(self._lines(sub, md=False, full=True)) + "\n"
        message.set_content(body, charset="utf-8", cte="base64")
        return message

    def _lines(self, sub: dict[str, Any], md: bool, full: bool = False) -> list[str]:
        """The human-readable message; ``md``: chat markdown (labels bold, values inert)."""
        form = self.forms.get(sub["form_id"], {})

        def value(text: str) -> str:
            if not full and len(text) > ROBOT_VALUE_CHARS:
                text = text[:ROBOT_VALUE_CHARS] + "…"
            return text if full else text.translate(_INERT)

        def bold(text: str) -> str:
            return f"**{text}**" if md else text

        title = self._title(sub["form_id"])
        lines = [bold(f"社区表单新提交：{title}" if title else "社区表单新提交"),
                 f"回执号：{sub['receipt']}",
                 f"表单：{sub['form_id']}",
                 f"收到时间：{_local(sub['received_at'])}"]
        public = _public(sub)
        category = self._category(sub)
        if category and category_field(form)["name"] not in public:  # type: ignore[index]
            lines.append(f"类别：{value(category)}")
        fields = {f["name"]: f for f in form.get("fields", [])}
        for name, raw in public.items():
            spec = fields.get(name, {})
            label = pick(spec.get("label"), "zh") or name
            text = _display(spec, raw)
            if "\n" in text:
                lines.append(f"{bold(label)}：")
                lines.extend(value(line) for line in text.splitlines())
            else:
                lines.append(f"{bold(label)}：{value(text)}")
        if sub["private_json"] is not None:
            lines.append(f"{CONTACT_NOTE}（portal inbox show {sub['receipt']}）")
        return lines

    def _category(self, sub: dict[str, Any]) -> str | None:
        """The stored category if it is a choice of the form's public category field:
        rows stored before that rule may hold a private answer as their category."""
        return public_category(self.forms.get(sub["form_id"], {}), sub["category"])

    def _title(self, form_id: str) -> str:
        return pick(self.forms.get(form_id, {}).get("title"), "zh")


def _load_spec(site: str) -> dict[str, Any]:
    """Form titles and labels for nicer messages; the machine names do without them."""
    path = Path(site) / "forms" / "spec.json"
    try:
        spec: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        return spec
    except (OSError, ValueError):
        return {}


def _public(sub: dict[str, Any]) -> dict[str, Any]:
    try:
        data = json.loads(sub["public_json"] or "{}")
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _display(spec: dict[str, Any], raw: Any) -> str:
    """A value as people read it: choice labels, lists joined with 、."""
    labels = {c["value"]: pick(c.get("label"), "zh") for c in spec.get("choices", [])}
    values = raw if isinstance(raw, list) else [raw]
    return "、".join(labels.get(v, str(v)) if isinstance(v, str) else str(v) for v in values)


def _local(received: str) -> str:
    try:
        moment = dt.datetime.fromisoformat(received)
    except (TypeError, ValueError):
        return str(received)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(TZ).strftime("%Y-%m-%d %H:%M（北京时间）")


def _clip(text: str, limit: int = ROBOT_MAX_BYTES) -> str:
    data = text.encode("utf-8")
    if len(data) <= limit:
        return text
    return data[: limit - 3].decode("utf-8", "ignore") + "…"


def _describe(exc: BaseException) -> str:
    if isinstance(exc, ForwardError):
        return str(exc)
    return f"{type(exc).__name__}: {exc}"[:500]
