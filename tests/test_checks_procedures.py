"""Governance checks (issue #13) on tests/projects/estate: a housing estate's money
transcribed the way its committee would, from the property service centre's expense
letters (approvals), a two-tier rule (up to ¥5,000 the owners' committee and its
advisers sign; above it the owners are consulted first; every approval is read out
at the next joint meeting), a lift maintenance contract and the utility bills.

The transcription comes out clean but for two honest gaps; each broken variant
names its code, file, line and column in Chinese and English. Gaps are warnings
(the site is still built); ``--strict`` makes them errors.

Lines and columns are 1-based and refer to tests/projects/estate after the edit.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.cli import main
from generator.messages import GOVERNANCE
from generator.pipeline import check
from tests.conftest import PROJECTS, SampleProject
from tests.problem_asserts import assert_words, messages, single, sub

CSV = "data/budgets/2025.csv"
TOTALS = "data/budgets/totals.csv"
CONTRACT = "data/contracts/C2024-01.yaml"
WALL = "data/matters/M2025-wall.yaml"
GYM = "data/matters/M2025-gym.yaml"
PARKING = "data/matters/M2026-parking.yaml"
PARKING_MEETING = "data/meetings/2026-10-24-consultation.yaml"
CONSULTATION = "data/meetings/2025-04-05-consultation.yaml"

#: Column numbers of the budget lines (see the header of 2025.csv).
FUND, ITEM, ACTUAL, DECISION, APPROVAL, CONTRACT_COL = 4, 7, 9, 11, 13, 14

#: The honest gaps of the transcription: an emergency repair nobody approved, and a
#: letter never read out at the joint meeting.
HONEST = {
    ("approval.not-read", "data/approvals/A2025-05.yaml", 1),
    ("procedure.no-approval", CSV, 11),
}


@pytest.fixture
def estate(tmp_path: Path) -> SampleProject:
    shutil.copytree(PROJECTS / "estate", tmp_path / "estate")
    return SampleProject(tmp_path / "estate")


def found(report) -> set[tuple[str, str, int | None]]:
    return {(p.code, p.file, p.line) for p in report.problems}


def add_lines(project: SampleProject, *rows: str) -> None:
    """Append budget lines and keep the declared expenditure total right."""
    project.write(CSV, project.read(CSV) + "".join(r + "\n" for r in rows))
    extra = sum(float(r.split(",")[8]) for r in rows)
    planned = sum(float(r.split(",")[7]) for r in rows)
    project.replace(TOTALS, "expenditure,53400,52790", f"expenditure,{53400 + planned:g},{52790 + extra:g}")


def approval(project: SampleProject, ident: str, date: str, amount: int, fund: str = "public-revenue",
             read_at: str = "2025-10-11-joint", route: str = "committee-advisers") -> None:
    project.write(f"data/approvals/{ident}.yaml", f"""id: {ident}
title: 外墙清洗
date: {date}
amount: {amount}
fund: {fund}
purpose: 外墙清洗
requested_by: wy
route: [{route}]
signed_by: [{{body: ywh, role: 主任}}]
status: approved
read_at: {read_at}
""")


# --- the transcription ---------------------------------------------------------------

def test_transcription_is_clean_but_for_honest_gaps(estate):
    report = estate.check()
    assert found(report) == HONEST, report.problems
    assert report.ok  # gaps are published, not build-blocking
    assert all(p.severity == "warning" for p in report.problems)
    for p in report.problems:
        messages(p)  # every placeholder has a value, in both languages


def test_strict_makes_the_gaps_errors(estate):
    report = check(estate.root, jobs=1, strict=True)
    assert found(report) == HONEST
    assert not report.ok and all(p.severity == "error" for p in report.problems)


def test_strict_leaves_other_warnings_alone(estate):
    """Only governance gaps are escalated; e.g. actual above plan stays a warning."""
    estate.replace(CSV, "补种绿植,3900,3860,", "补种绿植,3800,3860,")
    estate.replace(TOTALS, "expenditure,53400,", "expenditure,53300,")
    over = single(check(estate.root, jobs=1, strict=True), "budget.actual-over-plan")
    assert over.severity == "warning" and over.code not in GOVERNANCE


def test_cli_strict_exit_status(estate):
    runner = CliRunner()
    assert runner.invoke(main, ["check", str(estate.root), "--jobs", "1"]).exit_code == 0
    result = runner.invoke(main, ["check", str(estate.root), "--jobs", "1", "--strict", "--lang", "en"])
    assert result.exit_code == 1
    assert "error procedure.no-approval" in result.output and "error approval.not-read" in result.output


def test_build_strict_refuses_the_gaps(estate, tmp_path):
    result = CliRunner().invoke(main, ["build", str(estate.root), "--out", str(tmp_path / "site"),
                                       "--jobs", "1", "--strict"])
    assert result.exit_code == 1
    assert "approval.not-read" in result.output
    assert not (tmp_path / "site").exists()


def test_decision_of_an_owners_consultation_covers_a_large_line(estate):
    """The wall repair may cite the consultation's decision instead of the letter."""
    estate.replace(CSV, "公共收益,,,A2025-03,", "公共收益,D2025-01,,,")
    assert found(estate.check()) == HONEST


