"""The notices' pages: the list, and one page per notice with its display state."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from generator.kinds.base import Page, PageContext, latest, list_summary
from generator.kinds.notice.model import Notice

SUMMARY = {"zh": "{name}的全部通知和公示（{n}条），含公示期和状态。",
           "en": "All {n} notices of {name}, with display periods and status."}


def display_state(published: dt.date, until: dt.date | None, today: dt.date) -> str:
    if published > today:
        return "upcoming"
    if until is None or until >= today:
        return "active"
    return "ended"


def notices(ctx: PageContext) -> list[Notice]:
    """Newest first."""
    return ctx.once("notices", lambda: sorted((d.model for d in ctx.index.table("notice").values()),
                                              key=lambda n: (n.published, n.id), reverse=True))


def states(ctx: PageContext) -> dict[str, str]:
    return ctx.once("notice-states", lambda: {n.id: display_state(n.published, n.display_until, ctx.today)
                                              for n in notices(ctx)})


def dates(ctx: PageContext) -> list[dt.date]:
    return [n.published for n in notices(ctx)]


def build(ctx: PageContext) -> Iterator[Page]:
    items, state = notices(ctx), states(ctx)
    yield Page("notices/index.md", "notices_index.md.j2", {"zh": "通知公示", "en": "Notices"},
               {"notices": items}, {**latest(dates(ctx)), "description": list_summary(ctx, SUMMARY, len(items))})
    for n in items:
        yield Page(f"notices/{n.id}.md", "notice.md.j2", n.title, {"n": n, "state": state[n.id]},
                   {"updated": n.published.isoformat(), "print": True, "description": n.body})

