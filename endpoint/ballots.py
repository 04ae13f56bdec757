"""Online ballots of participatory-budgeting rounds: ``POST /ballots/{round_id}``,
one ballot per household code, and ``GET /ballots/{round_id}/receipts/{receipt}``.

The site's ballot page (no JavaScript) posts the household's ``code`` and its
choices (``portal_core/ballots.py``) with the anti-abuse fields of the site's forms
(honeypot, ``_token`` signed for ``ballot:<round id>``, ``_lang``). The round is
the entry ``ballots[round_id]`` of the built site's ``forms/spec.json``; it takes
ballots from ``opens`` to ``closes`` inclusive, in China time.

Answers: 200 and a page with the receipt and the choices (JSON clients: 201);
a form to correct, with what was typed kept, for a missing, mistyped or unknown
code, invalid choices or a token to confirm (422); 409 for a spent or revoked
code, with nothing about the ballot cast with it; 404 unknown round; 403 not
open yet; 410 closed; 429 too many wrong codes (per client and per round:
``endpoint/ballot_store.py``); 503 when the endpoint has no ``PORTAL_SECRET``
(codes are hashed with it, so without it none can be verified).

Privacy, and why the receipt is what it is:

- The store cannot link a ballot to a household. Codes are printed and handed
  out without names; the store keeps only their keyed hashes
  (``endpoint/ballot_codes.py``). A ballot row holds a random id, the day and the
  choices: no code, no hash, no address, no time of day, so neither the delivery
  order of slips nor the time of a vote can be matched to a ballot. On SQLite the
  tables keep rows in key order (``WITHOUT ROWID``), not in casting order. Not
  covered: whoever can read PostgreSQL's physical pages or write-ahead log, or
  watched the server's access log, could compare the order of writes; the
  endpoint logs no request bodies, and the access log should be off or kept short.
- The receipt proves that the ballot was counted and shows nothing of it. It is
  stored apart from the ballots (``ballot_receipts``), with no link to its ballot,
  and the committee publishes the sorted list of receipts with the count
  (``portal-endpoint ballots export --receipts``): a voter finds their number
  there and checks that the number of receipts equals the number of ballots.
  The choices are shown once, on the answer to the vote, and never again: a
  receipt cannot be used to show anyone (a vote buyer, a family member) how
  someone voted, and the committee cannot learn it from a receipt either.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from typing import Any

import anyio
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from endpoint import abuse, ballot_codes, ballot_store
from endpoint.settings import Settings
from endpoint.store import Store
from endpoint.submit import (
    SECURITY_HEADERS,
    HTTPError,
    check_input,
    client_address,
    decode_body,
    first,
    origin_allowed,
    read_body,
    wants_json,
)
from portal_core import ballots as rules
from portal_core import i18n, messages
from portal_core.china_time import TZ
from portal_core.languages import pick
from portal_core.receipts import normalize as normalize_receipt
from portal_core.tokens import sign_token

Render = Callable[..., str]


def token_id(round_id: str) -> str:
    """The id a ballot page's ``_token`` is signed for (``portal_core.tokens.sign_token``)."""
    return f"ballot:{round_id}"


def say(key: str, lang: str, **params: Any) -> str:
    return i18n.text(f"endpoint.ballot.{key}", lang, **params)


