"""The bodies download (居委会, 业委会, 议事会 …) from community.yaml."""

from __future__ import annotations

from generator.kinds.base import Column, DatasetSpec, TableSpec, url_column
from generator.kinds.community.model import Body
from generator.site.downloads import ExportContext


def _url(b: Body, x: ExportContext) -> str:
    return x.url("organisation/index.md") + f"#{b.id}"


COLUMNS = (
    Column("id", "string", {"zh": "编号", "en": "Id"}, lambda b, x: b.id, constraints={"required": True}),
    Column("name", "string", {"zh": "名称", "en": "Name"}, lambda b, x: x.text(b.name), constraints={"required": True}),
    Column("kind", "string", {"zh": "类型", "en": "Kind"}, lambda b, x: b.kind,
           {"zh": "组织类型，如 residents-committee（居委会）", "en": "Kind of body, e.g. residents-committee"}),
    Column("members", "integer", {"zh": "成员人数", "en": "Members"}, lambda b, x: b.members),
    Column("phone", "string", {"zh": "对外电话", "en": "Public phone"}, lambda b, x: b.phone),
    Column("email", "string", {"zh": "对外邮箱", "en": "Public e-mail"}, lambda b, x: b.email),
    url_column(_url),
)


def _bodies(x: ExportContext) -> list[Body]:
    return list(x.index.table("body").values())


BODIES = DatasetSpec(
    "bodies", {"zh": "组织机构", "en": "Bodies"},
    {"zh": "社区的议事和管理主体：居委会、业委会、议事会等。",
     "en": "The bodies that govern the community: committees, councils, assemblies."},
    (TableSpec("bodies", {"zh": "组织机构", "en": "Bodies"}, COLUMNS, _bodies),),
    lambda x: [x.record(b, _url(b, x)) for b in _bodies(x)],
)
