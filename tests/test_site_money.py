"""Approvals, contracts, matters and open questions on the built site (issue #13),
on tests/projects/estate built with 'today' = 2026-11-22: a matter page assembled
from records of four kinds, and each governance gap flagged where it belongs, on
the open-questions page (待说明事项) and counted on the home page."""

from __future__ import annotations

import shutil

import pytest
from site_fixtures import TODAY, BuiltSite, _build, text_of

from tests.conftest import PROJECTS


@pytest.fixture(scope="module")
def estate_site(tmp_path_factory: pytest.TempPathFactory):
    base = tmp_path_factory.mktemp("site-estate")
    shutil.copytree(PROJECTS / "estate", base / "estate")
    site, server = _build("estate", base / "estate", base / "site", TODAY)
    yield site
    server.close()


def article(site: BuiltSite, rel: str) -> str:
    return text_of(site.soup(rel).select_one("article"))


def internal_targets(site: BuiltSite, rel: str) -> set[str]:
    found = set()
    for link in site.links(rel):
        assert link.target is not None or not link.internal, link
        if link.target is not None:
            found.add(link.target.relative_to(site.out).parent.as_posix() + ("#" + link.fragment if link.fragment else ""))
    return found


def test_matter_page_is_assembled_from_four_kinds(estate_site):
    rel = "matters/M2025-wall/index.html"
    targets = internal_targets(estate_site, rel)
    assert {"meetings/2025-04-05-consultation", "meetings/2025-04-05-consultation#d2025-01",
            "approvals/A2025-03", "budgets/2025#2025-gy-103"} <= targets
    text = article(estate_site, rel)
    for words in ("3幢居民联名（16户）", "18,000 元", "17,650 元", "已完成", "施工和验收"):
        assert words in text, words
    events = [li.get("class")[0] for li in estate_site.soup(rel).select("ol.timeline > li")]
    assert events[0] == "timeline-origin" and events[-1] == "timeline-closed"
    assert {"timeline-meeting", "timeline-decision", "timeline-approval", "timeline-spending"} <= set(events)


def test_english_matter_page(estate_site):
    text = article(estate_site, "en/matters/M2025-wall/index.html")
    assert "Timeline" in text and "Done" in text and "Spending" in text


def test_contract_page_shows_payments_against_value_and_term(estate_site):
    text = article(estate_site, "contracts/C2024-01/index.html")
    assert "13,500 / 36,000 元 (38%)" in text
    assert "1,500 元 每月" in text and "期满" in text
    assert estate_site.soup("contracts/C2024-01/index.html").select_one("meter")["value"] == "13500.0"


def test_gap_is_flagged_on_its_line_and_page(estate_site):
    budget = estate_site.soup("budgets/2025/index.html")
    flagged = [a for a in budget.select("a") if "⚑" in a.get_text()]
    assert len(flagged) == 1
    row = flagged[0].find_parent("tr")
    assert "2025-GY-108" in text_of(row)
    assert flagged[0]["href"].startswith("../../open-questions/#gap-budget-line-2025-gy-108")
    approval = estate_site.soup("approvals/A2025-05/index.html")
    box = approval.select_one("#open-questions")
    assert box is not None and "还没有在联席会议上通报" in text_of(box)
    assert estate_site.soup("approvals/A2025-01/index.html").select_one("#open-questions") is None


def test_open_questions_page_lists_every_gap(estate_site):
    rel = "open-questions/index.html"
    text = article(estate_site, rel)
    assert "下水道夜间应急疏通 · 2025-GY-108" in text and "须经以下程序之一批准：委员会和顾问会签" in text
    assert "儿童游乐设施维修" in text and "2025-10-11 起就应通报" in text
    assert {"budgets/2025#2025-gy-108", "approvals/A2025-05"} <= internal_targets(estate_site, rel)
    ids = {el["id"] for el in estate_site.soup(rel).find_all(id=True)}
    assert "gap-budget-line-2025-gy-108-11" in ids
    en = article(estate_site, "en/open-questions/index.html")
    assert "has not been read out at a joint meeting" in en


