"""The approvals' pages: the list, and one page per approval with the spending
that cites it against the amount approved, and its open questions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from generator.kinds.approval.model import MEETING_ROUTE
from generator.kinds.base import Page, PageContext, latest, list_summary
from generator.kinds.common import pick
from generator.site.amounts import Tally, tally
from portal_core.i18n import texts

SUMMARY = texts("kind.approval.summary")


def approvals(ctx: PageContext) -> list[Any]:
    """Newest first; one with no date on record last."""
    return ctx.once("approvals", lambda: ctx.index.models("approval", lambda a: (a.when or dt.date.min, a.id),
                                                          reverse=True))


def lines_citing(ctx: PageContext, attr: str, direction: str = "expenditure") -> dict[str, list[Any]]:
    """Budget lines of one direction by the approval (or contract) they cite."""
    def compute() -> dict[str, list[Any]]:
        out: dict[str, list[Any]] = {}
        for line in ctx.project.budgets.lines:
            ident = getattr(line, attr)
            if ident and line.direction == direction:
                out.setdefault(ident, []).append(line)
        return out
    return ctx.once(f"lines-by-{attr}-{direction}", compute)


def spent(lines: list[Any]) -> Tally:
    """Recorded actuals, and the lines not recorded yet (never their planned amounts as spent)."""
    return tally(lines)


def dates(ctx: PageContext) -> list[dt.date]:
    return [a.when for a in approvals(ctx) if a.when is not None]


def build(ctx: PageContext) -> Iterator[Page]:
    items, citing = approvals(ctx), lines_citing(ctx, "approval")
    community = ctx.project.community
    procs = community.procedures if community is not None else None
    flags = ctx.memo.get("gaps-by-record", {})
    yield Page("approvals/index.md", "approvals_index.md.j2", texts("kind.approval.page.approvals-index.title"),
               {"approvals": items, "spent": {a.id: spent(citing.get(a.id, [])) for a in items},
                "procedure": procs is not None},
               {**latest(dates(ctx)), "description": list_summary(ctx, SUMMARY, len(items))})
    if procs is not None:  # the rule as the community declared it: what the flags and exemptions cite
        yield Page("approvals/procedure.md", "procedure.md.j2", texts("kind.approval.page.procedure.title"),
                   {"procs": procs, "meeting_route": MEETING_ROUTE},
                   {"description": texts("kind.approval.page.procedure.description")})
    for a in items:
        lines = citing.get(a.id, [])
        yield Page(f"approvals/{a.id}.md", "approval.md.j2", a.title,
                   {"a": a, "lines": lines, "spent": spent(lines), "gaps": flags.get(("approval", a.id), []),
                    "meetings": ctx.index.table("meeting"), "decisions": ctx.index.table("decision")},
                   {**({"updated": a.when.isoformat()} if a.when else {}), "print": True,
                    "description": _describe(a)})


def _describe(a: Any) -> dict[str, str]:
    """The page's meta description: what, when, how much; the outcome as recorded."""
    zh_when = {"approved": "批准", "rejected": "未批准", "pending": "申请，待批", "submitted": "申请，结果未记录"}[a.status]
    en_when = {"approved": "Approved", "rejected": "Rejected", "pending": "Requested, pending",
               "submitted": "Requested, outcome not recorded"}[a.status]
    day = a.when.isoformat() if a.when else ""
    return {"zh": f"{day} {zh_when}：{pick(a.title, 'zh')}，{a.amount:,.0f}元。{pick(a.purpose, 'zh')}".strip(),
            "en": f"{en_when} {day}: {pick(a.title, 'en')}, CNY {a.amount:,.0f}. {pick(a.purpose, 'en')}"}
