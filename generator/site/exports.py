"""Files published beside the pages: data downloads, the data package, Popolo,
and (through ``generator.site.feeds``) the feeds and calendars.

Everything lands in the finished site folder after mkdocs ran:

- ``data/<name>.csv`` and ``data/<name>.json`` for every dataset: CSV is plain
  UTF-8 with the default-language text of multilingual fields; JSON keeps the
  full ``{zh: …, en: …}`` maps and the Markdown texts;
- ``data/datapackage.json``: a Frictionless Data Package listing every CSV with
  its Table Schema (types, primary and foreign keys), valid for
  ``frictionless validate``;
- ``data/popolo.json``: bodies, meetings, decisions and votes in the Popolo
  format (https://www.popoloproject.com/specs/);
- ``feeds/`` (per language): RSS for notices and decisions, iCalendar for meetings.

The tables are built once per project (``export``) and shared by the open-data
page (``datasets``: titles, files, sizes and the data dictionary) and
``write_extras``.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import weakref
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from generator.index import Index
from generator.kinds.common import Text, Today, pick
from generator.load import Project
from generator.pipeline import Checked
from generator.site.qr import page_url

DATA_DIR = "data"
TZ = ZoneInfo("Asia/Shanghai")
DEFAULT_SITE_URL = "http://localhost:8000/"

#: Titles of the budget columns the data contract requires, for the English
#: data dictionary (the package's own schemas carry the Chinese titles).
BUDGET_FIELDS_EN = {
    "id": "Id", "year": "Year", "period": "Period", "fund": "Fund", "direction": "Income or expenditure",
    "category": "Category", "item": "Item", "planned": "Planned (CNY)", "actual": "Actual (CNY)",
    "source": "Source of funds", "decision": "Decision", "note": "Note", "name": "Name",
    "name_en": "English name", "managed_by": "Managed by", "description": "Description",
    "planned_total": "Planned total (CNY)", "actual_total": "Actual total (CNY)", "document": "Published in",
}

TYPE_LABELS: dict[str, dict[str, str]] = {
    "string": {"zh": "文本", "en": "text"},
    "integer": {"zh": "整数", "en": "whole number"},
    "number": {"zh": "数字", "en": "number"},
    "date": {"zh": "日期", "en": "date"},
    "boolean": {"zh": "是/否", "en": "true/false"},
}


# --- the tables -------------------------------------------------------------------

@dataclass
class Table:
    """One CSV download and its Table Schema."""

    name: str  #: resource name in datapackage.json
    path: str  #: file name under data/
    title: Text
    schema: dict[str, Any]  #: Table Schema; field titles/descriptions may be {zh, en} maps
    rows: list[list[str]]  #: CSV cells, already formatted

    @property
    def header(self) -> list[str]:
        return [f["name"] for f in self.schema["fields"]]


@dataclass
class Dataset:
    """A download of the open-data page: one or more CSV tables and one JSON file."""

    name: str
    title: Text
    description: Text
    tables: list[Table]
    records: list[Any]  #: the JSON document's records
    #: tables sharing a schema with an earlier one (per-year copies): listed, not described again
    copies: list[Table] = field(default_factory=list)

    @property
    def json_path(self) -> str:
        return f"{self.name}.json"


@dataclass
class Export:
    datasets: list[Dataset]
    popolo: dict[str, Any]
    package: dict[str, Any]  #: the content of datapackage.json
    files: dict[str, bytes]  #: path under data/ -> content


def _f(name: str, type_: str, zh: str, en: str, desc_zh: str = "", desc_en: str = "",
       **constraints: Any) -> dict[str, Any]:
    """A Table Schema field with bilingual title and description."""
    out: dict[str, Any] = {"name": name, "type": type_, "title": {"zh": zh, "en": en}}
    if desc_zh or desc_en:
        out["description"] = {"zh": desc_zh or desc_en, "en": desc_en or desc_zh}
    if type_ == "date":
        out["format"] = "default"
    if constraints:
        out["constraints"] = constraints
    return out


#: Resource names of the tables built from the YAML data.
RESERVED_NAMES = ("bodies", "meetings", "decisions", "rules", "rule-versions", "notices", "services", "budget-lines")

#: Every table links each row to its page on the site.
URL_FIELD: dict[str, Any] = {"name": "url", "type": "string", "format": "uri", "title": {"zh": "网页", "en": "Web page"},
                             "description": {"zh": "本条在网站上的页面", "en": "The record's page on the site"}}


def _schema(fields: list[dict[str, Any]], primary: list[str] | None = None,
            foreign: list[tuple[str, str, str]] | None = None) -> dict[str, Any]:
    schema: dict[str, Any] = {"fields": fields, "missingValues": [""]}
    if primary:
        schema["primaryKey"] = primary
    if foreign:
        schema["foreignKeys"] = [{"fields": [f], "reference": {"resource": res, "fields": [col]}}
                                 for f, res, col in foreign]
    return schema


def _num(value: float | None) -> str:
    """An amount as a CSV cell: no thousands separator, at most two decimals.

    >>> _num(7600.0), _num(31500.5), _num(0.1 + 0.2), _num(None)
    ('7600', '31500.5', '0.3', '')
    """
    if value is None:
        return ""
    text = f"{round(value, 2):.2f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return _num(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _json_value(value: str, type_: str) -> Any:
    """A CSV cell typed by its schema field, for the JSON copy of a source table."""
    if value == "":
        return None
    try:
        if type_ == "integer":
            return int(value)
        if type_ == "number":
            number = float(value)
            return int(number) if number.is_integer() and abs(number) < 2**53 else number
        if type_ == "boolean":
            return value.strip().lower() in ("true", "1", "yes")
    except ValueError:
        pass
    return value


def _dump(model: Any) -> dict[str, Any]:
    return model.model_dump(mode="json", by_alias=True, exclude_none=True)


class _Builder:
    """Builds every dataset of a project; one instance per export."""

    def __init__(self, project: Project, index: Index, site_url: str) -> None:
        self.project, self.index = project, index
        community = project.community
        self.default = community.languages.default if community is not None else "zh"
        self.site_url = site_url.rstrip("/") + "/"
        self.today = Today.get()
        self.licenses: list[dict[str, Any]] = []  #: from the budget package, for datapackage.json

    def text(self, value: Text | None) -> str:
        return pick(value, self.default, self.default)

    def url(self, path: str, anchor: str = "") -> str:
        return page_url(self.site_url, path) + (f"#{anchor.lower()}" if anchor else "")

    # -- YAML kinds ------------------------------------------------------------------
    def meetings(self) -> list[Any]:
        return sorted((d.model for d in self.index.meetings.values()), key=lambda m: (m.date, m.id))

    def bodies_dataset(self) -> Dataset:
        bodies = list(self.index.bodies.values())
        fields = [
            _f("id", "string", "编号", "Id", required=True),
            _f("name", "string", "名称", "Name", required=True),
            _f("kind", "string", "类型", "Kind", "组织类型，如 residents-committee（居委会）",
               "Kind of body, e.g. residents-committee"),
            _f("members", "integer", "成员人数", "Members"),
            _f("phone", "string", "对外电话", "Public phone"),
            _f("email", "string", "对外邮箱", "Public e-mail"),
            URL_FIELD,
        ]
        rows = [[b.id, self.text(b.name), b.kind, _cell(b.members), b.phone or "", b.email or "",
                 self.url("organisation/index.md") + f"#{b.id}"] for b in bodies]
        records = [{**_dump(b), "url": self.url("organisation/index.md") + f"#{b.id}"} for b in bodies]
        table = Table("bodies", "bodies.csv", {"zh": "组织机构", "en": "Bodies"}, _schema(fields, ["id"]), rows)
        return Dataset("bodies", table.title, {"zh": "社区的议事和管理主体：居委会、业委会、议事会等。",
                                               "en": "The bodies that govern the community: committees, councils, assemblies."},
                       [table], records)

    def meetings_dataset(self) -> Dataset:
        fields = [
            _f("id", "string", "编号", "Id", required=True),
            _f("body", "string", "会议主体", "Body", "组织机构编号（bodies.csv）", "A body id from bodies.csv",
               required=True),
            _f("type", "string", "会议类型", "Type", "如 assembly（居民代表大会）、committee（委员会会议）",
               "e.g. assembly, committee, hearing"),
            _f("title", "string", "名称", "Title", required=True),
            _f("date", "date", "日期", "Date", required=True),
            _f("start", "string", "开始时间", "Starts", "北京时间 HH:MM", "HH:MM, China Standard Time (UTC+8)",
               pattern="[0-2][0-9]:[0-5][0-9]"),
            _f("end", "string", "结束时间", "Ends", "北京时间 HH:MM", "HH:MM, China Standard Time (UTC+8)",
               pattern="[0-2][0-9]:[0-5][0-9]"),
            _f("place", "string", "地点", "Place"),
            _f("status", "string", "状态", "Status", "planned 计划召开、held 已召开、cancelled 已取消",
               "planned, held or cancelled", required=True, enum=["planned", "held", "cancelled"]),
            _f("members", "integer", "应到人数", "Members entitled to attend"),
            _f("present", "integer", "实到人数", "Members present"),
            _f("observers", "integer", "列席人数", "Observers"),
            _f("agenda_items", "integer", "议题数", "Agenda items"),
            _f("decisions", "string", "决议编号", "Decisions", "本次会议的决议编号，空格分隔（decisions.csv）",
               "Ids of the decisions taken, space-separated (decisions.csv)"),
            URL_FIELD,
        ]
        rows, records = [], []
        for m in self.meetings():
            a = m.attendance
            decisions = [item.decision.id for item in m.agenda if item.decision]
            url = self.url(f"meetings/{m.id}.md")
            rows.append([m.id, m.body, m.type, self.text(m.title), m.date.isoformat(), m.start or "", m.end or "",
                         self.text(m.place), m.status, _cell(a.members if a else None),
                         _cell(a.present if a else None), _cell(a.observers if a else None),
                         str(len(m.agenda)), " ".join(decisions), url])
            records.append({**_dump(m), "url": url})
        table = Table("meetings", "meetings.csv", {"zh": "会议", "en": "Meetings"},
                      _schema(fields, ["id"], [("body", "bodies", "id")]), rows)
        return Dataset("meetings", table.title,
                       {"zh": "每次会议一行：主体、时间、地点、出席和决议。JSON 含完整议程、方案和会议纪要。",
                        "en": "One row per meeting: body, time, place, attendance, decisions. "
                              "The JSON has the full agenda, options and minutes."},
                       [table], records)

    def spending(self) -> dict[str, list[Any]]:
        out: dict[str, list[Any]] = defaultdict(list)
        for line in self.project.budgets.lines:
            if line.decision:
                out[line.decision].append(line)
        return out

    def decisions_dataset(self) -> Dataset:
        fields = [
            _f("id", "string", "决议编号", "Id", required=True),
            _f("meeting", "string", "会议", "Meeting", "会议编号（meetings.csv）", "A meeting id from meetings.csv",
               required=True),
            _f("date", "date", "决议日期", "Date", required=True),
            _f("item", "string", "议题编号", "Agenda item", "会议内的议题编号", "Agenda item id within the meeting"),
            _f("item_title", "string", "议题", "Agenda item title"),
            _f("text", "string", "决议内容", "Decision", "Markdown 格式", "Markdown"),
            _f("outcome", "string", "结果", "Outcome", "adopted 通过、rejected 未通过、deferred 暂缓",
               "adopted, rejected or deferred", required=True, enum=["adopted", "rejected", "deferred"]),
            _f("for", "integer", "赞成", "For", "赞成票数；未记录表决时为空", "Votes for; blank when no vote was recorded",
               minimum=0),
            _f("against", "integer", "反对", "Against", minimum=0),
            _f("abstain", "integer", "弃权", "Abstain", minimum=0),
            _f("option", "string", "采纳方案编号", "Option chosen"),
            _f("option_title", "string", "采纳方案", "Option chosen (title)"),
            _f("option_cost", "number", "方案预计费用（元）", "Estimated cost of the option (CNY)", minimum=0),
            _f("spending_planned", "number", "相关预算合计（元）", "Planned spending (CNY)",
               "关联该决议的收支明细的预算合计", "Sum of the planned amounts of the budget lines citing this decision",
               minimum=0),
            _f("spending", "number", "相关实际支出合计（元）", "Actual spending (CNY)",
               "关联该决议的收支明细的实际金额合计；没有关联明细时为空",
               "Sum of the actual amounts of the budget lines citing this decision; blank when none", minimum=0),
            _f("budget_lines", "string", "收支明细编号", "Budget lines", "空格分隔（budget-lines.csv）",
               "Space-separated ids (budget-lines.csv)"),
            _f("adopts_rule", "string", "通过的规约", "Rule adopted", "规约编号（rules.csv）", "A rule id from rules.csv"),
            _f("adopts_version", "string", "规约版本", "Rule version adopted"),
            URL_FIELD,
        ]
        spending = self.spending()
        refs = sorted(self.index.decisions.values(), key=lambda r: (r.decision.date or r.meeting.date, r.decision.id))
        rows, records = [], []
        for ref in refs:
            d, m, item = ref.decision, ref.meeting, ref.item
            option = next((o for o in item.options if o.id == d.option), None) if d.option else None
            lines = spending.get(d.id, [])
            planned = round(sum(x.planned or 0 for x in lines), 2) if lines else None
            actual = round(sum(x.actual or 0 for x in lines), 2) if lines else None
            votes = d.votes
            url = self.url(f"meetings/{m.id}.md", d.id)
            rows.append([d.id, m.id, (d.date or m.date).isoformat(), item.id, self.text(item.title), self.text(d.text),
                         d.outcome, _cell(votes.for_ if votes else None), _cell(votes.against if votes else None),
                         _cell(votes.abstain if votes else None), d.option or "",
                         self.text(option.title) if option else "", _cell(option.cost if option else None),
                         _num(planned), _num(actual), " ".join(x.id for x in lines),
                         d.adopts_rule.rule if d.adopts_rule else "", d.adopts_rule.version if d.adopts_rule else "",
                         url])
            records.append({
                "id": d.id, "meeting": m.id, "body": m.body, "date": (d.date or m.date).isoformat(),
                "item": {"id": item.id, "title": item.title}, "text": d.text, "outcome": d.outcome,
                "votes": _dump(votes) if votes else None,
                "option": {**_dump(option)} if option else None,
                "adopts_rule": _dump(d.adopts_rule) if d.adopts_rule else None,
                "spending": {"planned": planned, "actual": actual, "lines": [x.id for x in lines]} if lines else None,
                "url": url,
            })
        table = Table("decisions", "decisions.csv", {"zh": "决议", "en": "Decisions"},
                      _schema(fields, ["id"], [("meeting", "meetings", "id"), ("adopts_rule", "rules", "id")]), rows)
        return Dataset("decisions", table.title,
                       {"zh": "每项决议一行：所属会议和议题、表决票数、结果、采纳的方案和相关支出。",
                        "en": "One row per decision: meeting and agenda item, vote counts, outcome, option chosen "
                              "and linked spending."},
                       [table], records)

    def services_dataset(self) -> Dataset:
        categories = {c.id: c.name for c in self.project.community.service_categories} if self.project.community else {}
        fields = [
            _f("id", "string", "编号", "Id", required=True),
            _f("name", "string", "名称", "Name", required=True),
            _f("category", "string", "类别编号", "Category id"),
            _f("category_name", "string", "类别", "Category"),
            _f("provider", "string", "承办单位", "Provided by"),
            _f("provider_body", "string", "承办主体", "Providing body", "组织机构编号（bodies.csv）",
               "A body id from bodies.csv"),
            _f("place", "string", "办理地点", "Place"),
            _f("hours", "string", "办理时间", "Opening hours", "如 mon,tue 08:30-17:00；多段用分号分隔",
               "e.g. mon,tue 08:30-17:00; several separated by semicolons"),
            _f("phone", "string", "咨询电话", "Phone"),
            _f("price", "string", "收费", "Cost", "free 免费、low-cost 低偿、paid 收费", "free, low-cost or paid",
               enum=["free", "low-cost", "paid"]),
            _f("time_limit", "string", "办理时限", "How long it takes"),
            _f("updated", "date", "信息核对日期", "Last checked"),
            URL_FIELD,
        ]
        services = sorted((d.model for d in self.index.services.values()), key=lambda s: (s.category, s.id))
        rows, records = [], []
        for s in services:
            hours = "; ".join(f"{','.join(h.days)} {h.opens}-{h.closes}" for h in s.hours)
            url = self.url(f"services/{s.id}.md")
            rows.append([s.id, self.text(s.name), s.category, self.text(categories.get(s.category)),
                         self.text(s.provider), s.provider_body or "", self.text(s.place), hours, s.phone or "",
                         s.price, self.text(s.time_limit), _cell(s.updated), url])
            records.append({**_dump(s), "url": url})
        table = Table("services", "services.csv", {"zh": "办事服务", "en": "Services"},
                      _schema(fields, ["id"], [("provider_body", "bodies", "id")]), rows)
        return Dataset("services", table.title,
                       {"zh": "办事指南：承办单位、地点、时间、电话。JSON 含办理条件、所需材料和流程。",
                        "en": "Service directory: provider, place, hours, phone. The JSON adds eligibility, "
                              "documents and steps."},
                       [table], records)

    def notices_dataset(self) -> Dataset:
        fields = [
            _f("id", "string", "编号", "Id", required=True),
            _f("title", "string", "标题", "Title", required=True),
            _f("category", "string", "类别", "Category", "如 public-notice（公示）、announcement（通知）",
               "e.g. public-notice, announcement"),
            _f("issuer", "string", "发布单位", "Issued by", "组织机构编号（bodies.csv）", "A body id from bodies.csv"),
            _f("published", "date", "发布日期", "Published", required=True),
            _f("display_until", "date", "公示截止", "On display until"),
            _f("related", "string", "相关信息", "Related", "类型:编号，空格分隔，如 decision:D2025-03",
               "kind:id, space-separated, e.g. decision:D2025-03"),
            URL_FIELD,
        ]
        notices = sorted((d.model for d in self.index.notices.values()), key=lambda n: (n.published, n.id))
        rows, records = [], []
        for n in notices:
            url = self.url(f"notices/{n.id}.md")
            rows.append([n.id, self.text(n.title), n.category, n.issuer or "", n.published.isoformat(),
                         _cell(n.display_until), " ".join(n.related), url])
            records.append({**_dump(n), "url": url})
        table = Table("notices", "notices.csv", {"zh": "通知公示", "en": "Notices"},
                      _schema(fields, ["id"], [("issuer", "bodies", "id")]), rows)
        return Dataset("notices", table.title,
                       {"zh": "通知和公示的目录（CSV 不含正文）；JSON 含 Markdown 正文和附件。",
                        "en": "Notices and public notices (the CSV has no body text); the JSON has the Markdown "
                              "text and attachments."},
                       [table], records)

    def rules_dataset(self) -> Dataset:
        from generator.site.pages import current_version  # pages imports this module

        rules = sorted((d.model for d in self.index.rules.values()), key=lambda r: r.id)
        rule_fields = [
            _f("id", "string", "编号", "Id", required=True),
            _f("title", "string", "名称", "Title", required=True),
            _f("kind", "string", "类型", "Kind", "如 residents-covenant（居民公约）", "e.g. residents-covenant"),
            _f("status", "string", "状态", "Status", "draft 草案、in-force 生效中、repealed 已废止",
               "draft, in-force or repealed", enum=["draft", "in-force", "repealed"]),
            _f("body", "string", "制定主体", "Body", "组织机构编号（bodies.csv）", "A body id from bodies.csv"),
            _f("current_version", "string", "现行版本", "Current version"),
            _f("versions", "integer", "版本数", "Versions"),
            _f("repealed", "date", "废止日期", "Repealed on"),
            URL_FIELD,
        ]
        version_fields = [
            _f("rule", "string", "规约", "Rule", "规约编号（rules.csv）", "A rule id from rules.csv", required=True),
            _f("version", "string", "版本", "Version", required=True),
            _f("effective", "date", "生效日期", "In force from", required=True),
            _f("adopted_meeting", "string", "通过会议", "Adopted at meeting", "会议编号（meetings.csv）",
               "A meeting id from meetings.csv"),
            _f("adopted_decision", "string", "通过决议", "Adopted by decision", "决议编号（decisions.csv）",
               "A decision id from decisions.csv"),
            _f("articles", "integer", "条数", "Articles"),
            URL_FIELD,
        ]
        rule_rows, version_rows, records = [], [], []
        for r in rules:
            url = self.url(f"rules/{r.id}.md")
            rule_rows.append([r.id, self.text(r.title), r.kind, r.status, r.body or "",
                              current_version(r, self.today).version, str(len(r.versions)), _cell(r.repealed), url])
            for v in r.versions:
                version_rows.append([r.id, v.version, v.effective.isoformat(),
                                     v.adopted_by.meeting if v.adopted_by else "",
                                     (v.adopted_by.decision or "") if v.adopted_by else "", str(len(v.articles)), url])
            records.append({**_dump(r), "url": url})
        rules_table = Table("rules", "rules.csv", {"zh": "规约制度", "en": "Rules"},
                            _schema(rule_fields, ["id"], [("body", "bodies", "id")]), rule_rows)
        versions_table = Table("rule-versions", "rule-versions.csv", {"zh": "规约版本", "en": "Rule versions"},
                               _schema(version_fields, ["rule", "version"],
                                       [("rule", "rules", "id"), ("adopted_meeting", "meetings", "id"),
                                        ("adopted_decision", "decisions", "id")]), version_rows)
        return Dataset("rules", rules_table.title,
                       {"zh": "规约和它们的每个版本（生效日期、通过会议和决议）。JSON 含全部条文。",
                        "en": "Rules and each of their versions (in force from, adopting meeting and decision). "
                              "The JSON has every article."},
                       [rules_table, versions_table], records)

    # -- the budget package ----------------------------------------------------------
    def budget_datasets(self) -> list[Dataset]:
        from generator.tables import load_package

        info, _ = load_package(self.project.root)
        if info is None or not info.descriptor:
            return []
        licenses = info.descriptor.get("licenses")
        self.licenses = licenses if isinstance(licenses, list) else []
        texts = self.project.tables_text
        resources = {r.get("name"): r for r in info.descriptor.get("resources", []) if isinstance(r, dict)}
        parsed: dict[str, tuple[dict[str, Any], list[list[str]]]] = {}
        for t in info.tables:
            if t.file not in texts or not isinstance(resources.get(t.name, {}).get("schema"), dict):
                continue
            schema = _budget_schema(resources[t.name]["schema"])
            parsed[t.name] = (schema, _read_csv(texts[t.file], [f["name"] for f in schema["fields"]]))
        out: list[Dataset] = []

        def source_dataset(name: str, title: Text, description: Text, published: str | None = None) -> None:
            if name in parsed:
                schema, rows = parsed[name]
                published = published or name
                table = Table(published, f"{published}.csv", title, schema, rows)
                out.append(Dataset(published, title, description, [table], _typed_records(schema, rows)))

        source_dataset("funds", {"zh": "资金", "en": "Funds"},
                       {"zh": "社区管理的各项资金（社区经费、公共收益等）。", "en": "The funds the community accounts for."})
        years = sorted((t for t in info.tables if t.role == "lines" and t.name in parsed), key=lambda t: t.name)
        if years:
            schema = json.loads(json.dumps(parsed[years[0].name][0]))
            names = [f["name"] for f in schema["fields"]]
            if "decision" in names:
                schema.setdefault("foreignKeys", []).append(
                    {"fields": ["decision"], "reference": {"resource": "decisions", "fields": ["id"]}})
            combined: list[list[str]] = []
            copies = []
            for t in years:
                year_schema, year_rows = parsed[t.name]
                year_names = [f["name"] for f in year_schema["fields"]]
                if year_names == names:
                    rows = year_rows
                else:  # a year with its own schema: its columns, in the shared order
                    where = [year_names.index(n) if n in year_names else None for n in names]
                    rows = [[row[i] if i is not None else "" for i in where] for row in year_rows]
                combined.extend(rows)
                label = t.name.removeprefix("lines-")
                copies.append(Table(f"budget-{t.name}", f"budget-{t.name}.csv",
                                    {"zh": f"{label} 年收支明细", "en": f"Budget lines {label}"},
                                    json.loads(json.dumps(schema)), rows))
            table = Table("budget-lines", "budget-lines.csv", {"zh": "收支明细（全部年度）", "en": "Budget lines (all years)"},
                          schema, combined)
            out.append(Dataset("budget-lines", {"zh": "收支明细", "en": "Budget lines"},
                               {"zh": "每笔预算和实际收支一行，含资金、类别、金额和批准决议；另有按年度的分表。",
                                "en": "One row per budget line: fund, category, planned and actual amounts and the "
                                      "approving decision; also split by year."},
                               [table], _typed_records(schema, combined), copies))
        source_dataset("totals", {"zh": "公布的合计数", "en": "Declared totals"},
                       {"zh": "纸质公示中公布的各资金收支合计。", "en": "Totals per fund as declared in the paper notices."})
        known = {"funds", "totals", *(t.name for t in years)}
        taken = {*RESERVED_NAMES, *(c.name for d in out for c in (*d.tables, *d.copies))}
        for t in info.tables:
            if t.name not in known and t.name in parsed:
                res = resources[t.name]
                title = res.get("title") or t.name
                published = _slug(t.name)
                source_dataset(t.name, title, res.get("description") or title,
                               f"budgets-{published}" if published in taken else published)
        return out

    def build(self) -> list[Dataset]:
        """Every dataset; the names of the first six are ``RESERVED_NAMES``."""
        out = [self.bodies_dataset(), self.meetings_dataset(), self.decisions_dataset(), self.rules_dataset(),
               self.notices_dataset(), self.services_dataset()]
        out.extend(self.budget_datasets())
        return out


def _budget_schema(source: dict[str, Any]) -> dict[str, Any]:
    """The package's schema, with English titles added for the data dictionary."""
    schema = json.loads(json.dumps(source))
    for f in schema.get("fields", []):
        name = f.get("name", "")
        title = f.get("title") or name
        f["title"] = {"zh": title, "en": BUDGET_FIELDS_EN.get(name, name)}
        if f.get("description"):
            f["description"] = {"zh": f["description"], "en": f["description"]}
    return schema


