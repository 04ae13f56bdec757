"""A consultation's own rules: its period runs forwards, its options have distinct
ids, a meeting consultation names its meeting, and one still open after its last
day is a governance gap (a question put to residents and never answered)."""

from __future__ import annotations

from collections.abc import Iterator

from generator.index import Index
from generator.kinds.common import Today
from generator.load import Project
from generator.problems import Problem


def check(project: Project, index: Index) -> Iterator[Problem]:
    today = Today.get()
    what_zh, what_en = index.what("consultation-option")
    for doc in project.valid("consultation"):
        c = doc.model
        if c.end is not None and c.end < c.start:
            yield doc.problem("date.range", "end", start=c.start, end=c.end)
        seen: dict[str, int] = {}
        for i, o in enumerate(c.options):
            if o.id in seen:
                other = f"{doc.file}:{doc.at('options', seen[o.id], 'id')[0]}"
                yield doc.problem("id.duplicate", "options", i, "id", what=what_zh, what_en=what_en, id=o.id,
                                  other=other)
            else:
                seen[o.id] = i
        if c.state == "open" and c.end is not None and c.end < today:
            yield doc.problem("consultation.open-past-end", "state", severity="warning", end=c.end,
                              days=(today - c.end).days)
        if c.state == "decided" and c.decision is None and c.result is None:
            yield doc.problem("consultation.result-missing", "state", severity="warning")
