"""`portal check` on the YAML kinds: one realistic mistake at a time, each reported
with its code, file, line, column, severity and a filled-in zh/en message.

Lines and columns are 1-based and refer to tests/projects/minimal after the edit.
"""

from __future__ import annotations

import pytest

from tests.problem_asserts import assert_words, messages, single, sub

COMMUNITY = "data/community.yaml"
MEETING = "data/meetings/2024-03-10-jwh.yaml"
NOTICE = "data/notices/2024-001.yaml"
RULE = "data/rules/covenant.yaml"
FORM = "data/forms/suggestion.yaml"
SERVICE = "data/services/meal.yaml"
CSV_2024 = "data/budgets/2024.csv"

#: Codes that are advice, not errors: the site is still built.
WARNINGS = {
    "date.planned-in-past", "date.action-overdue", "date.done-missing", "votes.missing",
    "rule.not-yet-in-force", "text.default-language-missing", "file.unexpected",
}


# --- helpers --------------------------------------------------------------------









def write(file: str, content):
    def mutate(project):
        project.write(file, content(project) if callable(content) else content)
    return mutate


def check_case(project, mutate, code, file, line, col, words):
    mutate(project)
    p = single(project.check(), code, file)
    expected_severity = "warning" if code in WARNINGS else "error"
    assert (p.file, p.line, p.col, p.severity) == (file, line, col, expected_severity)
    assert_words(p, words)


CASE = "mutate, code, file, line, col, words"


# --- files and YAML syntax ------------------------------------------------------

def _unreadable(project):
    project.path(COMMUNITY).unlink()
    project.path(COMMUNITY).mkdir()  # e.g. an archive unpacked under the file's name


def _deep(project):
    project.write(NOTICE, "id: 2024-001\nbody: " + "[" * 3000 + "]" * 3000 + "\n")


