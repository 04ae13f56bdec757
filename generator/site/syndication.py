"""Writing feeds (RSS 2.0, iCalendar) for the kinds' ``Feed`` hooks: text of one
language, absolute links, RFC 822 dates in Beijing time. ``generator.site.feeds``
writes every kind's feeds into each language's ``feeds/``.

Output is deterministic: a feed's date is its newest item's, not the build time,
so rebuilding unchanged data gives identical files.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import html
import re
import xml.etree.ElementTree as ET
from typing import Any

from generator.kinds.common import Text
from generator.load import Project
from generator.site.qr import page_url
from generator.site.strings import site_text
from portal_core.china_time import at
from portal_core.languages import pick

ATOM = "http://www.w3.org/2005/Atom"
#: Most recent items per RSS feed; older ones stay on the site and in data/.
FEED_ITEMS = 50

ET.register_namespace("atom", ATOM)

_XML_INVALID = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_text(value: str) -> str:
    """Text without the characters XML 1.0 cannot carry.

    >>> xml_text("a\\x0bb\\x00c")
    'abc'
    """
    return _XML_INVALID.sub("", value)


class FeedLang:
    """Text of one language, with the site's UI strings."""

    def __init__(self, lang: str, default: str, base_url: str) -> None:
        self.lang, self.default = lang, default
        self.base = base_url.rstrip("/") + "/"

    def __call__(self, value: Text | None) -> str:
        return xml_text(pick(value, self.lang, self.default))

    def t(self, key: str) -> str:
        return site_text(key, self.lang)

    @property
    def colon(self) -> str:
        return "：" if self.lang == "zh" else ": "

    def url(self, path: str, anchor: str = "") -> str:
        return page_url(self.base, path) + (f"#{anchor.lower()}" if anchor else "")

    @property
    def code(self) -> str:
        return "zh-CN" if self.lang == "zh" else self.lang


def rfc822(date: dt.date, clock: str | None = None) -> str:
    return email.utils.format_datetime(at(date, clock))


def rss(x: FeedLang, title: str, page: str, feed: str, items: list[dict[str, Any]]) -> bytes:
    rss = ET.Element("rss", {"version": "2.0"})
    channel = ET.SubElement(rss, "channel")
    ET.SubElement(channel, "title").text = title
    ET.SubElement(channel, "link").text = x.url(page)
    ET.SubElement(channel, "description").text = title
    ET.SubElement(channel, "language").text = x.code
    if items:
        ET.SubElement(channel, "lastBuildDate").text = items[0]["date"]
    ET.SubElement(channel, f"{{{ATOM}}}link", {"href": x.base + f"feeds/{feed}", "rel": "self",
                                               "type": "application/rss+xml"})
    for it in items:
        item = ET.SubElement(channel, "item")
        ET.SubElement(item, "title").text = it["title"]
        ET.SubElement(item, "link").text = it["link"]
        ET.SubElement(item, "guid", {"isPermaLink": "true"}).text = it["link"]
        ET.SubElement(item, "pubDate").text = it["date"]
        if it.get("category"):
            ET.SubElement(item, "category").text = it["category"]
        ET.SubElement(item, "description").text = xml_text(it["description"])
    ET.indent(rss)
    return bytes(ET.tostring(rss, encoding="utf-8", xml_declaration=True)) + b"\n"


def site_name(project: Project, x: FeedLang) -> str:
    return x(project.community.name) if project.community is not None else ""


def escape(text: str) -> str:
    return html.escape(text, quote=True)


def event_times(ev: Any, date: dt.date, start: str | None, end: str | None) -> None:
    """An iCalendar event's times: Beijing clock times when known (an end before the start
    is the next day's), else the whole day."""
    if start:
        begin = at(date, start)
        ev.add("dtstart", begin)
        if end:
            finish = at(date, end)
            ev.add("dtend", finish if finish > begin else finish + dt.timedelta(days=1))
    else:
        ev.add("dtstart", date)
        ev.add("dtend", date + dt.timedelta(days=1))
