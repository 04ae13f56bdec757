"""Approvals (审批): spending approved by letter, ``data/approvals/<id>.yaml``; see ``model``."""

from pathlib import Path

from generator.kinds.approval.model import Approval
from generator.kinds.base import Kind, Target

KIND = Kind(
    "approval", Approval, {"zh": "审批", "en": "Approvals"}, Path(__file__).parent, folder="approvals",
    targets=(Target("approval", {"zh": "审批", "en": "approval"}, relatable=True),), editor=6,
)
