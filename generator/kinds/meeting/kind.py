"""Meetings with their agenda, options, votes and decisions: ``data/meetings/<id>.yaml``; see ``model``."""

from pathlib import Path

from generator.kinds.base import Kind, Section, Target
from generator.kinds.meeting import checks, datasets, pages, records, street
from generator.kinds.meeting.model import Meeting
from portal_core.i18n import texts

KIND = Kind(
    "meeting", Meeting, texts("kind.meeting.title"), Path(__file__).parent, folder="meetings",
    targets=(Target("meeting", texts("kind.meeting.target.meeting"), relatable=True),
             Target("decision", texts("kind.meeting.target.decision"), relatable=True),
             Target("option", texts("kind.meeting.target.option")),
             Target("agenda-item", texts("kind.meeting.target.agenda-item")),
             Target("action-item", texts("kind.meeting.target.action-item"))),
    index=records.index, raw_ids=records.raw_ids, checks=(checks.check,),
    sections=(Section("meetings/index.md", texts("kind.meeting.section.meetings"), 2), Section("decisions/index.md", texts("kind.meeting.section.decisions"), 3)), pages=pages.build, dates=pages.dates,
    datasets=(datasets.MEETINGS_DATASET, datasets.DECISIONS_DATASET), new="new.yaml.j2", editor=3,
    street=street.facts,
)
