"""Assertions shared by the check tests: a problem's zh/en text is complete and
names what it should."""

from __future__ import annotations

import string

from generator.messages import CATALOG, render
from generator.problems import Problem


def messages(p: Problem) -> tuple[str, str]:
    """zh and en text (message + hint), after checking every placeholder got a value.

    ``render`` turns a missing parameter into "", so a forgotten one shows up only
    here, by comparing the catalog's placeholders with the problem's params.
    """
    assert p.code in CATALOG, p
    wanted = {name for template in CATALOG[p.code] for _, name, _, _ in string.Formatter().parse(template) if name}
    assert wanted <= set(p.params), f"{p.code}: no value for {wanted - set(p.params)}"
    zh, en = render(p, "zh"), render(p, "en")
    for msg, hint in (zh, en):
        assert msg.strip() and hint.strip(), (p, msg, hint)
    return " ".join(zh), " ".join(en)


def single(report, code: str, file: str | None = None) -> Problem:
    found = [p for p in report.problems if p.code == code and (file is None or p.file == file)]
    assert len(found) == 1, f"expected one {code} in {file}, got: {report.problems}"
    return found[0]


def assert_words(p: Problem, words) -> None:
    """Each word is in both languages; a (zh, en) pair is checked per language."""
    zh, en = messages(p)
    for word in words:
        zh_word, en_word = word if isinstance(word, tuple) else (word, word)
        assert zh_word in zh, (zh_word, zh)
        assert en_word in en, (en_word, en)


def sub(file: str, old: str, new: str):
    """A mutation for parametrized cases: replace ``old`` by ``new`` in ``file``."""
    return lambda project: project.replace(file, old, new)
