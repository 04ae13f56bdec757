"""The accounts' pages: every year by fund and category, planned against actual."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from generator.kinds.base import Page, PageContext, latest, list_summary
from generator.kinds.budget.model import BudgetLine
from portal_core.i18n import texts

SUMMARY = texts("kind.budget.summary")


@dataclass
class YearSummary:
    year: int
    funds: list[dict[str, Any]]  #: per fund: name, directions → {planned, actual, categories, lines}


def budget_years(project: Any) -> list[YearSummary]:
    by_year: dict[int, list[BudgetLine]] = defaultdict(list)
    for line in project.budgets.lines:
        if line.year is not None:
            by_year[line.year].append(line)
    out = []
    for year in sorted(by_year, reverse=True):
        funds: dict[str, dict[str, Any]] = {}
        for line in by_year[year]:
            fund = funds.setdefault(line.fund, {"id": line.fund, "name": project.budgets.funds.get(line.fund, line.fund),
                                                "income": _bucket(), "expenditure": _bucket()})
            bucket = fund.get(line.direction)
            if bucket is None:
                continue
            cat = bucket["categories"].setdefault(line.category, _sums())
            for sums in (bucket, cat):
                sums["planned"] += line.planned or 0
                sums["actual"] += line.actual or 0
                # a blank actual is "not recorded", never 0: say how many sums leave out
                sums["actual_blank"] += line.actual is None
                sums["lines_n"] += 1
            bucket["lines"].append(line)
        for fund in funds.values():
            for direction in ("income", "expenditure"):
                if not fund[direction]["lines"]:
                    fund[direction]["actual"] = 0.0  # nothing at all is 0; lines not yet paid are blank
        out.append(YearSummary(year, sorted(funds.values(), key=lambda f: f["id"])))
    return out


def _sums() -> dict[str, Any]:
    return {"planned": 0.0, "actual": 0.0, "actual_blank": 0, "lines_n": 0}


def _bucket() -> dict[str, Any]:
    return {**_sums(), "categories": {}, "lines": []}


def spending_by_decision(project: Any) -> dict[str, list[BudgetLine]]:
    """The budget lines citing each decision."""
    out: dict[str, list[BudgetLine]] = defaultdict(list)
    for line in project.budgets.lines:
        if line.decision:
            out[line.decision].append(line)
    return out


#: Gaps of an approval or contract that put in question the money of every line citing
#: it: the line carries their flag too (the record's page explains).
INHERITED = {"procedure.route-insufficient", "procedure.not-approved", "contract.unauthorized"}


def _authorized(ctx: PageContext, ident: str) -> bool:
    """A contract (by id) authorized by an approved approval or an adopted decision:
    the rule of ``kinds.approval.procedure.contract_authorized``, restated here because
    approval imports budget (a kind folder may not import back)."""
    doc = ctx.index.table("contract").get(ident) if ident else None
    if doc is None:
        return False
    c = doc.model
    if c.approval:
        a = ctx.index.table("approval").get(c.approval)
        return a is not None and a.model.status == "approved"
    if c.decision:
        d = ctx.index.table("decision").get(c.decision)
        return d is not None and d.decision.outcome == "adopted"
    return False


def line_notes(ctx: PageContext) -> dict[str, dict[str, Any]]:
    """Per spending line: the exemption it falls under (shown as its basis) and the
    flags of the approval or contract it cites (shown on the line)."""
    community = ctx.project.community
    procs = community.procedures if community is not None else None
    flags = ctx.memo.get("gaps-by-record", {})
    out: dict[str, dict[str, Any]] = {}
    for line in ctx.project.budgets.lines:
        if line.direction != "expenditure":
            continue
        exemption = procs.exemption_for(line.fund, line.category, _authorized(ctx, line.contract)) if procs else None
        inherited = [(kind, ident) for kind, ident in (("approval", line.approval), ("contract", line.contract))
                     if ident and any(g.code in INHERITED for g in flags.get((kind, ident), []))]
        if exemption is not None or inherited:
            out[line.id] = {"exemption": exemption, "inherited": inherited,
                            # the exemption's own source: the whole rule's text is on the procedure page
                            "exemption_source": exemption.source if exemption is not None else None}
    return out


def years(ctx: PageContext) -> list[YearSummary]:
    return ctx.once("budget-years", lambda: budget_years(ctx.project))


def build(ctx: PageContext) -> Iterator[Page]:
    items = years(ctx)
    yield Page("budgets/index.md", "budgets_index.md.j2", texts("kind.budget.page.budgets-index.title"),
               {"years": items}, {**latest(ctx.site_dates), "description": list_summary(ctx, SUMMARY, 0)})
    for y in items:
        yield Page(f"budgets/{y.year}.md", "budget_year.md.j2", {"zh": f"{y.year} 年财务公开", "en": f"Budget {y.year}"},
                   {"y": y, "decisions": ctx.index.table("decision"), "notes": line_notes(ctx)},
                   {"print": True, "description": _summary(y), **latest(ctx.site_dates)})


def _summary(y: YearSummary) -> dict[str, str]:
    def total(direction: str, key: str) -> str:
        return f"{sum(f[direction][key] or 0 for f in y.funds):,.0f}"

    return {"zh": f"{y.year}年财务公开：收入预算{total('income', 'planned')}元，实际{total('income', 'actual')}元；"
                  f"支出预算{total('expenditure', 'planned')}元，实际{total('expenditure', 'actual')}元。按资金来源和类别列出每一笔。",
            "en": f"Budget and accounts {y.year}: income planned CNY {total('income', 'planned')}, actual "
                  f"{total('income', 'actual')}; spending planned CNY {total('expenditure', 'planned')}, actual "
                  f"{total('expenditure', 'actual')}. Every line by fund and category."}
