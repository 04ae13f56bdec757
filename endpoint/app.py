"""The ASGI application (Starlette). Contract in ``endpoint/openapi.yaml``.

``POST /forms/{form_id}`` accepts urlencoded, multipart and JSON bodies and
enforces the compiled form spec the site was built with (``site/forms/spec.json``).
HTML clients get a 303 to the receipt page, or a page that keeps what they typed
and says what to fix; JSON clients get 201 ``{"receipt": …}`` or an error object.
Exceptions become HTTP answers here, at this one boundary.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import secrets
import time
import urllib.parse
from pathlib import Path
from typing import Any, AsyncIterator

import jinja2
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from endpoint import abuse, messages
from endpoint.receipts import normalize
from endpoint.settings import Settings
from endpoint.store import Store, Submission
from generator.forms_spec import is_open, loc, validate

TEMPLATES = Path(__file__).resolve().parent.parent / "site_templates"


class HTTPError(Exception):
    def __init__(self, status: int, key: str, **extra: Any) -> None:
        super().__init__(key)
        self.status, self.key, self.extra = status, key, extra


def load_spec(site: Path) -> dict[str, Any]:
    path = site / "forms" / "spec.json"
    if not path.exists():
        raise SystemExit(f"no form spec at {path}: run `portal build` first (or pass --site)")
    return json.loads(path.read_text(encoding="utf-8"))


def create_app(settings: Settings, spec: dict[str, Any] | None = None, store: Store | None = None) -> Starlette:
    spec = spec if spec is not None else load_spec(Path(settings.site))
    forms: dict[str, Any] = spec["forms"]
    secret = settings.secret.encode() if settings.secret else secrets.token_bytes(32)
    encrypt = _fernet(settings.encryption_key)
    store = store or Store(settings.db, encrypt=encrypt)
    limiter = abuse.RateLimiter(settings.rate_per_minute, settings.rate_burst)
    origins = settings.origins()
    channels = _channels(settings)
    env = jinja2.Environment(loader=jinja2.FileSystemLoader([TEMPLATES / "endpoint", TEMPLATES]),
                             autoescape=True)
    env.filters["loc"] = loc
    site_url = settings.site_url.rstrip("/") + "/" if settings.site_url else ""

    def page(template: str, lang: str, status: int = 200, **ctx: Any) -> HTMLResponse:
        html = env.get_template(template).render(
            lang=lang, t=lambda k: messages.text(k, lang), base="", site_url=site_url, **ctx)
        return HTMLResponse(html, status_code=status, headers={**SECURITY_HEADERS, **_retry(status)})

    def wants_json(request: Request) -> bool:
        accept = request.headers.get("accept", "")
        return "application/json" in accept and "text/html" not in accept

    def client_of(request: Request) -> str:
        # Behind a proxy, uvicorn (proxy_headers) has already put the address the
        # trusted proxy saw here; the left-most X-Forwarded-For entry is the
        # client's own claim and must not key the rate limit.
        return request.client.host if request.client else "unknown"

    async def health(request: Request) -> Response:
        return JSONResponse({"status": "ok", "forms": len(forms), "db": store.dialect})

    async def token(request: Request) -> Response:
        form_id = request.path_params["form_id"]
        if form_id not in forms:
            return JSONResponse({"error": "unknown_form"}, status_code=404)
        return JSONResponse({"token": abuse.sign_token(secret, form_id), "min_seconds": settings.min_seconds,
                             "pow_bits": settings.pow_bits}, headers={"Cache-Control": "no-store"})

    async def submit(request: Request) -> Response:
        form_id = request.path_params["form_id"]
        explicit = request.query_params.get("lang")
        lang = messages.lang_of(request.headers.get("accept-language"), explicit)
        as_json = wants_json(request)
        try:
            form = forms.get(form_id)
            if form is None:
                raise HTTPError(404, "unknown_form")
            origin = request.headers.get("origin")
            own = f"{request.url.scheme}://{request.url.netloc}"  # our own "please check" page posts back
            if origin and "*" not in origins and origin.rstrip("/") not in origins | {own} and origin != "null":
                raise HTTPError(403, "origin")
            if not limiter.allow(client_of(request)):
                raise HTTPError(429, "rate_limited")
            data, raw_lang = await _read_body(request, settings.max_body)
            lang = messages.lang_of(request.headers.get("accept-language"), explicit or raw_lang)
            if _first(data, abuse.HONEYPOT):
                raise HTTPError(400, "refused")
            if not is_open(form, dt.date.today()):
                raise HTTPError(410, "closed_form")
            clean, field_errors = validate(form, data)
            errors = {name: messages.field_error(code, lang, _label(form, name, lang), params)
                      for name, (code, params) in field_errors.items()}
            token_problem = abuse.check_token(secret, form_id, _first(data, "_token"), settings.min_seconds,
                                              settings.token_hours * 3600, settings.static_token_days * 86400)
            if not errors and token_problem is None and settings.pow_bits:
                if not abuse.check_pow(_first(data, "_token"), _first(data, "_pow"), settings.pow_bits):
                    token_problem = "pow"
            if errors or token_problem:
                if as_json:
                    if errors:
                        return JSONResponse({"error": "invalid", "message": messages.text("summary", lang),
                                             "fields": errors}, status_code=422, headers=SECURITY_HEADERS)
                    return JSONResponse({"error": "token", "reason": token_problem,
                                         "message": messages.text("confirm", lang)}, status_code=400,
                                        headers=SECURITY_HEADERS)
                notice = None if errors else messages.text(
                    {"too-fast": "too_fast", "expired": "expired"}.get(token_problem or "", "confirm"), lang)
                values = {f["name"]: (data.get(f["name"], []) if f["type"] == "checkbox"
                                      else _first(data, f["name"])) for f in form["fields"]}
                return page("form_page.html", lang, 422, spec=form, action=f"/forms/{form_id}?lang={lang}",
                            values=values, errors=errors, notice=notice,
                            token=abuse.sign_token(secret, form_id, time.time() - 0),
                            idem=_first(data, "_idem") or secrets.token_urlsafe(12),
                            messages=messages.form_texts(lang), title=loc(form["title"], lang))
            idem = _first(data, "_idem")[:100] or _derived_key(form_id, client_of(request), clean)
            private_names = {f["name"] for f in form["fields"] if f["private"]}
            sub = Submission(
                form_id=form_id, idem_key=idem,
                public={k: v for k, v in clean.items() if k not in private_names},
                private={k: v for k, v in clean.items() if k in private_names},
                retention_days=form["retention_days"], channels=channels,
                category=str(clean.get("category") or clean.get("topic") or "") or None,
            )
            receipt, created = await store.add(sub)
        except HTTPError as exc:
            if as_json:
                return JSONResponse({"error": exc.key, "message": messages.text(exc.key, lang)},
                                    status_code=exc.status, headers=_retry(exc.status))
            return page("message.html", lang, exc.status, message=messages.text(exc.key, lang),
                        title=messages.text(exc.key, lang))
        if as_json:
            return JSONResponse({"receipt": receipt, "created": created, "status_url": f"/receipts/{receipt}"},
                                status_code=201 if created else 200, headers=SECURITY_HEADERS)
        return RedirectResponse(f"/receipts/{receipt}?lang={lang}&new={int(created)}", status_code=303)

    async def receipt_status(request: Request) -> Response:
        lang = messages.lang_of(request.headers.get("accept-language"), request.query_params.get("lang"))
        receipt = normalize(request.path_params["receipt"])
        sub = await _in_thread(store.get, receipt) if receipt else None
        if wants_json(request):
            if sub is None:
                return JSONResponse({"error": "not_found"}, status_code=404)
            return JSONResponse(public_view(sub))
        view = public_view(sub) if sub else None
        return page("receipt.html", lang, 200 if sub else 404, sub=view,
                    created=request.query_params.get("new") == "1",
                    title=f"{messages.text('receipt', lang)} {receipt or ''}")

    async def lookup(request: Request) -> Response:
        """The receipt lookup form of the static site (no JavaScript) lands here."""
        lang = messages.lang_of(request.headers.get("accept-language"), request.query_params.get("lang"))
        receipt = normalize(request.query_params.get("r", ""))
        if receipt is None:
            return page("message.html", lang, 404, message=messages.text("not_found", lang),
                        title=messages.text("not_found", lang))
        return RedirectResponse(f"/receipts/{receipt}?lang={lang}", status_code=303)

    async def rating(request: Request) -> Response:
        receipt = normalize(request.path_params["receipt"])
        try:
            data, raw_lang = await _read_body(request, 4096)
        except HTTPError as exc:
            return JSONResponse({"error": exc.key}, status_code=exc.status)
        lang = messages.lang_of(request.headers.get("accept-language"), raw_lang)
        try:
            value = int(_first(data, "rating"))
        except ValueError:
            value = 0
        ok = bool(receipt) and 1 <= value <= 5 and await _in_thread(store.rate, receipt, value)
        if wants_json(request):
            return JSONResponse({"ok": ok}, status_code=200 if ok else 409)
        if not ok:
            return page("message.html", lang, 409, message=messages.text("refused", lang), title="409")
        return RedirectResponse(f"/receipts/{receipt}?lang={lang}", status_code=303)

    async def stylesheet(request: Request) -> Response:
        css = (TEMPLATES / "endpoint" / "endpoint.css").read_text(encoding="utf-8")
        return Response(css, media_type="text/css", headers={"Cache-Control": "public, max-age=3600"})

    async def purge_loop() -> None:
        """Private fields are deleted once their form's retention period has passed."""
        import asyncio
        import logging

        while True:
            try:
                n = await _in_thread(store.purge_expired)
                if n:
                    logging.getLogger("portal.endpoint").info("purged private fields of %d submissions", n)
            except Exception:  # noqa: BLE001 - try again next hour
                logging.getLogger("portal.endpoint").exception("purge failed")
            await asyncio.sleep(3600)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        import asyncio

        store.start()
        purger = asyncio.get_running_loop().create_task(purge_loop())
        forwarder = None
        if channels:
            from endpoint.forwarding import Forwarder

            forwarder = Forwarder(store, settings)
            forwarder.start()
        try:
            yield
        finally:
            purger.cancel()
            if forwarder is not None:
                await forwarder.stop()
            store.stop()

    routes = [
        Route("/health", health),
        Route("/forms/{form_id}/token", token),
        Route("/forms/{form_id}", submit, methods=["POST"]),
        Route("/receipts/lookup", lookup),
        Route("/receipts/{receipt}", receipt_status),
        Route("/receipts/{receipt}/rating", rating, methods=["POST"]),
        Route("/static/endpoint.css", stylesheet),
    ]
    middleware = [Middleware(CORSMiddleware, allow_origins=sorted(origins), allow_methods=["GET", "POST"],
                             allow_headers=["Content-Type", "Accept", "Accept-Language"], max_age=600)]
    app = Starlette(routes=routes, middleware=middleware, lifespan=lifespan)
    app.state.store = store
    app.state.settings = settings
    app.state.secret = secret
    return app


