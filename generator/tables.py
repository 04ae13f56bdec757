"""A kind's Frictionless data package (the budget's): the package, frictionless
validation, and the rows. Which folder, which fields each resource must declare and
how rows become records is the kind's declaration (``Kind.data_package``, a
``kinds.base.DataPackage``); this module knows no particular kind.

Two passes over the CSV files, each doing what it is best at:

1. ``read_tables`` and the kind's ``DataPackage.parse`` (with ``rows``) read every table with the ``csv`` module: it enforces UTF-8
   (frictionless would silently guess GBK), records the physical line each row
   starts on (a quoted cell may span lines, so row number != line number), and
   builds the light records the cross-checks use.
2. ``frictionless_errors`` runs frictionless' own ``validate`` on the package:
   types, constraints, primary and foreign keys. It is the slow part, so the
   pipeline can run it in a worker process while the YAML is checked; it returns
   plain dicts, which pickle cheaply.

``map_frictionless`` then turns those dicts into located, translated problems.
"""

from __future__ import annotations

import csv
import os
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from generator.kinds.base import DataPackage
from generator.load import rel
from generator.loading.cache import Apart
from generator.loading.fsguard import refusal
from generator.loading.textfile import MAX_YAML_BYTES, TextFileProblem, read_text
from generator.loading.yamlfile import YamlProblem, locate, parse_yaml, plain
from generator.problems import Problem
from portal_core.i18n import pair, text

PACKAGE_FILE = "datapackage.yaml"
#: Bounds checked on the raw text before any parser sees a table: a row of
#: 20,000 columns made frictionless take over 120 s and 4.7 GB. Budget tables
#: have about a dozen columns and short cells.
MAX_COLUMNS = 200
MAX_CELL_CHARS = 10_000
#: The longest row those two bounds allow; a longer one breaks one of them.
_MAX_ROW_CHARS = MAX_COLUMNS * (MAX_CELL_CHARS + 3)
#: Above this a table is refused before it is read: a year of a community's
#: lines is a few hundred KB; a 20 MB table took frictionless 2 minutes and a
#: 200 MB one over 2 GB of memory. A bigger year is split into two resources.
MAX_TABLE_BYTES = 10 * 1024 * 1024
#: And above this many lines: 10 MB of one-letter rows held 2.5 GB as row
#: records. A year of about a hundred bytes a line reaches both bounds together.
MAX_TABLE_LINES = 100_000


@dataclass
class Table:
    """One CSV resource as read by us."""

    name: str
    role: str | None
    file: str  #: relative to the project root
    path: Path
    fields: list[dict[str, Any]]
    header: list[str] = field(default_factory=list)
    primary_key: list[str] = field(default_factory=list)
    row_lines: list[int] = field(default_factory=list)  #: row_lines[n] = line of row n (1 = header)
    # (a factory, not a plain default: no class attribute, so ``__getattr__`` gets it)
    text: str = field(default_factory=str)
    readable: bool = False

    # The text and the rows' lines are most of a table (MBs at scale): in the check cache's
    # tables entry they are kept apart (``cache.Apart``) and read when first asked for; a warm
    # check remembers the tables' findings by the tables' key and never asks.
    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        if "text" in state:
            state["_text"] = Apart((state.pop("text"), state.pop("row_lines")))
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)

    def __getattr__(self, name: str) -> Any:
        state = self.__dict__
        if name in ("text", "row_lines") and "_text" in state:
            state["text"], state["row_lines"] = state["_text"].value
            del state["_text"]
            return state[name]
        raise AttributeError(name)

    def line_of(self, row_number: int | None) -> int | None:
        if row_number is None:
            return None
        if 0 < row_number < len(self.row_lines):
            return self.row_lines[row_number]
        return row_number


class TableTexts(Mapping[str, str]):
    """file -> text of the readable tables (``Project.tables_text``), each text read when
    first asked for: iterating the files reads none."""

    def __init__(self, tables: list[Table]) -> None:
        self._tables = {t.file: t for t in tables if t.readable}

    def __getitem__(self, file: str) -> str:
        return self._tables[file].text

    def __iter__(self) -> Iterator[str]:
        return iter(self._tables)

    def __len__(self) -> int:
        return len(self._tables)


