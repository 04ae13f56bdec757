"""Budgets and accounts (财务公开, 公共收益 included): the Frictionless data package in
``data/budgets/``, read by ``generator.tables``; see ``model``."""

from pathlib import Path

from generator.kinds.base import Kind, Section, Target
from generator.kinds.budget import datasets, pages, records, street
from generator.kinds.budget.model import BudgetLine
from portal_core.i18n import texts

KIND = Kind(
    "budget", BudgetLine, texts("kind.budget.title"), Path(__file__).parent,
    targets=(Target("budget", texts("kind.budget.target.budget"), relatable=True),
             Target("fund", texts("kind.budget.target.fund")),
             Target("budget-line", texts("kind.budget.target.budget-line"))),
    index=records.index, sections=(Section("budgets/index.md", texts("kind.budget.section.budgets"), 5),), pages=pages.build,
    datasets=(datasets.datasets,),
    street=street.facts,
)
