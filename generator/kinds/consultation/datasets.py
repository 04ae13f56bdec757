"""The consultations download: one row per consultation, one per option (amounts with
their own period, never converted), one per comment of an adoption report (summary,
article, outcome, reason: what the committee published, never the comment itself),
every field in JSON."""

from __future__ import annotations

from typing import Any

from generator.kinds.base import Column, DatasetSpec, TableSpec, url_column
from generator.kinds.consultation.model import Consultation
from generator.site.downloads import ExportContext
from portal_core.i18n import texts

_C = "kind.consultation.column."

COLUMNS = (
    Column("id", "string", texts(_C + "id.title"), lambda c, x: c.id, constraints={"required": True}),
    Column("title", "string", texts(_C + "title.title"), lambda c, x: x.text(c.title), constraints={"required": True}),
    Column("channel", "string", texts(_C + "channel.title"), lambda c, x: c.channel, texts(_C + "channel.description"),
           {"required": True, "enum": ["online", "meeting", "paper"]}),
    Column("meeting", "string", texts(_C + "meeting.title"), lambda c, x: c.meeting),
    Column("start", "date", texts(_C + "start.title"), lambda c, x: c.start, constraints={"required": True}),
    Column("end", "date", texts(_C + "end.title"), lambda c, x: c.end),
    Column("state", "string", texts(_C + "state.title"), lambda c, x: c.state, texts(_C + "state.description"),
           {"required": True, "enum": ["open", "closed", "decided"]}),
    Column("options", "integer", texts(_C + "options.title"), lambda c, x: len(c.options)),
    Column("decision", "string", texts(_C + "decision.title"), lambda c, x: c.decision),
    url_column(lambda c, x: x.url(f"consultations/{c.id}.md")),
)

OPTIONS = (
    Column("consultation", "string", texts(_C + "consultation.title"), lambda r, x: r[0].id, constraints={"required": True}),
    Column("option", "string", texts(_C + "option.title"), lambda r, x: r[1].id, constraints={"required": True}),
    Column("title", "string", texts(_C + "option_title.title"), lambda r, x: x.text(r[1].title)),
    Column("amount", "number", texts(_C + "amount.title"), lambda r, x: r[1].amount, texts(_C + "amount.description"),
           {"minimum": 0}),
    Column("per", "string", texts(_C + "per.title"), lambda r, x: r[1].per, texts(_C + "per.description"),
           {"enum": ["day", "month", "year", "once"]}),
    url_column(lambda r, x: x.url(f"consultations/{r[0].id}.md")),
)


COMMENTS = (
    Column("consultation", "string", texts(_C + "consultation.title"), lambda r, x: r[0].id, constraints={"required": True}),
    Column("entry", "integer", texts(_C + "entry.title"), lambda r, x: r[1], texts(_C + "entry.description"),
           {"required": True, "minimum": 1}),
    Column("rule", "string", texts(_C + "rule.title"), lambda r, x: r[0].draft.rule if r[0].draft else None),
    Column("version", "string", texts(_C + "version.title"), lambda r, x: r[0].draft.version if r[0].draft else None),
    Column("article", "string", texts(_C + "article.title"), lambda r, x: r[2].article,
           texts(_C + "article.description"), {"required": True}),
    Column("summary", "string", texts(_C + "summary.title"), lambda r, x: x.text(r[2].summary), constraints={"required": True}),
    Column("count", "integer", texts(_C + "count.title"), lambda r, x: r[2].count, constraints={"minimum": 1}),
    Column("outcome", "string", texts(_C + "outcome.title"), lambda r, x: r[2].outcome, texts(_C + "outcome.description"),
           {"required": True, "enum": ["adopted", "partly", "not-adopted", "out-of-scope"]}),
    Column("reason", "string", texts(_C + "reason.title"), lambda r, x: x.text(r[2].reason) if r[2].reason else None),
    url_column(lambda r, x: x.url(f"consultations/{r[0].id}/report.md")),
)


def _consultations(x: ExportContext) -> list[Consultation]:  # oldest first, as in every table
    return x.index.models("consultation", lambda c: (c.start, c.id))


def _options(x: ExportContext) -> list[tuple[Consultation, Any]]:
    return [(c, o) for c in _consultations(x) for o in c.options]


def _comments(x: ExportContext) -> list[tuple[Consultation, int, Any]]:
    return [(c, i, e) for c in _consultations(x) for i, e in enumerate(c.report or [], 1)]


CONSULTATIONS = DatasetSpec(
    "consultations", texts("kind.consultation.dataset.consultations.title"),
    texts("kind.consultation.dataset.consultations.description"),
    (TableSpec("consultations", texts("kind.consultation.table.consultations.title"), COLUMNS, _consultations,
               foreign_keys=(("meeting", "meetings", "id"),)),
     TableSpec("consultation-options", texts("kind.consultation.table.options.title"), OPTIONS, _options,
               primary_key=("consultation", "option"),
               foreign_keys=(("consultation", "consultations", "id"),)),
     TableSpec("consultation-comments", texts("kind.consultation.table.comments.title"), COMMENTS, _comments,
               primary_key=("consultation", "entry"),
               foreign_keys=(("consultation", "consultations", "id"),))),
    lambda x: [x.record(c, x.url(f"consultations/{c.id}.md")) for c in _consultations(x)],
)
