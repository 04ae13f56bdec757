"""Contracts (合同): ``data/contracts/<id>.yaml``; see ``model``."""

from pathlib import Path

from generator.kinds.base import Kind, Section, Target
from generator.kinds.contract import datasets, pages
from generator.kinds.contract.model import Contract
from portal_core.i18n import texts

KIND = Kind(
    "contract", Contract, texts("kind.contract.title"), Path(__file__).parent, folder="contracts",
    targets=(Target("contract", texts("kind.contract.target.contract"), relatable=True, gaps=3),), new="new.yaml.j2", editor=7,
    sections=(Section("contracts/index.md", texts("kind.contract.section.contracts"), 11),), pages=pages.build, dates=pages.dates,
    datasets=(datasets.CONTRACTS,),
)
