"""Rules (居民公约, 管理规约) with their versions: ``data/rules/<id>.yaml``; see ``model``."""

from pathlib import Path

from generator.kinds.base import Kind, Section, Target
from generator.kinds.rule import checks, datasets, pages
from generator.kinds.rule.model import Rule

KIND = Kind(
    "rule", Rule, {"zh": "规约", "en": "Rules"}, Path(__file__).parent, folder="rules",
    targets=(Target("rule", {"zh": "规约", "en": "rule"}, relatable=True),
             Target("rule-version", {"zh": "规约版本", "en": "rule version"}),
             Target("version", {"zh": "版本", "en": "version"}), Target("article", {"zh": "条文", "en": "article"})),
    checks=(checks.check,), sections=(Section("rules/index.md", {"zh": "规约制度", "en": "Rules"}, 4),), pages=pages.build, dates=pages.dates,
    datasets=(datasets.RULES_DATASET,), new="new.yaml.j2", editor=1,
)
