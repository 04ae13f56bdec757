"""Meetings with their agenda, options, votes and decisions: ``data/meetings/<id>.yaml``; see ``model``."""

from pathlib import Path

from generator.kinds.base import Kind, Section, Target
from generator.kinds.meeting import checks, datasets, pages, records
from generator.kinds.meeting.model import Meeting

KIND = Kind(
    "meeting", Meeting, {"zh": "会议", "en": "Meetings"}, Path(__file__).parent, folder="meetings",
    targets=(Target("meeting", {"zh": "会议", "en": "meeting"}, relatable=True),
             Target("decision", {"zh": "决议", "en": "decision"}, relatable=True),
             Target("option", {"zh": "方案", "en": "option"}),
             Target("agenda-item", {"zh": "议题", "en": "agenda item"}),
             Target("action-item", {"zh": "待办事项", "en": "action item"})),
    index=records.index, raw_ids=records.raw_ids, checks=(checks.check,),
    sections=(Section("meetings/index.md", {"zh": "会议", "en": "Meetings"}, 2), Section("decisions/index.md", {"zh": "决议", "en": "Decisions"}, 3)), pages=pages.build, dates=pages.dates,
    datasets=(datasets.MEETINGS_DATASET, datasets.DECISIONS_DATASET), new="new.yaml.j2", editor=3,
)
