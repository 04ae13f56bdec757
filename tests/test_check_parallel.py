"""The check's parallel load (generator/checks/prescan.py): documents parsed and
scanned in forked workers give the very report of the serial check, problem for
problem, in the same order, at the same file:line."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from generator.checks import prescan
from generator.pipeline import check, load_and_check
from generator.problems import Problem, Report
from tests.site_fixtures import copy_demo


@pytest.fixture
def demo(tmp_path: Path) -> Path:
    """A copy of the repository's demo community."""
    return copy_demo(tmp_path / "demo")


@pytest.fixture(autouse=True)
def parallel_for_small_projects(monkeypatch: pytest.MonkeyPatch) -> None:
    """The demo is far below the size where workers pay: take the parallel path anyway."""
    monkeypatch.setattr(prescan, "PARALLEL_MIN_BYTES", 1)


def everything(report: Report) -> list[tuple[object, ...]]:
    """The report as a reader gets it, in its own order (not sorted)."""
    return [(p.file, p.line, p.col, p.code, p.severity, sorted(p.params.items(), key=str))
            for p in report.problems] + [("files", report.files_checked)]


def edit(root: Path, rel: str, old: str, new: str) -> None:
    path = root / rel
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {rel}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def break_several_files(root: Path) -> None:
    """Problems in several files, of each kind the workers work out, and cross-checks."""
    hearing = "data/meetings/2024-04-20-hearing.yaml"
    edit(root, hearing, "title: {zh: 地面停车收费标准调整听证会, en: Public hearing on surface parking fees}",
         "title: {en: Public hearing on surface parking fees}")  # default language missing
    edit(root, hearing, "小区共有地面停车位176个", "联系人手机13812345678，<script>alert(1)</script>小区共有地面停车位176个")
    edit(root, hearing, "body: jwh", "body: no-such-body")  # a reference the index answers
    # an official contact number may be repeated anywhere: it comes from another file
    edit(root, "data/community.yaml", "phone: 0571-8762 3100", "phone: '13900001111'")
    edit(root, "data/meetings/2024-09-10-council.yaml", "\nstatus:", "\nnote: 请致电13900001111\nstatus:")
    (root / "data/meetings/2023-05-16-assembly.yaml").write_text("id: 2023-05-16-assembly\ntitle: [unclosed\n",
                                                                  encoding="utf-8")  # YAML syntax
    edit(root, "data/meetings/2023-09-12-council.yaml", "date: 2023-09-12", "date: 2023-09-31")  # schema
    # a table: scanned by this process while the workers load the documents
    edit(root, "data/budgets/2023.csv", "社区工作经费（下半年）", "社区工作经费（下半年）联系13812345678<b onclick=x>")


def test_parallel_report_equals_serial_on_the_demo(demo: Path) -> None:
    serial = check(demo, jobs=1, cache=False)
    checked = load_and_check(demo, jobs=3, cache=False)
    assert checked.project.prescanned, "the parallel path did not run"
    assert everything(checked.report) == everything(serial)
    assert serial.files_checked > 20


def test_parallel_report_equals_serial_with_errors_in_several_files(demo: Path) -> None:
    break_several_files(demo)
    serial = check(demo, jobs=1, cache=False)
    checked = load_and_check(demo, jobs=3, cache=False)
    assert {"data/meetings/2024-04-20-hearing.yaml", "data/budgets/2023.csv"} <= checked.project.prescanned.keys()
    assert everything(checked.report) == everything(serial)

    def at(code: str) -> list[str]:
        return [f"{p.file}:{p.line}" for p in checked.report.problems if p.code == code]

    hearing = "data/meetings/2024-04-20-hearing.yaml"
    # 13900001111 is the community's own number
    assert at("privacy.mobile") == [f"{hearing}:16", "data/budgets/2023.csv:3"]
    assert at("markdown.unsafe-html") == [f"{hearing}:16", "data/budgets/2023.csv:3"]
    assert at("text.default-language-missing") == [f"{hearing}:4"]
    assert at("yaml.syntax") == ["data/meetings/2023-05-16-assembly.yaml:3"]
    assert any(p.file == "data/meetings/2023-09-12-council.yaml" and p.code.startswith("schema.")
               for p in checked.report.problems)
    assert any(p.file == hearing and p.line == 2 and p.code.startswith("ref.") for p in checked.report.problems)


def test_a_lost_worker_costs_only_time(demo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A worker that dies: its files are loaded in the main process, same report."""
    break_several_files(demo)
    serial = check(demo, jobs=1, cache=False)
    real = prescan._load_share
    main = os.getpid()

    def dying(plan: int, indices: list[int]):  # type: ignore[no-untyped-def]
        if os.getpid() != main:
            os._exit(1)  # killed: the pool breaks
        return real(plan, indices)

    monkeypatch.setattr(prescan, "_load_share", dying)
    assert everything(check(demo, jobs=2, cache=False)) == everything(serial)


def test_parallel_fill_of_the_cache_then_warm_after_an_edit(demo: Path, monkeypatch: pytest.MonkeyPatch,
                                                            tmp_path_factory: pytest.TempPathFactory) -> None:
    monkeypatch.delenv("PORTAL_NO_CACHE", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("xdg")))
    break_several_files(demo)
    assert everything(check(demo, jobs=3)) == everything(check(demo, jobs=1, cache=False))
    entries = list((demo / ".portal-build" / "cache").glob("check-*/doc-*.pickle"))
    assert len(entries) > 20  # the workers' documents were stored, and not pruned as unused
    edit(demo, "data/meetings/2024-09-10-council.yaml", "\nnote:", "\n# a comment moves the lines\nnote:")
    warm = check(demo, jobs=3)
    assert everything(warm) == everything(check(demo, jobs=1, cache=False))
    assert any(isinstance(p, Problem) and p.code == "privacy.mobile" for p in warm.problems)


def test_how_many_processes_load() -> None:
    """``jobs`` is obeyed; by default, no more than the cores (fewer when they are busy)."""
    assert prescan.processes(3) == 3 and prescan.processes(1) == 1
    assert 1 <= prescan.processes(None) <= len(os.sched_getaffinity(0))
