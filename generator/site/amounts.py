"""How amounts of money are written on the site (tables, charts, the ``money`` filter),
and what a set of budget lines adds up to.

The rule: an amount a resident reads is recorded in the data or labelled for what
it is. Spent (or received) is only ever the sum of recorded actuals; lines whose
actual is blank are counted, not guessed, and their planned amounts are summed
apart as "planned" (``Tally``). Matter, approval and contract pages share it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any


def money(value: float | None) -> str:
    """``12,345.50`` style; whole amounts without decimals.

    >>> money(12000), money(31500.5), money(None)
    ('12,000', '31,500.50', '')
    """
    if value is None:
        return ""
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.2f}"


@dataclass(frozen=True)
class Tally:
    """What some budget lines add up to, told apart: recorded actuals and the rest."""

    recorded: float  #: sum of the actual amounts that are recorded
    lines: int  #: how many lines
    unrecorded: int  #: how many lines have no actual amount yet
    unrecorded_planned: float  #: the planned amounts of those lines (labelled planned, never spent)
    planned: float  #: every line's planned amount

    @property
    def any_recorded(self) -> bool:
        return self.lines > self.unrecorded


def tally(lines: Iterable[Any]) -> Tally:
    """Sum recorded actuals; count (and sum the planned amounts of) lines without one.

    >>> class L:
    ...     def __init__(self, planned, actual): self.planned, self.actual = planned, actual
    >>> tally([L(100, 90), L(50, None)])
    Tally(recorded=90.0, lines=2, unrecorded=1, unrecorded_planned=50.0, planned=150.0)
    """
    recorded = unrecorded_planned = planned = 0.0
    n = blank = 0
    for line in lines:
        n += 1
        planned += line.planned or 0
        if line.actual is None:
            blank += 1
            unrecorded_planned += line.planned or 0
        else:
            recorded += line.actual
    return Tally(round(recorded, 2), n, blank, round(unrecorded_planned, 2), round(planned, 2))
