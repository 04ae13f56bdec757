"""Fault tests, resource limits (issue #10): hostile sizes and nesting in data
files give a located problem quickly, never a crash, a hang or gigabytes."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.loading.yamlfile import MAX_DEPTH, YamlProblem, parse_yaml
from generator.tables import MAX_CELL_CHARS, MAX_COLUMNS, prescan

PROJECTS = Path(__file__).parent / "projects"
TABLE = "data/budgets/2024.csv"
NOTICE = "data/notices/2024-009.yaml"


@pytest.fixture
def root(tmp_path: Path) -> Path:
    shutil.copytree(PROJECTS / "minimal", tmp_path / "p")
    return tmp_path / "p"


def check(root: Path, lang: str = "zh") -> tuple[int, list[str]]:
    """Run the real command; the generous timeout only catches a hang."""
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    result = subprocess.run([sys.executable, "-m", "generator", "check", str(root), "--jobs", "1", "--lang", lang],
                            capture_output=True, text=True, env=env, timeout=60)
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr, result.stderr
    return result.returncode, result.stdout.splitlines()


def one(lines: list[str], code: str) -> str:
    found = [x for x in lines if f" {code}: " in x]
    assert len(found) == 1, lines
    return found[0]


def insert_row(root: Path, row: str, at: int = 2) -> None:
    path = root / TABLE
    lines = path.read_text(encoding="utf-8").splitlines()
    lines.insert(at, row)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def first_row(root: Path) -> str:
    return (root / TABLE).read_text(encoding="utf-8").splitlines()[1]


# --- tables ---------------------------------------------------------------------------

@pytest.mark.parametrize("extra", [20_000, 1_000_000])
def test_a_row_of_many_columns_is_refused_at_its_line(root: Path, extra: int):
    insert_row(root, first_row(root).replace("2024-001", "2024-050") + "," * extra)
    code, lines = check(root)
    assert code == 1
    assert one(lines, "table.too-wide").startswith(f"{TABLE}:3: 错误 table.too-wide: 这一行有 {extra + 12} 列")


def test_a_header_of_many_columns_is_refused_at_line_1(root: Path):
    path = root / TABLE
    text = path.read_text(encoding="utf-8")
    header, rest = text.split("\n", 1)
    path.write_text(header + "".join(f",c{i}" for i in range(20_000)) + "\n" + rest, encoding="utf-8")
    code, lines = check(root, "en")
    assert code == 1
    assert one(lines, "table.too-wide").startswith(f"{TABLE}:1: error table.too-wide: this row has 20012 columns")


@pytest.mark.parametrize("cell,line,col", [
    ("x" * 20_000, 3, 7),                              # unquoted, within the csv module's field limit
    ('"' + "长" * 200_000 + '"', 3, None),             # beyond the csv module's field limit
    ('"' + "第一行\n" * 5_000 + '"', 3, 7),           # a quoted cell over many lines
    ('"never closed\n' + "x,y\n" * 10_000, 3, 7),  # an open quote swallowing the rest of the file
])
def test_a_huge_cell_is_refused_at_its_line(root: Path, cell: str, line: int, col: int | None):
    row = first_row(root).split(",")
    row[0], row[6] = "2024-050", cell
    insert_row(root, ",".join(row))
    code, lines = check(root)
    assert code == 1
    where = f"{TABLE}:{line}" + (f":{col}" if col else "")
    assert one(lines, "table.cell-too-long").startswith(f"{where}: 错误 table.cell-too-long: ")


def test_limits_leave_ordinary_tables_alone(root: Path):
    assert prescan("t.csv", (root / TABLE).read_text(encoding="utf-8")) is None
    wide = ",".join(f'"{i},{i}"' for i in range(MAX_COLUMNS))  # many commas, but all inside quotes
    long = '"' + "a,b\n" * (MAX_CELL_CHARS // 5) + '"'
    assert prescan("t.csv", f"{wide}\n{long},x\n") is None
    assert prescan("t.csv", ",".join(["x" * MAX_CELL_CHARS] * 3)) is None


# --- YAML -----------------------------------------------------------------------------

DEEP = {
    "flow-seq": "title: " + "[" * 50_000 + "]" * 50_000 + "\n",
    "flow-unclosed": "title: " + "[" * 50_000 + "\n",
    "flow-map": "title: " + "{a: " * 30_000 + "}" * 30_000 + "\n",
    "compact-seq": "title:\n" + "- " * 20_000 + "x\n",
    "indented": "title:\n" + "".join(" " * i + "- \n" for i in range(0, 2 * (MAX_DEPTH + 20), 2)),
}


@pytest.mark.parametrize("name", DEEP)
def test_deep_yaml_is_refused_at_its_line_not_a_crash(root: Path, name: str):
    (root / NOTICE).write_text("id: 2024-009\n" + DEEP[name], encoding="utf-8")
    code, lines = check(root, "en")
    assert code == 1  # was 139 (segmentation fault) for the flow cases
    line = one(lines, "yaml.too-deep")
    assert line.startswith(f"{NOTICE}:") and int(line.split(":")[1]) >= 2
    assert f"more than {MAX_DEPTH} levels" in line


def test_deep_yaml_in_the_data_package_is_refused(root: Path):
    path = root / "data/budgets/datapackage.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "extra: " + "[" * 50_000 + "\n", encoding="utf-8")
    code, lines = check(root)
    assert code == 1
    assert one(lines, "yaml.too-deep").startswith("data/budgets/datapackage.yaml:")


def test_nesting_up_to_the_limit_is_parsed():
    text = "a: " + "[" * (MAX_DEPTH - 1) + "]" * (MAX_DEPTH - 1) + "\n"
    assert parse_yaml(text)["a"] is not None
    with pytest.raises(YamlProblem) as err:
        parse_yaml("a: " + "[" * MAX_DEPTH + "]" * MAX_DEPTH + "\n")
    assert (err.value.code, err.value.line) == ("yaml.too-deep", 1)


PIECES = st.sampled_from(["[", "]", "{", "}", "{a: ", "- ", "\n", "  ", ", ", "'", '"', "#", "|\n", "x: ", "? "])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(PIECES, st.integers(1, 3000)), min_size=1, max_size=6))
def test_any_nesting_gives_a_value_or_a_problem(parts: list[tuple[str, int]]):
    """In process on purpose: a stack overflow in libyaml would kill the test run."""
    text = "".join(piece * n for piece, n in parts)
    try:
        parse_yaml(text)
    except YamlProblem as exc:
        assert exc.code in ("yaml.too-deep", "yaml.syntax", "yaml.bad-key", "yaml.duplicate-key",
                            "yaml.multiple-documents", "yaml.alias")
