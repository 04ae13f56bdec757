"""A matter (事项) is assembled from the records it links (issue #13): meetings,
decisions, approvals, contracts and the budget lines that spent under them, as one
dated timeline, on tests/projects/estate."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from generator.kinds.matter.timeline import timeline
from generator.pipeline import load_and_check
from tests.conftest import PROJECTS
from tests.problem_asserts import assert_words, single


@pytest.fixture
def estate(tmp_path: Path) -> Path:
    shutil.copytree(PROJECTS / "estate", tmp_path / "estate")
    return tmp_path / "estate"


def matter_timeline(root: Path, ident: str):
    checked = load_and_check(root, jobs=1)
    doc = next(d for d in checked.project.valid("matter") if d.model.id == ident)
    return timeline(doc.model, checked.project, checked.index)


def test_wall_repair_from_request_to_money_spent(estate):
    t = matter_timeline(estate, "M2025-wall")
    assert [(e.date.isoformat(), e.kind, e.ref) for e in t.events] == [
        ("2025-03-01", "origin", None),
        ("2025-03-03", "opened", None),
        ("2025-03-18", "action", None),
        ("2025-04-05", "meeting", ("meeting", "2025-04-05-consultation")),
        ("2025-04-05", "decision", ("decision", "D2025-01")),
        ("2025-04-05", "action", None),
        ("2025-04-18", "approval", ("approval", "A2025-03")),
        ("2025-05-20", "spending", ("budget-line", "2025-GY-103")),
        ("2025-06-10", "action", None),
        ("2025-06-10", "closed", None),
    ]
    assert (t.sums.recorded, t.sums.unrecorded) == (17650, 0)
    approval = next(e for e in t.events if e.kind == "approval")
    assert (approval.amount, approval.status, approval.detail["route"]) == (
        18000, "approved", ["owners-consultation", "committee-advisers"])


def test_nothing_is_copied_a_new_payment_appears_by_itself(estate):
    """A second payment under the matter's approval shows up without touching the matter."""
    csv = estate / "data/budgets/2025.csv"
    csv.write_text(csv.read_text(encoding="utf-8") + "2025-GY-111,2025,2025-Q3,public-revenue,expenditure,维修养护,"
                   "3幢外墙复查,350,,公共收益,,,A2025-03,,,\n", encoding="utf-8")
    t = matter_timeline(estate, "M2025-wall")
    spending = [e for e in t.events if e.kind == "spending"]
    assert [(e.ref[1], e.period, e.date) for e in spending] == [
        ("2025-GY-103", None, dt.date(2025, 5, 20)), ("2025-GY-111", "2025-Q3", dt.date(2025, 9, 30))]
    # issue #19: a planned amount is never "spent": the blank line is counted and labelled apart
    assert (t.sums.recorded, t.sums.unrecorded, t.sums.unrecorded_planned) == (17650, 1, 350)
    assert spending[1].amount is None and spending[1].detail["sums"].unrecorded_planned == 350


def test_contract_and_abandoned_matter(estate):
    matter = estate / "data/matters/M2025-gym.yaml"
    matter.write_text(matter.read_text(encoding="utf-8") + "contracts: [C2024-01]\n", encoding="utf-8")
    t = matter_timeline(estate, "M2025-gym")
    kinds = [e.kind for e in t.events]
    assert kinds[:3] == ["contract", "spending", "origin"]  # the contract (2024) predates the proposal
    closed = next(e for e in t.events if e.kind == "closed")
    assert (closed.date, closed.status) == (dt.date(2025, 9, 1), "abandoned")
    assert kinds[-1] == "contract-end" and t.sums.recorded == 13500


# -- issue #19, point 9: what a matter may cite, and what it must not drop ---------------

def _append(root: Path, rel: str, text: str) -> None:
    path = root / rel
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


def _check(root: Path):
    return load_and_check(root, jobs=1).report


