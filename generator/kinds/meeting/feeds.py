"""The decisions' RSS feed and the meetings' iCalendar (``Kind.feeds``)."""

from __future__ import annotations

import datetime as dt

from generator.index import Index
from generator.kinds.common import Today
from generator.load import Project
from generator.site.markdown_export import markdown_html
from generator.site.syndication import FEED_ITEMS, FeedLang, escape, event_times, rfc822, rss, site_name
from portal_core.china_time import TZ


def decisions_rss(project: Project, index: Index, lang: str, default: str, base_url: str) -> bytes:
    """Decisions taken, newest first, each linking to its place in the meeting page."""
    x = FeedLang(lang, default, base_url)
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
        parts.append(f'<p><a href="{x.url(f"meetings/{m.id}.md")}">{escape(meeting)}</a></p>')
        items.append({"title": f"{d.id} · {x(ref.item.title)} · {x.t(d.outcome)}", "link": link,
                      "date": rfc822(date, m.start if date == m.date else None),
                      "category": x.t(d.outcome), "description": "\n".join(parts)})
    return rss(x, f"{site_name(project, x)} · {x.t('decisions')}", "decisions/index.md", "decisions.xml", items)


def meetings_ics(project: Project, index: Index, lang: str, default: str, base_url: str) -> bytes:
    """Every meeting as a VEVENT: in Beijing time when the start is known, else all-day."""
    from icalendar import Calendar, Event  # ~0.1 s to import: only the build pays, not `portal check`

    x = FeedLang(lang, default, base_url)
    community_id = project.community.id if project.community is not None else "community"
    today = Today.get()
    cal = Calendar()
    cal.add("prodid", "-//community-portal//meetings//" + lang.upper())
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", f"{site_name(project, x)} · {x.t('meetings')}")
    cal.add("x-wr-timezone", TZ.key)
    meetings = index.models("meeting", lambda m: (m.date, m.start or "", m.id))
    for m in meetings:
        ev = Event()
        ev.add("uid", f"meeting-{m.id}@{community_id}")
        ev.add("dtstamp", dt.datetime(today.year, today.month, today.day, tzinfo=dt.UTC))
        event_times(ev, m.date, m.start, m.end)
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
