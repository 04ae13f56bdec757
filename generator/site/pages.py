"""Which pages the site has, and what each shows: model → list of ``Page``.

Pure functions over the checked project; no file I/O. Derived facts the pages
need (a notice's display state, what changed between rule versions, budget
sums, spending per decision) are computed here, once, for both languages.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from generator.forms_spec import compile_forms
from generator.index import Index
from generator.kinds.budgets import BudgetLine
from generator.kinds.common import Today, pick
from generator.kinds.rules import Rule, RuleVersion
from generator.load import Project
from generator.site import exports
from generator.site.render import Page
from generator.site.requests_stats import category_label, request_stats


@dataclass
class ArticleChange:
    number: int
    kind: str  #: added | removed | changed
    before: Any = None
    after: Any = None


def rule_changes(old: RuleVersion, new: RuleVersion) -> list[ArticleChange]:
    """What changed between two versions, article by article.

    Articles are matched by title when every article has one (an amendment that
    removes article 15 renumbers the rest, so numbers would pair the wrong
    articles), otherwise by number. A matched pair whose text or number differs
    is "changed"; an unmatched old article "removed", an unmatched new one "added".
    """
    def key(article: Any) -> Any:
        return pick(article.title, "zh") if titled else article.number

    titled = all(a.title for a in old.articles + new.articles)
    before = {key(a): a for a in old.articles}
    after = {key(a): a for a in new.articles}
    changes = []
    for k in dict.fromkeys([*after, *before]):
        a, b = before.get(k), after.get(k)
        if a is None:
            changes.append(ArticleChange(b.number, "added", after=b))
        elif b is None:
            changes.append(ArticleChange(a.number, "removed", before=a))
        elif (a.text, a.title, a.number) != (b.text, b.title, b.number):
            changes.append(ArticleChange(b.number, "changed", a, b))
    return sorted(changes, key=lambda c: (c.number, c.kind != "removed"))


def current_version(rule: Rule, today: dt.date) -> RuleVersion:
    in_force = [v for v in rule.versions if v.effective <= today]
    return in_force[-1] if in_force else rule.versions[-1]


def display_state(published: dt.date, until: dt.date | None, today: dt.date) -> str:
    if published > today:
        return "upcoming"
    if until is None or until >= today:
        return "active"
    return "ended"


@dataclass
class YearSummary:
    year: int
    funds: list[dict[str, Any]]  #: per fund: name, directions → {planned, actual, categories, lines}


def budget_years(project: Project) -> list[YearSummary]:
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
            bucket["planned"] += line.planned or 0
            bucket["actual"] += line.actual or 0
            cat = bucket["categories"].setdefault(line.category, {"planned": 0.0, "actual": 0.0})
            cat["planned"] += line.planned or 0
            cat["actual"] += line.actual or 0
            bucket["lines"].append(line)
        out.append(YearSummary(year, sorted(funds.values(), key=lambda f: f["id"])))
    return out


def _bucket() -> dict[str, Any]:
    return {"planned": 0.0, "actual": 0.0, "categories": {}, "lines": []}


def spending_by_decision(project: Project) -> dict[str, list[BudgetLine]]:
    out: dict[str, list[BudgetLine]] = defaultdict(list)
    for line in project.budgets.lines:
        if line.decision:
            out[line.decision].append(line)
    return out


def build_pages(project: Project, index: Index) -> tuple[list[Page], dict[str, Any]]:
    """Every page of the site, and the context common to all of them."""
    today = Today.get()
    community = project.community
    meetings = sorted((d.model for d in index.meetings.values()), key=lambda m: (m.date, m.id), reverse=True)
    notices = sorted((d.model for d in index.notices.values()), key=lambda n: (n.published, n.id), reverse=True)
    rules = sorted((d.model for d in index.rules.values()), key=lambda r: r.id)
    services = sorted((d.model for d in index.services.values()), key=lambda s: (s.category, s.id))
    forms = sorted((d.model for d in index.forms.values()), key=lambda f: f.id)
    decisions = sorted(index.decisions.values(), key=lambda r: (r.meeting.date, r.decision.id), reverse=True)
    years = budget_years(project)
    spending = spending_by_decision(project)
    categories = {c.id: c.name for c in community.service_categories}
    states = {n.id: display_state(n.published, n.display_until, today) for n in notices}

    def latest(dates: list[dt.date]) -> dict[str, str]:
        return {"updated": max(dates).isoformat()} if dates else {}

    meeting_dates = [m.date for m in meetings if m.date <= today]
    notice_dates = [n.published for n in notices]
    rule_dates = [v.effective for r in rules for v in r.versions]
    service_dates = [s.updated for s in services if s.updated]
    everything = meeting_dates + notice_dates + rule_dates + service_dates

    common: dict[str, Any] = {
        "community": community, "today": today, "index": index, "states": states,
        "categories": categories, "bodies": index.bodies, "funds": project.budgets.funds,
    }
    pages = [
        Page("index.md", "home.md.j2", community.name, {
            "current": [n for n in notices if states[n.id] == "active"][:8],
            "upcoming": sorted((m for m in meetings if m.status == "planned" and m.date >= today),
                               key=lambda m: m.date)[:5],
            "latest": decisions[:5],
            "year": years[0] if years else None,
            "forms": forms,
            "stats": request_stats(project, index),
        }, latest(everything)),
        Page("notices/index.md", "notices_index.md.j2", {"zh": "通知公示", "en": "Notices"},
             {"notices": notices}, latest(notice_dates)),
        Page("rules/index.md", "rules_index.md.j2", {"zh": "规约制度", "en": "Rules"}, {"rules": rules},
             latest(rule_dates)),
        Page("meetings/index.md", "meetings_index.md.j2", {"zh": "会议", "en": "Meetings"},
             {"meetings": meetings}, latest(meeting_dates)),
        Page("decisions/index.md", "decisions_index.md.j2", {"zh": "决议", "en": "Decisions"},
             {"decisions": decisions, "spending": spending}, latest(meeting_dates)),
        Page("services/index.md", "services_index.md.j2", {"zh": "办事服务", "en": "Services"},
             {"services": services}, latest(service_dates)),
        Page("budgets/index.md", "budgets_index.md.j2", {"zh": "财务公开", "en": "Budgets and accounts"},
             {"years": years}, latest(everything)),
        Page("organisation/index.md", "organisation.md.j2", {"zh": "组织机构", "en": "Organisation"}, {},
             latest(everything)),
        Page("data/index.md", "data.md.j2", {"zh": "开放数据", "en": "Open data"},
             {"datasets": exports.datasets(project, index)}, latest(everything)),
    ]
    for n in notices:
        pages.append(Page(f"notices/{n.id}.md", "notice.md.j2", n.title, {"n": n, "state": states[n.id]},
                          {"updated": n.published.isoformat(), "print": True, "description": n.body}))
    for r in rules:
        versions = list(r.versions)
        diffs = [(versions[i - 1], versions[i], rule_changes(versions[i - 1], versions[i]))
                 for i in range(1, len(versions))]
        pages.append(Page(f"rules/{r.id}.md", "rule.md.j2", r.title,
                          {"r": r, "current": current_version(r, today), "diffs": diffs},
                          {"updated": max(v.effective for v in versions).isoformat(), "print": True,
                           "description": _rule_summary(r, current_version(r, today))}))
    for m in meetings:
        pages.append(Page(f"meetings/{m.id}.md", "meeting.md.j2", m.title,
                          {"m": m, "body": index.bodies.get(m.body), "spending": spending},
                          {"updated": m.date.isoformat(), "print": True, "description": _meeting_summary(m)}))
    stats = request_stats(project, index)
    common["category_label"] = lambda form_id, value: category_label(index, form_id, value)
    pages.append(Page("requests/index.md", "requests.md.j2", {"zh": "诉求办理公开", "en": "Requests and replies"},
                      {"stats": stats}, latest([r.first_reply or r.received for r in stats.requests])))
    pages.append(Page("receipt/index.md", "receipt.md.j2", {"zh": "回执查询", "en": "Receipt lookup"}, {}))
    pages.append(Page("search/index.md", "search.md.j2", {"zh": "搜索", "en": "Search"}, {},
                      {"description": {"zh": "搜索本站的通知、会议、规约、财务和办事指南。",
                                       "en": "Search the notices, meetings, rules, accounts and services of this site."}}))
    specs = compile_forms(forms)["forms"]
    pages.append(Page("forms/index.md", "forms_index.md.j2", {"zh": "意见与诉求", "en": "Have your say"},
                      {"forms": forms}))
    for f in forms:
        pages.append(Page(f"forms/{f.id}.md", "form.md.j2", f.title, {"f": f, "spec": specs[f.id]}))
    for s in services:
        pages.append(Page(f"services/{s.id}.md", "service.md.j2", s.name, {"s": s},
                          {"description": s.summary, **({"updated": s.updated.isoformat()} if s.updated else {})}))
    for y in years:
        pages.append(Page(f"budgets/{y.year}.md", "budget_year.md.j2", {"zh": f"{y.year} 年财务公开",
                                                                        "en": f"Budget {y.year}"},
                          {"y": y, "decisions": index.decisions},
                          {"print": True, "description": _budget_summary(y), **latest(everything)}))
    counts = {"notices/index.md": len(notices), "rules/index.md": len(rules), "meetings/index.md": len(meetings),
              "decisions/index.md": len(decisions), "services/index.md": len(services), "forms/index.md": len(forms)}
    for page in pages:
        if "description" not in page.meta and page.path in _LIST_SUMMARY:
            page.meta["description"] = {
                lang: text.format(name=pick(community.name, lang), n=counts.get(page.path, 0))
                for lang, text in _LIST_SUMMARY[page.path].items()}
    return pages, common


# -- meta descriptions (search engines and link previews show them) ---------------------
# Each is a {zh, en} text built from the data; the renderer flattens and shortens it.

_LIST_SUMMARY = {
    "index.md": {"zh": "{name}居务公开：提交意见和诉求、查询回执、看正在公示的通知，以及会议决议、财务收支和办事指南。",
                 "en": "{name}: raise a request or suggestion, look up a receipt, see what is on display now; "
                       "meetings, decisions, accounts and services."},
    "notices/index.md": {"zh": "{name}的全部通知和公示（{n}条），含公示期和状态。",
                         "en": "All {n} notices of {name}, with display periods and status."},
    "rules/index.md": {"zh": "{name}的居民公约和管理规约（{n}项），每项都有版本历史和逐条修订对照。",
                       "en": "The {n} rules of {name}, each with its version history and article-by-article changes."},
    "meetings/index.md": {"zh": "{name}的会议（{n}次）：议程、提出方、备选方案、表决和会议纪要。",
                          "en": "The {n} meetings of {name}: agenda, who raised each item, options, votes and minutes."},
    "decisions/index.md": {"zh": "{name}的全部决议（{n}项）：表决结果和相关支出。",
                           "en": "All {n} decisions of {name}, with votes and related spending."},
    "services/index.md": {"zh": "{name}便民服务和办事指南（{n}项）：办理地点、时间、费用、条件和所需材料。",
                          "en": "The {n} services of {name}: where, when, cost, who can use them, documents needed."},
    "budgets/index.md": {"zh": "{name}财务公开：各年度预算和实际收支，按资金来源和类别列出，含公共收益。",
                         "en": "Budgets and accounts of {name}: planned and actual, by fund and category, "
                               "public revenue included."},
    "organisation/index.md": {"zh": "{name}的组织机构、网格和联系方式。",
                              "en": "Who is who in {name}: bodies, grids and contacts."},
    "data/index.md": {"zh": "{name}的开放数据：CSV 和 JSON 下载，可自由转载和再利用。",
                      "en": "Open data of {name}: CSV and JSON downloads, free to reuse."},
    "requests/index.md": {"zh": "{name}居民意见和诉求的办理情况：类别、日期、状态和答复。",
                          "en": "Requests raised by residents of {name} and how they were handled: "
                                "category, dates, status and reply."},
    "forms/index.md": {"zh": "向{name}提交意见、建议和诉求，得到回执号，可随时查询办理进度。",
                       "en": "Send {name} a suggestion or request; you get a receipt number to follow it up."},
}


def _meeting_summary(m: Any) -> dict[str, str]:
    titles = {lang: sep.join(pick(i.title, lang) for i in m.agenda) for lang, sep in (("zh", "；"), ("en", "; "))}
    return {"zh": f"{m.date.year}年{m.date.month}月{m.date.day}日 {pick(m.place, 'zh')}。议程：{titles['zh']}",
            "en": f"{m.date.isoformat()}, {pick(m.place, 'en')}. Agenda: {titles['en']}"}


def _rule_summary(r: Rule, v: RuleVersion) -> dict[str, str]:
    first = v.articles[0].text if v.articles else ""
    return {"zh": f"{pick(r.title, 'zh')}（{v.version}版，{v.effective.isoformat()}起施行）。{pick(first, 'zh')}",
            "en": f"{pick(r.title, 'en')} (version {v.version}, in force from {v.effective.isoformat()}). "
                  f"{pick(first, 'en')}"}


def _budget_summary(y: YearSummary) -> dict[str, str]:
    def total(direction: str, key: str) -> str:
        return f"{sum(f[direction][key] for f in y.funds):,.0f}"

    return {"zh": f"{y.year}年财务公开：收入预算{total('income', 'planned')}元，实际{total('income', 'actual')}元；"
                  f"支出预算{total('expenditure', 'planned')}元，实际{total('expenditure', 'actual')}元。按资金来源和类别列出每一笔。",
            "en": f"Budget and accounts {y.year}: income planned CNY {total('income', 'planned')}, actual "
                  f"{total('income', 'actual')}; spending planned CNY {total('expenditure', 'planned')}, actual "
                  f"{total('expenditure', 'actual')}. Every line by fund and category."}
