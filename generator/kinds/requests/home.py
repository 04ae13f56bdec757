"""What published requests add to the home page (open requests, reply times) and to
every page (a category's label)."""

from __future__ import annotations

from typing import Any

from generator.kinds.base import HomeBlock, PageContext
from generator.kinds.requests.pages import stats
from generator.kinds.requests.stats import category_label


def summary(ctx: PageContext) -> dict[str, Any]:
    return {"stats": stats(ctx)}


def shared(ctx: PageContext) -> dict[str, Any]:
    index = ctx.index
    return {"category_label": lambda form_id, value: category_label(index, form_id, value)}


BLOCKS = (HomeBlock(80, "home_requests.md.j2", summary),)
