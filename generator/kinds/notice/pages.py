"""The notices' pages: the list, and one page per notice with its display state."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from generator.kinds.base import Page, PageContext, latest, list_summary
from generator.kinds.notice.model import Notice
from portal_core.i18n import texts

SUMMARY = texts("kind.notice.summary")


def display_state(published: dt.date, until: dt.date | None, today: dt.date) -> str:
    """``upcoming``, ``active`` (on display: inside its display period), ``ended``, or
    ``published`` for a notice without a display period: it was never "on display",
    so it must not stay under 正在公示 forever."""
    if published > today:
        return "upcoming"
    if until is None:
        return "published"
    if until >= today:
        return "active"
    return "ended"


def recent(ctx: PageContext, limit: int = 5) -> list[Notice]:
    """The latest notices without a display period (通知), for the home page."""
    state = states(ctx)
    return [n for n in notices(ctx) if state[n.id] == "published"][:limit]


def notices(ctx: PageContext) -> list[Notice]:
    """Newest first."""
    return ctx.once("notices", lambda: ctx.index.models("notice", lambda n: (n.published, n.id), reverse=True))


def states(ctx: PageContext) -> dict[str, str]:
    return ctx.once("notice-states", lambda: {n.id: display_state(n.published, n.display_until, ctx.today)
                                              for n in notices(ctx)})


def dates(ctx: PageContext) -> list[dt.date]:
    return [n.published for n in notices(ctx)]


def build(ctx: PageContext) -> Iterator[Page]:
    items, state = notices(ctx), states(ctx)
    yield Page("notices/index.md", "notices_index.md.j2", texts("kind.notice.page.notices-index.title"),
               {"notices": items}, {**latest(dates(ctx)), "description": list_summary(ctx, SUMMARY, len(items))})
    for n in items:
        yield Page(f"notices/{n.id}.md", "notice.md.j2", n.title, {"n": n, "state": state[n.id]},
                   {"updated": n.published.isoformat(), "print": True, "description": n.body})

