"""A matter's own rules: the budget lines it cites exist in the year it names, and a
step of its plan marked done says when (a warning: the step is still shown)."""

from __future__ import annotations

from collections.abc import Iterator

from generator.index import Index
from generator.kinds.base import DocCheck
from generator.load import Doc, Project
from generator.messages import unknown_ref
from generator.problems import Problem


def _line_ids(project: Project) -> dict[int | None, set[str]]:
    by_year: dict[int | None, set[str]] = {}
    for budget_line in project.budgets.lines:
        by_year.setdefault(budget_line.year, set()).add(budget_line.id)
    return by_year


def check_matter(doc: Doc, project: Project, index: Index) -> Iterator[Problem]:
    by_year = project.once("matter.line-ids", lambda: _line_ids(project))
    what = index.what("budget-line")
    m = doc.model
    for i, cited in enumerate(m.budget_lines):
        known = by_year.get(cited.year, set())
        if cited.line not in known:
            line, col = doc.at("budget_lines", i, "line", value=True)
            yield unknown_ref(doc.file, line, col, what, cited.line, known)
    for i, action in enumerate(m.action_items):
        if action.status == "done" and action.done is None:
            yield doc.problem("date.done-missing", "action_items", i, "status", severity="warning")


def _tables(project: Project, index: Index) -> str | None:
    # besides the matter itself, the budget lines' ids: the tables' key (None: not known, not kept)
    return project.tables_key


#: One matter at a time, against the budget lines' ids.
CHECK = DocCheck("matter.lines", "matter", check_matter, _tables)
