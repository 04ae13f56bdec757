"""The ASGI application (Starlette). Contract in ``endpoint/openapi.yaml``.

``POST /forms/{form_id}`` accepts urlencoded, multipart and JSON bodies and
enforces the compiled form spec the site was built with (``site/forms/spec.json``).
HTML clients get a 303 to the receipt page, or a page that keeps what they typed
and says what to fix; JSON clients get 201 ``{"receipt": …}`` or an error object.
Exceptions become HTTP answers here, at this one boundary.

``POST /forms/{form_id}`` itself, the one route under load, is served by the
plain ASGI handler in ``endpoint/submit.py`` before Starlette's middleware and
routing run (``PortalApp.__call__``); the route stays in the route table, so
the app still lists and documents it.
"""

from __future__ import annotations

import contextlib
import json
import secrets
from pathlib import Path
from typing import Any, AsyncIterator

import jinja2
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from endpoint import abuse
from endpoint.ballots import Ballots
from endpoint.settings import Settings
from endpoint.store import ForeignStore, Store
from endpoint.submit import (
    SECURITY_HEADERS,
    HTTPError,
    Receive,
    Scope,
    Send,
    Submit,
    check_input,
    client_address,
    decode_body,
    first,
    origin_allowed,
    read_body,
    wants_json,
)
from portal_core import i18n, messages
from portal_core.languages import pick
from portal_core.receipts import normalize
from portal_core.tokens import sign_token

TEMPLATES = Path(__file__).resolve().parent.parent / "site_templates"
__all__ = ["SECURITY_HEADERS", "HTTPError", "PortalApp", "bind_community", "create_app", "load_spec", "public_view"]


class PortalApp(Starlette):
    """Starlette, with ``POST /forms/{form_id}`` handed straight to ``Submit``."""

    submit: Submit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "POST" and not scope.get("root_path"):
            path: str = scope["path"]
            # The route's {form_id} is one non-empty path segment.
            if path.startswith("/forms/") and len(path) > 7 and "/" not in path[7:]:
                scope["app"] = self
                await self.submit(scope, receive, send, path[7:])
                return
        await super().__call__(scope, receive, send)


class _SubmitRoute:
    """The route table's entry for ``POST /forms/{form_id}`` (reached only with a
    root_path, through Starlette's middleware: CORS headers and the 500 answer are theirs)."""

    def __init__(self, submit: Submit) -> None:
        self.submit = submit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.submit(scope, receive, send, scope["path_params"]["form_id"], standalone=False)


def load_spec(site: Path) -> dict[str, Any]:
    path = site / "forms" / "spec.json"
    if not path.exists():
        raise SystemExit(f"no form spec at {path}: run `portal build` first (or pass --site)")
    spec: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return spec


