"""Governance gaps as the site shows them (issue #13): the check's warnings of
``messages.GOVERNANCE``, each tied to the record and page it concerns, so the page
carries a visible flag and the open-questions page (待说明事项) lists them all.

A gap is published, not hidden: a committee that must delete a rule or a line to
get its site built would do so; here the build goes on and says what is missing.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from generator.kinds.common import Text
from generator.messages import GOVERNANCE, render
from generator.problems import Problem

#: ``审批（approval）``: the check's zh messages name the column or field after its zh
#: label, for the committee editing the file; a resident reads the label alone.
_FIELD_NAME = re.compile(r"（[a-z][a-z0-9_]*）")


@dataclass
class Gap:
    code: str
    file: str
    line: int | None
    kind: str  #: approval, contract, matter, meeting, budget-line, or "" (anything else)
    ident: str
    page: str  #: the page it concerns, relative to the docs root, with an anchor for a budget line
    title: Text
    message: dict[str, str]  #: zh and en

    @property
    def anchor(self) -> str:
        """Its id on the open-questions page."""
        return f"gap-{self.kind or 'x'}-{self.ident}-{self.line or 0}".lower().replace(".", "-")


def gaps(project: Any, index: Any, problems: list[Problem], folders: dict[str, str]) -> list[Gap]:
    """The governance gaps among ``problems``, in file and line order; ``folders``:
    data folder -> the kind whose records (one page each, ``<folder>/<id>.md``) it holds
    and whose gaps are grouped (``Target.gaps``), e.g. ``approvals`` -> ``approval``."""
    lines = {(line.file, line.line): line for line in project.budgets.lines}
    out = []
    for p in sorted((p for p in problems if p.code in GOVERNANCE), key=Problem.sort_key):
        kind, ident, page, title = _record(p, lines, index, folders)
        message = {lang: resident_words(render(p, lang)[0]) for lang in ("zh", "en")}
        out.append(Gap(p.code, p.file, p.line, kind, ident, page, title, message))
    return out


def resident_words(message: str) -> str:
    """The message as the site shows it: without the file's field names in brackets
    (``没有填写审批（approval）`` → ``没有填写审批``), which the zh label before them
    already says; the command line keeps them."""
    return _FIELD_NAME.sub("", message)


def _record(p: Problem, lines: dict[tuple[str, int], Any], index: Any,
            folders: dict[str, str]) -> tuple[str, str, str, Text]:
    parts = p.file.split("/")
    if len(parts) == 3 and parts[0] == "data" and parts[1] in folders:
        kind, ident = folders[parts[1]], parts[2].rsplit(".", 1)[0]
        record = index.table(kind).get(ident)
        model = getattr(record, "model", None)
        return kind, ident, f"{parts[1]}/{ident}.md", getattr(model, "title", ident) if model else ident
    line = lines.get((p.file, p.line or 0))
    if line is not None:
        return "budget-line", line.id, f"budgets/{line.year}.md#{line.id.lower()}", line.item
    return "", p.file, "", p.file


def by_record(found: list[Gap]) -> dict[tuple[str, str], list[Gap]]:
    out: dict[tuple[str, str], list[Gap]] = defaultdict(list)
    for g in found:
        out[(g.kind, g.ident)].append(g)
    return dict(out)
