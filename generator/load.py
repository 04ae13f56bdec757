"""Load step: find the YAML data files, parse them with positions, and validate
each against its kind's model.

Returns a ``Project`` holding, per kind, a ``Doc`` for every file (with the raw
located data, and the model when it validated) plus the problems found. Nothing
here raises on bad input: every failure becomes a ``Problem``.
"""

from __future__ import annotations

import gc
import hashlib
import os
from dataclasses import dataclass, field
from fnmatch import fnmatch
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable, Mapping, TypeVar

from pydantic import ValidationError

from generator.kinds.base import Kind
from generator.kinds.common import Model
from generator.loading.cache import Apart, Cache, Memo, bytes_digest, key_of
from generator.loading.fsguard import refusal
from generator.loading.textfile import MAX_YAML_BYTES, TextFileProblem, decode, read_text
from generator.loading.yamlfile import LocDict, YamlProblem, locate, parse_yaml
from generator.problems import Problem
from generator.schema_errors import problems_from
from portal_core.i18n import pair

T = TypeVar("T")

if TYPE_CHECKING:  # the budget kind fills these (its DataPackage.parse); loading only holds them
    from generator.kinds.budget.model import BudgetLine, DeclaredTotal


class StaleEntry(Exception):
    """A document the cache had listed could not be read from its entry, and its file no
    longer holds the bytes the entry was named after (it changed while the check ran):
    the check starts again without the cache (``pipeline``)."""


@dataclass(eq=False)
class Doc:
    """One YAML data file: where it is, what it said, and its model if valid.

    A document the check cache holds starts as a stub (``stub``): its kind, name, key and
    whether it validated, with its load problems; its text, model and located data are
    read from its entry when first asked for. The checks that run over every document
    read its facts (``Project.fact``) and remembered findings instead, so after an edit
    only the edited file's model is unpickled."""

    kind: str
    file: str  #: path relative to the project root, e.g. ``data/meetings/x.yaml``
    data: Any
    # (factories, not plain defaults: no class attribute, so a stub's ``__getattr__`` gets them)
    model: Any = field(default_factory=lambda: None)
    text: str = field(default_factory=str)  #: the file's text, for the scanners (privacy, unsafe markup)
    #: a hash of kind, file and bytes (the cache entry's name, ``entry_name``), made once
    #: when the file is read: the per-file findings are remembered by it (``text_key``)
    key: str = ""

    @classmethod
    def stub(cls, kind: str, file: str, key: str, valid: bool, load: Callable[[], Doc]) -> Doc:
        """A document known by its entry ``key`` (and that it validated), read by ``load``
        when its text, model or located data is first asked for."""
        doc = cls.__new__(cls)
        doc.__dict__.update(kind=kind, file=file, key=key, _valid=valid, _load=load)
        return doc

    @property
    def validated(self) -> bool:
        """Whether the model validated (a stub knows it without reading its entry)."""
        state = self.__dict__
        return bool(state["_valid"]) if "_load" in state else self.model is not None

    def _fill(self) -> None:
        state = self.__dict__
        full = state.pop("_load")()
        for name, value in full.__dict__.items():
            if name != "key":
                state[name] = value
        state.pop("_valid", None)

    # The located data is most of a document's memory and of the time to pickle it
    # (the check cache): it is not pickled, and read again from ``text`` when a check
    # asks for it (to place a problem, or a file the cache had not seen).
    def __getstate__(self) -> dict[str, Any]:
        if "_load" in self.__dict__:
            self._fill()
        state = dict(self.__dict__)
        if self.text:
            state.pop("data", None)
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)

    def __getattr__(self, name: str) -> Any:
        state = self.__dict__
        if "_load" in state and name in ("model", "text", "data"):  # a stub: its entry, now
            self._fill()
            return getattr(self, name)
        if name == "data" and "text" in state:  # only after unpickling
            state["data"] = parse_yaml(self.text)
            return state["data"]
        raise AttributeError(name)

    @property
    def text_key(self) -> str:
        """What the per-file checks remember their findings by: the file's kind, name and
        text, hashed once (when the cache read it, or here on first asking)."""
        if not self.key:
            self.key = "text-" + key_of(self.kind, self.file, self.text)
        return self.key

    @property
    def parsed(self) -> bool:
        """Whether ``data`` is at hand (reading it may cost a parse)."""
        return "data" in self.__dict__

    def at(self, *path: Any, value: bool = False) -> tuple[int | None, int | None]:
        return locate(self.data, tuple(path), value)

    def problem(self, code: str, *path: Any, severity: str = "error", **params: Any) -> Problem:
        """A problem located at the value found along ``path`` in this file."""
        line, col = self.at(*path, value=True)
        return Problem(code, self.file, line, col, params, severity)  # type: ignore[arg-type]


