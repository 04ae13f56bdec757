"""Budgets and accounts: CSV tables in ``data/budgets/``, described by a
Frictionless Data Package (``datapackage.yaml``).

Concepts borrowed from the Fiscal Data Package: each line has a ``direction``
(income / expenditure, FDP's revenue / expenditure), a classification
(``category``), and both phases side by side: ``planned`` (budget, 预算) and
``actual`` (spending, 决算/实际).

Resources:

- ``funds``: the funds the community accounts for (社区经费, 公共收益, 维修资金 …);
- ``lines-<year>``: one table per year, ``<year>.csv``, sharing
  ``budget-lines.schema.yaml``;
- ``totals``: the totals the committee declares (e.g. on the paper 公示), which the
  check recomputes from the lines.

This module holds the contract (which fields the checks rely on) and the light
row records the checks use; frictionless validates the tables themselves.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

#: Folder of the budget data package, relative to data/.
BUDGETS_FOLDER = "budgets"

#: Fields each resource must declare for the checks and the site to work.
REQUIRED_FIELDS: dict[str, tuple[str, ...]] = {
    "funds": ("id", "name"),
    "lines": (
        "id", "year", "period", "fund", "direction", "category", "item",
        "planned", "actual", "source", "decision", "note",
    ),
    "totals": ("year", "fund", "direction", "planned_total", "actual_total"),
}

#: Optional columns the checks read when a package declares them: the approval
#: (审批) or contract (合同) a spending line rests on, the payment date and payee
#: (for the procedure checks: what predates what, what looks split).
OPTIONAL_FIELDS: dict[str, tuple[str, ...]] = {"lines": ("approval", "contract", "date", "payee")}

#: Text columns that are published and so scanned for personal data.
TEXT_COLUMNS = ("category", "item", "source", "note", "name", "description", "document", "payee")


def resource_role(name: str) -> str | None:
    """Which part of the contract a resource plays, from its name.

    >>> resource_role("lines-2025"), resource_role("funds"), resource_role("misc")
    ('lines', 'funds', None)
    """
    if name.startswith("lines-"):
        return "lines"
    if name in ("funds", "totals"):
        return name
    return None


class _Positional:
    """Pickled as its constructor's arguments. The check cache keeps every budget line
    (100,000 in a large package); the slots' own ``__setstate__`` sets each field by
    name and makes loading them twice as slow."""

    __slots__ = ()

    def __reduce__(self) -> tuple[type[Any], tuple[Any, ...]]:
        names: tuple[str, ...] = type(self).__slots__  # the dataclass's fields, in order
        return type(self), tuple(getattr(self, name) for name in names)


@dataclass(slots=True)
class BudgetLine(_Positional):
    """One budget line as the cross-checks see it (already type-checked)."""

    file: str
    line: int
    id: str
    year: int | None
    fund: str
    direction: str
    planned: float | None
    actual: float | None
    decision: str
    category: str
    item: str
    #: False when an amount cell is not a number (frictionless reports that);
    #: the group's total is then not compared, to avoid a second, derived error.
    amounts_ok: bool = True
    period: str = ""
    approval: str = ""  #: approval id (optional column)
    contract: str = ""  #: contract id (optional column)
    date: str = ""  #: payment date, YYYY-MM-DD (optional column)
    payee: str = ""  #: who was paid (optional column)
    source: str = ""  #: where the money comes from, in words
    note: str = ""


@dataclass(slots=True)
class DeclaredTotal(_Positional):
    file: str
    line: int
    year: int | None
    fund: str
    direction: str
    planned_total: float | None
    actual_total: float | None
