"""Budget line ids are unique across the yearly tables, also ignoring case (within
one table frictionless' primary key already says so)."""

from __future__ import annotations

from collections.abc import Iterator

from generator.index import Index
from generator.load import Project
from generator.problems import Problem


def check(project: Project, index: Index) -> Iterator[Problem]:
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


