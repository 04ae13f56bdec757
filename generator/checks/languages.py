"""Multilingual text (``{zh: …, en: …}``) should have the default language:
otherwise the default site shows a fallback language to most readers.
"""

from __future__ import annotations

from typing import Any, Iterator

from generator.index import Index
from generator.load import Doc, Project
from generator.loading.cache import Memo, key_of
from generator.loading.yamlfile import LocDict, LocList
from generator.problems import Problem


def check(project: Project, index: Index) -> Iterator[Problem]:
    languages, default = context(index.languages)
    # A file's findings depend on its text and the community's languages: the check cache keeps them.
    memo = Memo(project.cache, "languages", key_of(default, *sorted(languages)))
    for docs in project.docs.values():
        for doc in docs:
            if doc.validated:
                known = project.prescanned.get(doc.file, {}).get("languages")
                if known is not None and known[0] == (default, languages):  # the worker's, same languages
                    yield from memo.of(doc, known[1].copy)
                else:
                    yield from memo.of(doc, _walk_doc, doc, languages, default)
    memo.save()


def context(site_languages: list[str]) -> tuple[set[str], str]:
    """The languages a multilingual text may hold, and the one it must hold (the default)."""
    return set(site_languages) | {"zh", "en"}, site_languages[0]


def scan_doc(doc: Doc, site_languages: list[str]) -> tuple[tuple[str, set[str]], list[Problem]]:
    """One document's findings, with the languages they assume (``context``)."""
    languages, default = context(site_languages)
    return (default, languages), list(_walk_doc(doc, languages, default))


def _walk_doc(doc: Doc, languages: set[str], default: str) -> Iterator[Problem]:
    return _walk(doc, doc.data, languages, default)  # the data read on a miss of the cache only


def _walk(doc: Doc, data: Any, languages: set[str], default: str) -> Iterator[Problem]:
    """Multilingual texts without the default language, in the document's order
    (a loop over a stack: recursive generators cost twice as much)."""
    stack: list[tuple[Any, tuple[Any, ...]]] = [(data, ())]
    while stack:
        node, path = stack.pop()
        if isinstance(node, LocDict):
            # keys all languages (so all strings: ``languages`` holds strings), values all text
            if node and node.keys() <= languages and all(isinstance(v, str) for v in node.values()):
                if default not in node:
                    yield doc.problem("text.default-language-missing", *path, severity="warning", lang=default)
                continue
            stack.extend(reversed([(value, (*path, key)) for key, value in node.items()
                                   if isinstance(value, (LocDict, LocList))]))
        elif isinstance(node, LocList):
            stack.extend(reversed([(value, (*path, i)) for i, value in enumerate(node)
                                   if isinstance(value, (LocDict, LocList))]))
