"""Model step: index the validated records by id so checks and pages can follow
references (decision → meeting, budget line → decision, rule version → meeting).

Duplicates are not resolved here: the first record wins in the index and
``duplicates`` lists the rest, for the id check to report.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from generator.kinds.meetings import AgendaItem, Decision, Meeting
from generator.load import Doc, Project


@dataclass
class DecisionRef:
    decision: Decision
    meeting: Meeting
    item: AgendaItem
    doc: Doc
    path: tuple[Any, ...]  #: path of the decision inside the meeting file


@dataclass
class Index:
    bodies: dict[str, Any] = field(default_factory=dict)
    categories: set[str] = field(default_factory=set)
    languages: list[str] = field(default_factory=lambda: ["zh"])
    meetings: dict[str, Doc] = field(default_factory=dict)
    decisions: dict[str, DecisionRef] = field(default_factory=dict)
    rules: dict[str, Doc] = field(default_factory=dict)
    notices: dict[str, Doc] = field(default_factory=dict)
    services: dict[str, Doc] = field(default_factory=dict)
    forms: dict[str, Doc] = field(default_factory=dict)
    funds: set[str] = field(default_factory=set)
    years: set[int] = field(default_factory=set)
    requests: set[str] = field(default_factory=set)  #: public numbers of published requests
    #: ids of records whose file has schema errors: they exist, so references to
    #: them are not reported as unknown (one typo must not cascade)
    raw_ids: dict[str, set[str]] = field(default_factory=dict)
    #: (what, id, file:line of the first, doc, path of the duplicate)
    duplicates: list[tuple[str, str, str, Doc, tuple[Any, ...]]] = field(default_factory=list)

    def ids(self, kind: str) -> set[str]:
        """Every id of ``kind`` that exists (valid or not), computed once: checks
        ask this for each reference, and the index does not change after build."""
        cache = self.__dict__.setdefault("_ids_cache", {})
        if kind not in cache:
            cache[kind] = self._ids(kind)
        return cache[kind]

    def _ids(self, kind: str) -> set[str]:
        table = {
            "meeting": self.meetings, "decision": self.decisions, "rule": self.rules,
            "notice": self.notices, "service": self.services, "form": self.forms,
            "body": self.bodies,
        }.get(kind)
        if table is not None:
            return set(table) | self.raw_ids.get(kind, set())
        if kind == "fund":
            return self.funds
        if kind == "budget":
            return {str(y) for y in self.years}
        if kind == "request":
            return self.requests | self.raw_ids.get("request", set())
        return set()


def build_index(project: Project) -> Index:
    index = Index()
    community = project.community
    if community is not None:
        index.languages = [community.languages.default, *community.languages.others]
        for body in community.bodies:
            index.bodies.setdefault(body.id, body)
        index.categories = {c.id for c in community.service_categories}
    for kind, table in (("rule", index.rules), ("notice", index.notices),
                        ("service", index.services), ("form", index.forms),
                        ("meeting", index.meetings)):
        for doc in project.valid(kind):
            table.setdefault(doc.model.id, doc)
    for doc in index.meetings.values():
        meeting: Meeting = doc.model
        for i, item in enumerate(meeting.agenda):
            if item.decision is None:
                continue
            path = ("agenda", i, "decision")
            ref = DecisionRef(item.decision, meeting, item, doc, path)
            first = index.decisions.get(item.decision.id)
            if first is None:
                index.decisions[item.decision.id] = ref
            else:
                where = f"{first.doc.file}:{first.doc.at(*first.path, 'id')[0]}"
                index.duplicates.append(("decision", item.decision.id, where, doc, (*path, "id")))
    index.requests = {r.id for doc in project.valid("requests") for r in doc.model.requests}
    index.funds = set(project.budgets.funds)
    index.years = set(project.budgets.years)
    for kind, docs in project.docs.items():
        for doc in docs:
            if doc.model is None and isinstance(doc.data, dict) and isinstance(doc.data.get("id"), str):
                index.raw_ids.setdefault(kind, set()).add(doc.data["id"])
                if kind == "meeting":
                    index.raw_ids.setdefault("decision", set()).update(_raw_decisions(doc.data))
            if kind == "requests" and doc.model is None and isinstance(doc.data, dict):
                # A requests file with an error still publishes numbers: no cascade of unknown references.
                records = doc.data.get("requests")
                index.raw_ids.setdefault("request", set()).update(
                    r["id"] for r in (records if isinstance(records, list) else [])
                    if isinstance(r, dict) and isinstance(r.get("id"), str))
    return index


def _raw_decisions(data: Any) -> set[str]:
    agenda = data.get("agenda")
    found = set()
    for item in agenda if isinstance(agenda, list) else []:
        decision = item.get("decision") if isinstance(item, dict) else None
        if isinstance(decision, dict) and isinstance(decision.get("id"), str):
            found.add(decision["id"])
    return found