@dataclass
class PackageInfo:
    file: str
    descriptor: dict[str, Any] | None = None
    data: Any = None
    tables: list[Table] = field(default_factory=list)
    broken: list[str] = field(default_factory=list)  #: resources left out (their schema is unusable)
    declared_years: list[int] = field(default_factory=list)


def package_path(root: Path, package: DataPackage) -> Path:
    return root / "data" / package.folder / PACKAGE_FILE


def load_package(root: Path, package: DataPackage) -> tuple[PackageInfo | None, list[Problem]]:
    """Parse ``datapackage.yaml`` and resolve each resource's schema."""
    path = package_path(root, package)
    file = rel(root, path)
    if not path.parent.is_dir():
        return None, []  # a community without budgets yet is allowed
    refused = refusal(root, path)
    if refused is not None:
        return None, [refused]
    if not path.exists():
        return None, [Problem("file.missing", file, params={"path": file})]
    try:
        data = parse_yaml(read_text(path, MAX_YAML_BYTES))
    except TextFileProblem as exc:
        return None, [Problem(exc.code, file, None, None, exc.params)]
    except YamlProblem as exc:
        return None, [Problem(exc.code, file, exc.line, exc.col, exc.params)]
    info = PackageInfo(file, data=data)
    problems: list[Problem] = []
    resources = data.get("resources") if isinstance(data, dict) else None
    if not isinstance(resources, list):
        return None, [Problem("schema.required", file, 1, 1, {"field": "resources"})]
    descriptor = plain(data)
    #: schema path -> (located schema or None, its file relative to the root)
    schema_cache: dict[str, tuple[Any, str]] = {}
    for index, res in enumerate(resources):
        where = locate(data, ("resources", index))
        if not isinstance(res, dict) or not isinstance(res.get("name"), str) or not isinstance(res.get("path"), str):
            problems.append(Problem("schema.required", file, *where, {"field": f"resources[{index + 1}].name/path"}))
            continue
        year = package.year(res["name"])
        if year is not None:
            info.declared_years.append(year)
        outside = [key for key in ("path", "schema") if isinstance(res.get(key), str)
                   and not _within(path.parent, res[key])]
        if outside:  # "../../.portal-secret", "/etc/passwd": read, then published as a download
            key = outside[0]
            problems.append(Problem("file.outside-project", file, *locate(data, ("resources", index, key), True),
                                    {"path": res[key]}))
            info.broken.append(res["name"])
            continue
        schema = res.get("schema")
        schema_file, schema_data = file, data
        schema_path_in_data: tuple[Any, ...] = ("resources", index, "schema")
        if isinstance(schema, str):
            schema_path = path.parent / schema
            if schema not in schema_cache:
                schema_cache[schema] = (_load_schema(root, schema_path, problems), rel(root, schema_path))
            schema_data, schema_file = schema_cache[schema]
            schema_path_in_data = ()
            if schema_data is None:  # reported once, above; its tables are skipped
                info.broken.append(res["name"])
                continue
            descriptor["resources"][index]["schema"] = plain(schema_data)  # a copy: frictionless mutates it
            schema = schema_data
        fields = schema.get("fields") if isinstance(schema, dict) else None
        if not isinstance(fields, list):
            problems.append(Problem("schema.required", schema_file, *locate(schema_data, schema_path_in_data),
                                    {"field": f"{res['name']}.schema.fields"}))
            info.broken.append(res["name"])
            continue
        table = Table(res["name"], package.role(res["name"]), rel(root, path.parent / res["path"]),
                      path.parent / res["path"], [f for f in fields if isinstance(f, dict)])
        table.primary_key = _primary_key(schema)
        names = {f.get("name") for f in table.fields}
        for required in package.required.get(table.role or "", ()):
            if required not in names:
                # Point at the schema that lacks it: a shared schema file, or the inline one.
                at = locate(schema_data, (*schema_path_in_data, "fields")) if schema_file != file else where
                problems.append(Problem("budget.schema-missing-field", schema_file, *at,
                                        {"resource": table.name, "field": required, "schema_file": schema_file}))
        info.tables.append(table)
    descriptor["resources"] = [r for r in descriptor["resources"]
                               if not (isinstance(r, dict) and r.get("name") in info.broken)]
    info.descriptor = descriptor
    return info, problems


