"""The contracts download: term, value and payments to date (CSV), every field (JSON)."""

from __future__ import annotations

from typing import Any

from generator.kinds.base import Column, DatasetSpec, TableSpec, url_column


def _paid(c: Any, x: Any) -> float:
    lines = [line for line in x.project.budgets.lines if line.contract == c.id and line.direction == "expenditure"]
    return round(sum(line.actual if line.actual is not None else (line.planned or 0) for line in lines), 2)


COLUMNS = (
    Column("id", "string", {"zh": "编号", "en": "Id"}, lambda c, x: c.id, constraints={"required": True}),
    Column("title", "string", {"zh": "标题", "en": "Title"}, lambda c, x: x.text(c.title), constraints={"required": True}),
    Column("counterparty", "string", {"zh": "合同对方", "en": "Counterparty"}, lambda c, x: x.text(c.counterparty)),
    Column("start", "date", {"zh": "起始日期", "en": "Start"}, lambda c, x: c.start, constraints={"required": True}),
    Column("end", "date", {"zh": "终止日期", "en": "End"}, lambda c, x: c.ended or c.end),
    Column("amount", "number", {"zh": "金额（元）", "en": "Amount (CNY)"}, lambda c, x: c.amount,
           constraints={"minimum": 0}),
    Column("amount_per", "string", {"zh": "计价", "en": "Amount per"}, lambda c, x: c.amount_per,
           constraints={"enum": ["total", "month", "year"]}),
    Column("total", "number", {"zh": "合同总额（元）", "en": "Contract value (CNY)"}, lambda c, x: c.total(),
           {"zh": "按期限折算；不定期的按月或按年合同为空", "en": "Over the whole term; empty when open-ended"}),
    Column("paid", "number", {"zh": "已付款（元）", "en": "Paid (CNY)"}, _paid),
    Column("fund", "string", {"zh": "资金", "en": "Fund"}, lambda c, x: c.fund),
    Column("approval", "string", {"zh": "批准审批", "en": "Authorizing approval"}, lambda c, x: c.approval),
    Column("decision", "string", {"zh": "批准决议", "en": "Authorizing decision"}, lambda c, x: c.decision),
    Column("status", "string", {"zh": "状态", "en": "Status"}, lambda c, x: c.status,
           constraints={"enum": ["active", "ended"]}),
    url_column(lambda c, x: x.url(f"contracts/{c.id}.md")),
)


def _contracts(x: Any) -> list[Any]:
    return sorted((d.model for d in x.index.table("contract").values()), key=lambda c: (c.start, c.id))


CONTRACTS = DatasetSpec(
    "contracts", {"zh": "合同", "en": "Contracts"},
    {"zh": "合同对方、期限、金额、批准依据和到目前为止的付款；JSON 含合同内容和附件。",
     "en": "Counterparty, term, value, authorization and payments to date; the JSON adds the subject and documents."},
    (TableSpec("contracts", {"zh": "合同", "en": "Contracts"}, COLUMNS, _contracts),),
    lambda x: [x.record(c, x.url(f"contracts/{c.id}.md")) for c in _contracts(x)],
)
