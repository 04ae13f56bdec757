"""The budget's part of the street views: spending, income and public revenue (公共收益)
per year, whole and by fund, as recorded.

Recorded actuals only (``site.amounts.tally``): a line with no actual amount is counted
and its planned amount carried as planned, never as spent; a year or fund with no
recorded actual has no value (the street pages say "not recorded"), never 0.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from generator.kinds.base import PageContext, StreetFacts, StreetFigure, StreetMetric
from generator.kinds.budget.model import BudgetLine
from generator.site.amounts import tally
from portal_core.i18n import texts

#: Funds of an owners' public revenue (公共收益): the fund id the demo and ``portal init``
#: use, or a fund whose name says so; fund ids are each community's own, so the street
#: compares by this meaning, not by id.
PUBLIC_REVENUE_ID = "public-revenue"
PUBLIC_REVENUE_WORD = "公共收益"

_YUAN = texts("kind.budget.street.yuan")
METRICS = (
    StreetMetric("budget.spending", "money", texts("kind.budget.street.spending"), _YUAN, per_household=True),
    StreetMetric("budget.income", "money", texts("kind.budget.street.income"), _YUAN, per_household=True),
    StreetMetric("budget.public-revenue", "money", texts("kind.budget.street.public-revenue"), _YUAN,
                 per_household=True),
)


def is_public_revenue(fund_id: str, name: str) -> bool:
    """Whether a fund is the owners' public revenue (公共收益), by id or by name.

    >>> is_public_revenue("gs", "小区公共收益"), is_public_revenue("community-fund", "社区工作经费")
    (True, False)
    """
    return fund_id == PUBLIC_REVENUE_ID or PUBLIC_REVENUE_WORD in name


def _figure(metric: str, year: int, lines: list[BudgetLine], group: str = "", label: Any = None) -> StreetFigure:
    t = tally(lines)
    return StreetFigure(metric, year, t.recorded if t.any_recorded else None, group, label,
                        t.unrecorded, t.unrecorded_planned if t.unrecorded else None)


def facts(ctx: PageContext) -> StreetFacts:
    budgets = ctx.project.budgets
    groups: dict[tuple[str, int, str], list[BudgetLine]] = defaultdict(list)
    for line in budgets.lines:
        if line.year is None or line.direction not in ("income", "expenditure") or line.file in budgets.tainted:
            continue  # a table the check rejected is not summed (its figures would mislead)
        metric = "budget.spending" if line.direction == "expenditure" else "budget.income"
        groups[(metric, line.year, "")].append(line)
        groups[(metric, line.year, line.fund)].append(line)
        if line.direction == "income" and is_public_revenue(line.fund, budgets.funds.get(line.fund, "")):
            groups[("budget.public-revenue", line.year, "")].append(line)
    figures = [_figure(metric, year, lines, fund, budgets.funds.get(fund, fund) if fund else None)
               for (metric, year, fund), lines in sorted(groups.items())]
    return StreetFacts(METRICS, figures)
