"""Which pages the site has, and what each shows: model → list of ``Page``.

Pure functions over the checked project; no file I/O. Each kind builds its own
pages (``Kind.pages``, in its folder); here are the pages about the whole site
(home, open data, receipt lookup, search) and the context every template shares.
"""

from __future__ import annotations

from typing import Any

from generator import registry
from generator.index import Index
from generator.kinds.base import Page, PageContext, latest, list_summary
from generator.kinds.budget.pages import years
from generator.kinds.common import Today, pick
from generator.kinds.form.pages import forms
from generator.kinds.meeting.pages import decisions, meetings
from generator.kinds.notice.pages import notices, recent, states
from generator.kinds.requests.pages import stats
from generator.kinds.requests.stats import category_label
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
SEARCH = {"zh": "搜索本站的通知、会议、规约、财务和办事指南。",
          "en": "Search the notices, meetings, rules, accounts and services of this site."}


def build_pages(project: Project, index: Index, problems: list[Any] | None = None) -> tuple[list[Page], dict[str, Any]]:
    """Every page of the site, and the context common to all of them; ``problems``
    (the check's findings): governance gaps are flagged where they belong and listed
    on the open-questions page."""
    today = Today.get()
    ctx = PageContext(project, index, today, problems=list(problems or []))
    open_questions = gaps(project, index, ctx.problems)
    ctx.memo["gaps-by-record"] = by_record(open_questions)
    ctx.site_dates = [d for k in registry.KINDS if k.dates is not None for d in k.dates(ctx)]
    community = project.community
    common: dict[str, Any] = {
        "community": community, "today": today, "index": index, "states": states(ctx),
        "categories": {c.id: c.name for c in community.service_categories}, "bodies": index.table("body"),
        "funds": project.budgets.funds,
        "category_label": lambda form_id, value: category_label(index, form_id, value),
        "flags": ctx.memo["gaps-by-record"],
    }
    state = states(ctx)
    all_years = years(ctx)
    pages = [Page("index.md", "home.md.j2", community.name, {
        "current": [n for n in notices(ctx) if state[n.id] == "active"][:8],
        "recent": recent(ctx),
        "upcoming": sorted((m for m in meetings(ctx) if m.status == "planned" and m.date >= today),
                           key=lambda m: m.date)[:5],
        "latest": decisions(ctx)[:5],
        "year": all_years[0] if all_years else None,
        "forms": forms(ctx),
        "stats": stats(ctx),
        "open_questions": open_questions,
    }, {**latest(ctx.site_dates), "description": list_summary(ctx, HOME, 0)})]
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


def _groups(found: list[Gap]) -> list[tuple[str, list[Gap]]]:
    """The gaps by kind of record, in a fixed order."""
    order = ("budget-line", "approval", "contract", "matter", "meeting", "consultation", "")
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
