"""The notices download: a catalogue in CSV (no body text), everything in JSON."""

from __future__ import annotations

from generator.kinds.base import Column, DatasetSpec, TableSpec, url_column
from generator.kinds.notice.model import Notice
from generator.site.downloads import ExportContext
from portal_core.i18n import texts

COLUMNS = (
    Column("id", "string", texts("kind.notice.column.id.title"), lambda n, x: n.id, constraints={"required": True}),
    Column("title", "string", texts("kind.notice.column.title.title"), lambda n, x: x.text(n.title),
           constraints={"required": True}),
    Column("category", "string", texts("kind.notice.column.category.title"), lambda n, x: n.category,
           texts("kind.notice.column.category.description")),
    Column("issuer", "string", texts("kind.notice.column.issuer.title"), lambda n, x: n.issuer,
           texts("kind.notice.column.issuer.description")),
    Column("published", "date", texts("kind.notice.column.published.title"), lambda n, x: n.published,
           constraints={"required": True}),
    Column("display_until", "date", texts("kind.notice.column.display_until.title"), lambda n, x: n.display_until),
    Column("related", "string", texts("kind.notice.column.related.title"), lambda n, x: " ".join(n.related),
           texts("kind.notice.column.related.description")),
    url_column(lambda n, x: x.url(f"notices/{n.id}.md")),
)


def _notices(x: ExportContext) -> list[Notice]:  # oldest first, as in every table
    return x.index.models("notice", lambda n: (n.published, n.id))


NOTICES = DatasetSpec(
    "notices", texts("kind.notice.dataset.notices.title"),
    texts("kind.notice.dataset.notices.description"),
    (TableSpec("notices", texts("kind.notice.table.notices.title"), COLUMNS, _notices,
               foreign_keys=(("issuer", "bodies", "id"),)),),
    lambda x: [x.record(n, x.url(f"notices/{n.id}.md")) for n in _notices(x)],
)
