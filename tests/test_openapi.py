"""``endpoint/openapi.yaml`` against the live endpoint.

- The contract names every route of the app, with its methods.
- Schemathesis generates requests from the contract (valid and invalid ones,
  at most 50 per operation): no answer is a server error, and every answer's
  status, content type, headers and body are those the contract documents.
- The answers random data cannot reach (a stored submission, a replayed key,
  a rate limit, a rating…) are produced on purpose and checked the same way.
"""

from __future__ import annotations

import sys
import uuid
import zlib
from pathlib import Path
from typing import Any

import pytest
import schemathesis
import yaml
from hypothesis import HealthCheck, Phase, settings
from schemathesis import checks as st_checks

if str(Path(__file__).resolve().parent) not in sys.path:
    sys.path.insert(0, str(Path(__file__).resolve().parent))
from test_endpoint import (  # noqa: E402
    EXTRA_FORMS,
    HTML,
    JSON,
    Endpoint,
    committee,
    make_project,
    suggestion,
    token,
    write_spec,
)

CONTRACT = Path(__file__).resolve().parent.parent / "endpoint" / "openapi.yaml"
schema = schemathesis.openapi.from_path(CONTRACT)

CHECKS = [st_checks.not_a_server_error, st_checks.status_code_conformance, st_checks.content_type_conformance,
          st_checks.response_headers_conformance, st_checks.response_schema_conformance]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("openapi-site")
    return write_spec(make_project(base / "project", EXTRA_FORMS), base / "site")


@pytest.fixture(scope="module")
def server(site: Path, tmp_path_factory: pytest.TempPathFactory):
    base = tmp_path_factory.mktemp("openapi-server")
    ep = Endpoint(site, f"sqlite:///{base / 'submissions.db'}", base / "server.log").start()
    yield ep
    ep.stop()


def test_the_contract_documents_every_route_of_the_app(site: Path) -> None:
    from starlette.routing import Route

    from endpoint.app import create_app, load_spec
    from endpoint.settings import Settings

    app = create_app(Settings(site=str(site), db="sqlite:///:memory:"), load_spec(site))
    routes = {(r.path, m) for r in app.routes if isinstance(r, Route) for m in r.methods or () if m != "HEAD"}
    contract = yaml.safe_load(CONTRACT.read_text(encoding="utf-8"))
    assert contract["openapi"].startswith("3.1")
    documented = {(path, method.upper()) for path, item in contract["paths"].items()
                  for method in item if method in ("get", "post", "put", "patch", "delete")}
    assert documented == routes


def test_the_contract_is_valid_openapi_3_1() -> None:
    schema.validate()  # against the OpenAPI 3.1 meta-schema


def test_every_schema_is_valid_and_its_examples_fit() -> None:
    from jsonschema import Draft202012Validator
    from referencing import Registry
    from referencing.jsonschema import DRAFT202012

    contract = yaml.safe_load(CONTRACT.read_text(encoding="utf-8"))
    registry = Registry().with_resource("urn:contract", DRAFT202012.create_resource(contract))
    for name, sub in contract["components"]["schemas"].items():
        Draft202012Validator.check_schema(sub)
        validator = Draft202012Validator({"$ref": f"urn:contract#/components/schemas/{name}"}, registry=registry)
        for example in sub.get("examples", []):
            assert not list(validator.iter_errors(example)), (name, example)
    assert len(list(schema.get_all_operations())) == 9


@pytest.fixture(scope="module")
def answered(server: Endpoint) -> str:
    """A stored submission the committee has answered (so it can be rated once)."""
    import httpx

    with httpx.Client(base_url=server.url) as c:
        receipt = c.post("/forms/suggestion", data=suggestion(), headers=JSON).json()["receipt"]
    with committee(server.db) as store:
        store.reply(receipt, "answered", "已处理。")
    return receipt


def _pick(seed: object, n: int) -> int:
    """A choice in range(n) that follows the generated data (so Hypothesis can replay it)."""
    return zlib.crc32(repr(seed).encode()) % n