SECURITY_HEADERS = {"X-Content-Type-Options": "nosniff", "Referrer-Policy": "same-origin",
                    "Content-Security-Policy": "default-src 'none'; style-src 'self'; form-action 'self'; "
                                               "frame-ancestors 'none'; base-uri 'none'",
                    "Cache-Control": "no-store"}


def public_view(sub: dict[str, Any]) -> dict[str, Any]:
    """What anyone holding the receipt may see: never the resident's text or private fields."""
    return {"receipt": sub["receipt"], "form": sub["form_id"], "status": sub["status"],
            "received": sub["received_at"], "reply": sub["reply"], "replied": sub["replied_at"],
            "rating": sub["rating"]}


async def _in_thread(fn: Any, *args: Any) -> Any:
    import anyio

    return await anyio.to_thread.run_sync(fn, *args)


def _retry(status: int) -> dict[str, str]:
    return {"Retry-After": "60"} if status == 429 else {}


def _first(data: dict[str, list[str]], name: str) -> str:
    values = data.get(name) or [""]
    value = values[0]
    return value if isinstance(value, str) else str(value)


def _label(form: dict[str, Any], name: str, lang: str) -> str:
    field = next((f for f in form["fields"] if f["name"] == name), None)
    return loc(field["label"], lang) if field else name


