"""References inside a meeting with rules of their own: a decision chooses one of
its agenda item's options, and a decision adopting a rule version must be the
one that version names (``generator.kinds.rule.checks``). A held meeting whose
agenda was never published is a governance gap."""

from __future__ import annotations

from collections.abc import Iterator

from generator.index import Index
from generator.kinds.base import DocCheck
from generator.kinds.rule.checks import adoption_from_decision
from generator.load import Doc, Project
from generator.messages import unknown_ref
from generator.problems import Problem


def check_meeting(doc: Doc, project: Project, index: Index) -> Iterator[Problem]:
    m = doc.model
    if m.status == "held" and not m.agenda:
        # a gap, not an error: a joint meeting's agenda is often never handed over
        yield doc.problem("meeting.agenda-unpublished", *(("agenda",) if "agenda" in doc.data else ("status",)),
                          severity="warning")
    for i, item in enumerate(m.agenda):
        d = item.decision
        if d is None:
            continue
        options = {o.id for o in item.options}
        if d.option is not None and d.option not in options:
            line, col = doc.at("agenda", i, "decision", "option", value=True)
            yield unknown_ref(doc.file, line, col, index.what("option"), d.option, options)
        if d.adopts_rule is not None:
            yield from adoption_from_decision(doc, ("agenda", i, "decision", "adopts_rule"), d.id, m.id,
                                              d.adopts_rule.rule, d.adopts_rule.version, index)


def _rules(project: Project, index: Index) -> str:
    # besides the meeting itself, the rules it says a decision adopts (``adoption_from_decision``)
    return project.texts_key("rule")


#: One meeting at a time: what else it reads is the rules (their versions and who adopted them).
CHECK = DocCheck("meeting.references", "meeting", check_meeting, _rules)

