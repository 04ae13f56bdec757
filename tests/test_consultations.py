"""Consultations (征询) are their own records (issue #19, point 8): one posted online
has no place and is never "held"; its options keep the period their amount was
quoted in (35 元 a day stays 每天 35 元); one left open after its end is an open
question. Meetings may leave the agenda unpublished (point 10); the open-questions
page speaks in words, not field names (point 11). Checked and built from
tests/projects/estate with the records a residents-run estate really keeps."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest
from site_fixtures import CHROMIUM, CHROMIUM_ARGS, TODAY, BuiltSite, _build, text_of

from generator.messages import GOVERNANCE
from tests.conftest import PROJECTS, SampleProject
from tests.problem_asserts import assert_words, single

CONSULTATION = "data/consultations/2026-10-ev-charging.yaml"

#: An online consultation as the estate posted it: no place, no "held", amounts per day and per month.
ONLINE = """\
id: 2026-10-ev-charging
title: {zh: 电动自行车集中充电点收费方式征询, en: How to charge for the e-bike charging point}
summary: 物业报价原样列出，不折算。
body: ywh
channel: online
where: 业主小程序“议事”栏目
start: 2026-10-01
end: 2026-10-31
participants: {zh: 全体业主（每户一票）, en: All owners (one vote per household)}
options:
  - id: o1
    title: {zh: 按天计费，随用随充，不办卡也能用, en: "Pay per day of use, no card needed"}
    amount: 35
    per: day
  - id: o2
    title: {zh: 包月充电卡（每辆车一张，限本小区业主和租户办理）, en: A monthly charging card per e-bike (owners and tenants only)}
    description: 每张卡绑定一辆车。
    amount: 300
    per: month
  - id: o3
    title: 一次性安装智能插座，费用由公共收益支付
    amount: 800
    per: once
  - id: o4
    title: "暂不设置集中充电点 | <b>不收费</b>"
