"""The notices' RSS feed (``Kind.feeds``)."""

from __future__ import annotations

from generator.index import Index
from generator.kinds.common import Today
from generator.load import Project
from generator.site.markdown_export import markdown_html
from generator.site.syndication import FEED_ITEMS, FeedLang, rfc822, rss, site_name


def notices_rss(project: Project, index: Index, lang: str, default: str, base_url: str) -> bytes:
    """Published notices, newest first (a notice dated after today is not yet published)."""
    x = FeedLang(lang, default, base_url)
    today = Today.get()
    notices = sorted((d.model for d in index.table("notice").values() if d.model.published <= today),
                     key=lambda n: (n.published, n.id), reverse=True)[:FEED_ITEMS]
    items = []
    for n in notices:
        link = x.url(f"notices/{n.id}.md")
        body = markdown_html(x(n.body), x.url("notices/index.md"))
        if n.display_until:
            body = f"<p>{x.t('display_period')}{x.colon}{n.published.isoformat()} – {n.display_until.isoformat()}</p>\n" + body
        items.append({"title": x(n.title), "link": link, "date": rfc822(n.published),
                      "category": x.t(n.category), "description": body})
    return rss(x, f"{site_name(project, x)} · {x.t('notices')}", "notices/index.md", "notices.xml", items)
