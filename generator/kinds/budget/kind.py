"""Budgets and accounts (财务公开, 公共收益 included): the Frictionless data package in
``data/budgets/``, read by ``generator.tables``; see ``model``."""

from pathlib import Path

from generator.kinds.base import Kind, Section, Target
from generator.kinds.budget import datasets, pages, records
from generator.kinds.budget.model import BudgetLine

KIND = Kind(
    "budget", BudgetLine, {"zh": "财务公开", "en": "Budgets and accounts"}, Path(__file__).parent,
    targets=(Target("budget", {"zh": "年度预算", "en": "budget year"}, relatable=True),
             Target("fund", {"zh": "资金", "en": "fund"}),
             Target("budget-line", {"zh": "预算行", "en": "budget line"})),
    index=records.index, sections=(Section("budgets/index.md", {"zh": "财务公开", "en": "Budgets and accounts"}, 5),), pages=pages.build,
    datasets=(datasets.datasets,),
)
