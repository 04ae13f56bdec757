"""Requests and replies published from the inbox (诉求办理公开): ``data/requests/<year>.yaml``; see ``model``."""

from pathlib import Path

from generator.kinds.base import Kind, Section, Target
from generator.kinds.requests import checks, home, open311, pages, records, street
from generator.kinds.requests.model import RequestLog
from generator.loading import ledger
from portal_core.i18n import texts

KIND = Kind(
    "requests", RequestLog, texts("kind.requests.title"), Path(__file__).parent,
    folder="requests", side_files=(ledger.NAME,), checks=(checks.check,), targets=(Target("request", texts("kind.requests.target.request"), relatable=True),),
    index=records.index, raw_ids=records.raw_ids, files=open311.files,
    home=home.BLOCKS, shared=home.shared,
    sections=(Section("requests/index.md", texts("kind.requests.section.requests"), 8),), pages=pages.build,
    street=street.facts,
    # not in the editor: portal inbox publish writes these files, so edits there would be lost
)