def test_without_procedures_only_recorded_facts_are_checked(estate):
    """No tiers declared: nothing needs an approval, but cited approvals are still held to their word."""
    text = estate.read("data/community.yaml")
    estate.write("data/community.yaml", text[:text.index("procedures:")])
    assert found(estate.check()) == set()


# --- each check, broken ----------------------------------------------------------------

def _split_letters(project):
    """One façade cleaning job, written as two letters just under ¥5,000 each."""
    approval(project, "A2025-07", "2025-09-01", 4800)
    approval(project, "A2025-08", "2025-09-20", 4700)
    add_lines(project,
              "2025-GY-111,2025,2025-Q3,public-revenue,expenditure,维修养护,外墙清洗（一期）,4800,4800,公共收益,,,"
              "A2025-07,,2025-09-05,青石保洁服务有限公司",
              "2025-GY-112,2025,2025-Q3,public-revenue,expenditure,维修养护,外墙清洗（二期）,4700,4700,公共收益,,,"
              "A2025-08,,2025-09-25,青石保洁服务有限公司")


def _second_pump_bill(project):
    add_lines(project, "2025-GY-111,2025,2025-Q1,public-revenue,expenditure,维修养护,水泵配件,300,300,公共收益,,,"
                       "A2025-02,,2025-03-20,")


