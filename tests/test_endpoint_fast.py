"""The endpoint's fast path (endpoint/submit.py, endpoint/formdata.py, portal_core/receipts.py)
answers exactly as the slower code it replaces.

- ``parse_urlencoded`` equals ``urllib.parse.parse_qs`` (keep_blank_values, max
  fields) on generated bodies: escapes, broken escapes, invalid UTF-8, ``+``;
- receipts keep their format, and every symbol is as likely in every place;
- ``POST /forms/{id}`` served by the plain ASGI handler gives the same status,
  headers (CORS included) and body as the same request through Starlette's
  middleware and router (the app's route table entry, reached with a root_path),
  for every kind of answer: 201/200/303, 400, 403, 404, 413, 422, 429, 500.
"""

from __future__ import annotations

import asyncio
import re
import sys
import urllib.parse
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

if str(Path(__file__).resolve().parent) not in sys.path:
    sys.path.insert(0, str(Path(__file__).resolve().parent))
from test_endpoint import HTML, JSON, RECEIPT, SECRET, make_project, token, write_spec  # noqa: E402

from endpoint.app import create_app  # noqa: E402
from endpoint.formdata import parse_urlencoded, unquote_plus  # noqa: E402
from endpoint.settings import Settings  # noqa: E402
from endpoint.store import Store  # noqa: E402
from portal_core.receipts import ALPHABET, new_receipt, normalize  # noqa: E402

# -- urlencoded bodies ------------------------------------------------------------------

_PIECES = st.one_of(
    st.text(alphabet="ab=&+%;09AFfzZ -路", max_size=12),
    st.text(max_size=8).map(urllib.parse.quote_plus),
    st.binary(max_size=6).map(lambda b: "".join(f"%{x:02X}" for x in b)),  # invalid UTF-8 too
    st.sampled_from(["%", "%4", "%zz", "%e4%b8", "%E4%B8%89", "%%41", "%4 %41", "%  %41", "&&", "=="]),
)


@settings(max_examples=400, deadline=None, database=None)
@given(st.lists(_PIECES, max_size=12).map("".join))
def test_parse_urlencoded_equals_parse_qs(body: str) -> None:
    expected = urllib.parse.parse_qs(body, keep_blank_values=True, max_num_fields=200)
    assert parse_urlencoded(body) == expected
    assert unquote_plus(body) == urllib.parse.unquote_plus(body)


def test_parse_urlencoded_limits_the_number_of_fields() -> None:
    body = "&".join(f"f{i}=x" for i in range(201))
    with pytest.raises(ValueError):
        urllib.parse.parse_qs(body, keep_blank_values=True, max_num_fields=200)
    with pytest.raises(ValueError):
        parse_urlencoded(body, max_fields=200)
    assert len(parse_urlencoded(body, max_fields=201)) == 201


def test_chinese_text_decodes_in_one_piece() -> None:
    text = "三号楼楼道的灯坏了一个星期，晚上很黑，请尽快安排维修。谢谢！"
    body = f"text={urllib.parse.quote(text)}&text={urllib.parse.quote_plus(text + ' ok')}"
    assert parse_urlencoded(body) == {"text": [text, text + " ok"]}


# -- receipts -----------------------------------------------------------------------------

def test_receipts_keep_their_format_and_are_uniform() -> None:
    receipts = [new_receipt() for _ in range(6000)]
    assert all(RECEIPT.match(r) and normalize(r.lower()) == r for r in receipts)
    assert len(set(receipts)) == len(receipts)
    places = [Counter(r.replace("-", "")[i] for r in receipts) for i in range(10)]
    expected = len(receipts) / len(ALPHABET)  # ≈ 261; a biased draw (e.g. modulo 2^k) shows up here
    for counts in places:
        assert set(counts) == set(ALPHABET)
        assert all(0.6 * expected < n < 1.4 * expected for n in counts.values()), counts


# -- the ASGI fast path against Starlette's --------------------------------------------

