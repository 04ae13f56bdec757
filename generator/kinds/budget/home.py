"""What the budget adds to the home page (the latest year at a glance) and to every
page (its funds' names)."""

from __future__ import annotations

from typing import Any

from generator.kinds.base import HomeBlock, PageContext
from generator.kinds.budget.pages import years


def glance(ctx: PageContext) -> dict[str, Any]:
    all_years = years(ctx)
    return {"year": all_years[0] if all_years else None}


def shared(ctx: PageContext) -> dict[str, Any]:
    return {"funds": ctx.project.budgets.funds}


BLOCKS = (HomeBlock(60, "home_budget.md.j2", glance),)
