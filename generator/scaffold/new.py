"""``portal new KIND``: one data file, prefilled (today's date, the next free
id, the community's own bodies and categories) with a Chinese hint for every
field as a YAML comment, and the list of required blanks left to fill.

A required blank is a key with no value and a ``# 必填：…`` comment, so until it
is filled ``portal check`` reports it at that very line; the hints avoid
anything the personal-data scan would flag (no mobile numbers, no e-mail).

A budget year is CSV, which has no comments: its hints go into the
``datapackage.yaml`` resource entry that is added with it, and into the
printed list of blanks.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from generator import registry
from generator.kinds.common import Today
from generator.scaffold import ids
from generator.scaffold.templating import ScaffoldError, known, render_file
from portal_core import i18n

#: A year of the budget package is a CSV file and a resource, not a YAML record.
BUDGET_YEAR = "budget-year"


def kinds() -> tuple[str, ...]:
    """What ``portal new`` creates: every kind with a ``new`` template, and a budget year."""
    return (*(k.name for k in registry.KINDS if k.new and k.folder), BUDGET_YEAR)


MEETING_TYPES = ("deliberation", "assembly", "owners-assembly", "hearing", "joint", "committee", "consultation", "other")
LINE_COLUMNS = ["id", "year", "period", "fund", "direction", "category", "item", "planned", "actual", "source",
                "decision", "note"]
_SLUG = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
#: Ids are at most 80 characters (``kinds.common.Id``); a notice's is
#: ``<date>-<slug>[-n]``, so this leaves room for both. It also keeps the file
#: name far below the 255 bytes a filesystem allows (a 300-character slug was
#: an ``OSError`` traceback).
MAX_SLUG = 60
_BLANK = re.compile(r"^\s*(?:-\s+)?(?P<key>[A-Za-z_]+):\s*#\s*必填[:：]?\s*(?P<hint>.*?)\s*$")


@dataclass
class Blank:
    """A required value still missing: where, which field, and what to write."""

    file: str
    line: int
    field: str
    hint: str
    column: int | None = None

    def where(self) -> str:
        return f"{self.file}:{self.line}" + (f":{self.column}" if self.column else "")


@dataclass
class NewResult:
    files: list[str] = field(default_factory=list)  # created or changed, relative to the project
    blanks: list[Blank] = field(default_factory=list)


def new_record(root: Path, kind: str, date: dt.date | None = None, slug: str | None = None,
               body: str | None = None, meeting_type: str = "committee", year: int | None = None,
               fund: str | None = None, title: str | None = None) -> NewResult:
    """Create one ``kind`` record in the project at ``root``."""
    root = Path(root)
    if kind not in kinds():
        raise ScaffoldError("cli.new.unknown-kind", kind=kind, **known(list(kinds())))
    community = _community(root)
    if slug is not None:
        slug = check_slug(slug)
    if kind == BUDGET_YEAR:
        return _budget_year(root, year, fund)
    today = date or Today.get()
    bodies = [str(b["id"]) for b in community.get("bodies") or [] if isinstance(b, dict) and b.get("id")]
    if body is not None and body not in bodies:
        raise ScaffoldError("cli.new.unknown-body", body=body, **known(bodies))
    body = body or _default_body(community)
    if meeting_type not in MEETING_TYPES:
        raise ScaffoldError("cli.new.meeting-type", **known(list(MEETING_TYPES)))
    spec = registry.by_name()[kind]
    folder = root / "data" / str(spec.folder)
    options = {"meeting_type": meeting_type, "body": body}
    record_id = ids.free_id(folder, spec.new_id(today, slug, options) if spec.new_id else slug or kind)
    categories = [c.get("id") for c in community.get("service_categories") or [] if isinstance(c, dict)]
    values: dict[str, Any] = {
        "id": record_id, "today": today.isoformat(), "year": today.year,
        "display_until": (today + dt.timedelta(days=7)).isoformat(),
        "body": body or "", "issuer": body, "type": meeting_type,
        # a meeting entered after the fact was held; one ahead is planned (portal check warns otherwise)
        "status": "held" if today < Today.get() else "planned",
        "decision_id": ids.next_decision_id(root / "data" / "meetings", today.year),
        "category": categories[0] if categories else None,
        "fund": (_column(root / "data" / "budgets" / "funds.csv", "id") or [""])[0],
        "recipients": f"[{body}]" if body else "[]",
        # a JSON string is a valid double-quoted YAML scalar, whatever the title holds
        "title": json.dumps(title.strip(), ensure_ascii=False) if title and title.strip() else None,
    }
    text = render_file(spec.package / str(spec.new), **values)
    rel = f"data/{spec.folder}/{record_id}.yaml"
    folder.mkdir(parents=True, exist_ok=True)
    (root / rel).write_text(text, encoding="utf-8")
    return NewResult([rel], yaml_blanks(rel, text))


def check_slug(slug: str) -> str:
    """The slug as the id will use it (a pasted file name's ``.yaml`` dropped: it
    made ``…-x.yaml.yaml``), or ``ScaffoldError`` saying what is wrong."""
    slug = re.sub(r"\.ya?ml$", "", slug.strip(), flags=re.I)
    shown = slug if len(slug) <= 40 else slug[:40] + "…"
    if not slug:
        raise ScaffoldError("cli.new.slug-empty")
    if len(slug) > MAX_SLUG:
        raise ScaffoldError("cli.new.slug-too-long", slug=shown, length=len(slug), limit=MAX_SLUG)
    if not _SLUG.match(slug):
        raise ScaffoldError("cli.new.slug-chars", slug=shown)
    return slug


def yaml_blanks(rel: str, text: str) -> list[Blank]:
    """The ``key:  # 必填：hint`` lines of a scaffold, in order.

    >>> [(b.line, b.field, b.hint) for b in yaml_blanks("x.yaml", "id: a\\ntitle:   # 必填：标题\\n")]
    [(2, 'title', '标题')]
    """
    found = []
    for number, line in enumerate(text.splitlines(), start=1):
        match = _BLANK.match(line)
        if match:
            found.append(Blank(rel, number, match.group("key"), match.group("hint")))
    return found


def _community(root: Path) -> dict[str, Any]:
    path = root / "data" / "community.yaml"
    if not path.is_file():
        raise ScaffoldError("cli.new.not-a-project", root=root)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError):
        data = None  # portal check reports it with its line; new only needs hints from it
    return data if isinstance(data, dict) else {}


def _default_body(community: dict[str, Any]) -> str | None:
    bodies = [b for b in community.get("bodies") or [] if isinstance(b, dict) and b.get("id")]
    for b in bodies:
        if b.get("kind") == "residents-committee":
            return str(b["id"])
    return str(bodies[0]["id"]) if bodies else None


def _budget_year(root: Path, year: int | None, fund: str | None) -> NewResult:
    budgets = root / "data" / "budgets"
    package = budgets / "datapackage.yaml"
    if not package.is_file():
        raise ScaffoldError("cli.new.no-budget-package")
    years = ids.budget_years(budgets)
    year = year or (years[-1] + 1 if years else Today.get().year)
    if (budgets / f"{year}.csv").exists():
        raise ScaffoldError("cli.new.year-exists", year=year)
    funds = _column(budgets / "funds.csv", "id")
    if fund is not None and fund not in funds:
        raise ScaffoldError("cli.new.unknown-fund", fund=fund, **known(funds))
    fund = fund or (funds[0] if funds else "")
    code = ids.fund_code(budgets, fund) if fund else None
    line_id = f"{year}-{code}-001" if code else f"{year}-001"
    row = {"id": line_id, "year": str(year), "period": str(year), "fund": fund, "direction": "expenditure"}
    schema = _lines_schema(package, years)
    columns = _schema_columns(budgets / schema) or LINE_COLUMNS  # optional columns (approval …) included
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    writer.writerow([row.get(c, "") for c in columns])
    rel_csv = f"data/budgets/{year}.csv"
    (root / rel_csv).write_text(out.getvalue(), encoding="utf-8")

    entry = render_file(registry.by_name()["budget"].package / "new.yaml.j2", year=year, schema=schema)
    package.write_text(_insert_resource(package.read_text(encoding="utf-8"), entry), encoding="utf-8")
    changed = [rel_csv, "data/budgets/datapackage.yaml"]
    totals = budgets / "totals.csv"
    if totals.is_file() and fund:
        _append_row(totals, {"year": str(year), "fund": fund, "direction": "expenditure"})
        changed.append("data/budgets/totals.csv")
    blanks = [Blank(rel_csv, 2, name, i18n.text(f"cli.new.blank.{name}", "zh"), columns.index(name) + 1)
              for name in ("category", "item")]
    if not fund:
        blanks.insert(0, Blank(rel_csv, 2, "fund", i18n.text("cli.new.blank.fund", "zh"), columns.index("fund") + 1))
    return NewResult(changed, blanks)


def _column(path: Path, name: str) -> list[str]:
    if not path.is_file():
        return []
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return [row[name] for row in csv.DictReader(fh) if row.get(name)]


def _schema_columns(path: Path) -> list[str]:
    """The field names of a shared Table Schema file, in order (none if unreadable)."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError):
        return []
    fields = data.get("fields") if isinstance(data, dict) else None
    return [str(f["name"]) for f in fields or [] if isinstance(f, dict) and f.get("name")]


