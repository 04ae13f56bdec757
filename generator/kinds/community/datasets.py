"""The bodies download (居委会, 业委会, 议事会 …) from community.yaml."""

from __future__ import annotations

from generator.kinds.base import Column, DatasetSpec, TableSpec, url_column
from generator.kinds.community.model import Body
from generator.site.downloads import ExportContext
from portal_core.i18n import texts


def _url(b: Body, x: ExportContext) -> str:
    return x.url("organisation/index.md") + f"#{b.id}"


COLUMNS = (
    Column("id", "string", texts("kind.community.column.id.title"), lambda b, x: b.id, constraints={"required": True}),
    Column("name", "string", texts("kind.community.column.name.title"), lambda b, x: x.text(b.name), constraints={"required": True}),
    Column("kind", "string", texts("kind.community.column.kind.title"), lambda b, x: b.kind,
           texts("kind.community.column.kind.description")),
    Column("members", "integer", texts("kind.community.column.members.title"), lambda b, x: b.members),
    Column("phone", "string", texts("kind.community.column.phone.title"), lambda b, x: b.phone),
    Column("email", "string", texts("kind.community.column.email.title"), lambda b, x: b.email),
    url_column(_url),
)


def _bodies(x: ExportContext) -> list[Body]:
    return list(x.index.table("body").values())


BODIES = DatasetSpec(
    "bodies", texts("kind.community.dataset.bodies.title"),
    texts("kind.community.dataset.bodies.description"),
    (TableSpec("bodies", texts("kind.community.table.bodies.title"), COLUMNS, _bodies),),
    lambda x: [x.record(b, _url(b, x)) for b in _bodies(x)],
)
