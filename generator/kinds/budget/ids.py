"""Budget line ids are unique across the yearly tables, also ignoring case (within
one table frictionless' primary key already says so)."""

from __future__ import annotations

from collections.abc import Iterator

from generator.index import Index
from generator.load import Project
from generator.loading.cache import Memo
from generator.problems import Problem


def check(project: Project, index: Index) -> list[Problem]:
    """The budget lines alone decide (and the code): with the cache on, the findings are
    kept by the tables' key (``Project.tables_key``), not worked out again after an edit
    elsewhere."""
    memo = Memo(project.cache if project.tables_key else None, "budget-ids", "")
    found = memo.get((project.tables_key or "",), _check, project, index)
    memo.save()
    return found


def _check(project: Project, index: Index) -> Iterator[Problem]:
    seen: dict[str, tuple[str, str]] = {}  #: folded id -> (id as written, file:line)
    what_zh, what_en = index.what("budget-line")
    for line in project.budgets.lines:
        if not line.id:
            continue
        previous = seen.get(line.id.casefold())
        if previous is None:
            seen[line.id.casefold()] = (line.id, f"{line.file}:{line.line}")
        elif previous[0] != line.id:
            yield Problem("id.case-duplicate", line.file, line.line, 1,
                          {"what": what_zh, "what_en": what_en, "id": line.id, "other_id": previous[0],
                           "other": previous[1]})
        elif not previous[1].startswith(line.file + ":"):  # same file: frictionless' primary key reports it
            yield Problem("id.duplicate", line.file, line.line, 1,
                          {"what": what_zh, "what_en": what_en, "id": line.id, "other": previous[1]})