state: open
"""

NO_AGENDA_MEETING = """\
id: 2026-11-14-joint
body: lxh
type: joint
title: {zh: 2026年第四次联席会议, en: Fourth joint meeting of 2026}
date: 2026-11-14
place: 街道办事处三楼会议室
status: held
"""

NOTICE = """\
id: 2026-10-01-ev-charging
title: {zh: 关于电动自行车充电收费方式征询的通知, en: Consultation on e-bike charging fees}
category: announcement
issuer: ywh
published: 2026-10-01
body: 请各位业主在10月31日前在小程序中选择。
"""


def estate_with_records(root: Path) -> Path:
    """The estate plus an online consultation cited by the parking matter (with a notice
    and two budget lines, one of them an unapproved payment), and a joint meeting
    whose agenda was never published."""
    shutil.copytree(PROJECTS / "estate", root)
    (root / CONSULTATION).parent.mkdir(parents=True)
    (root / CONSULTATION).write_text(ONLINE, encoding="utf-8")
    (root / "data/meetings/2026-11-14-joint.yaml").write_text(NO_AGENDA_MEETING, encoding="utf-8")
    (root / "data/notices").mkdir()
    (root / "data/notices/2026-10-01-ev-charging.yaml").write_text(NOTICE, encoding="utf-8")
    # an option put to the owners inside a meeting (today's format) with a running cost per day
    meeting = root / "data/meetings/2026-10-24-consultation.yaml"
    meeting.write_text(meeting.read_text(encoding="utf-8").replace(
        "        recurring_cost: 800\n", "        recurring_cost: 35\n        recurring_per: day\n"), encoding="utf-8")
    matter = root / "data/matters/M2026-parking.yaml"
    matter.write_text(matter.read_text(encoding="utf-8") + (
        "consultations: [2026-10-ev-charging]\nnotices: [2026-10-01-ev-charging]\n"
        "budget_lines:\n  - {year: 2025, line: 2025-GY-108}\n  - {year: 2025, line: 2025-GY-001}\n"), encoding="utf-8")
    return root


@pytest.fixture
def estate(tmp_path: Path) -> SampleProject:
    return SampleProject(estate_with_records(tmp_path / "estate"))


def errors(report) -> list:
    return [p for p in report.problems if p.severity == "error"]


# -- the check ---------------------------------------------------------------------


def test_an_online_consultation_needs_no_place_nor_a_held_status(estate):
    report = estate.check()
    assert errors(report) == []
    assert not [p for p in report.problems if p.file == CONSULTATION and p.code != "consultation.open-past-end"]


def test_open_after_its_end_is_an_open_question_at_the_state_line(estate):
    p = single(estate.check(), "consultation.open-past-end", CONSULTATION)
    assert (p.severity, p.line) == ("warning", ONLINE.splitlines().index("state: open") + 1)
    assert p.code in GOVERNANCE
    assert_words(p, ["2026-10-31", "22", ("征询中", "still marked open"), ("state", "state: decided")])


def test_still_open_before_its_end_is_no_question(estate):
    estate.replace(CONSULTATION, "end: 2026-10-31", "end: 2026-11-30")
    assert [p for p in estate.check().problems if p.file == CONSULTATION] == []


def test_decided_says_what_came_of_it(estate):
    estate.replace(CONSULTATION, "state: open", "state: decided")
    p = single(estate.check(), "consultation.result-missing", CONSULTATION)
    assert p.severity == "warning"
    assert_words(p, [("没有写结果", "neither a result nor a decision"), ("result:", "result:")])
    estate.replace(CONSULTATION, "state: decided", "state: decided\nresult: 收回 300 户，方案二 180 户。")
    assert [p for p in estate.check().problems if p.file == CONSULTATION] == []


def test_a_period_ending_before_it_starts_and_a_repeated_option(estate):
    estate.replace(CONSULTATION, "end: 2026-10-31", "end: 2026-09-30")
    estate.replace(CONSULTATION, "  - id: o3", "  - id: o1")
    report = estate.check()
    rng = single(report, "date.range", CONSULTATION)
    assert (rng.severity, rng.line) == ("error", 8)
    dup = single(report, "id.duplicate", CONSULTATION)
    assert dup.line == ONLINE.splitlines().index("  - id: o3") + 1
    assert_words(dup, ["o1", f"{CONSULTATION}:11", ("征询方案", "consultation option")])


@pytest.mark.parametrize("line, field", [("place: 活动室", "place"), ("status: held", "status"),
                                         ("options_per: month", "options_per")])
def test_a_field_a_consultation_does_not_have_is_an_error_never_dropped(estate, line, field):
    estate.replace(CONSULTATION, "state: open", f"state: open\n{line}")
    p = single(estate.check(), "schema.unknown-field", CONSULTATION)
    assert (p.severity, p.line) == ("error", len(ONLINE.splitlines()) + 1)
    assert_words(p, [field])


@pytest.mark.parametrize("per", ["week", "monthly", "每天"])
def test_an_amount_period_outside_day_month_year_once_is_an_error(estate, per):
    estate.replace(CONSULTATION, "    per: day", f"    per: {per}")
    p = single(estate.check(), "schema.choice", CONSULTATION)
    assert (p.severity, p.line) == ("error", ONLINE.splitlines().index("    per: day") + 1)
    assert_words(p, [per, "day, month, year, once"])


def test_a_meeting_consultation_names_a_meeting_that_exists(estate):
    estate.replace(CONSULTATION, "channel: online", "channel: meeting\nmeeting: 2026-10-24-consultaton")
    p = single(estate.check(), "ref.unknown", CONSULTATION)
    assert p.line == 6
    assert_words(p, ["2026-10-24-consultaton", "2026-10-24-consultation"])


def test_portal_new_consultation_writes_a_file_that_checks_once_the_title_is_filled(estate):
    from generator.scaffold.new import new_record

    result = new_record(estate.root, "consultation", slug="2026-12-bins", title="垃圾分类投放点调整征询")
    assert result.files == ["data/consultations/2026-12-bins.yaml"]
    text = estate.read(result.files[0])
    assert "per 写 day 每天" in text and "channel: online" in text
    estate.replace(result.files[0], "    title:              # 必填：方案一，如 每天 5 元", "    title: 维持现状")
    assert [p for p in estate.check().problems if p.file == result.files[0]] == []


# -- meetings: an agenda that was never published ---------------------------------------


@pytest.mark.parametrize("agenda", ["", "agenda: []\n"])
def test_a_held_meeting_without_agenda_checks_and_is_an_open_question(estate, agenda):
    rel = "data/meetings/2026-11-14-joint.yaml"
    estate.write(rel, NO_AGENDA_MEETING + agenda)
    report = estate.check()
    assert [p for p in errors(report) if p.file == rel] == []
    p = single(report, "meeting.agenda-unpublished", rel)
    assert p.severity == "warning" and p.code in GOVERNANCE
    assert p.line == (8 if agenda else 7)
    assert_words(p, [("议程未公布", "agenda has not been published")])


def test_a_planned_meeting_without_agenda_yet_is_no_question(estate):
    rel = "data/meetings/2026-12-12-joint.yaml"
    estate.write(rel, NO_AGENDA_MEETING.replace("2026-11-14", "2026-12-12").replace("held", "planned"))
    assert [p for p in estate.check().problems if p.file == rel] == []


def test_agenda_item_consultations_in_meetings_keep_working(estate):
    """Data written for the old format (a consultation as an agenda item) still checks."""
    report = estate.check()
    assert not [p for p in report.problems if p.file == "data/meetings/2026-10-24-consultation.yaml"]


# -- the site ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory):
    base = tmp_path_factory.mktemp("site-consultations")
    root = estate_with_records(base / "estate")
    built, server = _build("estate-consultations", root, base / "site", TODAY)
    yield built
    server.close()


def article(site: BuiltSite, rel: str) -> str:
    return text_of(site.soup(rel).select_one("article"))


def test_options_keep_their_own_period_zh_and_en(site):
    zh = article(site, "consultations/2026-10-ev-charging/index.html")
    for words in ("每天 35 元", "每月 300 元", "一次性 800 元", "线上征询", "征询中", "全体业主（每户一票）",
                  "业主小程序“议事”栏目", "2026年10月1日", "2026年10月31日", "每张卡绑定一辆车。"):
        assert words in zh, words
    en = article(site, "en/consultations/2026-10-ev-charging/index.html")
    for words in ("¥35 per day", "¥300 per month", "¥800 once", "Online", "All owners (one vote per household)"):
        assert words in en, words
    for converted in ("1,050", "1,065", "3,600", "每月 1"):  # 35 a day is never turned into a month
        assert converted not in zh and converted not in en
    rows = site.soup("consultations/2026-10-ev-charging/index.html").select(".consultation-options tbody tr")
    assert [text_of(r.select("td")[1]) for r in rows] == ["每天 35 元", "每月 300 元", "一次性 800 元", ""]
    # a title is text: its "|" stays in its cell, its markup is shown, not run
    last = rows[3].select("td")[0]
    assert "暂不设置集中充电点 | <b>不收费</b>" in text_of(last) and last.select("b, a") == []


def test_the_list_and_the_open_question_of_a_consultation_left_open(site):
    listing = article(site, "consultations/index.html")
    assert "电动自行车集中充电点收费方式征询" in listing and "线上征询" in listing and "⚑" in listing
    box = site.soup("consultations/2026-10-ev-charging/index.html").select_one("#open-questions")
    assert box is not None and "2026-10-31" in text_of(box) and "征询中" in text_of(box)
    en_box = site.soup("en/consultations/2026-10-ev-charging/index.html").select_one("#open-questions")
    assert "still marked open" in text_of(en_box)
    page = site.soup("open-questions/index.html")
    heading = next(h for h in page.select("article h2") if text_of(h).startswith("征询"))
    assert "电动自行车集中充电点收费方式征询" in text_of(heading.find_next_sibling("ul"))


def test_matter_timeline_holds_consultation_notice_and_budget_lines(site):
    rel = "matters/M2026-parking/index.html"
    soup = site.soup(rel)
    events = {li.get("class")[0]: text_of(li) for li in soup.select("ol.timeline > li")}
    assert "电动自行车集中充电点收费方式征询" in events["timeline-consultation"]
    assert "征询中" in events["timeline-consultation"]
    assert "关于电动自行车充电收费方式征询的通知" in events["timeline-notice"]
    assert "地面停车位场地使用费" in events["timeline-income"] and "121,350" in events["timeline-income"]
    assert "下水道夜间应急疏通" in events["timeline-spending"]
    hrefs = {a["href"] for a in soup.select("ol.timeline a")}
    assert {"../../consultations/2026-10-ev-charging/", "../../notices/2026-10-01-ev-charging/",
            "../../budgets/2025/#2025-gy-108", "../../budgets/2025/#2025-gy-001"} <= hrefs
    en = article(site, "en/matters/M2026-parking/index.html")
    assert "Consultation" in en and "Notice" in en and "Income" in en


def test_matter_flag_box_shows_the_gaps_of_its_timeline_each_linked(site):
    for rel, words in (("matters/M2026-parking/index.html", ("已于 2026-10-31 截止", "没有填写审批或决议")),
                       ("en/matters/M2026-parking/index.html", ("ended on 2026-10-31", "no approval or decision"))):
        box = site.soup(rel).select_one("#open-questions")
        assert box is not None, rel
        text = text_of(box)
        for w in words:
            assert w in text, (rel, w, text)
        hrefs = {a["href"] for a in box.select("a")}
        assert any(h.endswith("consultations/2026-10-ev-charging/") for h in hrefs), hrefs
        assert any(h.endswith("budgets/2025/#2025-gy-108") for h in hrefs), hrefs
    assert "⚑" in article(site, "matters/index.html")


def test_a_meeting_option_keeps_a_running_cost_per_day(site):
    zh = article(site, "meetings/2026-10-24-consultation/index.html")
    assert "35 每天" in zh and "每月" not in zh
    assert "35 per day" in article(site, "en/meetings/2026-10-24-consultation/index.html")


def test_a_meeting_without_published_agenda_says_so(site):
    zh = article(site, "meetings/2026-11-14-joint/index.html")
    assert "议程未公布" in zh and "⚑" in zh
    assert "Agenda not published" in article(site, "en/meetings/2026-11-14-joint/index.html")
    description = site.soup("meetings/2026-11-14-joint/index.html").select_one('meta[name="description"]')["content"]
    assert "议程未公布" in description


def test_open_questions_page_speaks_in_words_not_field_names(site):
    zh = article(site, "open-questions/index.html")
    assert "没有填写审批或决议" in zh
    assert "（approval）" not in zh and "（decision）" not in zh
    assert "but no approval or decision is given" in article(site, "en/open-questions/index.html")


def test_consultations_download_keeps_amounts_per_their_period(site):
    data = site.out / "data"
    with (data / "consultation-options.csv").open(encoding="utf-8-sig", newline="") as f:
        rows = {r["option"]: r for r in csv.DictReader(f)}
    assert (rows["o1"]["amount"], rows["o1"]["per"]) == ("35", "day")
    assert (rows["o2"]["amount"], rows["o2"]["per"]) == ("300", "month")
    assert rows["o4"]["amount"] == ""
    with (data / "consultations.csv").open(encoding="utf-8-sig", newline="") as f:
        row = next(csv.DictReader(f))
    assert (row["id"], row["channel"], row["state"], row["options"]) == ("2026-10-ev-charging", "online", "open", "4")
    records = json.loads((data / "consultations.json").read_text(encoding="utf-8"))
    found = records if isinstance(records, list) else next(v for v in records.values() if isinstance(v, list))
    assert found[0]["options"][0]["per"] == "day"
    matters = (data / "matters.csv").read_text(encoding="utf-8-sig")
    assert "consultation:2026-10-ev-charging" in matters and "budget-line:2025-GY-108" in matters


def test_options_table_reads_on_a_phone(site):
    """At 390 px the options table neither squeezes a title to a few characters per
    line nor pushes the page sideways, and an amount stays on one line."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            ctx = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2,
                                      is_mobile=True, has_touch=True, locale="zh-CN")
            for rel in ("consultations/2026-10-ev-charging/", "en/consultations/2026-10-ev-charging/"):
                page = ctx.new_page()
                page.goto(site.page_url(rel))
                m = page.evaluate("""() => {
                  const table = document.querySelector('.consultation-options table');
                  const box = table.parentElement;
                  const cells = [...table.querySelectorAll('tbody td:first-child')];
                  const amounts = [...table.querySelectorAll('.amount-per')];
                  const lh = parseFloat(getComputedStyle(cells[0]).lineHeight) || 20;
                  return {page: document.documentElement.scrollWidth, inner: window.innerWidth,
                          table: table.getBoundingClientRect().width, tableScroll: table.scrollWidth,
                          box: box.clientWidth,
                          titleWidths: cells.map(c => c.getBoundingClientRect().width),
                          amountLines: amounts.map(a => Math.round(a.getBoundingClientRect().height / lh))};
                }""")
                page.close()
                assert m["page"] <= m["inner"], (rel, m)
                assert m["tableScroll"] <= m["box"] + 1, (rel, m)  # nothing hidden behind a sideways scroll
                assert min(m["titleWidths"]) >= 0.45 * m["inner"], (rel, m)  # not a few characters per line
                assert max(m["amountLines"]) <= 1, (rel, m)
                assert m["table"] <= m["box"] + 1, (rel, m)
            ctx.close()
        finally:
            browser.close()


# -- what a committee writes is data, never code ------------------------------------------


@pytest.mark.parametrize("old, new, code", [
    ("summary: 物业报价原样列出，不折算。", "summary: 物业报价<script>alert(1)</script>", "markdown.unsafe-html"),
    ("    description: 每张卡绑定一辆车。", "    description: <img src=x onerror=alert(1)>每张卡", "markdown.unsafe-html"),
    ("state: open", "state: open\ndocuments:\n  - {title: 结果, url: \"javascript:alert(1)\"}", "schema.url-scheme"),
])
def test_markup_and_addresses_in_a_consultation_are_checked(estate, old, new, code):
    estate.replace(CONSULTATION, old, new)
    p = single(estate.check(), code, CONSULTATION)
    line = next(i for i, text in enumerate(estate.read(CONSULTATION).splitlines(), 1)
                if any(k in text for k in ("javascript", "<script", "onerror")))
    assert (p.severity, p.line) == ("error", line)
