"""Feeds, per language: RSS 2.0 for notices and decisions, iCalendar for meetings.

Written by ``exports.write_extras`` into ``feeds/`` of each language's site
(``/feeds/`` for the default language, ``/en/feeds/`` …), so the relative links
``../feeds/notices.xml`` of the pages work in every language. Links inside the
feeds are absolute (``site_url`` + page path).

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

from icalendar import Calendar, Event

from generator.index import Index
from generator.kinds.common import Text, Today
from generator.load import Project
from generator.site.markdown_export import markdown_html
from generator.site.qr import page_url
from generator.site.render import site_text
from portal_core.china_time import TZ, at
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


class _Lang:
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


def _rfc822(date: dt.date, clock: str | None = None) -> str:
    return email.utils.format_datetime(at(date, clock))


def _rss(x: _Lang, title: str, page: str, feed: str, items: list[dict[str, Any]]) -> bytes:
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


def _site_name(project: Project, x: _Lang) -> str:
    return x(project.community.name) if project.community is not None else ""


def notices_rss(project: Project, index: Index, lang: str, default: str, base_url: str) -> bytes:
    """Published notices, newest first (a notice dated after today is not yet published)."""
    x = _Lang(lang, default, base_url)
    today = Today.get()
    notices = sorted((d.model for d in index.table("notice").values() if d.model.published <= today),
                     key=lambda n: (n.published, n.id), reverse=True)[:FEED_ITEMS]
    items = []
    for n in notices:
        link = x.url(f"notices/{n.id}.md")
        body = markdown_html(x(n.body), x.url("notices/index.md"))
        if n.display_until:
            body = f"<p>{x.t('display_period')}{x.colon}{n.published.isoformat()} – {n.display_until.isoformat()}</p>\n" + body
        items.append({"title": x(n.title), "link": link, "date": _rfc822(n.published),
                      "category": x.t(n.category), "description": body})
    return _rss(x, f"{_site_name(project, x)} · {x.t('notices')}", "notices/index.md", "notices.xml", items)


def decisions_rss(project: Project, index: Index, lang: str, default: str, base_url: str) -> bytes:
    """Decisions taken, newest first, each linking to its place in the meeting page."""
    x = _Lang(lang, default, base_url)
    today = Today.get()
    refs = [r for r in index.table("decision").values() if (r.decision.date or r.meeting.date) <= today]
    refs.sort(key=lambda r: (r.decision.date or r.meeting.date, r.meeting.start or "", r.decision.id), reverse=True)
    items = []
    for ref in refs[:FEED_ITEMS]:
        d, m = ref.decision, ref.meeting
        date = d.date or m.date
        link = x.url(f"meetings/{m.id}.md", d.id)
        parts = [markdown_html(x(d.text), x.url("meetings/index.md"))]
        if d.votes:
            parts.append(f"<p>{x.t('vote')}{x.colon}{x.t('for')} {d.votes.for_} · {x.t('against')} "
                         f"{d.votes.against} · {x.t('abstain')} {d.votes.abstain}</p>")
        parts.append(f"<p>{x.t('outcome')}{x.colon}{x.t(d.outcome)}</p>")
        body = index.table("body").get(m.body)
        meeting = f"{x(m.title)} ({x(body.name) if body else m.body}, {date.isoformat()})"
        parts.append(f'<p><a href="{x.url(f"meetings/{m.id}.md")}">{_escape(meeting)}</a></p>')
        items.append({"title": f"{d.id} · {x(ref.item.title)} · {x.t(d.outcome)}", "link": link,
                      "date": _rfc822(date, m.start if date == m.date else None),
                      "category": x.t(d.outcome), "description": "\n".join(parts)})
    return _rss(x, f"{_site_name(project, x)} · {x.t('decisions')}", "decisions/index.md", "decisions.xml", items)


def approvals_rss(project: Project, index: Index, lang: str, default: str, base_url: str) -> bytes:
    """Approvals of spending (审批), newest first: what, how much, which route, who signed,
    so residents learn of a signed letter without visiting the site."""
    x = _Lang(lang, default, base_url)
    today = Today.get()
    # listed under the day approved, else the day asked (a letter with no reply on record)
    approvals = sorted((d.model for d in index.table("approval").values()
                        if d.model.when is not None and d.model.when <= today),
                       key=lambda a: (a.when, a.id), reverse=True)[:FEED_ITEMS]
    bodies = index.table("body")
    items = []
    for a in approvals:
        route = " → ".join(x.t(f"route-{r}") for r in a.route)
        signed = "、".join(x(bodies[s.body].name) if s.body in bodies else s.body for s in a.signed_by)
        parts = [f"<p>{x.t('amount_approved')}{x.colon}{a.amount:,.2f} · {x.t('route')}{x.colon}{_escape(route)}"
                 f" · {x.t('status')}{x.colon}{x.t('approval-' + a.status)}</p>"]
        if signed:
            parts.append(f"<p>{x.t('signed_by')}{x.colon}{_escape(signed)}</p>")
        parts.append(markdown_html(x(a.purpose), x.url("approvals/index.md")))
        items.append({"title": f"{x(a.title)} · {a.amount:,.0f}", "link": x.url(f"approvals/{a.id}.md"),
                      "date": _rfc822(a.when), "category": x.t("approval-" + a.status),
                      "description": "\n".join(parts)})
    return _rss(x, f"{_site_name(project, x)} · {x.t('approvals')}", "approvals/index.md", "approvals.xml", items)


def _escape(text: str) -> str:
    return html.escape(text, quote=True)


def meetings_ics(project: Project, index: Index, lang: str, default: str, base_url: str) -> bytes:
    """Every meeting as a VEVENT: in Beijing time when the start is known, else all-day."""
    x = _Lang(lang, default, base_url)
    community_id = project.community.id if project.community is not None else "community"
    today = Today.get()
    cal = Calendar()
    cal.add("prodid", "-//community-portal//meetings//" + lang.upper())
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", f"{_site_name(project, x)} · {x.t('meetings')}")
    cal.add("x-wr-timezone", TZ.key)
    meetings = index.models("meeting", lambda m: (m.date, m.start or "", m.id))
    for m in meetings:
        ev = Event()
        ev.add("uid", f"meeting-{m.id}@{community_id}")
        ev.add("dtstamp", dt.datetime(today.year, today.month, today.day, tzinfo=dt.UTC))
        if m.start:
            start = at(m.date, m.start)
            ev.add("dtstart", start)
            if m.end:
                end = at(m.date, m.end)
                ev.add("dtend", end if end > start else end + dt.timedelta(days=1))
        else:
            ev.add("dtstart", m.date)
            ev.add("dtend", m.date + dt.timedelta(days=1))
        ev.add("summary", x(m.title))
        ev.add("location", x(m.place))
        ev.add("url", x.url(f"meetings/{m.id}.md"))
        ev.add("status", "CANCELLED" if m.status == "cancelled" else "CONFIRMED")
        body = index.table("body").get(m.body)
        lines = [f"{x.t('body')}{x.colon}{x(body.name) if body else m.body}", f"{x.t('agenda')}{x.colon}".rstrip()]
        lines += [f"{i}. {x(item.title)}" for i, item in enumerate(m.agenda, 1)] or [x.t("agenda_unpublished")]
        lines.append(x.url(f"meetings/{m.id}.md"))
        ev.add("description", "\n".join(lines))
        cal.add_component(ev)
    timed = [m.date for m in meetings if m.start]
    if timed:  # a VTIMEZONE covering just the years of the meetings
        cal.add_missing_timezones(first_date=dt.date(min(timed).year, 1, 1),
                                  last_date=dt.date(max(timed).year + 2, 1, 1))
    return bytes(cal.to_ical())



def feeds(project: Project, index: Index, lang: str, default: str, base_url: str) -> dict[str, bytes]:
    """Every feed of one language, by file name (written to ``<lang site>/feeds/``)."""
    return {
        "notices.xml": notices_rss(project, index, lang, default, base_url),
        "decisions.xml": decisions_rss(project, index, lang, default, base_url),
        "approvals.xml": approvals_rss(project, index, lang, default, base_url),
        "meetings.ics": meetings_ics(project, index, lang, default, base_url),
    }
