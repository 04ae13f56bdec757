"""What consultations add to the home page: the ones residents can still take part in."""

from __future__ import annotations

import datetime as dt
from typing import Any

from generator.kinds.base import HomeBlock, PageContext
from portal_core.i18n import texts


def open_now(ctx: PageContext) -> dict[str, Any]:
    found = [d.model for d in ctx.project.valid("consultation")
             if d.model.state == "open" and d.model.start <= ctx.today and (d.model.end is None or d.model.end >= ctx.today)]
    return {"consultations_open": sorted(found, key=lambda c: (c.end or dt.date.max, c.id)),
            "consultation_home": {"title": texts("kind.consultation.home.title"),
                                  "until": texts("kind.consultation.home.until")}}


# after the notices on display: what is open for residents' say is as urgent
BLOCKS = (HomeBlock(15, "home_consultations_open.md.j2", open_now),)
