"""Model step: index the validated records by id so checks and pages can follow
references (decision → meeting, budget line → decision, rule version → meeting).

What the index holds is the kinds' business: each fills its tables (its own
``Kind.index``, or by default its valid records by id) and names what a reference
may point at (``Kind.targets``). Duplicates are not resolved here: the first
record wins and ``duplicates`` lists the rest, for the id check to report.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from generator.kinds.common import Text

if TYPE_CHECKING:
    from generator.kinds.base import Kind, Target
    from generator.load import Doc, Project


@dataclass
class Index:
    #: target name ("meeting", "decision", "body", "fund" …) -> id -> record
    tables: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: what references may name, from the kinds' declarations
    targets: dict[str, Target] = field(default_factory=dict)
    #: targets whose table is complete enough to report an unknown id (no community.yaml:
    #: every body would be unknown; the YAML kinds' tables are always checkable)
    checkable: set[str] = field(default_factory=set)
    languages: list[str] = field(default_factory=lambda: ["zh"])
    #: ids of records whose file has schema errors: they exist, so references to
    #: them are not reported as unknown (one typo must not cascade)
    raw_ids: dict[str, set[str]] = field(default_factory=dict)
    #: (what, id, file:line of the first, doc, path of the duplicate)
    duplicates: list[tuple[str, str, str, Doc, tuple[Any, ...]]] = field(default_factory=list)

    def table(self, target: str) -> dict[str, Any]:
        """The records of ``target`` by id (created empty on first use)."""
        return self.tables.setdefault(target, {})

    def models(self, target: str, key: Callable[[Any], Any], reverse: bool = False) -> list[Any]:
        """The valid records of a kind (its ``Doc`` entries' models), in ``key`` order:
        what a kind's pages, downloads and feeds list."""
        return sorted((doc.model for doc in self.tables.get(target, {}).values()), key=key, reverse=reverse)

    def ids(self, target: str) -> set[str]:
        """Every id of ``target`` that exists (valid or not), computed once: checks
        ask this for each reference, and the index does not change after build."""
        cache = self.__dict__.setdefault("_ids_cache", {})
        if target not in cache:
            cache[target] = set(self.tables.get(target, ())) | self.raw_ids.get(target, set())
        ids: set[str] = cache[target]
        return ids

    def what(self, target: str) -> tuple[str, str]:
        """How messages name ``target``, in zh and en."""
        what: Text = self.targets[target].what if target in self.targets else target
        return (what, what) if isinstance(what, str) else (what["zh"], what["en"])


def build_index(project: Project, kinds: tuple[Kind, ...]) -> Index:
    index = Index(targets={t.name: t for k in kinds for t in k.targets})
    for kind in kinds:
        if kind.index is not None:
            kind.index(project, index)
        elif kind.folder or kind.file:
            table = index.table(kind.name)
            for doc in project.valid(kind.name):
                table.setdefault(doc.model.id, doc)
        if kind.folder:
            index.checkable.update(t.name for t in kind.targets if t.name in index.tables)
    for kind in kinds:
        for doc in project.docs.get(kind.name, []):
            if not doc.validated and hasattr(doc.data, "get"):
                pairs = kind.raw_ids(doc.data) if kind.raw_ids is not None else (
                    [(kind.name, doc.data["id"])] if isinstance(doc.data.get("id"), str) else [])
                for target, ident in pairs:
                    index.raw_ids.setdefault(target, set()).add(ident)
    return index
