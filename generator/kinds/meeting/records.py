"""How meetings enter the index: each meeting by id, and each decision taken in
one (a decision is cited on its own: ``decision:D2025-03``, budget lines).

The index and the cross-checks read a meeting's ``facts`` (its id, type, status,
date, and per agenda item what was decided), not its model: the check cache keeps
them per file (``Project.fact``), so after an edit elsewhere no meeting's model is
read again. A ``DecisionRef`` reads its meeting's model only when asked for the
decision, the meeting or the agenda item itself (the pages do)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any, NamedTuple

from generator.index import Index
from generator.kinds.meeting.model import AgendaItem, Decision, Meeting
from generator.load import Doc, Project
from generator.loading.cache import key_of


class DecisionFacts(NamedTuple):
    item: int  #: its agenda item's position
    id: str
    outcome: str
    date: dt.date | None  #: its own date (None: the meeting's)
    adopts: tuple[str, str] | None  #: (rule, version) it adopts


class ItemFacts(NamedTuple):
    decided: bool  #: the item has a decision
    consultation: str | None
    options: int  #: how many options were put


class MeetingFacts(NamedTuple):
    id: str
    type: str
    status: str
    date: dt.date
    items: tuple[ItemFacts, ...]
    decisions: tuple[DecisionFacts, ...]
    key: str = ""  #: a hash of all of the above (``facts_key`` joins them)


def _facts_of(doc: Doc) -> MeetingFacts:
    m: Meeting = doc.model
    decisions = tuple(
        DecisionFacts(i, d.id, d.outcome, d.date,
                      (d.adopts_rule.rule, d.adopts_rule.version) if d.adopts_rule is not None else None)
        for i, item in enumerate(m.agenda) if (d := item.decision) is not None)
    items = tuple(ItemFacts(item.decision is not None, item.consultation, len(item.options)) for item in m.agenda)
    found = MeetingFacts(m.id, m.type, m.status, m.date, items, decisions)
    return found._replace(key=key_of(repr(found)))


def facts(project: Project, doc: Doc) -> MeetingFacts:
    """What the index and the cross-checks need of a valid meeting, without its model
    when the check cache has it."""
    return project.fact("meeting", doc, _facts_of)


def facts_key(project: Project, index: Index) -> str:
    """A key of every indexed meeting's facts, in the index's order (worked out once per
    run): cross-checks that read meetings only through their facts and the decisions'
    ``DecisionRef`` keep their findings by it (an edit that leaves the facts as they
    were, a comment or a vote count, keeps it)."""
    meetings = index.table("meeting")
    return project.once("meeting.facts-key", lambda: key_of(
        *(part for mid, doc in meetings.items() for part in (mid, facts(project, doc).key))))


class DecisionRef:
    """A decision as the index holds it: where it is (``doc``, ``path``) and what the
    cross-checks ask of it (outcome, dates, the meeting's type, the rule it adopts);
    ``decision``, ``meeting`` and ``item`` are the models, read when first asked for."""

    __slots__ = ("doc", "path", "id", "outcome", "date", "adopts", "meeting_id", "meeting_type", "meeting_date")

    def __init__(self, doc: Doc, d: DecisionFacts, m: MeetingFacts) -> None:
        self.doc = doc
        self.path: tuple[Any, ...] = ("agenda", d.item, "decision")  #: path of the decision inside the meeting file
        self.id, self.outcome, self.date, self.adopts = d.id, d.outcome, d.date, d.adopts
        self.meeting_id, self.meeting_type, self.meeting_date = m.id, m.type, m.date

    @property
    def meeting(self) -> Meeting:
        model: Meeting = self.doc.model
        return model

    @property
    def item(self) -> AgendaItem:
        item: AgendaItem = self.meeting.agenda[self.path[1]]
        return item

    @property
    def decision(self) -> Decision:
        decision = self.item.decision
        assert decision is not None
        return decision

    @property
    def when(self) -> dt.date:
        """The day it was taken: its own date, else its meeting's."""
        return self.date or self.meeting_date


def index(project: Project, index: Index) -> None:
    meetings = index.table("meeting")
    indexed: dict[str, MeetingFacts] = {}  #: the facts of the first meeting of each id
    for doc in project.valid("meeting"):
        m = facts(project, doc)
        if m.id not in meetings:
            meetings[m.id], indexed[m.id] = doc, m
    decisions = index.table("decision")
    for mid, doc in meetings.items():
        m = indexed[mid]
        for d in m.decisions:
            first = decisions.get(d.id)
            if first is None:
                decisions[d.id] = DecisionRef(doc, d, m)
            else:
                where = f"{first.doc.file}:{first.doc.at(*first.path, 'id')[0]}"
                index.duplicates.append(("decision", d.id, where, doc, ("agenda", d.item, "decision", "id")))


def raw_ids(data: Any) -> Iterator[tuple[str, str]]:
    """The meeting's and its decisions' ids, from a file that did not validate."""
    if isinstance(data.get("id"), str):
        yield "meeting", data["id"]
    agenda = data.get("agenda")
    for item in agenda if isinstance(agenda, list) else []:
        decision = item.get("decision") if isinstance(item, dict) else None
        if isinstance(decision, dict) and isinstance(decision.get("id"), str):
            yield "decision", decision["id"]
