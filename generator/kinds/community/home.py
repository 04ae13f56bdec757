"""What the community profile adds to the home page (its description) and to every
page (its bodies and service categories, by id)."""

from __future__ import annotations

from typing import Any

from generator.kinds.base import HomeBlock, PageContext


def shared(ctx: PageContext) -> dict[str, Any]:
    community = ctx.project.community
    return {"categories": {c.id: c.name for c in community.service_categories}, "bodies": ctx.index.table("body")}


BLOCKS = (HomeBlock(50, "home_community.md.j2"),)
