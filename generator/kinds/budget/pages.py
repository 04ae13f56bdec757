"""The accounts' pages: every year by fund and category, planned against actual."""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from generator.kinds.base import Page, PageContext, latest, list_summary
from generator.kinds.budget.model import BudgetLine
from portal_core.i18n import LANGS, text, texts
from portal_core.languages import pick

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
        return d is not None and d.outcome == "adopted"
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


#: Lines on one lines page. Why pages at all: Pagefind fetches the whole text of
#: every result it shows (its "fragment", from which it cuts the excerpt and the
#: sub-results in the browser: pagefind.app/docs/sub-results/, "derived when data
#: is loaded in the browser"), so a year of 5,000 lines on one page cost a first
#: query 126 KB per shown year (gzip). The year page keeps every line (printing, and the
#: ``budgets/<year>.md#<line>`` links of other pages and of the committee's own
#: Markdown) but leaves them out of the index; these pages carry them into it.
PART_LINES = 100


@dataclass
class LinesPage:
    """One page of a year's lines of one fund and direction (its categories in
    the year page's order, a category's lines as the file lists them)."""

    year: int
    fund: dict[str, Any]
    direction: str
    part: int  #: 1-based
    parts: int
    lines: list[BudgetLine]
    sums: dict[str, Any]  #: planned, actual, actual_blank, lines_n of these lines

    @property
    def slug(self) -> str:
        return section_slug(self.fund["id"], self.direction) + ("" if self.part == 1 else f"-{self.part}")

    @property
    def path(self) -> str:
        """Relative to docs_dir (under the year page's folder)."""
        return f"budgets/{self.year}/{self.slug}.md"


def section_slug(fund: str, direction: str) -> str:
    """The lines pages' name: the fund id when it is a plain ASCII slug (else a
    short hash of it: a fund id may be any text), then the direction.

    >>> section_slug("public-revenue", "income"), section_slug("维修资金", "expenditure")
    ('public-revenue-income', 'f-6c9d22c0-expenditure')
    """
    ident = fund.lower()
    if not re.fullmatch(r"[a-z0-9][a-z0-9_-]{0,40}", ident):
        ident = "f-" + hashlib.sha256(fund.encode("utf-8")).hexdigest()[:8]
    return f"{ident}-{direction}"


def lines_pages(y: YearSummary) -> dict[tuple[str, str], list[LinesPage]]:
    """Per (fund id, direction) with lines: its lines pages, at most ``PART_LINES`` lines each."""
    out: dict[tuple[str, str], list[LinesPage]] = {}
    for f in y.funds:
        for direction in ("income", "expenditure"):
            bucket = f[direction]
            if not bucket["lines"]:
                continue
            order = {cat: i for i, cat in enumerate(bucket["categories"])}
            ordered = sorted(bucket["lines"], key=lambda line: order[line.category])  # stable: file order kept
            chunks = [ordered[i:i + PART_LINES] for i in range(0, len(ordered), PART_LINES)]
            out[(f["id"], direction)] = [LinesPage(y.year, f, direction, n, len(chunks), chunk, _line_sums(chunk))
                                         for n, chunk in enumerate(chunks, 1)]
    return out


def _line_sums(lines: list[BudgetLine]) -> dict[str, Any]:
    sums = _sums()
    for line in lines:
        sums["planned"] += line.planned or 0
        sums["actual"] += line.actual or 0
        sums["actual_blank"] += line.actual is None
        sums["lines_n"] += 1
    return sums


def _both(key: str, **params: Any) -> dict[str, str]:
    return {lang: text(key, lang, **params) for lang in LANGS}


def _lines_title(p: LinesPage) -> dict[str, str]:
    key = "kind.budget.lines.title" if p.parts == 1 else "kind.budget.lines.title-part"
    return {lang: text(key, lang, year=p.year, fund=pick(p.fund["name"], lang),
                       direction=text(f"site.{p.direction}", lang), part=p.part, parts=p.parts) for lang in LANGS}


def _lines_words(p: LinesPage) -> dict[str, dict[str, str]]:
    """The lines page's sentences, both languages (the kind's strings take parameters)."""
    whole = p.fund[p.direction]["lines_n"]
    return {"intro": _both("kind.budget.lines.intro" if p.parts == 1 else "kind.budget.lines.intro-part",
                           n=p.sums["lines_n"], all=whole, part=p.part, parts=p.parts),
            "this_page": _both("kind.budget.lines.this-page", n=p.sums["lines_n"]),
            "whole": _both("kind.budget.lines.whole", year=p.year, n=p.fund[p.direction]["lines_n"]),
            "year_link": _both("kind.budget.lines.year-link", year=p.year),
            "pages": _both("kind.budget.lines.pages")}


def build(ctx: PageContext) -> Iterator[Page]:
    items = years(ctx)
    yield Page("budgets/index.md", "budgets_index.md.j2", texts("kind.budget.page.budgets-index.title"),
               {"years": items}, {**latest(ctx.site_dates), "description": list_summary(ctx, SUMMARY, 0)})
    notes = line_notes(ctx)
    decisions = ctx.index.table("decision")
    for y in items:
        sections = lines_pages(y)
        yield Page(f"budgets/{y.year}.md", "budget_year.md.j2", {"zh": f"{y.year} 年财务公开", "en": f"Budget {y.year}"},
                   {"y": y, "decisions": decisions, "notes": notes, "sections": sections,
                    "lines_where": {key: _both("kind.budget.year.lines-where" if len(pages) == 1
                                               else "kind.budget.year.lines-where-parts",
                                               n=pages[0].fund[key[1]]["lines_n"], parts=len(pages))
                                    for key, pages in sections.items()},
                    "part_label": {"0": _both("kind.budget.year.lines-page"),
                                   **{str(n): _both("kind.budget.year.part", part=n)
                                      for n in range(1, 1 + max((len(v) for v in sections.values()), default=0))}}},
                   {"print": True, "description": _summary(y), **latest(ctx.site_dates)})
        for pages in sections.values():
            for p in pages:
                yield Page(p.path, "budget_lines.md.j2", _lines_title(p),
                           {"p": p, "siblings": pages, "decisions": decisions, "notes": notes, "w": _lines_words(p),
                            "part_label": {str(q.part): _both("kind.budget.year.part", part=q.part) for q in pages}},
                           {"print": True, "description": _lines_words(p)["intro"], **latest(ctx.site_dates)})


def _summary(y: YearSummary) -> dict[str, str]:
    def total(direction: str, key: str) -> str:
        return f"{sum(f[direction][key] or 0 for f in y.funds):,.0f}"

    return {"zh": f"{y.year}年财务公开：收入预算{total('income', 'planned')}元，实际{total('income', 'actual')}元；"
                  f"支出预算{total('expenditure', 'planned')}元，实际{total('expenditure', 'actual')}元。按资金来源和类别列出每一笔。",
            "en": f"Budget and accounts {y.year}: income planned CNY {total('income', 'planned')}, actual "
                  f"{total('income', 'actual')}; spending planned CNY {total('expenditure', 'planned')}, actual "
                  f"{total('expenditure', 'actual')}. Every line by fund and category."}
