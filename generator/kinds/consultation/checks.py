"""A consultation's own rules: its period runs forwards, its options have distinct
ids, a meeting consultation names its meeting, and one still open after its last
day is a governance gap (a question put to residents and never answered).

On a draft (``draft:``): the version put out for comment and the one adopted exist in
the rule, every report entry names an article of the draft (or ``whole``) and gives a
reason unless adopted, and a consultation closed without its report is a gap."""

from __future__ import annotations

from collections.abc import Iterator

from generator.index import Index
from generator.kinds.common import Today
from generator.kinds.consultation.comments import WHOLE
from generator.kinds.consultation.model import Consultation
from generator.load import Doc, Project
from generator.messages import unknown_ref
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
        if c.draft is not None:
            yield from check_draft(doc, c, index)


def check_draft(doc: Doc, c: Consultation, index: Index) -> Iterator[Problem]:
    draft = c.draft
    assert draft is not None
    if c.state != "open" and c.report is None:
        yield doc.problem("consultation.report-missing", "state", severity="warning")
    for i, entry in enumerate(c.report or []):
        if entry.outcome != "adopted" and entry.reason is None:
            yield doc.problem("draft.reason-missing", "report", i, "outcome", outcome=entry.outcome)
    rule = index.table("rule").get(draft.rule)
    if rule is None:
        return  # an unknown rule is the generic reference check's; its versions are unknowable
    versions = {v.version: v for v in rule.model.versions}
    for field in ("version", "adopted"):
        label = getattr(draft, field)
        if label is not None and label not in versions:
            line, col = doc.at("draft", field, value=True)
            yield unknown_ref(doc.file, line, col, index.what("rule-version"), label, set(versions))
    version = versions.get(draft.version)
    if version is None:
        return
    numbers = {a.number for a in version.articles}
    for i, entry in enumerate(c.report or []):
        if entry.key != WHOLE and entry.key not in numbers:
            line, col = doc.at("report", i, "article", value=True)
            yield unknown_ref(doc.file, line, col, index.what("article"), str(entry.article),
                              [*map(str, sorted(numbers)), WHOLE])
