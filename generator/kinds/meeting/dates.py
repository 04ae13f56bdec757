"""A meeting's dates: its status against today, its times in order, decisions
dated on the meeting's day, action items done or overdue."""

from __future__ import annotations

from collections.abc import Iterator

from generator.index import Index
from generator.kinds.base import DocCheck
from generator.kinds.common import Today
from generator.load import Doc, Project
from generator.problems import Problem


def check_dates(doc: Doc, project: Project, index: Index) -> Iterator[Problem]:
    today = Today.get()
    m = doc.model
    if m.status == "held" and m.date > today:
        yield doc.problem("date.held-in-future", "status", date=m.date)
    if m.status == "planned" and m.date < today:
        yield doc.problem("date.planned-in-past", "status", severity="warning", date=m.date)
    if m.start and m.end and m.end < m.start:
        yield doc.problem("date.range", "end", start=m.start, end=m.end)
    for i, item in enumerate(m.agenda):
        d = item.decision
        if d is not None and d.date is not None and d.date != m.date:
            yield doc.problem("date.decision-not-meeting", "agenda", i, "decision", "date",
                              date=d.date, meeting_date=m.date)
    for i, action in enumerate(m.action_items):
        if action.status == "done" and action.done is None:
            yield doc.problem("date.done-missing", "action_items", i, "status", severity="warning")
        if action.status in ("open", "in-progress") and action.due is not None and action.due < today:
            yield doc.problem("date.action-overdue", "action_items", i, "due", severity="warning",
                              due=action.due)


def _today(project: Project, index: Index) -> str:
    return Today.get().isoformat()


#: One meeting at a time, against today.
CHECK = DocCheck("meeting.dates", "meeting", check_dates, _today)
