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
import hmac
import json
import math
import re
import secrets
import time
import urllib.parse
from collections.abc import Awaitable, Callable, Mapping, MutableMapping
from typing import Any

from endpoint import abuse
from endpoint.formdata import parse_urlencoded
from endpoint.settings import Settings
from endpoint.store import Store, Submission
from portal_core import messages
from portal_core.forms import category_of, is_open, validate
from portal_core.languages import pick
from portal_core.tokens import sign_token

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
                 limiter: abuse.SharedLimiter, origins: set[str], channels: list[str], render: Render) -> None:
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
            if not origin_allowed(headers.get("origin"), self.origins, scope):
                raise HTTPError(403, "origin")
            client = client_address(scope)
            if not await self.limiter.allow(client):
                raise HTTPError(429, "rate_limited")
            body = await read_body(receive, headers, settings.max_body)
            data = await decode_body(body, headers.get("content-type", ""), scope)
            input_errors = check_input(data, form)
            raw_lang = first(data, "_lang") or None
            lang = messages.lang_of(headers.get("accept-language"), explicit or raw_lang)
            if first(data, abuse.HONEYPOT):
                raise HTTPError(400, "refused")
            if not is_open(form, dt.date.today()):
                raise HTTPError(410, "closed_form")
            clean, field_errors = validate(form, data)
            field_errors.update(input_errors)
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
                                      else BAD_CHARS.sub("", first(data, f["name"]))) for f in form["fields"]}
                return self._page("form_page.html", lang, 422, spec=form, action=f"/forms/{form_id}?lang={lang}",
                                  values=values, errors=errors, notice=notice,
                                  token=sign_token(self.secret, form_id, time.time() - 0),
                                  idem=first(data, "_idem") or secrets.token_urlsafe(12),
                                  messages=messages.form_texts(lang), title=pick(form["title"], lang))
            idem = idempotency_key(self.secret, first(data, "_idem")[:100], clean)
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


def origin_allowed(origin: str | None, origins: set[str], scope: Scope) -> bool:
    """Whether a browser on ``origin`` may post here: an allowed origin, or the
    endpoint's own (its "please check" and receipt pages post back). Requests
    without ``Origin`` (not from a browser) are not checked. ``null`` (sandboxed
    frames, ``data:`` pages, some privacy modes) only when listed in
    ``PORTAL_ALLOWED_ORIGINS``: any page can make itself ``null``, so letting it
    through would let any site post."""
    if not origin or "*" in origins:
        return True
    bare = origin.rstrip("/")
    return bare in origins or bare == _own_origin(scope)


def _own_origin(scope: Scope) -> str:
    from starlette.datastructures import URL

    url = URL(scope=scope)
    return f"{url.scheme}://{url.netloc}"


def client_address(scope: Scope) -> str:
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
        return bytes(body)
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
            if len(obj) > MAX_FIELDS:
                raise ValueError("Max number of fields exceeded")
            for k, v in obj.items():
                values = _json_values(v)
                if values is not None:
                    data[k] = values
        elif ctype == "multipart/form-data":
            from starlette.requests import Request

            sent = False

            async def replay() -> dict[str, Any]:
                nonlocal sent
                if sent:
                    return {"type": "http.disconnect"}
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}

            form = await Request(scope, replay).form(max_files=0, max_fields=MAX_FIELDS)
            for k, v in form.multi_items():
                if isinstance(v, str):
                    data.setdefault(k, []).append(v)
        else:  # urlencoded (the default for an HTML form)
            data = parse_urlencoded(body.decode("utf-8"), max_fields=MAX_FIELDS)
    except (ValueError, UnicodeDecodeError) as exc:
        raise HTTPError(400, "unreadable") from exc
    except Exception as exc:  # noqa: BLE001 - multipart parser errors of any kind
        raise HTTPError(400, "unreadable") from exc
    return data


class WrongType(str):
    """A JSON value a form field cannot take (a boolean, an object, a list of
    anything but strings): kept in the data as a marker so that ``check_input``
    can name the field in a 422 instead of the value vanishing or turning into
    text such as ``"True"``."""


WRONG_TYPE = WrongType("")


