"""The service directory (办事指南): ``data/services/<id>.yaml``; see ``model``."""

from pathlib import Path

from generator.kinds.base import Kind, Section, Target
from generator.kinds.service import datasets, pages
from generator.kinds.service.model import Service

KIND = Kind(
    "service", Service, {"zh": "服务指南", "en": "Services"}, Path(__file__).parent, folder="services",
    targets=(Target("service", {"zh": "服务", "en": "service"}, relatable=True),),
    sections=(Section("services/index.md", {"zh": "办事服务", "en": "Services"}, 6),), pages=pages.build, dates=pages.dates,
    datasets=(datasets.SERVICES,), new="new.yaml.j2", editor=2,
)