class Ballots:
    """The two routes, bound to the app's store, settings and templates."""

    def __init__(self, *, rounds: dict[str, Any], settings: Settings, token_secret: bytes, store: Store,
                 origins: set[str], lookups: abuse.SharedLimiter, render: Render) -> None:
        self.rounds, self.settings, self.token_secret, self.store = rounds, settings, token_secret, store
        self.origins, self.lookups, self.render = origins, lookups, render
        # The codes' hashes are keyed with the configured secret, never with a random one.
        self.code_secret = settings.secret.encode() if settings.secret else None
        self.limits = ballot_store.Limits(settings.ballot_misses_per_minute, settings.ballot_misses_burst,
                                          settings.ballot_round_misses_per_minute, settings.ballot_round_misses_burst)

    def routes(self) -> list[Route]:
        return [Route("/ballots/{round_id}", self.vote, methods=["POST"]),
                Route("/ballots/{round_id}/receipts/{receipt}", self.receipt)]

    # -- answers ----------------------------------------------------------------------
    def _answer(self, request: Request, lang: str, status: int, key: str) -> Response:
        message = say(key, lang)
        headers = {**SECURITY_HEADERS, **({"Retry-After": "60"} if status == 429 else {})}
        if wants_json(request.headers.get("accept", "")):
            return JSONResponse({"error": key, "message": message}, status_code=status, headers=headers)
        return HTMLResponse(self.render("message.html", lang, message=message, title=message),
                            status_code=status, headers=headers)

    def _form(self, request: Request, lang: str, round_id: str, data: dict[str, list[str]],
              errors: list[str], notice: str | None, reason: str | None = None) -> Response:
        """The ballot again, as typed, with what to correct (no JavaScript needed)."""
        if wants_json(request.headers.get("accept", "")):
            body: dict[str, Any] = {"error": "token" if reason else "invalid",
                                    "message": notice or messages.text("summary", lang), "problems": errors}
            if reason:
                body["reason"] = reason
            return JSONResponse(body, status_code=422, headers=SECURITY_HEADERS)
        spec = self.rounds[round_id]
        least, most = rules.bounds(spec)
        html = self.render("ballot_page.html", lang, spec=spec, round_id=round_id, errors=errors, notice=notice,
                           action=f"/ballots/{round_id}?lang={lang}", code=first(data, "code")[:40],
                           picked=set(data.get("project", [])),
                           values={k: first(data, k)[:6] for k in data if k.startswith(("points.", "rank."))},
                           token=sign_token(self.token_secret, token_id(round_id), time.time()),
                           titles={p: _title(spec, p, lang) for p in spec.get("projects", [])},
                           least=least, most=most, say=lambda k, **kw: say(k, lang, **kw),
                           title=_round_title(spec, round_id, lang))
        return HTMLResponse(html, status_code=422, headers=SECURITY_HEADERS)

    # -- POST /ballots/{round_id} -----------------------------------------------------------
    async def vote(self, request: Request) -> Response:
        round_id = request.path_params["round_id"]
        lang = messages.lang_of(request.headers.get("accept-language"), request.query_params.get("lang"))
        spec = self.rounds.get(round_id)
        if spec is None:
            return self._answer(request, lang, 404, "unknown_round")
        if not origin_allowed(request.headers.get("origin"), self.origins, request.scope):
            return self._refuse(request, lang, 403, "origin")
        try:
            body = await read_body(request.receive, request.headers, self.settings.max_body)
            data = await decode_body(body, request.headers.get("content-type", ""), request.scope)
            check_input(data, None)  # every name is envelope here: unsafe text is refused whole (400)
        except HTTPError as exc:
            return self._refuse(request, lang, exc.status, exc.key)
        lang = messages.lang_of(request.headers.get("accept-language"),
                                request.query_params.get("lang") or first(data, "_lang") or None)
        if first(data, abuse.HONEYPOT):
            return self._refuse(request, lang, 400, "refused")
        state = rules.window(spec, dt.datetime.now(TZ).date())
        if state != "open":
            return self._answer(request, lang, 410 if state == "closed" else 403, state)
        if self.code_secret is None:
            return self._answer(request, lang, 503, "unavailable")
        chosen, problems = rules.choices(spec, data)
        errors = [say(code, lang, **_worded(spec, params, lang)) for code, params in problems]
        verdict = ballot_codes.check(first(data, "code"))
        if verdict != "ok":
            errors.insert(0, say(f"code_{verdict}", lang))
        settings = self.settings
        reason = abuse.check_token(self.token_secret, token_id(round_id), first(data, "_token"), settings.min_seconds,
                                   settings.token_hours * 3600, settings.static_token_days * 86400)
        if errors or reason:
            notice = None if errors else messages.text(
                {"too-fast": "too_fast", "expired": "expired"}.get(reason or "", "confirm"), lang)
            return self._form(request, lang, round_id, data, errors, notice, None if errors else reason)
        code = ballot_codes.normalize(first(data, "code"))
        assert code is not None  # checked above
        done = await anyio.to_thread.run_sync(ballot_store.cast, self.store, self.code_secret, round_id, code, chosen,
                                              client_address(request.scope), self.limits)
        if done.outcome == "limited":
            return self._answer(request, lang, 429, "rate_limited")
        if done.outcome == "unknown":
            return self._form(request, lang, round_id, data, [say("code_unknown", lang)], None)
        if done.outcome != "counted":  # spent or revoked: nothing about the ballot
            return self._answer(request, lang, 409, f"code_{done.outcome}")
        if wants_json(request.headers.get("accept", "")):
            return JSONResponse({"receipt": done.receipt, "round": round_id, "choices": chosen}, status_code=201,
                                headers=SECURITY_HEADERS)
        worded = {"cumulative": "points_value", "ordinal": "rank_value"}.get(spec["type"])
        shown = [(_title(spec, p, lang), say(worded, lang, n=v) if worded else "") for p, v in chosen.items()]
        html = self.render("ballot_done.html", lang, receipt=done.receipt, shown=shown,
                           say=lambda k, **kw: say(k, lang, **kw), title=say("counted", lang))
        return HTMLResponse(html, status_code=200, headers=SECURITY_HEADERS)

    def _refuse(self, request: Request, lang: str, status: int, key: str) -> Response:
        """An answer worded by the form endpoint's own strings (``endpoint.<key>``)."""
        message = messages.text(key, lang)
        if wants_json(request.headers.get("accept", "")):
            return JSONResponse({"error": key, "message": message}, status_code=status, headers=SECURITY_HEADERS)
        return HTMLResponse(self.render("message.html", lang, message=message, title=message), status_code=status,
                            headers=SECURITY_HEADERS)

    # -- GET /ballots/{round_id}/receipts/{receipt} -------------------------------------------
    async def receipt(self, request: Request) -> Response:
        lang = messages.lang_of(request.headers.get("accept-language"), request.query_params.get("lang"))
        if not await self.lookups.allow(client_address(request.scope)):  # as receipt lookups are limited
            message = messages.text("lookups_limited", lang)
            headers = {**SECURITY_HEADERS, "Retry-After": str(self.lookups.retry_after())}
            if wants_json(request.headers.get("accept", "")):
                return JSONResponse({"error": "rate_limited", "message": message}, status_code=429, headers=headers)
            return HTMLResponse(self.render("message.html", lang, message=message, title=message), status_code=429,
                                headers=headers)
        round_id = request.path_params["round_id"]
        if round_id not in self.rounds:
            return self._answer(request, lang, 404, "unknown_round")
        receipt = normalize_receipt(request.path_params["receipt"])
        found = receipt is not None and await anyio.to_thread.run_sync(
            ballot_store.receipt_counted, self.store, round_id, receipt)
        if wants_json(request.headers.get("accept", "")):
            if not found:
                return JSONResponse({"error": "not_found"}, status_code=404, headers=SECURITY_HEADERS)
            return JSONResponse({"receipt": receipt, "round": round_id, "counted": True}, headers=SECURITY_HEADERS)
        message = say("receipt_found", lang, receipt=receipt) if found else say("receipt_missing", lang)
        return HTMLResponse(self.render("message.html", lang, message=message, title=message),
                            status_code=200 if found else 404, headers=SECURITY_HEADERS)


def _title(spec: dict[str, Any], project: str, lang: str) -> str:
    """A project's title from the spec's optional ``titles`` (else its id)."""
    titles = spec.get("titles") or {}
    return pick(titles.get(project), lang) or project


def _round_title(spec: dict[str, Any], round_id: str, lang: str) -> str:
    return pick(spec.get("title"), lang) or round_id


def _worded(spec: dict[str, Any], params: dict[str, Any], lang: str) -> dict[str, Any]:
    """A problem's parameters for the sentence: a project by its title."""
    if "project" in params:
        return {**params, "project": _title(spec, str(params["project"]), lang)[:80]}
    return params
