"""The service directory (办事指南): ``data/services/<id>.yaml``; see ``model``."""

from pathlib import Path

from generator.kinds.base import Kind, Section, Target
from generator.kinds.service import datasets, pages
from generator.kinds.service.model import Service
from portal_core.i18n import texts

KIND = Kind(
    "service", Service, texts("kind.service.title"), Path(__file__).parent, folder="services",
    targets=(Target("service", texts("kind.service.target.service"), relatable=True),),
    sections=(Section("services/index.md", texts("kind.service.section.services"), 6),), pages=pages.build, dates=pages.dates,
    datasets=(datasets.SERVICES,), new="new.yaml.j2", editor=2,
)
