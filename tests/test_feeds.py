"""RSS feeds (notices, decisions) and the meetings calendar, per language: the
minimal sample built once for this module with a public site address, plus a
few variants of the data fed to the feed functions directly."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import feedparser
import pytest
from bs4 import BeautifulSoup
from icalendar import Calendar

from generator.kinds.common import Today
from generator.kinds.meeting.feeds import meetings_ics
from generator.kinds.notice.feeds import notices_rss

PROJECTS = Path(__file__).parent / "projects"
TODAY = dt.date(2026, 11, 22)
SITE_URL = "https://hehua.example.cn/"
SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from generator.build import build

    base = tmp_path_factory.mktemp("feeds")
    root = base / "minimal"
    shutil.copytree(PROJECTS / "minimal", root, ignore=shutil.ignore_patterns(".portal-*", "site"))
    saved, Today.value = Today.value, TODAY  # module fixtures run before the autouse fixed_today
    try:
        return build(root, base / "site", site_url=SITE_URL).out
    finally:
        Today.value = saved


def parse(path: Path) -> feedparser.FeedParserDict:
    feed = feedparser.parse(path.read_bytes())
    assert not feed.bozo, feed.get("bozo_exception")
    return feed


def site_file(site: Path, url: str) -> Path:
    """The file an absolute address of the site names (``…/x/`` → ``x/index.html``)."""
    assert url.startswith(SITE_URL), url
    path = urlsplit(url).path.removeprefix("/")
    return site / path / "index.html" if path == "" or path.endswith("/") else site / path


def calendar(path: Path) -> Calendar:
    return Calendar.from_ical(path.read_bytes())


# -- RSS -----------------------------------------------------------------------------

def test_notices_feed(site):
    feed = parse(site / "feeds" / "notices.xml")
    assert feed.version == "rss20"
    assert feed.feed.title == "测试社区 · 通知公示"
    assert feed.feed.link == SITE_URL + "notices/"
    assert feed.feed.language == "zh-CN"
    (entry,) = feed.entries
    assert entry.title == "门禁更换公示"
    assert entry.link == SITE_URL + "notices/2024-001/"
    assert site_file(site, entry.link).is_file()
    assert entry.published_parsed[:3] == (2024, 3, 11)  # 2024-03-12 00:00 in Beijing is 16:00 UTC the day before
    assert entry.published.endswith("+0800")
    assert "经居委会会议表决" in entry.summary and "2024-03-19" in entry.summary
    assert [t.term for t in entry.tags] == ["公示"]


def test_english_notices_feed(site):
    feed = parse(site / "en" / "feeds" / "notices.xml")
    assert feed.feed.title == "Test Community · Notices"
    assert feed.feed.language == "en"
    (entry,) = feed.entries
    assert entry.title == "Door access replacement"
    assert entry.link == SITE_URL + "en/notices/2024-001/"
    assert site_file(site, entry.link).is_file()
    assert [t.term for t in entry.tags] == ["Public notice"]


def test_decisions_feed_links_to_the_decision_on_its_meeting_page(site):
    feed = parse(site / "feeds" / "decisions.xml")
    assert feed.feed.title == "测试社区 · 决议"
    assert [e.title for e in feed.entries] == ["D2024-02 · 更换单元门禁 · 通过", "D2024-01 · 通过居民公约 · 通过"]
    entry = feed.entries[0]
    assert entry.link == SITE_URL + "meetings/2024-03-10-jwh/#d2024-02"
    assert entry.id == entry.link
    page, anchor = entry.link.split("#")
    html = BeautifulSoup(site_file(site, page).read_text(encoding="utf-8"), "html.parser")
    assert html.find(id=anchor) is not None
    assert "赞成 4 · 反对 1 · 弃权 1" in entry.summary and "采纳方案一" in entry.summary
    assert entry.published == "Sun, 10 Mar 2024 19:00:00 +0800"
    en = parse(site / "en" / "feeds" / "decisions.xml")
    assert en.entries[0].title == "D2024-02 · 更换单元门禁 · Adopted"
    assert en.entries[0].link == SITE_URL + "en/meetings/2024-03-10-jwh/#d2024-02"
    assert "For 4 · Against 1 · Abstain 1" in en.entries[0].summary


def test_approvals_feed_says_amount_route_and_who_signed(site):
    feed = parse(site / "feeds" / "approvals.xml")
    assert feed.feed.title == "测试社区 · 费用审批"
    assert [e.title for e in feed.entries] == ["补种绿植 · 3,000"]
    entry = feed.entries[0]
    assert entry.link == SITE_URL + "approvals/A2024-01/"
    assert site_file(site, entry.link).exists()
    assert "3,000.00" in entry.summary and "委员会和顾问会签" in entry.summary and "已批准" in entry.summary
    assert "业委会" in entry.summary and "冬季冻死的灌木补种" in entry.summary
    assert entry.published == "Tue, 02 Apr 2024 00:00:00 +0800"
    en = parse(site / "en" / "feeds" / "approvals.xml")
    assert en.entries[0].title == "Replanting · 3,000" and "Committee and advisers sign" in en.entries[0].summary
    index = BeautifulSoup((site / "approvals" / "index.html").read_text(encoding="utf-8"), "html.parser")
    assert index.find("a", href="../feeds/approvals.xml") is not None


def test_feed_self_links_point_at_the_feed(site):
    for rel in ("feeds/notices.xml", "en/feeds/decisions.xml"):
        feed = parse(site / rel)
        self_links = [link.href for link in feed.feed.links if link.rel == "self"]
        assert self_links == [SITE_URL + rel]


# -- iCalendar -----------------------------------------------------------------------------

def test_meetings_calendar(site):
    cal = calendar(site / "feeds" / "meetings.ics")
    (event,) = cal.walk("VEVENT")
    assert event.decoded("dtstart") == dt.datetime(2024, 3, 10, 19, 0, tzinfo=SHANGHAI)
    assert str(event["dtstart"].dt.tzinfo) == "Asia/Shanghai"
    assert event["dtstart"].params["TZID"] == "Asia/Shanghai"
    assert event.decoded("dtend") == dt.datetime(2024, 3, 10, 21, 0, tzinfo=SHANGHAI)
    assert str(event["summary"]) == "三月居委会会议"
    assert str(event["location"]) == "社区活动室"
    assert str(event["url"]) == SITE_URL + "meetings/2024-03-10-jwh/"
    assert str(event["status"]) == "CONFIRMED"
    assert str(event["uid"]) == "meeting-2024-03-10-jwh@test-community"
    assert "居委会" in str(event["description"])
    (tz,) = cal.walk("VTIMEZONE")
    assert str(tz["tzid"]) == "Asia/Shanghai"
    en = calendar(site / "en" / "feeds" / "meetings.ics")
    (en_event,) = en.walk("VEVENT")
    assert str(en_event["uid"]) == str(event["uid"])  # the same meeting in both calendars
    assert str(en_event["url"]) == SITE_URL + "en/meetings/2024-03-10-jwh/"


# -- variants, fed to the feed functions directly ------------------------------------------

EXTRA_MEETING = """\
id: 2026-12-01-ywh
body: ywh
type: committee
title: {zh: 业委会临时会议 <取消>, en: Extra meeting & more}
date: 2026-12-01
place: 物业用房
status: cancelled
agenda:
  - id: a1
    title: 讨论电梯维修
    raised_by: {kind: owners}
