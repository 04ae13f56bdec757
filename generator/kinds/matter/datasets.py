"""The matters download: origin, status and the records each links (CSV), every field (JSON)."""

from __future__ import annotations

from typing import Any

from generator.kinds.base import Column, DatasetSpec, TableSpec, url_column

COLUMNS = (
    Column("id", "string", {"zh": "编号", "en": "Id"}, lambda m, x: m.id, constraints={"required": True}),
    Column("title", "string", {"zh": "标题", "en": "Title"}, lambda m, x: x.text(m.title), constraints={"required": True}),
    Column("origin", "string", {"zh": "来源", "en": "Origin"}, lambda m, x: m.origin.kind),
    Column("request", "string", {"zh": "来源诉求", "en": "Request"}, lambda m, x: m.origin.request),
    Column("opened", "date", {"zh": "立项日期", "en": "Taken up"}, lambda m, x: m.opened, constraints={"required": True}),
    Column("status", "string", {"zh": "状态", "en": "Status"}, lambda m, x: m.status,
           constraints={"enum": ["proposed", "consultation", "decided", "in-progress", "done", "abandoned",
                                 "deferred"]}),
    Column("closed", "date", {"zh": "结束日期", "en": "Closed"}, lambda m, x: m.closed),
    Column("related", "string", {"zh": "相关记录", "en": "Related"},
           lambda m, x: " ".join([*(f"meeting:{i}" for i in m.meetings), *(f"decision:{i}" for i in m.decisions),
                                  *(f"approval:{i}" for i in m.approvals), *(f"contract:{i}" for i in m.contracts)]),
           {"zh": "类型:编号，空格分隔", "en": "kind:id, space-separated"}),
    url_column(lambda m, x: x.url(f"matters/{m.id}.md")),
)


def _matters(x: Any) -> list[Any]:
    return sorted((d.model for d in x.index.table("matter").values()), key=lambda m: (m.opened, m.id))


MATTERS = DatasetSpec(
    "matters", {"zh": "事项", "en": "Matters"},
    {"zh": "每件事项的来源、状态和相关的会议、决议、审批、合同；JSON 含工作计划和结果。",
     "en": "Each matter's origin, status and linked meetings, decisions, approvals and contracts; the JSON adds "
           "the plan and the result."},
    (TableSpec("matters", {"zh": "事项", "en": "Matters"}, COLUMNS, _matters),),
    lambda x: [x.record(m, x.url(f"matters/{m.id}.md")) for m in _matters(x)],
)
