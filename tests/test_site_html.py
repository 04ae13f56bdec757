"""The built public site, read as HTML (BeautifulSoup): what each page type
shows from the sample data, and site-wide rules (links resolve, nothing loaded
from other hosts, one h1, html lang, search index segmented for Chinese).

The sample is tests/projects/minimal (and, for the "what changed" section of
a rule page, the sample plus a two-version rule: see site_fixtures.py); the
generic tests also run over the demo community when ``portal check`` passes.
"""

from __future__ import annotations

import re

import pytest
from site_fixtures import HAN, PAGE_TYPES, BuiltSite, page_type, text_of  # noqa: E402

pytest_plugins = ["site_fixtures"]

NOTICE = "notices/2024-001/index.html"
MEETING = "meetings/2024-03-10-jwh/index.html"
RULE = "rules/covenant/index.html"
RULE2 = "rules/quiet-hours/index.html"
SERVICE = "services/meal/index.html"
BUDGET = "budgets/2024/index.html"


def article(site: BuiltSite, rel: str):
    art = site.soup(rel).select_one("article.md-content__inner")
    assert art is not None, f"{rel}: no article"
    return art


def facts(el) -> dict[str, object]:
    """The ``dl.facts`` of a page: term → its <dd>."""
    dl = el.select_one("dl.facts")
    assert dl is not None, "no facts list"
    return {text_of(dt): dt.find_next_sibling("dd") for dt in dl.find_all("dt")}


def heading(el, text: str, level: str = "h2"):
    """The first ``level`` heading in ``el`` whose text starts with ``text``."""
    found = next((h for h in el.find_all(level) if text_of(h).startswith(text)), None)
    assert found is not None, f"no {level} heading {text!r}"
    return found


def section(heading) -> list:
    """The elements after ``heading`` up to the next heading of the same or a higher level."""
    level = int(heading.name[1])
    out = []
    for el in heading.find_next_siblings():
        if re.fullmatch(r"h[1-6]", el.name or "") and int(el.name[1]) <= level:
            break
        out.append(el)
    return out


def rows(table) -> list[list[str]]:
    return [[text_of(c) for c in tr.find_all(["td", "th"])] for tr in table.select("tbody tr")]


def amount(text: str) -> float:
    return float(text.replace(",", ""))


def link_target(site: BuiltSite, rel: str, a) -> str | None:
    """The site file an <a> on page ``rel`` points to (relative to the site), or None."""
    link = site.resolve(rel, "a", "href", a["href"])
    return link.target.relative_to(site.out).as_posix() if link.target else None


def assert_anchor(site: BuiltSite, rel: str, a, page: str, fragment: str) -> None:
    link = site.resolve(rel, "a", "href", a["href"])
    assert link.target == site.out / page, f"{a['href']!r} on {rel} should open {page}"
    assert link.fragment == fragment, f"{a['href']!r} on {rel} should point at #{fragment}"
    assert fragment in site.ids(link.target), f"{page} has no id {fragment!r} ({a['href']!r} on {rel})"


# -- the sample site: what each page type shows ------------------------------------

def test_every_page_type_is_built(minimal_site):
    found = {page_type(rel) for rel in minimal_site.html_files()}
    assert set(PAGE_TYPES) <= found
    for kind in PAGE_TYPES:
        assert minimal_site.pages_of(kind, "en"), f"no English {kind} page"


def test_home_page(minimal_site):
    art = article(minimal_site, "index.html")
    assert text_of(art.h1) == "测试社区"
    latest = heading(art, "最新决议").find_next_sibling("ul")
    items = {text_of(a): a for a in latest.find_all("a")}
    assert set(items) == {"D2024-01", "D2024-02"}
    assert_anchor(minimal_site, "index.html", items["D2024-02"], MEETING, "d2024-02")
    assert "更换单元门禁" in text_of(latest) and "通过" in text_of(latest)
    glance = heading(art, "本年度财务概览").find_next("table")
    assert ["公共收益", "30,000 / 31,500.50", "11,000 / 10,500"] in rows(glance)
    budget_link = art.find("a", string=re.compile("财务公开"))
    assert link_target(minimal_site, "index.html", budget_link) == BUDGET