@schema.parametrize()
@settings(max_examples=50, deadline=None, database=None, derandomize=True,
          phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
def test_generated_requests(case: Any, server: Endpoint, answered: str) -> None:
    """Random requests; about half of them aimed at a real form or receipt, with a
    good token, so that they get past the 404 to the deeper answers."""
    params = case.path_parameters if isinstance(case.path_parameters, dict) else {}
    seed = (params, case.query, case.body)
    if "form_id" in params and _pick(seed, 2):
        params["form_id"] = ["suggestion", "signup", "old-survey"][_pick(params["form_id"], 3)]
        if isinstance(case.body, dict) and _pick(case.body, 2):
            case.body["_token"] = token(params["form_id"])
    if "receipt" in params and _pick(seed, 2):
        params["receipt"] = answered
    case.call_and_validate(base_url=server.url, checks=CHECKS, timeout=30)


# -- answers random data does not reach ---------------------------------------------------

def call(server: Endpoint, path: str, method: str, **kwargs: Any) -> Any:
    case = schema[path][method].Case(**kwargs)
    return case.call_and_validate(base_url=server.url, checks=CHECKS, timeout=30)


def test_stored_replayed_and_redirected(server: Endpoint) -> None:
    data = suggestion()
    form = {"form_id": "suggestion"}
    created = call(server, "/forms/{form_id}", "POST", path_parameters=form, body=data, headers=JSON,
                   media_type="application/x-www-form-urlencoded")
    assert created.status_code == 201
    replay = call(server, "/forms/{form_id}", "POST", path_parameters=form, body=data, headers=JSON,
                  media_type="application/json")
    assert replay.status_code == 200
    page = call(server, "/forms/{form_id}", "POST", path_parameters=form, body=suggestion(), headers=HTML,
                media_type="multipart/form-data")
    assert page.status_code == 303
    receipt = created.json()["receipt"]
    view = call(server, "/receipts/{receipt}", "GET", path_parameters={"receipt": receipt}, headers=JSON)
    assert view.status_code == 200
    html = call(server, "/receipts/{receipt}", "GET", path_parameters={"receipt": receipt}, headers=HTML)
    assert html.status_code == 200
    lookup = call(server, "/receipts/lookup", "GET", query={"r": receipt.lower()})
    assert lookup.status_code == 303
    early = call(server, "/receipts/{receipt}/rating", "POST", path_parameters={"receipt": receipt},
                 body={"rating": "5"}, headers=JSON, media_type="application/x-www-form-urlencoded")
    assert early.status_code == 409
    with committee(server.db) as store:
        store.reply(receipt, "answered", "已处理。")
    view = call(server, "/receipts/{receipt}", "GET", path_parameters={"receipt": receipt}, headers=JSON)
    assert view.json()["reply"] == "已处理。"
    rated = call(server, "/receipts/{receipt}/rating", "POST", path_parameters={"receipt": receipt},
                 body={"rating": 5}, headers=JSON, media_type="application/json")
    assert rated.status_code == 200
    again = call(server, "/receipts/{receipt}/rating", "POST", path_parameters={"receipt": receipt},
                 body={"rating": "4"}, headers=HTML, media_type="application/x-www-form-urlencoded")
    assert again.status_code == 409
    assert call(server, "/receipts/{receipt}", "GET", path_parameters={"receipt": receipt},
                headers=JSON).json()["rating"] == 5


@pytest.mark.parametrize("headers", [JSON, HTML], ids=["json", "html"])
@pytest.mark.parametrize("form_id, body, extra, status", [
    ("suggestion", {"topic": "x"}, {}, 422),
    ("suggestion", {"_token": ""}, {"website": "spam"}, 400),
    ("old-survey", {"answer": "yes"}, {}, 410),
    ("nope", {}, {}, 404),
    ("suggestion", {}, {"text": "x" * 70000}, 413),
], ids=["invalid", "honeypot", "closed", "unknown", "too-large"])
def test_error_answers(server: Endpoint, headers: dict[str, str], form_id: str, body: dict[str, str],
                       extra: dict[str, str], status: int) -> None:
    data = {**suggestion(), "_token": token(form_id), **body, **extra}
    r = call(server, "/forms/{form_id}", "POST", path_parameters={"form_id": form_id}, body=data,
             headers=headers, media_type="application/x-www-form-urlencoded")
    assert r.status_code == status


@pytest.mark.parametrize("headers", [JSON, HTML], ids=["json", "html"])
def test_token_problems_and_origin(server: Endpoint, headers: dict[str, str]) -> None:
    form = {"form_id": "suggestion"}
    fast = call(server, "/forms/{form_id}", "POST", path_parameters=form, body=suggestion(_token=token(age=-1)),
                headers=headers, media_type="application/x-www-form-urlencoded")
    assert fast.status_code == (400 if headers is JSON else 422)
    foreign = call(server, "/forms/{form_id}", "POST", path_parameters=form, body=suggestion(),
                   headers={**headers, "Origin": "http://evil.example"},
                   media_type="application/x-www-form-urlencoded")
    assert foreign.status_code == 403
    tok = call(server, "/forms/{form_id}/token", "GET", path_parameters=form)
    assert tok.status_code == 200


@pytest.mark.parametrize("headers", [JSON, HTML], ids=["json", "html"])
def test_rate_limited_answer(site: Path, tmp_path: Path, headers: dict[str, str]) -> None:
    ep = Endpoint(site, f"sqlite:///{tmp_path / 'submissions.db'}", tmp_path / "server.log",
                  rate_per_minute=1, rate_burst=1).start()
    try:
        form = {"form_id": "suggestion"}
        first = call(ep, "/forms/{form_id}", "POST", path_parameters=form, body=suggestion(), headers=headers,
                     media_type="application/x-www-form-urlencoded")
        assert first.status_code in (201, 303)
        limited = call(ep, "/forms/{form_id}", "POST", path_parameters=form,
                       body=suggestion(_idem=uuid.uuid4().hex), headers=headers,
                       media_type="application/x-www-form-urlencoded")
        assert limited.status_code == 429
    finally:
        ep.stop()


# -- ballots (rounds in the spec; codes issued as the committee does) ------------------------------

@pytest.fixture
def ballot_server(tmp_path_factory: pytest.TempPathFactory):
    """One per test: the wrong-code limit is spent by each."""
    from test_ballots import ballot_site

    base = tmp_path_factory.mktemp("openapi-ballots")
    ep = Endpoint(ballot_site(base), f"sqlite:///{base / 'votes.db'}", base / "server.log",
                  ballot_misses_per_minute=1, ballot_misses_burst=3, ballot_round_misses_per_minute=0).start()
    yield ep
    ep.stop()


@pytest.mark.parametrize("headers", [JSON, HTML], ids=["json", "html"])
def test_ballot_answers(ballot_server: Endpoint, tmp_path: Path, headers: dict[str, str]) -> None:
    from test_ballots import issue
    from test_ballots import token as ballot_token

    from endpoint.ballot_codes import new_code

    ep = ballot_server
    good, other = issue(ep, "2027-approval", 2, tmp_path)

    def cast(round_id: str, code: str, **extra: Any) -> Any:
        body = {"code": code, "project": "p1", "_token": ballot_token(round_id), **extra}
        return call(ep, "/ballots/{round_id}", "POST", path_parameters={"round_id": round_id}, body=body,
                    headers=headers, media_type="application/x-www-form-urlencoded")

    counted = cast("2027-approval", good)
    assert counted.status_code == (201 if headers is JSON else 200)
    assert cast("2027-approval", good).status_code == 409
    assert cast("2027-approval", good[:-1] + ("3" if good[-1] != "3" else "4")).status_code == 422  # a typo
    assert cast("2027-approval", other, _token="").status_code == 422  # the token
    assert cast("2026-closed", other).status_code == 410
    assert cast("2028-future", other).status_code == 403
    assert cast("no-such", other).status_code == 404
    assert cast("2027-approval", other, website="x").status_code == 400
    assert cast("2027-approval", other, **{"_token": ballot_token("2027-approval")},
                project=["p1", "p2", "p3"]).status_code == 422
    misses = [cast("2027-approval", new_code()).status_code for _ in range(4)]
    assert 429 in misses  # three wrong codes at once, then the limit
    if headers is JSON:
        receipt = counted.json()["receipt"]
        path = "/ballots/{round_id}/receipts/{receipt}"
        found = call(ep, path, "GET", path_parameters={"round_id": "2027-approval", "receipt": receipt},
                     headers=headers)
        assert found.status_code == 200
        assert call(ep, path, "GET", path_parameters={"round_id": "2027-points", "receipt": receipt},
                    headers=headers).status_code == 404
