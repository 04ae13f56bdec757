"""The rules download: one row per rule, one per version; every article in JSON."""

from __future__ import annotations

from generator.kinds.base import Column, DatasetSpec, TableSpec, url_column
from generator.kinds.rule.model import Rule
from generator.kinds.rule.pages import current_version
from generator.site.downloads import ExportContext
from portal_core.i18n import texts

BODY_REF = texts("kind.rule.body_ref")


def _url(r: Rule, x: ExportContext) -> str:
    return x.url(f"rules/{r.id}.md")


RULES = (
    Column("id", "string", texts("kind.rule.column.rules.id.title"), lambda r, x: r.id, constraints={"required": True}),
    Column("title", "string", texts("kind.rule.column.rules.title.title"), lambda r, x: x.text(r.title),
           constraints={"required": True}),
    Column("kind", "string", texts("kind.rule.column.rules.kind.title"), lambda r, x: r.kind,
           texts("kind.rule.column.rules.kind.description")),
    Column("status", "string", texts("kind.rule.column.rules.status.title"), lambda r, x: r.status,
           texts("kind.rule.column.rules.status.description"),
           {"enum": ["draft", "in-force", "repealed"]}),
    Column("body", "string", texts("kind.rule.column.rules.body.title"), lambda r, x: r.body, BODY_REF),
    Column("current_version", "string", texts("kind.rule.column.rules.current_version.title"),
           lambda r, x: current_version(r, x.today).version),
    Column("versions", "integer", texts("kind.rule.column.rules.versions.title"), lambda r, x: len(r.versions)),
    Column("repealed", "date", texts("kind.rule.column.rules.repealed.title"), lambda r, x: r.repealed),
    url_column(_url),
)

VERSIONS = (
    Column("rule", "string", texts("kind.rule.column.versions.rule.title"), lambda rv, x: rv[0].id,
           texts("kind.rule.column.versions.rule.description"), {"required": True}),
    Column("version", "string", texts("kind.rule.column.versions.version.title"), lambda rv, x: rv[1].version,
           constraints={"required": True}),
    Column("effective", "date", texts("kind.rule.column.versions.effective.title"), lambda rv, x: rv[1].effective,
           texts("kind.rule.column.versions.effective.description")),
    Column("adopted_meeting", "string", texts("kind.rule.column.versions.adopted_meeting.title"),
           lambda rv, x: rv[1].adopted_by.meeting if rv[1].adopted_by else None,
           texts("kind.rule.column.versions.adopted_meeting.description")),
    Column("adopted_decision", "string", texts("kind.rule.column.versions.adopted_decision.title"),
           lambda rv, x: rv[1].adopted_by.decision if rv[1].adopted_by else None,
           texts("kind.rule.column.versions.adopted_decision.description")),
    Column("articles", "integer", texts("kind.rule.column.versions.articles.title"), lambda rv, x: len(rv[1].articles)),
    url_column(lambda rv, x: _url(rv[0], x)),
)


def _rules(x: ExportContext) -> list[Rule]:
    return x.index.models("rule", lambda r: r.id)


RULES_DATASET = DatasetSpec(
    "rules", texts("kind.rule.dataset.rules.title"),
    texts("kind.rule.dataset.rules.description"),
    (TableSpec("rules", texts("kind.rule.table.rules.title"), RULES, _rules, foreign_keys=(("body", "bodies", "id"),)),
     TableSpec("rule-versions", texts("kind.rule.table.rule-versions.title"), VERSIONS,
               lambda x: [(r, v) for r in _rules(x) for v in r.versions], primary_key=("rule", "version"),
               foreign_keys=(("rule", "rules", "id"), ("adopted_meeting", "meetings", "id"),
                             ("adopted_decision", "decisions", "id")))),
    lambda x: [x.record(r, _url(r, x)) for r in _rules(x)],
)
