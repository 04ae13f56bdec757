"""Approvals (审批): spending approved by letter, ``data/approvals/<id>.yaml``; see ``model``."""

from pathlib import Path

from generator.kinds.approval import datasets, pages
from generator.kinds.approval.model import Approval
from generator.kinds.base import Kind, Section, Target

KIND = Kind(
    "approval", Approval, {"zh": "审批", "en": "Approvals"}, Path(__file__).parent, folder="approvals",
    targets=(Target("approval", {"zh": "审批", "en": "approval"}, relatable=True),), new="new.yaml.j2", editor=6,
    sections=(Section("approvals/index.md", {"zh": "费用审批", "en": "Approvals"}, 10),), pages=pages.build, dates=pages.dates,
    datasets=(datasets.APPROVALS,),
)
