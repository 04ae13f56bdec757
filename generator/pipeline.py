"""The pipeline, top to bottom: load → validate → model (→ render → build).

``check`` is the pipeline without writing anything. It gathers every problem
before it returns, never stopping at the first, so a committee member fixes a
whole batch per run.

Frictionless is the slowest step (about 4 s per 100,000 budget lines), so on
large packages it runs in a worker process while this one loads and checks the
YAML documents: on two cores the check then costs little more than frictionless
alone.

A check remembers what it worked out (``generator.loading.cache``): the report
of an unchanged project, each document by the hash of its bytes, frictionless'
verdict by the hashes of the package's files. The cross-checks run again over the
whole index, one edited file can change what others may refer to, but over what
each document's facts and remembered findings say (``Project.fact``, ``DocCheck``),
kept by its text: a document the cache listed is a stub whose model is read only
when a check must look at it again (``load.Doc.stub``).
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import stat
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

from generator import registry
from generator.checks import CHECKS
from generator.checks.prescan import Loading
from generator.index import Index, build_index
from generator.kinds.base import DataPackage
from generator.kinds.common import Today
from generator.load import Project, StaleEntry, unexpected_files
from generator.loading import fsguard
from generator.loading.cache import (
    ApartLost,
    Cache,
    Digests,
    Snapshot,
    caches_off,
    file_digest,
    fingerprint,
    key_of,
    snapshot,
)
from generator.messages import GOVERNANCE
from generator.problems import Problem, Report
from generator.tables import (
    TableTexts,
    frictionless_errors,
    load_package,
    map_frictionless,
    package_path,
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


def open_cache(root: Path, cache: bool = True) -> Cache | None:
    """The project's check cache, unless turned off (``cache=False``, ``PORTAL_NO_CACHE=1``)."""
    if not cache or caches_off():
        return None
    return Cache.open(Path(root))


def check(root: Path, jobs: int | None = None, strict: bool = False, cache: bool = True,
          last: bool = False) -> Report:
    """Validate the community data under ``root``; return every problem found.
    ``strict``: governance gaps (``messages.GOVERNANCE``) are errors, not warnings.
    ``cache``: reuse what earlier checks of the same inputs found.
    ``last``: only the process's exit follows, without freeing anything (``portal check``,
    ``cli.exit_now``): what the check loaded is kept (``KEPT``), not freed one by one."""
    store = open_cache(root, cache)
    if store is None:
        return _report_of(Path(root), jobs, strict, None, last=last)
    found: dict[str, bytes] = {}
    inputs, seen = inputs_of(root, store, found)
    report = stored_report(store, inputs, strict)
    if report is not None:
        return report
    report = _report_of(Path(root), jobs, strict, store, found, last)
    keep_report(store, root, inputs, seen, strict, report)
    return report


def inputs_of(root: Path, store: Cache | None, found: dict[str, bytes] | None = None) -> tuple[str, Snapshot]:
    """The fingerprint of every input (``loading.cache.fingerprint``) and the snapshot seen;
    files whose status did not change since the last check are not read again.
    ``found``: filled with each file's digest (``fingerprint``'s)."""
    if store is None:
        return fingerprint(root, found=found)
    stored = store.get("digests", "")
    digests: Digests = dict(stored) if isinstance(stored, dict) else {}
    inputs, seen = fingerprint(root, digests, found)
    if digests != stored:
        store.put("digests", "", digests)
    return inputs, seen


def _report_key(inputs: str, strict: bool) -> str:
    # every input, the options and the date (some checks compare with today)
    return key_of(inputs, str(strict), Today.get().isoformat())


def stored_report(store: Cache | None, inputs: str, strict: bool) -> Report | None:
    """The report an earlier check made of exactly these inputs, options and day, if kept."""
    report = store.get("report", _report_key(inputs, strict)) if store is not None else None
    return report if isinstance(report, Report) else None