"""

FUTURE_NOTICE = """\
id: 2027-001
title: 明年的通知
category: announcement
published: 2027-01-05
body: 还没发布。
"""

LINKING_NOTICE = """\
id: 2026-009
title: {zh: "规约 <修订> & 说明", en: Rule update}
category: announcement
published: 2026-11-01
body: |
  详见[居民公约](../rules/covenant.md)和[2024 年预算](../budgets/2024.md#2024-003)。
"""


@pytest.fixture
def variant(minimal):
    from generator.pipeline import load_and_check

    minimal.write("data/meetings/2026-12-01-ywh.yaml", EXTRA_MEETING)
    minimal.write("data/notices/2027-001.yaml", FUTURE_NOTICE)
    minimal.write("data/notices/2026-009.yaml", LINKING_NOTICE)
    checked = load_and_check(minimal.root, jobs=1)
    assert checked.report.ok, checked.report.problems
    return checked


def test_cancelled_meeting_without_time_is_an_all_day_cancelled_event(variant):
    data = meetings_ics(variant.project, variant.index, "zh", "zh", SITE_URL)
    events = {str(e["uid"]): e for e in calendar_bytes(data).walk("VEVENT")}
    event = events["meeting-2026-12-01-ywh@test-community"]
    assert event.decoded("dtstart") == dt.date(2026, 12, 1)
    assert event.decoded("dtend") == dt.date(2026, 12, 2)
    assert str(event["status"]) == "CANCELLED"
    assert str(event["summary"]) == "业委会临时会议 <取消>"
    en = calendar_bytes(meetings_ics(variant.project, variant.index, "en", "zh", SITE_URL + "en/"))
    assert "Extra meeting & more" in [str(e["summary"]) for e in en.walk("VEVENT")]
    # stable: the same data gives the same calendar
    assert data == meetings_ics(variant.project, variant.index, "zh", "zh", SITE_URL)


def test_a_meeting_without_published_agenda_says_so_in_the_calendar(minimal):
    from generator.pipeline import load_and_check

    minimal.write("data/meetings/2026-11-14-joint.yaml", "id: 2026-11-14-joint\nbody: jwh\ntype: joint\n"
                  "title: 联席会议\ndate: 2026-11-14\nplace: 街道办事处\nstatus: held\n")
    checked = load_and_check(minimal.root, jobs=1)
    for lang, words in (("zh", "议程：\n议程未公布"), ("en", "Agenda not published")):
        cal = calendar_bytes(meetings_ics(checked.project, checked.index, lang, "zh", SITE_URL))
        event = next(e for e in cal.walk("VEVENT") if str(e["uid"]).startswith("meeting-2026-11-14-joint"))
        assert words in str(event["description"]), str(event["description"])


def calendar_bytes(data: bytes) -> Calendar:
    return Calendar.from_ical(data)


def test_notices_feed_leaves_out_unpublished_notices_and_escapes_text(variant):
    data = notices_rss(variant.project, variant.index, "zh", "zh", SITE_URL)
    feed = feedparser.parse(data)
    assert not feed.bozo
    assert [e.title for e in feed.entries] == ["规约 <修订> & 说明", "门禁更换公示"]
    assert all("2027-001" not in e.link for e in feed.entries)


def test_relative_links_in_notice_text_become_absolute(variant):
    feed = feedparser.parse(notices_rss(variant.project, variant.index, "zh", "zh", SITE_URL))
    summary = feed.entries[0].summary
    assert 'href="https://hehua.example.cn/rules/covenant/"' in summary
    assert 'href="https://hehua.example.cn/budgets/2024/#2024-003"' in summary
