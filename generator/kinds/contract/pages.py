"""The contracts' pages: the list, and one page per contract with its term, its
value and what has been paid under it so far."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from generator.kinds.approval.pages import lines_citing
from generator.kinds.base import Page, PageContext, latest, list_summary
from generator.kinds.common import pick
from generator.site.amounts import tally
from portal_core.i18n import texts

SUMMARY = texts("kind.contract.summary")


def contracts(ctx: PageContext) -> list[Any]:
    """Running ones first, then newest first."""
    return ctx.once("contracts", lambda: ctx.index.models("contract", lambda c: (c.status != "active", -c.start.toordinal(), c.id)))


def elapsed(c: Any, today: dt.date) -> float | None:
    """Share of the term gone by today (0–1), None when open-ended."""
    end = c.ended or c.end
    if end is None or end <= c.start:
        return None
    share: float = (today - c.start).days / (end - c.start).days
    return max(0.0, min(1.0, share))


def lines_of(ctx: PageContext, c: Any) -> list[Any]:
    """The budget lines under a contract: spending if we pay, income if we receive."""
    return lines_citing(ctx, "contract", "income" if c.direction == "receive" else "expenditure").get(c.id, [])


def dates(ctx: PageContext) -> list[dt.date]:
    return [c.start for c in contracts(ctx)]


def build(ctx: PageContext) -> Iterator[Page]:
    items = contracts(ctx)
    flags = ctx.memo.get("gaps-by-record", {})
    # what we pay is the spending citing it; what we receive, the income lines citing it
    citing = {c.id: lines_of(ctx, c) for c in items}
    paid = {c.id: tally(citing[c.id]) for c in items}
    yield Page("contracts/index.md", "contracts_index.md.j2", texts("kind.contract.page.contracts-index.title"),
               {"contracts": items, "paid": paid},
               {**latest(dates(ctx)), "description": list_summary(ctx, SUMMARY, len(items))})
    for c in items:
        total = c.total()
        share = elapsed(c, ctx.today)
        yield Page(f"contracts/{c.id}.md", "contract.md.j2", c.title,
                   {"c": c, "lines": citing[c.id], "paid": paid[c.id], "total": total,
                    "paid_pct": round(100 * paid[c.id].recorded / total) if total else None,
                    "term_pct": None if share is None else round(100 * share),
                    "gaps": flags.get(("contract", c.id), []),
                    "approvals": ctx.index.table("approval"), "decisions": ctx.index.table("decision")},
                   {"updated": c.start.isoformat(), "print": True, "description": _describe(c)})


def _describe(c: Any) -> dict[str, str]:
    """The page's meta description: with whom, what, for how long."""
    end = (c.ended or c.end).isoformat() if (c.ended or c.end) else "…"
    return {"zh": f"{pick(c.title, 'zh')}：{pick(c.counterparty, 'zh')}，{c.start.isoformat()}至{end}。"
                  f"{pick(c.subject, 'zh')}",
            "en": f"{pick(c.title, 'en')}: {pick(c.counterparty, 'en')}, {c.start.isoformat()} to {end}. "
                  f"{pick(c.subject, 'en')}"}
