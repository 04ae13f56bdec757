"""Load the YAML documents in worker processes, together with the checks that need
one file alone.

Parsing (libyaml's compose, the located values) and validating the documents cost
more than frictionless spends on the tables, and the per-file scans (unsafe
markup, personal data, the default language) walk the same located data again.
On several cores the files are split: forked workers each load a share and scan
it, so the located data (most of the memory, and of the cost of sending) never
leaves the worker; what comes back is each ``Doc`` (model and text, see
``Doc.__getstate__``) with its findings (``Project.prescanned``), which the checks
take instead of parsing the file again. This process loads a share too.

Files the check cache holds stay here: unpickling them in a worker to pickle them
again for this process would cost twice. A worker that fails (killed, out of
memory) costs only time: its files are loaded here.
"""

from __future__ import annotations

import multiprocessing
import os
import stat
import threading
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

from generator.checks import languages, markup, privacy
from generator.index import build_index
from generator.kinds.base import Kind
from generator.load import (
    Doc,
    Project,
    discover,
    entry_name,
    entry_name_of,
    keep_listing,
    load_doc,
    load_yaml_kinds,
    rel,
)
from generator.loading.cache import Cache
from generator.loading.fsguard import refusal
from generator.loading.textfile import MAX_YAML_BYTES
from generator.problems import Problem

#: Below this many bytes of YAML to parse, starting a worker costs more than it saves.
PARALLEL_MIN_BYTES = 1024 * 1024

Loaded = tuple[Doc | None, list[Problem], dict[str, Any] | None]
#: a file's bytes (None: not read, named by the fingerprint's digest) and its cache
#: entry's name (``load.entry_name``)
Held = tuple[bytes | None, str]


@dataclass
class _Plan:
    """What the forked workers inherit (never pickled: fork copies it)."""

    root: Path
    files: list[tuple[Kind, Path]]
    store: Cache | None
    site_languages: list[str]
    parent: int  #: the process that made the plan (its own share keeps the located data)


_PLANS: dict[int, _Plan] = {}


def processes(jobs: int | None) -> int:
    """How many processes may load: ``jobs``, else the cores this process may use
    that are idle. On a busy machine workers only add their cost (sending the
    documents back: about a third more CPU in all) to what the others wait for."""
    if jobs is not None:
        return max(1, jobs)
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        cores = os.cpu_count() or 1
    try:
        idle = cores - os.getloadavg()[0]
    except OSError:  # pragma: no cover - no load average
        idle = cores
    return max(1, min(cores, int(idle + 0.5) + 1))


def load_documents(root: Path, kinds: tuple[Kind, ...], store: Cache | None, jobs: int | None,
                   project: Project) -> tuple[dict[str, list[Doc]], list[Problem]]:
    """``load.load_yaml_kinds`` with the parsing split across ``jobs`` processes when
    there is enough of it; the workers' findings go to ``project.prescanned``.
    The documents and problems are the same, in the same order, either way."""
    return Loading(root, kinds, store, jobs, project).finish()