CASES = [
    pytest.param(sub(CSV, ",A2025-01,,2025-02-20,", ",,,2025-02-20,"), "procedure.no-approval", CSV, 4, APPROVAL,
                 ["3,200.00", ("5000元以下", "up to CNY 5000"), ("委员会和顾问会签", "committee and advisers' signatures"),
                  ("的 small 档", "tier small of the procedures")], id="letter-not-cited"),
    pytest.param(sub("data/approvals/A2025-03.yaml", "route: [owners-consultation, committee-advisers]",
                     "route: [committee-advisers]"),
                 "procedure.route-insufficient", "data/approvals/A2025-03.yaml", 10, 1,
                 ["A2025-03", "18,000.00", ("5000元以上", "above CNY 5000"), ("业主征询", "owners' consultation")],
                 id="large-letter-without-consultation"),
    pytest.param(lambda p: (p.replace(CSV, "公共收益,,,A2025-03,", "公共收益,D2025-01,,,"),
                            p.replace(CONSULTATION, "type: consultation", "type: committee")),
                 "procedure.route-insufficient", CSV, 6, DECISION,
                 ["D2025-01", ("委员会签批", "committee sign-off"), ("业主征询", "owners' consultation")],
                 id="decision-of-a-committee-meeting"),
    pytest.param(sub(CSV, "公共收益,,,A2025-03,,2025-05-20,", "公共收益,D2025-01,,,,2025-03-01,"),
                 "procedure.after-spending", CSV, 6, DECISION, ["D2025-01", "2025-04-05", "2025-03-01"],
                 id="repaired-before-the-owners-were-asked"),
    pytest.param(sub("data/approvals/A2025-04.yaml", "status: approved", "status: pending"), "procedure.not-approved",
                 CSV, 13, APPROVAL, ["A2025-04", ("待批", "pending")], id="letter-still-pending"),
    pytest.param(_second_pump_bill, "procedure.cumulative-exceeded", CSV, 14, ACTUAL,
                 ["A2025-02", "4,900.00", "4,600.00", "2025-GY-102"], id="letter-used-twice"),
    pytest.param(_split_letters, "procedure.split-suspected", CSV, 15, ITEM,
                 ["2025-GY-111", "9,500.00", "5,000.00", "31"], id="one-job-two-letters"),
    pytest.param(sub(CONTRACT, "end: 2025-12-31", "end: 2025-08-31"), "procedure.outside-term", CSV, 9, CONTRACT_COL,
                 ["C2024-01", "2025-09-30", "2025-08-31"], id="paid-after-contract-end"),
    pytest.param(sub(CONTRACT, "amount: 1500", "amount: 500"), "contract.over-total", CSV, 9, ACTUAL,
                 ["C2024-01", "13,500.00", "12,000.00", "2025-GY-104, 2025-GY-105"], id="contract-overspent"),
    pytest.param(sub(CONTRACT, "end_reason: {zh: 期满, en: Expired}\n", ""), "contract.end-reason-missing", CONTRACT,
                 11, 9, ["end_reason"], id="contract-ended-without-reason"),
    pytest.param(sub("data/approvals/A2025-03.yaml", "read_at: 2025-07-12-joint", "read_at: 2025-04-12-joint"),
                 "approval.read-before", "data/approvals/A2025-03.yaml", 15, 10,
                 ["2025-04-12-joint", "2025-04-12", "2025-04-18"], id="read-out-before-signed"),
    pytest.param(sub("data/approvals/A2025-02.yaml", "read_at: 2025-04-12-joint\n", ""), "approval.not-read",
                 "data/approvals/A2025-02.yaml", 1, 5,
                 ["2025-02-28", "2025-04-12", ("联席会议", "joint meeting"), "read_at"], id="letter-never-read-out"),
    pytest.param(lambda p: p.write(WALL, p.read(WALL).split("result:")[0]),
                 "matter.result-missing", WALL, 6, 9, ["result"], id="done-without-result"),
    pytest.param(lambda p: p.write(GYM, "\n".join(x for x in p.read(GYM).splitlines() if "status_reason" not in x)),
                 "matter.reason-missing", GYM, 5, 9, [("已放弃", "abandoned"), "status_reason"],
                 id="abandoned-without-reason"),
    pytest.param(lambda p: (p.replace(PARKING_MEETING, "date: 2026-10-24", "date: 2026-05-24"),
                            p.replace(PARKING, "meetings: [2026-10-24-consultation]\n", "")),
                 "consultation.not-concluded", PARKING_MEETING, 9, 9, ["2026-05-24", "182"],
                 id="consultation-left-open"),
    pytest.param(sub(PARKING, "opened: 2026-10-10", "opened: 2026-03-01"), "consultation.not-concluded", PARKING,
                 5, 9, ["2026-03-01", "266"], id="matter-stuck-in-consultation"),
    pytest.param(sub(WALL, "due: 2025-06-15, status: done, done: 2025-06-10",
                     "due: 2025-06-15, status: in-progress"), "date.action-overdue", WALL, 14, 63,
                 ["2025-06-15"], id="matter-plan-overdue"),
]


@pytest.mark.parametrize("mutate, code, file, line, col, words", CASES)
def test_governance_gap(estate, mutate, code, file, line, col, words):
    mutate(estate)
    report = estate.check()
    assert found(report) - HONEST == {(code, file, line)}, report.problems
    p = next(p for p in report.problems if (p.code, p.file, p.line) == (code, file, line))
    assert (p.file, p.line, p.col, p.severity) == (file, line, col, "warning")
    assert_words(p, words)
    assert report.ok
    strict = check(estate.root, jobs=1, strict=True)
    assert {p.severity for p in strict.problems if (p.code, p.file, p.line) == (code, file, line)} == {"error"}


def test_small_letter_reused_for_a_large_line(estate):
    """Issue #13 point 7: a ¥2,000 letter from another fund, dated after the work,
    cited for the ¥18,000 wall repair: every way it fails is said on its own line."""
    approval(estate, "A2025-06", "2025-06-01", 2000, fund="maintenance", read_at="2025-07-12-joint")
    estate.replace(CSV, ",A2025-03,,2025-05-20,", ",A2025-06,,2025-05-20,")
    report = estate.check()
    new = found(report) - HONEST
    assert new == {
        ("procedure.amount-exceeded", CSV, 6),
        ("procedure.fund-mismatch", CSV, 6),
        ("procedure.after-spending", CSV, 6),
        ("procedure.route-insufficient", CSV, 6),  # the letter's own fund has no tier: said on the line
    }, report.problems
    by_code = {p.code: p for p in report.problems}
    assert_words(by_code["procedure.amount-exceeded"], ["18,000.00", "2,000.00", "A2025-06"])
    assert_words(by_code["procedure.fund-mismatch"], ["maintenance", "public-revenue", "专项维修资金"])
    assert_words(by_code["procedure.after-spending"], ["2025-06-01", "2025-05-20"])
    assert by_code["procedure.fund-mismatch"].col == FUND
    assert report.ok


