"""Dates that make sense: display periods, decision vs meeting dates, version
order and adoption, meeting status against today, overdue action items.
"""

from __future__ import annotations

from typing import Iterator

from generator.index import Index
from generator.kinds.common import Today
from generator.load import Project
from generator.problems import Problem


def check(project: Project, index: Index) -> Iterator[Problem]:
    today = Today.get()
    for doc in project.valid("notice"):
        n = doc.model
        if n.display_until is not None and n.display_until < n.published:
            yield doc.problem("date.display-before-publish", "display_until",
                              until=n.display_until, published=n.published)

    for doc in project.valid("meeting"):
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

    for doc in project.valid("rule"):
        r = doc.model
        previous = None
        for i, v in enumerate(r.versions):
            if v.effective is None:
                # only a draft still waiting for adoption may leave it blank: the latest version,
                # or a draft put out for comment (kept in the history before the adopted text)
                if (i != len(r.versions) - 1 and not v.draft) or v.adopted_by is not None:
                    yield doc.problem("rule.effective-missing", "versions", i, "version", version=v.version)
                continue
            if previous is not None and v.effective < previous:
                yield doc.problem("date.versions-order", "versions", i, "effective",
                                  version=v.version, date=v.effective, previous=previous)
            previous = v.effective
            meeting = index.table("meeting").get(v.adopted_by.meeting) if v.adopted_by else None
            if meeting is not None and v.effective < meeting.model.date:
                yield doc.problem("date.effective-before-adoption", "versions", i, "effective",
                                  version=v.version, effective=v.effective, meeting_date=meeting.model.date)
        if r.status == "repealed" and r.repealed is None:
            yield doc.problem("rule.repealed-date", "status")
        if r.status == "in-force" and all(v.effective is None or v.effective > today for v in r.versions):
            yield doc.problem("rule.not-yet-in-force", "status", severity="warning")

    for doc in project.valid("form"):
        f = doc.model
        if f.opens and f.closes and f.closes < f.opens:
            yield doc.problem("date.range", "closes", start=f.opens, end=f.closes)
