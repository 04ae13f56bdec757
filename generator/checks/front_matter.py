"""Front matter of the hand-written pages: the keys mkdocs-material reads, text
values only, nothing the sanitizer would remove (``generator.front_matter``, the
same function the build's hook applies, so check and build judge the same values)."""

from __future__ import annotations

from typing import Iterator

from generator.checks.markup import content_pages
from generator.front_matter import parse
from generator.index import Index
from generator.load import Project
from generator.problems import Problem


def check(project: Project, index: Index) -> Iterator[Problem]:
    for file, text in content_pages(project):
        if text is not None:  # a page over the size limit is reported by checks/markup.py, unread
            yield from parse(text, file).problems
