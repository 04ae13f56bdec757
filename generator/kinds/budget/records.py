"""How the budget package enters the index: its funds and its years (``budget:2025``)."""

from __future__ import annotations

from generator.index import Index
from generator.load import Project


def index(project: Project, index: Index) -> None:
    index.table("fund").update(project.budgets.funds)
    index.table("budget").update({str(y): y for y in project.budgets.years})
    index.checkable.add("budget")
    if project.budgets.funds:  # without a funds table there is nothing to check a fund against
        index.checkable.add("fund")