def _within(folder: Path, ref: str) -> bool:
    """``ref``, a path written in the data package, names a file in ``folder`` or below
    (judged on the text: links are ``refusal``'s business)."""
    joined = os.path.normpath(os.path.join(folder, ref))
    return not os.path.isabs(ref) and joined.startswith(os.path.normpath(folder) + os.sep)


def _load_schema(root: Path, schema_path: Path, problems: list[Problem]) -> Any:
    schema_file = rel(root, schema_path)
    refused = refusal(root, schema_path)
    if refused is not None:
        problems.append(refused)
        return None
    if not schema_path.exists():
        problems.append(Problem("file.missing", schema_file, params={"path": schema_file}))
        return None
    try:
        return parse_yaml(read_text(schema_path, MAX_YAML_BYTES))
    except TextFileProblem as exc:
        problems.append(Problem(exc.code, schema_file, None, None, exc.params))
    except YamlProblem as exc:
        problems.append(Problem(exc.code, schema_file, exc.line, exc.col, exc.params))
    return None


def _primary_key(schema: Any) -> list[str]:
    pk = schema.get("primaryKey") if isinstance(schema, dict) else None
    if isinstance(pk, str):
        return [pk]
    return [k for k in pk if isinstance(k, str)] if isinstance(pk, list) else []


def read_tables(info: PackageInfo, root: Path) -> list[Problem]:
    """Read every table's text, refusing what is not UTF-8 text."""
    problems: list[Problem] = []
    for table in info.tables:
        refused = refusal(root, table.path)
        if refused is not None:
            problems.append(refused)
            continue
        if not table.path.exists():
            problems.append(Problem("file.missing", table.file, params={"path": table.file}))
            continue
        try:
            table.text = read_text(table.path, MAX_TABLE_BYTES)
        except TextFileProblem as exc:
            line = exc.params.get("line")
            code = "table.too-large" if exc.code == "file.too-large" else exc.code  # its own hint: how to split
            problems.append(Problem(code, table.file, line if isinstance(line, int) else None, None,
                                    {**exc.params, "resource": table.name}))
            continue
        if not table.text.strip():
            problems.append(Problem("file.empty", table.file))
            continue
        lines = table.text.count("\n") + (not table.text.endswith("\n"))
        if lines > MAX_TABLE_LINES:
            problems.append(Problem("table.too-many-lines", table.file, MAX_TABLE_LINES + 1, None,
                                    {"lines": lines, "limit": MAX_TABLE_LINES, "resource": table.name}))
            table.text = ""  # left out: no parser gets to see it
            continue
        too_big = prescan(table.file, table.text)
        if too_big is not None:  # the table is left out: no parser gets to see it
            problems.append(too_big)
            table.text = ""
            continue
        table.readable = True
    return problems


