"""The notices download: a catalogue in CSV (no body text), everything in JSON."""

from __future__ import annotations

from generator.kinds.base import Column, DatasetSpec, TableSpec, url_column
from generator.kinds.notice.model import Notice
from generator.site.downloads import ExportContext

COLUMNS = (
    Column("id", "string", {"zh": "编号", "en": "Id"}, lambda n, x: n.id, constraints={"required": True}),
    Column("title", "string", {"zh": "标题", "en": "Title"}, lambda n, x: x.text(n.title),
           constraints={"required": True}),
    Column("category", "string", {"zh": "类别", "en": "Category"}, lambda n, x: n.category,
           {"zh": "如 public-notice（公示）、announcement（通知）", "en": "e.g. public-notice, announcement"}),
    Column("issuer", "string", {"zh": "发布单位", "en": "Issued by"}, lambda n, x: n.issuer,
           {"zh": "组织机构编号（bodies.csv）", "en": "A body id from bodies.csv"}),
    Column("published", "date", {"zh": "发布日期", "en": "Published"}, lambda n, x: n.published,
           constraints={"required": True}),
    Column("display_until", "date", {"zh": "公示截止", "en": "On display until"}, lambda n, x: n.display_until),
    Column("related", "string", {"zh": "相关信息", "en": "Related"}, lambda n, x: " ".join(n.related),
           {"zh": "类型:编号，空格分隔，如 decision:D2025-03", "en": "kind:id, space-separated, e.g. decision:D2025-03"}),
    url_column(lambda n, x: x.url(f"notices/{n.id}.md")),
)


def _notices(x: ExportContext) -> list[Notice]:  # oldest first, as in every table
    return sorted((d.model for d in x.index.table("notice").values()), key=lambda n: (n.published, n.id))


NOTICES = DatasetSpec(
    "notices", {"zh": "通知公示", "en": "Notices"},
    {"zh": "通知和公示的目录（CSV 不含正文）；JSON 含 Markdown 正文和附件。",
     "en": "Notices and public notices (the CSV has no body text); the JSON has the Markdown text and attachments."},
    (TableSpec("notices", {"zh": "通知公示", "en": "Notices"}, COLUMNS, _notices,
               foreign_keys=(("issuer", "bodies", "id"),)),),
    lambda x: [x.record(n, x.url(f"notices/{n.id}.md")) for n in _notices(x)],
)
