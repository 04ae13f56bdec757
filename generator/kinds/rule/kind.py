"""Rules (居民公约, 管理规约) with their versions: ``data/rules/<id>.yaml``; see ``model``."""

from pathlib import Path

from generator.kinds.base import Kind, Section, Target, UniqueIds
from generator.kinds.rule import checks, datasets, dates, numbering, pages
from generator.kinds.rule.model import Rule
from portal_core.i18n import texts

KIND = Kind(
    "rule", Rule, texts("kind.rule.title"), Path(__file__).parent, folder="rules",
    targets=(Target("rule", texts("kind.rule.target.rule"), relatable=True),
             Target("rule-version", texts("kind.rule.target.rule-version")),
             Target("version", texts("kind.rule.target.version")), Target("article", texts("kind.rule.target.article"))),
    checks=(checks.check, dates.check, numbering.check), unique_ids=(UniqueIds("version", ("versions",), "version"),), sections=(Section("rules/index.md", texts("kind.rule.section.rules"), 4),), pages=pages.build, dates=pages.dates,
    datasets=(datasets.RULES_DATASET,), new="new.yaml.j2", editor=1,
)
