"""The service directory download: where, when, who; the JSON adds eligibility and steps."""

from __future__ import annotations

from generator.kinds.base import Column, DatasetSpec, TableSpec, url_column
from generator.kinds.service.model import Service
from generator.site.downloads import ExportContext


def _hours(s: Service, x: ExportContext) -> str:
    return "; ".join(f"{','.join(h.days)} {h.opens}-{h.closes}" for h in s.hours)


def _category(s: Service, x: ExportContext) -> str:
    community = x.project.community
    names = {c.id: c.name for c in community.service_categories} if community else {}
    return x.text(names.get(s.category))


COLUMNS = (
    Column("id", "string", {"zh": "编号", "en": "Id"}, lambda s, x: s.id, constraints={"required": True}),
    Column("name", "string", {"zh": "名称", "en": "Name"}, lambda s, x: x.text(s.name),
           constraints={"required": True}),
    Column("category", "string", {"zh": "类别编号", "en": "Category id"}, lambda s, x: s.category),
    Column("category_name", "string", {"zh": "类别", "en": "Category"}, _category),
    Column("provider", "string", {"zh": "承办单位", "en": "Provided by"}, lambda s, x: x.text(s.provider)),
    Column("provider_body", "string", {"zh": "承办主体", "en": "Providing body"}, lambda s, x: s.provider_body,
           {"zh": "组织机构编号（bodies.csv）", "en": "A body id from bodies.csv"}),
    Column("place", "string", {"zh": "办理地点", "en": "Place"}, lambda s, x: x.text(s.place)),
    Column("hours", "string", {"zh": "办理时间", "en": "Opening hours"}, _hours,
           {"zh": "如 mon,tue 08:30-17:00；多段用分号分隔",
            "en": "e.g. mon,tue 08:30-17:00; several separated by semicolons"}),
    Column("phone", "string", {"zh": "咨询电话", "en": "Phone"}, lambda s, x: s.phone),
    Column("price", "string", {"zh": "收费", "en": "Cost"}, lambda s, x: s.price,
           {"zh": "free 免费、low-cost 低偿、paid 收费", "en": "free, low-cost or paid"},
           {"enum": ["free", "low-cost", "paid"]}),
    Column("time_limit", "string", {"zh": "办理时限", "en": "How long it takes"}, lambda s, x: x.text(s.time_limit)),
    Column("updated", "date", {"zh": "信息核对日期", "en": "Last checked"}, lambda s, x: s.updated),
    url_column(lambda s, x: x.url(f"services/{s.id}.md")),
)


def _services(x: ExportContext) -> list[Service]:
    return sorted((d.model for d in x.index.table("service").values()), key=lambda s: (s.category, s.id))


SERVICES = DatasetSpec(
    "services", {"zh": "办事服务", "en": "Services"},
    {"zh": "办事指南：承办单位、地点、时间、电话。JSON 含办理条件、所需材料和流程。",
     "en": "Service directory: provider, place, hours, phone. The JSON adds eligibility, documents and steps."},
    (TableSpec("services", {"zh": "办事服务", "en": "Services"}, COLUMNS, _services,
               foreign_keys=(("provider_body", "bodies", "id"),)),),
    lambda x: [x.record(s, x.url(f"services/{s.id}.md")) for s in _services(x)],
)
