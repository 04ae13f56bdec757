"""A rule version and the decision that adopted it must point at each other."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from generator.index import Index
from generator.load import Doc, Project
from generator.messages import unknown_ref
from generator.problems import Problem


def check(project: Project, index: Index) -> Iterator[Problem]:
    for doc in project.valid("rule"):
        r = doc.model
        for i, version in enumerate(r.versions):
            if version.adopted_by is not None:
                yield from adoption_from_rule(doc, ("versions", i, "adopted_by"), r.id, version.version,
                                              version.adopted_by.meeting, version.adopted_by.decision, index)


def _unknown(doc: Doc, path: tuple[Any, ...], target: str, ident: str, known: Any, index: Index) -> Problem:
    line, col = doc.at(*path, value=True)
    return unknown_ref(doc.file, line, col, index.what(target), ident, known)


def adoption_from_rule(doc: Doc, path: tuple[Any, ...], rule: str, version: str, meeting: str,
                       decision: str | None, index: Index) -> Iterator[Problem]:
    if meeting not in index.ids("meeting"):
        yield _unknown(doc, (*path, "meeting"), "meeting", meeting, index.table("meeting"), index)
        return
    if decision is None:
        return
    ref = index.table("decision").get(decision)
    if ref is None:
        if decision not in index.ids("decision"):
            yield _unknown(doc, (*path, "decision"), "decision", decision, index.table("decision"), index)
        return  # its meeting has errors of its own: nothing more to compare
    if ref.meeting_id != meeting:
        yield doc.problem("ref.adoption-mismatch", *path, rule=rule, version=version,
                          detail=f"decision {decision} ∈ {ref.meeting_id} ≠ {meeting}")
    adopts = ref.adopts  # (rule, version), from the meeting's facts
    if adopts is None or adopts != (rule, version):
        said = f"{adopts[0]}@{adopts[1]}" if adopts else "—"
        yield doc.problem("ref.adoption-mismatch", *path, rule=rule, version=version,
                          detail=f"{decision}.adopts_rule = {said}")


def adoption_from_decision(doc: Doc, path: tuple[Any, ...], decision: str, meeting: str, rule: str,
                           version: str, index: Index) -> Iterator[Problem]:
    rule_doc = index.table("rule").get(rule)
    if rule_doc is None:
        if rule not in index.ids("rule"):
            yield _unknown(doc, (*path, "rule"), "rule", rule, index.table("rule"), index)
        return
    versions = {v.version: v for v in rule_doc.model.versions}
    v = versions.get(version)
    if v is None:
        yield _unknown(doc, (*path, "version"), "rule-version", version, set(versions), index)
        return
    if v.adopted_by is None or v.adopted_by.meeting != meeting or (
        v.adopted_by.decision is not None and v.adopted_by.decision != decision
    ):
        said = f"{v.adopted_by.meeting}/{v.adopted_by.decision}" if v.adopted_by else "—"
        yield doc.problem("ref.adoption-mismatch", *path, rule=rule, version=version,
                          detail=f"{rule_doc.file}: adopted_by = {said}")
