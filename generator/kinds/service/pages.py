"""The service directory: the list by category, and one page per service."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from generator.kinds.base import Page, PageContext, latest, list_summary
from generator.kinds.service.model import Service

SUMMARY = {"zh": "{name}便民服务和办事指南（{n}项）：办理地点、时间、费用、条件和所需材料。",
           "en": "The {n} services of {name}: where, when, cost, who can use them, documents needed."}


def services(ctx: PageContext) -> list[Service]:
    return ctx.once("services", lambda: sorted((d.model for d in ctx.index.table("service").values()),
                                               key=lambda s: (s.category, s.id)))


def dates(ctx: PageContext) -> list[dt.date]:
    return [s.updated for s in services(ctx) if s.updated]


def build(ctx: PageContext) -> Iterator[Page]:
    items = services(ctx)
    yield Page("services/index.md", "services_index.md.j2", {"zh": "办事服务", "en": "Services"},
               {"services": items}, {**latest(dates(ctx)), "description": list_summary(ctx, SUMMARY, len(items))})
    for s in items:
        yield Page(f"services/{s.id}.md", "service.md.j2", s.name, {"s": s},
                   {"description": s.summary, **({"updated": s.updated.isoformat()} if s.updated else {})})
