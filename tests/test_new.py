"""``portal new KIND``: a prefilled file whose blanks ``portal check`` reports at
their lines until they are filled, and which then checks clean."""

from __future__ import annotations

import csv
import datetime as dt
import re
from pathlib import Path

import pytest
import yaml

from tests.scaffold_helpers import check_json, init, portal

#: Printed blank: "  data/notices/2026-11-25-notice.yaml:5: title（标题…）" (CSV: with a column).
_BLANK = re.compile(r"^  (?P<file>\S+?):(?P<line>\d+)(?::(?P<col>\d+))?: (?P<field>\w+)", re.M)
FILL = {"title": "测试标题", "body": "测试正文。", "place": "社区活动室", "text": "爱护公共环境。",
        "name": "老年助餐", "summary": "为老年居民提供午餐。", "provider": "社区食堂",
        "eligibility": "本社区60岁以上居民", "purpose": "收集居民意见。", "privacy": "联系方式只发送给居委会。",
        "category": "办公经费", "item": "办公用品", "amount": "4600", "counterparty": "某某电梯工程有限公司",
        "subject": "电梯维保。"}


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return init(tmp_path, "--no-git", "--name", "荷叶社区")


def blanks(stdout: str) -> list[dict[str, str]]:
    return [m.groupdict() for m in _BLANK.finditer(stdout)]


def fill(project: Path, found: list[dict[str, str]]) -> None:
    """Fill each blank the way a committee would: type the value after the key."""
    for b in found:
        path = project / b["file"]
        if path.suffix == ".csv":
            rows = list(csv.reader(path.read_text(encoding="utf-8").splitlines()))
            rows[int(b["line"]) - 1][int(b["col"]) - 1] = FILL[b["field"]]
            path.write_text("\n".join(",".join(r) for r in rows) + "\n", encoding="utf-8")
            continue
        lines = path.read_text(encoding="utf-8").splitlines()
        i = int(b["line"]) - 1
        lines[i], n = re.subn(rf"^(\s*(?:-\s+)?{b['field']}:)\s*#", rf"\1 {FILL[b['field']]}  #", lines[i])
        assert n == 1, lines[i]
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")


@pytest.mark.parametrize("kind, count, code", [
    ("notice", 2, "schema.blank"), ("meeting", 3, "schema.blank"), ("rule", 2, "schema.blank"),
    ("service", 5, "schema.blank"), ("form", 3, "schema.blank"), ("budget-year", 2, "table.required"),
    ("approval", 3, "schema.blank"), ("contract", 3, "schema.blank"), ("matter", 1, "schema.blank"),
])
def test_blanks_are_reported_at_their_lines_then_check_clean(project, kind, count, code):
    done = portal("new", kind, cwd=project)
    assert done.returncode == 0, done.stderr
    assert f"还要填写 {count} 个必填项，填好后运行 portal check：" in done.stdout
    found = blanks(done.stdout)
    assert len(found) == count
    report = check_json(project)
    errors = [p for p in report["problems"] if p["severity"] == "error"]
    assert report["warnings"] == 0, report["problems"]
    # exactly the printed blanks, each at its own line (and column, for CSV), with that code
    assert sorted((p["file"], p["line"], p["code"]) for p in errors) == \
        sorted((b["file"], int(b["line"]), code) for b in found)
    if kind == "budget-year":
        assert sorted(p["col"] for p in errors) == sorted(int(b["col"]) for b in found)

    fill(project, found)
    after = check_json(project)
    # A new contract says who authorized it only once that is known: until then the gap is published.
    honest = [("contract.unauthorized", "warning")] if kind == "contract" else []
    assert after["ok"] and [(p["code"], p["severity"]) for p in after["problems"]] == honest, after["problems"]


def test_new_notice_carries_today_and_the_committee(project):
    today = dt.date.today().isoformat()
    done = portal("new", "notice", "--slug", "winter-safety", cwd=project)
    rel = f"data/notices/{today}-winter-safety.yaml"
    assert f"已写入 {rel}" in done.stdout
    data = yaml.safe_load((project / rel).read_text(encoding="utf-8"))
    assert data["id"] == f"{today}-winter-safety" and str(data["published"]) == today
    assert data["issuer"] == "jwh"  # the residents' committee from community.yaml


@pytest.mark.parametrize("kind", ["notice", "meeting", "rule", "service", "form"])
def test_every_field_line_has_a_chinese_hint(project, kind):
    done = portal("new", kind, cwd=project)
    (rel,) = re.findall(r"^已写入 (\S+)$", done.stdout, re.M)
    for line in (project / rel).read_text(encoding="utf-8").splitlines():
        if re.match(r"^\s*(?:-\s+)?\w+:", line):
            assert re.search(r"#.*[\u4e00-\u9fff]", line), line