def keep_report(store: Cache | None, root: Path, inputs: str, seen: Snapshot, strict: bool, report: Report) -> bool:
    """Keep ``report`` for ``stored_report``, when nothing was written while the check ran
    (the snapshot is still ``seen``): only then is it the report of these inputs. True if kept."""
    if store is None or store.unsettled or snapshot(root) != seen:
        return False
    store.put("report", _report_key(inputs, strict), report)
    return True


def load_and_check(root: Path, jobs: int | None = None, strict: bool = False, cache: bool = True) -> Checked:
    """Check ``root`` and keep what later steps (render, build) need."""
    return _load_and_check(Path(root), jobs, strict, open_cache(root, cache))


@contextmanager
def _gc_paused() -> Iterator[None]:
    """The loaded documents are millions of small objects that all stay alive until
    the end: each full run of the cyclic garbage collector would scan them all
    again for nothing (~0.3 s per 1,000 meetings, each time)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _load_and_check(root: Path, jobs: int | None, strict: bool, store: Cache | None) -> Checked:
    with _gc_paused():
        return _settled(root, jobs, strict, store, whole=True)


def _settled(root: Path, jobs: int | None, strict: bool, store: Cache | None,
             digests: dict[str, bytes] | None = None, whole: bool = False) -> Checked:
    """``_run``; again without the cache if a document it had listed could not be read as
    listed (its entry went bad and its file changed meanwhile, ``load.StaleEntry``), or a
    part of an entry is gone (``cache.ApartLost``: the entry was written again meanwhile).
    ``whole``: the tables' parts are read here (a build renders them), not in a later step."""
    try:
        checked = _run(root, jobs, strict, store, digests)
        if whole and store is not None:
            _ = checked.project.budgets.lines
            _ = [checked.project.tables_text[file] for file in checked.project.tables_text]
    except (StaleEntry, ApartLost):
        checked = None
    if store is not None and store.unsettled or checked is None:
        return _run(root, jobs, strict, None)
    return checked


#: What checks made with ``last=True`` loaded: the process exits without freeing it
KEPT: list[Checked] = []


def _report_of(root: Path, jobs: int | None, strict: bool, store: Cache | None,
               digests: dict[str, bytes] | None = None, last: bool = False) -> Report:
    """``_load_and_check``'s report alone. The documents and the index are dropped while
    the garbage collector is still paused: back on, its first run would walk them all
    once more (~0.5 s per 5,000 meetings) only to see them freed. With ``last``, they are
    kept and the collector leaves them be (``gc.freeze``): freeing them would cost
    ~0.25 s per 5,000 meetings for a process about to exit."""
    with _gc_paused():
        checked = _settled(root, jobs, strict, store, digests)
        report = checked.report
        if last:
            KEPT.append(checked)
            gc.freeze()
        del checked  # here, while paused: not when the function returns, after the collector is back on
    return report