class Loading:
    """The documents being loaded: made, it starts the workers (if any); ``finish``
    loads this process's share and collects theirs. In between, this process does
    other work (the tables): ``busy`` is its size in bytes of CSV, so its share of
    the documents is that much smaller. ``digests``: path -> digest of the files' bytes,
    as the check's fingerprint just took them (``cache.fingerprint(found=)``)."""

    def __init__(self, root: Path, kinds: tuple[Kind, ...], store: Cache | None, jobs: int | None,
                 project: Project, busy: int = 0, digests: dict[str, bytes] | None = None) -> None:
        self.root, self.kinds, self.store, self.project = root, kinds, store, project
        self.files = discover(root, kinds)
        share, self.held = _parse_share(root, self.files, store, digests)
        self.results: dict[int, Loaded] = {}
        self.pending: list[tuple[list[int], Future[tuple[list[Loaded], set[str], int]]]] = []
        self.executor: ProcessPoolExecutor | None = None
        self.mine: list[int] = []
        total = sum(share.values())
        # at least half the threshold for each process
        count = min(processes(jobs), len(share), max(1, total * 2 // max(PARALLEL_MIN_BYTES, 1)))
        # A check called from a worker thread (a street builds its communities in threads, serve
        # checks from its watcher) loads here: a fork then could copy into the child a lock that a
        # neighbouring thread holds, which the child would never get.
        if count < 2 or total < PARALLEL_MIN_BYTES or "fork" not in multiprocessing.get_all_start_methods() \
                or threading.current_thread() is not threading.main_thread():
            return
        # The single files (the community profile …) first: the languages of the site,
        # which the default-language scan assumes (the check verifies it).
        for i, (kind, path) in enumerate(self.files):
            if kind.file:
                doc, found = load_doc(root, kind, path, store, *self.held.get(i, (None, None)))
                self.results[i] = (doc, found, None)
        plan = _Plan(root, self.files, store, _site_languages(root, kinds, self.files, self.results), os.getpid())
        self.plan = id(plan)
        _PLANS[self.plan] = plan
        # Reading a byte of CSV here costs about half what parsing a byte of YAML does.
        chunks = _split([i for i in share if i not in self.results], share, count, busy // 2)
        self.mine = chunks[0]
        for kind in kinds:  # the models' schemas are built on first use (``defer_build``): once, before the fork
            if hasattr(kind.model, "model_rebuild"):
                kind.model.model_rebuild()
        self.executor = ProcessPoolExecutor(count - 1, mp_context=multiprocessing.get_context("fork"))
        try:
            self.pending = [(chunk, self.executor.submit(_load_share, self.plan, chunk)) for chunk in chunks[1:]]
        except Exception:  # noqa: BLE001 - no worker could start: everything is loaded here
            self.mine = [i for chunk in chunks for i in chunk]
            self.pending = []

    def finish(self, tables_text: Mapping[str, str] | None = None) -> tuple[dict[str, list[Doc]], list[Problem]]:
        """The documents by kind and the problems, in the order of the files. With
        workers, ``tables_text`` (file -> text) is scanned here while they work."""
        root, store, held = self.root, self.store, self.held
        if self.executor is None:
            if store is None:
                return load_yaml_kinds(root, self.kinds, self.files)
            serial: dict[int, Loaded] = {i: (*load_doc(root, kind, path, store, *held.get(i, (None, None))), None)
                                         for i, (kind, path) in enumerate(self.files)}
            return _assemble(self.kinds, self.files, serial, store, self.project)
        results = self.results
        try:
            results.update(zip(self.mine, _load_share(self.plan, self.mine)[0]))
            for file, text in (tables_text or {}).items():  # the tables' per-file scans, meanwhile
                self.project.prescanned[file] = {"privacy": privacy.candidates(file, text),
                                                 "markup": list(markup.scan_table(file, text))}
            for chunk, future in self.pending:
                try:
                    loaded_share, used, written = future.result()
                except Exception:  # noqa: BLE001 - a lost worker: its files are loaded here
                    loaded_share, used, written = _load_share(self.plan, chunk)[0], set(), 0
                results.update(zip(chunk, loaded_share))
                if store is not None:
                    store.used |= used
                    store.written += written
        finally:
            self.executor.shutdown()
            _PLANS.pop(self.plan, None)
        for i, (kind, path) in enumerate(self.files):  # those of the cache, and any the plan left out
            if i not in results:
                doc, found = load_doc(root, kind, path, store, *held.get(i, (None, None)))
                results[i] = (doc, found, None)
        return _assemble(self.kinds, self.files, results, store, self.project)


def _assemble(kinds: tuple[Kind, ...], files: list[tuple[Kind, Path]], results: dict[int, Loaded],
              store: Cache | None, project: Project) -> tuple[dict[str, list[Doc]], list[Problem]]:
    """The documents by kind and the problems, in the order of ``files``."""
    docs: dict[str, list[Doc]] = {k.name: [] for k in kinds if k.folder or k.file}
    problems: list[Problem] = []
    for i, (kind, _path) in enumerate(files):
        doc, found, facts = results[i]
        problems.extend(found)
        if doc is not None:
            docs[kind.name].append(doc)
            if facts is not None:
                project.prescanned[doc.file] = facts
    if store is not None:
        keep_listing(store, ((doc, found) for doc, found, _facts in results.values() if doc is not None))
    if store is not None and store.written:
        store.prune("doc-")  # entries of files since edited or removed
    return docs, problems


def _parse_share(root: Path, files: list[tuple[Kind, Path]], store: Cache | None,
                 digests: dict[str, bytes] | None = None) -> tuple[dict[int, int], dict[int, Held]]:
    """Index -> bytes of the files that must be parsed (not in the cache), and
    index -> the bytes and entry name of those the cache holds (read and hashed once:
    ``load_doc`` takes them). A file of ``digests`` is named by its digest there, not
    read: the fingerprint read it, or knew it unchanged since (same size, times, inode).
    Only files ``refusal`` lets through are read or named here; ``load_doc`` reports the others."""
    share: dict[int, int] = {}
    held: dict[int, Held] = {}
    plain: dict[str, bool] = {}  #: folder -> no link anywhere on its path
    present = store.names() if store is not None else set()
    for i, (kind, path) in enumerate(files):
        try:
            st = path.lstat()
            if store is not None and stat.S_ISREG(st.st_mode) and st.st_size <= MAX_YAML_BYTES \
                    and (_plainly_inside(path, st, plain) or refusal(root, path) is None):
                file = rel(root, path)
                digest = digests.get(file) if digests is not None else None
                if digest is not None:
                    name = entry_name_of(kind, file, digest)
                    if name in present:
                        held[i] = (None, name)
                        continue
                else:
                    raw = path.read_bytes()
                    name = entry_name(kind, file, raw)
                    if name in present:
                        held[i] = (raw, name)
                        continue
            size = st.st_size
        except OSError:
            size = 0  # load_doc says what is wrong with it
        share[i] = size
    return share, held


def _plainly_inside(path: Path, st: os.stat_result, plain: dict[str, bool]) -> bool:
    """Whether ``refusal`` has nothing to say, known without resolving the file's
    path: a regular file (``st``, not followed) with one link, in a folder with no
    link on its way (resolved once per folder). Anything else asks ``refusal``."""
    if not stat.S_ISREG(st.st_mode) or st.st_nlink != 1:
        return False
    folder = os.path.dirname(os.path.abspath(path))
    if folder not in plain:
        plain[folder] = os.path.realpath(folder) == folder
    return plain[folder]


def _split(indices: list[int], size: dict[int, int], count: int, head: int = 0) -> list[list[int]]:
    """``count`` runs of consecutive files, the first (this process's) ``head`` bytes
    shorter than the others, which are of about the same bytes each."""
    total = sum(size[i] for i in indices)
    first = max(0, total - head) // count
    rest = max(1, total - first)
    chunks: list[list[int]] = [[] for _ in range(count)]
    done = 0
    for i in indices:
        chunks[0 if done < first else min(count - 1, 1 + (done - first) * (count - 1) // rest)].append(i)
        done += size[i]
    return chunks


def _site_languages(root: Path, kinds: tuple[Kind, ...], files: list[tuple[Kind, Path]],
                    results: dict[int, Loaded]) -> list[str]:
    """The site's languages as the index will know them, from the single files alone."""
    partial = Project(root)
    for i, (doc, _found, _facts) in results.items():
        if doc is not None:
            partial.docs.setdefault(files[i][0].name, []).append(doc)
    try:
        return list(build_index(partial, kinds).languages)
    except Exception:  # noqa: BLE001 - only a guess: the languages check compares it with the index
        return ["zh"]


def _load_share(plan_id: int, indices: list[int]) -> tuple[list[Loaded], set[str], int]:
    """Load and scan the files ``indices`` of a plan (in a worker, or here)."""
    plan = _PLANS[plan_id]
    store = plan.store
    before = store.written if store is not None else 0
    loaded: list[Loaded] = []
    worker = os.getpid() != plan.parent
    for i in indices:
        kind, path = plan.files[i]
        doc, found = load_doc(plan.root, kind, path, store)
        facts = _facts(doc, plan.site_languages) if doc is not None and doc.parsed else None
        if worker and doc is not None and doc.text:
            # never sent (``Doc.__getstate__``): freed now, the next file reuses its memory
            doc.__dict__.pop("data", None)
        loaded.append((doc, found, facts))
    used = set(store.used) if store is not None else set()
    return loaded, used, (store.written - before) if store is not None else 0


def _facts(doc: Doc, site_languages: list[str]) -> dict[str, Any]:
    """The findings of the per-file checks on a freshly parsed document."""
    facts: dict[str, Any] = {
        "markup": list(markup.scan_doc(doc)),
        "privacy": privacy.candidates(doc.file, doc.text, data=doc.data),
        "contacts": privacy.doc_contacts(doc.data) if privacy.may_hold(doc.text, privacy.CONTACT_KEYS) else set(),
    }
    if doc.model is not None:
        facts["languages"] = languages.scan_doc(doc, site_languages)
    return facts