def create_app(settings: Settings, spec: dict[str, Any] | None = None, store: Store | None = None) -> PortalApp:
    spec = spec if spec is not None else load_spec(Path(settings.site))
    forms: dict[str, Any] = spec["forms"]
    secret = settings.secret.encode() if settings.secret else secrets.token_bytes(32)
    encrypt = _fernet(settings.encryption_key)
    store = store or Store(settings.db, encrypt=encrypt)
    if bind_community(store, spec.get("community")):
        import logging

        logging.getLogger("portal.endpoint").warning(
            "%s", i18n.both("endpoint.store-adopted", community=spec["community"]))
    limiter = abuse.SharedLimiter(store, "submit", settings.rate_per_minute, settings.rate_burst)
    origins = settings.origins()
    channels = _channels(settings)
    env = jinja2.Environment(loader=jinja2.FileSystemLoader([TEMPLATES / "endpoint", TEMPLATES]),
                             autoescape=True)
    env.filters["loc"] = pick
    site_url = settings.site_url.rstrip("/") + "/" if settings.site_url else ""

    def render(template: str, lang: str, **ctx: Any) -> str:
        return env.get_template(template).render(
            lang=lang, t=lambda k: messages.text(k, lang), base="", site_url=site_url, **ctx)

    def page(template: str, lang: str, status: int = 200, **ctx: Any) -> HTMLResponse:
        return HTMLResponse(render(template, lang, **ctx), status_code=status,
                            headers={**SECURITY_HEADERS, **_retry(status)})

    submit = Submit(forms=forms, settings=settings, secret=secret, store=store, limiter=limiter, origins=origins,
                    channels=channels, render=render)

    async def health(request: Request) -> Response:
        return JSONResponse({"status": "ok", "forms": len(forms), "db": store.dialect})

    async def token(request: Request) -> Response:
        form_id = request.path_params["form_id"]
        if form_id not in forms:
            return JSONResponse({"error": "unknown_form"}, status_code=404)
        return JSONResponse({"token": sign_token(secret, form_id), "min_seconds": settings.min_seconds,
                             "pow_bits": settings.pow_bits}, headers={"Cache-Control": "no-store"})

    lookups = abuse.SharedLimiter(store, "lookup", settings.lookup_per_minute, settings.lookup_burst)

    ballots = Ballots(rounds=spec.get("ballots") or {}, settings=settings, token_secret=secret, store=store,
                      origins=origins, lookups=lookups, render=render)

    async def too_many(request: Request) -> Response | None:
        """429 when this client looks up or rates receipts faster than allowed, else None."""
        if await lookups.allow(client_address(request.scope)):
            return None
        lang = messages.lang_of(request.headers.get("accept-language"), request.query_params.get("lang"))
        retry = {"Retry-After": str(lookups.retry_after())}
        message = messages.text("lookups_limited", lang)
        if wants_json(request.headers.get("accept", "")):
            return JSONResponse({"error": "rate_limited", "message": message}, status_code=429, headers=retry)
        return HTMLResponse(render("message.html", lang, message=message, title=message), status_code=429,
                            headers={**SECURITY_HEADERS, **retry})

    async def receipt_status(request: Request) -> Response:
        if (refused := await too_many(request)) is not None:
            return refused
        lang = messages.lang_of(request.headers.get("accept-language"), request.query_params.get("lang"))
        receipt = normalize(request.path_params["receipt"])
        sub = await _in_thread(store.get, receipt) if receipt else None
        if wants_json(request.headers.get("accept", "")):
            if sub is None:
                return JSONResponse({"error": "not_found"}, status_code=404)
            return JSONResponse(public_view(sub))
        view = public_view(sub) if sub else None
        return page("receipt.html", lang, 200 if sub else 404, sub=view,
                    created=request.query_params.get("new") == "1",
                    title=f"{messages.text('receipt', lang)} {receipt or ''}")

    async def lookup(request: Request) -> Response:
        """The receipt lookup form of the static site (no JavaScript) lands here."""
        if (refused := await too_many(request)) is not None:
            return refused
        lang = messages.lang_of(request.headers.get("accept-language"), request.query_params.get("lang"))
        receipt = normalize(request.query_params.get("r", ""))
        if receipt is None:
            return page("message.html", lang, 404, message=messages.text("not_found", lang),
                        title=messages.text("not_found", lang))
        return RedirectResponse(f"/receipts/{receipt}?lang={lang}", status_code=303)

    async def rating(request: Request) -> Response:
        if (refused := await too_many(request)) is not None:
            return refused
        if not origin_allowed(request.headers.get("origin"), origins, request.scope):
            lang = messages.lang_of(request.headers.get("accept-language"), None)
            if wants_json(request.headers.get("accept", "")):
                return JSONResponse({"error": "origin", "message": messages.text("origin", lang)}, status_code=403)
            return page("message.html", lang, 403, message=messages.text("origin", lang), title="403")
        receipt = normalize(request.path_params["receipt"])
        try:
            data, raw_lang = await _read_body(request, 4096)
        except HTTPError as exc:
            return JSONResponse({"error": exc.key}, status_code=exc.status)
        lang = messages.lang_of(request.headers.get("accept-language"), raw_lang)
        try:
            value = int(first(data, "rating"))
        except ValueError:
            value = 0
        ok = bool(receipt) and 1 <= value <= 5 and await _in_thread(store.rate, receipt, value)
        if wants_json(request.headers.get("accept", "")):
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
        Route("/forms/{form_id}", _SubmitRoute(submit), methods=["POST"]),
        Route("/receipts/lookup", lookup),
        Route("/receipts/{receipt}", receipt_status),
        Route("/receipts/{receipt}/rating", rating, methods=["POST"]),
        Route("/static/endpoint.css", stylesheet),
        *ballots.routes(),  # POST /ballots/{round_id}, GET /ballots/{round_id}/receipts/{receipt}
    ]
    middleware = [Middleware(CORSMiddleware, allow_origins=sorted(origins), allow_methods=["GET", "POST"],
                             allow_headers=["Content-Type", "Accept", "Accept-Language"], max_age=600)]
    app = PortalApp(routes=routes, middleware=middleware, lifespan=lifespan)
    app.submit = submit
    app.state.store = store
    app.state.settings = settings
    app.state.secret = secret
    return app


def bind_community(store: Store, community: Any) -> bool:
    """The endpoint serves one community: its store records which (the id in the
    built site's ``forms/spec.json``) and is refused to any other (``SystemExit``
    with a sentence in zh and en). A store made before stores knew their community
    takes this one: True then, for the caller to note. A site built before the spec
    named its community is not checked."""
    if not isinstance(community, str) or not community:
        return False
    try:
        return store.bind(community)
    except ForeignStore as exc:
        raise SystemExit(i18n.both("endpoint.foreign-store", store_community=exc.store_community,
                                   community=exc.community)) from None


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


async def _read_body(request: Request, limit: int) -> tuple[dict[str, list[str]], str | None]:
    body = await read_body(request.receive, request.headers, limit)
    data = await decode_body(body, request.headers.get("content-type", ""), request.scope)
    check_input(data, None)  # no form: every name is envelope, refused whole (400) if unsafe
    return data, first(data, "_lang") or None


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
