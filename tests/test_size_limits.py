"""Issue #18, defect 10 (sizes): a table, a YAML file or a page over its limit is
refused before it is parsed, quickly and with bounded memory, with a message
that says the limit and how to split."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import REPO, SampleProject

from generator.checks.markup import MAX_PAGE_BYTES
from generator.kinds.budget.package import PACKAGE
from generator.loading.textfile import MAX_YAML_BYTES
from generator.loading.yamlfile import YamlProblem, parse_yaml
from generator.messages import render
from generator.tables import MAX_TABLE_BYTES, MAX_TABLE_LINES, load_package, read_tables

TABLE = "data/budgets/2024.csv"
ROW = "2024-{n:06d},2024,2024,community-fund,expenditure,办公经费,办公用品第{n}批,2000,1800,街道拨款,,\n"

#: Runs the check in a fresh process and prints its problems and its peak memory.
#: Peak memory is VmHWM of this process's own address space: ``ru_maxrss`` keeps the
#: peak of the process it was forked from (a pytest run of a few hundred MB) across exec.
PROBE = """
import json, sys, time
from generator.pipeline import check
t = time.perf_counter()
report = check(sys.argv[1], jobs=1)
status = open("/proc/self/status").read()
hwm_kb = int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmHWM:")))
print(json.dumps({"seconds": time.perf_counter() - t,
                  "rss_mb": hwm_kb / 1024,
                  "problems": [[p.code, p.file, p.params] for p in report.problems]}))
