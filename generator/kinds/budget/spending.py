"""Spending lines as the procedure checks and the pages see them: how much, and when.

A budget line has a period (2025, 2025-H1, 2025-Q3, 2025-07) and, optionally, a
payment date; an approval must predate the spending, a contract payment must fall
in its term, and split lines are close in time.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable

from generator.kinds.budget.model import BudgetLine

_PERIOD = re.compile(r"^(\d{4})(?:-(H[12]|Q[1-4]|0[1-9]|1[0-2]))?$")


# A package has few distinct periods (years × halves, quarters, months) but one per
# line, and the checks ask for each line's, some more than once: worked out once each.
@lru_cache(maxsize=4096)
def period_range(period: str) -> tuple[dt.date, dt.date] | None:
    """First and last day of a budget period.

    >>> period_range("2025-Q3"), period_range("2025-02")[1], period_range("2025-H1")[1]
    ((datetime.date(2025, 7, 1), datetime.date(2025, 9, 30)), datetime.date(2025, 2, 28), datetime.date(2025, 6, 30))
    """
    m = _PERIOD.match(period or "")
    if not m:
        return None
    year, part = int(m.group(1)), m.group(2)
    if part is None:
        first, last = 1, 12
    elif part[0] == "H":
        first = 1 if part == "H1" else 7
        last = first + 5
    elif part[0] == "Q":
        first = (int(part[1]) - 1) * 3 + 1
        last = first + 2
    else:
        first = last = int(part)
    return dt.date(year, first, 1), dt.date(year, last, calendar.monthrange(year, last)[1])


@dataclass
class Spend:
    """A spending line with what the checks compare: its size, what it spent, when."""

    line: BudgetLine
    amount: float  #: the larger of planned and actual: what the procedure must cover
    spent: float  #: actual, or planned while actual is blank: what counts against a ceiling
    first: dt.date | None  #: payment date, or the period's first day
    last: dt.date | None  #: payment date, or the period's last day
    dated: bool  #: ``first == last`` comes from the payment date

    @property
    def when(self) -> dt.date:
        return self.last or dt.date.max


def spends(lines: Iterable[BudgetLine]) -> list[Spend]:
    out = []
    for line in lines:
        if line.direction != "expenditure" or not line.amounts_ok:
            continue
        day = None
        try:
            day = dt.date.fromisoformat(line.date) if line.date else None
        except ValueError:
            day = None  # frictionless reports the cell when the schema says it is a date
        rng = (day, day) if day else period_range(line.period)
        out.append(Spend(line, max(line.planned or 0, line.actual or 0),
                         line.actual if line.actual is not None else (line.planned or 0),
                         rng[0] if rng else None, rng[1] if rng else None, day is not None))
    return out


