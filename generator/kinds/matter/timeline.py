"""A matter's page, assembled from the records it links: nobody keeps a second copy.

``timeline(matter, project, index)`` returns the dated events of one matter, oldest
first: where it came from, the notices, consultations and meetings, the decisions,
the approvals, the contracts, the budget lines it cites and every line that spent
money under one of those, the steps of its plan, and how it ended. ``spent`` sums
the spending lines.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from generator.kinds.budget.spending import Spend, period_range, spends
from generator.kinds.common import Text
from generator.load import Project
from generator.site.amounts import Tally, tally

#: Order of events on the same day: origin first, result last.
_ORDER = {"origin": 0, "opened": 1, "notice": 2, "consultation": 2, "meeting": 2, "decision": 3, "approval": 4,
          "contract": 5, "contract-end": 6, "spending": 7, "income": 7, "action": 8, "closed": 9}


@dataclass
class Event:
    date: dt.date
    #: origin, opened, notice, consultation, meeting, decision, approval, contract, contract-end,
    #: spending, income, action, closed
    kind: str
    title: Text
    ref: tuple[str, str] | None = None  #: (kind, id) of the record, for a link
    amount: float | None = None
    status: str | None = None
    #: a budget period the date stands for ("2025-Q3"), when the line has no payment date
    period: str | None = None
    detail: dict[str, Any] = field(default_factory=dict)

    def sort_key(self) -> tuple[dt.date, int, str]:
        return (self.date, _ORDER.get(self.kind, 5), self.ref[1] if self.ref else "")


@dataclass
class Timeline:
    events: list[Event]
    #: the linked spending lines told apart: recorded actuals, and the lines not yet
    #: recorded with their planned amounts (a planned amount is never "spent")
    sums: Tally
    lines: list[Spend]


def timeline(matter: Any, project: Project, index: Any) -> Timeline:
    events: list[Event] = []
    o = matter.origin
    events.append(Event(o.date or matter.opened, "origin", o.detail or "",
                        ("request", o.request) if o.request else ("body", o.body) if o.body else None,
                        detail={"kind": o.kind}))
    if o.date and o.date != matter.opened:
        events.append(Event(matter.opened, "opened", matter.title))
    for mid in matter.meetings:
        doc = index.table("meeting").get(mid)
        if doc is not None:
            m = doc.model
            events.append(Event(m.date, "meeting", m.title, ("meeting", mid), status=m.status,
                                detail={"type": m.type}))
    for cid in matter.consultations:
        doc = index.table("consultation").get(cid)
        if doc is not None:
            c = doc.model
            events.append(Event(c.start, "consultation", c.title, ("consultation", cid), status=c.state,
                                detail={"channel": c.channel, "end": c.end}))
    for nid in matter.notices:
        doc = index.table("notice").get(nid)
        if doc is not None:
            n = doc.model
            events.append(Event(n.published, "notice", n.title, ("notice", nid)))
    for did in matter.decisions:
        ref = index.table("decision").get(did)
        if ref is not None:
            d = ref.decision
            events.append(Event(d.date or ref.meeting.date, "decision", d.text, ("decision", did),
                                status=d.outcome, detail={"meeting": ref.meeting.id}))
    approvals = {d.model.id: d.model for d in project.valid("approval")}
    contracts = {d.model.id: d.model for d in project.valid("contract")}
    for aid in matter.approvals:
        a = approvals.get(aid)
        if a is not None and a.when is not None:  # an undated letter has no place on a timeline
            events.append(Event(a.when, "approval", a.title, ("approval", aid), a.amount, a.status,
                                detail={"route": list(a.route), "number": a.number}))
    for cid in matter.contracts:
        c = contracts.get(cid)
        if c is None:
            continue
        # Only a total the contract states (or an exact one): a yearly amount is not a total.
        events.append(Event(c.start, "contract", c.title, ("contract", cid), c.total(), c.status,
                            detail={"counterparty": c.counterparty, "amount_per": c.amount_per}))
        end = c.ended or (c.end if c.status == "ended" else None)
        if end is not None:
            events.append(Event(end, "contract-end", c.end_reason or c.title, ("contract", cid), status="ended"))
    # Spending: every line the matter cites, or resting on one of its approvals, contracts or decisions.
    cited = {(c.year, c.line) for c in matter.budget_lines}
    linked = [s for s in spends(project.budgets.lines)
              if (s.line.year, s.line.id) in cited
              or (s.line.approval and s.line.approval in matter.approvals)
              or (s.line.contract and s.line.contract in matter.contracts)
              or (s.line.decision and s.line.decision in matter.decisions)]
    for line in project.budgets.lines:  # income the matter cites (a fee collected): shown, never "spent"
        if line.direction == "income" and (line.year, line.id) in cited:
            events.append(Event(_income_date(line), "income", line.item, ("budget-line", line.id),
                                line.actual,  # None: not recorded yet (the planned amount is labelled)
                                detail={"fund": line.fund, "year": line.year, "sums": tally([line])},
                                period=None if line.date else line.period))
    for s in linked:
        events.append(Event(s.last or dt.date(s.line.year or 1, 12, 31), "spending", s.line.item,
                            ("budget-line", s.line.id), s.line.actual,
                            detail={"fund": s.line.fund, "year": s.line.year, "sums": tally([s.line])},
                            period=None if s.dated else s.line.period))
    for action in matter.action_items:
        when = action.done or action.due
        if when is not None:
            events.append(Event(when, "action", action.text, None, status=action.status,
                                detail={"owner": action.owner, "due": action.due, "done": action.done}))
    if matter.closed is not None:
        events.append(Event(matter.closed, "closed", matter.result or matter.status_reason or matter.title,
                            status=matter.status))
    events.sort(key=Event.sort_key)
    return Timeline(events, tally(s.line for s in linked), linked)


def _income_date(line: Any) -> dt.date:
    """The income's payment date, else the last day of its period (the period is shown)."""
    try:
        return dt.date.fromisoformat(line.date)
    except (TypeError, ValueError):
        rng = period_range(line.period)
        return rng[1] if rng else dt.date(line.year or 1, 12, 31)