def test_a_matter_cites_budget_lines_and_notices_directly(estate):
    """A payment with no approval of the matter behind it, an income and a notice
    appear on the timeline; the payment counts as spent, the income does not."""
    (estate / "data/notices").mkdir()
    (estate / "data/notices/2026-10-12-parking.yaml").write_text(
        "id: 2026-10-12-parking\ntitle: 地面停车方案征询公告\ncategory: announcement\nissuer: ywh\n"
        "published: 2026-10-12\nbody: 请业主参加征询。\n", encoding="utf-8")
    _append(estate, "data/matters/M2026-parking.yaml", "notices: [2026-10-12-parking]\nbudget_lines:\n"
            "  - {year: 2025, line: 2025-GY-108}\n  - {year: 2025, line: 2025-GY-001}\n")
    assert [p for p in _check(estate).problems if p.file.startswith("data/matters/")] == []
    t = matter_timeline(estate, "M2026-parking")
    found = {(e.kind, e.ref) for e in t.events}
    assert {("notice", ("notice", "2026-10-12-parking")), ("spending", ("budget-line", "2025-GY-108")),
            ("income", ("budget-line", "2025-GY-001"))} <= found
    income = next(e for e in t.events if e.kind == "income")
    assert (income.amount, income.period, income.date) == (121350, "2025", dt.date(2025, 12, 31))
    assert t.sums.recorded == 1200  # the payment, not the income


def test_a_cited_line_must_exist_in_the_year_named(estate):
    rel = "data/matters/M2026-parking.yaml"
    _append(estate, rel, "budget_lines:\n  - {year: 2026, line: 2025-GY-108}\n  - {year: 2025, line: 2025-GY-999}\n")
    found = [p for p in _check(estate).problems if p.file == rel]
    assert [(p.code, p.line, p.severity) for p in found] == [("ref.unknown", 8, "error"), ("ref.unknown", 9, "error")]
    assert_words(found[1], ["2025-GY-999", "2025-GY-108", ("预算行", "budget line")])


@pytest.mark.parametrize("key", ["notice: [2026-10-12-parking]", "budget_line: [2025-GY-108]",
                                 "consultation: 2026-10-ev", "approval_ids: [A2025-03]"])
def test_an_unknown_key_is_an_error_never_silently_dropped(estate, key):
    rel = "data/matters/M2026-parking.yaml"
    _append(estate, rel, key + "\n")
    p = single(_check(estate), "schema.unknown-field", rel)
    assert (p.severity, p.line) == ("error", 7)
    assert_words(p, [key.split(":")[0], "notices", "budget_lines", "consultations"])


def test_a_done_step_without_its_date_is_a_warning(estate):
    rel = "data/matters/M2026-parking.yaml"
    _append(estate, rel, "action_items:\n  - {id: t1, text: 统计征询意见, owner: 业主委员会, status: done}\n"
            "  - {id: t2, text: 公示结果, owner: 业主委员会, status: done, done: 2026-11-01}\n")
    p = single(_check(estate), "date.done-missing", rel)
    assert (p.severity, p.line) == ("warning", 8)
    assert_words(p, [("完成日期", "completion date"), ("done:", "done:")])


def test_a_matters_page_never_counts_planned_as_spent(estate):
    """Issue #19 point 1: the matter's 已支出 is the recorded actuals; a line with no
    actual yet is counted apart with its planned amount, labelled, in zh and en."""
    from generator.build import render_site

    csv = estate / "data/budgets/2025.csv"
    csv.write_text(csv.read_text(encoding="utf-8") + "2025-GY-111,2025,2025-Q3,public-revenue,expenditure,维修养护,"
                   "3幢外墙复查,350,,公共收益,,,A2025-03,,,\n", encoding="utf-8")
    checked = load_and_check(estate, jobs=1)
    zh = render_site(checked, "zh", "http://localhost:8000/")["matters/M2025-wall.md"].decode()
    assert "<dt>已支出（元）</dt><dd>17,650" in zh and "1 项未填实际金额，预算 350" in zh
    assert "18,000.00</dd>" not in zh
    # the timeline's entry for the blank line says so instead of printing its plan as paid
    entry = next(line for line in zh.splitlines() if "2025-gy-111" in line)
    assert '<span class="gap">未填</span>' in entry and "预算 350" in entry
    en = render_site(checked, "en", "http://localhost:8000/en/")["matters/M2025-wall.md"].decode()
    assert "1 not recorded, planned CNY 350" in en
    index = render_site(checked, "zh", "http://localhost:8000/")["matters/index.md"].decode()
    assert "17,650" in index and "18,000" not in index
