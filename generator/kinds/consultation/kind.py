"""Consultations (征询), online, at a meeting or on paper: ``data/consultations/<id>.yaml``; see ``model``."""

from pathlib import Path

from generator.kinds.base import Feed, Kind, Section, Target
from generator.kinds.consultation import checks, comments, datasets, feeds, home, pages
from generator.kinds.consultation.model import Consultation
from portal_core.i18n import texts

KIND = Kind(
    "consultation", Consultation, texts("kind.consultation.title"), Path(__file__).parent, folder="consultations",
    targets=(Target("consultation", texts("kind.consultation.target.consultation"), relatable=True, gaps=6),
             Target("consultation-option", texts("kind.consultation.target.consultation-option"))),
    checks=(checks.check,), sections=(Section("consultations/index.md", texts("kind.consultation.section.consultations"), 3),),
    pages=pages.build, dates=pages.dates, datasets=(datasets.CONSULTATIONS,), new="new.yaml.j2", editor=9,
    forms=comments.forms, home=home.BLOCKS, feeds=(Feed("consultations.xml", feeds.consultations_rss),),
)
