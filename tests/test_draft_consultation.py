"""A draft put out for comment, article by article, and its adoption report (issue #21).

Checked and built from tests/projects/minimal plus a draft version of its covenant, one
consultation still open on it (the comment form) and one closed with its report. The
comment form is made from the draft and compiled into forms/spec.json, so the real
endpoint takes a comment and gives a receipt; on a phone without JavaScript too.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import time
import uuid
from pathlib import Path

import httpx
import pytest
from site_fixtures import CHROMIUM, CHROMIUM_ARGS, TODAY, BuiltSite, _build, text_of
from test_endpoint import JSON, RECEIPT, db_rows, token
from test_endpoint_browser import Deployment, deploy

from generator.messages import GOVERNANCE
from tests.conftest import PROJECTS, SampleProject
from tests.problem_asserts import assert_words, single

RULE = "data/rules/covenant.yaml"
OPEN = "data/consultations/open-draft.yaml"
CLOSED = "data/consultations/closed-draft.yaml"

#: Two more versions of the sample covenant: the draft put out for comment (no date:
#: never in force itself) and the text adopted afterwards.
VERSIONS = """\
  - version: "2027草案"
    draft: true
    articles:
      - number: 1
        title: {zh: 环境, en: Environment}
        text: 爱护公共环境，垃圾分类投放。
      - number: 2
        title: {zh: 互助, en: Mutual help}
        text: 邻里互助。
      - number: 3
        title: {zh: 养犬, en: Dogs}
        text: 文明养犬。
  - version: "2027"
    effective: 2027-01-01
    articles:
      - number: 1
        title: {zh: 环境, en: Environment}
        text: 爱护公共环境，垃圾分类投放，晚间投放到21点。
      - number: 2
        title: {zh: 互助, en: Mutual help}
        text: 邻里互助。
      - number: 3
        title: {zh: 养犬, en: Dogs}
        text: 文明养犬，出门牵绳。
"""

OPEN_TEXT = """\
id: open-draft
title: {zh: 居民公约修订稿征求意见, en: Comments on the covenant draft}
body: jwh
channel: online
start: 2026-11-15
end: 2026-11-30
participants: 全体居民
state: open
draft: {rule: covenant, version: "2027草案"}
"""

CLOSED_TEXT = """\
id: closed-draft
title: {zh: 居民公约修订稿征求意见（第一轮）, en: Comments on the covenant draft (first round)}
body: jwh
channel: online
start: 2026-10-01
end: 2026-10-31
state: closed
draft: {rule: covenant, version: "2027草案", adopted: "2027"}
reported: 2026-11-05
report:
  - article: 1
    summary: {zh: 晚间投放时间太早，建议延长到21点。, en: The evening drop-off ends too early; extend it to 21:00.}
    count: 3
    outcome: adopted
    receipt: XA3P
  - article: 1
    summary: 恢复楼下垃圾桶。
    outcome: not-adopted
    reason: 定时定点是区里统一的办法。
  - article: 3
    summary: 规定绳长不超过1.5米。
    count: 2
    outcome: partly
    reason: 写入“出门牵绳”，长度由养犬规定规定。
    receipt: C4-WT
  - article: whole
    summary: 停车费太高。
    outcome: out-of-scope
    reason: 停车收费不属于公约，已转业委会。
