"""The service directory download: where, when, who; the JSON adds eligibility and steps."""

from __future__ import annotations

from generator.kinds.base import Column, DatasetSpec, TableSpec, url_column
from generator.kinds.service.model import Service
from generator.site.downloads import ExportContext
from portal_core.i18n import texts


def _hours(s: Service, x: ExportContext) -> str:
    return "; ".join(f"{','.join(h.days)} {h.opens}-{h.closes}" for h in s.hours)


def _category(s: Service, x: ExportContext) -> str:
    community = x.project.community
    names = {c.id: c.name for c in community.service_categories} if community else {}
    return x.text(names.get(s.category))


COLUMNS = (
    Column("id", "string", texts("kind.service.column.id.title"), lambda s, x: s.id, constraints={"required": True}),
    Column("name", "string", texts("kind.service.column.name.title"), lambda s, x: x.text(s.name),
           constraints={"required": True}),
    Column("category", "string", texts("kind.service.column.category.title"), lambda s, x: s.category),
    Column("category_name", "string", texts("kind.service.column.category_name.title"), _category),
    Column("provider", "string", texts("kind.service.column.provider.title"), lambda s, x: x.text(s.provider)),
    Column("provider_body", "string", texts("kind.service.column.provider_body.title"), lambda s, x: s.provider_body,
           texts("kind.service.column.provider_body.description")),
    Column("place", "string", texts("kind.service.column.place.title"), lambda s, x: x.text(s.place)),
    Column("hours", "string", texts("kind.service.column.hours.title"), _hours,
           texts("kind.service.column.hours.description")),
    Column("phone", "string", texts("kind.service.column.phone.title"), lambda s, x: s.phone),
    Column("price", "string", texts("kind.service.column.price.title"), lambda s, x: s.price,
           texts("kind.service.column.price.description"),
           {"enum": ["free", "low-cost", "paid"]}),
    Column("time_limit", "string", texts("kind.service.column.time_limit.title"), lambda s, x: x.text(s.time_limit)),
    Column("updated", "date", texts("kind.service.column.updated.title"), lambda s, x: s.updated),
    url_column(lambda s, x: x.url(f"services/{s.id}.md")),
)


def _services(x: ExportContext) -> list[Service]:
    return x.index.models("service", lambda s: (s.category, s.id))


SERVICES = DatasetSpec(
    "services", texts("kind.service.dataset.services.title"),
    texts("kind.service.dataset.services.description"),
    (TableSpec("services", texts("kind.service.table.services.title"), COLUMNS, _services,
               foreign_keys=(("provider_body", "bodies", "id"),)),),
    lambda x: [x.record(s, x.url(f"services/{s.id}.md")) for s in _services(x)],
)
