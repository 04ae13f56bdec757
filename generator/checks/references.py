"""Every cross-reference resolves: bodies, service categories, funds, options,
decisions, rules and rule versions, and the ``kind:id`` links of notices and forms.
A rule version and the decision that adopted it must point at each other.
"""

from __future__ import annotations

import difflib
from typing import Any, Iterator

from generator.index import Index
from generator.load import Doc, Project
from generator.messages import WHAT, unknown_ref
from generator.problems import Problem


def _unknown(doc: Doc, path: tuple[Any, ...], what: str, ident: str, known: Any) -> Problem:
    line, col = doc.at(*path, value=True)
    return unknown_ref(doc.file, line, col, what, ident, known)


def check(project: Project, index: Index) -> Iterator[Problem]:
    bodies = set(index.bodies)
    have_community = project.community is not None

    def body(doc: Doc, path: tuple[Any, ...], ident: str | None) -> Iterator[Problem]:
        if ident is not None and have_community and ident not in bodies:
            yield _unknown(doc, path, "body", ident, bodies)

    for doc in project.valid("meeting"):
        m = doc.model
        yield from body(doc, ("body",), m.body)
        for i, item in enumerate(m.agenda):
            yield from body(doc, ("agenda", i, "raised_by", "body"), item.raised_by.body)
            if item.raised_by.request and item.raised_by.request not in index.ids("request"):
                yield _unknown_request(doc, ("agenda", i, "raised_by", "request"), item.raised_by.request, index)
            options = {o.id for o in item.options}
            for j, option in enumerate(item.options):
                if option.fund is not None and index.funds and option.fund not in index.funds:
                    yield _unknown(doc, ("agenda", i, "options", j, "fund"), "fund", option.fund, index.funds)
            d = item.decision
            if d is None:
                continue
            if d.option is not None and d.option not in options:
                yield _unknown(doc, ("agenda", i, "decision", "option"), "option", d.option, options)
            if d.adopts_rule is not None:
                yield from _adoption_from_decision(doc, ("agenda", i, "decision", "adopts_rule"), d.id, m.id,
                                                   d.adopts_rule.rule, d.adopts_rule.version, index)
        for i, action in enumerate(m.action_items):
            yield from body(doc, ("action_items", i, "owner_body"), action.owner_body)
            if action.decision is not None and action.decision not in index.ids("decision"):
                yield _unknown(doc, ("action_items", i, "decision"), "decision", action.decision, index.decisions)

    for doc in project.valid("rule"):
        r = doc.model
        yield from body(doc, ("body",), r.body)
        for i, version in enumerate(r.versions):
            if version.adopted_by is not None:
                yield from _adoption_from_rule(doc, ("versions", i, "adopted_by"), r.id, version.version,
                                               version.adopted_by.meeting, version.adopted_by.decision, index)

    for doc in project.valid("service"):
        s = doc.model
        yield from body(doc, ("provider_body",), s.provider_body)
        if have_community and s.category not in index.categories:
            yield _unknown(doc, ("category",), "category", s.category, index.categories)

    for doc in project.valid("notice"):
        yield from body(doc, ("issuer",), doc.model.issuer)
        yield from _related(doc, doc.model.related, index)

    for doc in project.valid("form"):
        for i, recipient in enumerate(doc.model.recipients):
            yield from body(doc, ("recipients", i), recipient)
        yield from _related(doc, doc.model.related, index)

    for doc in project.valid("community"):
        for i, rule_fund in enumerate(doc.model.finance_rules.threshold_funds):
            if index.funds and rule_fund not in index.funds:
                yield _unknown(doc, ("finance_rules", "threshold_funds", i), "fund", rule_fund, index.funds)


def _related(doc: Doc, related: list[str], index: Index) -> Iterator[Problem]:
    for i, ref in enumerate(related):
        kind, _, ident = ref.partition(":")
        if kind not in WHAT or not ident:
            zh, en = WHAT["meeting"]
            yield doc.problem("schema.pattern", "related", i, field=f"related[{i + 1}]", value=f"“{ref}”",
                              pattern_hint="写成 类型:编号，例如 meeting:2025-03-15-council",
                              pattern_hint_en="write kind:id, e.g. meeting:2025-03-15-council")
            continue
        known = index.ids(kind)
        if ident not in known:
            if kind == "request":
                yield _unknown_request(doc, ("related", i), ident, index)
            else:
                yield _unknown(doc, ("related", i), kind, ident, known)


def _unknown_request(doc: Doc, path: tuple[Any, ...], ident: str, index: Index) -> Problem:
    """A public number that no file in data/requests/ holds: a typo, a receipt, or not published yet."""
    known = sorted(index.ids("request"))
    close = difflib.get_close_matches(ident, known, n=3, cutoff=0.6) or known[-3:]
    sample = ", ".join(close) or "—"
    return doc.problem("ref.request", *path, id=ident, known=sample)


def _adoption_from_rule(doc: Doc, path: tuple[Any, ...], rule: str, version: str, meeting: str,
                        decision: str | None, index: Index) -> Iterator[Problem]:
    if meeting not in index.ids("meeting"):
        yield _unknown(doc, (*path, "meeting"), "meeting", meeting, index.meetings)
        return
    if decision is None:
        return
    ref = index.decisions.get(decision)
    if ref is None:
        if decision not in index.ids("decision"):
            yield _unknown(doc, (*path, "decision"), "decision", decision, index.decisions)
        return  # its meeting has errors of its own: nothing more to compare
    if ref.meeting.id != meeting:
        yield doc.problem("ref.adoption-mismatch", *path, rule=rule, version=version,
                          detail=f"decision {decision} ∈ {ref.meeting.id} ≠ {meeting}")
    adopts = ref.decision.adopts_rule
    if adopts is None or adopts.rule != rule or adopts.version != version:
        said = f"{adopts.rule}@{adopts.version}" if adopts else "—"
        yield doc.problem("ref.adoption-mismatch", *path, rule=rule, version=version,
                          detail=f"{decision}.adopts_rule = {said}")


def _adoption_from_decision(doc: Doc, path: tuple[Any, ...], decision: str, meeting: str, rule: str,
                            version: str, index: Index) -> Iterator[Problem]:
    rule_doc = index.rules.get(rule)
    if rule_doc is None:
        if rule not in index.ids("rule"):
            yield _unknown(doc, (*path, "rule"), "rule", rule, index.rules)
        return
    versions = {v.version: v for v in rule_doc.model.versions}
    v = versions.get(version)
    if v is None:
        yield _unknown(doc, (*path, "version"), "rule-version", version, set(versions))
        return
    if v.adopted_by is None or v.adopted_by.meeting != meeting or (
        v.adopted_by.decision is not None and v.adopted_by.decision != decision
    ):
        said = f"{v.adopted_by.meeting}/{v.adopted_by.decision}" if v.adopted_by else "—"
        yield doc.problem("ref.adoption-mismatch", *path, rule=rule, version=version,
                          detail=f"{rule_doc.file}: adopted_by = {said}")
