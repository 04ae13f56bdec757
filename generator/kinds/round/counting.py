"""Counting a round with pabutools (https://pypi.org/project/pabutools/): the
round's eligible proposals become an ``Instance``, its ballots a profile, and the
declared rule selects the funded set. Counts recorded at a meeting (show of hands)
become an approval profile with that many identical ballots per project: the same
greedy count a committee would do on a board, done by a well-kept library.

``explain`` then walks the proposals by votes and says, for each, why it was or
was not funded ("more votes than a funded project, but the budget left was less
than its cost"): residents see the reason, not only the outcome.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from fractions import Fraction
from typing import TYPE_CHECKING, Any

# pabutools (and numpy under it) cost ~0.3 s to import: only a count pays for them,
# not every `portal check` that imports the kinds (the registry).
if TYPE_CHECKING:
    from pabutools.election import ApprovalProfile, CardinalProfile, Instance

#: one row of ``<round>.ballots.csv``: the ballot's code, the project, the value
#: (1 for approval, points for cumulative, rank 1..n for ordinal)
BallotRow = tuple[str, str, int]


@dataclass
class Line:
    """One proposal on the result page."""

    id: str
    cost: float
    votes: int | None  #: None: not put to the vote (ineligible)
    funded: bool
    reason: str  #: a key of the kind's strings: funded, over-budget, below-threshold, ineligible, …
    remaining: float | None = None  #: the budget left when its turn came
    beaten_by: list[str] = field(default_factory=list)  #: funded projects with fewer votes


@dataclass
class Result:
    lines: list[Line]
    selected: list[str]
    spent: float
    left: float


def scores(vote_type: str, rows: Iterable[BallotRow], counted: dict[str, int]) -> dict[str, int]:
    """Votes per project: ballots naming it (approval), points (cumulative), or
    ballots ranking it (ordinal), plus counts recorded at a meeting."""
    total: dict[str, int] = defaultdict(int, counted)
    for _ballot, project, value in rows:
        total[project] += value if vote_type == "cumulative" else 1
    return dict(total)


def _profile(instance: Instance, vote_type: str, rows: Iterable[BallotRow],
             counted: dict[str, int]) -> ApprovalProfile | CardinalProfile:
    from pabutools.election import ApprovalBallot, ApprovalProfile, CardinalBallot, CardinalProfile

    by_ballot: dict[str, dict[str, int]] = defaultdict(dict)
    for ballot, project, value in rows:
        by_ballot[ballot][project] = value
    if vote_type == "cumulative":
        # points are additive scores: a cardinal profile counted with cost
        # satisfaction weights each point like an approval (greedy by points)
        prof = CardinalProfile(instance=instance)
        for choices in by_ballot.values():
            prof.append(CardinalBallot({instance.get_project(p): v for p, v in choices.items()}))
        for p, n in counted.items():
            for _ in range(n):
                prof.append(CardinalBallot({instance.get_project(p): 1}))
        return prof
    aprof = ApprovalProfile(instance=instance)
    for choices in by_ballot.values():
        aprof.append(ApprovalBallot({instance.get_project(p) for p in choices}))
    for p, n in counted.items():
        for _ in range(n):
            aprof.append(ApprovalBallot({instance.get_project(p)}))
    return aprof


def select(costs: dict[str, float], budget: float, vote_type: str, rule: str, threshold: int | None,
           rows: list[BallotRow], counted: dict[str, int]) -> list[str]:
    """The funded projects under the declared rule."""
    from pabutools.election import Cost_Sat, Instance, Project
    from pabutools.rules import greedy_utilitarian_welfare, method_of_equal_shares

    votes = scores(vote_type, rows, counted)
    if rule == "greedy-threshold" and threshold is not None:
        costs = {p: c for p, c in costs.items() if votes.get(p, 0) >= threshold}
    instance = Instance(init=[Project(p, Fraction(str(c))) for p, c in costs.items()],
                        budget_limit=Fraction(str(budget)))
    profile = _profile(instance, vote_type, [r for r in rows if r[1] in costs],
                       {p: n for p, n in counted.items() if p in costs})
    if vote_type == "cumulative" and rule != "equal-shares":
        # greedy by points: pabutools' greedy ranks by satisfaction per cost, so with
        # additive points that is points/cost; rank by points as the rule declares
        return _greedy_by(votes, costs, budget)
    if rule == "equal-shares":
        # add1 completion (Pabulib "equalshares/add1"): voters' budgets grow by 1 until the
        # outcome would exceed the budget; pabutools' voter_budget_increment does it
        chosen = method_of_equal_shares(instance, profile, sat_class=Cost_Sat, voter_budget_increment=1)
    else:
        chosen = greedy_utilitarian_welfare(instance, profile, sat_class=Cost_Sat)
    return sorted((p.name for p in chosen), key=lambda p: (-votes.get(p, 0), p))


def _greedy_by(votes: dict[str, int], costs: dict[str, float], budget: float) -> list[str]:
    left, chosen = budget, []
    for p in sorted(costs, key=lambda p: (-votes.get(p, 0), p)):
        if votes.get(p, 0) > 0 and costs[p] <= left:
            chosen.append(p)
            left -= costs[p]
    return chosen


def explain(costs: dict[str, float], ineligible: list[str], budget: float, votes: dict[str, int],
            selected: list[str], threshold: int | None) -> Result:
    """Each proposal's line: funded or not, and why, in the order of the votes."""
    left = budget
    lines: list[Line] = []
    chosen = set(selected)
    for p in sorted(costs, key=lambda p: (-votes.get(p, 0), p)):
        v = votes.get(p, 0)
        if p in chosen:
            lines.append(Line(p, costs[p], v, True, "funded", left))
            left -= costs[p]
        elif threshold is not None and v < threshold:
            lines.append(Line(p, costs[p], v, False, "below-threshold", left))
        elif costs[p] > left:
            beaten = [q for q in selected if votes.get(q, 0) < v]
            lines.append(Line(p, costs[p], v, False, "over-budget", left, beaten))
        else:
            # equal shares: its supporters' shares could not pay for it
            lines.append(Line(p, costs[p], v, False, "not-supported", left))
    lines += [Line(p, 0.0, None, False, "ineligible") for p in ineligible]
    spent = sum(costs[p] for p in selected)
    return Result(lines, selected, spent, budget - spent)


def count_round(r: Any, rows: list[BallotRow]) -> Result:
    """Count a round model (``model.Round``) with its ballots."""
    eligible = r.eligible()
    costs = {p.id: float(p.cost) for p in eligible}
    counted = {p.id: p.votes for p in eligible if p.votes is not None}
    threshold = r.counting.threshold if r.counting.rule == "greedy-threshold" else None
    selected = select(costs, float(r.budget), r.vote.type, r.counting.rule, threshold, rows, counted)
    votes = scores(r.vote.type, [x for x in rows if x[1] in costs], counted)
    return explain(costs, [p.id for p in r.proposals if p.id not in costs], float(r.budget), votes,
                   selected, threshold)
