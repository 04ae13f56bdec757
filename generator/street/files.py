"""The street views' downloads and feeds, written into the built street site:

- ``data/street-*.csv`` and ``.json`` with ``data/datapackage.json`` (Table Schema from
  the same column declarations as the cells, like every community's open data:
  ``site.downloads``), one set for all languages;
- per language, ``feeds/notices.xml`` (RSS 2.0, every community's notices, newest
  first) and ``feeds/calendar.ics`` (every community's meetings).

Output is deterministic: no build time in any file, so an unchanged street rebuilds
to identical bytes.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import xml.etree.ElementTree as ET
from functools import partial
from pathlib import Path
from typing import Any, cast

from generator.kinds.base import Column, TableSpec
from generator.kinds.common import Text
from generator.site.downloads import Table, check_keys, csv_bytes, json_bytes, plain_schema, table, typed_records
from generator.site.syndication import event_times, xml_text
from generator.street import compare
from generator.street.collect import CommunityFacts, StreetData
from generator.street.links import absolute
from generator.street.memo import Memo
from generator.street.model import Street
from portal_core.china_time import TZ, at
from portal_core.i18n import text
from portal_core.languages import pick

#: Most recent notices in the street's RSS feed.
FEED_ITEMS = 50


class _Context:
    """What the columns' getters are given: the street, its data, the default language."""

    def __init__(self, street: Street, data: StreetData, site_url: str) -> None:
        self.street, self.data, self.site_url = street, data, site_url
        self.default = street.languages.default
        self.cells = _cells(data)

    def text(self, value: Text | None) -> str:
        return pick(value, self.default, self.default)

    def url(self, community: str | None, path: str) -> str:
        return absolute(self.site_url, self.default, self.default, community, path)


def _cells(data: StreetData) -> dict[tuple[str, int | None, str], compare.Cell]:
    """(community, year, metric) -> its cell as the comparison pages show it (rank, sample)."""
    out = {}
    for view in compare.views(data):
        for year in compare.years(data, view):
            for row in compare.table(data, view, year).rows:
                for key, cell in row.cells.items():
                    out[(row.community.id, year, key)] = cell
    return out


def _t(zh: str, en: str) -> dict[str, str]:
    return {"zh": zh, "en": en}


def _figure_rows(x: _Context) -> list[tuple[CommunityFacts, Any]]:
    return [(c, f) for c in x.data.communities if c.published
            for f in sorted(c.figures.values(), key=lambda f: (f.metric, f.year or 0, f.group))]


def _cell(x: _Context, row: tuple[CommunityFacts, Any]) -> compare.Cell | None:
    c, f = row
    return x.cells.get((c.id, f.year, f.metric)) if not f.group else None


def _per_household(row: tuple[CommunityFacts, Any], x: _Context) -> float | None:
    c, f = row
    return compare.per_household(f.value, c.households) if x.data.metric(f.metric).per_household else None


COMMUNITY = Column("community", "string", _t("社区", "Community"), lambda r, x: r[0].id,
                   constraints={"required": True})
COMMUNITIES = TableSpec("street-communities", _t("社区", "Communities"), (
    Column("community", "string", _t("社区", "Community"), lambda c, x: c.id, constraints={"required": True}),
    Column("name", "string", _t("名称", "Name"), lambda c, x: x.text(c.name)),
    Column("status", "string", _t("发布状态", "Status"), lambda c, x: c.status,
           _t("built 本次发布；stale 数据有误，显示上次发布的数字；missing 未发布",
              "built: published now; stale: last published figures; missing: not published"),
           {"enum": ["built", "stale", "missing"]}),
    Column("updated", "date", _t("上次发布", "Last published"),
           lambda c, x: c.member.updated.date() if c.member.updated else None),
    Column("households", "integer", _t("户数", "Households"), lambda c, x: c.households),
    Column("households_as_of", "date", _t("户数统计日期", "Households as of"), lambda c, x: c.households_as_of),
    Column("population", "integer", _t("常住人口", "Population"), lambda c, x: c.population),
    Column("open_questions", "integer", _t("待说明事项", "Open questions"),
           lambda c, x: sum(c.open_questions.values()) if c.published else None),
    Column("url", "string", _t("网站", "Site"), lambda c, x: x.url(c.id, "index.md") if c.published else None,
           format="uri"),
), lambda x: x.data.communities, ("community",))

