"""The pipeline, top to bottom: load → validate → model (→ render → build).

``check`` is the pipeline without writing anything. It gathers every problem
before it returns, never stopping at the first, so a committee member fixes a
whole batch per run.

Frictionless is the slowest step (about 4 s per 100,000 budget lines), so on
large packages it runs in a worker process while this one loads and checks the
YAML documents: on two cores the check then costs little more than frictionless
alone.
"""

from __future__ import annotations

import multiprocessing
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator import registry
from generator.checks import CHECKS
from generator.index import Index, build_index
from generator.load import Project, load_yaml_kinds, unexpected_files
from generator.loading import fsguard
from generator.messages import GOVERNANCE
from generator.problems import Problem, Report
from generator.tables import (
    frictionless_errors,
    load_package,
    map_frictionless,
    read_tables,
)

#: Below this many bytes of CSV a worker process costs more than it saves.
PARALLEL_MIN_BYTES = 2 * 1024 * 1024


@dataclass
class Checked:
    """What ``load_and_check`` hands to later steps (render, build)."""

    project: Project
    index: Index
    report: Report


def check(root: Path, jobs: int | None = None, strict: bool = False) -> Report:
    """Validate the community data under ``root``; return every problem found.
    ``strict``: governance gaps (``messages.GOVERNANCE``) are errors, not warnings."""
    return load_and_check(root, jobs, strict).report


def load_and_check(root: Path, jobs: int | None = None, strict: bool = False) -> Checked:
    root = Path(root)
    report = Report()
    project = Project(root)
    if not (root / "data").is_dir():
        report.add(Problem("file.missing", "data/", params={"path": "data/"}))
        return Checked(project, Index(), report)

    # 0. Links out of the project and special files, anywhere in what is read or published
    #    (the theme is always the portal's: mkdocs.yml cannot name another folder, site_config).
    report.extend(fsguard.scan(root))

    # 1. Tables: read them ourselves, then hand the package to frictionless.
    package = registry.data_package()
    info, problems = load_package(root, package) if package is not None else (None, [])
    report.extend(problems)
    pending: Future[list[dict[str, Any]]] | None = None
    args: tuple[dict[str, Any], str, list[str]] | None = None
    executor: ProcessPoolExecutor | None = None
    if info is not None:
        report.extend(read_tables(info, root))
        project.tables_text = {t.file: t.text for t in info.tables if t.readable}
        args = (info.descriptor or {}, str(info.tables[0].path.parent) if info.tables else str(root),
                [t.name for t in info.tables if not t.readable])
        size = sum(len(t.text) for t in info.tables)
        if jobs != 1 and size >= PARALLEL_MIN_BYTES:
            executor = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("fork"))
            pending = executor.submit(frictionless_errors, *args)
        project.budgets = package.parse(info) if package is not None else project.budgets

    # 2. Documents: parse and validate every YAML file.
    project.docs, problems = load_yaml_kinds(root, registry.KINDS)
    report.extend(problems)
    report.extend(unexpected_files(root, registry.KINDS))
    project.files_checked = sum(len(d) for d in project.docs.values()) + (len(info.tables) + 1 if info else 0)

    # 3. Collect frictionless' verdict: the budget cross-checks need to know
    #    which tables it rejected, so one mistake is reported once.
    if info is not None:
        try:
            errors = pending.result() if pending is not None else frictionless_errors(*args) if args else []
        finally:
            if executor is not None:
                executor.shutdown()
        table_problems = map_frictionless(errors, info)
        report.extend(table_problems)
        project.budgets.tainted = {p.file for p in table_problems} | {
            t.file for t in info.tables if not t.readable}

    # 4. Model and cross-checks.
    index = build_index(project, registry.KINDS)
    for _name, run in CHECKS:
        report.extend(run(project, index))

    if strict:
        report.escalate(GOVERNANCE)
    report.files_checked = project.files_checked
    report.problems = fsguard.once(report.problems)
    return Checked(project, index, report)

