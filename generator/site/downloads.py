"""The engine of the data downloads: a kind's declared tables (``kinds.base.TableSpec``)
become CSV rows and a Table Schema from the same column list; plus what every
published table shares (cell formats, JSON records, keys the data satisfies).

Which datasets exist is the registry's business (``generator.site.exports``).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, TypeVar, cast

from pydantic import BaseModel

from generator.kinds.base import Column, DatasetSpec, TableSpec
from generator.kinds.common import Text, Today
from generator.site.qr import page_url
from portal_core.languages import pick

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
    package: dict[str, Any]  #: the content of datapackage.json
    files: dict[str, bytes]  #: path under data/ -> content


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


def field_of(column: Column) -> dict[str, Any]:
    """A Table Schema field with bilingual title and description."""
    out: dict[str, Any] = {"name": column.name, "type": column.type}
    if column.format is not None:
        out["format"] = column.format
    out["title"] = column.title
    if column.description:
        out["description"] = column.description
    if column.type == "date" and column.format is None:
        out["format"] = "default"
    if column.constraints:
        out["constraints"] = dict(column.constraints)
    return out


def schema(fields: list[dict[str, Any]], primary: tuple[str, ...] | list[str] = (),
           foreign: tuple[tuple[str, str, str], ...] = ()) -> dict[str, Any]:
    out: dict[str, Any] = {"fields": fields, "missingValues": [""]}
    if primary:
        out["primaryKey"] = list(primary)
    if foreign:
        out["foreignKeys"] = [{"fields": [f], "reference": {"resource": res, "fields": [col]}}
                              for f, res, col in foreign]
    return out

if TYPE_CHECKING:  # typed against, not importing, the index
    from generator.index import Index

T = TypeVar("T")


class ExportContext:
    """What a column's getter is given: the project and index, the language of
    the CSV cells, page addresses, and a memo shared by one export."""

    def __init__(self, project: Any, index: Index, site_url: str) -> None:
        self.project, self.index = project, index
        community = project.community
        self.default = community.languages.default if community is not None else "zh"
        self.site_url = site_url.rstrip("/") + "/"
        self.today = Today.get()
        self.licenses: list[dict[str, Any]] = []  #: from the budget package, for datapackage.json
        self.reserved: set[str] = set()  #: names of the declared tables, which source tables must not take
        self.memo: dict[str, Any] = {}

    def text(self, value: Text | None) -> str:
        return pick(value, self.default, self.default)

    def url(self, path: str, anchor: str = "") -> str:
        return page_url(self.site_url, path) + (f"#{anchor.lower()}" if anchor else "")

    def once(self, key: str, compute: Callable[[], T]) -> T:
        """``compute()``, once per key."""
        if key not in self.memo:
            self.memo[key] = compute()
        return cast(T, self.memo[key])

    @staticmethod
    def dump(model: BaseModel) -> dict[str, Any]:
        return model.model_dump(mode="json", by_alias=True, exclude_none=True)

    def record(self, model: BaseModel, url: str) -> dict[str, Any]:
        """A record of the JSON download: the model as written, and its page."""
        return {**self.dump(model), "url": url}


def table(spec: TableSpec, x: ExportContext) -> Table:
    """A declared table, filled: every cell and the schema come from ``spec.columns``."""
    columns = spec.columns
    rows = [[_cell(c.get(row, x)) for c in columns] for row in spec.rows(x)]
    return Table(spec.name, f"{spec.name}.csv", spec.title,
                 schema([field_of(c) for c in columns], spec.primary_key, spec.foreign_keys), rows)


def dataset(spec: DatasetSpec, x: ExportContext) -> Dataset:
    tables = [table(t, x) for t in spec.tables]
    return Dataset(spec.name, spec.title, spec.description, tables, spec.records(x))


def read_csv(text: str, names: list[str]) -> list[list[str]]:
    """Rows of a source table in the order of ``names`` (the schema's fields).

    >>> read_csv("b,a\\n1,2\\n\\n3,4\\n", ["a", "b", "c"])
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


def typed_records(schema: dict[str, Any], rows: list[list[str]]) -> list[dict[str, Any]]:
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

#: What a spreadsheet reads as the start of a formula (OWASP, "CSV Injection"):
#: ``=HYPERLINK(...)`` in a title would run when a resident opens the download.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
#: A number as Table Schema writes one: the cells of a number column that stay as they are.
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?|[+-]?INF|NaN")
_NUMERIC_TYPES = frozenset({"integer", "number"})


def defuse(cell: str, numeric: bool = False) -> str:
    """``cell`` as a spreadsheet may open it safely: text that starts like a
    formula gets a leading ``'`` (shown as text, never evaluated), as OWASP
    recommends. A number in a number column stays a number (-120.5 is an
    amount, not a formula), so the table stays machine-readable.

    >>> defuse("=HYPERLINK(1)"), defuse("-120.5", numeric=True), defuse("-120.5"), defuse("维修")
    ("'=HYPERLINK(1)", '-120.5', "'-120.5", '维修')
    >>> defuse("-1+cmd|' /C calc'!A0", numeric=True)
    "'-1+cmd|' /C calc'!A0"
    """
    if not cell.startswith(FORMULA_START) or (numeric and _NUMBER.fullmatch(cell)):
        return cell
    return "'" + cell


def csv_bytes(table: Table) -> bytes:
    """The table as plain UTF-8 CSV (no BOM), values verbatim except formulas:
    a text cell that starts like one is defused (see :func:`defuse`); the JSON
    download keeps every value exact."""
    numeric = [f.get("type") in _NUMERIC_TYPES for f in table.schema["fields"]]
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    # With "\n" as the line end the csv module leaves a lone CR unquoted, which
    # readers take for a line break: a row holding one is written fully quoted.
    quoted = csv.writer(buf, lineterminator="\n", quoting=csv.QUOTE_ALL)
    writer.writerow([defuse(name) for name in table.header])
    for row in table.rows:
        cells = [defuse(cell, numeric[i] if i < len(numeric) else False) for i, cell in enumerate(row)]
        (quoted if any("\r" in cell for cell in cells) else writer).writerow(cells)
    return buf.getvalue().encode("utf-8")


def json_bytes(records: Any) -> bytes:
    """One record per line: readable, diffable and compact."""
    if isinstance(records, list):
        encode = json.JSONEncoder(ensure_ascii=False).encode
        body = ",\n".join(map(encode, records))
        return (f"[\n{body}\n]\n" if records else "[]\n").encode("utf-8")
    return (json.dumps(records, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


def plain_schema(schema: dict[str, Any], default: str) -> dict[str, Any]:
    """The schema as published: titles and descriptions as single strings."""
    out: dict[str, Any] = json.loads(json.dumps(schema))
    for f in out["fields"]:
        title = f.get("title")
        if isinstance(title, dict):
            f["title"] = title.get(default) or next(iter(title.values()), f["name"])
        desc = f.get("description")
        if isinstance(desc, dict):
            zh, en = desc.get("zh", ""), desc.get("en", "")
            f["description"] = zh if zh == en or not en else f"{zh} / {en}" if zh else en
    return out


def check_keys(tables: list[Table]) -> None:
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


def slug(value: str) -> str:
    """A data package name: lowercase letters, digits, ``-``, ``_`` and ``.``.

    >>> slug("Test_Community 1")
    'test_community-1'
    """
    return re.sub(r"[^a-z0-9._-]+", "-", value.lower()).strip("-") or "community"


