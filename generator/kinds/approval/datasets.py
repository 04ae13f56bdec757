"""The approvals download: one row per approval (CSV), every field (JSON)."""

from __future__ import annotations

from typing import Any

from generator.kinds.base import Column, DatasetSpec, TableSpec, url_column
from generator.site.downloads import ExportContext
from portal_core.i18n import texts


def _spent(a: Any, x: Any) -> float:
    lines = [line for line in x.project.budgets.lines if line.approval == a.id and line.direction == "expenditure"]
    return round(sum(line.actual if line.actual is not None else (line.planned or 0) for line in lines), 2)


COLUMNS = (
    Column("id", "string", texts("kind.approval.column.id.title"), lambda a, x: a.id, constraints={"required": True}),
    Column("number", "string", texts("kind.approval.column.number.title"), lambda a, x: a.number),
    Column("title", "string", texts("kind.approval.column.title.title"), lambda a, x: x.text(a.title), constraints={"required": True}),
    Column("date", "date", texts("kind.approval.column.date.title"), lambda a, x: a.date, constraints={"required": True}),
    Column("amount", "number", texts("kind.approval.column.amount.title"), lambda a, x: a.amount,
           constraints={"required": True, "minimum": 0}),
    Column("spent", "number", texts("kind.approval.column.spent.title"), _spent,
           texts("kind.approval.column.spent.description")),
    Column("fund", "string", texts("kind.approval.column.fund.title"), lambda a, x: a.fund, constraints={"required": True}),
    Column("requested_by", "string", texts("kind.approval.column.requested_by.title"), lambda a, x: a.requested_by,
           texts("kind.approval.column.requested_by.description")),
    Column("route", "string", texts("kind.approval.column.route.title"), lambda a, x: " ".join(a.route),
           texts("kind.approval.column.route.description")),
    Column("status", "string", texts("kind.approval.column.status.title"), lambda a, x: a.status,
           constraints={"enum": ["approved", "rejected", "pending"]}),
    Column("read_at", "string", texts("kind.approval.column.read_at.title"), lambda a, x: a.read_at),
    url_column(lambda a, x: x.url(f"approvals/{a.id}.md")),
)


def _approvals(x: ExportContext) -> list[Any]:  # oldest first, as in every table
    return x.index.models("approval", lambda a: (a.date, a.id))


APPROVALS = DatasetSpec(
    "approvals", texts("kind.approval.dataset.approvals.title"),
    texts("kind.approval.dataset.approvals.description"),
    (TableSpec("approvals", texts("kind.approval.table.approvals.title"), COLUMNS, _approvals,
               foreign_keys=(("requested_by", "bodies", "id"),)),),
    lambda x: [x.record(a, x.url(f"approvals/{a.id}.md")) for a in _approvals(x)],
)