def _json_values(value: Any) -> list[str] | None:
    """A JSON member's values as text; None for ``null`` (the same as leaving the field out)."""
    if value is None:
        return None
    if isinstance(value, str):
        return [value]
    if isinstance(value, bool):  # before int: bool is an int to Python
        return [WRONG_TYPE]
    if isinstance(value, int) or (isinstance(value, float) and math.isfinite(value)):
        return [str(value)]
    if isinstance(value, list) and all(isinstance(x, str) for x in value):
        return value
    return [WRONG_TYPE]


#: At most this many fields in a body (urlencoded, multipart or JSON), values of one name, characters in
#: a name, and characters in a value of the envelope or of a name the form does not have.
MAX_FIELDS, MAX_VALUES, MAX_NAME, MAX_OTHER = 200, 50, 100, 2000
#: Characters refused anywhere in a submission: C0 controls but tab, line feed and carriage return (NUL
#: is refused by PostgreSQL and truncates text in C tools, CSV readers, terminals), DEL, and lone
#: surrogates (only JSON "\ud800" escapes make them; no database can encode them as UTF-8).
BAD_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
#: An idempotency key: printable ASCII, as every client makes them (UUIDs, base64url).
_IDEM = re.compile("[!-~]+")


def check_input(data: dict[str, list[str]], form: dict[str, Any] | None) -> dict[str, tuple[str, dict[str, Any]]]:
    """The one gate between a decoded body and everything behind it (validation, the store, exports).

    A problem with the envelope (a field name, ``_idem``, ``_token``…, or a name
    the form does not have) is not the resident's to fix: HTTPError 400
    ``unreadable``. A problem with a value of one of the form's fields is
    returned as that field's error (code, parameters) for a 422: ``control``
    (control characters), ``type`` (a JSON value of the wrong type). Lengths of
    the form's own fields are checked by ``validate`` against the spec."""
    fields = {f["name"] for f in form["fields"]} if form else set()
    errors: dict[str, tuple[str, dict[str, Any]]] = {}
    if len(data) > MAX_FIELDS:
        raise HTTPError(400, "unreadable")
    for name, values in data.items():
        if not name or len(name) > MAX_NAME or BAD_CHARS.search(name) or len(values) > MAX_VALUES:
            raise HTTPError(400, "unreadable")
        if name in fields:
            if any(isinstance(v, WrongType) for v in values):
                errors[name] = ("type", {})
            elif any(BAD_CHARS.search(v) for v in values):
                errors[name] = ("control", {})
            continue
        if name.startswith("_") and len(values) > 1:  # the envelope's fields are single strings
            raise HTTPError(400, "unreadable")
        for value in values:
            if isinstance(value, WrongType) or len(value) > MAX_OTHER or BAD_CHARS.search(value):
                raise HTTPError(400, "unreadable")
        if name == "_idem" and values[0] and not _IDEM.fullmatch(values[0]):
            raise HTTPError(400, "unreadable")
    return errors


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
    return pick(field["label"], lang) if field else name


def idempotency_key(secret: bytes, idem: str, clean: dict[str, Any]) -> str:
    """The stored key (unique per form) of a submission.

    With ``_idem`` (a page with JavaScript, or the endpoint's own form page):
    the key and a keyed digest of the validated content. A retry of the same
    content (a double click, a fetch that fell back to a plain POST) finds the
    first receipt; the same key with other content (the form edited after the
    browser's back button) is another submission with its own receipt: two
    residents' words are never merged, and nothing typed is dropped. The digest
    is an HMAC so that the stored key does not let anyone test guesses of the
    private fields it covers.

    Without ``_idem`` (a static page without JavaScript) every POST is a new
    submission. The page is built once for everybody, so nothing in it differs
    per visit, and without script the browser adds nothing that does either;
    the client address is no substitute: residents behind one proxy or NAT
    sending the same answers were merged into one receipt (a lost vote, and
    one resident reading and rating another's request). A double click then
    stores twice, which the committee sees; merging would lose a resident."""
    if not idem:
        return "nokey-" + secrets.token_hex(16)
    content = json.dumps(clean, sort_keys=True, ensure_ascii=False).encode()
    return f"{idem}#{hmac.new(secret, content, hashlib.sha256).hexdigest()[:16]}"
