"""Every cross-reference resolves.

One generic check: every field a model annotates with ``Ref("<target>")`` (a body,
a fund, a decision …) and every ``kind:id`` in a ``related`` list must name
something the index holds. Which targets exist, which may be named in
``related`` and how messages call them all come from the kinds
(``Kind.targets``). References with rules of their own (a decision's option is
one of its agenda item's; a rule version and the decision adopting it point at
each other) are checked in their kinds' folders.
"""

from __future__ import annotations

import difflib
import typing
from collections.abc import Iterator
from functools import cache
from typing import Any

from pydantic import BaseModel

from generator import registry
from generator.index import Index
from generator.kinds.base import Ref
from generator.load import Doc, Project
from generator.loading.cache import Memo, key_of
from generator.messages import unknown_ref
from generator.problems import Problem

#: (field name, target) of a model's reference fields, and its fields holding models
Plan = tuple[tuple[tuple[str, str], ...], tuple[str, ...]]


def check(project: Project, index: Index) -> Iterator[Problem]:
    # What a record refers to depends on that record alone: the check cache keeps each
    # file's references (small). What resolving them finds depends besides on the ids
    # that exist: the cache keeps each file's findings while those are the same.
    refs = Memo(project.cache, "references", "")
    found = Memo(project.cache, "references-found", _ids_key(index) if project.cache is not None else "")
    for kind in registry.yaml_kinds():
        for doc in project.valid(kind.name):
            refs.keep(doc)
            yield from found.of(doc, _resolved, doc, index, refs)
    refs.save()
    found.save()


def _ids_key(index: Index) -> str:
    """A key of everything ``_resolve`` reads of the index besides the registry's targets:
    every id of every table (in its order: messages list some), the ids of records that did
    not validate, and which targets are checkable."""
    return key_of(repr([(target, list(table)) for target, table in index.tables.items()]),
                  repr(sorted((target, sorted(ids)) for target, ids in index.raw_ids.items())),
                  repr(sorted(index.checkable)))


def _resolved(doc: Doc, index: Index, refs: Memo) -> Iterator[Problem]:
    for path, target, ident in refs.value(doc, _references, doc):
        yield from _resolve(doc, path, target, ident, index)


def _references(doc: Doc) -> list[tuple[tuple[Any, ...], str, str]]:
    return list(references(doc.model))


def references(model: BaseModel, path: tuple[Any, ...] = ()) -> Iterator[tuple[tuple[Any, ...], str, str]]:
    """(path, target, id) of every reference in ``model``, in field order."""
    refs, nested = _plan(type(model))
    for name, target in refs:
        value = getattr(model, name)
        if isinstance(value, str):
            yield (*path, name), target, value
        elif isinstance(value, list):
            for i, item in enumerate(value):
                if isinstance(item, str):
                    yield (*path, name, i), target, item
    for name in nested:
        value = getattr(model, name)
        if isinstance(value, BaseModel):
            yield from references(value, (*path, name))
        elif isinstance(value, list):
            for i, item in enumerate(value):
                if isinstance(item, BaseModel):
                    yield from references(item, (*path, name, i))


@cache
def _plan(model: type[BaseModel]) -> Plan:
    """Where a model's references are: computed once per model class."""
    refs, nested = [], []
    for name, info in model.model_fields.items():
        target = next((m.kind for m in info.metadata if isinstance(m, Ref)), None)
        target = target or _target_in(info.annotation)
        if target is not None:
            refs.append((name, target))
        elif any(_plan(m) != ((), ()) for m in _models_in(info.annotation)):
            nested.append(name)
    return tuple(refs), tuple(nested)


def _target_in(annotation: Any) -> str | None:
    """The ``Ref`` inside ``Annotated[Id, Ref(...)] | None`` or ``list[Annotated[Id, Ref(...)]]``."""
    for m in getattr(annotation, "__metadata__", ()):
        if isinstance(m, Ref):
            return m.kind
    for arg in typing.get_args(annotation):
        found = _target_in(arg)
        if found is not None:
            return found
    return None


def _models_in(annotation: Any) -> Iterator[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        yield annotation
    for arg in typing.get_args(annotation):
        yield from _models_in(arg)


def _resolve(doc: Doc, path: tuple[Any, ...], target: str, ident: str, index: Index) -> Iterator[Problem]:
    if target == "*":
        yield from _related(doc, path, ident, index)
    elif target in index.checkable and ident not in index.ids(target):
        yield unknown(doc, path, target, ident, index)


def _related(doc: Doc, path: tuple[Any, ...], ref: str, index: Index) -> Iterator[Problem]:
    kind, _, ident = ref.partition(":")
    target = index.targets.get(kind)
    if target is None or not target.relatable or not ident:
        yield doc.problem("schema.pattern", *path, field=f"related[{path[-1] + 1}]", value=f"“{ref}”",
                          pattern_hint="写成 类型:编号，例如 meeting:2025-03-15-council",
                          pattern_hint_en="write kind:id, e.g. meeting:2025-03-15-council")
    elif ident not in index.ids(kind):
        yield unknown(doc, path, kind, ident, index, index.ids(kind))


def unknown(doc: Doc, path: tuple[Any, ...], target: str, ident: str, index: Index,
            known: Any = None) -> Problem:
    """``ref.unknown`` at the value, listing the ids that do exist; for a request
    (a public number), the closest numbers, since a receipt is a likely mix-up."""
    if target == "request":
        known = sorted(index.ids("request"))
        close = difflib.get_close_matches(ident, known, n=3, cutoff=0.6) or known[-3:]
        return doc.problem("ref.request", *path, id=ident, known=", ".join(close) or "—")
    line, col = doc.at(*path, value=True)
    return unknown_ref(doc.file, line, col, index.what(target), ident,
                       index.table(target) if known is None else known)
