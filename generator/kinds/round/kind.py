"""Participatory budgeting rounds (民生微实事): ``data/rounds/<id>.yaml``; see ``model``."""

from pathlib import Path

from generator.kinds.base import Kind, Section, Target
from generator.kinds.round import ballot, checks, datasets, home, pages, street
from generator.kinds.round.model import Round
from portal_core.i18n import texts

KIND = Kind(
    "round", Round, texts("kind.round.title"), Path(__file__).parent, folder="rounds",
    side_files=("*.ballots.csv",),
    targets=(Target("round", texts("kind.round.target.round"), relatable=True),),
    checks=(checks.check,), sections=(Section("rounds/index.md", texts("kind.round.section.rounds"), 4),),
    pages=pages.build, dates=pages.dates, datasets=(datasets.ROUNDS,), new="new.yaml.j2", editor=10,
    endpoint=ballot.endpoint, files=ballot.files, commands=("generator.kinds.round.cli:round_group",),
    street=street.facts, home=home.BLOCKS,
)
