"""How meetings enter the index: each meeting by id, and each decision taken in
one (a decision is cited on its own: ``decision:D2025-03``, budget lines)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from generator.index import Index
from generator.kinds.meeting.model import AgendaItem, Decision, Meeting
from generator.load import Doc, Project


@dataclass
class DecisionRef:
    decision: Decision
    meeting: Meeting
    item: AgendaItem
    doc: Doc
    path: tuple[Any, ...]  #: path of the decision inside the meeting file


def index(project: Project, index: Index) -> None:
    meetings = index.table("meeting")
    for doc in project.valid("meeting"):
        meetings.setdefault(doc.model.id, doc)
    decisions = index.table("decision")
    for doc in meetings.values():
        for i, item in enumerate(doc.model.agenda):
            if item.decision is None:
                continue
            path = ("agenda", i, "decision")
            first = decisions.get(item.decision.id)
            if first is None:
                decisions[item.decision.id] = DecisionRef(item.decision, doc.model, item, doc, path)
            else:
                where = f"{first.doc.file}:{first.doc.at(*first.path, 'id')[0]}"
                index.duplicates.append(("decision", item.decision.id, where, doc, (*path, "id")))


def raw_ids(data: Any) -> Iterator[tuple[str, str]]:
    """The meeting's and its decisions' ids, from a file that did not validate."""
    if isinstance(data.get("id"), str):
        yield "meeting", data["id"]
    agenda = data.get("agenda")
    for item in agenda if isinstance(agenda, list) else []:
        decision = item.get("decision") if isinstance(item, dict) else None
        if isinstance(decision, dict) and isinstance(decision.get("id"), str):
            yield "decision", decision["id"]
