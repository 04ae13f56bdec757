"""The budget downloads: the package's own tables, republished. Their columns are
the committee's (``data/budgets/datapackage.yaml``), so they are read from its
schemas rather than declared here."""

from __future__ import annotations

import json
from typing import Any

from generator.kinds.budget.package import PACKAGE
from generator.kinds.common import Text
from generator.site.downloads import Dataset, ExportContext, Table, read_csv, slug, typed_records
from generator.tables import load_package
from portal_core.i18n import texts

#: Titles of the budget columns the data contract requires, for the English
#: data dictionary (the package's own schemas carry the Chinese titles).
FIELDS_EN = {
    "id": "Id", "year": "Year", "period": "Period", "fund": "Fund", "direction": "Income or expenditure",
    "category": "Category", "item": "Item", "planned": "Planned (CNY)", "actual": "Actual (CNY)",
    "source": "Source of funds", "decision": "Decision", "note": "Note", "name": "Name",
    "name_en": "English name", "managed_by": "Managed by", "description": "Description",
    "planned_total": "Planned total (CNY)", "actual_total": "Actual total (CNY)", "document": "Published in",
}
LINES = "budget-lines"


def bilingual_schema(source: dict[str, Any]) -> dict[str, Any]:
    """The package's schema, with English titles added for the data dictionary."""
    schema: dict[str, Any] = json.loads(json.dumps(source))
    for f in schema.get("fields", []):
        name = f.get("name", "")
        title = f.get("title") or name
        f["title"] = {"zh": title, "en": FIELDS_EN.get(name, name)}
        if f.get("description"):
            f["description"] = {"zh": f["description"], "en": f["description"]}
    return schema


def datasets(x: ExportContext) -> list[Dataset]:
    info, _ = load_package(x.project.root, PACKAGE)
    if info is None or not info.descriptor:
        return []
    licenses = info.descriptor.get("licenses")
    x.licenses = licenses if isinstance(licenses, list) else []
    table_texts = x.project.tables_text
    resources = {r.get("name"): r for r in info.descriptor.get("resources", []) if isinstance(r, dict)}
    parsed: dict[str, tuple[dict[str, Any], list[list[str]]]] = {}
    for t in info.tables:
        if t.file not in table_texts or not isinstance(resources.get(t.name, {}).get("schema"), dict):
            continue
        schema = bilingual_schema(resources[t.name]["schema"])
        parsed[t.name] = (schema, read_csv(table_texts[t.file], [f["name"] for f in schema["fields"]]))
    out: list[Dataset] = []

    def source_dataset(name: str, title: Text, description: Text, published: str | None = None) -> None:
        if name in parsed:
            schema, rows = parsed[name]
            published = published or name
            table = Table(published, f"{published}.csv", title, schema, rows)
            out.append(Dataset(published, title, description, [table], typed_records(schema, rows)))

    source_dataset("funds", texts("kind.budget.dataset.funds.title"),
                   texts("kind.budget.dataset.funds.description"))
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
        table = Table(LINES, f"{LINES}.csv", texts("kind.budget.table.budget-lines.title"),
                      schema, combined)
        out.append(Dataset(LINES, texts("kind.budget.dataset.budget-lines.title"),
                           texts("kind.budget.dataset.budget-lines.description"),
                           [table], typed_records(schema, combined), copies))
    source_dataset("totals", texts("kind.budget.dataset.totals.title"),
                   texts("kind.budget.dataset.totals.description"))
    known = {"funds", "totals", *(t.name for t in years)}
    taken = {*x.reserved, LINES, *(c.name for d in out for c in (*d.tables, *d.copies))}
    for t in info.tables:
        if t.name not in known and t.name in parsed:
            res = resources[t.name]
            title = res.get("title") or t.name
            published = slug(t.name)
            source_dataset(t.name, title, res.get("description") or title,
                           f"budgets-{published}" if published in taken else published)
    return out
