"""A rule's articles are numbered 1, 2, 3 … in each version."""

from __future__ import annotations

from collections.abc import Iterator

from generator.index import Index
from generator.load import Project
from generator.problems import Problem


def check(project: Project, index: Index) -> Iterator[Problem]:
    for doc in project.valid("rule"):
        for i, version in enumerate(doc.model.versions):
            for j, article in enumerate(version.articles):
                if article.number != j + 1:
                    yield doc.problem("rule.article-numbering", "versions", i, "articles", j, "number",
                                      position=j + 1, number=article.number)
                    break  # one report per version: the rest are shifted by the same mistake
