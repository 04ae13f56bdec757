"""Arithmetic of meetings: attendance, quorum, and whether each recorded outcome
follows from its vote under the body's decision rule.
"""

from __future__ import annotations

import math
from typing import Iterator

from generator.index import Index
from generator.kinds.base import DocCheck
from generator.kinds.meeting.model import DecisionRule
from generator.load import Doc, Project
from generator.problems import Problem
from portal_core.i18n import text

DEFAULT_RULE = DecisionRule()

_OUTCOME = {key: (text(f"problem.vote.outcome.{key}", "zh"), text(f"problem.vote.outcome.{key}", "en"))
            for key in ("adopted", "rejected")}


def describe(rule: DecisionRule, lang: str = "en") -> str:
    """A rule in words.

    >>> describe(DecisionRule(threshold=2/3, strict=False)), describe(DecisionRule(), "zh")
    ('for ≥ 66.7% of present', '赞成票 > 实到人数的 50%')
    """
    op = ">" if rule.strict else "≥"
    share = f"{rule.threshold * 100:.3g}%"
    return text("problem.vote.rule", lang, op=op, share=share, base=text(f"problem.vote.base.{rule.base}", lang))


def expected_outcome(rule: DecisionRule, votes_for: int, cast: int, present: int, members: int) -> str:
    base = {"present": present, "members": members, "cast": cast}[rule.base]
    needed = rule.threshold * base
    passed = votes_for > needed if rule.strict else votes_for >= needed - 1e-9
    return "adopted" if passed else "rejected"


def quorum_needed(rule: DecisionRule, members: int) -> int:
    share = rule.quorum * members
    return math.floor(share) + 1 if rule.quorum_strict else math.ceil(share - 1e-9)


def check_votes(doc: Doc, project: Project, index: Index) -> Iterator[Problem]:
    m = doc.model
    body = index.table("body").get(m.body)
    rule = (body.decision_rule if body is not None else None) or DEFAULT_RULE
    decisions = [(i, item.decision) for i, item in enumerate(m.agenda) if item.decision is not None]
    if m.status != "held":
        if decisions:
            yield doc.problem("meeting.planned-with-decision", "status", status=m.status)
        return
    att = m.attendance
    voted = [(i, d) for i, d in decisions if d.votes is not None]
    if att is None:
        if voted:
            yield doc.problem("votes.no-attendance", "status")
        return
    if att.present > att.members:
        yield doc.problem("votes.present-exceeds-members", "attendance", "present",
                          present=att.present, members=att.members)
    needed = quorum_needed(rule, att.members)
    quorate = att.present >= needed
    for i, d in decisions:
        path = ("agenda", i, "decision")
        if d.outcome == "adopted" and not quorate:
            yield doc.problem("votes.quorum-not-met", *path, "outcome", present=att.present, needed=needed)
        if d.votes is None:
            if d.outcome in _OUTCOME:
                yield doc.problem("votes.missing", *path, "outcome", severity="warning",
                                  outcome=_OUTCOME[d.outcome][0], outcome_en=_OUTCOME[d.outcome][1])
            continue
        v = d.votes
        cast = v.for_ + v.against + v.abstain
        if cast > att.present:
            yield doc.problem("votes.exceed-attendance", *path, "votes", total=cast, present=att.present)
        if d.outcome in _OUTCOME and quorate:
            expected = expected_outcome(rule, v.for_, cast, att.present, att.members)
            if expected != d.outcome:
                yield doc.problem("votes.outcome-mismatch", *path, "outcome",
                                  outcome=_OUTCOME[d.outcome][0], expected=_OUTCOME[expected][0],
                                  outcome_en=_OUTCOME[d.outcome][1], expected_en=_OUTCOME[expected][1],
                                  rule=describe(rule, "zh"), rule_en=describe(rule, "en"))


def _bodies(project: Project, index: Index) -> str:
    # besides the meeting itself, its body's decision rule: community.yaml's
    return project.texts_key("community")


#: One meeting at a time, under its body's rule (community.yaml).
CHECK = DocCheck("meeting.votes", "meeting", check_votes, _bodies)
