"""Notices (通知, 公示): ``data/notices/<id>.yaml``; see ``model``."""

from pathlib import Path
from typing import Any

from generator.kinds.base import Feed, Kind, Section, Target
from generator.kinds.notice import checks, datasets, feeds, home, pages, street
from generator.kinds.notice.model import Notice
from portal_core.i18n import texts


def new_id(today: Any, slug: str | None, options: dict[str, Any]) -> str:
    """A notice is named after the day it is posted: ``2026-12-08-notice``."""
    return f"{today.isoformat()}-{slug or 'notice'}"


KIND = Kind(
    "notice", Notice, texts("kind.notice.title"), Path(__file__).parent, folder="notices",
    targets=(Target("notice", texts("kind.notice.target.notice"), relatable=True),),
    sections=(Section("notices/index.md", texts("kind.notice.section.notices"), 1),), pages=pages.build, dates=pages.dates,
    datasets=(datasets.NOTICES,), new="new.yaml.j2", new_id=new_id, editor=4, checks=(checks.check,),
    feeds=(Feed("notices.xml", feeds.notices_rss),), home=home.BLOCKS, shared=home.shared,
    street=street.facts,
)
