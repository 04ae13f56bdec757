"""The notices' part of the street views: every published notice, for the street's
notice page and feed (a notice dated after today is not published yet)."""

from __future__ import annotations

from generator.kinds.base import PageContext, StreetFacts, StreetItem
from generator.kinds.notice.pages import notices


def facts(ctx: PageContext) -> StreetFacts:
    return StreetFacts(items=[
        StreetItem("notices", n.id, n.published, n.title, f"notices/{n.id}.md", category=n.category)
        for n in notices(ctx) if n.published <= ctx.today])
