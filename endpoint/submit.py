"""``POST /forms/{form_id}``, the endpoint's hot path, as a plain ASGI handler.

The rest of the app is Starlette (``endpoint/app.py``); this one route is
served without its middleware stack, request and response objects, which cost
more CPU per submission than everything the endpoint itself checks (profile in
bench/README.md). Behaviour is the route's as documented in
``endpoint/openapi.yaml``, including what Starlette's middleware added:

- CORS answers as Starlette's ``CORSMiddleware`` gives them for a simple
  request: ``Vary: Origin`` always, ``Access-Control-Allow-Origin`` when the
  ``Origin`` is allowed (preflight ``OPTIONS`` requests still go to Starlette);
- an unexpected exception becomes a plain ``500 Internal Server Error`` (as
  Starlette's ``ServerErrorMiddleware``) and is raised on for the server to log.

Multipart bodies are rare (the site's forms post urlencoded, its script JSON)
and are still parsed by Starlette's parser.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import secrets
import time
import urllib.parse
from collections.abc import Awaitable, Callable, Mapping, MutableMapping
from typing import Any

from endpoint import abuse, messages
from endpoint.formdata import parse_urlencoded
from endpoint.settings import Settings
from endpoint.store import Store, Submission
from generator.forms_spec import category_of, is_open, loc, validate

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]
#: template, lang, status, context -> HTML (the app's jinja environment)
Render = Callable[..., str]

SECURITY_HEADERS = {"X-Content-Type-Options": "nosniff", "Referrer-Policy": "same-origin",
                    "Content-Security-Policy": "default-src 'none'; style-src 'self'; form-action 'self'; "
                                               "frame-ancestors 'none'; base-uri 'none'",
                    "Cache-Control": "no-store"}
_SECURITY_RAW = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in SECURITY_HEADERS.items()]
_JSON_TYPE = (b"content-type", b"application/json")
_HTML_TYPE = (b"content-type", b"text/html; charset=utf-8")
_VARY = (b"vary", b"Origin")
#: Characters left as they are in a Location header (what Starlette's RedirectResponse keeps).
_LOCATION_SAFE = ":/%#?=@[]!$&'()*+,;"


class HTTPError(Exception):
    """An answer other than success; turned into JSON or a page at the boundary."""

    def __init__(self, status: int, key: str, **extra: Any) -> None:
        super().__init__(key)
        self.status, self.key, self.extra = status, key, extra


class Disconnected(Exception):
    """The client went away before its body arrived: nothing to answer."""


class Submit:
    """The ASGI handler of ``POST /forms/{form_id}``: ``await submit(scope, receive, send, form_id)``."""

    def __init__(self, *, forms: dict[str, Any], settings: Settings, secret: bytes, store: Store,
                 limiter: abuse.RateLimiter, origins: set[str], channels: list[str], render: Render) -> None:
        self.forms, self.settings, self.secret, self.store = forms, settings, secret, store
        self.limiter, self.origins, self.channels, self.render = limiter, origins, channels, render
        self.allow_all = "*" in origins
        # Per form, computed once instead of per request.
        self.private_names = {fid: frozenset(f["name"] for f in form["fields"] if f["private"])
                              for fid, form in forms.items()}

    async def __call__(self, scope: Scope, receive: Receive, send: Send, form_id: str,
                       standalone: bool = True) -> None:
        """``standalone=False`` when Starlette's middleware wraps the call (it adds
        the CORS headers and answers 500 itself)."""
        headers: dict[str, str] = {}
        for key, value in reversed(scope["headers"]):  # the first of repeated headers wins, as in Starlette
            headers[key.decode("latin-1")] = value.decode("latin-1")
        try:
            status, extra, body = await self.handle(scope, receive, headers, form_id)
        except Disconnected:
            return
        except Exception:
            if standalone:  # as Starlette's ServerErrorMiddleware answers (outside CORS), then the server logs it
                await send({"type": "http.response.start", "status": 500, "headers": [
                    (b"content-length", b"21"), (b"content-type", b"text/plain; charset=utf-8")]})
                await send({"type": "http.response.body", "body": b"Internal Server Error"})
            raise
        extra.append((b"content-length", str(len(body)).encode()))
        if standalone:
            extra += self._cors(headers.get("origin"))
        await send({"type": "http.response.start", "status": status, "headers": extra})
        await send({"type": "http.response.body", "body": body})

    def _cors(self, origin: str | None) -> list[tuple[bytes, bytes]]:
        """What CORSMiddleware adds to a simple (non-preflight) answer."""
        if origin is None:
            return [_VARY]
        if self.allow_all:
            return [(b"access-control-allow-origin", b"*"), _VARY]
        if origin in self.origins:
            return [(b"access-control-allow-origin", origin.encode("latin-1")), _VARY]
        return [_VARY]

    async def handle(self, scope: Scope, receive: Receive, headers: dict[str, str],
                     form_id: str) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
        """(status, headers without content-length and CORS, body) for one submission."""
        settings = self.settings
        query = scope.get("query_string", b"")
        explicit = _query_lang(query) if query else None
        lang = messages.lang_of(headers.get("accept-language"), explicit)
        as_json = wants_json(headers.get("accept", ""))
        try:
            form = self.forms.get(form_id)
            if form is None:
                raise HTTPError(404, "unknown_form")
            origin = headers.get("origin")
            if origin and not self.allow_all and origin != "null":
                bare = origin.rstrip("/")
                if bare not in self.origins and bare != _own_origin(scope):  # our "please check" page posts back
                    raise HTTPError(403, "origin")
            client = _client(scope)
            if not self.limiter.allow(client):
                raise HTTPError(429, "rate_limited")
            body = await read_body(receive, headers, settings.max_body)
            data = await decode_body(body, headers.get("content-type", ""), scope)
            raw_lang = first(data, "_lang") or None
            lang = messages.lang_of(headers.get("accept-language"), explicit or raw_lang)
            if first(data, abuse.HONEYPOT):
                raise HTTPError(400, "refused")
            if not is_open(form, dt.date.today()):
                raise HTTPError(410, "closed_form")
            clean, field_errors = validate(form, data)
            errors = {name: messages.field_error(code, lang, _label(form, name, lang), params)
                      for name, (code, params) in field_errors.items()}
            token = first(data, "_token")
            token_problem = abuse.check_token(self.secret, form_id, token, settings.min_seconds,
                                              settings.token_hours * 3600, settings.static_token_days * 86400)
            if not errors and token_problem is None and settings.pow_bits:
                if not abuse.check_pow(token, first(data, "_pow"), settings.pow_bits):
                    token_problem = "pow"
            if errors or token_problem:
                if as_json:
                    if errors:
                        return _json(422, {"error": "invalid", "message": messages.text("summary", lang),
                                           "fields": errors}, _SECURITY_RAW)
                    return _json(400, {"error": "token", "reason": token_problem,
                                       "message": messages.text("confirm", lang)}, _SECURITY_RAW)
                notice = None if errors else messages.text(
                    {"too-fast": "too_fast", "expired": "expired"}.get(token_problem or "", "confirm"), lang)
                values = {f["name"]: (data.get(f["name"], []) if f["type"] == "checkbox"
                                      else first(data, f["name"])) for f in form["fields"]}
                return self._page("form_page.html", lang, 422, spec=form, action=f"/forms/{form_id}?lang={lang}",
                                  values=values, errors=errors, notice=notice,
                                  token=abuse.sign_token(self.secret, form_id, time.time() - 0),
                                  idem=first(data, "_idem") or secrets.token_urlsafe(12),
                                  messages=messages.form_texts(lang), title=loc(form["title"], lang))
            idem = first(data, "_idem")[:100] or derived_key(form_id, client, clean)
            private_names = self.private_names[form_id]
            sub = Submission(
                form_id=form_id, idem_key=idem,
                public={k: v for k, v in clean.items() if k not in private_names},
                private={k: v for k, v in clean.items() if k in private_names},
                retention_days=form["retention_days"], channels=self.channels,
                category=category_of(form, clean),  # a public choice only, never a private answer
            )
            receipt, created = await self.store.add(sub)
        except HTTPError as exc:
            if as_json:
                return _json(exc.status, {"error": exc.key, "message": messages.text(exc.key, lang)},
                             retry_headers(exc.status))
            return self._page("message.html", lang, exc.status, message=messages.text(exc.key, lang),
                              title=messages.text(exc.key, lang))
        if as_json:
            # The same bytes as json.dumps(…, separators=(",", ":")): a receipt has only [0-9A-Z-].
            body = (f'{{"receipt":"{receipt}","created":{"true" if created else "false"},'
                    f'"status_url":"/receipts/{receipt}"}}').encode()
            return (201 if created else 200), [*_SECURITY_RAW, _JSON_TYPE], body
        location = urllib.parse.quote(f"/receipts/{receipt}?lang={lang}&new={int(created)}", safe=_LOCATION_SAFE)
        return 303, [(b"location", location.encode("latin-1"))], b""

    def _page(self, template: str, lang: str, status: int, **ctx: Any) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
        html = self.render(template, lang, **ctx)
        return status, [*_SECURITY_RAW, *retry_headers(status), _HTML_TYPE], html.encode("utf-8")


# -- request parts ---------------------------------------------------------------------

def _query_lang(query: bytes) -> str | None:
    """The ``lang`` query parameter (the last one, as Starlette's ``query_params.get``)."""
    if b"lang" not in query:
        return None
    found = None
    for key, value in urllib.parse.parse_qsl(query.decode("latin-1"), keep_blank_values=True):
        if key == "lang":
            found = value
    return found


def _own_origin(scope: Scope) -> str:
    from starlette.datastructures import URL

    url = URL(scope=scope)
    return f"{url.scheme}://{url.netloc}"


def _client(scope: Scope) -> str:
    # Behind a proxy, uvicorn (proxy_headers) has already put the address the
    # trusted proxy saw here; the left-most X-Forwarded-For entry is the
    # client's own claim and must not key the rate limit.
    client = scope.get("client")
    return client[0] if client else "unknown"


def wants_json(accept: str) -> bool:
    """JSON for clients that ask for it and not for HTML (fetch from forms.js)."""
    return "application/json" in accept and "text/html" not in accept


async def read_body(receive: Receive, headers: Mapping[str, str], limit: int) -> bytes:
    """The request body, refused with 413 as soon as it passes ``limit`` bytes."""
    length = headers.get("content-length")
    if length and length.isdigit() and int(length) > limit:
        raise HTTPError(413, "too_large")
    message = await receive()
    if message["type"] == "http.request" and not message.get("more_body", False):
        body = message.get("body", b"")  # the usual case: one message
        if len(body) > limit:
            raise HTTPError(413, "too_large")
        return body
    chunks = bytearray()
    while True:
        if message["type"] == "http.disconnect":
            raise Disconnected
        chunks += message.get("body", b"")
        if len(chunks) > limit:
            raise HTTPError(413, "too_large")
        if not message.get("more_body", False):
            return bytes(chunks)
        message = await receive()


async def decode_body(body: bytes, content_type: str, scope: Scope) -> dict[str, list[str]]:
    """Field name -> values of a urlencoded, JSON or multipart body; HTTPError 400 if unreadable."""
    ctype = content_type.split(";")[0].strip().lower()
    data: dict[str, list[str]] = {}
    try:
        if ctype == "application/json":
            obj = json.loads(body or b"{}")
            if not isinstance(obj, dict):
                raise ValueError("not an object")
            for k, v in obj.items():
                if isinstance(v, list):
                    data[str(k)] = [str(x) for x in v if isinstance(x, (str, int, float))]
                elif isinstance(v, (str, int, float)) and not isinstance(v, bool):
                    data[str(k)] = [str(v)]
        elif ctype == "multipart/form-data":
            from starlette.requests import Request

            sent = False

            async def replay() -> dict[str, Any]:
                nonlocal sent
                if sent:
                    return {"type": "http.disconnect"}
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}

            form = await Request(scope, replay).form(max_files=0, max_fields=200)
            for k, v in form.multi_items():
                if isinstance(v, str):
                    data.setdefault(k, []).append(v)
        else:  # urlencoded (the default for an HTML form)
            data = parse_urlencoded(body.decode("utf-8"), max_fields=200)
    except (ValueError, UnicodeDecodeError) as exc:
        raise HTTPError(400, "unreadable") from exc
    except Exception as exc:  # noqa: BLE001 - multipart parser errors of any kind
        raise HTTPError(400, "unreadable") from exc
    return data


# -- answers -----------------------------------------------------------------------------

def _json(status: int, content: Any, headers: list[tuple[bytes, bytes]]) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
    """What Starlette's JSONResponse sends."""
    body = json.dumps(content, ensure_ascii=False, allow_nan=False, indent=None, separators=(",", ":")).encode()
    return status, [*headers, _JSON_TYPE], body


def retry_headers(status: int) -> list[tuple[bytes, bytes]]:
    return [(b"retry-after", b"60")] if status == 429 else []


def first(data: dict[str, list[str]], name: str) -> str:
    values = data.get(name) or [""]
    value = values[0]
    return value if isinstance(value, str) else str(value)


def _label(form: dict[str, Any], name: str, lang: str) -> str:
    field = next((f for f in form["fields"] if f["name"] == name), None)
    return loc(field["label"], lang) if field else name


def derived_key(form_id: str, client: str, clean: dict[str, Any]) -> str:
    """Without an idempotency key (no JavaScript), the same content from the same
    client within ten minutes is the same submission (a double click)."""
    bucket = int(time.time() // 600)
    raw = json.dumps([form_id, client, clean, bucket], sort_keys=True, ensure_ascii=False)
    return "auto-" + hashlib.sha256(raw.encode()).hexdigest()[:32]
