"""Matters (事项), followed from origin to result: ``data/matters/<id>.yaml``; see ``model``."""

from pathlib import Path

from generator.kinds.base import Kind, Section, Target
from generator.kinds.matter import checks, datasets, pages
from generator.kinds.matter.model import Matter
from portal_core.i18n import texts

KIND = Kind(
    "matter", Matter, texts("kind.matter.title"), Path(__file__).parent, folder="matters",
    targets=(Target("matter", texts("kind.matter.target.matter"), relatable=True, gaps=4),), new="new.yaml.j2", editor=8,
    sections=(Section("matters/index.md", texts("kind.matter.section.matters"), 4),), pages=pages.build, dates=pages.dates,
    datasets=(datasets.MATTERS,), checks=(checks.CHECK,),
)
