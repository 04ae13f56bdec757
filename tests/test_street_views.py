"""The street views (generator/street/views.py) from real checked projects: three copies of
the demo with variations, the figures hand-computed from what each test writes."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import email.utils
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import yaml
from frictionless import Package
from icalendar import Calendar

from generator import registry
from generator.kinds.base import Kind, Page, PageContext, StreetFacts, StreetFigure, StreetMetric
from generator.kinds.common import Today
from generator.pipeline import Checked, load_and_check
from generator.site.render import Renderer
from generator.street.collect import facts_of
from generator.street.model import CommunityEntry, Member, Street
from generator.street.views import TEMPLATES, street_pages, write_street_files

DEMO = Path(__file__).resolve().parent.parent
TODAY = dt.date(2026, 11, 22)
SITE_URL = "https://street.example.org/"

#: community B's 2025 lines: recorded income 1000; spending 500 recorded + one line planned 300 with no actual;
#: no public-revenue line at all (its public revenue is "not recorded", never 0)
B_2025 = """id,year,period,fund,direction,category,item,planned,actual,source,decision,note,approval,contract,date,payee
2025-B-001,2025,2025,community-fund,income,财政拨款,社区工作经费,1000,1000,街道,,,,,,
2025-B-002,2025,2025,community-fund,expenditure,办公经费,办公用品,600,500,社区工作经费,,,,,,
2025-B-003,2025,2025,community-fund,expenditure,活动经费,邻里节,300,,社区工作经费,,,,,,
"""


def _copy(tmp: Path, name: str, cid: str, households: int | None) -> Path:
    root = tmp / name
    for part in ("data", "content"):
        shutil.copytree(DEMO / part, root / part)
    shutil.copy(DEMO / "mkdocs.yml", root / "mkdocs.yml")
    community = root / "data" / "community.yaml"
    text = community.read_text(encoding="utf-8").replace("id: hehuali", f"id: {cid}", 1)
    text = text.replace("households: 1284\n", f"households: {households}\n" if households else "")
    community.write_text(text, encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def checked(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Checked]:
    """The three copies, checked (the street build keeps only their ``Facts``)."""
    saved, Today.value = Today.value, TODAY
    try:
        tmp = tmp_path_factory.mktemp("street")
        a = _copy(tmp, "a", "hehuali", 1284)
        b = _copy(tmp, "b", "second", 500)
        (b / "data/budgets/2025.csv").write_text(B_2025, encoding="utf-8")
        totals = b / "data/budgets/totals.csv"
        totals.write_text("".join(line for line in totals.read_text(encoding="utf-8").splitlines(keepends=True)
                                  if not line.startswith("2025,")), encoding="utf-8")
        c = _copy(tmp, "c", "nohouse", None)
        log = c / "data/requests/2026.yaml"
        doc = yaml.safe_load(log.read_text(encoding="utf-8"))
        doc["requests"] = doc["requests"][:2]  # two requests: listed, never ranked
        log.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
        return {cid: load_and_check(root, jobs=1) for cid, root in (("hehuali", a), ("second", b), ("nohouse", c))}
    finally:
        Today.value = saved


def _members(checked: dict[str, Checked], kinds: tuple[Kind, ...] | None = None) -> list[Member]:
    out = [Member(CommunityEntry(id=cid), c.project.root, "built", facts=facts_of(c, TODAY, kinds))
           for cid, c in checked.items()]
    out.append(Member(CommunityEntry(id="gone"), Path("gone"), "missing", name={"zh": "失联社区", "en": "Gone"}))
    return out


@pytest.fixture(scope="module")
def members(checked: dict[str, Checked]) -> list[Member]:
    return _members(checked)


STREET = Street(id="qingyun", name={"zh": "青云街道", "en": "Qingyun Subdistrict"},
                communities=[CommunityEntry(id=i) for i in ("hehuali", "second", "nohouse", "gone")])


def _render(pages: list[Page], lang: str = "zh") -> dict[str, str]:
    r = Renderer(lang, "zh", kinds=[TEMPLATES])
    # the Markdown pages (the street's front page is HTML of its own: generator.street.site)
    return {p.path: r.render(p, {}) for p in pages if p.template.endswith(".md.j2")}


def test_money_side_by_side_per_household_and_not_recorded(members: list[Member]) -> None:
    pages = _render(street_pages(STREET, members, TODAY))
    money = pages["compare/money.md"]
    # columns: community | spending | per hh | income | per hh | public revenue | per hh
    # the copies share the demo's name: rows are told apart by their link
    rows = [line for line in money.split("## 2025 年\n", 1)[1].split("\n## ", 1)[0].splitlines() if "](../../second/)" in line]
    cells = [c.strip() for c in rows[0].strip("|").split("|")]
    assert cells[1].startswith("500 ") and "1 项未填实际数（预算 300 元）" in cells[1]
    assert cells[2] == "1"  # 500 / 500 households
    assert cells[3] == "1,000" and cells[4] == "2"
    assert "未填" in cells[5] and "未填" in cells[6] and "0" not in cells[5] + cells[6]
    nohouse = [line for line in money.split("## 2025 年\n", 1)[1].split("\n## ", 1)[0].splitlines()
               if "](../../nohouse/)" in line][0]
    # spending, income, public revenue, and the small-projects round: its budget and what its count selected
    assert nohouse.count("无法计算（未公布户数）") == 5
    assert "失联社区" in money and "未能发布" in money


def test_requests_minimum_sample_rule(members: list[Member]) -> None:
    page = _render(street_pages(STREET, members, TODAY))["compare/requests.md"]
    assert "少于 10 件" in page
    section = page.split("## 2026 年\n", 1)[1]
    lines = [line for line in section.splitlines() if line.startswith("| [")]
    # the two full copies are ranked (equal figures share rank 1), the one with 2 requests is listed last, unranked
    assert "](../../nohouse/)" in lines[-1]
    cells = [c.strip() for c in lines[-1].strip("|").split("|")]
    assert cells[1] == "2" and "样本不足" in cells[2] and cells[3] == "不排名" and cells[6] == "不排名"
    for line in lines[:2]:
        cells = [c.strip() for c in line.strip("|").split("|")]
        assert cells[1] == "16" and cells[3] == "1"
    en = _render(street_pages(STREET, members, TODAY), "en")["compare/requests.md"]
    assert "fewer than 10 requests" in en and "not ranked" in en


def test_stale_member_is_marked_and_not_ranked(members: list[Member]) -> None:
    stale = dataclasses.replace(members[1], status="stale", updated=dt.datetime(2026, 9, 1, 8, 0))
    page = _render(street_pages(STREET, [members[0], stale], TODAY))["compare/requests.md"]
    line = next(line for line in page.splitlines() if "](../../second/)" in line)
    assert "数据自 2026年9月1日 起未更新" in line and line.rstrip("| ").endswith("不排名")


def test_open_questions_calendar_notices(members: list[Member]) -> None:
    pages = _render(street_pages(STREET, members, TODAY))
    oq = pages["open-questions/index.md"]
    assert "](../hehuali/open-questions/)" in oq
    notices = pages["notices/index.md"]
    dates = [line.split("|")[1].strip() for line in notices.splitlines() if line.startswith("| 20")]
    parsed = [dt.date(*map(int, d.replace("年", "-").replace("月", "-").rstrip("日").split("-"))) for d in dates]
    assert parsed == sorted(parsed, reverse=True) and len(parsed) >= 3
    cal = pages["calendar/index.md"]
    assert "](../hehuali/meetings/" in cal
    en = _render(street_pages(STREET, members, TODAY), "en")
    assert "](../../hehuali/en/meetings/" in en["calendar/index.md"]


def test_downloads_validate_and_feeds_parse(members: list[Member], tmp_path: Path) -> None:
    write_street_files(STREET, members, tmp_path, ["zh", "en"], SITE_URL)
    report = Package(str(tmp_path / "data/datapackage.json")).validate()
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    with (tmp_path / "data/street-figures.csv").open(encoding="utf-8") as f:
        rows = {(r["community"], r["year"], r["metric"], r["group"]): r for r in csv.DictReader(f)}
    spent = rows[("second", "2025", "budget.spending", "")]
    assert spent["value"] == "500" and spent["per_household"] == "1" and spent["pending"] == "1"
    assert spent["pending_planned"] == "300"
    assert ("second", "2025", "budget.public-revenue", "") not in rows  # not recorded: no row, no 0
    small = rows[("nohouse", "2026", "requests.median-days", "")]
    assert small["small_sample"] == "true" and small["rank"] == ""
    assert rows[("hehuali", "2026", "requests.median-days", "")]["rank"] == "1"
    rss = ET.parse(tmp_path / "en/feeds/notices.xml").getroot()
    items = rss.findall("channel/item")
    links = [i.findtext("link") or "" for i in items]
    assert links and all(link.startswith(SITE_URL) and "/en/notices/" in link for link in links)
    dates = [email.utils.parsedate_to_datetime(i.findtext("pubDate") or "") for i in items]
    assert dates == sorted(dates, reverse=True)
    cal = Calendar.from_ical((tmp_path / "feeds/calendar.ics").read_bytes())
    events = cal.walk("VEVENT")
    uids = {str(e["uid"]) for e in events}
    assert any(u.endswith("@hehuali") for u in uids) and any(u.endswith("@second") for u in uids)
    assert not any(u.endswith("@gone") for u in uids)


def test_hooks_are_what_the_views_show(checked: dict[str, Checked]) -> None:
    silent = tuple(dataclasses.replace(k, street=None) for k in registry.KINDS)
    pages = street_pages(STREET, _members(checked, silent), TODAY)
    assert not [p for p in pages if p.path.startswith("compare/") and p.path != "compare/index.md"]
    assert not [p for p in pages if p.path == "notices/index.md"][0].context["notices"]

    metric = StreetMetric("test.trees", "trees", {"zh": "植树", "en": "Trees planted"}, {"zh": "棵", "en": "trees"},
                          per_household=True)

    def trees(ctx: PageContext) -> StreetFacts:  # one figure per community: its households' worth of trees in 2025
        hh = ctx.project.community.households
        return StreetFacts((metric,), [StreetFigure("test.trees", 2025, float(hh) if hh else None)])

    kind = Kind("tree", object, {"zh": "树", "en": "tree"}, Path("."), street=trees)
    rendered = _render(street_pages(STREET, _members(checked, (kind,)), TODAY))
    assert {p for p in rendered if p.startswith("compare/")} == {"compare/index.md", "compare/trees.md"}
    page = rendered["compare/trees.md"]
    line = next(line for line in page.splitlines() if "](../../second/)" in line)
    assert [c.strip() for c in line.strip("|").split("|")][1:3] == ["500", "1"]