def _derived_key(form_id: str, client: str, clean: dict[str, Any]) -> str:
    """Without an idempotency key (no JavaScript), the same content from the same
    client within ten minutes is the same submission (a double click)."""
    bucket = int(time.time() // 600)
    raw = json.dumps([form_id, client, clean, bucket], sort_keys=True, ensure_ascii=False)
    return "auto-" + hashlib.sha256(raw.encode()).hexdigest()[:32]


async def _read_body(request: Request, limit: int) -> tuple[dict[str, list[str]], str | None]:
    length = request.headers.get("content-length")
    if length and length.isdigit() and int(length) > limit:
        raise HTTPError(413, "too_large")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise HTTPError(413, "too_large")
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
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
            request._body = bytes(body)  # the stream is consumed; let Starlette re-read it
            form = await request.form(max_files=0, max_fields=200)
            for k, v in form.multi_items():
                if isinstance(v, str):
                    data.setdefault(k, []).append(v)
        else:  # urlencoded (the default for an HTML form)
            for k, values in urllib.parse.parse_qs(body.decode("utf-8"), keep_blank_values=True,
                                                   max_num_fields=200, strict_parsing=False).items():
                data[k] = values
    except (ValueError, UnicodeDecodeError) as exc:
        raise HTTPError(400, "unreadable") from exc
    except Exception as exc:  # noqa: BLE001 - multipart parser errors of any kind
        raise HTTPError(400, "unreadable") from exc
    return data, _first(data, "_lang") or None


def _channels(settings: Settings) -> list[str]:
    out = [f"webhook:{i}" for i, item in enumerate(x for x in settings.webhooks.split(",") if x.strip())]
    if settings.smtp:
        out.append("smtp")
    return out


def _fernet(key: str) -> Any:
    if not key:
        return None
    from cryptography.fernet import Fernet

    f = Fernet(key.encode())
    return lambda data: f.encrypt(data).decode()
