"""What real records leave out is shown as such, and what they hold is shown at all:
a blank actual amount is "not recorded" (never 0), a budget line's source and note
appear, a notice without a display period does not stay "on display" forever, a
draft rule needs no effective date, a rule shows its owning body and version note,
a meeting shows its own documents and an option its description. Built from the
minimal sample project, changed the way a committee's records really are."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from generator.kinds.common import Today
from tests.conftest import PROJECTS


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from generator.build import build

    root = tmp_path_factory.mktemp("gaps") / "minimal"
    shutil.copytree(PROJECTS / "minimal", root)
    data = root / "data"
    # an expense not paid yet (blank actual) beside a paid one in the same category
    _edit(data / "budgets/2024.csv", "2024-001,2024,2024,community-fund,expenditure,办公经费,办公用品,2000,1800,街道拨款,,",
          "2024-001,2024,2024,community-fund,expenditure,办公经费,办公用品,2000,1800,街道拨款,,发票已公示\n"
          "2024-005,2024,2024,community-fund,expenditure,办公经费,打印机,1500,,某某办公设备店,,待验收")
    _edit(data / "budgets/totals.csv", "2024,community-fund,expenditure,2000,1800,", "2024,community-fund,expenditure,3500,1800,")
    # an announcement (no display period) published long ago
    (data / "notices/2024-002.yaml").write_text(
        "id: 2024-002\ntitle: 垃圾分类时间调整\ncategory: announcement\nissuer: jwh\npublished: 2024-05-01\n"
        "body: 自6月起，厨余垃圾投放时间改为早7点到9点。\n", encoding="utf-8")
    # the rule: a version note, and a draft amendment without an effective date
    rule = data / "rules/covenant.yaml"
    _edit(rule, "    adopted_by: {meeting: 2024-03-10-jwh, decision: D2024-01}\n",
          "    adopted_by: {meeting: 2024-03-10-jwh, decision: D2024-01}\n    note: 首次制定，经居民会议讨论。\n")
    rule.write_text(rule.read_text(encoding="utf-8") + (
        "  - version: 2026-draft\n    note: 草案：增加电动自行车停放条款，征求意见中。\n    articles:\n"
        "      - number: 1\n        text: 爱护公共环境。\n      - number: 2\n        text: 邻里互助。\n"
        "      - number: 3\n        text: 电动自行车不进楼道。\n"), encoding="utf-8")
    # a meeting's own documents, and an option's description
    meeting = data / "meetings/2024-03-10-jwh.yaml"
    text = meeting.read_text(encoding="utf-8")
    meeting.write_text(text + "documents:\n  - {title: 会议签到表（扫描件）, url: /docs/sign-in.pdf}\n", encoding="utf-8")
    _edit(meeting, "      - id: o1\n        title: 全部更换\n",
          "      - id: o1\n        title: 全部更换\n        description: 由物业公司施工，**保修两年**。\n")
    saved, Today.value = Today.value, __import__("datetime").date(2026, 11, 22)
    os.environ.setdefault("PORTAL_SECRET", "test-secret-for-gaps")
    try:
        build(root, root.parent / "site", jobs=1)
    finally:
        Today.value = saved
    return root.parent / "site"


def _soup(site: Path, rel: str) -> BeautifulSoup:
    return BeautifulSoup((site / rel).read_text(encoding="utf-8"), "html.parser")


def _text(el) -> str:
    return re.sub(r"\s+", " ", el.get_text(" ", strip=True))


def _section(heading) -> str:
    """The text under a heading, up to the next heading of its level."""
    out = []
    for el in heading.find_next_siblings():
        if el.name == heading.name:
            break
        out.append(_text(el))
    return " ".join(out)


def test_a_blank_actual_is_not_recorded_never_zero(site):
    page = _soup(site, "budgets/2024/index.html")
    row = next(tr for tr in page.select("tr") if "2024-005" in _text(tr))
    cells = [_text(td) for td in row.select("td")]
    assert "未填" in cells and "0" not in cells
    assert "来源: 某某办公设备店 · 待验收" in cells[1]  # source and note are shown under the item
    office = next(tr for tr in page.select("tr") if _text(tr).startswith("办公经费"))
    assert "1,800 (1 项未填)" in _text(office)  # the sum says what it leaves out
    multiline = next(tr for tr in page.select("tr") if "2024-004" in _text(tr))
    assert "备注含逗号, 以及 换行" in _text(multiline)  # a line break in a CSV cell stays in its cell
    assert multiline.find("br") is not None and not any(_text(tr).startswith("换行") for tr in page.select("tr"))
    first = next(tr for tr in page.select("tr") if "2024-001" in _text(tr))
    assert "发票已公示" in _text(first) and "街道拨款" in _text(first)


def test_a_notice_without_display_period_is_not_on_display(site):
    home = _soup(site, "index.html")
    assert "垃圾分类时间调整" not in _section(home.select_one("#on-display"))
    latest = next(h for h in home.select("h2") if _text(h).startswith("最新通知"))
    assert "垃圾分类时间调整" in _section(latest)
    assert "公示中" not in _text(_soup(site, "notices/2024-002/index.html").select_one("article"))


def test_a_draft_version_needs_no_date_and_the_rule_shows_body_and_note(site):
    page = _soup(site, "rules/covenant/index.html")
    facts = _text(page.select_one("dl.facts"))
    assert "制定主体 居委会" in facts
    assert "修订说明 首次制定，经居民会议讨论。" in facts  # the version in force, and its note
    assert "2024 · 生效日期" in facts
    versions = _text(next(t for t in page.select("table") if "2026-draft" in _text(t)))
    assert "2026-draft 尚未生效（草案）" in versions
    assert "草案：增加电动自行车停放条款" in _text(page.select_one("article"))
    index = _text(_soup(site, "rules/index.html").select_one("article"))
    assert "2026-draft 尚未生效（草案）" in index


def test_a_meeting_shows_its_documents_and_option_descriptions(site):
    page = _soup(site, "meetings/2024-03-10-jwh/index.html")
    link = page.select_one("#documents").find_next("ul").select_one("a")
    assert _text(link) == "会议签到表（扫描件）" and link["href"].endswith("/docs/sign-in.pdf")
    described = page.select_one("dl.option-descriptions")
    assert "保修两年" in _text(described) and described.select_one("strong")


def test_an_earlier_version_without_a_date_is_an_error(minimal):
    rule = minimal.root / "data/rules/covenant.yaml"
    _edit(rule, "    effective: 2024-04-01\n", "")
    rule.write_text(rule.read_text(encoding="utf-8") + (
        "  - version: '2025'\n    effective: 2025-01-01\n    articles:\n      - number: 1\n        text: 新条文。\n"),
        encoding="utf-8")
    problem = minimal.only("rule.effective-missing")
    assert (problem.file, problem.line) == ("data/rules/covenant.yaml", 7)
