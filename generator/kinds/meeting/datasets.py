"""The meetings and decisions downloads; the JSON has the full agenda, options and minutes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from generator.kinds.base import Column, DatasetSpec, TableSpec, url_column
from generator.kinds.budget.pages import spending_by_decision
from generator.kinds.meeting.model import Meeting
from generator.kinds.meeting.records import DecisionRef
from generator.site.downloads import ExportContext

HHMM = {"zh": "北京时间 HH:MM", "en": "HH:MM, China Standard Time (UTC+8)"}


def _meetings(x: ExportContext) -> list[Meeting]:  # oldest first
    return sorted((d.model for d in x.index.table("meeting").values()), key=lambda m: (m.date, m.id))


def _attendance(name: str) -> Callable[[Meeting, ExportContext], int | None]:
    return lambda m, x: getattr(m.attendance, name) if m.attendance else None


MEETINGS = (
    Column("id", "string", {"zh": "编号", "en": "Id"}, lambda m, x: m.id, constraints={"required": True}),
    Column("body", "string", {"zh": "会议主体", "en": "Body"}, lambda m, x: m.body,
           {"zh": "组织机构编号（bodies.csv）", "en": "A body id from bodies.csv"}, {"required": True}),
    Column("type", "string", {"zh": "会议类型", "en": "Type"}, lambda m, x: m.type,
           {"zh": "如 assembly（居民代表大会）、committee（委员会会议）", "en": "e.g. assembly, committee, hearing"}),
    Column("title", "string", {"zh": "名称", "en": "Title"}, lambda m, x: x.text(m.title),
           constraints={"required": True}),
    Column("date", "date", {"zh": "日期", "en": "Date"}, lambda m, x: m.date, constraints={"required": True}),
    Column("start", "string", {"zh": "开始时间", "en": "Starts"}, lambda m, x: m.start, HHMM,
           {"pattern": "[0-2][0-9]:[0-5][0-9]"}),
    Column("end", "string", {"zh": "结束时间", "en": "Ends"}, lambda m, x: m.end, HHMM,
           {"pattern": "[0-2][0-9]:[0-5][0-9]"}),
    Column("place", "string", {"zh": "地点", "en": "Place"}, lambda m, x: x.text(m.place)),
    Column("status", "string", {"zh": "状态", "en": "Status"}, lambda m, x: m.status,
           {"zh": "planned 计划召开、held 已召开、cancelled 已取消", "en": "planned, held or cancelled"},
           {"required": True, "enum": ["planned", "held", "cancelled"]}),
    Column("members", "integer", {"zh": "应到人数", "en": "Members entitled to attend"}, _attendance("members")),
    Column("present", "integer", {"zh": "实到人数", "en": "Members present"}, _attendance("present")),
    Column("observers", "integer", {"zh": "列席人数", "en": "Observers"}, _attendance("observers")),
    Column("agenda_items", "integer", {"zh": "议题数", "en": "Agenda items"}, lambda m, x: len(m.agenda)),
    Column("decisions", "string", {"zh": "决议编号", "en": "Decisions"},
           lambda m, x: " ".join(item.decision.id for item in m.agenda if item.decision),
           {"zh": "本次会议的决议编号，空格分隔（decisions.csv）",
            "en": "Ids of the decisions taken, space-separated (decisions.csv)"}),
    url_column(lambda m, x: x.url(f"meetings/{m.id}.md")),
)

MEETINGS_DATASET = DatasetSpec(
    "meetings", {"zh": "会议", "en": "Meetings"},
    {"zh": "每次会议一行：主体、时间、地点、出席和决议。JSON 含完整议程、方案和会议纪要。",
     "en": "One row per meeting: body, time, place, attendance, decisions. "
           "The JSON has the full agenda, options and minutes."},
    (TableSpec("meetings", {"zh": "会议", "en": "Meetings"}, MEETINGS, _meetings,
               foreign_keys=(("body", "bodies", "id"),)),),
    lambda x: [x.record(m, x.url(f"meetings/{m.id}.md")) for m in _meetings(x)],
)


class _Row:
    """A decision with what its row shows: the option chosen and the spending citing it."""

    def __init__(self, ref: DecisionRef, x: ExportContext) -> None:
        self.ref, self.d, self.m, self.item = ref, ref.decision, ref.meeting, ref.item
        self.option = next((o for o in self.item.options if o.id == self.d.option), None) if self.d.option else None
        self.lines = x.once("spending", lambda: spending_by_decision(x.project)).get(self.d.id, [])
        self.planned = round(sum(v.planned or 0 for v in self.lines), 2) if self.lines else None
        self.actual = round(sum(v.actual or 0 for v in self.lines), 2) if self.lines else None
        self.url = x.url(f"meetings/{self.m.id}.md", self.d.id)
        self.date = self.d.date or self.m.date


def _rows(x: ExportContext) -> list[_Row]:
    refs = sorted(x.index.table("decision").values(), key=lambda r: (r.decision.date or r.meeting.date, r.decision.id))
    return x.once("decision-rows", lambda: [_Row(ref, x) for ref in refs])


def _votes(name: str) -> Callable[[_Row, ExportContext], int | None]:
    return lambda r, x: getattr(r.d.votes, name) if r.d.votes else None


DECISIONS = (
    Column("id", "string", {"zh": "决议编号", "en": "Id"}, lambda r, x: r.d.id, constraints={"required": True}),
    Column("meeting", "string", {"zh": "会议", "en": "Meeting"}, lambda r, x: r.m.id,
           {"zh": "会议编号（meetings.csv）", "en": "A meeting id from meetings.csv"}, {"required": True}),
    Column("date", "date", {"zh": "决议日期", "en": "Date"}, lambda r, x: r.date, constraints={"required": True}),
    Column("item", "string", {"zh": "议题编号", "en": "Agenda item"}, lambda r, x: r.item.id,
           {"zh": "会议内的议题编号", "en": "Agenda item id within the meeting"}),
    Column("item_title", "string", {"zh": "议题", "en": "Agenda item title"}, lambda r, x: x.text(r.item.title)),
    Column("text", "string", {"zh": "决议内容", "en": "Decision"}, lambda r, x: x.text(r.d.text),
           {"zh": "Markdown 格式", "en": "Markdown"}),
    Column("outcome", "string", {"zh": "结果", "en": "Outcome"}, lambda r, x: r.d.outcome,
           {"zh": "adopted 通过、rejected 未通过、deferred 暂缓", "en": "adopted, rejected or deferred"},
           {"required": True, "enum": ["adopted", "rejected", "deferred"]}),
    Column("for", "integer", {"zh": "赞成", "en": "For"}, _votes("for_"),
           {"zh": "赞成票数；未记录表决时为空", "en": "Votes for; blank when no vote was recorded"}, {"minimum": 0}),
    Column("against", "integer", {"zh": "反对", "en": "Against"}, _votes("against"), constraints={"minimum": 0}),
    Column("abstain", "integer", {"zh": "弃权", "en": "Abstain"}, _votes("abstain"), constraints={"minimum": 0}),
    Column("option", "string", {"zh": "采纳方案编号", "en": "Option chosen"}, lambda r, x: r.d.option),
    Column("option_title", "string", {"zh": "采纳方案", "en": "Option chosen (title)"},
           lambda r, x: x.text(r.option.title) if r.option else None),
    Column("option_cost", "number", {"zh": "方案预计费用（元）", "en": "Estimated cost of the option (CNY)"},
           lambda r, x: r.option.cost if r.option else None, constraints={"minimum": 0}),
    Column("spending_planned", "number", {"zh": "相关预算合计（元）", "en": "Planned spending (CNY)"},
           lambda r, x: r.planned,
           {"zh": "关联该决议的收支明细的预算合计", "en": "Sum of the planned amounts of the budget lines citing this decision"},
           {"minimum": 0}),
    Column("spending", "number", {"zh": "相关实际支出合计（元）", "en": "Actual spending (CNY)"}, lambda r, x: r.actual,
           {"zh": "关联该决议的收支明细的实际金额合计；没有关联明细时为空",
            "en": "Sum of the actual amounts of the budget lines citing this decision; blank when none"},
           {"minimum": 0}),
    Column("budget_lines", "string", {"zh": "收支明细编号", "en": "Budget lines"},
           lambda r, x: " ".join(v.id for v in r.lines),
           {"zh": "空格分隔（budget-lines.csv）", "en": "Space-separated ids (budget-lines.csv)"}),
    Column("adopts_rule", "string", {"zh": "通过的规约", "en": "Rule adopted"},
           lambda r, x: r.d.adopts_rule.rule if r.d.adopts_rule else None,
           {"zh": "规约编号（rules.csv）", "en": "A rule id from rules.csv"}),
    Column("adopts_version", "string", {"zh": "规约版本", "en": "Rule version adopted"},
           lambda r, x: r.d.adopts_rule.version if r.d.adopts_rule else None),
    url_column(lambda r, x: r.url),
)


def _decision_records(x: ExportContext) -> list[dict[str, Any]]:
    out = []
    for r in _rows(x):
        d = r.d
        out.append({
            "id": d.id, "meeting": r.m.id, "body": r.m.body, "date": r.date.isoformat(),
            "item": {"id": r.item.id, "title": r.item.title}, "text": d.text, "outcome": d.outcome,
            "votes": x.dump(d.votes) if d.votes else None,
            "option": {**x.dump(r.option)} if r.option else None,
            "adopts_rule": x.dump(d.adopts_rule) if d.adopts_rule else None,
            "spending": {"planned": r.planned, "actual": r.actual, "lines": [v.id for v in r.lines]} if r.lines else None,
            "url": r.url,
        })
    return out


DECISIONS_DATASET = DatasetSpec(
    "decisions", {"zh": "决议", "en": "Decisions"},
    {"zh": "每项决议一行：所属会议和议题、表决票数、结果、采纳的方案和相关支出。",
     "en": "One row per decision: meeting and agenda item, vote counts, outcome, option chosen and linked spending."},
    (TableSpec("decisions", {"zh": "决议", "en": "Decisions"}, DECISIONS, _rows,
               foreign_keys=(("meeting", "meetings", "id"), ("adopts_rule", "rules", "id"))),),
    _decision_records,
)
