"""The contracts download: term, value and payments to date (CSV), every field (JSON)."""

from __future__ import annotations

from typing import Any

from generator.kinds.base import Column, DatasetSpec, TableSpec, url_column
from generator.site.amounts import tally
from generator.site.downloads import ExportContext
from portal_core.i18n import texts


def _lines(c: Any, x: Any) -> list[Any]:
    direction = "income" if c.direction == "receive" else "expenditure"
    return [line for line in x.project.budgets.lines if line.contract == c.id and line.direction == direction]


def _paid(c: Any, x: Any) -> float | None:
    """Recorded actuals only (paid, or received for an income contract); empty while none is recorded."""
    t = tally(_lines(c, x))
    return t.recorded if t.any_recorded or not t.lines else None


COLUMNS = (
    Column("id", "string", texts("kind.contract.column.id.title"), lambda c, x: c.id, constraints={"required": True}),
    Column("title", "string", texts("kind.contract.column.title.title"), lambda c, x: x.text(c.title), constraints={"required": True}),
    Column("counterparty", "string", texts("kind.contract.column.counterparty.title"), lambda c, x: x.text(c.counterparty)),
    Column("start", "date", texts("kind.contract.column.start.title"), lambda c, x: c.start, constraints={"required": True}),
    Column("end", "date", texts("kind.contract.column.end.title"), lambda c, x: c.ended or c.end),
    Column("direction", "string", texts("kind.contract.column.direction.title"), lambda c, x: c.direction,
           constraints={"enum": ["pay", "receive"]}),
    Column("amount", "number", texts("kind.contract.column.amount.title"), lambda c, x: c.amount,
           constraints={"minimum": 0}),
    Column("amount_per", "string", texts("kind.contract.column.amount_per.title"), lambda c, x: c.amount_per,
           constraints={"enum": ["total", "month", "year"]}),
    Column("total", "number", texts("kind.contract.column.total.title"), lambda c, x: c.total(),
           texts("kind.contract.column.total.description")),
    Column("pricing", "string", texts("kind.contract.column.pricing.title"), lambda c, x: x.text(c.pricing)),
    Column("paid", "number", texts("kind.contract.column.paid.title"), _paid,
           texts("kind.contract.column.paid.description")),
    Column("unrecorded", "integer", texts("kind.contract.column.unrecorded.title"),
           lambda c, x: tally(_lines(c, x)).unrecorded),
    Column("fund", "string", texts("kind.contract.column.fund.title"), lambda c, x: c.fund),
    Column("approval", "string", texts("kind.contract.column.approval.title"), lambda c, x: c.approval),
    Column("decision", "string", texts("kind.contract.column.decision.title"), lambda c, x: c.decision),
    Column("status", "string", texts("kind.contract.column.status.title"), lambda c, x: c.status,
           constraints={"enum": ["active", "ended"]}),
    url_column(lambda c, x: x.url(f"contracts/{c.id}.md")),
)


def _contracts(x: ExportContext) -> list[Any]:
    return x.index.models("contract", lambda c: (c.start, c.id))


CONTRACTS = DatasetSpec(
    "contracts", texts("kind.contract.dataset.contracts.title"),
    texts("kind.contract.dataset.contracts.description"),
    (TableSpec("contracts", texts("kind.contract.table.contracts.title"), COLUMNS, _contracts),),
    lambda x: [x.record(c, x.url(f"contracts/{c.id}.md")) for c in _contracts(x)],
)