@dataclass
class Budgets:
    """The budget tables as the cross-checks need them (see ``generator.tables``)."""

    lines: list[BudgetLine] = field(default_factory=list)
    totals: list[DeclaredTotal] = field(default_factory=list)
    funds: dict[str, str] = field(default_factory=dict)  #: fund id -> name
    years: list[int] = field(default_factory=list)
    #: file -> column name -> 1-based column number, to point at the right cell
    columns: dict[str, dict[str, int]] = field(default_factory=dict)
    #: tables frictionless rejected (or that could not be read): sums over them
    #: would only repeat its verdict as false mismatches
    tainted: set[str] = field(default_factory=set)

    # The lines are most of the tables step's cache entry (100,000 objects at scale): they
    # are kept apart (``cache.Apart``: a file beside the signed entry), read and unpickled
    # when first asked for; a warm check whose budget findings are all remembered never asks.
    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        if "lines" in state:
            state["_lines"] = Apart(state.pop("lines"))
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)

    def __getattr__(self, name: str) -> Any:
        if name == "lines" and "_lines" in self.__dict__:
            lines: list[BudgetLine] = self.__dict__["_lines"].value
            del self.__dict__["_lines"]
            self.__dict__["lines"] = lines
            return lines
        raise AttributeError(name)


@dataclass
class Project:
    root: Path
    docs: dict[str, list[Doc]] = field(default_factory=dict)
    budgets: Budgets = field(default_factory=Budgets)
    #: CSV file -> text, for the scanners (``tables.TableTexts``: a text is read when asked for)
    tables_text: Mapping[str, str] = field(default_factory=dict)
    files_checked: int = 0
    #: the check's cache, for checks that remember per-file results (None: off)
    cache: Cache | None = None
    #: a hash of everything the budget tables (``budgets``) were read from, when the cache
    #: is on (``pipeline.package_key``): checks of the tables alone remember their findings by it
    tables_key: str | None = None
    #: file -> check -> its findings for that file, worked out by the worker process
    #: that parsed the file (``generator.checks.prescan``): the located data stays there
    prescanned: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: the kinds' per-document facts (``fact``), by name
    memos: dict[str, Memo] = field(default_factory=dict)
    #: what several checks of one run work out once (``once``)
    shared: dict[str, Any] = field(default_factory=dict)

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    def valid(self, kind: str) -> list[Doc]:
        """The docs of a kind whose model validated."""
        return [d for d in self.docs.get(kind, []) if d.validated]

    def fact(self, name: str, doc: Doc, compute: Callable[[Doc], T]) -> T:
        """What a kind's ``compute`` works out of one of its documents (the facts the index
        and the cross-checks read instead of the model, e.g. a meeting's decisions), kept by
        the check cache by the document's text (``Doc.text_key``): an unchanged document's
        model is not read for them. ``save_facts`` keeps this run's."""
        memo = self.memos.get(name)
        if memo is None:
            memo = self.memos[name] = Memo(self.cache, f"facts-{name}", "")
        return memo.value(doc, compute, doc)

    def once(self, key: str, compute: Callable[[], T]) -> T:
        """``compute()``, once per run (e.g. the budget lines' ids by year)."""
        if key not in self.shared:
            self.shared[key] = compute()
        found: T = self.shared[key]
        return found

    def save_facts(self) -> None:
        for memo in self.memos.values():
            memo.save()

    def texts_key(self, *kinds: str) -> str:
        """A key of every document of ``kinds``, in order (their kind, name and text): what
        per-file findings that also read those documents are remembered with."""
        return key_of(*kinds, *(d.text_key for kind in kinds for d in self.docs.get(kind, [])))

    @property
    def community(self) -> Any:
        docs = self.valid("community")
        return docs[0].model if docs else None


def discover(root: Path, kinds: tuple[Kind, ...]) -> list[tuple[Kind, Path]]:
    """Every YAML data file of ``kinds`` (the registry's), in a stable order."""
    data = root / "data"
    found: list[tuple[Kind, Path]] = []
    for kind in kinds:
        if kind.file:
            found.append((kind, data / kind.file))
        elif kind.folder and (data / kind.folder).is_dir():
            folder = data / kind.folder
            found.extend((kind, folder / name) for name, is_file in _listing(folder)
                         if is_file and _suffix(name) in (".yaml", ".yml"))
    return found