def _lines_schema(package: Path, years: list[int]) -> str:
    """The schema the latest year's lines use (a shared file in the demo data)."""
    try:
        data = yaml.safe_load(package.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError:
        data = {}
    for resource in data.get("resources") or []:
        if isinstance(resource, dict) and years and resource.get("name") == f"lines-{years[-1]}" \
                and isinstance(resource.get("schema"), str):
            return str(resource["schema"])
    return "budget-lines.schema.yaml"


def _insert_resource(text: str, entry: str) -> str:
    """Add ``entry`` as the last item of the top-level ``resources:`` list,
    keeping every comment and the layout of the file as it is."""
    lines = text.splitlines(keepends=True)
    start = next((i for i, line in enumerate(lines) if re.match(r"^resources:\s*(#.*)?$", line)), None)
    if start is None:
        return text.rstrip("\n") + "\nresources:\n" + entry
    end = len(lines)
    for i in range(start + 1, len(lines)):
        if lines[i].strip() and not lines[i].startswith((" ", "-", "#")):
            end = i
            break
    indent = next((re.match(r"^(\s*)-", line).group(1) for line in lines[start + 1:end]  # type: ignore[union-attr]
                   if re.match(r"^\s*-", line)), "  ")
    block = "".join(indent + line if line.strip() else line for line in entry.splitlines(keepends=True))
    head = "".join(lines[:end])
    if head and not head.endswith("\n"):
        head += "\n"
    return head + block + "".join(lines[end:])


def _append_row(path: Path, values: dict[str, str]) -> None:
    text = path.read_text(encoding="utf-8-sig")
    header = next(csv.reader([text.splitlines()[0]])) if text.strip() else list(values)
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow([values.get(c, "") for c in header])
    path.write_text(text + ("" if text.endswith("\n") else "\n") + out.getvalue(), encoding="utf-8")
