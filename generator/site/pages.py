"""Which pages the site has, and what each shows: model → list of ``Page``.

Pure functions over the checked project; no file I/O. Each kind builds its own
pages (``Kind.pages``, in its folder); here are the pages about the whole site
(home, open data, receipt lookup, search) and the context every template shares.
"""

from __future__ import annotations

from typing import Any

from generator import registry
from generator.index import Index
from generator.kinds.base import HomeBlock, Page, PageContext, latest, list_summary
from generator.kinds.common import Today, pick
from generator.load import Project
from generator.site import exports
from generator.site.gaps import Gap, by_record, gaps

HOME_TITLE = {"zh": "首页", "en": "Home"}
DATA_TITLE = {"zh": "开放数据", "en": "Open data"}
HOME = {"zh": "{name}居务公开：提交意见和诉求、查询回执、看正在公示的通知，以及会议决议、财务收支和办事指南。",
        "en": "{name}: raise a request or suggestion, look up a receipt, see what is on display now; "
              "meetings, decisions, accounts and services."}
DATA = {"zh": "{name}的开放数据：CSV 和 JSON 下载，可自由转载和再利用。",
        "en": "Open data of {name}: CSV and JSON downloads, free to reuse."}
OPEN = {"zh": "{name}待说明事项（{n}项）：支出缺少规定的审批、审批未通报、合同未经批准、事项逾期等，如实公开。",
        "en": "{n} open questions of {name}: spending without the approval its rule requires, approvals not read out, "
              "contracts not authorized, overdue steps; published as they are."}
#: The site's own blocks of the home page, placed among the kinds' (``Kind.home``) by
#: the same numbers: the receipt lookup between "raise a request" (forms, 10) and "on
#: display" (notices, 30); the open questions after the accounts (60).
HOME_BLOCKS = (HomeBlock(20, "home_receipt_task.md.j2", task=True), HomeBlock(70, "home_open_questions.md.j2"))
SEARCH = {"zh": "搜索本站的通知、会议、规约、财务和办事指南。",
          "en": "Search the notices, meetings, rules, accounts and services of this site."}


def build_pages(project: Project, index: Index, problems: list[Any] | None = None) -> tuple[list[Page], dict[str, Any]]:
    """Every page of the site, and the context common to all of them; ``problems``
    (the check's findings): governance gaps are flagged where they belong and listed
    on the open-questions page."""
    today = Today.get()
    ctx = PageContext(project, index, today, problems=list(problems or []))
    open_questions = gaps(project, index, ctx.problems, gap_folders())
    ctx.memo["gaps-by-record"] = by_record(open_questions)
    ctx.site_dates = [d for k in registry.KINDS if k.dates is not None for d in k.dates(ctx)]
    community = project.community
    common: dict[str, Any] = {"community": community, "today": today, "index": index,
                              "flags": ctx.memo["gaps-by-record"]}
    for kind in registry.KINDS:  # the names a kind lets every template use (bodies, funds …)
        if kind.shared is not None:
            common.update(kind.shared(ctx))
    pages = [Page("index.md", "home.md.j2", community.name, home(ctx, open_questions),
                  {**latest(ctx.site_dates), "description": list_summary(ctx, HOME, 0)})]
    for kind in registry.KINDS:
        if kind.pages is not None:
            pages.extend(kind.pages(ctx))
    pages.append(Page("data/index.md", "data.md.j2", DATA_TITLE,
                      {"datasets": exports.datasets(project, index)},
                      {**latest(ctx.site_dates), "description": list_summary(ctx, DATA, 0)}))
    pages.append(Page("open-questions/index.md", "open_questions.md.j2", {"zh": "待说明事项", "en": "Open questions"},
                      {"gaps": open_questions, "groups": _groups(open_questions)},
                      {**latest(ctx.site_dates), "description": list_summary(ctx, OPEN, len(open_questions))}))
    pages.append(Page("receipt/index.md", "receipt.md.j2", {"zh": "回执查询", "en": "Receipt lookup"}, {}))
    pages.append(Page("search/index.md", "search.md.j2", {"zh": "搜索", "en": "Search"}, {}, {"description": SEARCH}))
    return pages, common


def home(ctx: PageContext, open_questions: list[Gap]) -> dict[str, Any]:
    """The home page: the kinds' blocks and the site's, in order, with the names
    each block computes (merged: a task may count what a block lists)."""
    blocks = sorted((*HOME_BLOCKS, *(b for k in registry.KINDS for b in k.home)), key=lambda b: b.order)
    context: dict[str, Any] = {"open_questions": open_questions, "gap_groups": gap_groups()}
    for block in blocks:
        if block.context is not None:
            context.update(block.context(ctx))
    context["tasks"] = [b.template for b in blocks if b.task]
    context["blocks"] = [b.template for b in blocks if not b.task]
    return context


def gap_groups() -> list[str]:
    """The targets whose gaps are grouped on their own (``Target.gaps``), in order."""
    grouped = sorted((t for k in registry.KINDS for t in k.targets if t.gaps is not None), key=lambda t: t.gaps or 0)
    return [t.name for t in grouped]


def gap_folders() -> dict[str, str]:
    """data folder -> kind, for the kinds of one file per record whose gaps are grouped."""
    return {k.folder: k.name for k in registry.KINDS if k.folder
            for t in k.targets if t.name == k.name and t.gaps is not None}


def _groups(found: list[Gap]) -> list[tuple[str, list[Gap]]]:
    """The gaps by kind of record, in the declared order; the rest last, as "other"."""
    order = (*gap_groups(), "")
    return [(kind, [g for g in found if g.kind == kind]) for kind in order if any(g.kind == kind for g in found)]


def navigation(lang: str) -> list[tuple[str, str]]:
    """(page, title) of the navigation: home, every kind's sections in their
    order, then the open data."""
    sections = sorted((s for k in registry.KINDS for s in k.sections), key=lambda s: s.order)
    return [("index.md", pick(HOME_TITLE, lang)), *((s.path, pick(s.title, lang)) for s in sections),
            ("data/index.md", pick(DATA_TITLE, lang))]


def template_dirs() -> list[Any]:
    """Where the kinds keep their page templates."""
    return [k.templates for k in registry.KINDS if k.templates.is_dir()]
