"""The organisation page: bodies, grids and contacts from community.yaml."""

from __future__ import annotations

from collections.abc import Iterator

from generator.kinds.base import Page, PageContext, latest, list_summary
from portal_core.i18n import texts

SUMMARY = texts("kind.community.summary")


def build(ctx: PageContext) -> Iterator[Page]:
    yield Page("organisation/index.md", "organisation.md.j2", texts("kind.community.page.organisation-index.title"), {},
               {**latest(ctx.site_dates), "description": list_summary(ctx, SUMMARY, 0)})
