"""How community.yaml enters the index: its bodies and service categories, which
other records name (``Ref("body")``, ``Ref("category")``)."""

from __future__ import annotations

from generator.index import Index
from generator.load import Project


def index(project: Project, index: Index) -> None:
    community = project.community
    if community is None:  # nothing to check a body against: community.yaml has its own error
        return
    index.languages = [community.languages.default, *community.languages.others]
    bodies = index.table("body")
    for body in community.bodies:
        bodies.setdefault(body.id, body)
    index.table("category").update({c.id: c for c in community.service_categories})
    index.checkable.update(("body", "category"))
