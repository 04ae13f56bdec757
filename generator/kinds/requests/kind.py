"""Requests and replies published from the inbox (诉求办理公开): ``data/requests/<year>.yaml``; see ``model``."""

from pathlib import Path

from generator.kinds.base import Kind, Section, Target
from generator.kinds.requests import pages, records
from generator.kinds.requests.model import RequestLog

KIND = Kind(
    "requests", RequestLog, {"zh": "诉求办理公开", "en": "Requests and replies"}, Path(__file__).parent,
    folder="requests", targets=(Target("request", {"zh": "诉求", "en": "request"}, relatable=True),),
    index=records.index, raw_ids=records.raw_ids,
    sections=(Section("requests/index.md", {"zh": "诉求办理公开", "en": "Requests and replies"}, 8),), pages=pages.build,
    # not in the editor: portal inbox publish writes these files, so edits there would be lost
)
