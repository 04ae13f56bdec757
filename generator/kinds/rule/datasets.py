"""The rules download: one row per rule, one per version; every article in JSON."""

from __future__ import annotations

from generator.kinds.base import Column, DatasetSpec, TableSpec, url_column
from generator.kinds.rule.model import Rule
from generator.kinds.rule.pages import current_version
from generator.site.downloads import ExportContext

BODY_REF = {"zh": "组织机构编号（bodies.csv）", "en": "A body id from bodies.csv"}


def _url(r: Rule, x: ExportContext) -> str:
    return x.url(f"rules/{r.id}.md")


RULES = (
    Column("id", "string", {"zh": "编号", "en": "Id"}, lambda r, x: r.id, constraints={"required": True}),
    Column("title", "string", {"zh": "名称", "en": "Title"}, lambda r, x: x.text(r.title),
           constraints={"required": True}),
    Column("kind", "string", {"zh": "类型", "en": "Kind"}, lambda r, x: r.kind,
           {"zh": "如 residents-covenant（居民公约）", "en": "e.g. residents-covenant"}),
    Column("status", "string", {"zh": "状态", "en": "Status"}, lambda r, x: r.status,
           {"zh": "draft 草案、in-force 生效中、repealed 已废止", "en": "draft, in-force or repealed"},
           {"enum": ["draft", "in-force", "repealed"]}),
    Column("body", "string", {"zh": "制定主体", "en": "Body"}, lambda r, x: r.body, BODY_REF),
    Column("current_version", "string", {"zh": "现行版本", "en": "Current version"},
           lambda r, x: current_version(r, x.today).version),
    Column("versions", "integer", {"zh": "版本数", "en": "Versions"}, lambda r, x: len(r.versions)),
    Column("repealed", "date", {"zh": "废止日期", "en": "Repealed on"}, lambda r, x: r.repealed),
    url_column(_url),
)

VERSIONS = (
    Column("rule", "string", {"zh": "规约", "en": "Rule"}, lambda rv, x: rv[0].id,
           {"zh": "规约编号（rules.csv）", "en": "A rule id from rules.csv"}, {"required": True}),
    Column("version", "string", {"zh": "版本", "en": "Version"}, lambda rv, x: rv[1].version,
           constraints={"required": True}),
    Column("effective", "date", {"zh": "生效日期", "en": "In force from"}, lambda rv, x: rv[1].effective,
           constraints={"required": True}),
    Column("adopted_meeting", "string", {"zh": "通过会议", "en": "Adopted at meeting"},
           lambda rv, x: rv[1].adopted_by.meeting if rv[1].adopted_by else None,
           {"zh": "会议编号（meetings.csv）", "en": "A meeting id from meetings.csv"}),
    Column("adopted_decision", "string", {"zh": "通过决议", "en": "Adopted by decision"},
           lambda rv, x: rv[1].adopted_by.decision if rv[1].adopted_by else None,
           {"zh": "决议编号（decisions.csv）", "en": "A decision id from decisions.csv"}),
    Column("articles", "integer", {"zh": "条数", "en": "Articles"}, lambda rv, x: len(rv[1].articles)),
    url_column(lambda rv, x: _url(rv[0], x)),
)


def _rules(x: ExportContext) -> list[Rule]:
    return sorted((d.model for d in x.index.table("rule").values()), key=lambda r: r.id)


RULES_DATASET = DatasetSpec(
    "rules", {"zh": "规约制度", "en": "Rules"},
    {"zh": "规约和它们的每个版本（生效日期、通过会议和决议）。JSON 含全部条文。",
     "en": "Rules and each of their versions (in force from, adopting meeting and decision). "
           "The JSON has every article."},
    (TableSpec("rules", {"zh": "规约制度", "en": "Rules"}, RULES, _rules, foreign_keys=(("body", "bodies", "id"),)),
     TableSpec("rule-versions", {"zh": "规约版本", "en": "Rule versions"}, VERSIONS,
               lambda x: [(r, v) for r in _rules(x) for v in r.versions], primary_key=("rule", "version"),
               foreign_keys=(("rule", "rules", "id"), ("adopted_meeting", "meetings", "id"),
                             ("adopted_decision", "decisions", "id")))),
    lambda x: [x.record(r, _url(r, x)) for r in _rules(x)],
)
