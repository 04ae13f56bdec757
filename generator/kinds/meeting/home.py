"""What meetings add to the home page: the meetings ahead and the latest decisions."""

from __future__ import annotations

from typing import Any

from generator.kinds.base import HomeBlock, PageContext
from generator.kinds.meeting.pages import decisions, meetings


def upcoming(ctx: PageContext) -> dict[str, Any]:
    return {"upcoming": sorted((m for m in meetings(ctx) if m.status == "planned" and m.date >= ctx.today),
                               key=lambda m: m.date)[:5]}


def latest(ctx: PageContext) -> dict[str, Any]:
    return {"latest": decisions(ctx)[:5]}


BLOCKS = (HomeBlock(30, "home_meetings_upcoming.md.j2", upcoming),
          HomeBlock(40, "home_decisions_latest.md.j2", latest))
