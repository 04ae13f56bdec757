"""Meetings with their agenda, options, votes and decisions: ``data/meetings/<id>.yaml``; see ``model``."""

from pathlib import Path
from typing import Any

from generator.kinds.base import Document, Feed, Kind, Section, Target, UniqueIds
from generator.kinds.meeting import checks, datasets, dates, feeds, home, pages, popolo, records, street, votes
from generator.kinds.meeting.model import Meeting
from portal_core.i18n import texts

#: The demo data names meetings after who meets (2026-12-08-council); by type:
MEETING_SLUGS = {"deliberation": "council", "assembly": "assembly", "owners-assembly": "owners-assembly",
                 "hearing": "hearing", "joint": "joint", "committee": "committee", "consultation": "consultation",
                 "other": "meeting"}


def new_id(today: Any, slug: str | None, options: dict[str, Any]) -> str:
    """A meeting is named after its day and who meets: ``2026-12-08-council``."""
    return f"{today.isoformat()}-{slug or MEETING_SLUGS.get(options.get('meeting_type') or '', 'meeting')}"


KIND = Kind(
    "meeting", Meeting, texts("kind.meeting.title"), Path(__file__).parent, folder="meetings",
    targets=(Target("meeting", texts("kind.meeting.target.meeting"), relatable=True, gaps=5),
             Target("decision", texts("kind.meeting.target.decision"), relatable=True),
             Target("option", texts("kind.meeting.target.option")),
             Target("agenda-item", texts("kind.meeting.target.agenda-item")),
             Target("action-item", texts("kind.meeting.target.action-item"))),
    unique_ids=(UniqueIds("agenda-item", ("agenda",)), UniqueIds("action-item", ("action_items",)),
                UniqueIds("option", ("agenda", "*", "options"))),
    index=records.index, raw_ids=records.raw_ids, checks=(checks.CHECK, dates.CHECK, votes.CHECK),
    sections=(Section("meetings/index.md", texts("kind.meeting.section.meetings"), 2), Section("decisions/index.md", texts("kind.meeting.section.decisions"), 3)), pages=pages.build, dates=pages.dates,
    datasets=(datasets.MEETINGS_DATASET, datasets.DECISIONS_DATASET), new="new.yaml.j2", new_id=new_id, editor=3,
    feeds=(Feed("decisions.xml", feeds.decisions_rss), Feed("meetings.ics", feeds.meetings_ics)), home=home.BLOCKS,
    documents=(Document("popolo.json", "Popolo (JSON)", texts("kind.meeting.document.popolo.title"),
                        texts("kind.meeting.document.popolo.description"), popolo.popolo),),
    street=street.facts,
)
