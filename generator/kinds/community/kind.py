"""The community profile: ``data/community.yaml`` (bodies, grids, contacts, languages,
finance rules, the editor's settings); see ``model``."""

from pathlib import Path

from generator.kinds.base import Kind, Section, Target, UniqueIds
from generator.kinds.community import datasets, home, pages, records
from generator.kinds.community.model import Community
from portal_core.i18n import texts

KIND = Kind(
    "community", Community, texts("kind.community.title"), Path(__file__).parent,
    file="community.yaml",
    targets=(Target("body", texts("kind.community.target.body")), Target("category", texts("kind.community.target.category")),
             Target("grid", texts("kind.community.target.grid"))),
    unique_ids=(UniqueIds("body", ("bodies",)), UniqueIds("grid", ("grids",)),
                UniqueIds("category", ("service_categories",))),
    index=records.index, sections=(Section("organisation/index.md", texts("kind.community.section.organisation"), 9),), pages=pages.build,
    datasets=(datasets.BODIES,), editor=0, home=home.BLOCKS, shared=home.shared,
)
