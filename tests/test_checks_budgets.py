"""`portal check` on the budget data package: reading the tables, frictionless'
verdict located to line and column, totals to the fen, the year of each line,
decision references and the community's finance threshold (¥5,000 on public revenue).

Lines and columns are 1-based and refer to tests/projects/minimal after the edit.
"""

from __future__ import annotations

import pytest

from generator.messages import render
from generator.pipeline import check
from tests.problem_asserts import assert_words, messages, single, sub

PACKAGE = "data/budgets/datapackage.yaml"
LINE_SCHEMA = "data/budgets/budget-lines.schema.yaml"
CSV_2024 = "data/budgets/2024.csv"
TOTALS = "data/budgets/totals.csv"
FUNDS = "data/budgets/funds.csv"
MEETING = "data/meetings/2024-03-10-jwh.yaml"

ROW_2 = "2024-001,2024,2024,community-fund,expenditure,办公经费,办公用品,2000,1800,街道拨款,,"
ROW_4 = "2024-003,2024,2024,public-revenue,expenditure,维修养护,更换单元门禁,8000,7600,公共收益,D2024-02,"
ROW_5 = "2024-004,2024,2024-Q2,public-revenue,expenditure,绿化,补种绿植,3000,2900,公共收益,,"
TOTAL_COMMUNITY = "2024,community-fund,expenditure,2000,1800"
TOTAL_INCOME = "2024,public-revenue,income,30000,31500.50"
TOTAL_SPENDING = "2024,public-revenue,expenditure,11000,10500"










def write(file: str, content):
    def mutate(project):
        project.write(file, content(project) if callable(content) else content)
    return mutate


def check_case(project, mutate, code, file, line, col, severity, words):
    mutate(project)
    p = single(project.check(), code, file)
    assert (p.file, p.line, p.col, p.severity) == (file, line, col, severity)
    assert_words(p, words)


CASE = "mutate, code, file, line, col, severity, words"


# --- reading the files -------------------------------------------------------------