def test_notice_page(minimal_site):
    art = article(minimal_site, NOTICE)
    assert text_of(art.h1) == "门禁更换公示"
    f = facts(art)
    assert text_of(f["发布日期"]) == "2024年3月12日"
    assert text_of(f["公示期"]).startswith("2024年3月12日 至 2024年3月19日")
    state = f["公示期"].find("strong")
    assert text_of(state) == "公示已结束" and "state-ended" in state["class"]
    assert text_of(f["发布单位"]) == "居委会"
    assert "经居委会会议表决，更换 3 号楼单元门禁。" in text_of(art)
    related = heading(art, "相关信息").find_next_sibling("ul").find_all("a")
    targets = [(link_target(minimal_site, NOTICE, a), minimal_site.resolve(NOTICE, "a", "href", a["href"]).fragment)
               for a in related]
    assert targets == [(MEETING, ""), (MEETING, "d2024-02"), (BUDGET, "")]
    assert "d2024-02" in minimal_site.ids(minimal_site.out / MEETING)


def test_notices_index(minimal_site):
    art = article(minimal_site, "notices/index.html")
    assert text_of(art.h1) == "通知公示"
    row = next(tr for tr in art.select("tbody tr") if tr.find("a", string="门禁更换公示"))
    cells = [text_of(td) for td in row.find_all("td")]
    assert cells[0] == "2024-03-12" and "公示" in cells[1] and cells[-1] == "公示已结束"
    assert link_target(minimal_site, "notices/index.html", row.find("a")) == NOTICE


def test_rule_page_articles_and_versions(minimal_site):
    art = article(minimal_site, RULE)
    assert text_of(art.h1) == "居民公约"
    f = facts(art)
    assert text_of(f["状态"]) == "生效中"
    assert text_of(f["版本"]) == "2024 · 生效日期 2024年4月1日"
    assert link_target(minimal_site, RULE, f["通过会议"].find("a")) == MEETING
    for n, text in ((1, "爱护公共环境。"), (2, "邻里互助。")):
        title = art.find(id=f"article-{n}")
        assert title is not None and re.fullmatch(r"h[2-6]", title.name), f"no heading #article-{n}"
        assert text_of(title) == f"第{n}条"
        assert text_of(title.find_next("p")) == text  # inside the sanitized Markdown block
    history = heading(art, "版本历史").find_next("table")
    assert [text_of(th) for th in history.select("thead th")] == ["版本", "生效日期", "通过会议"]
    row = history.select("tbody tr")
    assert len(row) == 1
    cells = row[0].find_all("td")
    assert [text_of(c) for c in cells] == ["2024", "2024-04-01", "2024-03-10-jwh · D2024-01"]
    a = cells[2].find("a")
    assert a["href"] == "../../meetings/2024-03-10-jwh/"
    assert link_target(minimal_site, RULE, a) == MEETING


def test_rule_page_what_changed(two_version_site):
    """A rule with two versions shows the current text and, article by article,
    what the new version changed (the extra rule of site_fixtures.EXTRA_RULE)."""
    art = article(two_version_site, RULE2)
    assert text_of(facts(art)["版本"]).startswith("2025")
    texts = {n: text_of(art.find(id=f"article-{n}").find_next("p")) for n in (1, 2, 3)}
    assert texts == {1: "晚上十点后保持安静。", 2: "装修只在工作日八点至十八点进行。", 3: "违反者由物业劝导。"}
    history = heading(art, "版本历史").find_next("table")
    assert [r[:2] for r in rows(history)] == [["2025", "2025-01-01"], ["2023", "2023-01-01"]]
    changes_h = art.find(id="changes-2025")
    assert changes_h is not None and text_of(changes_h) == "修订对照: 2023 → 2025"
    changes = [el for el in section(changes_h) if "change" in (el.get("class") or [])]
    assert "调整装修时间。" in " ".join(text_of(el) for el in section(changes_h))
    by_kind = {next(c for c in el["class"] if c.startswith("change-")): el for el in changes}
    assert set(by_kind) == {"change-changed", "change-added"}, "article 1 did not change"
    changed = by_kind["change-changed"]
    assert "第2条 · 修改" in text_of(changed)
    assert text_of(changed.select_one(".before")) == "修订前 装修只在工作日进行。"
    assert text_of(changed.select_one(".after")) == "修订后 装修只在工作日八点至十八点进行。"
    added = by_kind["change-added"]
    assert "第3条 · 新增" in text_of(added) and added.select_one(".before") is None
    assert text_of(added.select_one(".after")) == "修订后 违反者由物业劝导。"


