"""Unique ids: decisions across all meetings, and every list of ids inside a file
(agenda items, options, action items, bodies, grids, form fields, rule versions),
and budget line ids across the yearly tables.

Ids become file names, addresses and anchors, and Windows, macOS and the offline
zip unpacked there do not tell ``Case-Id`` from ``case-id``: ids equal but for
case are reported too (``id.case-duplicate``), and so are hand-written files of
``content/`` whose published paths differ only in case.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterable, Iterator

from generator.index import Index
from generator.load import Doc, Project
from generator.problems import Problem


def check(project: Project, index: Index) -> Iterator[Problem]:
    for what, ident, first, doc, path in index.duplicates:
        yield _dup(doc, path, index.what(what), ident, first)
    yield from _case_duplicates(index)
    yield from _content_paths(project)
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


def _unique(doc: Doc, what: tuple[str, str], paths: Iterable[tuple[Any, ...]], ids: list[Any]) -> Iterator[Problem]:
    first: dict[Any, tuple[Any, tuple[Any, ...]]] = {}  #: folded id -> (id as written, its path)
    for path, ident in zip(paths, ids):
        key = ident.casefold() if isinstance(ident, str) else ident
        if key not in first:
            first[key] = (ident, path)
            continue
        other_id, other_path = first[key]
        where = f"{doc.file}:{doc.at(*other_path)[0]}"
        if other_id == ident:
            yield _dup(doc, path, what, ident, where)
        else:
            yield doc.problem("id.case-duplicate", *path, what=what[0], what_en=what[1], id=ident,
                              other_id=other_id, other=where)


def _where(record: Any) -> tuple[Doc, tuple[Any, ...]] | None:
    """The file and place of an indexed record: a document (its ``id``), or a
    part of one that says where it is (``doc`` and ``path``, as decisions do)."""
    if isinstance(record, Doc):
        return record, ("id",)
    doc, path = getattr(record, "doc", None), getattr(record, "path", None)
    if isinstance(doc, Doc) and isinstance(path, tuple):
        return doc, (*path, "id")
    return None


def _case_duplicates(index: Index) -> Iterator[Problem]:
    """Indexed ids (meetings, decisions, notices, rules …) equal but for case."""
    for target, records in index.tables.items():
        first: dict[str, tuple[str, Doc, tuple[Any, ...]]] = {}
        for ident, record in records.items():
            where = _where(record) if isinstance(ident, str) else None
            if where is None:
                continue
            doc, path = where
            earlier = first.setdefault(ident.casefold(), (ident, doc, path))
            if earlier[0] != ident:
                other_id, other_doc, other_path = earlier
                what_zh, what_en = index.what(target)
                yield doc.problem("id.case-duplicate", *path, what=what_zh, what_en=what_en, id=ident,
                                  other_id=other_id, other=f"{other_doc.file}:{other_doc.at(*other_path)[0]}")


def published_path(rel: str) -> str:
    """Where mkdocs writes a file of ``content/<lang>/`` (directory URLs).

    >>> published_path("About.md"), published_path("guide/index.md"), published_path("guide.md"), published_path("img/A.png")
    ('about/index.html', 'guide/index.html', 'guide/index.html', 'img/a.png')
    """
    folded = rel.casefold()
    if folded.endswith(".md"):
        stem = folded.removesuffix(".md")
        if stem == "index" or stem.endswith("/index") or stem == "readme" or stem.endswith("/readme"):
            stem = stem.rsplit("/", 1)[0] if "/" in stem else ""
        return f"{stem}/index.html".lstrip("/")
    return folded


def _content_paths(project: Project) -> Iterator[Problem]:
    """Files of ``content/<lang>/`` that would land on one path of a site unpacked
    where case does not count (content/zh/A.md and content/zh/a.md)."""
    content = project.root / "content"
    if not content.is_dir():
        return
    for folder in sorted(p for p in content.iterdir() if p.is_dir() and not p.is_symlink()):
        first: dict[str, str] = {}
        for path in sorted(folder.rglob("*")):
            if not path.is_file() or path.is_symlink():
                continue
            rel = path.relative_to(folder).as_posix()
            file = Path("content", folder.name, rel).as_posix()
            other = first.setdefault(published_path(rel), file)
            if other != file:
                yield Problem("file.case-collision", file, None, None, {"other": other})


def _dup(doc: Doc, path: tuple[Any, ...], what: tuple[str, str], ident: Any, other: str) -> Problem:
    what_zh, what_en = what
    return doc.problem("id.duplicate", *path, what=what_zh, what_en=what_en, id=ident, other=other)
