"""The rounds' part of the street views (``Kind.street``): what each community put to
its residents' vote and what the count funded, per year, side by side.

The funded figure is the selected projects' *cost estimates* as counted, labelled so:
a plan, never spending (what was spent is the matter's and the budget's record). A year with a
round not counted yet has no funded figure (not 0, and not the part counted so far).
"""

from __future__ import annotations

from collections import defaultdict

from generator.kinds.base import PageContext, StreetFacts, StreetFigure, StreetMetric
from generator.kinds.round.pages import result_of, rounds
from portal_core.i18n import texts

_YUAN = texts("kind.round.street.yuan")
METRICS = (
    StreetMetric("round.budget", "money", texts("kind.round.street.budget"), _YUAN, per_household=True),
    StreetMetric("round.funded", "money", texts("kind.round.street.funded"), _YUAN, per_household=True),
)


def facts(ctx: PageContext) -> StreetFacts:
    budget: dict[int, float] = defaultdict(float)
    funded: dict[int, float] = defaultdict(float)
    pending: dict[int, int] = defaultdict(int)  # rounds of the year not counted yet
    for r in rounds(ctx):
        day = r.stages.vote_until or r.stages.vote_from or r.stages.propose_from
        if day is None:
            continue  # a round with no date has no year to be compared in
        budget[day.year] += r.budget
        result = result_of(ctx, r)
        if result is None:
            pending[day.year] += 1
        else:
            funded[day.year] += result.spent
    figures = [StreetFigure("round.budget", year, value) for year, value in sorted(budget.items())]
    # a year with a round still to be counted has no funded figure: part of it would read as the whole
    figures += [StreetFigure("round.funded", year, None if pending.get(year) else funded.get(year))
                for year in sorted(budget)]
    return StreetFacts(METRICS, figures)