def test_next_free_ids(project):
    today = dt.date.today()
    first = portal("new", "notice", "--slug", "x", cwd=project)
    second = portal("new", "notice", "--slug", "x", cwd=project)
    assert f"data/notices/{today}-x.yaml" in first.stdout
    assert f"data/notices/{today}-x-2.yaml" in second.stdout
    # meetings are named after who meets, like the demo's 2026-12-08-council
    meeting = portal("new", "meeting", "--type", "deliberation", "--date", "2030-12-08", cwd=project)
    path = project / "data/meetings/2030-12-08-council.yaml"
    assert path.is_file(), meeting.stdout
    assert yaml.safe_load(path.read_text())["type"] == "deliberation"
    assert yaml.safe_load(path.read_text())["status"] == "planned"
    past = portal("new", "meeting", "--date", "2020-05-01", cwd=project)
    assert past.returncode == 0
    assert yaml.safe_load((project / "data/meetings/2020-05-01-committee.yaml").read_text())["status"] == "held"
    # the init example holds D<year>-01; the hint offers the next decision id
    this_year = portal("new", "meeting", cwd=project)
    assert this_year.returncode == 0
    text = (project / f"data/meetings/{today}-committee-2.yaml").read_text(encoding="utf-8")
    assert f"下一个可用的是 D{today.year}-02" in text
    assert "下一个可用的是 D2030-01" in path.read_text(encoding="utf-8")
    assert (project / "data/rules/rule.yaml").exists() is False
    portal("new", "rule", cwd=project)
    portal("new", "rule", cwd=project)
    assert (project / "data/rules/rule.yaml").is_file() and (project / "data/rules/rule-2.yaml").is_file()


def test_budget_year_adds_the_next_year_and_keeps_the_package_comments(project):
    budgets = project / "data" / "budgets"
    year = max(int(p.stem) for p in budgets.glob("[0-9]*.csv"))
    before = (budgets / "datapackage.yaml").read_text(encoding="utf-8")
    done = portal("new", "budget-year", cwd=project)
    assert done.returncode == 0
    rows = list(csv.DictReader((budgets / f"{year + 1}.csv").read_text(encoding="utf-8").splitlines()))
    assert rows[0]["id"] == f"{year + 1}-SQ-001"  # the fund code of the previous year's lines
    assert rows[0]["fund"] == "community-fund" and rows[0]["year"] == str(year + 1)
    after = (budgets / "datapackage.yaml").read_text(encoding="utf-8")
    assert after.startswith(before.rstrip("\n"))  # appended; every comment kept
    assert f"# {year + 1} 年收支明细（portal new budget-year 添加）" in after
    package = yaml.safe_load(after)
    assert package["resources"][-1] == {"name": f"lines-{year + 1}", "path": f"{year + 1}.csv",
                                         "title": f"{year + 1} 年收支明细", "schema": "budget-lines.schema.yaml"}
    assert (budgets / "totals.csv").read_text().splitlines()[-1] == f"{year + 1},community-fund,expenditure,,,"
    again = portal("new", "budget-year", "--year", str(year + 1), cwd=project)
    assert again.returncode == 2
    assert f"data/budgets/{year + 1}.csv 已经存在" in again.stderr


def test_english_messages_and_refusals(project, tmp_path):
    done = portal("new", "form", "--slug", "signup", "--lang", "en", cwd=project)
    assert "wrote data/forms/signup.yaml" in done.stdout
    assert "Fill in 3 required blank(s), then run portal check:" in done.stdout
    bad_body = portal("new", "notice", "--body", "nobody", cwd=project)
    assert bad_body.returncode == 2 and "community.yaml 里没有编号为“nobody”的组织；现有：jwh" in bad_body.stderr
    bad_slug = portal("new", "rule", "--slug", "居民公约", "--lang", "en", cwd=project)
    assert bad_slug.returncode == 2 and "may only use letters, digits" in bad_slug.stderr
    (tmp_path / "empty").mkdir()
    nowhere = portal("new", "notice", cwd=tmp_path / "empty")
    assert nowhere.returncode == 2
    assert "不是社区网站的文件夹（没有 data/community.yaml）" in nowhere.stderr
    assert "Traceback" not in bad_body.stderr + bad_slug.stderr + nowhere.stderr


def test_title_option_fills_that_blank_safely_quoted(project):
    title = '11月27日停水通知: "全天"'
    done = portal("new", "notice", "--slug", "water-cut", "--title", title, cwd=project)
    assert "还要填写 1 个必填项" in done.stdout and ": title" not in done.stdout
    path = next((project / "data" / "notices").glob("*-water-cut.yaml"))
    assert yaml.safe_load(path.read_text(encoding="utf-8"))["title"] == title
    service = portal("new", "service", "--title", "老年助餐", cwd=project)
    assert ": name" not in service.stdout
    assert yaml.safe_load((project / "data/services/service.yaml").read_text(encoding="utf-8"))["name"] == "老年助餐"
