"""The community profile: ``data/community.yaml`` (bodies, grids, contacts, languages,
finance rules, the editor's settings); see ``model``."""

from pathlib import Path

from generator.kinds.base import Kind, Section, Target
from generator.kinds.community import datasets, pages, records
from generator.kinds.community.model import Community

KIND = Kind(
    "community", Community, {"zh": "社区概况", "en": "Community profile"}, Path(__file__).parent,
    file="community.yaml",
    targets=(Target("body", {"zh": "机构", "en": "body"}), Target("category", {"zh": "服务类别", "en": "service category"}),
             Target("grid", {"zh": "网格", "en": "grid"})),
    index=records.index, sections=(Section("organisation/index.md", {"zh": "组织机构", "en": "Organisation"}, 9),), pages=pages.build,
    datasets=(datasets.BODIES,), editor=0,
)
