"""Unique ids: decisions across all meetings, and every list of ids inside a file
(agenda items, options, action items, bodies, grids, form fields, rule versions),
and budget line ids across the yearly tables.
"""

from __future__ import annotations

from typing import Any, Iterable, Iterator

from generator.index import Index
from generator.load import Doc, Project
from generator.problems import Problem


def check(project: Project, index: Index) -> Iterator[Problem]:
    for what, ident, first, doc, path in index.duplicates:
        yield _dup(doc, path, index.what(what), ident, first)
    for doc in project.valid("community"):
        c = doc.model
        yield from _unique(doc, index.what("body"), (("bodies", i, "id") for i in range(len(c.bodies))), [b.id for b in c.bodies])
        yield from _unique(doc, index.what("grid"), (("grids", i, "id") for i in range(len(c.grids))), [g.id for g in c.grids])
        yield from _unique(doc, index.what("category"), (("service_categories", i, "id") for i in range(len(c.service_categories))),
                           [s.id for s in c.service_categories])
    for doc in project.valid("meeting"):
        m = doc.model
        yield from _unique(doc, index.what("agenda-item"), (("agenda", i, "id") for i in range(len(m.agenda))), [a.id for a in m.agenda])
        yield from _unique(doc, index.what("action-item"), (("action_items", i, "id") for i in range(len(m.action_items))),
                           [a.id for a in m.action_items])
        for i, item in enumerate(m.agenda):
            yield from _unique(doc, index.what("option"), (("agenda", i, "options", j, "id") for j in range(len(item.options))),
                               [o.id for o in item.options])
    for doc in project.valid("form"):
        f = doc.model
        yield from _unique(doc, index.what("field"), (("fields", i, "name") for i in range(len(f.fields))), [x.name for x in f.fields])
    for doc in project.valid("rule"):
        r = doc.model
        yield from _unique(doc, index.what("version"), (("versions", i, "version") for i in range(len(r.versions))),
                           [v.version for v in r.versions])
    seen: dict[str, str] = {}
    for line in project.budgets.lines:
        if not line.id:
            continue
        previous = seen.get(line.id)
        if previous is None:
            seen[line.id] = f"{line.file}:{line.line}"
        elif not previous.startswith(line.file + ":"):  # same file: frictionless' primary key reports it
            what_zh, what_en = index.what("budget-line")
            yield Problem("id.duplicate", line.file, line.line, 1,
                          {"what": what_zh, "what_en": what_en, "id": line.id, "other": previous})


def _unique(doc: Doc, what: tuple[str, str], paths: Iterable[tuple[Any, ...]], ids: list[Any]) -> Iterator[Problem]:
    first: dict[Any, tuple[Any, ...]] = {}
    for path, ident in zip(paths, ids):
        if ident in first:
            line = doc.at(*first[ident])[0]
            yield _dup(doc, path, what, ident, f"{doc.file}:{line}")
        else:
            first[ident] = path


def _dup(doc: Doc, path: tuple[Any, ...], what: tuple[str, str], ident: Any, other: str) -> Problem:
    what_zh, what_en = what
    return doc.problem("id.duplicate", *path, what=what_zh, what_en=what_en, id=ident, other=other)
