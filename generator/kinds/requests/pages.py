"""The published requests and replies (诉求办理公开), with their statistics; and the
receipt lookup page, where a resident follows one request by its number."""

from __future__ import annotations

from collections.abc import Iterator

from generator.kinds.base import Page, PageContext, latest, list_summary
from generator.kinds.requests.stats import RequestStats, request_stats
from portal_core.i18n import texts

SUMMARY = texts("kind.requests.summary")


def stats(ctx: PageContext) -> RequestStats:
    return ctx.once("request-stats", lambda: request_stats(ctx.project, ctx.index))


def build(ctx: PageContext) -> Iterator[Page]:
    s = stats(ctx)
    yield Page("requests/index.md", "requests.md.j2", texts("kind.requests.page.requests-index.title"),
               {"stats": s}, {**latest([r.first_reply or r.received for r in s.requests]),
                              "description": list_summary(ctx, SUMMARY, 0)})
