"""The site's forms in a real browser (Chromium via Playwright), against the real
endpoint process.

The sample project is built with ``generator.build.build`` (site and endpoint
addresses given, the same PORTAL_SECRET as the endpoint so the page's build-time
token verifies), served by a local HTTP server; the endpoint runs on another
port with ``--site-url`` set, so the site's origin is the allowed one.

- JavaScript on: the form is sent with fetch and the receipt appears in place.
- JavaScript off: the plain HTML form posts to the endpoint; the visitor lands
  on the receipt page, or on the "please check" page that kept what was typed,
  from which pressing "Submit" again reaches the receipt page; one row stored.
- JavaScript off, invalid answers: the errors are tied to their fields and the
  typed values are kept.
- When ``portal check`` passes on the demo community in data/, every demo form
  is submitted too (closed ones must refuse).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import json
import os
import re
import shutil
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page, Route

if str(Path(__file__).resolve().parent) not in sys.path:
    sys.path.insert(0, str(Path(__file__).resolve().parent))
from test_endpoint import JSON, RECEIPT, SECRET, Endpoint, db_rows, free_port, make_project, token  # noqa: E402

from portal_core.forms import is_open  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
WAIT_MS = 15_000


def _demo_checks_clean() -> bool:
    """Whether ``portal check`` passes on the demo community (as the CLI runs it)."""
    from generator.kinds.common import Today
    from generator.pipeline import check

    saved, Today.value = Today.value, None
    try:
        return (REPO / "data" / "forms").is_dir() and check(REPO, jobs=1).ok
    except Exception:  # noqa: BLE001 - a half-edited data folder must not break collection
        return False
    finally:
        Today.value = saved


DEMO_READY = _demo_checks_clean()
DEMO_FORMS = sorted(p.stem for p in (REPO / "data" / "forms").glob("*.yaml")) if DEMO_READY else []


# -- serving and building -------------------------------------------------------------

class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib signature
        pass


class StaticSite:
    """A folder served over HTTP on 127.0.0.1, as a static host would."""

    def __init__(self, directory: Path) -> None:
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(directory)))
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(5)


@contextlib.contextmanager
def portal_secret(value: str) -> Iterator[None]:
    saved = os.environ.get("PORTAL_SECRET")
    os.environ["PORTAL_SECRET"] = value
    try:
        yield
    finally:
        if saved is None:
            del os.environ["PORTAL_SECRET"]
        else:
            os.environ["PORTAL_SECRET"] = saved


@dataclass
class Deployment:
    site: StaticSite
    out: Path
    endpoint: Endpoint
    spec: dict[str, Any]

    def form_url(self, form_id: str, lang: str = "zh") -> str:
        return self.site.url + ("en/" if lang == "en" else "") + f"forms/{form_id}/"

    def close(self) -> None:
        self.endpoint.stop()
        self.site.close()


def deploy(project: Path, base: Path) -> Deployment:
    """Build ``project`` for a site server and an endpoint on two local ports, start both."""
    from generator.build import build

    out = base / "site"
    out.mkdir(parents=True)
    site = StaticSite(out)  # serves the folder the build swaps in
    port = free_port()
    try:
        with portal_secret(SECRET):
            build(project, out, site_url=site.url, endpoint_url=f"http://127.0.0.1:{port}")
        spec = json.loads((out / "forms" / "spec.json").read_text(encoding="utf-8"))
        endpoint = Endpoint(out, f"sqlite:///{base / 'submissions.db'}", base / "endpoint.log", port=port,
                            site_url=site.url).start()
    except BaseException:
        site.close()
        raise
    return Deployment(site, out, endpoint, spec)


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory):
    base = tmp_path_factory.mktemp("browser-sample")
    d = deploy(make_project(base / "project"), base)
    yield d
    d.close()



@contextlib.contextmanager
def new_page(browser: Browser, js: bool) -> Iterator[Page]:
    ctx = browser.new_context(java_script_enabled=js, locale="zh-CN")
    ctx.set_default_timeout(WAIT_MS)
    page = ctx.new_page()
    page.errors = []  # type: ignore[attr-defined]
    page.on("pageerror", lambda exc: page.errors.append(str(exc)))  # type: ignore[attr-defined]
    try:
        yield page
    finally:
        ctx.close()


def wait_for_fresh_token(page: Page, min_seconds: float = 0.5) -> None:
    """forms.js fetches a fresh token at load; a person takes longer than min_seconds to fill the form."""
    page.wait_for_function(
        "() => (document.querySelector('form.portal-form input[name=_token]').value || '').startsWith('t.')")
    time.sleep(min_seconds + 0.2)


def fill_suggestion(page: Page, text: str, phone: str = "13800138000", topic: str | None = "environment") -> None:
    if topic:
        page.select_option("#f-suggestion-topic", topic)
    page.fill("#f-suggestion-text", text)
    page.fill("#f-suggestion-phone", phone)


def submit(page: Page) -> None:
    with page.expect_navigation():
        page.click("form.portal-form button[type=submit]")


def receipt_on_page(page: Page, endpoint: Endpoint) -> str:
    assert page.url.startswith(endpoint.url + "/receipts/"), f"not on a receipt page: {page.url}\n{page.content()[:3000]}"
    receipt = page.locator("p.receipt").inner_text().strip()
    assert RECEIPT.match(receipt), receipt
    return receipt


def rows_with(ep: Endpoint, text: str) -> list[dict[str, Any]]:
    return [r for r in db_rows(ep.db_path) if json.loads(r["public_json"]).get("text") == text]


# -- JavaScript on ---------------------------------------------------------------------

@pytest.mark.parametrize("lang", ["zh", "en"])
def test_js_submission_shows_the_receipt_in_place(sample: Deployment, browser: Browser, lang: str) -> None:
    text = f"3号楼楼道灯坏了，晚上很黑。{uuid.uuid4().hex[:8]}"
    with new_page(browser, js=True) as page:
        page.goto(sample.form_url("suggestion", lang))
        wait_for_fresh_token(page)
        fill_suggestion(page, text, phone="139 1234 5678")
        page.click("form.portal-form button[type=submit]")
        shown = page.locator(".form-result .receipt")
        shown.wait_for(state="visible")
        receipt = shown.inner_text().strip()
        assert RECEIPT.match(receipt), receipt
        assert page.locator("form.portal-form").is_hidden()
        assert page.url == sample.form_url("suggestion", lang)  # no page change
        result = page.locator(".form-result").inner_text()
        assert ("已收到" in result) if lang == "zh" else ("Received" in result)
        link = page.locator(".form-result a").get_attribute("href")
        assert link == f"{sample.endpoint.url}/receipts/{receipt}?lang={lang}"
        assert not page.errors, page.errors  # type: ignore[attr-defined]
    [row] = db_rows(sample.endpoint.db_path, "receipt = ?", (receipt,))
    assert json.loads(row["public_json"]) == {"topic": "environment", "text": text}
    assert json.loads(row["private_json"]) == {"phone": "139 1234 5678"}
    assert not row["idem_key"].startswith("nokey-")  # the page's own idempotency key


def test_js_with_proof_of_work(sample: Deployment, browser: Browser, tmp_path: Path) -> None:
    """With PORTAL_POW_BITS set ("needs JavaScript"), a visitor with JavaScript
    still gets a receipt: the page must solve the proof-of-work the token route
    asks for (pow_bits) and send it as _pow. (The endpoint the site was built for
    is restarted with proof-of-work on, then without.)"""
    ep = sample.endpoint
    ep.stop()
    pow_ep = Endpoint(ep.site, ep.db, tmp_path / "pow.log", port=ep.port, site_url=ep.site_url, pow_bits=8).start()
    try:
        text = f"工作量证明 {uuid.uuid4().hex[:8]}"
        alerts: list[str] = []
        with new_page(browser, js=True) as page:
            page.on("dialog", lambda d: (alerts.append(d.message), d.dismiss()))
            page.goto(sample.form_url("suggestion"))
            wait_for_fresh_token(page)
            fill_suggestion(page, text)
            page.click("form.portal-form button[type=submit]")
            shown = page.locator(".form-result .receipt")
            deadline = time.monotonic() + WAIT_MS / 1000
            while not shown.is_visible() and not alerts and time.monotonic() < deadline:
                page.wait_for_timeout(100)
            assert shown.is_visible(), f"no receipt shown; the page said: {alerts}"
            receipt = shown.inner_text().strip()
        assert [r["receipt"] for r in rows_with(ep, text)] == [receipt]
    finally:
        pow_ep.stop()
        ep.start()


# -- JavaScript off --------------------------------------------------------------------

def test_no_js_submission_reaches_the_receipt_page(sample: Deployment, browser: Browser) -> None:
    text = f"小区东门的路灯不亮。{uuid.uuid4().hex[:8]}"
    with new_page(browser, js=False) as page:
        page.goto(sample.form_url("suggestion"))
        assert page.locator("form.portal-form input[name=_token]").get_attribute("value").startswith("s.")
        fill_suggestion(page, text)
        submit(page)
        if not page.url.startswith(sample.endpoint.url + "/receipts/"):
            # The "please check" page: what was typed is kept; press Submit again.
            assert page.locator("#f-suggestion-text").input_value() == text
            time.sleep(0.7)
            submit(page)
        receipt = receipt_on_page(page, sample.endpoint)
        assert "已收到" in page.locator("h1").inner_text()
    rows = rows_with(sample.endpoint, text)
    assert [r["receipt"] for r in rows] == [receipt]
    assert json.loads(rows[0]["private_json"]) == {"phone": "13800138000"}


def _without_static_token(route: Route) -> None:
    response = route.fetch()
    html = re.sub(r'name="_token" value="[^"]*"', 'name="_token" value=""', response.text())
    route.fulfill(response=response, body=html)


def test_no_js_please_check_page_then_submit_again(sample: Deployment, browser: Browser) -> None:
    """A page without a usable build-time token (e.g. built long ago): the endpoint
    answers with the form to confirm, which keeps what was typed; pressing Submit
    on it stores the submission once and shows the receipt."""
    text = f"垃圾分类点太远。{uuid.uuid4().hex[:8]}"
    with new_page(browser, js=False) as page:
        page.route(sample.form_url("suggestion"), _without_static_token)
        page.goto(sample.form_url("suggestion"))
        fill_suggestion(page, text, phone="137 0000 1111")
        submit(page)
        assert page.url.startswith(f"{sample.endpoint.url}/forms/suggestion"), page.url
        assert page.locator(".notice").inner_text().strip() == "请核对内容，然后再点一次“提交”。"
        assert page.locator("#f-suggestion-topic").input_value() == "environment"
        assert page.locator("#f-suggestion-text").input_value() == text
        assert page.locator("#f-suggestion-phone").input_value() == "137 0000 1111"
        assert not rows_with(sample.endpoint, text)
        time.sleep(0.7)  # the person reads the page (min_seconds 0.5)
        submit(page)
        receipt = receipt_on_page(page, sample.endpoint)
    assert [r["receipt"] for r in rows_with(sample.endpoint, text)] == [receipt]


def test_no_js_invalid_submission_shows_errors_tied_to_fields(sample: Deployment, browser: Browser) -> None:
    text = f"<b>楼下</b>有人乱停车 {uuid.uuid4().hex[:8]}"
    with new_page(browser, js=False) as page:
        page.goto(sample.form_url("suggestion"))
        fill_suggestion(page, text, phone="12", topic=None)
        submit(page)
        assert page.url.startswith(f"{sample.endpoint.url}/forms/suggestion"), page.url
        summary = page.locator(".form-errors")
        assert summary.get_attribute("role") == "alert"
        assert summary.locator("a").count() == 2
        for name, message in (("topic", "请填写“类别”"), ("phone", "“联系电话”的格式不对")):
            field = page.locator(f"#f-suggestion-{name}")
            assert field.get_attribute("aria-invalid") == "true"
            described = (field.get_attribute("aria-describedby") or "").split()
            errors = [page.locator(f"#{i}") for i in described if page.locator(f"#{i}.error").count()]
            assert len(errors) == 1, described
            assert errors[0].inner_text().strip() == message
            assert errors[0].is_visible()
        assert page.locator("#f-suggestion-text").input_value() == text
        assert page.locator("#f-suggestion-text").get_attribute("aria-invalid") is None
        assert page.locator("#f-suggestion-phone").input_value() == "12"
        assert page.locator("b").count() == 0  # typed markup stays text
    assert not rows_with(sample.endpoint, text)


def test_no_js_text_at_the_limit_with_line_breaks(sample: Deployment, browser: Browser) -> None:
    """Text the page itself allows (maxlength counts a line break once) is accepted."""
    text = ("楼" * 99 + "\n") * 19 + "楼" * 100
    with new_page(browser, js=False) as page:
        page.goto(sample.form_url("suggestion"))
        fill_suggestion(page, text)
        area = page.locator("#f-suggestion-text")
        assert area.input_value() == text and len(text) == int(area.get_attribute("maxlength")) == 2000
        submit(page)
        if page.url.startswith(f"{sample.endpoint.url}/forms/"):
            errors = page.locator(".form-errors").all_inner_texts()
            raise AssertionError(f"refused text the page allowed: {errors}")
        receipt = receipt_on_page(page, sample.endpoint)
    [row] = db_rows(sample.endpoint.db_path, "receipt = ?", (receipt,))
    assert json.loads(row["public_json"])["text"].replace("\r\n", "\n") == text


# -- the demo community ------------------------------------------------------------------

def field_value(field: dict[str, Any], tag: str) -> str | list[str]:
    """A valid answer for one field of a compiled form spec."""
    kind = field["type"]
    if kind in ("select", "radio"):
        return field["choices"][-1]["value"]
    if kind == "checkbox":
        return [field["choices"][0]["value"]]
    if kind in ("rating", "number"):
        lo, hi = field.get("min"), field.get("max")
        value = hi if hi is not None else (lo if lo is not None else 1)
        return str(int(value)) if float(value).is_integer() else str(value)
    if kind == "date":
        return dt.date.today().isoformat()
    candidates = {"email": ["resident@example.cn"], "tel": ["13800138000"]}.get(
        kind, [f"测试{tag}", f"{tag}", "3号楼", "13800138000", "resident@example.cn", "A1"])
    pattern = field.get("pattern")
    for value in candidates:
        value = value[:field["max_length"]]
        if not pattern or re.fullmatch(pattern.lstrip("^").rstrip("$"), value):
            return value
    raise AssertionError(f"no test answer fits the pattern of {field['name']}: {pattern}")


def stored_value(field: dict[str, Any], value: str | list[str]) -> Any:
    if field["type"] == "checkbox":
        return sorted(value)
    if field["type"] in ("number", "rating"):
        number = float(value)  # type: ignore[arg-type]
        return int(number) if number.is_integer() else number
    return value


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory):
    base = tmp_path_factory.mktemp("browser-demo")
    root = base / "demo"
    root.mkdir()
    for name in ("data", "content"):
        if (REPO / name).is_dir():
            shutil.copytree(REPO / name, root / name)
    if (REPO / "mkdocs.yml").is_file():
        shutil.copy(REPO / "mkdocs.yml", root / "mkdocs.yml")
    d = deploy(root, base)
    yield d
    d.close()


if DEMO_READY:
    @pytest.mark.parametrize("form_id", DEMO_FORMS)
    def test_demo_form(demo: Deployment, browser: Browser, form_id: str) -> None:
        spec = demo.spec["forms"][form_id]
        tag = uuid.uuid4().hex[:6]
        if not is_open(spec, dt.date.today()):
            with new_page(browser, js=True) as page:
                page.goto(demo.form_url(form_id))
                assert page.locator("form.portal-form").count() == 0, "a closed form is offered"
            with httpx.Client(base_url=demo.endpoint.url) as c:
                r = c.post(f"/forms/{form_id}", data={"_token": token(form_id)}, headers=JSON)
            assert r.status_code == 410
            return
        answers = {f["name"]: field_value(f, tag) for f in spec["fields"]}
        with new_page(browser, js=True) as page:
            page.goto(demo.form_url(form_id))
            wait_for_fresh_token(page)
            for f in spec["fields"]:
                name, value = f["name"], answers[f["name"]]
                if f["type"] == "select":
                    page.select_option(f"#f-{form_id}-{name}", value)
                elif f["type"] in ("radio", "rating", "checkbox"):
                    for v in (value if isinstance(value, list) else [value]):
                        page.locator(f"form.portal-form input[name='{name}'][value='{v}']").check()
                else:
                    page.fill(f"#f-{form_id}-{name}", value)
            page.click("form.portal-form button[type=submit]")
            shown = page.locator(".form-result .receipt")
            shown.wait_for(state="visible")
            receipt = shown.inner_text().strip()
            assert not page.errors, page.errors  # type: ignore[attr-defined]
        assert RECEIPT.match(receipt)
        [row] = db_rows(demo.endpoint.db_path, "receipt = ?", (receipt,))
        assert row["form_id"] == form_id
        public = {f["name"]: stored_value(f, answers[f["name"]]) for f in spec["fields"] if not f["private"]}
        private = {f["name"]: stored_value(f, answers[f["name"]]) for f in spec["fields"] if f["private"]}
        assert json.loads(row["public_json"]) == public
        assert (json.loads(row["private_json"]) if row["private_json"] else {}) == private