def test_home_page_counts_open_questions(estate_site):
    text = article(estate_site, "index.html")
    assert "待说明事项: 2" in text
    assert "open-questions" in internal_targets(estate_site, "index.html")


def test_downloads_carry_approvals_contracts_and_matters(estate_site):
    import csv
    import json

    data = estate_site.out / "data"
    approvals = {r["id"]: r for r in csv.DictReader((data / "approvals.csv").read_text(encoding="utf-8").splitlines())}
    assert (approvals["A2025-03"]["amount"], approvals["A2025-03"]["spent"]) == ("18000", "17650")
    assert approvals["A2025-03"]["route"] == "owners-consultation committee-advisers"
    contracts = {r["id"]: r for r in csv.DictReader((data / "contracts.csv").read_text(encoding="utf-8").splitlines())}
    assert (contracts["C2024-01"]["total"], contracts["C2024-01"]["paid"]) == ("36000", "13500")
    lines = {r["id"]: r for r in csv.DictReader((data / "budget-lines.csv").read_text(encoding="utf-8").splitlines())}
    assert (lines["2025-GY-104"]["contract"], lines["2025-GY-103"]["approval"]) == ("C2024-01", "A2025-03")
    matters = json.loads((data / "matters.json").read_text(encoding="utf-8"))
    wall = next(m for m in (matters["records"] if isinstance(matters, dict) else matters) if m["id"] == "M2025-wall")
    assert wall["approvals"] == ["A2025-03"]


def test_consultation_options_show_description_time_to_effect_and_running_cost(estate_site):
    text = article(estate_site, "meetings/2026-10-24-consultation/index.html")
    assert "白天空出的车位给访客和临时停车" in text
    assert "见效时间: 道闸改造后约3个月" in text and "持续费用 800 每月" in text
    assert "协商状态: 征询中，尚未作出决定" in text


def test_budget_lines_show_source_payee_and_note(estate_site):
    """Issue #13 point 7: a line's source and note were never shown."""
    budget = estate_site.soup("budgets/2025/index.html")
    row = next(tr for tr in budget.select("tr") if "2025-GY-108" in text_of(tr))
    text = text_of(row)
    assert "来源: 公共收益" in text and "收款单位: 青石管道疏通服务部" in text and "事后未补办审批" in text
    assert len(row.find_all("td")) == 6  # the note stays in its cell


# -- lines pages: a year's lines of one fund and direction, carried into search -------------

def _lines_pages(site: BuiltSite, year: int, en: bool = False) -> list[str]:
    prefix = f"{'en/' if en else ''}budgets/{year}/"
    return [rel for rel in site.html_files() if rel.startswith(prefix) and rel.count("/") == (4 if en else 3)]


def _amount(cell: str) -> float | None:
    text = cell.replace(",", "").strip()
    return float(text) if text and text[0].isdigit() else None


def _line_rows(soup) -> dict[str, tuple[float | None, float | None]]:
    """Line id → (planned, actual) of a page's lines tables (actual None: not recorded)."""
    out = {}
    for table in soup.select(".budget-lines table"):
        for tr in table.select("tbody tr"):
            cells = [text_of(td) for td in tr.find_all("td")]
            out[cells[0]] = (_amount(cells[3]), _amount(cells[4]))
    return out


@pytest.mark.parametrize("en", [False, True])
def test_lines_pages_hold_every_line_of_the_year_once_and_their_sums_are_the_years(estate_site, en):
    root = "en/" if en else ""
    year = estate_site.soup(f"{root}budgets/2025/index.html")
    year_lines = _line_rows(year)
    pages = _lines_pages(estate_site, 2025, en)
    assert len(year_lines) >= 10 and pages, pages
    seen: dict[str, tuple[float | None, float | None]] = {}
    for rel in pages:
        rows = _line_rows(estate_site.soup(rel))
        assert rows and not set(rows) & set(seen), rel  # each line on exactly one lines page
        seen.update(rows)
        # the page's whole-section total row (bold) equals its section's total row on the year page
        anchor = next(link.fragment for link in estate_site.links(rel) if link.target is not None
                      and link.target.relative_to(estate_site.out).as_posix() == f"{root}budgets/2025/index.html")
        total_row = estate_site.soup(rel).select(".stack-table table")[0].select("tbody tr")[-1]
        heading = year.find(id=anchor)
        assert heading is not None, anchor
        year_total = heading.find_next("table").select("tbody tr")[-1]
        assert [text_of(td) for td in total_row.find_all("td")][1:] == \
            [text_of(td) for td in year_total.find_all("td")][1:], rel
    assert seen == year_lines
    # planned: the lines pages' sums per section equal the year page's totals to the fen
    assert round(sum(p or 0 for p, _ in seen.values()), 2) == round(sum(p or 0 for p, _ in year_lines.values()), 2)


