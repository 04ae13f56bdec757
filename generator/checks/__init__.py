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
from generator.load import Project
from generator.problems import Problem

Check = Callable[[Project, Index], Iterable[Problem]]


def kind_checks(project: Project, index: Index) -> Iterator[Problem]:
    """The checks each kind keeps in its own folder (``Kind.checks``)."""
    for kind in registry.KINDS:
        for check in kind.checks:
            yield from check(project, index)


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
