"""The validate step: every check is a function ``(project, index) -> problems``.

They run in this order; each reports all it finds and never raises on bad data.
"""

from __future__ import annotations

from typing import Callable, Iterable, Iterator

from generator import registry
from generator.checks import (
    front_matter,
    ids,
    languages,
    markup,
    privacy,
    references,
    requests,
    site_config,
)
from generator.index import Index
from generator.kinds.base import DocCheck
from generator.load import Project
from generator.loading.cache import Memo
from generator.problems import Problem

Check = Callable[[Project, Index], Iterable[Problem]]


def kind_checks(project: Project, index: Index) -> Iterator[Problem]:
    """The checks each kind keeps in its own folder (``Kind.checks``)."""
    for kind in registry.KINDS:
        for check in kind.checks:
            if isinstance(check, DocCheck):
                yield from each(project, index, check)
            else:
                yield from check(project, index)


def each(project: Project, index: Index, check: DocCheck) -> Iterator[Problem]:
    """A ``DocCheck`` over its kind's valid records, in the order of the files; with the
    check cache, a file's findings are remembered by its text (``Doc.text_key``) while
    the check's context is the same, and the record is only read again when they are not."""
    context = check.context(project, index) if check.context is not None and project.cache is not None else ""
    memo = Memo(project.cache if context is not None else None, f"each-{check.name}", context or "")
    for doc in project.valid(check.kind):
        yield from memo.of(doc, check.check, doc, project, index)
    memo.save()


CHECKS: tuple[tuple[str, Check], ...] = (
    ("ids", ids.check),
    ("references", references.check),
    ("kinds", kind_checks),
    ("requests", requests.check),
    ("privacy", privacy.check),
    ("markup", markup.check),
    ("front-matter", front_matter.check),
    ("languages", languages.check),
    ("site-config", site_config.check),
)
