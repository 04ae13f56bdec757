"""What rounds add to the home page: a round taking proposals or votes, with its deadline."""

from __future__ import annotations

from typing import Any

from generator.kinds.base import HomeBlock, PageContext
from generator.kinds.round.pages import rounds
from portal_core.i18n import texts


def running(ctx: PageContext) -> dict[str, Any]:
    return {"rounds_running": [r for r in rounds(ctx) if r.state in ("proposing", "voting")],
            "round_home": {"title": texts("kind.round.home.title"), "until": texts("kind.round.home.until"),
                           "proposing": texts("kind.round.home.proposing"), "voting": texts("kind.round.home.voting"),
                           "vote": texts("kind.round.home.vote")}}


BLOCKS = (HomeBlock(16, "home_rounds.md.j2", running),)