def unexpected_files(root: Path, kinds: tuple[Kind, ...]) -> list[Problem]:
    """Files in data/ folders that no kind reads: most likely a mistake."""
    problems = []
    for kind in kinds:
        if not kind.folder or not (root / "data" / kind.folder).is_dir():
            continue
        folder = root / "data" / kind.folder
        for name, is_file in _listing(folder):
            if is_file and _suffix(name) not in (".yaml", ".yml") and not name.startswith(".") \
                    and not any(fnmatch(name, pattern) for pattern in kind.side_files):
                problems.append(Problem("file.unexpected", rel(root, folder / name), None, None,
                                        {"name": name}, "warning"))
    return problems


def _listing(folder: Path) -> list[tuple[str, bool]]:
    """(name, is a file, links followed) of each entry of ``folder``, by name: as
    ``sorted(folder.iterdir())`` with ``Path.is_file``, without a path object per
    entry (a folder holds thousands of meetings, listed at every check)."""
    out = []
    with os.scandir(folder) as entries:  # an unreadable folder raises, as iterdir did
        for entry in entries:
            try:
                is_file = entry.is_file()
            except OSError:
                is_file = False  # as Path.is_file
            out.append((entry.name, is_file))
    return sorted(out)


def _suffix(name: str) -> str:
    """``Path(name).suffix``: the last dot's part, none for ``.hidden`` or ``name.``."""
    i = name.rfind(".")
    return name[i:] if 0 < i < len(name) - 1 else ""


def rel(root: Path, path: Path) -> str:
    top, full = str(root), str(path)
    if full.startswith(top) and full[len(top):len(top) + 1] == "/" and top != "/":
        return full[len(top) + 1:]  # the common case, without Path.relative_to
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


def load_doc(root: Path, kind: Kind, path: Path, cache: Cache | None = None,
             raw: bytes | None = None, name: str | None = None) -> tuple[Doc | None, list[Problem]]:
    """Read, parse and validate one file; with ``cache``, a file whose bytes were
    loaded before (same kind, same name) is taken from it instead. ``raw``: the
    file's bytes, read by a caller that found no ``refusal`` for it (not read again);
    ``name``: their ``entry_name``, when the caller worked it out (not hashed again).
    ``name`` without ``raw``: the entry named after the digest the fingerprint took of
    the file (``entry_name_of``), by a caller that found no ``refusal`` for it: an entry
    there is taken without reading the file; none, and the file is read as usual."""
    file = rel(root, path)
    if name is not None and cache is not None:
        known = listed(cache).get(name)
        if known is not None:  # read when first needed (most checks need facts only)
            cache.used.add(name)
            return Doc.stub(kind.name, file, name, known[0], partial(_from_entry, root, kind, path, cache, name)), \
                list(known[1])
    if raw is None and name is not None and cache is not None:
        hit = cache.get(name, name)
        if isinstance(hit, tuple) and len(hit) == 2:
            return hit
    if raw is None:
        refused = refusal(root, path)  # a link out of the project, a fifo: never opened
        if refused is not None:
            return None, [refused]
        if not path.exists():
            return None, [Problem("file.missing", file, params={"path": file})]
        try:
            size = path.stat().st_size
            raw = path.read_bytes() if cache is not None and size <= MAX_YAML_BYTES else None
        except OSError:
            raw = None  # read_text below says why
        name = None  # the bytes now read name the entry, whatever the file held before
    if raw is None or cache is None:
        return _load_text(kind, path, file, None)
    if name is None:
        name = entry_name(kind, file, raw)
    hit = cache.get(name, name)
    if isinstance(hit, tuple) and len(hit) == 2:
        return hit
    found = _load_text(kind, path, file, raw)
    if found[0] is not None:
        found[0].key = name
    cache.put(name, name, found)
    return found


def listed(cache: Cache) -> dict[str, tuple[bool, list[Problem]]]:
    """The documents the last check loaded, by entry name (``entry_name``): whether each
    validated, and its load problems. One entry, read once per run: a document named
    there becomes a ``Doc.stub``, its own entry read only if its model or text is needed."""
    found: dict[str, tuple[bool, list[Problem]]] | None = cache.notes.get("docs")
    if found is None:
        stored = cache.get("docs", "")
        found = cache.notes["docs"] = stored if isinstance(stored, dict) else {}
    return found


