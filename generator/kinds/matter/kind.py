"""Matters (事项), followed from origin to result: ``data/matters/<id>.yaml``; see ``model``."""

from pathlib import Path

from generator.kinds.base import Kind, Section, Target
from generator.kinds.matter import datasets, pages
from generator.kinds.matter.model import Matter

KIND = Kind(
    "matter", Matter, {"zh": "事项", "en": "Matters"}, Path(__file__).parent, folder="matters",
    targets=(Target("matter", {"zh": "事项", "en": "matter"}, relatable=True),), new="new.yaml.j2", editor=8,
    sections=(Section("matters/index.md", {"zh": "事项追踪", "en": "Matters"}, 4),), pages=pages.build, dates=pages.dates,
    datasets=(datasets.MATTERS,),
)
