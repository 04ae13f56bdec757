"""Budgets and accounts (财务公开, 公共收益 included): the Frictionless data package in
``data/budgets/``, read by ``generator.tables`` (``data_package``); see ``model``."""

from pathlib import Path

from generator.kinds.base import Kind, Section, Target
from generator.kinds.budget import checks, datasets, home, ids, pages, records, reference, street
from generator.kinds.budget.model import BudgetLine
from generator.kinds.budget.package import PACKAGE
from portal_core.i18n import texts

KIND = Kind(
    "budget", BudgetLine, texts("kind.budget.title"), Path(__file__).parent,
    targets=(Target("budget", texts("kind.budget.target.budget"), relatable=True),
             Target("fund", texts("kind.budget.target.fund")),
             Target("budget-line", texts("kind.budget.target.budget-line"), gaps=1)),
    index=records.index, checks=(checks.check, ids.check), sections=(Section("budgets/index.md", texts("kind.budget.section.budgets"), 5),), pages=pages.build,
    datasets=(datasets.datasets,), data_package=PACKAGE, reference=reference.pages,
    home=home.BLOCKS, shared=home.shared,
    street=street.facts,
)
