"""The approvals download: one row per approval (CSV), every field (JSON)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from generator.kinds.base import Column, DatasetSpec, TableSpec, url_column
from generator.site.amounts import tally
from generator.site.downloads import ExportContext
from portal_core.i18n import texts


def _lines(a: Any, x: Any) -> list[Any]:
    return [line for line in x.project.budgets.lines if line.approval == a.id and line.direction == "expenditure"]


def _spent(a: Any, x: Any) -> float | None:
    """Recorded actuals only; empty while no line citing it has one (unknown is not 0)."""
    t = tally(_lines(a, x))
    return t.recorded if t.any_recorded or not t.lines else None


COLUMNS = (
    Column("id", "string", texts("kind.approval.column.id.title"), lambda a, x: a.id, constraints={"required": True}),
    Column("number", "string", texts("kind.approval.column.number.title"), lambda a, x: a.number),
    Column("title", "string", texts("kind.approval.column.title.title"), lambda a, x: x.text(a.title), constraints={"required": True}),
    Column("date", "date", texts("kind.approval.column.date.title"), lambda a, x: a.date),
    Column("submitted", "date", texts("kind.approval.column.submitted.title"), lambda a, x: a.submitted),
    Column("amount", "number", texts("kind.approval.column.amount.title"), lambda a, x: a.amount,
           constraints={"required": True, "minimum": 0}),
    Column("spent", "number", texts("kind.approval.column.spent.title"), _spent,
           texts("kind.approval.column.spent.description")),
    Column("unrecorded", "integer", texts("kind.approval.column.unrecorded.title"),
           lambda a, x: tally(_lines(a, x)).unrecorded, texts("kind.approval.column.unrecorded.description")),
    Column("fund", "string", texts("kind.approval.column.fund.title"), lambda a, x: a.fund, constraints={"required": True}),
    Column("requested_by", "string", texts("kind.approval.column.requested_by.title"), lambda a, x: a.requested_by,
           texts("kind.approval.column.requested_by.description")),
    Column("route", "string", texts("kind.approval.column.route.title"), lambda a, x: " ".join(a.route),
           texts("kind.approval.column.route.description")),
    Column("status", "string", texts("kind.approval.column.status.title"), lambda a, x: a.status,
           constraints={"enum": ["approved", "rejected", "pending", "submitted"]}),
    Column("read_at", "string", texts("kind.approval.column.read_at.title"), lambda a, x: a.read_at),
    url_column(lambda a, x: x.url(f"approvals/{a.id}.md")),
)


def _approvals(x: ExportContext) -> list[Any]:  # oldest first, as in every table
    return x.index.models("approval", lambda a: (a.when or dt.date.min, a.id))


APPROVALS = DatasetSpec(
    "approvals", texts("kind.approval.dataset.approvals.title"),
    texts("kind.approval.dataset.approvals.description"),
    (TableSpec("approvals", texts("kind.approval.table.approvals.title"), COLUMNS, _approvals,
               foreign_keys=(("requested_by", "bodies", "id"),)),),
    lambda x: [x.record(a, x.url(f"approvals/{a.id}.md")) for a in _approvals(x)],
)