def _run(root: Path, jobs: int | None, strict: bool, store: Cache | None,
         digests: dict[str, bytes] | None = None) -> Checked:
    """The check. ``digests``: path -> digest of each input file, from the fingerprint just
    taken (``inputs_of``): documents the cache holds are found by it, not read again."""
    report = Report()
    project = Project(root)
    if not (root / "data").is_dir():
        report.add(Problem("file.missing", "data/", params={"path": "data/"}))
        return Checked(project, Index(), report)

    # 0. Links out of the project and special files, anywhere in what is read or published
    #    (the theme is always the portal's: mkdocs.yml cannot name another folder, site_config).
    report.extend(fsguard.scan(root))

    # 2a. Documents: workers start parsing the YAML files now, when there is much to
    #     parse (``checks.prescan``), while this process reads the tables.
    package = registry.data_package()
    loading = Loading(root, registry.KINDS, store, jobs, project, busy=_tables_bytes(root, package),
                      digests=digests)

    # 1. Tables: read them ourselves, then hand the package to frictionless.
    #    The cache keeps both results by the package folder's contents.
    key = package_key(root, package, digests) if store is not None and package is not None else None
    project.tables_key = key
    found = store.get("tables", key) if store is not None and key is not None else None
    if isinstance(found, tuple) and len(found) == 3:
        info, problems, budgets = found
    else:
        info, problems = load_package(root, package) if package is not None else (None, [])
        budgets = None
    report.extend(problems)
    pending: Future[list[dict[str, Any]]] | None = None
    args: tuple[dict[str, Any], str, list[str]] | None = None
    executor: ProcessPoolExecutor | None = None
    known: list[dict[str, Any]] | None = None  #: frictionless' errors, when the cache has them
    if info is not None:
        if budgets is None:
            read = read_tables(info, root)
            problems = problems + read
            report.extend(read)
        project.tables_text = TableTexts(info.tables)
        args = (info.descriptor or {}, str(info.tables[0].path.parent) if info.tables else str(root),
                [t.name for t in info.tables if not t.readable])
        if store is not None and key is not None:
            stored = store.get("frictionless", key)
            known = stored if isinstance(stored, list) else None
        if known is None and jobs != 1 and sum(len(t.text) for t in info.tables) >= PARALLEL_MIN_BYTES:
            executor = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("fork"))
            pending = executor.submit(frictionless_errors, *args)
        if budgets is None:
            budgets = package.parse(info) if package is not None else project.budgets
            if store is not None and key is not None:
                store.put("tables", key, (info, problems, budgets))
        project.budgets = budgets
    elif store is not None and key is not None and found is None:
        store.put("tables", key, (None, problems, None))

    # 2b. Documents: parse and validate every YAML file (this process's share), collect
    #     the workers' (with their per-file findings); the tables are scanned meanwhile.
    project.docs, problems = loading.finish(project.tables_text)
    project.cache = store
    report.extend(problems)
    report.extend(unexpected_files(root, registry.KINDS))
    project.files_checked = sum(len(d) for d in project.docs.values()) + (len(info.tables) + 1 if info else 0)

    # 3. Collect frictionless' verdict: the budget cross-checks need to know
    #    which tables it rejected, so one mistake is reported once.
    if info is not None:
        try:
            if known is not None:
                errors = known
            else:
                errors = pending.result() if pending is not None else frictionless_errors(*args) if args else []
                if store is not None and key is not None:
                    store.put("frictionless", key, errors)
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
    project.save_facts()

    if strict:
        report.escalate(GOVERNANCE)
    report.files_checked = project.files_checked
    report.problems = fsguard.once(report.problems)
    return Checked(project, index, report)


def _tables_bytes(root: Path, package: DataPackage | None) -> int:
    """The bytes of the package's folder: what reading the tables will cost this process."""
    if package is None:
        return 0
    try:
        with os.scandir(package_path(root, package).parent) as entries:
            return sum(e.stat(follow_symlinks=False).st_size for e in entries if e.is_file(follow_symlinks=False))
    except OSError:
        return 0


def package_key(root: Path, package: DataPackage, digests: dict[str, bytes] | None = None) -> str | None:
    """A hash of everything the tables step reads: each entry of the package's folder
    (name, type, link count, link target, digest of the bytes) and where the project is
    (the step's records hold absolute paths). None when the folder cannot be read.
    ``digests``: the fingerprint's (``_run``), so unchanged tables are not read again."""
    folder = package_path(root, package).parent
    parts: list[str | bytes] = [str(root.resolve())]
    try:
        for top in (folder.parent, folder):  # a link in place of a folder is refused, not read
            parts.append(str(stat.S_IFMT(os.lstat(top).st_mode)) if os.path.lexists(top) else "absent")
        for current, dirs, files in os.walk(folder):
            dirs.sort()
            for name in sorted(dirs + files):
                path = os.path.join(current, name)
                st = os.lstat(path)
                parts += [os.path.relpath(path, folder), f"{stat.S_IFMT(st.st_mode)}|{st.st_nlink}"]
                if stat.S_ISLNK(st.st_mode):
                    parts.append(os.readlink(path))
                elif stat.S_ISREG(st.st_mode):
                    known = digests.get(os.path.relpath(path, root)) if digests is not None else None
                    if known is None:
                        with open(path, "rb") as f:
                            known = file_digest(f)
                    parts.append(known)
    except OSError:
        return None
    return key_of(*parts)