def test_year_page_links_each_lines_page_and_keeps_its_lines_out_of_the_index(estate_site):
    rel = "budgets/2025/index.html"
    targets = internal_targets(estate_site, rel)
    pages = {p.rsplit("/", 1)[0] for p in _lines_pages(estate_site, 2025)}
    assert pages and pages <= targets, (pages, targets)
    soup = estate_site.soup(rel)
    for table in soup.select(".budget-lines"):
        # not indexed here: the lines pages carry them into the index
        assert "search-skip" in table.parent["class"]
    assert "同样的明细也单独成页" in article(estate_site, rel) or "同样的明细也分" in article(estate_site, rel)
    for page in _lines_pages(estate_site, 2025):
        lines_soup = estate_site.soup(page)
        assert lines_soup.select(".budget-lines") and not lines_soup.select(".search-skip")
        assert "明细" in text_of(lines_soup.select_one("article h1"))
        # the links inside the lines (decisions, approvals, contracts, open questions) resolve from one level deeper
        for link in estate_site.links(page):
            assert link.target is not None or not link.internal, (page, link)


def test_line_flags_and_notes_are_on_the_lines_page_too(estate_site):
    page = next(p for p in _lines_pages(estate_site, 2025) if "2025-GY-108" in estate_site.text(p))
    row = next(tr for tr in estate_site.soup(page).select("tr") if "2025-GY-108" in text_of(tr))
    text = text_of(row)
    assert "来源: 公共收益" in text and "收款单位: 青石管道疏通服务部" in text and "事后未补办审批" in text
    assert "open-questions" in str(row)


def test_long_section_is_split_into_parts_whose_sums_add_up():
    from generator.kinds.budget.model import BudgetLine
    from generator.kinds.budget.pages import PART_LINES, YearSummary, lines_pages

    lines = [BudgetLine("x.csv", i, f"L{i:04d}", 2025, "repairs", "expenditure", 100.5 + i,
                        None if i % 7 == 0 else 99.25 + i, "", ["甲", "乙", "丙"][i % 3], f"项目{i}")
             for i in range(2 * PART_LINES + 17)]
    bucket = {"planned": sum(x.planned or 0 for x in lines), "actual": sum(x.actual or 0 for x in lines),
              "actual_blank": sum(x.actual is None for x in lines), "lines_n": len(lines),
              "categories": {"乙": {}, "甲": {}, "丙": {}}, "lines": lines}
    fund = {"id": "repairs", "name": "维修", "income": {"lines": []}, "expenditure": bucket}
    parts = lines_pages(YearSummary(2025, [fund]))[("repairs", "expenditure")]
    assert [len(p.lines) for p in parts] == [PART_LINES, PART_LINES, 17]
    assert [p.path for p in parts] == ["budgets/2025/repairs-expenditure.md", "budgets/2025/repairs-expenditure-2.md",
                                       "budgets/2025/repairs-expenditure-3.md"]
    assert sorted(x.id for p in parts for x in p.lines) == sorted(x.id for x in lines)
    assert round(sum(p.sums["planned"] for p in parts), 2) == round(bucket["planned"], 2)
    assert round(sum(p.sums["actual"] for p in parts), 2) == round(bucket["actual"], 2)
    assert sum(p.sums["actual_blank"] for p in parts) == bucket["actual_blank"]
    # categories in the year page's order, each category's lines together
    cats = [x.category for p in parts for x in p.lines]
    assert cats == sorted(cats, key=["乙", "甲", "丙"].index)
