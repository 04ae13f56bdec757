"""Unique ids: decisions across all meetings, and every list of ids inside a file
that a kind declares (``Kind.unique_ids``: agenda items, options, action items,
bodies, grids, form fields, rule versions); budget line ids across the yearly
tables are the budget kind's own check.

Ids become file names, addresses and anchors, and Windows, macOS and the offline
zip unpacked there do not tell ``Case-Id`` from ``case-id``: ids equal but for
case are reported too (``id.case-duplicate``), and so are hand-written files of
``content/`` whose published paths differ only in case.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterable, Iterator

from generator import registry
from generator.index import Index
from generator.kinds.base import Kind
from generator.load import Doc, Project
from generator.loading.cache import Memo
from generator.problems import Problem


def check(project: Project, index: Index) -> Iterator[Problem]:
    for what, ident, first, doc, path in index.duplicates:
        yield _dup(doc, path, index.what(what), ident, first)
    yield from _case_duplicates(index)
    yield from _content_paths(project)
    # The ids within one record depend on that record alone: the check cache keeps them per file.
    memo = Memo(project.cache, "ids-within", "")
    for kind in registry.KINDS:
        for doc in project.valid(kind.name) if kind.unique_ids else ():
            yield from memo.of(doc, _within, doc, kind, index)
    memo.save()


def _within(doc: Doc, kind: Kind, index: Index) -> Iterator[Problem]:
    """Ids repeated inside one record (``Kind.unique_ids``)."""
    for declared in kind.unique_ids:
        named = index.what(declared.target)
        for path, items in _lists(doc.model, declared.path, ()):
            yield from _unique(doc, named, ((*path, i, declared.key) for i in range(len(items))),
                               [getattr(x, declared.key) for x in items])


def _lists(model: Any, path: tuple[str, ...], at: tuple[Any, ...]) -> Iterator[tuple[tuple[Any, ...], list[Any]]]:
    """(where, the list) for each list ``path`` names in ``model`` (``"*"``: each element)."""
    if not path:
        yield at, model
        return
    head, rest = path[0], path[1:]
    if head == "*":
        for i, item in enumerate(model):
            yield from _lists(item, rest, (*at, i))
    else:
        yield from _lists(getattr(model, head), rest, (*at, head))


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
        named = [ident for ident in records if isinstance(ident, str)]
        if len({ident.casefold() for ident in named}) == len(named):
            continue  # no two ids fold alike (the common case, seen at once)
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