def test_rules_index(minimal_site):
    art = article(minimal_site, "rules/index.html")
    links = {text_of(a): link_target(minimal_site, "rules/index.html", a) for a in art.select("tbody a")}
    assert links == {"居民公约": RULE}
    assert ["居民公约", "生效中", "2024", "2024-04-01"] in rows(art.find("table"))


def test_meeting_page(minimal_site):
    art = article(minimal_site, MEETING)
    assert text_of(art.h1) == "三月居委会会议"
    f = facts(art)
    assert text_of(f["日期"]) == "2024年3月10日 19:00–21:00"
    assert f["日期"].find("time")["datetime"] == "2024-03-10"
    assert text_of(f["地点"]) == "社区活动室" and text_of(f["会议主体"]) == "居委会"
    assert text_of(f["出席"]) == "应到 7 · 实到 6"

    a1, a2 = art.find(id="a1"), art.find(id="a2")
    assert text_of(a1) == "1. 通过居民公约" and text_of(a2) == "2. 更换单元门禁"
    raised = text_of(next(el for el in section(a2) if "raised-by" in (el.get("class") or [])))
    assert raised == "提出方: 居民提出 · 3号楼居民联名"
    raised1 = text_of(next(el for el in section(a1) if "raised-by" in (el.get("class") or [])))
    assert raised1 == "提出方: 委员会提出 · 居委会"

    options = next(el for el in section(a2) if el.name == "h4" and "备选方案" in text_of(el)).find_next("table")
    assert [text_of(th) for th in options.select("thead th")][1] == "费用 (元)"
    (option,) = rows(options)
    assert option[0] == "全部更换 ✔ 采纳方案" and option[1] == "8,000" and option[2] == "全体业主: 使用公共收益"

    decision = art.find(id="d2024-02")
    assert decision is not None and text_of(decision) == "决议 D2024-02"
    body = section(decision)
    assert text_of(body[0]) == "采纳方案一"
    vote = next(el for el in body if "vote" in (el.get("class") or []))
    assert text_of(vote) == "表决: 赞成 4 · 反对 1 · 弃权 1 · 结果: 通过"
    spending = [a for el in body for a in el.find_all("a")]
    assert [text_of(a) for a in spending] == ["更换单元门禁"]
    assert_anchor(minimal_site, MEETING, spending[0], BUDGET, "2024-003")
    assert text_of(spending[0].parent) == "更换单元门禁 · 预算 8,000 · 实际 7,600"

    d1 = art.find(id="d2024-01")
    assert "赞成 5 · 反对 1 · 弃权 0" in text_of(next(el for el in section(d1) if "vote" in (el.get("class") or [])))

    actions = heading(art, "落实事项").find_next("table")
    assert rows(actions) == [["联系厂家更换门禁 (D2024-02)", "物业公司", "2024-05-01", "已完成 2024-04-20"]]


def test_meetings_index(minimal_site):
    art = article(minimal_site, "meetings/index.html")
    assert ["2024-03-10", "三月居委会会议", "居委会", "已召开"] in rows(art.find("table"))
    a = art.find("a", string="三月居委会会议")
    assert link_target(minimal_site, "meetings/index.html", a) == MEETING


def test_decisions_index(minimal_site):
    rel = "decisions/index.html"
    art = article(minimal_site, rel)
    table = art.find("table")
    by_id = {}
    for tr in table.select("tbody tr"):
        cells = tr.find_all("td")
        by_id[text_of(cells[0].find("a"))] = cells
    assert set(by_id) == {"D2024-01", "D2024-02"}
    for ident, cells in by_id.items():
        assert_anchor(minimal_site, rel, cells[0].find("a"), MEETING, ident.lower())
    d2 = by_id["D2024-02"]
    assert text_of(d2[0]) == "D2024-02 2024-03-10"
    assert text_of(d2[1]) == "更换单元门禁"
    assert_anchor(minimal_site, rel, d2[1].find("a"), MEETING, "a2")
    assert text_of(d2[2]) == "4 / 1 / 1" and text_of(d2[3]) == "通过"
    spend = d2[4].find("a")
    assert text_of(spend) == "7,600"
    assert_anchor(minimal_site, rel, spend, BUDGET, "2024-003")
    assert text_of(by_id["D2024-01"][2]) == "5 / 1 / 0"