FILE_CASES = [
    pytest.param(lambda p: p.path(COMMUNITY).unlink(), "file.missing", COMMUNITY, None, None,
                  ["data/community.yaml"], id="community-yaml-deleted"),
    pytest.param(_unreadable, "file.unreadable", COMMUNITY, None, None, ["Is a directory"], id="unreadable"),
    pytest.param(sub(NOTICE, "related:", "  ![photo](data:image/png;base64," + "A" * 2_621_440 + ")\nrelated:"),
                 "file.too-large", NOTICE, None, None, ["2.5", "2.0"], id="pasted-base64-image"),
    pytest.param(write(MEETING, lambda p: p.read(MEETING).encode("gbk")), "file.encoding", MEETING, 4, None,
                 ["GBK", "UTF-8"], id="gbk-yaml"),
    pytest.param(write(NOTICE, lambda p: p.read(NOTICE).encode("utf-16")), "file.encoding", NOTICE, None, None,
                 ["UTF-16"], id="notepad-unicode"),
    pytest.param(write(NOTICE, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1\x00\x00\x00\x00 Word document"), "file.binary",
                 NOTICE, None, None, [("文本文件", "not a text file")], id="word-doc-saved-as-yaml"),
    pytest.param(write("data/notices/2024-002.yaml", "\n\n"), "file.empty", "data/notices/2024-002.yaml",
                 None, None, [("空的", "empty")], id="empty-yaml"),
    pytest.param(write("data/notices/门禁公示.docx", b"PK\x03\x04"), "file.unexpected", "data/notices/门禁公示.docx",
                 None, None, ["门禁公示.docx"], id="docx-draft-in-data"),
    pytest.param(sub(MEETING, "    title: 更换单元门禁", "\ttitle: 更换单元门禁"), "yaml.syntax", MEETING, 22, 1,
                 [("Tab", "tab"), "tab character"], id="tab-indented-line"),
    pytest.param(sub(NOTICE, "  经居委会", "\t经居委会"), "yaml.syntax", NOTICE, 8, 1, ["tab character"],
                 id="tab-in-notice-body"),
    pytest.param(lambda p: (p.replace(MEETING, "raised_by: {kind: committee, body: jwh}",
                                      "raised_by: &jwh {kind: committee, body: jwh}"),
                            p.replace(MEETING, "raised_by: {kind: residents, detail: 3号楼居民联名}", "raised_by: *jwh")),
                 "yaml.alias", MEETING, 14, 16, ["&", "*"], id="anchor-and-alias"),
    pytest.param(sub(NOTICE, "published: 2024-03-12", "published: 2024-03-12\ntitle: 门禁公示"),
                 "yaml.duplicate-key", NOTICE, 6, 1, ["title", ("第 2 行", "line 2")], id="duplicate-key"),
    pytest.param(sub(NOTICE, "published: 2024-03-12", "published: 2024-03-12\n2024-03-19: 公示截止"),
                 "yaml.bad-key", NOTICE, 6, 1, [("字段名", "keys")], id="date-as-key"),
    pytest.param(_deep, "yaml.too-deep", NOTICE, 2, 106, [("太深", "too deep")], id="deep-nesting"),
    pytest.param(write(NOTICE, lambda p: p.read(NOTICE) + "---\nid: 2024-002\n"), "yaml.multiple-documents",
                 NOTICE, 10, 1, ["---"], id="second-document"),
    pytest.param(write(NOTICE, lambda p: "- " + p.read(NOTICE).replace("\n", "\n  ")), "yaml.not-mapping",
                 NOTICE, 1, 1, [("列表", "list"), "id:"], id="file-is-a-list"),
]


@pytest.mark.parametrize(CASE, FILE_CASES)
def test_unreadable_or_malformed_file(minimal, mutate, code, file, line, col, words):
    check_case(minimal, mutate, code, file, line, col, words)


# --- schema ------------------------------------------------------------------------

SCHEMA_CASES = [
    pytest.param(sub(NOTICE, "category: public-notice\n", ""), "schema.required", NOTICE, 1, 1,
                 ["category"], id="required-missing"),
    pytest.param(sub(MEETING, "      text: 采纳方案一\n", ""), "schema.required", MEETING, 31, 5,
                 ["text"], id="required-missing-nested"),
    pytest.param(sub(NOTICE, "published:", "publshed:"), "schema.unknown-field", NOTICE, 5, 1,
                 ["publshed", "published, id, title"], id="typo-field-closest-first"),
    pytest.param(sub(RULE, 'version: "2024"', "version: 2024"), "schema.type", RULE, 7, 14,
                 ["versions[1].version", '"2024"'], id="unquoted-year-as-version"),
    pytest.param(sub(MEETING, "present: 6}", "present: 六}"), "schema.type", MEETING, 10, 35,
                 ["attendance.present", "“六”", ("整数", "whole number")], id="chinese-numeral"),
    pytest.param(sub(SERVICE, "steps: [到服务中心登记, 领取餐卡]", "steps: [到服务中心登记, 领取餐卡, false]"),
                 "schema.type", SERVICE, 14, 24, ["steps[3]", '"no"'], id="bare-false-in-text-list"),
    pytest.param(sub(NOTICE, "title: {zh: 门禁更换公示, en: Door access replacement}", "title:"), "schema.blank",
                 NOTICE, 2, 7, ["“title”", ("还没有填写", "is blank")], id="blank-left-to-fill"),
    pytest.param(sub(NOTICE, "category: public-notice", "category: 公示"), "schema.choice", NOTICE, 3, 11,
                 ["“公示”", "public-notice"], id="choice-in-chinese"),
    pytest.param(sub(MEETING, "status: held", "status: finished"), "schema.choice", MEETING, 9, 9,
                 ["“finished”", "planned, held, cancelled"], id="status-typo"),
    pytest.param(sub(MEETING, 'start: "19:00"', "start: 7pm"), "schema.pattern", MEETING, 6, 8,
                 ["“7pm”", '"19:00"'], id="time-format"),
    pytest.param(sub(NOTICE, "related: [meeting:2024-03-10-jwh", "related: [meeting 2024-03-10-jwh"),
                 "schema.pattern", NOTICE, 9, 11, ["related[1]", "“meeting 2024-03-10-jwh”", "meeting:2025-03-15-council"],
                 id="related-without-colon"),
    pytest.param(sub(MEETING, "  - id: a2", "  - id: a 2"), "schema.pattern", MEETING, 21, 9,
                 ["agenda[2].id", "“a 2”"], id="id-with-space"),
    pytest.param(sub(COMMUNITY, "others: [en]", "others: [English]"), "schema.pattern", COMMUNITY, 4, 35,
                 ["languages.others[1]", "“English”", "zh"], id="language-name-not-code"),
    pytest.param(sub(MEETING, "      - id: o1", "      - id: " + "o" * 81), "schema.too-long", MEETING, 25, 13,
                 ["agenda[2].options[1].id", "80"], id="id-too-long"),
    pytest.param(sub(RULE, 'version: "2024"', 'version: ""'), "schema.too-short", RULE, 7, 14,
                 ["versions[1].version", "1"], id="empty-version-label"),
    pytest.param(sub(FORM, "recipients: [jwh]", "recipients: []"), "schema.too-short", FORM, 7, 1,
                 ["recipients"], id="no-recipients"),
    pytest.param(sub(FORM, "retention_days: 180", "retention_days: 0"), "schema.range", FORM, 6, 17,
                 ["retention_days", "≥ 1"], id="zero-retention"),
    pytest.param(sub(MEETING, "against: 1, abstain: 0", "against: -1, abstain: 0"), "schema.range", MEETING, 18, 32,
                 ["agenda[1].decision.votes.against", "-1"], id="negative-votes"),
    pytest.param(sub(NOTICE, "published: 2024-03-12", "published: 2024-3-12"), "schema.date", NOTICE, 5, 12,
                 ["published", "“2024-3-12”", "2025-03-15"], id="date-without-zero-padding"),
    pytest.param(sub(NOTICE, "published: 2024-03-12", "published: 2024年3月12日"), "schema.date", NOTICE, 5, 12,
                 ["“2024年3月12日”"], id="date-in-chinese"),
    pytest.param(sub(MEETING, "present: 6}", "present: 6.5}"), "schema.invalid", MEETING, 10, 35,
                 ["attendance.present"], id="fractional-attendance"),
]


@pytest.mark.parametrize(CASE, SCHEMA_CASES)
def test_schema_mistake(minimal, mutate, code, file, line, col, words):
    check_case(minimal, mutate, code, file, line, col, words)


def test_impossible_date_is_a_problem_not_a_traceback(minimal):
    """2024-02-30 looks like a date to YAML; it must be reported like any bad date."""
    minimal.replace(NOTICE, "published: 2024-03-12", "published: 2024-02-30")
    p = single(minimal.check(), "schema.date")
    assert (p.file, p.line, p.col, p.severity) == (NOTICE, 5, 12, "error")
    assert_words(p, ["published", "2024-02-30"])


def test_unclosed_quote_points_at_the_opening_quote(minimal):
    """The scanner only notices at the end of the file; the mistake is on line 3."""
    minimal.replace(NOTICE, "category: public-notice", 'category: "public-notice')
    p = single(minimal.check(), "yaml.syntax")
    assert (p.file, p.line, p.col) == (NOTICE, 3, 11)
    assert_words(p, [("引号", "quotes")])


@pytest.mark.parametrize("value", ["no", '"no"', "yes", "on"])
def test_yes_no_stay_text_quoted_or_not(minimal, value):
    """YAML 1.1 would read a bare no as false (the "Norway problem"); here it stays text."""
    minimal.replace(SERVICE, "steps: [到服务中心登记, 领取餐卡]", f"steps: [到服务中心登记, 领取餐卡]\nhours_note: {value}")
    assert minimal.check().problems == []


def test_unquoted_time_stays_a_time(minimal):
    minimal.replace(MEETING, 'start: "19:00"', "start: 19:00")
    assert minimal.check().problems == []


# --- ids -------------------------------------------------------------------------

ID_CASES = [
    pytest.param(sub(NOTICE, "id: 2024-001", "id: 2024-01"), "id.filename-mismatch", NOTICE, 1, 5,
                 ["“2024-01”", "“2024-001”", "2024-01.yaml"], id="id-vs-file-name"),
    pytest.param(sub(MEETING, "  - id: a2", "  - id: a1"), "id.duplicate", MEETING, 21, 9,
                 ["“a1”", f"{MEETING}:12", ("议题", "agenda item")], id="agenda-item"),
    pytest.param(sub(FORM, "  - name: phone", "  - name: text"), "id.duplicate", FORM, 22, 11,
                 ["“text”", f"{FORM}:17", ("字段", "field")], id="form-field"),
    pytest.param(sub(COMMUNITY, "  - id: ywh", "  - id: jwh"), "id.duplicate", COMMUNITY, 14, 9,
                 ["“jwh”", f"{COMMUNITY}:9", ("机构", "body")], id="body"),
]


@pytest.mark.parametrize(CASE, ID_CASES)
def test_id_mistake(minimal, mutate, code, file, line, col, words):
    check_case(minimal, mutate, code, file, line, col, words)


APRIL_MEETING = "data/meetings/2024-04-14-jwh.yaml"
APRIL = """\
id: 2024-04-14-jwh
body: jwh
type: committee
title: 四月居委会会议
date: 2024-04-14
place: 社区活动室
status: held
attendance: {members: 7, present: 5}
agenda:
  - id: a1
    title: 楼道堆物清理
    raised_by: {kind: committee, body: jwh}
    decision:
      id: D2024-03
      text: 开展楼道堆物清理
      votes: {for: 5}
      outcome: adopted
"""


def test_decision_id_reused_in_a_later_meeting(minimal):
    minimal.write(APRIL_MEETING, APRIL.replace("id: D2024-03", "id: D2024-02"))
    p = single(minimal.check(), "id.duplicate")
    assert (p.file, p.line, p.col, p.severity) == (APRIL_MEETING, 14, 11, "error")
    assert_words(p, ["“D2024-02”", f"{MEETING}:32", ("决议", "decision")])


def test_a_second_valid_meeting_passes(minimal):
    minimal.write(APRIL_MEETING, APRIL)
    assert minimal.check().problems == []


# --- references ------------------------------------------------------------------

REF_CASES = [
    pytest.param(sub(MEETING, "body: jwh\ntype", "body: jhw\ntype"), MEETING, 2, 7, ["“jhw”", "jwh, ywh"],
                 id="meeting-body"),
    pytest.param(sub(MEETING, "      option: o1", "      option: o2"), MEETING, 34, 15, ["“o2”", "o1"],
                 id="decision-option"),
    pytest.param(sub(MEETING, "    decision: D2024-02\n", "    decision: D2024-2\n"), MEETING, 41, 15,
                 ["“D2024-2”", "D2024-01, D2024-02"], id="action-item-decision"),
    pytest.param(sub(MEETING, "        fund: public-revenue", "        fund: public-revenues"), MEETING, 28, 15,
                 ["“public-revenues”", "community-fund, public-revenue"], id="option-fund"),
    pytest.param(sub(SERVICE, "category: elderly", "category: elder"), SERVICE, 3, 11, ["“elder”", "elderly"],
                 id="service-category"),
    pytest.param(sub(NOTICE, "decision:D2024-02", "decision:D2024-03"), NOTICE, 9, 35,
                 ["“D2024-03”", "D2024-01, D2024-02"], id="notice-related-decision"),
    pytest.param(sub(NOTICE, "budget:2024", "budget:2023"), NOTICE, 9, 54, ["“2023”", "2024"],
                 id="notice-related-budget-year"),
    pytest.param(sub(FORM, "recipients: [jwh]", "recipients: [jwh, wyh]"), FORM, 7, 19, ["“wyh”", "jwh, ywh"],
                 id="form-recipient"),
    pytest.param(sub(COMMUNITY, "threshold_funds: [public-revenue]", "threshold_funds: [public_revenue]"),
                 COMMUNITY, 23, 21, ["“public_revenue”", "community-fund, public-revenue"], id="threshold-fund"),
    pytest.param(sub(RULE, "{meeting: 2024-03-10-jwh,", "{meeting: 2024-03-01-jwh,"), RULE, 9, 27,
                 ["“2024-03-01-jwh”", "2024-03-10-jwh"], id="rule-adopted-by-meeting"),
    pytest.param(sub(RULE, "decision: D2024-01}", "decision: D2024-1}"), RULE, 9, 53,
                 ["“D2024-1”", "D2024-01, D2024-02"], id="rule-adopted-by-decision"),
    pytest.param(sub(MEETING, "adopts_rule: {rule: covenant,", "adopts_rule: {rule: convenant,"), MEETING, 20, 27,
                 ["“convenant”", "covenant"], id="decision-adopts-rule"),
    pytest.param(sub(MEETING, 'version: "2024"}', 'version: "2025"}'), MEETING, 20, 46, ["“2025”", "2024"],
                 id="decision-adopts-rule-version"),
]


@pytest.mark.parametrize("mutate, file, line, col, words", REF_CASES)
def test_unknown_reference(minimal, mutate, file, line, col, words):
    check_case(minimal, mutate, "ref.unknown", file, line, col, words)


def test_rule_and_decision_disagree_on_adoption(minimal):
    """The rule says D2024-02 adopted it; D2024-01 says it adopted the rule: both ends are named."""
    minimal.replace(RULE, "decision: D2024-01}", "decision: D2024-02}")
    report = minimal.check()
    at_rule = single(report, "ref.adoption-mismatch", RULE)
    at_meeting = single(report, "ref.adoption-mismatch", MEETING)
    assert (at_rule.line, at_rule.col, at_rule.severity) == (9, 5, "error")
    assert (at_meeting.line, at_meeting.col, at_meeting.severity) == (20, 7, "error")
    assert_words(at_rule, ["“covenant”", "2024", "D2024-02"])
    assert_words(at_meeting, ["“covenant”", "D2024-02"])


def test_a_meeting_with_a_typo_still_exists_for_references(minimal):
    """One typo'd field in the meeting: report that field, not "meeting does not exist"
    in the rule, the notice and the budget that point at it."""
    minimal.replace(MEETING, "    title: 通过居民公约", "    titel: 通过居民公约")
    report = minimal.check()
    assert single(report, "schema.unknown-field").file == MEETING
    assert [p for p in report.problems if p.code == "ref.unknown"] == []


# --- dates -----------------------------------------------------------------------

OLDER_VERSION = '        text: 邻里互助。\n  - version: "2023"\n    effective: 2023-01-01\n    articles:\n' \
                "      - number: 1\n        text: 爱护公共环境。"

DATE_CASES = [
    pytest.param(sub(NOTICE, "display_until: 2024-03-19", "display_until: 2024-02-19"),
                 "date.display-before-publish", NOTICE, 6, 16, ["2024-02-19", "2024-03-12"], id="display-until-typo"),
    pytest.param(sub(MEETING, "      option: o1\n", "      option: o1\n      date: 2024-03-11\n"),
                 "date.decision-not-meeting", MEETING, 35, 13, ["2024-03-11", "2024-03-10"], id="decision-next-day"),
    pytest.param(sub(RULE, "        text: 邻里互助。", OLDER_VERSION), "date.versions-order", RULE, 16, 16,
                 ["“2023”", "2023-01-01", "2024-04-01"], id="older-version-appended"),
    pytest.param(sub(RULE, "effective: 2024-04-01", "effective: 2024-03-01"), "date.effective-before-adoption",
                 RULE, 8, 16, ["“2024”", "2024-03-01", "2024-03-10"], id="effective-before-meeting"),
    pytest.param(sub(MEETING, "date: 2024-03-10", "date: 2026-12-10"), "date.held-in-future", MEETING, 9, 9,
                 ["2026-12-10"], id="held-in-future"),
    pytest.param(sub(MEETING, 'end: "21:00"', 'end: "09:00"'), "date.range", MEETING, 7, 6, ["09:00", "19:00"],
                 id="meeting-ends-before-start"),
    pytest.param(sub(FORM, "reply_days: 5\n", "reply_days: 5\nopens: 2024-06-01\ncloses: 2024-05-01\n"),
                 "date.range", FORM, 10, 9, ["2024-05-01", "2024-06-01"], id="form-closes-before-opening"),
    pytest.param(sub(MEETING, "    status: done\n    done: 2024-04-20\n", "    status: open\n"),
                 "date.action-overdue", MEETING, 42, 10, ["2024-05-01"], id="action-overdue"),
    pytest.param(sub(MEETING, "    done: 2024-04-20\n", ""), "date.done-missing", MEETING, 43, 13, ["done:"],
                 id="done-without-date"),
]


@pytest.mark.parametrize(CASE, DATE_CASES)
def test_date_mistake(minimal, mutate, code, file, line, col, words):
    check_case(minimal, mutate, code, file, line, col, words)


@pytest.mark.parametrize("until", ["2024-03-12", "2024-03-13"])
def test_display_period_of_a_day_or_more_passes(minimal, until):
    minimal.replace(NOTICE, "display_until: 2024-03-19", f"display_until: {until}")
    assert minimal.check().problems == []


def test_planned_meeting_left_in_the_past(minimal):
    file = "data/meetings/2026-11-01-ywh.yaml"
    minimal.write(file, "id: 2026-11-01-ywh\nbody: ywh\ntype: committee\ntitle: 十一月业委会会议\ndate: 2026-11-01\n"
                        "place: 物业会议室\nstatus: planned\nagenda:\n  - id: a1\n    title: 电梯维保合同\n"
                        "    raised_by: {kind: owners}\n")
    p = minimal.only("date.planned-in-past")
    assert (p.file, p.line, p.col, p.severity) == (file, 7, 9, "warning")
    assert_words(p, ["2026-11-01", ("held", "held")])
    minimal.replace(file, "date: 2026-11-01", "date: 2026-12-01")  # still ahead: fine
    assert minimal.check().problems == []


# --- meetings and votes ----------------------------------------------------------

VOTES_24 = "votes: {for: 4, against: 1, abstain: 1}"

VOTE_CASES = [
    pytest.param(sub(MEETING, VOTES_24, "votes: {for: 5, against: 1, abstain: 1}"), "votes.exceed-attendance",
                 MEETING, 35, 7, [("合计 7 超过实到人数 6", "votes cast (7) exceed members present (6)")],
                 id="vote-does-not-add-up"),
    pytest.param(sub(MEETING, "present: 6}", "present: 8}"), "votes.present-exceeds-members", MEETING, 10, 35,
                 [("实到人数 8 超过应到人数 7", "members present (8) exceed members (7)")], id="more-present-than-members"),
    pytest.param(sub(MEETING, VOTES_24, "votes: {for: 2, against: 3, abstain: 1}"), "votes.outcome-mismatch",
                 MEETING, 36, 16, [("赞成票 > 实到人数的 50%", "for > 50% of present")], id="adopted-but-outvoted"),
    pytest.param(sub(MEETING, VOTES_24 + "\n      outcome: adopted", VOTES_24 + "\n      outcome: rejected"),
                 "votes.outcome-mismatch", MEETING, 36, 16, [("赞成票 > 实到人数的 50%", "for > 50% of present")],
                 id="rejected-but-majority"),
    pytest.param(sub(MEETING, "      " + VOTES_24 + "\n", ""), "votes.missing", MEETING, 35, 16,
                 [("表决票数", "no recorded vote"), "votes:"], id="no-vote-recorded"),
    pytest.param(sub(MEETING, "attendance: {members: 7, present: 6}\n", ""), "votes.no-attendance", MEETING, 9, 9,
                 ["attendance: {members:"], id="no-attendance"),
    pytest.param(sub(MEETING, "status: held", "status: planned"), "meeting.planned-with-decision", MEETING, 9, 9,
                 ["planned"], id="decisions-before-the-meeting"),
]


@pytest.mark.parametrize(CASE, VOTE_CASES)
def test_meeting_mistake(minimal, mutate, code, file, line, col, words):
    check_case(minimal, mutate, code, file, line, col, words)


@pytest.mark.parametrize("outcome, votes, said, expected", [
    ("adopted", "{for: 2, against: 3, abstain: 1}", "adopted", "rejected"),
    ("rejected", "{for: 4, against: 1, abstain: 1}", "rejected", "adopted"),
])
def test_outcome_mismatch_names_outcomes_in_each_language(minimal, outcome, votes, said, expected):
    minimal.replace(MEETING, VOTES_24 + "\n      outcome: adopted", f"votes: {votes}\n      outcome: {outcome}")
    zh, en = messages(minimal.only("votes.outcome-mismatch"))
    zh_words = {"adopted": "“通过”", "rejected": "“未通过”"}
    assert zh_words[said] in zh and zh_words[expected] in zh
    assert f"“{said}”" in en and f"“{expected}”" in en
    assert "通过" not in en


def test_missing_vote_names_the_outcome_in_english(minimal):
    minimal.replace(MEETING, "      " + VOTES_24 + "\n", "")
    zh, en = messages(minimal.only("votes.missing"))
    assert "“通过”" in zh
    assert "“adopted”" in en and "通过" not in en


def test_inquorate_meeting_cannot_adopt(minimal):
    """3 of 7 present; the quorum is half of 7, rounded up: 4."""
    minimal.replace(MEETING, "present: 6}", "present: 3}")
    minimal.replace(MEETING, "{for: 5, against: 1, abstain: 0}", "{for: 3, against: 0, abstain: 0}")
    minimal.replace(MEETING, VOTES_24, "votes: {for: 2, against: 1, abstain: 0}")
    found = [p for p in minimal.check().problems if p.code == "votes.quorum-not-met"]
    assert [(p.file, p.line, p.col, p.severity) for p in found] == [(MEETING, 19, 16, "error"), (MEETING, 36, 16, "error")]
    assert_words(found[0], [("实到 3 人", "3 present"), ("法定人数 4 人", "quorum of 4")])


def test_exact_quorum_and_majority_pass(minimal):
    """4 of 7 present meets the quorum; 3 of 4 is more than half of those present."""
    minimal.replace(MEETING, "present: 6}", "present: 4}")
    minimal.replace(MEETING, "{for: 5, against: 1, abstain: 0}", "{for: 3, against: 1, abstain: 0}")
    minimal.replace(MEETING, VOTES_24, "votes: {for: 3, against: 1, abstain: 0}")
    assert minimal.check().problems == []


def test_half_the_votes_is_not_a_majority(minimal):
    """3 for of 6 present is not *more* than half (strict: true)."""
    minimal.replace(MEETING, VOTES_24, "votes: {for: 3, against: 2, abstain: 1}")
    p = minimal.only("votes.outcome-mismatch")
    assert (p.file, p.line) == (MEETING, 36)


# --- rules, forms, languages -----------------------------------------------------

DOCUMENT_CASES = [
    pytest.param(sub(RULE, "      - number: 2", "      - number: 3"), "rule.article-numbering", RULE, 13, 17,
                 [("第 2 条写成了 3", "position 2 is numbered 3")], id="article-skipped"),
    pytest.param(sub(RULE, "status: in-force", "status: repealed"), "rule.repealed-date", RULE, 4, 9,
                 ["repealed:"], id="repealed-without-date"),
    pytest.param(sub(RULE, "effective: 2024-04-01", "effective: 2027-01-01"), "rule.not-yet-in-force", RULE, 4, 9,
                 ["draft"], id="in-force-too-early"),
    pytest.param(sub(FORM, "    choices:\n      - {value: environment, label: 环境}\n      - {value: other, label: 其他}\n",
                     ""), "form.choices-missing", FORM, 11, 11, ["“topic”", "select", "choices"], id="select-no-choices"),
    pytest.param(sub(FORM, "    type: select", "    type: text"), "form.choices-unexpected", FORM, 14, 5,
                 ["“topic”", "text", "choices"], id="choices-left-on-text-field"),
    pytest.param(sub(FORM, "    private: true\n", ""), "form.contact-not-private", FORM, 23, 11,
                 ["“phone”", "tel", "private: true"], id="phone-field-public"),
    pytest.param(sub(FORM, "    private: true\n", "    pattern: '1[3-9\\d{9}'\n    private: true\n"),
                 "form.bad-pattern", FORM, 25, 14, ["“phone”", "pattern"], id="unclosed-bracket-in-pattern"),
    pytest.param(sub(FORM, "    private: true\n", "    private: true\n  - name: age\n    type: number\n    label: 年龄\n"
                                                 "    min: 120\n    max: 0\n"),
                 "form.min-max", FORM, 29, 10, ["“age”", ("最小值 120", "min 120"), "max"], id="min-max-swapped"),
    pytest.param(sub(NOTICE, "title: {zh: 门禁更换公示, en: Door access replacement}",
                     "title: {en: Door access replacement}"), "text.default-language-missing", NOTICE, 2, 1,
                 ["zh"], id="english-only-title"),
]


@pytest.mark.parametrize(CASE, DOCUMENT_CASES)
def test_rule_form_and_language_mistake(minimal, mutate, code, file, line, col, words):
    check_case(minimal, mutate, code, file, line, col, words)


def test_repealed_rule_with_date_passes(minimal):
    minimal.replace(RULE, "status: in-force", "status: repealed\nrepealed: 2026-01-01")
    assert minimal.check().problems == []


# --- published requests ----------------------------------------------------------

REQUESTS = "data/requests/2024.yaml"
LOG = """\
id: '2024'
requests:
- id: R2024-0001
  receipt_key: b52a7ba1304ba17a09b464a601020d4f
  form: suggestion
  summary: 建议增加路灯
  received: 2024-10-02
  first_reply: 2024-10-03
  status: answered
  reply: 已安排物业增加路灯。
"""


LEDGER = "data/requests/issued.csv"


def test_published_request_log_passes(minimal):
    minimal.write(REQUESTS, LOG)
    minimal.write(LEDGER, "id,receipt_key,issued\nR2024-0001,b52a7ba1304ba17a09b464a601020d4f,2024-10-03\n")
    assert minimal.check().problems == []


def test_published_requests_without_a_ledger_are_a_warning_that_says_how(minimal):
    """The ledger of issued numbers (issue #18): data published before it existed
    still passes, with a warning at the first record and the command that starts it."""
    minimal.write(REQUESTS, LOG)
    problems = minimal.check().problems
    assert [(p.code, p.severity, p.file, p.line) for p in problems] == \
        [("request.ledger-missing", "warning", REQUESTS, 3)]


REQUEST_CASES = [
    pytest.param(write(REQUESTS, LOG.replace("2024-10-0", "2025-01-0")), "request.wrong-year", REQUESTS, 7, 13,
                 ["2025", "2024.yaml", "2025.yaml"], id="in-last-years-file"),
    pytest.param(write(REQUESTS, LOG.replace("  reply: 已安排物业增加路灯。\n", "")), "request.reply-missing",
                 REQUESTS, 9, 11, ["“answered”", "portal inbox reply"], id="answered-without-reply"),
    pytest.param(write(REQUESTS, LOG.replace("first_reply: 2024-10-03", "first_reply: 2024-09-03")), "date.range",
                 REQUESTS, 8, 16, ["2024-09-03", "2024-10-02"], id="reply-before-receipt"),
    pytest.param(write(REQUESTS, LOG.replace("form: suggestion", "form: repair")), "ref.unknown", REQUESTS, 5, 9,
                 ["“repair”", "suggestion"], id="unknown-form"),
    pytest.param(lambda p: (p.write(REQUESTS, LOG), p.write("data/requests/2025.yaml",
                                                             LOG.replace("'2024'", "'2025'").replace("2024-10", "2025-10"))),
                 "id.duplicate", "data/requests/2025.yaml", 3, 7, ["“R2024-0001”", f"{REQUESTS}:3"],
                 id="same-number-two-years"),
]


@pytest.mark.parametrize(CASE, REQUEST_CASES)
def test_request_log_mistake(minimal, mutate, code, file, line, col, words):
    check_case(minimal, mutate, code, file, line, col, words)


# --- the whole report --------------------------------------------------------------

def test_every_problem_in_every_file_is_reported(minimal):
    """Five mistakes in five files (one of them unparseable): all five are reported."""
    minimal.replace(NOTICE, "display_until: 2024-03-19", "display_until: 2024-02-19")
    minimal.replace(MEETING, VOTES_24, "votes: {for: 5, against: 1, abstain: 1}")
    minimal.replace(RULE, "      - number: 2", "      - number: 3")
    minimal.replace(SERVICE, "summary: 为老年居民提供午餐。", "summary: 为老年居民提供午餐，报名请找王阿姨 13812345678。")
    minimal.replace(FORM, "    type: textarea", "\ttype: textarea")
    minimal.replace("data/budgets/totals.csv", "2024,community-fund,expenditure,2000,1800",
                    "2024,community-fund,expenditure,2000,1880")
    report = minimal.check()
    assert sorted((p.code, p.file, p.line) for p in report.problems) == [
        ("budget.total-mismatch", "data/budgets/totals.csv", 2),
        ("date.display-before-publish", NOTICE, 6),
        ("privacy.mobile", SERVICE, 4),
        ("rule.article-numbering", RULE, 13),
        ("votes.exceed-attendance", MEETING, 35),
        ("yaml.syntax", FORM, 18),
    ]
    assert not report.ok
    for p in report.problems:
        messages(p)