def _read_csv(text: str, names: list[str]) -> list[list[str]]:
    """Rows of a source table in the order of ``names`` (the schema's fields).

    >>> _read_csv("b,a\\n1,2\\n\\n3,4\\n", ["a", "b", "c"])
    [['2', '1', ''], ['4', '3', '']]
    """
    reader = csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline=""))
    header = [h.strip() for h in next(reader, [])]
    where = [header.index(n) if n in header else None for n in names]
    rows = []
    for cells in reader:
        if not cells:
            continue
        n = len(cells)
        rows.append([cells[i] if i is not None and i < n else "" for i in where])
    return rows


def _typed_records(schema: dict[str, Any], rows: list[list[str]]) -> list[dict[str, Any]]:
    names = [f["name"] for f in schema["fields"]]
    typed = [(i, f.get("type", "string")) for i, f in enumerate(schema["fields"])
             if f.get("type", "string") in ("integer", "number", "boolean")]
    out = []
    for row in rows:
        record = {name: (cell if cell != "" else None) for name, cell in zip(names, row)}
        for i, type_ in typed:
            record[names[i]] = _json_value(row[i], type_)
        out.append(record)
    return out


# --- serialising ------------------------------------------------------------------

def csv_bytes(table: Table) -> bytes:
    """The table as plain UTF-8 CSV (no BOM), values verbatim."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(table.header)
    writer.writerows(table.rows)
    return buf.getvalue().encode("utf-8")


def json_bytes(records: Any) -> bytes:
    """One record per line: readable, diffable and compact."""
    if isinstance(records, list):
        encode = json.JSONEncoder(ensure_ascii=False).encode
        body = ",\n".join(map(encode, records))
        return (f"[\n{body}\n]\n" if records else "[]\n").encode("utf-8")
    return (json.dumps(records, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


def _plain_schema(schema: dict[str, Any], default: str) -> dict[str, Any]:
    """The schema as published: titles and descriptions as single strings."""
    out = json.loads(json.dumps(schema))
    for f in out["fields"]:
        title = f.get("title")
        if isinstance(title, dict):
            f["title"] = title.get(default) or next(iter(title.values()), f["name"])
        desc = f.get("description")
        if isinstance(desc, dict):
            zh, en = desc.get("zh", ""), desc.get("en", "")
            f["description"] = zh if zh == en or not en else f"{zh} / {en}" if zh else en
    return out


def _check_keys(tables: list[Table]) -> None:
    """Drop a primary or foreign key that the data does not satisfy, so the
    published package always validates (the check reports such data as errors,
    so this only matters for data built despite warnings)."""
    by_name = {t.name: t for t in tables}
    for t in tables:
        schema = t.schema
        header = t.header
        pk = schema.get("primaryKey")
        if pk:
            cols = [header.index(c) for c in pk if c in header]
            keys = [tuple(row[i] for i in cols) for row in t.rows]
            if len(cols) != len(pk) or len(set(keys)) != len(keys) or any("" in k for k in keys):
                schema.pop("primaryKey")
        kept = []
        for fk in schema.get("foreignKeys", []):
            ref = fk["reference"]
            target = t if ref.get("resource", "") == "" else by_name.get(ref["resource"])
            if target is None or len(fk["fields"]) != 1 or len(ref["fields"]) != 1:
                continue
            if fk["fields"][0] not in header or ref["fields"][0] not in target.header:
                continue
            i, j = header.index(fk["fields"][0]), target.header.index(ref["fields"][0])
            known = {row[j] for row in target.rows}
            if all(row[i] == "" or row[i] in known for row in t.rows):
                kept.append(fk)
        if kept:
            schema["foreignKeys"] = kept
        else:
            schema.pop("foreignKeys", None)


def _slug(value: str) -> str:
    """A data package name: lowercase letters, digits, ``-``, ``_`` and ``.``.

    >>> _slug("Test_Community 1")
    'test_community-1'
    """
    return re.sub(r"[^a-z0-9._-]+", "-", value.lower()).strip("-") or "community"


def export(project: Project, index: Index, site_url: str | None = None) -> Export:
    """Every download, built once per project, site address and day (cached)."""
    community = project.community
    site_url = site_url or (community.site_url if community is not None else None) or DEFAULT_SITE_URL
    key = (id(project), site_url, Today.get())
    hit = _CACHE.get(key)
    if hit is not None and hit[0]() is project:
        return hit[1]
    result = _export(project, index, site_url)
    _CACHE.clear()  # one project at a time: a build, or a test
    _CACHE[key] = (weakref.ref(project), result)
    return result


_CACHE: dict[tuple[int, str, dt.date], tuple[weakref.ref[Project], Export]] = {}


def _export(project: Project, index: Index, site_url: str) -> Export:
    builder = _Builder(project, index, site_url)
    datasets = builder.build()
    tables = [t for d in datasets for t in (*d.tables, *d.copies)]
    _check_keys(tables)
    default = builder.default
    files: dict[str, bytes] = {}
    resources = []
    for d in datasets:
        for t in (*d.tables, *d.copies):
            data = csv_bytes(t)
            files[t.path] = data
            title = t.title if isinstance(t.title, str) else pick(t.title, default, default)
            resources.append({
                "name": t.name, "path": t.path, "title": title, "profile": "tabular-data-resource",
                "format": "csv", "mediatype": "text/csv", "encoding": "utf-8", "bytes": len(data),
                "schema": _plain_schema(t.schema, default),
            })
        files[d.json_path] = json_bytes(d.records)
    popolo = popolo_export(project, index, builder)
    files["popolo.json"] = json_bytes(popolo)
    name = _slug(community_id(project))
    package: dict[str, Any] = {
        "name": f"{name}-open-data",
        "title": f"{builder.text(project.community.name) if project.community else name} · 开放数据 Open data",
        "profile": "tabular-data-package",
        "homepage": page_url(builder.site_url, "data/index.md"),
        "resources": resources,
    }
    if builder.licenses:
        package["licenses"] = builder.licenses
    files["datapackage.json"] = json_bytes(package)
    return Export(datasets, popolo, package, files)


def community_id(project: Project) -> str:
    return project.community.id if project.community is not None else "community"


# --- Popolo -------------------------------------------------------------------------

def _start(date: dt.date, clock: str | None) -> str:
    """ISO 8601: date and time with the +08:00 offset, or the date alone."""
    if not clock:
        return date.isoformat()
    hour, minute = map(int, clock.split(":"))
    return dt.datetime(date.year, date.month, date.day, hour, minute, tzinfo=TZ).isoformat()


def popolo_export(project: Project, index: Index, builder: _Builder | None = None) -> dict[str, Any]:
    """Bodies as organizations, meetings as events, decisions as motions, and
    their votes as vote events with counts (https://www.popoloproject.com/specs/)."""
    b = builder or _Builder(project, index, DEFAULT_SITE_URL)
    organizations = []
    for body in index.bodies.values():
        org: dict[str, Any] = {"id": body.id, "name": b.text(body.name), "classification": body.kind}
        if isinstance(body.name, dict):
            others = [{"name": text, "note": lang} for lang, text in body.name.items()
                      if lang != b.default and text and text != org["name"]]
            if others:
                org["other_names"] = others
        contacts = [{"type": "voice", "value": body.phone}] if body.phone else []
        contacts += [{"type": "email", "value": body.email}] if body.email else []
        if contacts:
            org["contact_details"] = contacts
        org["links"] = [{"url": b.url("organisation/index.md") + f"#{body.id}", "note": "web page"}]
        organizations.append(org)
    known_orgs = {o["id"] for o in organizations}
    events, motions, vote_events = [], [], []
    for m in b.meetings():
        event: dict[str, Any] = {
            "id": m.id, "name": b.text(m.title), "classification": m.type,
            "start_date": _start(m.date, m.start), "location": b.text(m.place), "status": m.status,
            "sources": [{"url": b.url(f"meetings/{m.id}.md")}],
        }
        if m.end and m.start:
            event["end_date"] = _start(m.date, m.end)
        if m.body in known_orgs:
            event["organization_id"] = m.body
        events.append(event)
        for item in m.agenda:
            d = item.decision
            if d is None:
                continue
            date = d.date or m.date
            when = _start(date, m.start if date == m.date else None)
            result = {"adopted": "pass", "rejected": "fail"}.get(d.outcome)
            motion: dict[str, Any] = {
                "id": d.id, "legislative_session_id": m.id, "text": b.text(d.text), "date": when,
                "sources": [{"url": b.url(f"meetings/{m.id}.md", d.id)}],
            }
            if m.body in known_orgs:
                motion["organization_id"] = m.body
            if result:
                motion["result"] = result
            motions.append(motion)
            if d.votes is not None:
                vote: dict[str, Any] = {
                    "id": f"{d.id}-vote", "motion_id": d.id, "legislative_session_id": m.id, "start_date": when,
                    "counts": [{"option": "yes", "value": d.votes.for_}, {"option": "no", "value": d.votes.against},
                               {"option": "abstain", "value": d.votes.abstain}],
                }
                if m.body in known_orgs:
                    vote["organization_id"] = m.body
                if result:
                    vote["result"] = result
                vote_events.append(vote)
    return {"organizations": organizations, "events": events, "motions": motions, "vote_events": vote_events}


# --- the open-data page ---------------------------------------------------------

def _size(n: int) -> str:
    """
    >>> _size(512), _size(2048), _size(3 * 1024 * 1024)
    ('512 B', '2.0 KB', '3.0 MB')
    """
    if n < 1024:
        return f"{n} B"
    if n < 1024 * 1024:
        return f"{n / 1024:.1f} KB"
    return f"{n / 1024 / 1024:.1f} MB"


def _page_fields(schema: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for f in schema["fields"]:
        t = f.get("type", "string")
        out.append({"name": f["name"], "title": f.get("title") or f["name"], "type": t,
                    "type_label": TYPE_LABELS.get(t, {"zh": t, "en": t}),
                    "description": f.get("description") or "",
                    "required": bool((f.get("constraints") or {}).get("required"))})
    return out


def datasets(project: Project, index: Index, site_url: str | None = None) -> list[dict[str, Any]]:
    """The downloadable datasets, for the open-data page: titles ({zh, en}),
    files under ``data/`` with formats and sizes, and each table's fields (the
    data dictionary). Computed before mkdocs runs, from the same export that
    ``write_extras`` writes.

    The files hold absolute page addresses, so their sizes depend on the site
    address: without ``site_url`` that of community.yaml (or the default) is
    used, and a build with another ``--site-url`` differs by a few bytes a row.
    """
    if project.community is None:
        return []
    ex = export(project, index, site_url)
    out = []
    for d in ex.datasets:
        files = []
        for t in (*d.tables, *d.copies):
            n = len(ex.files[t.path])
            files.append({"path": t.path, "format": "CSV", "title": t.title, "bytes": n, "size": _size(n),
                          "rows": len(t.rows)})
        n = len(ex.files[d.json_path])
        files.append({"path": d.json_path, "format": "JSON", "title": d.title, "bytes": n, "size": _size(n),
                      "rows": len(d.records)})
        out.append({
            "name": d.name, "title": d.title, "description": d.description, "files": files,
            "tables": [{"name": t.name, "path": t.path, "title": t.title, "fields": _page_fields(t.schema),
                        "primary_key": t.schema.get("primaryKey", []),
                        "foreign_keys": [{"field": fk["fields"][0], "resource": fk["reference"]["resource"]}
                                         for fk in t.schema.get("foreignKeys", [])]}
                       for t in d.tables],
        })
    for name, fmt, title, description in WHOLE_SITE_FILES:
        n = len(ex.files[name])
        out.append({"name": name.removesuffix(".json"), "title": title, "description": description, "tables": [],
                    "files": [{"path": name, "format": fmt, "title": title, "bytes": n, "size": _size(n)}]})
    return out


#: Files describing the whole site, listed after the datasets (no tables of their own).
WHOLE_SITE_FILES = (
    ("datapackage.json", "Data Package (JSON)", {"zh": "数据包说明", "en": "Data package"},
     {"zh": "全部 CSV 文件的 Frictionless 数据包描述：字段类型、主键和外键，可用 frictionless validate 校验。",
      "en": "Frictionless Data Package describing every CSV file: field types, primary and foreign keys; "
            "check it with frictionless validate."}),
    ("popolo.json", "Popolo (JSON)", {"zh": "Popolo 格式的会议与表决", "en": "Meetings and votes (Popolo)"},
     {"zh": "组织机构、会议、决议和表决票数，采用 Popolo 开放政府数据标准。",
      "en": "Bodies, meetings, decisions and vote counts in the Popolo open-government format."}),
)


# --- writing ----------------------------------------------------------------------

def lang_url(site_url: str, lang: str, langs: list[str]) -> str:
    """The address of a language's site: the default at /, the others at /<lang>/."""
    return site_url.rstrip("/") + "/" + ("" if lang == langs[0] else f"{lang}/")


def write_extras(checked: Checked, site: Path, langs: list[str], site_url: str) -> None:
    """Write feeds and downloads into the finished site folder."""
    from generator.site import feeds

    project, index = checked.project, checked.index
    if project.community is None:
        return
    ex = export(project, index, site_url)
    data = site / DATA_DIR
    data.mkdir(parents=True, exist_ok=True)
    for name, content in ex.files.items():
        (data / name).write_bytes(content)
    for lang in langs:
        folder = (site if lang == langs[0] else site / lang) / "feeds"
        folder.mkdir(parents=True, exist_ok=True)
        base = lang_url(site_url, lang, langs)
        for name, content in feeds.feeds(project, index, lang, langs[0], base).items():
            (folder / name).write_bytes(content)