def test_services_index_groups_by_category(minimal_site):
    rel = "services/index.html"
    art = article(minimal_site, rel)
    heading = art.find("h2", id="elderly")
    assert heading is not None and text_of(heading) == "养老服务"
    links = [a for a in art.find_all("a") if link_target(minimal_site, rel, a) == SERVICE]
    assert [text_of(a) for a in links] == ["老年助餐"]
    assert links[0].find_previous("h2") is heading, "the service is listed under its category"
    assert "低偿" in text_of(links[0].parent) and "社区服务中心一楼" in text_of(links[0].parent)


def test_service_page(minimal_site):
    art = article(minimal_site, SERVICE)
    assert text_of(art.h1) == "老年助餐"
    f = facts(art)
    assert text_of(f["办理时间"]) == "周一、周二、周三、周四、周五 11:00–12:30"
    tel = f["咨询电话"].find("a")
    assert tel["href"] == "tel:0571-88880001" and text_of(tel) == "0571-8888 0001"
    assert_anchor(minimal_site, SERVICE, f["类别"].find("a"), "services/index.html", "elderly")
    assert text_of(f["类别"]) == "养老服务" and text_of(f["收费"]) == "低偿"
    assert text_of(f["承办单位"]) == "社区食堂" and text_of(f["地点"]) == "社区服务中心一楼"
    text = text_of(art)
    assert "为老年居民提供午餐。" in text and "本社区 60 岁以上居民" in text and "身份证" in text
    steps = heading(art, "办理流程").find_next_sibling("ol")
    assert [text_of(li) for li in steps.find_all("li")] == ["到服务中心登记", "领取餐卡"]


def budget_sections(art) -> dict[str, dict]:
    """Per ``<fund>-<direction>`` heading: the chart, the category rows, the total row, the line rows."""
    out = {}
    for h3 in art.find_all("h3", id=re.compile(r"-(income|expenditure)$")):
        els = section(h3)
        svg = next((s for el in els for s in el.find_all("svg")), None)
        tables = [t for el in els for t in ([el] if el.name == "table" else el.find_all("table"))]
        all_rows = [r for t in tables for r in rows(t)]
        total = [r for r in all_rows if r and r[0] in ("合计", "Total")]
        lines = [r for t in tables if len(t.select("thead th")) >= 6 for r in rows(t)]
        cats = [r for t in tables if len(t.select("thead th")) == 3 for r in rows(t) if r[0] not in ("合计", "Total")]
        out[h3["id"]] = {"heading": h3, "svg": svg, "total": total, "lines": lines, "categories": cats}
    return out


def test_budget_year_page(minimal_site):
    art = article(minimal_site, BUDGET)
    assert text_of(art.h1) == "2024 年财务公开"
    sections = budget_sections(art)
    assert set(sections) == {"community-fund-expenditure", "public-revenue-income", "public-revenue-expenditure"}
    for ident, s in sections.items():
        svg = s["svg"]
        assert svg is not None and svg.get("role") == "img", f"{ident}: no svg[role=img] chart"
        assert svg.find("title") is not None and text_of(svg.find("title")), f"{ident}: chart without <title>"
        assert len(s["total"]) == 1, f"{ident}: expected one total row, got {s['total']}"
        total = s["total"][0]
        for col in (1, 2):
            assert amount(total[col]) == pytest.approx(sum(amount(r[col]) for r in s["categories"])), ident
            assert amount(total[col]) == pytest.approx(sum(amount(r[col + 2]) for r in s["lines"])), ident
        figures = {text_of(t) for t in svg.find_all("text")}
        for cat, planned, actual in s["categories"]:
            assert cat[:12] in figures and planned in figures and actual in figures, \
                f"{ident}: the chart does not show {cat} {planned}/{actual}; it shows {sorted(figures)}"
    pr = sections["public-revenue-expenditure"]
    assert text_of(pr["svg"].find("title")) == "公共收益 · 支出"
    assert pr["total"][0][1:] == ["11,000", "10,500"]
    assert pr["categories"] == [["维修养护", "8,000", "7,600"], ["绿化", "3,000", "2,900"]]
    assert sections["public-revenue-income"]["total"][0][1:] == ["30,000", "31,500.50"]
    # every line has its anchor; the decision column links to the decision
    for line in ("2024-001", "2024-002", "2024-003", "2024-004"):
        assert line in minimal_site.ids(minimal_site.out / BUDGET)
    decision = art.find("a", string="D2024-02")
    assert_anchor(minimal_site, BUDGET, decision, MEETING, "d2024-02")


