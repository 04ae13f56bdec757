"""A resident votes in Chromium with JavaScript off: a static ballot page (written
here, posting as the site's ballot page does: ``code``, ``project`` repeated, the
build-time ``_token``) on one origin, the real endpoint on another. A mistyped
code brings the ballot back as ticked, with the message; corrected, it is counted
and the receipt page shows the receipt and the choices."""

from __future__ import annotations

import html
import sys
import time
from pathlib import Path

import pytest
from playwright.sync_api import Browser

if str(Path(__file__).resolve().parent) not in sys.path:
    sys.path.insert(0, str(Path(__file__).resolve().parent))
from test_ballots import NO_LIMITS, TITLES, ballot_site, issue  # noqa: E402
from test_endpoint import RECEIPT, SECRET, Endpoint  # noqa: E402
from test_endpoint_browser import StaticSite  # noqa: E402

from portal_core.tokens import sign_token  # noqa: E402

WAIT_MS = 15_000


def page_html(endpoint: str, static_token: str) -> str:
    boxes = "\n".join(f'<label><input type="checkbox" name="project" value="{p}"> {html.escape(t["zh"])}</label>'
                      for p, t in TITLES.items())
    return f"""<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>投票</title></head><body>
<form method="post" action="{endpoint}/ballots/2027-approval" accept-charset="utf-8">
<label for="code">投票码</label><input id="code" name="code" type="text">
<fieldset><legend>请勾选您支持的项目</legend>{boxes}</fieldset>
<div hidden><input type="text" name="website" tabindex="-1"></div>
<input type="hidden" name="_token" value="{static_token}"><input type="hidden" name="_lang" value="zh">
<button type="submit">投票</button></form></body></html>"""


@pytest.fixture(scope="module")
def deployment(tmp_path_factory: pytest.TempPathFactory):
    base = tmp_path_factory.mktemp("ballot-browser")
    pages = base / "pages"
    pages.mkdir()
    static = StaticSite(pages)
    ep = Endpoint(ballot_site(base), f"sqlite:///{base / 'votes.db'}", base / "server.log",
                  allowed_origins=static.url.rstrip("/"), **NO_LIMITS).start()
    # the build signs a static token for visitors without JavaScript
    (pages / "ballot.html").write_text(page_html(ep.url, sign_token(SECRET.encode(), "ballot:2027-approval",
                                                                      time.time() - 3600, "s")), encoding="utf-8")
    yield static, ep
    ep.stop()
    static.close()


def test_a_ballot_without_javascript(deployment: tuple[StaticSite, Endpoint], browser: Browser,
                                     tmp_path: Path) -> None:
    static, ep = deployment
    [code] = issue(ep, "2027-approval", 1, tmp_path)
    ctx = browser.new_context(java_script_enabled=False, locale="zh-CN")
    try:
        page = ctx.new_page()
        page.goto(static.url + "ballot.html")
        typo = code[:-1] + ("3" if code[-1] != "3" else "4")
        page.fill("#code", typo)
        page.check("input[value=p1]")
        page.check("input[value=p3]")
        with page.expect_navigation(timeout=WAIT_MS):
            page.click("button[type=submit]")
        assert "投票码有输错的地方" in page.inner_text("#form-errors")
        assert page.input_value("#ballot-code") == typo
        assert page.is_checked("input[value=p1]") and page.is_checked("input[value=p3]")
        assert not page.is_checked("input[value=p2]")
        page.fill("#ballot-code", code.lower())
        page.wait_for_timeout(600)  # the fresh token of the page above is refused sooner (min_seconds)
        with page.expect_navigation(timeout=WAIT_MS):
            page.click("button[type=submit]")
        assert page.inner_text("h1") == "您的选票已计入，谢谢！"
        receipt = page.inner_text(".receipt strong")
        assert RECEIPT.match(receipt)
        choices = page.inner_text(".ballot-choices")
        assert "加装楼道扶手" in choices and "增设休息座椅" in choices and "修缮儿童游乐场" not in choices
    finally:
        ctx.close()