FIGURES = TableSpec("street-figures", _t("各社区数字", "Figures by community"), (
    COMMUNITY,
    Column("year", "integer", _t("年度", "Year"), lambda r, x: r[1].year),
    Column("metric", "string", _t("指标", "Metric"), lambda r, x: r[1].metric, constraints={"required": True}),
    Column("group", "string", _t("分项（资金）", "Breakdown (fund)"), lambda r, x: r[1].group),
    Column("label", "string", _t("指标名称", "Metric name"),
           lambda r, x: x.text(x.data.metric(r[1].metric).label)
           + (f" · {x.text(r[1].group_label)}" if r[1].group else "")),
    Column("unit", "string", _t("单位", "Unit"), lambda r, x: x.text(x.data.metric(r[1].metric).unit)),
    Column("value", "number", _t("数值", "Value"), lambda r, x: r[1].value,
           _t("空白表示未填（不是 0）", "Blank: not recorded (not 0)")),
    Column("per_household", "number", _t("每户", "Per household"), _per_household,
           _t("数值除以户数；没有户数或数值时为空", "Value divided by households; blank without either")),
    Column("pending", "integer", _t("未填实际数的条目", "Entries not recorded"), lambda r, x: r[1].pending),
    Column("pending_planned", "number", _t("其预算数", "Their planned amount"), lambda r, x: r[1].planned),
    Column("small_sample", "boolean", _t("样本不足", "Too few to compare"),
           lambda r, x: c.small_sample if (c := _cell(x, r)) is not None and x.data.metric(r[1].metric).sample else None),
    Column("rank", "integer", _t("排名", "Rank"), lambda r, x: c.rank if (c := _cell(x, r)) is not None else None),
), _figure_rows, ("community", "year", "metric", "group"), (("community", "street-communities", "community"),))

OPEN_QUESTIONS = TableSpec("street-open-questions", _t("各社区待说明事项", "Open questions by community"), (
    COMMUNITY,
    Column("kind", "string", _t("类型", "Type"), lambda r, x: r[1] or "other"),
    Column("count", "integer", _t("件数", "Count"), lambda r, x: r[0].open_questions[r[1]]),
    Column("url", "string", _t("网页", "Web page"), lambda r, x: x.url(r[0].id, "open-questions/index.md"),
           format="uri"),
), lambda x: [(c, k) for c in x.data.communities if c.published for k in sorted(c.open_questions)],
    ("community", "kind"), (("community", "street-communities", "community"),))

CALENDAR = TableSpec("street-calendar", _t("街道会议日历", "Street calendar"), (
    COMMUNITY,
    Column("id", "string", _t("会议编号", "Meeting"), lambda r, x: r[1].id),
    Column("date", "date", _t("日期", "Date"), lambda r, x: r[1].date),
    Column("start", "string", _t("开始", "Start"), lambda r, x: r[1].start),
    Column("end", "string", _t("结束", "End"), lambda r, x: r[1].end),
    Column("title", "string", _t("会议", "Title"), lambda r, x: x.text(r[1].title)),
    Column("place", "string", _t("地点", "Place"), lambda r, x: x.text(r[1].place)),
    Column("status", "string", _t("状态", "Status"), lambda r, x: r[1].status),
    Column("url", "string", _t("网页", "Web page"), lambda r, x: x.url(r[0].id, r[1].path), format="uri"),
), lambda x: _items(x.data, "calendar"), ("community", "id"), (("community", "street-communities", "community"),))

NOTICES = TableSpec("street-notices", _t("街道通知公示", "Street notices"), (
    COMMUNITY,
    Column("id", "string", _t("编号", "Notice"), lambda r, x: r[1].id),
    Column("date", "date", _t("发布日期", "Published"), lambda r, x: r[1].date),
    Column("title", "string", _t("标题", "Title"), lambda r, x: x.text(r[1].title)),
    Column("category", "string", _t("类别", "Category"), lambda r, x: r[1].category),
    Column("url", "string", _t("网页", "Web page"), lambda r, x: x.url(r[0].id, r[1].path), format="uri"),
), lambda x: sorted(_items(x.data, "notices"), key=lambda r: (r[1].date, r[0].id, r[1].id), reverse=True),
    ("community", "id"), (("community", "street-communities", "community"),))

TABLES = (COMMUNITIES, FIGURES, OPEN_QUESTIONS, CALENDAR, NOTICES)


def _items(data: StreetData, feed: str) -> list[tuple[CommunityFacts, Any]]:
    return [(c, i) for c in data.communities if c.published for i in c.items if i.feed == feed]


def downloads(street: Street, data: StreetData, site_url: str) -> dict[str, bytes]:
    """File name under ``data/`` -> content: each table as CSV and JSON, and the package."""
    x = _Context(street, data, site_url)
    # the getters read only what _Context has: the engine's ExportContext is a community's
    tables: list[Table] = [table(spec, cast(Any, x)) for spec in TABLES]
    check_keys(tables)
    files, resources = {}, []
    for t in tables:
        body = csv_bytes(t)
        files[t.path] = body
        files[f"{t.name}.json"] = json_bytes(typed_records(t.schema, t.rows))
        resources.append({"name": t.name, "path": t.path, "title": x.text(t.title), "profile": "tabular-data-resource",
                          "format": "csv", "mediatype": "text/csv", "encoding": "utf-8", "bytes": len(body),
                          "schema": plain_schema(t.schema, x.default)})
    files["datapackage.json"] = json_bytes({
        "name": f"{street.id}-street-views", "title": f"{x.text(street.name)} · 各社区对比 Street views",
        "profile": "tabular-data-package", "homepage": absolute(site_url, x.default, x.default, None, "compare/index.md"),
        "resources": resources})
    return files


