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
    assert t.spent == 17650
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
    assert t.spent == 18000  # planned counts while the actual amount is blank


def test_contract_and_abandoned_matter(estate):
    matter = estate / "data/matters/M2025-gym.yaml"
    matter.write_text(matter.read_text(encoding="utf-8") + "contracts: [C2024-01]\n", encoding="utf-8")
    t = matter_timeline(estate, "M2025-gym")
    kinds = [e.kind for e in t.events]
    assert kinds[:3] == ["contract", "spending", "origin"]  # the contract (2024) predates the proposal
    closed = next(e for e in t.events if e.kind == "closed")
    assert (closed.date, closed.status) == (dt.date(2025, 9, 1), "abandoned")
    assert kinds[-1] == "contract-end" and t.spent == 13500