ORIGIN = "http://portal.test"
_MASKS = [(re.compile(r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{2}"), "RECEIPT"),
          (re.compile(r"[ts]\.\d+\.[A-Za-z0-9_-]{22}"), "TOKEN"),
          (re.compile(r"fast-[0-9a-f]{32}|slow-[0-9a-f]{32}"), "IDEM")]


def _mask(text: str) -> str:
    for pattern, repl in _MASKS:
        text = pattern.sub(repl, text)
    return text


def _answer(r: httpx.Response) -> tuple[int, list[tuple[str, str]], str]:
    headers = sorted((k.lower(), _mask(v)) for k, v in r.headers.multi_items())
    return r.status_code, headers, _mask(r.content.decode("utf-8", "replace"))


def _cases() -> dict[str, dict[str, Any]]:
    def good(**extra: Any) -> dict[str, Any]:
        return {"topic": "environment", "text": "3号楼楼道灯坏了", "phone": "138 0013 8000", "_token": token(),
                **extra}

    big = "x" * (64 * 1024 + 10)
    return {
        "created json": {"data": good(), "headers": {**JSON, "Origin": ORIGIN}},
        "created html 303": {"data": good(), "headers": {**HTML, "Origin": ORIGIN}, "query": "?lang=en"},
        "no origin": {"data": good(), "headers": JSON},
        "json body": {"json": good(), "headers": {**JSON, "Origin": ORIGIN}},
        "multipart body": {"files": {"x": ("", b"")}, "multipart": good(), "headers": {**JSON, "Origin": ORIGIN}},
        "invalid json 422": {"data": good(topic="nope", phone="call me"), "headers": {**JSON, "Origin": ORIGIN,
                                                                                         "Accept-Language": "en"}},
        "invalid html 422": {"data": good(text=""), "headers": {**HTML, "Origin": ORIGIN}},
        "missing token 400": {"data": {**good(), "_token": ""}, "headers": JSON},
        "too fast html": {"data": {**good(), "_token": token(age=-30)}, "headers": HTML},  # issued "later": always too fast
        "honeypot 400": {"data": good(website="http://spam"), "headers": JSON},
        "foreign origin json": {"data": good(), "headers": {**JSON, "Origin": "https://evil.example"}},
        "foreign origin html": {"data": good(), "headers": {**HTML, "Origin": "https://evil.example"}},
        "null origin": {"data": good(), "headers": {**JSON, "Origin": "null"}},
        "unknown form 404": {"data": good(), "headers": JSON, "form": "nope"},
        "too large 413": {"content": big.encode(), "headers": {**JSON, "Content-Type": "application/x-www-form-urlencoded"}},
        "bad utf-8 400": {"content": b"text=\xff\xfe", "headers": {**JSON, "Content-Type": "application/x-www-form-urlencoded"}},
        "bad json 400": {"content": b"[1, 2", "headers": {**JSON, "Content-Type": "application/json"}},
        "nul in _idem 400": {"data": good(_idem="a\x00b"), "headers": JSON},
        "control character 422": {"data": good(text="a\x00b"), "headers": {**JSON, "Accept-Language": "en"}},
        "boolean json 422": {"json": good(topic=True), "headers": JSON},
    }


async def _send(client: httpx.AsyncClient, prefix: str, case: dict[str, Any], idem: str) -> httpx.Response:
    kwargs: dict[str, Any] = {"headers": case["headers"]}
    for key in ("data", "json"):
        if key in case:
            kwargs[key] = {**case[key], "_idem": idem} if "_idem" not in case[key] else case[key]
    if "multipart" in case:
        kwargs["data"] = {**case["multipart"], "_idem": idem}
        kwargs["files"] = case["files"]
    if "content" in case:
        kwargs["content"] = case["content"]
    return await client.post(f"{prefix}/forms/{case.get('form', 'suggestion')}{case.get('query', '')}", **kwargs)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("fast-site")
    return write_spec(make_project(base / "project"), base / "site")


def _app(site: Path, db: Path, **settings: Any) -> Any:
    values: dict[str, Any] = {"site": str(site), "db": f"sqlite:///{db}", "secret": SECRET, "site_url": ORIGIN + "/",
                              "min_seconds": 0.5, "rate_per_minute": 0, **settings}
    return create_app(Settings(**values))


def _clients(app: Any) -> tuple[httpx.AsyncClient, httpx.AsyncClient]:
    fast = httpx.AsyncClient(transport=httpx.ASGITransport(app=app, raise_app_exceptions=False),
                             base_url="http://127.0.0.1:8001")
    # With a root_path the request takes Starlette's way: middleware, router, the route table entry.
    slow = httpx.AsyncClient(transport=httpx.ASGITransport(app=app, raise_app_exceptions=False, root_path="/r"),
                             base_url="http://127.0.0.1:8001")
    return fast, slow


def test_fast_path_answers_as_starlette_would(site: Path, tmp_path: Path) -> None:
    app = _app(site, tmp_path / "fast.db")
    store: Store = app.state.store

    async def run() -> dict[str, tuple[Any, Any]]:
        fast, slow = _clients(app)
        out = {}
        async with fast, slow:
            for name, case in _cases().items():
                key = uuid.uuid4().hex
                a = await _send(fast, "", case, f"fast-{key}")
                b = await _send(slow, "/r", case, f"slow-{key}")
                out[name] = (_answer(a), _answer(b))
            # A repeated key: 200 with the first receipt, on both ways.
            case = _cases()["created json"]
            key = uuid.uuid4().hex
            await _send(fast, "", case, f"fast-{key}")
            await _send(slow, "/r", case, f"slow-{key}")
            out["repeat 200"] = (_answer(await _send(fast, "", case, f"fast-{key}")),
                                 _answer(await _send(slow, "/r", case, f"slow-{key}")))
        return out

    try:
        answers = asyncio.run(run())
    finally:
        store.stop()
    statuses = {name: a[0] for name, (a, _) in answers.items()}
    assert statuses == {
        "created json": 201, "created html 303": 303, "no origin": 201, "json body": 201, "multipart body": 201,
        "invalid json 422": 422, "invalid html 422": 422, "missing token 400": 400, "too fast html": 422,
        "honeypot 400": 400, "foreign origin json": 403, "foreign origin html": 403, "null origin": 403,
        "unknown form 404": 404, "too large 413": 413, "bad utf-8 400": 400, "bad json 400": 400, "repeat 200": 200,
        "nul in _idem 400": 400, "control character 422": 422, "boolean json 422": 422}
    for name, (fast, slow) in answers.items():
        assert fast == slow, name
    created = dict(answers["created json"][0][1])
    assert created["access-control-allow-origin"] == ORIGIN and created["vary"] == "Origin"
    assert "access-control-allow-origin" not in dict(answers["foreign origin json"][0][1])
    assert dict(answers["created html 303"][0][1])["location"] == "/receipts/RECEIPT?lang=en&new=1"
    assert len(store.list()) == 2 * 6  # four 201s, the 303 and the repeated key, on both ways


def test_rate_limit_and_server_error_answer_alike(site: Path, tmp_path: Path) -> None:
    limited = _app(site, tmp_path / "limited.db", rate_per_minute=1, rate_burst=1)
    broken = _app(site, tmp_path / "broken.db")

    async def fail(sub: Any) -> Any:
        raise RuntimeError("database unavailable")

    broken.state.store.add = fail
    case = _cases()["created json"]

    async def run() -> list[tuple[Any, Any]]:
        out = []
        fast, slow = _clients(limited)
        async with fast, slow:
            assert (await _send(fast, "", case, f"fast-{uuid.uuid4().hex}")).status_code == 201
            out.append((_answer(await _send(fast, "", case, f"fast-{uuid.uuid4().hex}")),
                        _answer(await _send(slow, "/r", case, f"slow-{uuid.uuid4().hex}"))))
        fast, slow = _clients(broken)
        async with fast, slow:
            out.append((_answer(await _send(fast, "", case, f"fast-{uuid.uuid4().hex}")),
                        _answer(await _send(slow, "/r", case, f"slow-{uuid.uuid4().hex}"))))
        return out

    try:
        (rate_fast, rate_slow), (err_fast, err_slow) = asyncio.run(run())
    finally:
        limited.state.store.stop()
    assert rate_fast[0] == 429 and ("retry-after", "60") in rate_fast[1]
    assert rate_fast == rate_slow
    assert err_fast[0] == 500 and err_fast[2] == "Internal Server Error"
    assert err_fast == err_slow