"""


def _probe(root: Path) -> dict:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    out = subprocess.run([sys.executable, "-c", PROBE, str(root)], capture_output=True, text=True, env=env,
                         timeout=300, check=True)
    result: dict = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def _big_table(minimal: SampleProject, size: int) -> int:
    """Rows appended to the 2024 table: about ``size`` bytes, never much over."""
    path = minimal.path(TABLE)
    row_bytes = len(ROW.format(n=999_999).encode("utf-8"))  # the longest row written
    rows = (size - path.stat().st_size) // row_bytes + 1
    with path.open("a", encoding="utf-8") as f:
        for start in range(100, 100 + rows, 10_000):
            f.write("".join(ROW.format(n=i) for i in range(start, min(start + 10_000, 100 + rows))))
    return path.stat().st_size


def test_a_20_mb_table_is_refused_quickly_with_bounded_memory(minimal: SampleProject) -> None:
    size = _big_table(minimal, 21 * 1024 * 1024)
    result = _probe(minimal.root)
    (found,) = [p for p in result["problems"] if p[0] == "table.too-large"]
    assert found[1] == TABLE and found[2]["limit_mb"] == MAX_TABLE_BYTES / 1048576 == 10
    assert found[2]["size_mb"] == round(size / 1048576, 1)
    assert result["seconds"] < 60  # was 1 min 54 s
    assert result["rss_mb"] < 400  # the table is never read: the process stays at its usual size


def test_a_2_gb_table_is_refused_unread(minimal: SampleProject) -> None:
    """A sparse 2 GB file: no disk used, and nothing of it read (it took 2.46 GB, then was killed)."""
    with minimal.path("data/budgets/2024.csv").open("r+b") as f:
        f.truncate(2 * 1024 ** 3)
    result = _probe(minimal.root)
    assert [p[:2] for p in result["problems"] if p[0] == "table.too-large"] == [["table.too-large", TABLE]]
    assert result["rss_mb"] < 400 and result["seconds"] < 60


def test_many_short_lines_under_the_size_limit(minimal: SampleProject) -> None:
    """9.8 MB of one-letter rows: under the byte limit, yet 2.5 GB as row records and 29 s."""
    with minimal.path(TABLE).open("a", encoding="utf-8") as f:
        f.write("x\n" * 4_900_000)
    result = _probe(minimal.root)
    found = [p for p in result["problems"] if p[1] == TABLE]
    assert [p[0] for p in found] == ["table.too-many-lines"]
    assert found[0][2]["limit"] == MAX_TABLE_LINES and found[0][2]["lines"] == 4_900_006
    assert result["rss_mb"] < 400 and result["seconds"] < 60


def test_lines_at_the_limit_are_read(minimal: SampleProject) -> None:
    lines = minimal.read(TABLE).count("\n")
    with minimal.path(TABLE).open("a", encoding="utf-8") as f:
        f.write("".join(f"2024-{i:06d},2024\n" for i in range(100, 100 + MAX_TABLE_LINES - lines)))
    info, _ = load_package(minimal.root, PACKAGE)
    assert info is not None and read_tables(info, minimal.root) == []
    with minimal.path(TABLE).open("a", encoding="utf-8") as f:
        f.write("2024-999999,2024\n")
    info, _ = load_package(minimal.root, PACKAGE)
    assert info is not None
    assert [(p.code, p.line) for p in read_tables(info, minimal.root)] == [("table.too-many-lines", MAX_TABLE_LINES + 1)]


def test_the_message_says_the_limit_and_how_to_split() -> None:
    from generator.problems import Problem

    problem = Problem("table.too-large", TABLE, params={"size_mb": 21.0, "limit_mb": 10.0, "resource": "lines-2024"})
    zh, en = " ".join(render(problem, "zh")), " ".join(render(problem, "en"))
    assert "21.0 MB" in zh and "10.0 MB" in zh and "lines-2025-2" in zh
    assert "limit 10.0 MB" in en and "split the year" in en


def test_a_table_at_the_limit_is_read_one_byte_more_is_not(minimal: SampleProject) -> None:
    size = _big_table(minimal, MAX_TABLE_BYTES - 1000)
    assert size <= MAX_TABLE_BYTES
    full, rest = divmod(MAX_TABLE_BYTES - size, 5000)
    with minimal.path(TABLE).open("a", encoding="utf-8") as f:  # padded to the limit exactly
        f.write((" " * 4999 + "\n") * full + " " * rest)
    info, problems = load_package(minimal.root, PACKAGE)
    assert info is not None and not problems
    assert read_tables(info, minimal.root) == [] and all(t.readable for t in info.tables)
    with minimal.path(TABLE).open("a", encoding="utf-8") as f:
        f.write("\n")
    info, _ = load_package(minimal.root, PACKAGE)
    assert info is not None
    assert [(p.code, p.file) for p in read_tables(info, minimal.root)] == [("table.too-large", TABLE)]


def test_a_year_split_in_two_resources_checks_clean(minimal: SampleProject) -> None:
    """What the hint says to do: lines-2024 and lines-2024-2 sharing the schema."""
    before = {(p.code, p.file, p.line) for p in minimal.check().problems}
    lines = minimal.read(TABLE).splitlines(keepends=True)
    header, rows = lines[0], lines[1:]
    minimal.write(TABLE, header + "".join(rows[:2]))
    minimal.write("data/budgets/2024-2.csv", header + "".join(rows[2:]))
    minimal.replace("data/budgets/datapackage.yaml", "  - name: lines-2024\n    path: 2024.csv\n",
                    "  - name: lines-2024\n    path: 2024.csv\n    title: 2024 年收支明细\n"
                    "    schema: budget-lines.schema.yaml\n  - name: lines-2024-2\n    path: 2024-2.csv\n")
    after = {(p.code, p.file, p.line) for p in minimal.check().problems}
    assert after == before


def test_a_yaml_file_over_the_limit(minimal: SampleProject) -> None:
    body = "  " + "很长的正文。" * (MAX_YAML_BYTES // 18 + 10) + "\n"
    minimal.write("data/notices/big.yaml", minimal.read("data/notices/2024-001.yaml").replace("id: 2024-001", "id: big")
                  + "note: |\n" + body)
    p = minimal.only("file.too-large")
    assert p.file == "data/notices/big.yaml" and p.params["limit_mb"] == 2.0


@pytest.mark.parametrize("text", ["a: " + "x" * (MAX_YAML_BYTES + 1), "- 1\n" * (MAX_YAML_BYTES // 4 + 1)])
def test_parse_yaml_refuses_what_is_too_large(text: str) -> None:
    """The inbox reads its files itself: parse_yaml bounds them too, before libyaml runs."""
    t = time.perf_counter()
    with pytest.raises(YamlProblem) as caught:
        parse_yaml(text)
    assert caught.value.code == "file.too-large" and caught.value.params["limit_mb"] == 2.0
    assert time.perf_counter() - t < 1


def test_a_page_over_the_limit_is_refused_unread(minimal: SampleProject) -> None:
    minimal.write("content/zh/big.md", "# 大\n\n" + "<a " * (MAX_PAGE_BYTES // 3 + 10))
    t = time.perf_counter()
    p = minimal.only("file.too-large")
    assert p.file == "content/zh/big.md" and p.params["limit_mb"] == 2.0
    assert time.perf_counter() - t < 30
