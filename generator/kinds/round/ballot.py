"""What the build publishes for rounds besides pages. The ballot definitions the endpoint enforces (``forms/spec.json``, key
``"ballots"``): the contract with the endpoint's ballot codes. Shape, per round:
``{"type", "projects", "min_choices", "max_choices", "points", "opens", "closes"}``;
and each counted round as a Pabulib ``.pb`` download."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from generator.kinds.base import EndpointPart
from generator.kinds.round import pb
from generator.kinds.round.counting import count_round
from generator.kinds.round.pages import COUNTED, ballot_rows


def endpoint(models: Any) -> EndpointPart:
    """``Kind.endpoint``: the online ballots, and a no-JavaScript token per ballot page."""
    spec = ballot_spec(models("round"))
    return EndpointPart({"ballots": spec}, tuple(f"ballot:{rid}" for rid in spec))


def files(project: Any, index: Any, site_url: str) -> dict[str, bytes]:
    """``Kind.files``: each counted round as ``data/rounds/<id>.pb`` (Pabulib)."""
    return pb_files([d.model for d in project.valid("round")], project.root, project.community.id)


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
                     "closes": r.stages.vote_until.isoformat() if r.stages.vote_until else None,
                     # what the endpoint's answers call them (a re-shown ballot, the receipt, the slips)
                     "title": r.title, "titles": {p.id: p.title for p in r.eligible()}}
    return out


def pb_files(rounds: Iterable[Any], root: Path, unit: str = "", country: str = "China") -> dict[str, bytes]:
    """Each counted round as ``data/rounds/<id>.pb`` (Pabulib format), by path in the site."""
    written: dict[str, bytes] = {}
    for r in rounds:
        usable = ballot_rows(root, r)
        if r.state not in COUNTED or (not usable and all(p.votes is None for p in r.proposals)):
            continue  # not counted: nothing to publish as a result
        written[f"data/rounds/{r.id}.pb"] = pb.export(r, usable, count_round(r, usable), country=country,
                                                      unit=unit).encode("utf-8")
    return written
