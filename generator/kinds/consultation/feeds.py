"""The consultations' RSS feed (``Kind.feeds``): each consultation as it opens, newest
first, so a resident who follows the site learns of a comment period while it runs."""

from __future__ import annotations

from generator.index import Index
from generator.kinds.common import Today
from generator.load import Project
from generator.site.markdown_export import markdown_html
from generator.site.syndication import FEED_ITEMS, FeedLang, rfc822, rss, site_name
from portal_core.i18n import texts

TITLE = texts("kind.consultation.feed.title")


def consultations_rss(project: Project, index: Index, lang: str, default: str, base_url: str) -> bytes:
    x = FeedLang(lang, default, base_url)
    today = Today.get()
    started = sorted((d.model for d in index.table("consultation").values() if d.model.start <= today),
                     key=lambda c: (c.start, c.id), reverse=True)[:FEED_ITEMS]
    items = []
    for c in started:
        period = f"{c.start.isoformat()} – {c.end.isoformat()}" if c.end else c.start.isoformat()
        body = f"<p>{period}</p>\n" + (markdown_html(x(c.summary), x.url("consultations/index.md")) if c.summary else "")
        items.append({"title": x(c.title), "link": x.url(f"consultations/{c.id}.md"), "date": rfc822(c.start),
                      "description": body})
    return rss(x, f"{site_name(project, x)} · {x(TITLE)}", "consultations/index.md", "consultations.xml", items)
