"""The ballot definitions the endpoint enforces (``forms/spec.json``, key
``"ballots"``): the contract with the endpoint's ballot codes. Shape, per round:
``{"type", "projects", "min_choices", "max_choices", "points", "opens", "closes"}``."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any


def ballot_spec(rounds: Iterable[Any]) -> dict[str, dict[str, Any]]:
    """Rounds voting online, with their eligible projects and the ballot's limits."""
    out: dict[str, dict[str, Any]] = {}
    for r in rounds:
        if not r.vote.online or r.state != "voting":
            continue
        projects = [p.id for p in r.eligible()]
        out[r.id] = {"type": r.vote.type, "projects": projects, "min_choices": r.vote.min_choices,
                     "max_choices": r.vote.max_choices or len(projects), "points": r.vote.points,
                     "opens": r.stages.vote_from.isoformat() if r.stages.vote_from else None,
                     "closes": r.stages.vote_until.isoformat() if r.stages.vote_until else None}
    return out