FILE_CASES = [
    pytest.param(lambda p: p.path(CSV_2024).unlink(), "file.missing", CSV_2024, None, None, "error",
                 [CSV_2024], id="year-file-deleted"),
    pytest.param(lambda p: p.path(PACKAGE).unlink(), "file.missing", PACKAGE, None, None, "error",
                 [PACKAGE], id="package-deleted"),
    pytest.param(write(CSV_2024, lambda p: p.read(CSV_2024).encode("gbk")), "file.encoding", CSV_2024, 2, None,
                 "error", ["GBK", "UTF-8"], id="gbk-from-excel"),
    pytest.param(write(CSV_2024, lambda p: p.read(CSV_2024).encode("utf-16")), "file.encoding", CSV_2024, None,
                 None, "error", ["UTF-16"], id="utf16-unicode-text"),
    pytest.param(write(CSV_2024, b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00[Content_Types].xml"),
                 "file.binary", CSV_2024, None, None, "error", [("Excel", "Excel"), "CSV UTF-8"], id="xlsx-renamed"),
    pytest.param(write(TOTALS, ""), "file.empty", TOTALS, None, None, "error", [("空的", "empty")],
                 id="empty-totals"),
    pytest.param(sub(PACKAGE, "resources:\n", "resources:\n\t"), "yaml.syntax", PACKAGE, 15, 1, "error",
                 [("Tab", "tab")], id="tab-in-package"),
    pytest.param(sub(PACKAGE, "resources:", "resource:"), "schema.required", PACKAGE, 1, 1, "error",
                 ["resources"], id="resources-typo"),
]


@pytest.mark.parametrize(CASE, FILE_CASES)
def test_table_file_cannot_be_read(minimal, mutate, code, file, line, col, severity, words):
    check_case(minimal, mutate, code, file, line, col, severity, words)


def test_excel_utf8_csv_with_bom_and_crlf_passes(minimal):
    """Excel's "CSV UTF-8" starts with a byte-order mark and ends lines with CRLF."""
    text = minimal.read(CSV_2024)
    minimal.write(CSV_2024, ("\ufeff" + text.replace("\n", "\r\n")).encode("utf-8"))
    assert minimal.check().problems == []


def test_misspelt_schema_file_is_missing(minimal):
    minimal.replace(PACKAGE, "schema: budget-lines.schema.yaml", "schema: budget-lines.schema.yml")
    p = single(minimal.check(), "file.missing")
    assert (p.file, p.line, p.col, p.severity) == ("data/budgets/budget-lines.schema.yml", None, None, "error")
    assert_words(p, ["budget-lines.schema.yml"])


# --- the package ------------------------------------------------------------------

def test_inline_schema_lacks_a_required_field(minimal):
    minimal.replace(PACKAGE, "        - {name: name, title: 名称, type: string, constraints: {required: true}}\n", "")
    p = single(minimal.check(), "budget.schema-missing-field")
    assert (p.file, p.line, p.col, p.severity) == (PACKAGE, 15, 5, "error")
    assert_words(p, ["“funds”", "“name”"])


def test_shared_schema_file_lacks_a_required_field(minimal):
    """The field is missing from budget-lines.schema.yaml: that is the file to fix."""
    minimal.replace(LINE_SCHEMA, "  - name: decision\n", "  - name: decision_id\n")
    p = single(minimal.check(), "budget.schema-missing-field")
    assert (p.file, p.severity) == (LINE_SCHEMA, "error")
    assert_words(p, ["“lines-2024”", "“decision”"])


def test_unknown_field_type_in_package(minimal):
    minimal.replace(PACKAGE, "{name: planned_total, title: 预算合计（元）, type: number,",
                    "{name: planned_total, title: 预算合计（元）, type: numbr,")
    p = single(minimal.check(), "table.invalid")
    assert (p.file, p.line, p.col, p.severity) == (PACKAGE, None, None, "error")
    assert_words(p, ["numbr"])


# --- frictionless' verdict, located ----------------------------------------------

TABLE_CASES = [
    pytest.param(sub(CSV_2024, ROW_2, ROW_2.replace("2024,2024,", "二〇二四,2024,")), "table.type", CSV_2024, 2, 2,
                 ["年度（year）", "“二〇二四”", ("整数", "whole number")], id="year-in-chinese"),
    pytest.param(sub(CSV_2024, "补种绿植,3000", '补种绿植,"3,000"'), "table.type", CSV_2024, 5, 8,
                 ["“3,000”", ("只填数字，如 3000", "digits only, e.g. 3000")], id="thousands-separator"),
    pytest.param(sub(CSV_2024, "补种绿植,3000", "补种绿植,3000元"), "table.type", CSV_2024, 5, 8,
                 ["“3000元”", ("如 3000", "e.g. 3000")], id="amount-with-unit"),
    pytest.param(sub(CSV_2024, "绿化,补种绿植", "绿化,"), "table.required", CSV_2024, 5, 7,
                 ["项目（item）"], id="empty-item"),
    pytest.param(sub(CSV_2024, "public-revenue,expenditure,绿化", "public-revenue,支出,绿化"), "table.enum", CSV_2024,
                 5, 5, ["收支（direction）", "“支出”", "income, expenditure"], id="direction-in-chinese"),
    pytest.param(sub(CSV_2024, "2024-004,2024,2024-Q2", "2024-004,2024,2024年二季度"), "table.pattern", CSV_2024, 5, 3,
                 ["期间（period）", "“2024年二季度”", "2025-Q3"], id="period-in-chinese"),
    pytest.param(sub(CSV_2024, "2024-004,", "2024 004,"), "table.pattern", CSV_2024, 5, 1,
                 ["编号（id）", "“2024 004”"], id="id-with-space"),
    pytest.param(sub(CSV_2024, "补种绿植,3000,2900", "补种绿植,3000,-100"), "table.range", CSV_2024, 5, 9,
                 ["实际金额（元）（actual）", "“-100”", ("退款", "refunds")], id="refund-as-negative"),
    pytest.param(sub(CSV_2024, "2024-002,2024", "2024-001,2024"), "table.duplicate-id", CSV_2024, 3, 1,
                 [("编号重复", "duplicate id")], id="duplicate-line-id"),
    pytest.param(sub(CSV_2024, "2024-Q2,public-revenue", "2024-Q2,public_revenue"), "table.foreign-key", CSV_2024,
                 5, 4, ["fund", "funds.csv", "“public_revenue”"], id="fund-typo"),
    pytest.param(sub(CSV_2024, ROW_2, ROW_2[:-1]), "table.missing-cell", CSV_2024, 2, 12,
                 ["备注（note）"], id="one-comma-short"),
    pytest.param(sub(CSV_2024, ROW_2, ROW_2 + "纸张, 笔"), "table.extra-cell", CSV_2024, 2, 13,
                 ["“ 笔”", ("双引号", "double quotes")], id="unquoted-comma-in-note"),
    pytest.param(sub(CSV_2024, "planned,actual", "plan,actual"), "table.header", CSV_2024, 1, 8,
                 ["plan", "item,planned,actual"], id="header-typo"),
    pytest.param(sub(CSV_2024, "\n2024-002,", "\n\n2024-002,"), "table.blank-row", CSV_2024, 3, None,
                 [("空行", "blank row")], id="empty-line"),
    pytest.param(sub(CSV_2024, "\n2024-002,", "\n,,,,,,,,,,,\n2024-002,"), "table.blank-row", CSV_2024, 3, None,
                 [("空行", "blank row")], id="row-of-commas"),
    pytest.param(write(CSV_2024, lambda p: p.read(CSV_2024) + "2024-005,2024,2024,public-revenue,expenditure,绿化,修剪,"
                                                              "abc,,公共收益,,\n"),
                 "table.type", CSV_2024, 7, 8, ["“abc”"], id="line-after-multiline-note"),
    pytest.param(sub(TOTALS, TOTAL_INCOME, TOTAL_INCOME.replace("31500.50", '"31,500.50"')), "table.type", TOTALS, 3, 5,
                 ["“31,500.50”", ("只填数字，如 31500.50", "digits only, e.g. 31500.50")], id="totals-thousands"),
]


@pytest.mark.parametrize("mutate, code, file, line, col, words", TABLE_CASES)
def test_table_cell_mistake(minimal, mutate, code, file, line, col, words):
    check_case(minimal, mutate, code, file, line, col, "error", words)


def test_duplicate_line_id_names_the_id(minimal):
    minimal.replace(CSV_2024, "2024-002,2024", "2024-001,2024")
    zh, en = messages(minimal.only("table.duplicate-id"))
    assert "2024-001" in zh and "2024-001" in en
    assert "the same as" not in zh  # frictionless' English note is not a Chinese message


def test_foreign_key_names_the_unknown_fund(minimal):
    minimal.replace(CSV_2024, "2024-Q2,public-revenue", "2024-Q2,public_revenue")
    zh, en = messages(minimal.only("table.foreign-key"))
    assert "“public_revenue”" in zh and "“public_revenue”" in en
    assert "（空）" not in zh and "（空）" not in en


@pytest.mark.parametrize("mutate, code", [
    pytest.param(sub(CSV_2024, "补种绿植,3000", '补种绿植,"3,000"'), "table.type", id="amount-not-a-number"),
    pytest.param(sub(CSV_2024, ROW_2, ROW_2.replace("2024,2024,", "二〇二四,2024,")), "table.type",
                 id="year-not-a-number"),
    pytest.param(sub(CSV_2024, "public-revenue,expenditure,绿化", "public-revenue,支出,绿化"), "table.enum",
                 id="direction-not-allowed"),
    pytest.param(sub(CSV_2024, "2024-Q2,public-revenue", "2024-Q2,public_revenue"), "table.foreign-key",
                 id="fund-unknown"),
    pytest.param(sub(CSV_2024, "planned,actual", "plan,actual"), "table.header", id="amount-column-misnamed"),
    pytest.param(sub(CSV_2024, "\n2024-002,", "\n\n2024-002,"), "table.blank-row", id="blank-row"),
    pytest.param(write(CSV_2024, lambda p: p.read(CSV_2024).encode("gbk")), "file.encoding", id="gbk"),
])
def test_one_mistake_in_a_table_is_one_problem(minimal, mutate, code):
    """A cell frictionless already reports must not also break totals, ids or references
    that depend on it: "lines add up to 0.00" or "budget year 2024 does not exist" would
    send the committee member after mistakes they did not make."""
    mutate(minimal)
    assert [p.code for p in minimal.check().problems] == [code]


# --- totals ------------------------------------------------------------------------

def test_declared_total_does_not_add_up(minimal):
    minimal.replace(TOTALS, TOTAL_COMMUNITY, "2024,community-fund,expenditure,2000,1880")
    p = minimal.only("budget.total-mismatch")
    assert (p.file, p.line, p.col, p.severity) == (TOTALS, 2, 5, "error")
    assert_words(p, ["1,880.00", "1,800.00", "80.00", "2024", "社区工作经费",
                     ("实际合计", "actual total"), ("支出", "expenditure")])


def test_planned_total_points_at_its_column(minimal):
    minimal.replace(TOTALS, TOTAL_SPENDING, "2024,public-revenue,expenditure,10000,10500")
    p = minimal.only("budget.total-mismatch")
    assert (p.file, p.line, p.col) == (TOTALS, 4, 4)
    assert_words(p, ["10,000.00", "11,000.00", "-1,000.00", ("预算合计", "planned total")])


def test_one_fen_off_is_reported(minimal):
    minimal.replace(TOTALS, TOTAL_INCOME, "2024,public-revenue,income,30000,31500.51")
    p = minimal.only("budget.total-mismatch")
    assert (p.file, p.line, p.col) == (TOTALS, 3, 5)
    assert_words(p, ["31,500.51", "31,500.50", "0.01", ("收入", "income")])


@pytest.mark.parametrize("written", ["31500.5", "31500.50", "31500.500", "3.15005e4"])
def test_total_equal_to_the_fen_passes(minimal, written):
    minimal.replace(TOTALS, TOTAL_INCOME, f"2024,public-revenue,income,30000,{written}")
    assert minimal.check().problems == []


def test_many_small_amounts_add_up_without_float_drift(minimal):
    """0.1 + 0.2 is 0.30000000000000004 in floating point; in fen it is 30."""
    rows = "".join(f"2024-1{i:02d},2024,2024,community-fund,expenditure,活动经费,茶水,0.1,0.1,街道拨款,,\n"
                   for i in range(30))
    minimal.write(CSV_2024, minimal.read(CSV_2024) + rows)
    minimal.replace(TOTALS, TOTAL_COMMUNITY, "2024,community-fund,expenditure,2003,1803")
    assert minimal.check().problems == []


def test_group_without_declared_total(minimal):
    minimal.replace(TOTALS, TOTAL_COMMUNITY + ",2024年社区经费公示\n", "")
    p = minimal.only("budget.total-missing")
    assert (p.file, p.line, p.col, p.severity) == (TOTALS, None, None, "warning")
    assert_words(p, ["2024", "社区工作经费", ("支出", "expenditure"), "totals.csv"])


def test_total_declared_for_a_group_without_lines(minimal):
    minimal.write(TOTALS, minimal.read(TOTALS) + "2024,community-fund,income,5000,5000,2024年社区经费公示\n")
    p = minimal.only("budget.total-no-lines")
    assert (p.file, p.line, p.col, p.severity) == (TOTALS, 5, None, "error")
    assert_words(p, ["2024", "社区工作经费", ("收入", "income")])


def test_line_in_the_wrong_years_file(minimal):
    minimal.replace(CSV_2024, ROW_2, ROW_2.replace("2024,2024,", "2023,2024,"))
    p = minimal.only("budget.year-mismatch")
    assert (p.file, p.line, p.col, p.severity) == (CSV_2024, 2, 2, "error")
    assert_words(p, ["2023", "2024.csv", "2023.csv"])


# --- decisions and the finance threshold --------------------------------------------

def set_planned(project, amount: str) -> None:
    """Line 5 (public revenue, no decision) planned at ``amount``; its total follows."""
    project.replace(CSV_2024, ROW_5, ROW_5.replace(",3000,2900,", f",{amount},2900,"))
    project.replace(TOTALS, TOTAL_SPENDING, f"2024,public-revenue,expenditure,{8000 + float(amount):.2f},10500")


@pytest.mark.parametrize("amount", ["4999.99", "5000", "5000.00"])
def test_spending_up_to_the_threshold_needs_no_decision(minimal, amount):
    set_planned(minimal, amount)
    assert minimal.check().problems == []


@pytest.mark.parametrize("amount, shown", [("5000.01", "5,000.01"), ("8000", "8,000.00"), ("120000", "120,000.00")])
def test_spending_above_the_threshold_needs_a_decision(minimal, amount, shown):
    set_planned(minimal, amount)
    p = minimal.only("budget.decision-required")
    # A gap to publish, not a reason to refuse the site (issue #13); --strict makes it an error.
    assert (p.file, p.line, p.col, p.severity) == (CSV_2024, 5, 11, "warning")
    assert_words(p, [shown, "5,000", "管理规约第十二条", "D2025-03", "decision"])
    assert minimal.check().ok
    strict = single(check(minimal.root, jobs=1, strict=True), "budget.decision-required")
    assert (strict.line, strict.severity) == (5, "error")


def test_repair_without_its_decision(minimal):
    """The ¥8,000 door-access repair from public revenue, with the decision cell left blank."""
    minimal.replace(CSV_2024, ROW_4, ROW_4.replace(",D2024-02,", ",,"))
    p = minimal.only("budget.decision-required")
    assert (p.file, p.line, p.col) == (CSV_2024, 4, 11)
    assert_words(p, ["8,000.00", "5,000"])


def test_actual_above_threshold_counts_too(minimal):
    minimal.replace(CSV_2024, ROW_5, ROW_5.replace(",3000,2900,", ",4800,5200,"))
    minimal.replace(TOTALS, TOTAL_SPENDING, "2024,public-revenue,expenditure,12800,12800")
    report = minimal.check()
    p = single(report, "budget.decision-required")
    assert (p.line, p.col) == (5, 11)
    assert_words(p, ["5,200.00"])
    assert sorted(x.code for x in report.problems) == ["budget.actual-over-plan", "budget.decision-required"]


def _add_income(project):
    project.write(CSV_2024, project.read(CSV_2024)
                  + "2024-005,2024,2024,public-revenue,income,广告收入,电梯广告,9000,9000,广告公司,,\n")
    project.replace(TOTALS, TOTAL_INCOME, "2024,public-revenue,income,39000,40500.50")


def _raise_community_spending(project):
    project.replace(CSV_2024, ROW_2, ROW_2.replace(",2000,1800,", ",9000,1800,"))
    project.replace(TOTALS, TOTAL_COMMUNITY, "2024,community-fund,expenditure,9000,1800")


@pytest.mark.parametrize("mutate", [
    pytest.param(_raise_community_spending, id="fund-outside-the-rule"),
    pytest.param(_add_income, id="income"),
])
def test_threshold_applies_to_listed_funds_and_spending_only(minimal, mutate):
    """¥9,000 without a decision: fine for the community fund (not in threshold_funds) and for income."""
    mutate(minimal)
    assert minimal.check().problems == []


def test_decision_that_was_rejected(minimal):
    minimal.replace(MEETING, "votes: {for: 4, against: 1, abstain: 1}\n      outcome: adopted",
                    "votes: {for: 2, against: 3, abstain: 1}\n      outcome: rejected")
    p = minimal.only("budget.decision-not-adopted")
    assert (p.file, p.line, p.col, p.severity) == (CSV_2024, 4, 11, "warning")
    assert_words(p, ["“D2024-02”", ("未通过", "rejected")])


def test_decision_id_typo_in_csv(minimal):
    minimal.replace(CSV_2024, ",D2024-02,", ",D2024-2,")
    p = minimal.only("ref.unknown")
    assert (p.file, p.line, p.col, p.severity) == (CSV_2024, 4, 11, "error")
    assert_words(p, ["“D2024-2”", "D2024-01, D2024-02"])


def test_decision_of_a_cancelled_meeting_hint_is_not_dangling(minimal):
    """The meeting was cancelled, so no decision exists at all: the hint must still say something."""
    minimal.write(MEETING, "id: 2024-03-10-jwh\nbody: jwh\ntype: committee\ntitle: 三月居委会会议\ndate: 2024-03-10\n"
                           "place: 社区活动室\nstatus: cancelled\nagenda:\n  - id: a1\n    title: 更换单元门禁\n"
                           "    raised_by: {kind: residents}\n")
    p = single(minimal.check(), "ref.unknown", CSV_2024)
    assert (p.line, p.col) == (4, 11)
    (zh, zh_hint), (en, en_hint) = render(p, "zh"), render(p, "en")
    assert "D2024-02" in zh and "D2024-02" in en
    assert not zh_hint.rstrip().endswith(("：", ":")), zh_hint
    assert not en_hint.rstrip().endswith(":"), en_hint


def test_actual_spending_above_plan(minimal):
    minimal.replace(CSV_2024, ROW_2, ROW_2.replace(",2000,1800,", ",2000,2100,"))
    minimal.replace(TOTALS, TOTAL_COMMUNITY, "2024,community-fund,expenditure,2000,2100")
    p = minimal.only("budget.actual-over-plan")
    assert (p.file, p.line, p.col, p.severity) == (CSV_2024, 2, 9, "warning")
    assert_words(p, ["2,100.00", "2,000.00"])
    assert minimal.check().ok  # a warning does not block the build


def test_line_id_reused_in_next_years_file(minimal):
    minimal.write("data/budgets/2025.csv", minimal.read(CSV_2024).splitlines()[0] + "\n"
                  "2024-001,2025,2025,community-fund,expenditure,办公经费,办公用品,2000,,街道拨款,,\n")
    minimal.replace(PACKAGE, "    schema: budget-lines.schema.yaml",
                    "    schema: budget-lines.schema.yaml\n  - name: lines-2025\n    path: 2025.csv\n"
                    "    schema: budget-lines.schema.yaml")
    minimal.write(TOTALS, minimal.read(TOTALS) + "2025,community-fund,expenditure,2000,,2025年预算\n")
    p = minimal.only("id.duplicate")
    assert (p.file, p.line, p.col, p.severity) == ("data/budgets/2025.csv", 2, 1, "error")
    assert_words(p, ["“2024-001”", f"{CSV_2024}:2", ("预算行", "budget line")])


def test_problems_in_tables_and_documents_are_all_reported(minimal):
    minimal.replace(CSV_2024, ROW_4, ROW_4.replace(",D2024-02,", ",,"))
    minimal.replace(TOTALS, TOTAL_COMMUNITY, "2024,community-fund,expenditure,2000,1880")
    minimal.replace(FUNDS, "停车和广告收入", "停车和广告收入，联系人 13812345678")
    minimal.replace(MEETING, "present: 6}", "present: 8}")
    found = sorted((p.code, p.file, p.line) for p in minimal.check().problems)
    assert ("budget.decision-required", CSV_2024, 4) in found
    assert ("budget.total-mismatch", TOTALS, 2) in found
    assert ("privacy.mobile", FUNDS, 3) in found
    assert ("votes.present-exceeds-members", MEETING, 10) in found
