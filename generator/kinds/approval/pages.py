"""The approvals' pages: the list, and one page per approval with the spending
that cites it against the amount approved, and its open questions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from generator.kinds.base import Page, PageContext, latest, list_summary
from generator.kinds.common import pick
from portal_core.i18n import texts

SUMMARY = texts("kind.approval.summary")


def approvals(ctx: PageContext) -> list[Any]:
    """Newest first."""
    return ctx.once("approvals", lambda: ctx.index.models("approval", lambda a: (a.date, a.id), reverse=True))


def lines_citing(ctx: PageContext, attr: str) -> dict[str, list[Any]]:
    """Budget lines by the approval (or contract) they cite."""
    def compute() -> dict[str, list[Any]]:
        out: dict[str, list[Any]] = {}
        for line in ctx.project.budgets.lines:
            ident = getattr(line, attr)
            if ident and line.direction == "expenditure":
                out.setdefault(ident, []).append(line)
        return out
    return ctx.once(f"lines-by-{attr}", compute)


def spent(lines: list[Any]) -> float:
    """Actual, or planned while no actual amount is known."""
    return round(sum(line.actual if line.actual is not None else (line.planned or 0) for line in lines), 2)


def dates(ctx: PageContext) -> list[dt.date]:
    return [a.date for a in approvals(ctx)]


def build(ctx: PageContext) -> Iterator[Page]:
    items, citing = approvals(ctx), lines_citing(ctx, "approval")
    flags = ctx.memo.get("gaps-by-record", {})
    yield Page("approvals/index.md", "approvals_index.md.j2", texts("kind.approval.page.approvals-index.title"),
               {"approvals": items, "spent": {a.id: spent(citing.get(a.id, [])) for a in items}},
               {**latest(dates(ctx)), "description": list_summary(ctx, SUMMARY, len(items))})
    for a in items:
        lines = citing.get(a.id, [])
        yield Page(f"approvals/{a.id}.md", "approval.md.j2", a.title,
                   {"a": a, "lines": lines, "spent": spent(lines), "gaps": flags.get(("approval", a.id), []),
                    "meetings": ctx.index.table("meeting"), "decisions": ctx.index.table("decision")},
                   {"updated": a.date.isoformat(), "print": True, "description": _describe(a)})


def _describe(a: Any) -> dict[str, str]:
    """The page's meta description: what, when, how much, by which route."""
    return {"zh": f"{a.date.isoformat()} 批准：{pick(a.title, 'zh')}，{a.amount:,.0f}元。{pick(a.purpose, 'zh')}",
            "en": f"Approved {a.date.isoformat()}: {pick(a.title, 'en')}, CNY {a.amount:,.0f}. {pick(a.purpose, 'en')}"}