def test_budgets_index(minimal_site):
    rel = "budgets/index.html"
    art = article(minimal_site, rel)
    year = art.find("a", string="2024")
    assert link_target(minimal_site, rel, year) == BUDGET
    table = year.find_next("table")
    assert rows(table) == [["社区工作经费", "0", "0", "2,000", "1,800"],
                           ["公共收益", "30,000", "31,500.50", "11,000", "10,500"]]


def test_organisation_page(minimal_site):
    art = article(minimal_site, "organisation/index.html")
    assert text_of(art.find("h2", id="jwh")) == "居委会"
    assert text_of(art.find("h2", id="ywh")) == "业委会"
    assert "居委会办公室 · 0571-8888 0000" in text_of(art)


def test_data_page_offers_downloads(minimal_site):
    rel = "data/index.html"
    art = article(minimal_site, rel)
    assert text_of(art.h1) == "开放数据"
    files = [link for link in minimal_site.links(rel) if link.target and link.target.suffix in (".csv", ".json")]
    assert files, "the open-data page links no downloadable CSV/JSON file that exists in the site"


def test_last_updated_line(built_site):
    expected = {NOTICE: "最后更新: 2024年3月12日", MEETING: "最后更新: 2024年3月10日", RULE: "最后更新: 2024年4月1日",
                "en/" + NOTICE: "Last updated: 12 Mar 2024"}
    missing = []
    for kind in ("notices/*", "meetings/*", "rules/*"):
        for lang in ("zh", "en"):
            for rel in built_site.pages_of(kind, lang):
                line = article(built_site, rel).select_one("p.page-updated")
                label = "Last updated: " if lang == "en" else "最后更新: "
                if line is None or not text_of(line).startswith(label):
                    missing.append(rel)
                elif built_site.name == "minimal" and rel in expected:
                    assert text_of(line) == expected[rel]
    assert not missing, "no “last updated” line on:\n" + "\n".join(missing)


def test_print_pages_carry_a_qr_code_of_their_address(built_site):
    bad = []
    for kind in ("notices/*", "meetings/*", "rules/*", "budgets/*"):
        for lang in ("zh", "en"):
            for rel in built_site.pages_of(kind, lang):
                qr = article(built_site, rel).select_one(".print-only.qr")
                svg = qr.find("svg") if qr else None
                if svg is None or svg.find("title") is None or built_site.page_url(rel) not in text_of(qr):
                    bad.append(rel)
    assert not bad, "no print QR block (svg with <title>, and the address) on:\n" + "\n".join(bad)


# -- English -----------------------------------------------------------------------

def test_english_pages_use_english_ui_strings(minimal_site):
    s = minimal_site
    soup = s.soup("en/" + NOTICE)
    assert soup.html["lang"] == "en"
    art = article(s, "en/" + NOTICE)
    assert text_of(art.h1) == "Door access replacement"
    f = facts(art)
    assert list(f) == ["Published", "Display period", "Issued by"]
    assert text_of(f["Display period"]) == "12 Mar 2024 to 19 Mar 2024 · Display period ended"
    assert text_of(f["Issued by"]) == "Residents' committee"
    nav = [text_of(a) for a in soup.select("nav.md-nav--primary > ul > li > a")]
    assert nav[:3] == ["Home", "Notices", "Meetings"] and "Budgets and accounts" in nav and "Open data" in nav
    assert soup.select_one("a.portal-search-link")["aria-label"] == "Search"
    assert s.soup(NOTICE).select_one("a.portal-search-link")["aria-label"] == "搜索"

    meeting = article(s, "en/" + MEETING)
    text = text_of(meeting)
    for phrase in ("Agenda", "Raised by: Residents", "Options considered", "Option chosen",
                   "Vote: For 4 · Against 1 · Abstain 1 · Outcome: Adopted", "Action items", "Done 2024-04-20"):
        assert phrase in text, phrase
    assert meeting.find(id="d2024-02") is not None

    service = facts(article(s, "en/" + SERVICE))
    assert "Opening hours" in service and "Phone" in service
    hours = text_of(service["Opening hours"])
    assert hours.startswith("Mon") and "11:00–12:30" in hours
    assert "、" not in hours, f"Chinese enumeration comma in English text: {hours!r}"

    budget = article(s, "en/" + BUDGET)
    assert text_of(budget.h1) == "Budget 2024"
    assert budget_sections(budget)["public-revenue-expenditure"]["total"][0] == ["Total", "11,000", "10,500"]


