"""The meetings and decisions downloads; the JSON has the full agenda, options and minutes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from generator.kinds.base import Column, DatasetSpec, TableSpec, url_column
from generator.kinds.budget.pages import spending_by_decision
from generator.kinds.meeting.model import Meeting
from generator.kinds.meeting.records import DecisionRef
from generator.site.downloads import ExportContext
from portal_core.i18n import texts

HHMM = texts("kind.meeting.hhmm")


def _meetings(x: ExportContext) -> list[Meeting]:  # oldest first
    return x.index.models("meeting", lambda m: (m.date, m.id))


def _attendance(name: str) -> Callable[[Meeting, ExportContext], int | None]:
    return lambda m, x: getattr(m.attendance, name) if m.attendance else None


MEETINGS = (
    Column("id", "string", texts("kind.meeting.column.meetings.id.title"), lambda m, x: m.id, constraints={"required": True}),
    Column("body", "string", texts("kind.meeting.column.meetings.body.title"), lambda m, x: m.body,
           texts("kind.meeting.column.meetings.body.description"), {"required": True}),
    Column("type", "string", texts("kind.meeting.column.meetings.type.title"), lambda m, x: m.type,
           texts("kind.meeting.column.meetings.type.description")),
    Column("title", "string", texts("kind.meeting.column.meetings.title.title"), lambda m, x: x.text(m.title),
           constraints={"required": True}),
    Column("date", "date", texts("kind.meeting.column.meetings.date.title"), lambda m, x: m.date, constraints={"required": True}),
    Column("start", "string", texts("kind.meeting.column.meetings.start.title"), lambda m, x: m.start, HHMM,
           {"pattern": "[0-2][0-9]:[0-5][0-9]"}),
    Column("end", "string", texts("kind.meeting.column.meetings.end.title"), lambda m, x: m.end, HHMM,
           {"pattern": "[0-2][0-9]:[0-5][0-9]"}),
    Column("place", "string", texts("kind.meeting.column.meetings.place.title"), lambda m, x: x.text(m.place)),
    Column("status", "string", texts("kind.meeting.column.meetings.status.title"), lambda m, x: m.status,
           texts("kind.meeting.column.meetings.status.description"),
           {"required": True, "enum": ["planned", "held", "cancelled"]}),
    Column("members", "integer", texts("kind.meeting.column.meetings.members.title"), _attendance("members")),
    Column("present", "integer", texts("kind.meeting.column.meetings.present.title"), _attendance("present")),
    Column("observers", "integer", texts("kind.meeting.column.meetings.observers.title"), _attendance("observers")),
    Column("agenda_items", "integer", texts("kind.meeting.column.meetings.agenda_items.title"), lambda m, x: len(m.agenda)),
    Column("decisions", "string", texts("kind.meeting.column.meetings.decisions.title"),
           lambda m, x: " ".join(item.decision.id for item in m.agenda if item.decision),
           texts("kind.meeting.column.meetings.decisions.description")),
    url_column(lambda m, x: x.url(f"meetings/{m.id}.md")),
)

MEETINGS_DATASET = DatasetSpec(
    "meetings", texts("kind.meeting.dataset.meetings.title"),
    texts("kind.meeting.dataset.meetings.description"),
    (TableSpec("meetings", texts("kind.meeting.table.meetings.title"), MEETINGS, _meetings,
               foreign_keys=(("body", "bodies", "id"),)),),
    lambda x: [x.record(m, x.url(f"meetings/{m.id}.md")) for m in _meetings(x)],
)


class _Row:
    """A decision with what its row shows: the option chosen and the spending citing it."""

    def __init__(self, ref: DecisionRef, x: ExportContext) -> None:
        self.ref, self.d, self.m, self.item = ref, ref.decision, ref.meeting, ref.item
        self.option = next((o for o in self.item.options if o.id == self.d.option), None) if self.d.option else None
        self.lines = x.once("spending", lambda: spending_by_decision(x.project)).get(self.d.id, [])
        self.planned = round(sum(v.planned or 0 for v in self.lines), 2) if self.lines else None
        self.actual = round(sum(v.actual or 0 for v in self.lines), 2) if self.lines else None
        self.url = x.url(f"meetings/{self.m.id}.md", self.d.id)
        self.date = self.d.date or self.m.date


def _rows(x: ExportContext) -> list[_Row]:
    refs = sorted(x.index.table("decision").values(), key=lambda r: (r.decision.date or r.meeting.date, r.decision.id))
    return x.once("decision-rows", lambda: [_Row(ref, x) for ref in refs])


def _votes(name: str) -> Callable[[_Row, ExportContext], int | None]:
    return lambda r, x: getattr(r.d.votes, name) if r.d.votes else None


DECISIONS = (
    Column("id", "string", texts("kind.meeting.column.decisions.id.title"), lambda r, x: r.d.id, constraints={"required": True}),
    Column("meeting", "string", texts("kind.meeting.column.decisions.meeting.title"), lambda r, x: r.m.id,
           texts("kind.meeting.column.decisions.meeting.description"), {"required": True}),
    Column("date", "date", texts("kind.meeting.column.decisions.date.title"), lambda r, x: r.date, constraints={"required": True}),
    Column("item", "string", texts("kind.meeting.column.decisions.item.title"), lambda r, x: r.item.id,
           texts("kind.meeting.column.decisions.item.description")),
    Column("item_title", "string", texts("kind.meeting.column.decisions.item_title.title"), lambda r, x: x.text(r.item.title)),
    Column("text", "string", texts("kind.meeting.column.decisions.text.title"), lambda r, x: x.text(r.d.text),
           texts("kind.meeting.column.decisions.text.description")),
    Column("outcome", "string", texts("kind.meeting.column.decisions.outcome.title"), lambda r, x: r.d.outcome,
           texts("kind.meeting.column.decisions.outcome.description"),
           {"required": True, "enum": ["adopted", "rejected", "deferred"]}),
    Column("for", "integer", texts("kind.meeting.column.decisions.for.title"), _votes("for_"),
           texts("kind.meeting.column.decisions.for.description"), {"minimum": 0}),
    Column("against", "integer", texts("kind.meeting.column.decisions.against.title"), _votes("against"), constraints={"minimum": 0}),
    Column("abstain", "integer", texts("kind.meeting.column.decisions.abstain.title"), _votes("abstain"), constraints={"minimum": 0}),
    Column("option", "string", texts("kind.meeting.column.decisions.option.title"), lambda r, x: r.d.option),
    Column("option_title", "string", texts("kind.meeting.column.decisions.option_title.title"),
           lambda r, x: x.text(r.option.title) if r.option else None),
    Column("option_cost", "number", texts("kind.meeting.column.decisions.option_cost.title"),
           lambda r, x: r.option.cost if r.option else None, constraints={"minimum": 0}),
    Column("spending_planned", "number", texts("kind.meeting.column.decisions.spending_planned.title"),
           lambda r, x: r.planned,
           texts("kind.meeting.column.decisions.spending_planned.description"),
           {"minimum": 0}),
    Column("spending", "number", texts("kind.meeting.column.decisions.spending.title"), lambda r, x: r.actual,
           texts("kind.meeting.column.decisions.spending.description"),
           {"minimum": 0}),
    Column("budget_lines", "string", texts("kind.meeting.column.decisions.budget_lines.title"),
           lambda r, x: " ".join(v.id for v in r.lines),
           texts("kind.meeting.column.decisions.budget_lines.description")),
    Column("adopts_rule", "string", texts("kind.meeting.column.decisions.adopts_rule.title"),
           lambda r, x: r.d.adopts_rule.rule if r.d.adopts_rule else None,
           texts("kind.meeting.column.decisions.adopts_rule.description")),
    Column("adopts_version", "string", texts("kind.meeting.column.decisions.adopts_version.title"),
           lambda r, x: r.d.adopts_rule.version if r.d.adopts_rule else None),
    url_column(lambda r, x: r.url),
)


def _decision_records(x: ExportContext) -> list[dict[str, Any]]:
    out = []
    for r in _rows(x):
        d = r.d
        out.append({
            "id": d.id, "meeting": r.m.id, "body": r.m.body, "date": r.date.isoformat(),
            "item": {"id": r.item.id, "title": r.item.title}, "text": d.text, "outcome": d.outcome,
            "votes": x.dump(d.votes) if d.votes else None,
            "option": {**x.dump(r.option)} if r.option else None,
            "adopts_rule": x.dump(d.adopts_rule) if d.adopts_rule else None,
            "spending": {"planned": r.planned, "actual": r.actual, "lines": [v.id for v in r.lines]} if r.lines else None,
            "url": r.url,
        })
    return out


DECISIONS_DATASET = DatasetSpec(
    "decisions", texts("kind.meeting.dataset.decisions.title"),
    texts("kind.meeting.dataset.decisions.description"),
    (TableSpec("decisions", texts("kind.meeting.table.decisions.title"), DECISIONS, _rows,
               foreign_keys=(("meeting", "meetings", "id"), ("adopts_rule", "rules", "id"))),),
    _decision_records,
)
