"""A matter's own rules: the budget lines it cites exist in the year it names, and a
step of its plan marked done says when (a warning: the step is still shown)."""

from __future__ import annotations

from collections.abc import Iterator

from generator.index import Index
from generator.load import Project
from generator.messages import unknown_ref
from generator.problems import Problem


def check(project: Project, index: Index) -> Iterator[Problem]:
    by_year: dict[int | None, set[str]] = {}
    for budget_line in project.budgets.lines:
        by_year.setdefault(budget_line.year, set()).add(budget_line.id)
    what = index.what("budget-line")
    for doc in project.valid("matter"):
        m = doc.model
        for i, cited in enumerate(m.budget_lines):
            known = by_year.get(cited.year, set())
            if cited.line not in known:
                line, col = doc.at("budget_lines", i, "line", value=True)
                yield unknown_ref(doc.file, line, col, what, cited.line, known)
        for i, action in enumerate(m.action_items):
            if action.status == "done" and action.done is None:
                yield doc.problem("date.done-missing", "action_items", i, "status", severity="warning")
