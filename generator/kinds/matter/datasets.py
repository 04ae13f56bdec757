"""The matters download: origin, status and the records each links (CSV), every field (JSON)."""

from __future__ import annotations

from typing import Any

from generator.kinds.base import Column, DatasetSpec, TableSpec, url_column
from generator.site.downloads import ExportContext
from portal_core.i18n import texts

COLUMNS = (
    Column("id", "string", texts("kind.matter.column.id.title"), lambda m, x: m.id, constraints={"required": True}),
    Column("title", "string", texts("kind.matter.column.title.title"), lambda m, x: x.text(m.title), constraints={"required": True}),
    Column("origin", "string", texts("kind.matter.column.origin.title"), lambda m, x: m.origin.kind),
    Column("request", "string", texts("kind.matter.column.request.title"), lambda m, x: m.origin.request),
    Column("opened", "date", texts("kind.matter.column.opened.title"), lambda m, x: m.opened, constraints={"required": True}),
    Column("status", "string", texts("kind.matter.column.status.title"), lambda m, x: m.status,
           constraints={"enum": ["proposed", "consultation", "decided", "in-progress", "done", "abandoned",
                                 "deferred"]}),
    Column("closed", "date", texts("kind.matter.column.closed.title"), lambda m, x: m.closed),
    Column("related", "string", texts("kind.matter.column.related.title"),
           lambda m, x: " ".join([*(f"meeting:{i}" for i in m.meetings), *(f"consultation:{i}" for i in m.consultations),
                                  *(f"notice:{i}" for i in m.notices), *(f"decision:{i}" for i in m.decisions),
                                  *(f"approval:{i}" for i in m.approvals), *(f"contract:{i}" for i in m.contracts),
                                  *(f"budget-line:{b.line}" for b in m.budget_lines)]),
           texts("kind.matter.column.related.description")),
    url_column(lambda m, x: x.url(f"matters/{m.id}.md")),
)


def _matters(x: ExportContext) -> list[Any]:
    return x.index.models("matter", lambda m: (m.opened, m.id))


MATTERS = DatasetSpec(
    "matters", texts("kind.matter.dataset.matters.title"),
    texts("kind.matter.dataset.matters.description"),
    (TableSpec("matters", texts("kind.matter.table.matters.title"), COLUMNS, _matters),),
    lambda x: [x.record(m, x.url(f"matters/{m.id}.md")) for m in _matters(x)],
)