def test_language_switcher_links_both_languages(built_site):
    """The switcher links this page's counterpart in each language (a page in one
    language only: the other language's home); <head> names the counterparts as
    hreflang alternates, absolute, with valid codes and an x-default."""
    bad = []
    for rel in built_site.html_files():
        if page_type(rel) == "other":
            continue
        soup = built_site.soup(rel)
        switch = {a.get("hreflang"): a for a in soup.select("a.md-select__link")}
        if set(switch) != {"zh", "en"}:
            bad.append((rel, sorted(switch)))
            continue
        zh_rel = rel.removeprefix("en/")
        for lang, counterpart in (("zh", zh_rel), ("en", "en/" + zh_rel)):
            if link_target(built_site, rel, switch[lang]) != counterpart:
                bad.append((rel, lang, switch[lang]["href"]))
        alternates = {link["hreflang"]: link["href"] for link in soup.select("link[rel=alternate][hreflang]")}
        want = {"zh-CN": built_site.page_url(zh_rel), "en": built_site.page_url("en/" + zh_rel),
                "x-default": built_site.page_url(zh_rel)}
        if alternates != want:
            bad.append((rel, "link rel=alternate", alternates))
    assert not bad, "\n".join(map(str, bad))
    assert [text_of(a) for a in built_site.soup("index.html").select("a.md-select__link")] == ["中文", "English"]


def test_every_page_has_a_meta_description(built_site):
    """From the data: a notice's text, a service's summary, a meeting's date, place
    and agenda, a rule's version, a budget year's totals; list pages say what they list."""
    bad = {}
    for rel in built_site.html_files():
        if page_type(rel) == "other":
            continue
        meta = built_site.soup(rel).select("meta[name=description]")
        content = meta[0].get("content", "") if len(meta) == 1 else ""
        if not 10 <= len(content) <= 160 or "<" in content or "{" in content or "None" in content:
            bad[rel] = content
    assert not bad, f"pages without a good meta description: {bad}"
    if built_site.name == "minimal":
        s = built_site

        def desc(rel: str) -> str:
            return s.soup(rel).select_one("meta[name=description]")["content"]

        assert desc(NOTICE) == "经居委会会议表决，更换 3 号楼单元门禁。"
        assert desc(SERVICE) == "为老年居民提供午餐。"
        assert desc(MEETING).startswith("2024年3月10日") and "更换单元门禁" in desc(MEETING)
        assert desc(RULE).startswith("居民公约（2024版")
        assert "收入预算30,000元" in desc(BUDGET)
        assert desc("en/" + BUDGET).startswith("Budget and accounts 2024: income planned CNY 30,000")
        assert "回执" in desc("index.html") and "receipt" in desc("en/index.html")


def test_search_is_a_labelled_page_linked_from_every_header(built_site):
    """No search dialog to name: the header links the search page, whose field has a label."""
    for rel in ("index.html", "en/index.html", "search/index.html", "en/search/index.html"):
        soup = built_site.soup(rel)
        assert soup.select_one("a.portal-search-link[aria-label]"), f"{rel}: no search link"
        assert not soup.select("[role=dialog]:not([aria-label])"), f"{rel}: a dialog without a name"
    for rel in ("search/index.html", "en/search/index.html"):
        form = built_site.soup(rel).select_one("article form[role=search]")
        assert form.select_one("label[for=search-q]") and form.select_one("input#search-q[name=q]")


