"""What notices add to the home page (the notices on display, the latest plain
notices, the "on display" task) and to every page (their display states)."""

from __future__ import annotations

from typing import Any

from generator.kinds.base import HomeBlock, PageContext
from generator.kinds.notice.pages import notices, recent, states


def current(ctx: PageContext) -> dict[str, Any]:
    state = states(ctx)
    return {"current": [n for n in notices(ctx) if state[n.id] == "active"][:8], "recent": recent(ctx)}


def shared(ctx: PageContext) -> dict[str, Any]:
    return {"states": states(ctx)}


BLOCKS = (HomeBlock(30, "home_notice_task.md.j2", current, task=True),
          HomeBlock(10, "home_notices_current.md.j2", current),
          HomeBlock(20, "home_notices_recent.md.j2", current))
