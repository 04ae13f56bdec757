"""A notice's display period ends after it is published."""

from __future__ import annotations

from collections.abc import Iterator

from generator.index import Index
from generator.load import Project
from generator.problems import Problem


def check(project: Project, index: Index) -> Iterator[Problem]:
    for doc in project.valid("notice"):
        n = doc.model
        if n.display_until is not None and n.display_until < n.published:
            yield doc.problem("date.display-before-publish", "display_until",
                              until=n.display_until, published=n.published)
