"""A round from the site to the count, with every real part: the portal builds a
round that is voting online; the committee issues ballot codes on the endpoint
(``portal-endpoint ballots issue``); residents vote on the built ballot page in
Chromium with JavaScript off, posting to the real endpoint; the committee exports
the ballots (``ballots export``) into ``data/rounds/<id>.ballots.csv``, closes the
round, and the next build counts them with pabutools.

This is the contract between the round kind (``spec.json["ballots"]``, the form's
field names, the build-time token for ``ballot:<round>``) and the endpoint
(``endpoint.ballots``), tested across the two rather than each against a copy.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import sys
from pathlib import Path

import pytest
from playwright.sync_api import Browser

if str(Path(__file__).resolve().parent) not in sys.path:
    sys.path.insert(0, str(Path(__file__).resolve().parent))
from site_fixtures import SECRET, _build, _copy_minimal  # noqa: E402
from test_ballots import NO_LIMITS, cli  # noqa: E402
from test_endpoint import Endpoint  # noqa: E402

from portal_core.china_time import TZ  # noqa: E402

WAIT_MS = 15_000


def round_yaml(today: dt.date, state: str) -> str:
    # voting from yesterday to next week in China time, as the endpoint reads the dates
    return f"""\
id: r9
title: {{zh: 2027年民生微实事, en: Small projects 2027}}
fund: community-fund
budget: 60000
vote: {{type: approval, min_choices: 1, max_choices: 2, online: true}}
counting: {{rule: greedy}}
state: {state}
stages: {{vote_from: {today - dt.timedelta(days=1)}, vote_until: {today + dt.timedelta(days=7)}}}
proposals:
  - {{id: P01, title: 楼道扶手, category: 工程类, cost: 40000, proposer: resident, review: {{eligible: true}}}}
  - {{id: P02, title: 健身器材, category: 工程类, cost: 30000, proposer: resident, review: {{eligible: true}}}}
  - {{id: P03, title: 阅读角, category: 服务类, cost: 15000, proposer: committee, review: {{eligible: true}}}}
"""


def test_residents_vote_on_the_built_page_and_the_next_build_counts_them(
        tmp_path_factory: pytest.TempPathFactory, browser: Browser, tmp_path: Path) -> None:
    today = dt.datetime.now(TZ).date()
    root = _copy_minimal(tmp_path_factory, "round-vote")
    (root / "data/rounds").mkdir()
    (root / "data/rounds/r9.yaml").write_text(round_yaml(today, "voting"), encoding="utf-8")
    site, server = _build("round-vote", root, root.parent / "site", today)
    spec = json.loads((site.out / "forms/spec.json").read_text(encoding="utf-8"))
    assert spec["ballots"]["r9"]["projects"] == ["P01", "P02", "P03"]
    ep = Endpoint(site.out, f"sqlite:///{tmp_path / 'votes.db'}", tmp_path / "server.log",
                  port=site.endpoint_port, site_url=site.url, allowed_origins=site.url.rstrip("/"),
                  secret=SECRET, **NO_LIMITS).start()  # the key the build signed the page's token with
    try:
        issued = tmp_path / "codes.csv"
        done = cli(ep, "ballots", "issue", "r9", "--households", "3", "--out", str(issued), secret=SECRET)
        assert done.returncode == 0, done.stderr
        codes = [row["code"] for row in csv.DictReader(issued.read_text(encoding="utf-8").splitlines())]
        ctx = browser.new_context(java_script_enabled=False, locale="zh-CN", viewport={"width": 390, "height": 844})
        try:
            # three households: P01+P02, P01+P03, P01 — P01 3 votes, P02 1, P03 1
            for code, ticks in zip(codes, (["P01", "P02"], ["P01", "P03"], ["P01"])):
                page = ctx.new_page()
                page.goto(site.url + "rounds/r9-ballot/")
                page.fill("input[name=code]", code)
                for project in ticks:
                    page.check(f"input[value={project}]")
                page.wait_for_timeout(600)  # the endpoint refuses a form sent sooner than a person could
                with page.expect_navigation(timeout=WAIT_MS):
                    page.click("article form button[type=submit]")
                assert page.inner_text("h1") == "您的选票已计入，谢谢！", page.content()[:2000]
                page.close()
            # the same code again is refused, and says so
            page = ctx.new_page()
            page.goto(site.url + "rounds/r9-ballot/")
            page.fill("input[name=code]", codes[0])
            page.check("input[value=P03]")
            page.wait_for_timeout(600)
            with page.expect_navigation(timeout=WAIT_MS):
                page.click("article form button[type=submit]")
            assert "此投票码已使用" in page.inner_text("body")
        finally:
            ctx.close()
        exported = tmp_path / "r9.ballots.csv"
        done = cli(ep, "ballots", "export", "r9", "--out", str(exported), secret=SECRET)
        assert done.returncode == 0, done.stderr
    finally:
        ep.stop()
        server.close()
    rows = exported.read_text(encoding="utf-8").splitlines()
    assert rows[0] == "ballot,project,value" and len(rows) == 1 + 5

    # the committee commits the export and closes the round: the next build counts it
    (root / "data/rounds/r9.ballots.csv").write_text(exported.read_text(encoding="utf-8"), encoding="utf-8")
    (root / "data/rounds/r9.yaml").write_text(round_yaml(today, "counted"), encoding="utf-8")
    counted, server = _build("round-counted", root, root.parent / "site2", today)
    try:
        table = (counted.out / "data/round-proposals.csv").read_text(encoding="utf-8-sig").splitlines()
        rows = {r["id"]: r for r in csv.DictReader(table) if r["round"] == "r9"}
        # P01 (3 votes, 40,000) funded; P02 and P03 tie at 1; 20,000 left pays P03 (15,000), not P02 (30,000)
        assert [(rows[p]["votes"], rows[p]["funded"]) for p in ("P01", "P02", "P03")] == [
            ("3", "true"), ("1", "false"), ("1", "true")]
        assert (counted.out / "data/rounds/r9.pb").is_file()
        spec = json.loads((counted.out / "forms/spec.json").read_text(encoding="utf-8"))
        assert "r9" not in spec.get("ballots", {})  # a counted round takes no more ballots
    finally:
        server.close()
