"""``mkdocs.yml`` holds only what a community may set (``generator.site_config``)."""

from __future__ import annotations

from typing import Iterator

from generator import site_config
from generator.index import Index
from generator.load import Project
from generator.problems import Problem


def check(project: Project, index: Index) -> Iterator[Problem]:
    yield from site_config.check(project.root, list(index.languages))