"""

#: What the report above adds up to (count-weighted).
TOTAL, BY_OUTCOME = 7, {"adopted": 3, "partly": 2, "not-adopted": 1, "out-of-scope": 1}
BY_ARTICLE = {1: 4, 2: 0, 3: 2, "whole": 1}


def with_drafts(root: Path) -> Path:
    shutil.copytree(PROJECTS / "minimal", root, ignore=shutil.ignore_patterns(".portal-build", "site", ".portal-*"))
    rule = root / RULE
    rule.write_text(rule.read_text(encoding="utf-8") + VERSIONS, encoding="utf-8")
    (root / "data/consultations").mkdir()
    (root / OPEN).write_text(OPEN_TEXT, encoding="utf-8")
    (root / CLOSED).write_text(CLOSED_TEXT, encoding="utf-8")
    return root


@pytest.fixture
def project(tmp_path: Path) -> SampleProject:
    return SampleProject(with_drafts(tmp_path / "drafts"))


def line_of(project: SampleProject, rel: str, text: str) -> int:
    return next(i for i, line in enumerate(project.read(rel).splitlines(), 1) if text in line)


# -- the check ------------------------------------------------------------------------


def test_drafts_and_a_full_report_check_clean(project):
    report = project.check()
    assert [p for p in report.problems if p.file in (RULE, OPEN, CLOSED)] == []


def test_a_draft_version_left_undated_in_the_middle_needs_draft_true(project):
    project.replace(RULE, "    draft: true\n", "")
    p = single(project.check(), "rule.effective-missing", RULE)
    assert p.severity == "error"


def test_an_article_the_draft_does_not_have(project):
    project.replace(CLOSED, "  - article: 3\n", "  - article: 7\n")
    p = single(project.check(), "ref.unknown", CLOSED)
    assert (p.severity, p.line) == ("error", line_of(project, CLOSED, "article: 7"))
    assert_words(p, ["7", "1, 2, 3, whole", ("条文", "article")])


def test_a_version_the_rule_does_not_have(project):
    project.replace(OPEN, 'version: "2027草案"', 'version: "2027-draft"')
    p = single(project.check(), "ref.unknown", OPEN)
    assert p.line == line_of(project, OPEN, "draft:")
    assert_words(p, ["2027-draft", "2027草案", ("规约版本", "rule version")])


def test_a_rule_that_does_not_exist(project):
    project.replace(OPEN, "rule: covenant", "rule: covenent")
    p = single(project.check(), "ref.unknown", OPEN)
    assert_words(p, ["covenent", "covenant"])


def test_personal_data_in_a_summary_is_refused(project):
    project.replace(CLOSED, "summary: 恢复楼下垃圾桶。", "summary: 恢复楼下垃圾桶（王先生 13812345678）。")
    report = project.check()
    p = single(report, "privacy.mobile", CLOSED)
    assert (p.severity, p.line) == ("error", line_of(project, CLOSED, "13812345678"))
    assert "13812345678" not in " ".join(assert_words_text(p))


def assert_words_text(p) -> list[str]:
    from generator.messages import render

    return [*render(p, "zh"), *render(p, "en")]


def test_a_whole_receipt_is_refused(project):
    project.replace(CLOSED, "receipt: XA3P", "receipt: K7QM-4XRA-3P")
    p = single(project.check(), "schema.pattern", CLOSED)
    assert (p.severity, p.line) == ("error", line_of(project, CLOSED, "K7QM-4XRA-3P"))


@pytest.mark.parametrize("old, new", [("outcome: adopted", "outcome: accepted"), ("outcome: adopted", "outcome: 采纳")])
def test_an_outcome_outside_the_four_words(project, old, new):
    project.replace(CLOSED, old, new)
    p = single(project.check(), "schema.choice", CLOSED)
    assert_words(p, ["adopted, partly, not-adopted, out-of-scope"])


def test_an_outcome_other_than_adopted_needs_its_reason(project):
    project.replace(CLOSED, "    reason: 定时定点是区里统一的办法。\n", "")
    p = single(project.check(), "draft.reason-missing", CLOSED)
    assert (p.severity, p.line) == ("error", line_of(project, CLOSED, "outcome: not-adopted"))
    assert_words(p, ["not-adopted", ("理由", "reason")])


def test_closed_without_a_report_is_a_governance_gap(project):
    text = project.read(CLOSED)
    project.write(CLOSED, text[:text.index("reported:")])
    p = single(project.check(), "consultation.report-missing", CLOSED)
    assert (p.severity, p.line) == ("warning", line_of(project, CLOSED, "state: closed"))
    assert p.code in GOVERNANCE
    assert_words(p, [("意见采纳情况说明", "adoption report"), ("report:", "report:")])


def test_no_comments_at_all_is_an_empty_report_not_a_gap(project):
    text = project.read(CLOSED)
    project.write(CLOSED, text[:text.index("report:")] + "report: []\n")
    assert [p for p in project.check().problems if p.file == CLOSED] == []


def test_portal_new_consultation_explains_a_draft(project):
    from generator.scaffold.new import new_record

    result = new_record(project.root, "consultation", slug="2026-12-draft", title="停车管理规定征求意见")
    text = project.read(result.files[0])
    assert "# draft:" in text and "# report:" in text and "out-of-scope" in text


# -- the comment form ----------------------------------------------------------------


def test_the_comment_form_is_made_from_the_draft(project):
    from generator.form_sources import project_forms
    from generator.forms_spec import compile_forms
    from generator.pipeline import load_and_check

    checked = load_and_check(project.root, jobs=1)
    specs = compile_forms(project_forms(checked.project))["forms"]
    assert {"suggestion", "comments-open-draft", "comments-closed-draft"} <= set(specs)
    spec = specs["comments-open-draft"]
    fields = {f["name"]: f for f in spec["fields"]}
    assert [c["value"] for c in fields["article"]["choices"]] == ["article-1", "article-2", "article-3", "whole"]
    assert fields["article"]["choices"][0]["label"] == {"zh": "第1条 环境", "en": "Art. 1 Environment"}
    assert fields["article"]["required"] and fields["comment"]["required"]
    assert fields["name"]["private"] and fields["phone"]["private"] and not fields["comment"]["private"]
    assert (spec["status"], spec["opens"], spec["closes"]) == ("open", "2026-11-15", "2026-11-30")
    assert specs["comments-closed-draft"]["status"] == "closed"
    assert spec["kind"] == "other"  # portal inbox publish never publishes a comment one by one


# -- the site ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory):
    base = tmp_path_factory.mktemp("site-drafts")
    built, server = _build("drafts", with_drafts(base / "drafts"), base / "site", TODAY)
    yield built
    server.close()


def test_open_draft_page_has_the_articles_and_the_form(site: BuiltSite):
    soup = site.soup("consultations/open-draft/index.html")
    articles = soup.select("section.draft-article")
    assert [a["id"] for a in articles] == ["article-1", "article-2", "article-3"]
    assert soup.select(".comment-count") == []  # comments are private while open
    assert all(a.select_one(".comment-here a")["href"] == "#comment" for a in articles)
    form = soup.select_one("form.portal-form")
    assert form["action"].endswith("/forms/comments-open-draft?lang=zh") and form["method"] == "post"
    assert [o["value"] for o in form.select("select[name=article] option")] == ["", "article-1", "article-2",
                                                                                  "article-3", "whole"]
    assert form.select_one("input[name=_token]")["value"].startswith("s.")  # works without JavaScript
    assert "不在网站或公示栏公开" in text_of(soup.select_one("article .privacy"))
    en = site.soup("en/consultations/open-draft/index.html")
    assert "Send a comment" in text_of(en.select_one("article"))
    assert "Art. 3 Dogs" in text_of(en.select_one("select[name=article]"))


def test_closed_draft_page_shows_counts_and_outcomes_beside_each_article(site: BuiltSite):
    soup = site.soup("consultations/closed-draft/index.html")
    assert soup.select("form.portal-form") == []
    counts = {a["id"]: text_of(a.select_one(".comment-count")) for a in soup.select("section.draft-article")}
    assert counts == {"article-1": "意见 4 条", "article-2": "无意见", "article-3": "意见 2 条"}
    first = text_of(soup.select_one("#article-1 .comment-outcomes"))
    assert "采纳 3" in first and "未采纳 1" in first
    summary = text_of(soup.select_one(".draft-report-link"))
    assert f"共收到意见 {TOTAL} 条" in summary and "不属于本次征求意见范围 1" in summary
    assert soup.select_one(".draft-report-link a")["href"] == "report/"
    en = text_of(site.soup("en/consultations/closed-draft/index.html").select_one("article"))
    assert "4 comments" in en and "No comments" in en


def test_report_figures_match_the_data(site: BuiltSite):
    soup = site.soup("consultations/closed-draft/report/index.html")
    assert text_of(soup.select_one(".report-total")) == str(TOTAL)
    rows = [[text_of(td) for td in tr.select("td")] for tr in soup.select(".report-outcomes tbody tr")]
    words = {"采纳": "adopted", "部分采纳": "partly", "未采纳": "not-adopted", "不属于本次征求意见范围": "out-of-scope"}
    assert {words[r[0]]: int(r[1]) for r in rows if r[0] in words} == BY_OUTCOME
    assert rows[-1] == ["合计", str(TOTAL)]
    per_article = [[text_of(td) for td in tr.select("td")] for tr in soup.select(".report-articles tbody tr")]
    assert [(r[0], int(r[1])) for r in per_article] == [("第1条 环境", 4), ("第3条 养犬", 2), ("全文（总体意见）", 1)]
    assert sum(int(r[1]) for r in per_article) == TOTAL
    # each comment under its article, with the outcome in words and the reason
    entries = soup.select("#report-article-1 li.report-entry")
    assert len(entries) == 2 and "采纳情况: 采纳" in text_of(entries[0])
    assert "理由: 定时定点是区里统一的办法。" in text_of(entries[1])
    assert "（3 人次）" in text_of(entries[0])
    # a resident finds their comment by the receipt's last four symbols
    assert soup.select_one("#receipt-xa3p") is entries[0]
    assert text_of(soup.select_one("#receipt-c4wt .report-receipt code")) == "C4WT"
    assert "已转业委会" in text_of(soup.select_one("#report-article-whole"))
    # the adopted text against the draft (the rule's article diff)
    changes = soup.select("#report-changes ~ .change")
    assert [text_of(c.select_one("strong")) for c in changes] == ["第1条 · 修改", "第3条 · 修改"]
    assert "晚间投放到21点" in text_of(changes[0].select_one(".after"))
    en = site.soup("en/consultations/closed-draft/report/index.html")
    assert "Out of scope" in text_of(en.select_one(".report-outcomes"))
    assert "(3 people)" in text_of(en.select_one("#receipt-xa3p"))


def test_the_rule_history_links_the_draft_and_the_report(site: BuiltSite):
    soup = site.soup("rules/covenant/index.html")
    hrefs = [a["href"] for a in soup.select("article table a")]
    assert "../../consultations/closed-draft/report/" in hrefs
    assert any(h.startswith("../../consultations/") and h.endswith("-draft/") for h in hrefs)
    box = soup.select_one("#changes-2027").find_next("p", class_="rule-report-link")
    assert box.select_one("a")["href"] == "../../consultations/closed-draft/report/"


def test_the_gap_of_a_report_never_published_is_on_the_open_questions_page(tmp_path: Path):
    root = with_drafts(tmp_path / "gap")
    text = (root / CLOSED).read_text(encoding="utf-8")
    (root / CLOSED).write_text(text[:text.index("reported:")], encoding="utf-8")
    built, server = _build("drafts-gap", root, tmp_path / "site", TODAY)
    try:
        questions = text_of(built.soup("open-questions/index.html").select_one("article"))
        assert "没有公布意见采纳情况说明" in questions and "居民公约修订稿征求意见（第一轮）" in questions
        page = built.soup("consultations/closed-draft/index.html")
        assert "没有公布意见采纳情况说明" in text_of(page.select_one("#open-questions"))
        assert "意见采纳情况说明尚未公布" in text_of(page.select_one("article"))
        assert not (built.out / "consultations/closed-draft/report/index.html").exists()
    finally:
        server.close()


def test_spec_json_holds_the_comment_forms(site: BuiltSite):
    spec = json.loads((site.out / "forms/spec.json").read_text(encoding="utf-8"))
    assert spec["forms"]["comments-open-draft"]["status"] == "open"
    assert spec["forms"]["comments-closed-draft"]["status"] == "closed"


# -- the endpoint and the browser ----------------------------------------------------------


@pytest.fixture(scope="module")
def deployed(tmp_path_factory: pytest.TempPathFactory):
    """The project built for a static server and the real endpoint (``portal endpoint``)."""
    from generator.kinds.common import Today

    base = tmp_path_factory.mktemp("drafts-endpoint")
    root = with_drafts(base / "project")
    # the endpoint process runs on the real date: the comment period must include it
    (root / OPEN).write_text(OPEN_TEXT.replace("end: 2026-11-30", f"end: {dt.date.today() + dt.timedelta(days=30)}"),
                             encoding="utf-8")
    saved, Today.value = Today.value, TODAY
    try:
        d = deploy(root, base)
    finally:
        Today.value = saved
    yield d
    d.close()


def test_a_comment_on_an_article_gets_a_receipt_from_the_real_endpoint(deployed: Deployment):
    text = f"第三条建议写明遛狗牵绳。{uuid.uuid4().hex[:8]}"
    with httpx.Client(base_url=deployed.endpoint.url, timeout=30) as client:
        r = client.post("/forms/comments-open-draft",
                        data={"article": "article-3", "comment": text, "phone": "138 0013 8000",
                              "_token": token("comments-open-draft")}, headers=JSON)
        assert r.status_code == 201, r.text
        receipt = r.json()["receipt"]
        assert RECEIPT.match(receipt)
        wrong = client.post("/forms/comments-open-draft",
                            data={"article": "article-9", "comment": "x", "_token": token("comments-open-draft")}, headers=JSON)
        assert wrong.status_code == 422 and "article" in wrong.text
        closed = client.post("/forms/comments-closed-draft",
                             data={"article": "article-1", "comment": "y", "_token": token("comments-closed-draft")}, headers=JSON)
        assert closed.status_code == 410
    rows = [r for r in db_rows(deployed.endpoint.db_path) if r["receipt"] == receipt]
    assert len(rows) == 1 and rows[0]["form_id"] == "comments-open-draft"
    assert json.loads(rows[0]["public_json"]) == {"article": "article-3", "comment": text}
    assert json.loads(rows[0]["private_json"]) == {"phone": "138 0013 8000"}


def test_on_a_phone_without_javascript_the_comment_form_submits(deployed: Deployment):
    from playwright.sync_api import sync_playwright

    text = f"建议把第一条的投放时间写清楚。{uuid.uuid4().hex[:8]}"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            ctx = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True,
                                      has_touch=True, locale="zh-CN", java_script_enabled=False)
            ctx.set_default_timeout(15_000)
            page = ctx.new_page()
            page.goto(deployed.site.url + "consultations/open-draft/")
            assert page.evaluate("document.documentElement.scrollWidth") <= 390
            page.click("#article-1 .comment-here a")
            assert page.url.endswith("#comment")
            page.select_option("#f-comments-open-draft-article", "article-1")
            page.fill("#f-comments-open-draft-comment", text)
            box = page.locator("form.portal-form button[type=submit]").bounding_box()
            assert box and box["height"] >= 44 and box["width"] >= 44
            time.sleep(0.6)  # the build-time token must not look like a bot's instant post
            with page.expect_navigation():
                page.click("form.portal-form button[type=submit]")
            if "/receipts/" not in page.url:  # the "please check" page keeps what was typed
                assert page.locator("#f-comments-open-draft-comment").input_value() == text
                time.sleep(0.7)
                with page.expect_navigation():
                    page.click("form.portal-form button[type=submit]")
            assert page.url.startswith(deployed.endpoint.url + "/receipts/"), page.url
            receipt = page.locator("p.receipt").inner_text().strip()
            assert RECEIPT.match(receipt)
            ctx.close()
        finally:
            browser.close()
    rows = [r for r in db_rows(deployed.endpoint.db_path) if r["receipt"] == receipt]
    assert json.loads(rows[0]["public_json"]) == {"article": "article-1", "comment": text}


def test_the_report_prints_on_a4_without_the_screen_only_parts(site: BuiltSite):
    from playwright.sync_api import sync_playwright
    from test_site_browser import pdf_pages

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(locale="zh-CN")
            page.goto(site.page_url("consultations/closed-draft/report/"))
            assert page.locator(".no-print").is_visible()
            page.emulate_media(media="print")
            assert not page.locator(".no-print").is_visible()
            assert page.locator(".print-only.qr svg").is_visible()
            breaks = page.evaluate("""() => [...document.querySelectorAll('.report-entry')]
                .map(e => getComputedStyle(e).breakInside)""")
            assert breaks and set(breaks) == {"avoid"}
            sizes = pdf_pages(page.pdf(format="A4", print_background=True))
            assert sizes and all(abs(w - 595) <= 1 and abs(h - 842) <= 1 for w, h in sizes)
        finally:
            browser.close()


def test_no_receipt_number_is_published_whole(site: BuiltSite):
    for rel in ("consultations/closed-draft/report/index.html", "consultations/closed-draft/index.html"):
        html = (site.out / rel).read_text(encoding="utf-8")
        assert not re.search(r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{2}", html)


@pytest.mark.parametrize("rel", ["consultations/open-draft/", "consultations/closed-draft/",
                                 "consultations/closed-draft/report/", "en/consultations/closed-draft/report/"])
def test_draft_pages_pass_axe_on_a_phone(site: BuiltSite, rel: str):
    """The gates (test_gates.py) open one page per type; the report sits deeper than their
    page types, so its pages are checked here with the same axe-core rules."""
    from playwright.sync_api import sync_playwright
    from test_gates import AXE, AXE_RUN, AXE_TAGS, PHONE, describe

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            ctx = browser.new_context(**PHONE, locale="zh-CN", bypass_csp=True)  # axe is an inline script
            page = ctx.new_page()
            page.goto(site.page_url(rel))
            page.add_script_tag(path=str(AXE))
            violations = page.evaluate(AXE_RUN, AXE_TAGS)
            assert not violations, describe(violations)
            assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["viewport"]["width"]
        finally:
            browser.close()


def test_the_report_is_open_data(site: BuiltSite):
    import csv

    with (site.out / "data/consultation-comments.csv").open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    assert [(r["consultation"], r["entry"], r["article"], r["outcome"]) for r in rows] == [
        ("closed-draft", "1", "1", "adopted"), ("closed-draft", "2", "1", "not-adopted"),
        ("closed-draft", "3", "3", "partly"), ("closed-draft", "4", "whole", "out-of-scope")]
    assert sum(int(r["count"]) for r in rows) == TOTAL
    assert rows[0]["url"].endswith("/consultations/closed-draft/report/")
    package = json.loads((site.out / "data/datapackage.json").read_text(encoding="utf-8"))
    assert "consultation-comments" in {r["name"] for r in package["resources"]}
    from frictionless import Package

    report = Package(str(site.out / "data/datapackage.json")).validate()
    assert report.valid, report.flatten(["resourceName", "rowNumber", "fieldName", "type", "note"])


def test_inbox_publish_never_publishes_a_comment(tmp_path: Path):
    """Comments are private until the committee summarises them in the report: publishing
    the inbox writes no request for them, even once answered."""
    from test_inbox_publish import inbox, submit

    project = tmp_path / "demo"
    shutil.copytree(PROJECTS.parent.parent / "data", project / "data")
    before = (project / "data/requests/2026.yaml").read_text(encoding="utf-8")
    db = f"sqlite:///{tmp_path / 'inbox.db'}"
    secret = f"第四条投放时间太早 {uuid.uuid4().hex[:8]}"
    receipt = submit(db, form="comments-2026-10-residents-covenant-2027", article="article-4", comment=secret)
    inbox(db, "reply", receipt, "--status", "answered", "--text", "已收到，将写入采纳情况说明。")
    assert receipt in inbox(db, "list").stdout
    inbox(db, "publish", str(project))
    assert (project / "data/requests/2026.yaml").read_text(encoding="utf-8") == before
    assert not any(secret in p.read_text(encoding="utf-8") for p in (project / "data").rglob("*.yaml"))


def test_an_open_draft_is_on_the_home_page_and_in_the_feed(site: BuiltSite):
    import xml.etree.ElementTree as ET

    home = site.soup("index.html")
    block = home.select_one("#have-your-say")
    assert block is not None and "正在征求意见" in text_of(block)
    links = [a["href"] for a in block.find_next("ul").select("a")]
    assert links == ["consultations/open-draft/"]  # the closed draft is not offered
    feed = ET.fromstring((site.out / "feeds/consultations.xml").read_bytes())
    titles = [i.findtext("link") for i in feed.iter("item")]
    assert any(link.endswith("/consultations/open-draft/") for link in titles)
    assert any(link.endswith("/consultations/closed-draft/") for link in titles)
    en = ET.fromstring((site.out / "en/feeds/consultations.xml").read_bytes())
    assert en.findtext("channel/language") == "en"
