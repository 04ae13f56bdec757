"""The organisation page: bodies, grids and contacts from community.yaml."""

from __future__ import annotations

from collections.abc import Iterator

from generator.kinds.base import Page, PageContext, latest, list_summary

SUMMARY = {"zh": "{name}的组织机构、网格和联系方式。", "en": "Who is who in {name}: bodies, grids and contacts."}


def build(ctx: PageContext) -> Iterator[Page]:
    yield Page("organisation/index.md", "organisation.md.j2", {"zh": "组织机构", "en": "Organisation"}, {},
               {**latest(ctx.site_dates), "description": list_summary(ctx, SUMMARY, 0)})