def keep_listing(cache: Cache, loaded: Iterable[tuple[Doc, list[Problem]]]) -> None:
    """Keep ``listed`` for the next check: this run's documents (those of the cache only)."""
    now = {doc.key: (doc.validated, problems) for doc, problems in loaded if doc.key}
    if now.keys() != listed(cache).keys() and not cache.unsettled:
        cache.put("docs", "", now)


def _from_entry(root: Path, kind: Kind, path: Path, cache: Cache, name: str) -> Doc:
    """A stub's document from its entry; an entry gone bad since, from its file (kept again)."""
    hit = cache.get(name, name)
    if isinstance(hit, tuple) and len(hit) == 2 and isinstance(hit[0], Doc):
        return hit[0]
    doc, _problems = load_doc(root, kind, path, cache)
    if doc is None or doc.key != name:  # no longer the bytes the stub was named after
        cache.unsettled = True
        raise StaleEntry(rel(root, path))
    return doc


def entry_name(kind: Kind, file: str, raw: bytes) -> str:
    """The cache entry of a document: its kind, name and bytes."""
    return entry_name_of(kind, file, bytes_digest(raw))


def entry_name_of(kind: Kind, file: str, digest: bytes) -> str:
    """``entry_name`` from the digest of the bytes (``cache.bytes_digest``, as the
    fingerprint takes it): unchanged files need not be read again to be named. (One hash
    over kind, name and digest: neither a kind's nor a file's name holds a NUL, and the
    digest comes last; a check names thousands of documents.)"""
    return "doc-" + hashlib.blake2b(f"{kind.name}\0{file}\0".encode() + digest, digest_size=20).hexdigest()


def _load_text(kind: Kind, path: Path, file: str, raw: bytes | None) -> tuple[Doc | None, list[Problem]]:
    try:
        text = read_text(path, MAX_YAML_BYTES) if raw is None else decode(raw)
    except TextFileProblem as exc:
        line = exc.params.get("line")
        return None, [Problem(exc.code, file, line if isinstance(line, int) else None, None, exc.params)]
    if not text.strip():
        return None, [Problem("file.empty", file)]
    try:
        data = parse_yaml(text)
    except YamlProblem as exc:
        return None, [Problem(exc.code, file, exc.line, exc.col, exc.params)]
    if not isinstance(data, LocDict):
        zh, en = (pair("problem.word.yaml.list") if isinstance(data, list)
                  else pair("problem.word.yaml.text") if isinstance(data, str) else (type(data).__name__, type(data).__name__))
        return None, [Problem("yaml.not-mapping", file, 1, 1, {"actual": zh, "actual_en": en})]
    doc = Doc(kind.name, file, data, text=text)
    model: type[Model] = kind.model
    try:
        doc.model = model.model_validate(data)
    except ValidationError as exc:
        return doc, problems_from(exc, data, file, model)
    except (RecursionError, ValueError, TypeError) as exc:  # defensive: never a traceback
        return doc, [Problem("schema.invalid", file, 1, 1, {"field": "(file)", "detail": str(exc)[:200]})]
    stem = path.stem
    if kind.folder and getattr(doc.model, "id", stem) != stem:
        return doc, [doc.problem("id.filename-mismatch", "id", id=doc.model.id, stem=stem)]
    return doc, []


def load_yaml_kinds(root: Path, kinds: tuple[Kind, ...], files: list[tuple[Kind, Path]] | None = None,
                    cache: Cache | None = None) -> tuple[dict[str, list[Doc]], list[Problem]]:
    docs: dict[str, list[Doc]] = {k.name: [] for k in kinds if k.folder or k.file}
    problems: list[Problem] = []
    # Loading creates millions of small objects that all stay alive: the cyclic
    # garbage collector would scan them again and again for nothing (~half the time).
    enabled = gc.isenabled()
    gc.disable()
    try:
        for kind, path in files if files is not None else discover(root, kinds):
            doc, found = load_doc(root, kind, path, cache)
            problems.extend(found)
            if doc is not None:
                docs[kind.name].append(doc)
    finally:
        if enabled:
            gc.enable()
    if cache is not None and cache.written and files is None:
        cache.prune("doc-")  # entries of files since edited or removed
    return docs, problems
