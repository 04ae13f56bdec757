"""The budget's reference page (``Kind.reference``): a CSV package has no pydantic
model to document its fields, so the page says what the package must hold and
lists the columns of the community's own schema."""

from __future__ import annotations

from pathlib import Path

import yaml

from generator.kinds.budget.model import OPTIONAL_FIELDS, REQUIRED_FIELDS


def pages(data_dir: Path) -> dict[str, str]:
    return {"budgets.md": page(data_dir)}


def page(data_dir: Path) -> str:
    lines = ["# 预算与收支 · Budgets and accounts", "",
             "Where: `data/budgets/`: a [Frictionless Data Package](https://specs.frictionlessdata.io/data-package/) "
             "(`datapackage.yaml`) with one CSV per year (`<year>.csv`, resource `lines-<year>`), "
             "`funds.csv` and `totals.csv`. CSV files are UTF-8 (Excel: “CSV UTF-8”); amounts are digits only.", "",
             "`portal check` validates the tables with frictionless (types, constraints, keys) and then checks: "
             "each line's year matches its file; declared totals equal the sum of their lines to the fen; "
             "every `decision` exists and was adopted; expenditure above the community's "
             "`finance_rules.decision_threshold` has a decision; no personal data in any cell.", "",
             "Optional columns of `lines-<year>`, read when the schema declares them: "
             + ", ".join(f"`{f}`" for f in OPTIONAL_FIELDS["lines"])
             + ". With a tiered `procedures:` in `community.yaml`, every spending line is checked against "
             "the tier that applies (the cited approval or decision took a sufficient route, is approved, covers "
             "the amount, pays from the same fund and predates the payment; payments under a contract and exempt "
             "categories need none; lines that look split are flagged). Those findings are warnings "
             "(governance gaps are published, not hidden); `portal check --strict` makes them errors.", "",
             "In problem reports the column number of a CSV file is the field (column) number.", ""]
    for role, fields in REQUIRED_FIELDS.items():
        lines.append(f"- resource {'`lines-<year>`' if role == 'lines' else f'`{role}`'} must declare: "
                     + ", ".join(f"`{f}`" for f in fields))
    schema_file = data_dir / "budgets" / "budget-lines.schema.yaml"
    if schema_file.exists():
        schema = yaml.safe_load(schema_file.read_text(encoding="utf-8"))
        lines += ["", "## `<year>.csv` columns 列", "", "| column 列 | title 标题 | type | constraints | description |",
                  "|---|---|---|---|---|"]
        for f in schema.get("fields", []):
            cons = ", ".join(f"{k}: {v}" for k, v in (f.get("constraints") or {}).items())
            lines.append(f"| `{f['name']}` | {f.get('title', '')} | {f.get('type', 'string')} | {cons} | "
                         f"{f.get('description', '')} |")
    lines.append("")
    return "\n".join(lines)
