"""The service directory: the list by category, and one page per service."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from generator.kinds.base import Page, PageContext, latest, list_summary
from generator.kinds.service.model import Service
from portal_core.i18n import texts

SUMMARY = texts("kind.service.summary")


def services(ctx: PageContext) -> list[Service]:
    return ctx.once("services", lambda: ctx.index.models("service", lambda s: (s.category, s.id)))


def dates(ctx: PageContext) -> list[dt.date]:
    return [s.updated for s in services(ctx) if s.updated]


def build(ctx: PageContext) -> Iterator[Page]:
    items = services(ctx)
    yield Page("services/index.md", "services_index.md.j2", texts("kind.service.page.services-index.title"),
               {"services": items}, {**latest(dates(ctx)), "description": list_summary(ctx, SUMMARY, len(items))})
    for s in items:
        yield Page(f"services/{s.id}.md", "service.md.j2", s.name, {"s": s},
                   {"description": s.summary, **({"updated": s.updated.isoformat()} if s.updated else {})})