def notices_rss(street: Street, data: StreetData, lang: str, site_url: str) -> bytes:
    default = street.languages.default

    def say(value: Text | None) -> str:
        return xml_text(pick(value, lang, default))

    title = f"{say(street.name)} · {text('site.streetview.notices', lang)}"
    rss = ET.Element("rss", {"version": "2.0"})
    channel = ET.SubElement(rss, "channel")
    ET.SubElement(channel, "title").text = title
    ET.SubElement(channel, "link").text = absolute(site_url, lang, default, None, "notices/index.md")
    ET.SubElement(channel, "description").text = title
    ET.SubElement(channel, "language").text = "zh-CN" if lang == "zh" else lang
    items = sorted(_items(data, "notices"), key=lambda r: (r[1].date, r[0].id, r[1].id), reverse=True)[:FEED_ITEMS]
    if items:  # the feed is as recent as its newest item, not the build
        ET.SubElement(channel, "lastBuildDate").text = email.utils.format_datetime(at(items[0][1].date))
    for c, n in items:
        link = absolute(site_url, lang, default, c.id, n.path)
        item = ET.SubElement(channel, "item")
        ET.SubElement(item, "title").text = f"{say(c.name)} · {say(n.title)}"
        ET.SubElement(item, "link").text = link
        ET.SubElement(item, "guid", {"isPermaLink": "true"}).text = link
        ET.SubElement(item, "pubDate").text = email.utils.format_datetime(at(n.date))
        ET.SubElement(item, "category").text = say(c.name)
        if n.category:
            ET.SubElement(item, "category").text = xml_text(text(f"site.{n.category}", lang))
    ET.indent(rss)
    return bytes(ET.tostring(rss, encoding="utf-8", xml_declaration=True)) + b"\n"


def calendar_ics(street: Street, data: StreetData, lang: str, site_url: str, memo: Memo | None = None) -> bytes:
    """Every community's meetings: in Beijing time when the start is known, else all-day.
    ``memo``: each community's events are made again only when its meetings changed."""
    from icalendar import Calendar, Timezone  # only the street build writes calendars

    default = street.languages.default
    cal = Calendar()
    cal.add("prodid", f"-//community-portal//street-{street.id}//{lang.upper()}")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", f"{pick(street.name, lang, default)} · {text('site.streetview.calendar', lang)}")
    cal.add("x-wr-timezone", TZ.key)
    memo = memo or Memo()
    events: list[tuple[list[str], str]] = []
    timed: list[dt.date] = []
    for c in data.communities:
        meetings = [i for i in c.items if i.feed == "calendar"] if c.published else []
        if not meetings:
            continue
        made = memo.get(("calendar", lang, default, site_url, c.id, repr(c.name), repr(meetings)),
                        partial(_events, c, meetings, lang, default, site_url))
        events += [(key, ics) for key, ics in made]
        timed += [m.date for m in meetings if m.start]
    if timed:  # the zone every timed event names (as ``add_missing_timezones`` would add it)
        cal.add_component(Timezone.from_tzid(TZ.key, first_date=dt.date(min(timed).year, 1, 1),
                                             last_date=dt.date(max(timed).year + 2, 1, 1)))
    head, end = bytes(cal.to_ical()).rsplit(b"END:VCALENDAR", 1)
    body = "".join(ics for _key, ics in sorted(events, key=lambda e: e[0])).encode("utf-8")
    return head + body + b"END:VCALENDAR" + end


def _events(c: CommunityFacts, meetings: list[Any], lang: str, default: str,
            site_url: str) -> list[tuple[list[str], str]]:
    """One community's meetings as iCalendar events, each with its place in the street's
    calendar (date, start, community, meeting)."""
    from icalendar import Event

    made = []
    for m in meetings:
        ev = Event()
        ev.add("uid", f"meeting-{m.id}@{c.id}")  # the same uid as the community's own calendar
        ev.add("dtstamp", dt.datetime(m.date.year, m.date.month, m.date.day, tzinfo=dt.UTC))
        event_times(ev, m.date, m.start, m.end)
        ev.add("summary", f"{pick(c.name, lang, default)} · {pick(m.title, lang, default)}")
        if m.place:
            ev.add("location", pick(m.place, lang, default))
        ev.add("url", absolute(site_url, lang, default, c.id, m.path))
        ev.add("status", "CANCELLED" if m.status == "cancelled" else "CONFIRMED")
        made.append(([m.date.isoformat(), m.start or "", c.id, m.id], ev.to_ical().decode("utf-8")))
    return made


def write_file(path: Path, body: bytes) -> None:
    """Into the street build's staging folder (the build swaps it in whole: no half-written site)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(body)


def write_files(street: Street, data: StreetData, site: Path, langs: list[str], site_url: str,
                memo: Memo | None = None) -> None:
    default = street.languages.default
    for name, body in downloads(street, data, site_url).items():
        write_file(site / "data" / name, body)
    for lang in langs:
        feeds = site / ("" if lang == default else lang) / "feeds"
        write_file(feeds / "notices.xml", notices_rss(street, data, lang, site_url))
        write_file(feeds / "calendar.ics", calendar_ics(street, data, lang, site_url, memo))
