"""The approvals' RSS feed (``Kind.feeds``)."""

from __future__ import annotations

from generator.index import Index
from generator.kinds.common import Today
from generator.load import Project
from generator.site.markdown_export import markdown_html
from generator.site.syndication import FEED_ITEMS, FeedLang, escape, rfc822, rss, site_name


def approvals_rss(project: Project, index: Index, lang: str, default: str, base_url: str) -> bytes:
    """Approvals of spending (审批), newest first: what, how much, which route, who signed,
    so residents learn of a signed letter without visiting the site."""
    x = FeedLang(lang, default, base_url)
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
        parts = [f"<p>{x.t('amount_approved')}{x.colon}{a.amount:,.2f} · {x.t('route')}{x.colon}{escape(route)}"
                 f" · {x.t('status')}{x.colon}{x.t('approval-' + a.status)}</p>"]
        if signed:
            parts.append(f"<p>{x.t('signed_by')}{x.colon}{escape(signed)}</p>")
        parts.append(markdown_html(x(a.purpose), x.url("approvals/index.md")))
        items.append({"title": f"{x(a.title)} · {a.amount:,.0f}", "link": x.url(f"approvals/{a.id}.md"),
                      "date": rfc822(a.when), "category": x.t("approval-" + a.status),
                      "description": "\n".join(parts)})
    return rss(x, f"{site_name(project, x)} · {x.t('approvals')}", "approvals/index.md", "approvals.xml", items)
