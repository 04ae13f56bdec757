"""Approvals (审批): spending approved by letter, ``data/approvals/<id>.yaml``; see ``model``."""

from pathlib import Path

from generator.kinds.approval import checks, datasets, feeds, pages
from generator.kinds.approval.model import Approval
from generator.kinds.base import Feed, Kind, Section, Target
from portal_core.i18n import texts

KIND = Kind(
    "approval", Approval, texts("kind.approval.title"), Path(__file__).parent, folder="approvals",
    targets=(Target("approval", texts("kind.approval.target.approval"), relatable=True, gaps=2),), new="new.yaml.j2", editor=6, checks=(checks.check,),
    sections=(Section("approvals/index.md", texts("kind.approval.section.approvals"), 10),), pages=pages.build, dates=pages.dates,
    datasets=(datasets.APPROVALS,), feeds=(Feed("approvals.xml", feeds.approvals_rss),),
)
