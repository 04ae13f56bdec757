"""Notices (通知, 公示): ``data/notices/<id>.yaml``; see ``model``."""

from pathlib import Path

from generator.kinds.base import Kind, Section, Target
from generator.kinds.notice import datasets, pages, street
from generator.kinds.notice.model import Notice
from portal_core.i18n import texts

KIND = Kind(
    "notice", Notice, texts("kind.notice.title"), Path(__file__).parent, folder="notices",
    targets=(Target("notice", texts("kind.notice.target.notice"), relatable=True),),
    sections=(Section("notices/index.md", texts("kind.notice.section.notices"), 1),), pages=pages.build, dates=pages.dates,
    datasets=(datasets.NOTICES,), new="new.yaml.j2", editor=4,
    street=street.facts,
)
