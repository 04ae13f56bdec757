"""The approvals download: one row per approval (CSV), every field (JSON)."""

from __future__ import annotations

from typing import Any

from generator.kinds.base import Column, DatasetSpec, TableSpec, url_column


def _spent(a: Any, x: Any) -> float:
    lines = [line for line in x.project.budgets.lines if line.approval == a.id and line.direction == "expenditure"]
    return round(sum(line.actual if line.actual is not None else (line.planned or 0) for line in lines), 2)


COLUMNS = (
    Column("id", "string", {"zh": "编号", "en": "Id"}, lambda a, x: a.id, constraints={"required": True}),
    Column("number", "string", {"zh": "函件文号", "en": "Letter number"}, lambda a, x: a.number),
    Column("title", "string", {"zh": "标题", "en": "Title"}, lambda a, x: x.text(a.title), constraints={"required": True}),
    Column("date", "date", {"zh": "批准日期", "en": "Date"}, lambda a, x: a.date, constraints={"required": True}),
    Column("amount", "number", {"zh": "批准金额（元）", "en": "Amount approved (CNY)"}, lambda a, x: a.amount,
           constraints={"required": True, "minimum": 0}),
    Column("spent", "number", {"zh": "已支出（元）", "en": "Spent (CNY)"}, _spent,
           {"zh": "引用本审批的支出行合计", "en": "Sum of the budget lines citing it"}),
    Column("fund", "string", {"zh": "资金", "en": "Fund"}, lambda a, x: a.fund, constraints={"required": True}),
    Column("requested_by", "string", {"zh": "申请单位", "en": "Requested by"}, lambda a, x: a.requested_by,
           {"zh": "组织机构编号（bodies.csv）", "en": "A body id from bodies.csv"}),
    Column("route", "string", {"zh": "审批程序", "en": "Route"}, lambda a, x: " ".join(a.route),
           {"zh": "按顺序，空格分隔，如 owners-consultation committee-advisers",
            "en": "In order, space-separated, e.g. owners-consultation committee-advisers"}),
    Column("status", "string", {"zh": "审批结果", "en": "Status"}, lambda a, x: a.status,
           constraints={"enum": ["approved", "rejected", "pending"]}),
    Column("read_at", "string", {"zh": "通报会议", "en": "Read out at"}, lambda a, x: a.read_at),
    url_column(lambda a, x: x.url(f"approvals/{a.id}.md")),
)


def _approvals(x: Any) -> list[Any]:  # oldest first, as in every table
    return sorted((d.model for d in x.index.table("approval").values()), key=lambda a: (a.date, a.id))


APPROVALS = DatasetSpec(
    "approvals", {"zh": "费用审批", "en": "Spending approvals"},
    {"zh": "每份审批的金额、资金、申请单位、审批程序、结果和已支出；JSON 含用途、签批和附件。",
     "en": "Each approval's amount, fund, requester, route, status and spending so far; the JSON adds purpose, "
           "signatures and documents."},
    (TableSpec("approvals", {"zh": "费用审批", "en": "Spending approvals"}, COLUMNS, _approvals,
               foreign_keys=(("requested_by", "bodies", "id"),)),),
    lambda x: [x.record(a, x.url(f"approvals/{a.id}.md")) for a in _approvals(x)],
)