def prescan(file: str, text: str) -> Problem | None:
    """``table.too-wide`` or ``table.cell-too-long`` at the first row that breaks
    ``MAX_COLUMNS`` or ``MAX_CELL_CHARS``, judged cheaply: a line without quotes
    that is short and has few commas is fine as it stands (nearly every line);
    only the others are parsed, one row at a time, and never more than
    ``_MAX_ROW_CHARS`` of it."""
    lines = text.split("\n")
    n = 0
    while n < len(lines):
        line = lines[n]
        if len(line) <= MAX_CELL_CHARS and line.count(",") < MAX_COLUMNS and line.count('"') % 2 == 0:
            n += 1
            continue
        # Gather this row's lines: a quoted cell may run over several.
        start, parts, size, quotes = n, [line], len(line), line.count('"')
        while quotes % 2 and n + 1 < len(lines) and size <= _MAX_ROW_CHARS:
            n += 1
            parts.append(lines[n])
            size += len(lines[n]) + 1
            quotes += lines[n].count('"')
        n += 1
        row = "\n".join(parts)[: _MAX_ROW_CHARS + 1]
        try:
            cells = next(csv.reader([row] if "\n" not in row else row.splitlines(keepends=True)), [])
        except csv.Error:  # a cell beyond the csv module's own field limit
            return Problem("table.cell-too-long", file, start + 1, None, {"limit": MAX_CELL_CHARS})
        if len(cells) > MAX_COLUMNS:
            return Problem("table.too-wide", file, start + 1, None, {"columns": len(cells), "limit": MAX_COLUMNS})
        for col, cell in enumerate(cells, start=1):
            if len(cell) > MAX_CELL_CHARS:
                return Problem("table.cell-too-long", file, start + 1, col,
                               {"chars": len(cell), "limit": MAX_CELL_CHARS})
    return None


def rows(table: Table) -> list[tuple[int, dict[str, str]]]:
    """(physical line, row dict) for each data row; fills ``table.row_lines``."""
    reader = csv.reader(table.text.splitlines(keepends=True))
    out: list[tuple[int, dict[str, str]]] = []
    table.row_lines = [0]
    start = 1
    for row_index, cells in enumerate(reader):
        table.row_lines.append(start)
        if row_index == 0:
            table.header = [c.strip() for c in cells]
        elif cells:
            out.append((start, dict(zip(table.header, cells))))
        start = reader.line_num + 1
    return out


# --- frictionless ---------------------------------------------------------------

def frictionless_errors(descriptor: dict[str, Any], basepath: str, skip: list[str]) -> list[dict[str, Any]]:
    """Run frictionless ``validate`` on the package; return error descriptors.

    Module-level and picklable so it can run in a worker process.
    """
    from frictionless import FrictionlessException, Package

    errors: list[dict[str, Any]] = []
    try:
        package = Package(descriptor, basepath=basepath)
        for name in skip:
            if package.has_resource(name):
                package.remove_resource(name)
        for resource in package.resources:
            resource.encoding = "utf-8"  # we enforce UTF-8 ourselves; skip detection
        report = package.validate()
    except FrictionlessException as exc:
        return [{"type": exc.error.type, "message": exc.error.message, "resource": None}]
    except Exception as exc:  # noqa: BLE001 - a library failure must not become a traceback
        return [{"type": "package-error", "message": f"{type(exc).__name__}: {exc}", "resource": None}]
    for task in report.tasks:
        for error in task.errors:
            d = error.to_descriptor()
            d["resource"] = task.name
            if d.get("type") not in ("primary-key", "unique-error"):
                d.pop("cells", None)  # large, and only needed to name a duplicate key
            errors.append(d)
    for error in report.errors:
        d = error.to_descriptor()
        d["resource"] = None
        errors.append(d)
    return errors


_TYPE_WORDS = {name: pair(f"problem.word.table-type.{name}") for name in ("number", "integer", "date", "boolean")}
_CONSTRAINT = re.compile(r'constraint "(\w+)"')
_HEADER_TYPES = {"incorrect-label", "missing-label", "duplicate-label", "extra-label", "blank-label", "blank-header"}


def map_frictionless(errors: list[dict[str, Any]], info: PackageInfo) -> list[Problem]:
    tables = {t.name: t for t in info.tables}
    blank = {(e.get("resource"), e.get("rowNumber")) for e in errors if e.get("type") == "blank-row"}
    problems = []
    for err in errors:
        if err.get("type") == "primary-key" and (err.get("resource"), err.get("rowNumber")) in blank:
            continue  # a blank row also "duplicates" the empty key: one problem is enough
        table = tables.get(err.get("resource") or "")
        problems.append(_map_one(err, table, info.file))
    return problems


