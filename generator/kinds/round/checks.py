"""A round's own rules: proposal ids are distinct; a proposal over its cap must be
reviewed ineligible with the reason (or it is an error); ballots name eligible
projects and keep the vote type's limits; the counted set fits the budget; a
closed round with no votes counted is a governance gap."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from generator.index import Index
from generator.kinds.round import records
from generator.kinds.round.counting import count_round
from generator.load import Doc, Project, rel
from generator.problems import Problem


def check(project: Project, index: Index) -> Iterator[Problem]:
    for doc in project.valid("round"):
        yield from _proposals(doc)
        yield from _ballots(project, doc)


def _proposals(doc: Doc) -> Iterator[Problem]:
    r = doc.model
    seen: dict[str, int] = {}
    for i, p in enumerate(r.proposals):
        if p.id in seen:
            yield doc.problem("round.proposal-duplicate", "proposals", i, "id", id=p.id)
        seen.setdefault(p.id, i)
        cap = r.cap_for(p)
        if cap is not None and p.cost > cap and (p.review is None or p.review.eligible):
            yield doc.problem("round.over-cap", "proposals", i, "cost", id=p.id, cost=f"{p.cost:g}", cap=f"{cap:g}")
        if p.review is not None and not p.review.eligible and not p.review.reason:
            yield doc.problem("round.reason-missing", "proposals", i, "review", id=p.id)
        if p.votes is not None and (p.review is None or not p.review.eligible):
            yield doc.problem("round.votes-ineligible", "proposals", i, "votes", id=p.id)
    counted = any(p.votes is not None for p in r.proposals)
    if counted and r.vote.meeting is None:
        yield doc.problem("round.meeting-missing", "vote", id=r.id)


def _ballots(project: Project, doc: Doc) -> Iterator[Problem]:
    r = doc.model
    path = records.ballots_file(project.root, r.id)
    rows, bad = records.read(path)
    file = rel(project.root, path)
    for line, cell in bad:
        yield Problem("round.ballot-row", file, line, 1, {"row": cell}, "error")
    eligible = {p.id for p in r.eligible()}
    known = {p.id for p in r.proposals}
    by_ballot: dict[str, list[records.Row]] = defaultdict(list)
    for row in rows:
        if row.project not in known:
            yield Problem("round.ballot-unknown", file, row.line, 2, {"project": row.project}, "error")
        elif row.project not in eligible:
            yield Problem("round.ballot-ineligible", file, row.line, 2, {"project": row.project}, "error")
        by_ballot[row.ballot].append(row)
    v = r.vote
    for code, choices in by_ballot.items():
        first = choices[0].line
        n = len(choices)
        if n < v.min_choices or (v.max_choices is not None and n > v.max_choices):
            yield Problem("round.ballot-choices", file, first, 1,
                          {"ballot": code, "n": n, "min": v.min_choices, "max": v.max_choices or "∞"}, "error")
        if len({c.project for c in choices}) < n:
            yield Problem("round.ballot-repeat", file, first, 1, {"ballot": code}, "error")
        values = [c.value for c in choices]
        if v.type == "approval" and any(x != 1 for x in values):
            yield Problem("round.ballot-value", file, first, 3, {"ballot": code, "type": v.type}, "error")
        elif v.type == "cumulative" and (any(x < 1 for x in values) or (v.points and sum(values) > v.points)):
            yield Problem("round.ballot-points", file, first, 3,
                          {"ballot": code, "sum": sum(values), "points": v.points or "∞"}, "error")
        elif v.type == "ordinal" and sorted(values) != list(range(1, n + 1)):
            yield Problem("round.ballot-value", file, first, 3, {"ballot": code, "type": v.type}, "error")
    has_votes = bool(rows) or any(p.votes is not None for p in r.proposals)
    if r.state in ("counted", "closed") and not has_votes:
        yield doc.problem("round.result-missing", "state", severity="warning")
    if has_votes and not bad:
        usable = [(x.ballot, x.project, x.value) for x in rows if x.project in eligible]
        result = count_round(r, usable)
        if result.spent > r.budget + 1e-6:  # a rule bug must never publish an overspent round
            yield doc.problem("round.over-budget", "budget", spent=f"{result.spent:g}", budget=f"{r.budget:g}")
