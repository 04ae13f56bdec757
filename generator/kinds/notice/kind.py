"""Notices (通知, 公示): ``data/notices/<id>.yaml``; see ``model``."""

from pathlib import Path

from generator.kinds.base import Kind, Section, Target
from generator.kinds.notice import datasets, pages
from generator.kinds.notice.model import Notice

KIND = Kind(
    "notice", Notice, {"zh": "通知公示", "en": "Notices"}, Path(__file__).parent, folder="notices",
    targets=(Target("notice", {"zh": "通知", "en": "notice"}, relatable=True),),
    sections=(Section("notices/index.md", {"zh": "通知公示", "en": "Notices"}, 1),), pages=pages.build, dates=pages.dates,
    datasets=(datasets.NOTICES,), new="new.yaml.j2", editor=4,
)