def _map_one(err: dict[str, Any], table: Table | None, package_file: str) -> Problem:
    kind = err.get("type", "")
    file = table.file if table else package_file
    line = table.line_of(err.get("rowNumber")) if table else None
    col = err.get("fieldNumber")
    field_def = _field(table, err.get("fieldName"))
    label = _label(field_def, err.get("fieldName", ""))
    cell = err.get("cell")
    value = f"“{cell}”" if cell not in (None, "") else text("problem.word.empty-cell", "zh")
    params: dict[str, Any] = {"field": label, "value": value}

    if kind == "type-error":
        ftype = (field_def or {}).get("type", "string")
        zh, en = _TYPE_WORDS.get(ftype, (ftype, ftype))
        params.update(expected=zh, expected_en=en)
        digits = re.sub(r"[^\d.]", "", str(cell or ""))
        if ftype in ("number", "integer") and digits:
            params.update(zip(("extra", "extra_en"), pair("problem.word.digits-only", digits=digits)))
        else:
            params.update(zip(("extra", "extra_en"), pair("problem.word.see-reference")))
        return Problem("table.type", file, line, col, params)
    if kind == "constraint-error":
        m = _CONSTRAINT.search(err.get("note", ""))
        constraint = m.group(1) if m else ""
        if constraint == "required":
            return Problem("table.required", file, line, col, params)
        if constraint == "enum":
            params["choices"] = ", ".join(map(str, ((field_def or {}).get("constraints") or {}).get("enum", [])))
            return Problem("table.enum", file, line, col, params)
        if constraint == "pattern":
            hint = "period" if err.get("fieldName") == "period" else "id"
            params.update(zip(("pattern_hint", "pattern_hint_en"), pair(f"problem.word.table-pattern.{hint}")))
            return Problem("table.pattern", file, line, col, params)
        if constraint in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
            return Problem("table.range", file, line, col, params)
        if constraint == "unique":
            return Problem("table.duplicate-id", file, line, col, params)
    if kind in ("primary-key", "unique-error"):
        cells = err.get("cells") or []
        key = table.primary_key if table else []
        header = table.header if table else []
        values = [cells[header.index(k)] for k in key if k in header and header.index(k) < len(cells)]
        params["value"] = "“" + ", ".join(map(str, values)) + "”" if values else value
        first = header.index(key[0]) + 1 if key and key[0] in header else 1
        return Problem("table.duplicate-id", file, line, first, params)
    if kind == "foreign-key":
        params.update(zip(("target", "target_en"), pair("problem.word.funds-table")))
        # e.g. for "fund": values "public_revenue" not found in the lookup table "funds" as "id"
        note = err.get("note", "")
        m = re.search(r'for ["\']([^"\']+)["\']: values? ["\']([^"\']*)["\']', note)
        column = None
        if m:
            name = m.group(1)
            params["field"] = _label(_field(table, name), name)
            params["value"] = f"“{m.group(2)}”"
            if table and name in table.header:
                column = table.header.index(name) + 1
        return Problem("table.foreign-key", file, line, column, params)
    if kind == "missing-cell":
        return Problem("table.missing-cell", file, line, col, params)
    if kind == "extra-cell":
        return Problem("table.extra-cell", file, line, col, params)
    if kind == "blank-row":
        return Problem("table.blank-row", file, line, None, params)
    if kind in _HEADER_TYPES:
        expected = ",".join(str(f.get("name")) for f in (table.fields if table else []))
        return Problem("table.header", file, 1, col, {"detail": err.get("message", kind), "expected": expected})
    return Problem("table.invalid", file, line, col, {"detail": err.get("message", kind)})


def _field(table: Table | None, name: str | None) -> dict[str, Any] | None:
    if table is None or name is None:
        return None
    return next((f for f in table.fields if f.get("name") == name), None)


def _label(field_def: dict[str, Any] | None, name: str) -> str:
    title = (field_def or {}).get("title")
    return f"{title}（{name}）" if title and title != name else name