def test_english_pages_mark_chinese_text_as_chinese(minimal_site):
    """WCAG 3.1.2 (language of parts): on /en/ pages, text that exists only in
    Chinese (plain strings from the data, Markdown fields) sits in an element
    with lang="zh…", as ``tx`` already does for a missing translation of a
    {zh, en} text, so screen readers switch voice."""
    unmarked = {}
    for rel in ("en/" + NOTICE, "en/" + MEETING, "en/" + SERVICE):
        art = article(minimal_site, rel)
        for qr in art.select(".print-only"):
            qr.decompose()
        for node in art.find_all(string=HAN):
            owner = node.parent
            lang = next((el.get("lang") for el in [owner, *owner.parents] if el.get("lang")), "")
            if not lang.startswith("zh"):
                unmarked.setdefault(rel, []).append(str(node).strip())
    assert not unmarked, "Chinese text without lang=zh on English pages:\n" + "\n".join(
        f"{rel}: {texts}" for rel, texts in unmarked.items())


# -- every page of every site --------------------------------------------------------

def test_every_page_has_html_lang(built_site):
    bad = {}
    for rel in built_site.html_files():
        lang = built_site.soup(rel).html.get("lang", "")
        want = "en" if rel.startswith("en/") else "zh"
        if lang.split("-")[0] != want:
            bad[rel] = lang
    assert not bad, f"pages without the right <html lang>: {bad}"


def test_every_page_has_exactly_one_h1(built_site):
    counts = {rel: len(built_site.soup(rel).find_all("h1")) for rel in built_site.html_files()}
    assert not {rel: n for rel, n in counts.items() if n != 1}, \
        f"pages with other than one h1: { {rel: n for rel, n in counts.items() if n != 1} }"


def test_every_internal_link_resolves(built_site):
    """a[href] on every page, relative or absolute to the site: the file exists,
    and so does the id a fragment names."""
    broken, bad_anchor = [], []
    for rel in built_site.html_files():
        for link in built_site.links(rel):
            if not link.internal:
                continue
            if link.target is None:
                broken.append(f"{rel}: {link.href}")
            elif link.fragment and link.target.suffix == ".html" and link.fragment not in built_site.ids(link.target):
                bad_anchor.append(f"{rel}: {link.href}")
    assert not broken, "links to files that do not exist:\n" + "\n".join(broken)
    assert not bad_anchor, "links to ids that do not exist:\n" + "\n".join(bad_anchor)


RESOURCES = (("script", "src"), ("link", "href"), ("img", "src"), ("img", "srcset"), ("source", "src"),
             ("source", "srcset"), ("iframe", "src"), ("video", "src"), ("audio", "src"), ("embed", "src"),
             ("object", "data"), ("use", "href"), ("image", "href"))


def test_nothing_is_loaded_from_another_host(built_site):
    """Scripts, stylesheets, images, frames: only from the site itself (mainland
    visitors cannot reach CDNs and font services)."""
    foreign = sorted({f"{link.tag}[{link.attr}]={link.href}" for rel in built_site.html_files()
                      for link in built_site.links(rel, RESOURCES) if not link.internal})
    assert not foreign, "loaded from other hosts:\n" + "\n".join(foreign)
    css = {p.relative_to(built_site.out).as_posix(): re.findall(r"(?:url\(|@import\s)\s*['\"]?(https?:)?//([^/'\")]+)",
                                                                 p.read_text(encoding="utf-8"))
           for p in built_site.out.rglob("*.css")}
    assert not {k: v for k, v in css.items() if v}, f"stylesheets importing from other hosts: {css}"


def test_every_resource_reference_resolves(built_site):
    """Stylesheets, scripts, icons, feeds announced in <head>: the files exist."""
    missing = sorted({f"{link.tag}[{link.attr}]={link.href}" for rel in built_site.html_files()
                      for link in built_site.links(rel, RESOURCES) if link.internal and link.target is None})
    assert not missing, "missing files:\n" + "\n".join(missing)


def test_no_page_loads_search_data_but_the_search_page(built_site):
    """Pagefind is referenced by the search page only; no mkdocs search index is built."""
    assert not (built_site.out / "search/search_index.json").exists()
    for lang_root in ("", "en/"):
        assert (built_site.out / lang_root / "pagefind/pagefind.js").is_file(), f"{lang_root}: no Pagefind bundle"
    loaders = sorted(rel for rel in built_site.html_files()
                     if "pagefind" in built_site.text(rel) or "search.js" in built_site.text(rel))
    assert loaders == ["en/search/index.html", "search/index.html"]