@pytest.mark.parametrize("old, new, what, col", [
    (",A2025-01,,2025-02-20,", ",A2025-1,,2025-02-20,", ("审批", "approval"), APPROVAL),
    (",,C2024-01,2025-03-31,", ",,C2024-1,2025-03-31,", ("合同", "contract"), CONTRACT_COL),
])
def test_unknown_approval_or_contract_is_an_error(estate, old, new, what, col):
    """A typo in a reference is a mistake to fix, not a governance gap."""
    estate.replace(CSV, old, new)
    p = single(estate.check(), "ref.unknown", CSV)
    assert (p.line, p.col, p.severity) == (4 if "A2025" in old else 7, col, "error")
    assert_words(p, [what])


def test_utilities_and_contract_payments_need_no_letter(estate):
    """The electricity bill (水电费) and the lift maintenance quarters cite no approval."""
    lines = {line.id: line for line in estate_lines(estate)}
    assert not lines["2025-GY-107"].approval and not lines["2025-GY-104"].approval
    assert not {p for p in estate.check().problems if p.line in (7, 8, 9, 10) and p.file == CSV}


def estate_lines(project):
    from generator.pipeline import load_and_check
    return load_and_check(project.root, jobs=1).project.budgets.lines


def test_spending_before_the_procedure_took_effect_is_judged_by_the_old_threshold(estate):
    """The procedure applies from its effective day; earlier lines fall under finance_rules."""
    estate.replace("data/community.yaml", "procedures:\n",
                   "finance_rules: {decision_threshold: 5000, threshold_funds: [public-revenue]}\n"
                   "procedures:\n  effective: 2025-06-01\n")
    estate.replace(CSV, ",A2025-01,,2025-02-20,", ",,,2025-02-20,")  # ¥3,200 in February: under the old limit
    estate.replace(CSV, ",A2025-03,,2025-05-20,", ",,,2025-05-20,")  # ¥18,000 in May: above it
    report = estate.check()
    assert found(report) == HONEST | {("budget.decision-required", CSV, 6)}, report.problems


def test_consultation_closed_without_a_decision_is_concluded(estate):
    """Saying a consultation ended without a decision is an answer; leaving it open is a gap."""
    estate.replace(PARKING_MEETING, "date: 2026-10-24", "date: 2026-05-24")
    estate.replace(PARKING, "meetings: [2026-10-24-consultation]\n", "")
    assert ("consultation.not-concluded", PARKING_MEETING, 9) in found(estate.check())
    estate.replace(PARKING_MEETING, "consultation: open", "consultation: closed")
    assert found(estate.check()) == HONEST


def test_an_open_item_in_any_meeting_is_held_to_the_same_limit(estate):
    estate.replace(PARKING_MEETING, "date: 2026-10-24", "date: 2026-05-24")
    estate.replace(PARKING_MEETING, "type: consultation", "type: deliberation")
    estate.replace(PARKING, "meetings: [2026-10-24-consultation]\n", "")
    assert found(estate.check()) - HONEST == {("consultation.not-concluded", PARKING_MEETING, 9)}


def test_a_decided_consultation_record_concludes_its_meeting_and_the_matters_citing_it(estate):
    """A consultation kept as its own record (issue #19 point 8) answers for the meeting
    it was held at and for a matter still marked "in consultation" that cites it."""
    estate.replace(PARKING_MEETING, "date: 2026-10-24", "date: 2026-05-24")
    estate.replace(PARKING, "meetings: [2026-10-24-consultation]\n", "")
    estate.replace(PARKING, "opened: 2026-10-10", "opened: 2026-03-01")
    before = found(estate.check())
    assert {("consultation.not-concluded", PARKING_MEETING, 9)} <= before
    assert any(code == "consultation.not-concluded" and file == PARKING for code, file, _ in before)
    (estate.root / "data/consultations").mkdir(exist_ok=True)
    (estate.root / "data/consultations/C2026-parking.yaml").write_text(
        "id: C2026-parking\ntitle: 地面停车方案征询\nchannel: meeting\nmeeting: 2026-10-24-consultation\n"
        "start: 2026-05-24\nend: 2026-05-24\nstate: decided\nresult: 采用方案二，划线收费\n", encoding="utf-8")
    estate.replace(PARKING, "opened: 2026-03-01", "opened: 2026-03-01\nconsultations: [C2026-parking]")
    after = found(estate.check())
    assert not any(code == "consultation.not-concluded" for code, _, _ in after), after
