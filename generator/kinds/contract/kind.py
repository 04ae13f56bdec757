"""Contracts (合同): ``data/contracts/<id>.yaml``; see ``model``."""

from pathlib import Path

from generator.kinds.base import Kind, Section, Target
from generator.kinds.contract import datasets, pages
from generator.kinds.contract.model import Contract

KIND = Kind(
    "contract", Contract, {"zh": "合同", "en": "Contracts"}, Path(__file__).parent, folder="contracts",
    targets=(Target("contract", {"zh": "合同", "en": "contract"}, relatable=True),), new="new.yaml.j2", editor=7,
    sections=(Section("contracts/index.md", {"zh": "合同", "en": "Contracts"}, 11),), pages=pages.build, dates=pages.dates,
    datasets=(datasets.CONTRACTS,),
)
