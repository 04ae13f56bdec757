"""The render step's cache: a page is rendered again only when something it can
read changed (issue #20: ``portal serve`` shows an edit in seconds, and a build
renders only what changed).

A page's key is a hash of

- what is the same for every page of a render (``base``): the portal's code and
  strings (``generator.loading.cache.code_version``), the libraries that render,
  every file under ``site_templates/``, the project's ``mkdocs.yml``, the language,
  and today's date (a model may ask ``Today`` while a template renders);
- the sources of the page's template and of every template it extends, includes or
  imports (transitively);
- the values of exactly the names those templates can read (jinja2's
  ``meta.find_undeclared_variables``), and those the renderer's helpers they call
  read from the render context themselves (a ``pass_context`` helper lists them in
  its ``context_names``; one that does not is taken to read everything): from the
  page's own context, the context shared by all pages (``common``), and the page
  itself (path, title, front matter).
  Values are hashed as their pickle, which holds all of an object's state; a value
  that cannot be pickled (a function made at render time), or a template whose
  include is chosen at render time, makes the page uncacheable: it is rendered
  every time. So a page listing other records (home, indexes) reads them, its key
  changes with them, and it is rendered again; a page that reads ``index`` (all
  the data) is rendered again after any edit.

Pickles are not stable across processes for sets (string hashing is salted per
process): such a page misses the cache in the next build, never hits wrongly.
Rendered pages are kept in memory (``portal serve``'s re-renders) and in signed
entries under ``.portal-build/cache/render-<version>/`` (one per language, with
``generator.loading.cache.Cache``: an entry whose HMAC does not match is ignored).
``PORTAL_NO_CACHE=1`` turns it off, as it does the check's cache.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import shutil
import stat
from dataclasses import fields, is_dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import jinja2
from jinja2 import meta, nodes
from jinja2.defaults import DEFAULT_FILTERS, DEFAULT_TESTS  # type: ignore[attr-defined]
from pydantic import BaseModel

from generator.kinds.base import Page
from generator.kinds.common import Today
from generator.loading import cache as check_cache
from generator.loading.cache import Cache, caches_off, code_version, key_of, library_versions
from generator.site import compiled

#: Libraries whose output lands in a page and that ``code_version`` does not name.
_LIBRARIES = ("jinja2", "markupsafe", "segno")
#: Rendered pages kept in this process (``portal serve`` renders again and again), by
#: project and language, then key: each render keeps only its own pages, and only the
#: renders of the last few project-languages are kept. A street build renders 30
#: communities once each in one process: keeping every one grew it by ~17 MB a community.
_MEMORY: dict[str, dict[str, str]] = {}
_MEMORY_SLOTS = 4  #: two projects' two languages: a street builds two communities at once


def base_key(root: Path | None, templates: Path, lang: str, default_lang: str) -> str:
    """The part of every key that is the same for all pages of one render."""
    digest = hashlib.blake2b(digest_size=20)
    for part in (code_version(), lang, default_lang, Today.get().isoformat()):
        digest.update(part.encode() + b"\0")
    digest.update(library_versions(_LIBRARIES).encode() + b"\0")
    files = sorted(p for p in Path(templates).rglob("*") if p.is_file() and "__pycache__" not in p.parts)
    if root is not None:
        files.append(Path(root) / "mkdocs.yml")
    for path in files:
        digest.update(str(path).encode() + b"\0")
        try:
            digest.update(hashlib.blake2b(path.read_bytes(), digest_size=20).digest())
        except OSError:
            digest.update(b"absent\0")
    return digest.hexdigest()


class _Uncacheable(Exception):
    """A page whose inputs the key cannot cover."""


class RenderCache:
    """Rendered pages of one language, found by ``key``."""

    def __init__(self, base: str, store: Cache | None = None, lang: str = "", slot: str = "") -> None:
        self.base, self.store, self.entry, self.slot = base, store, f"pages-{lang}", f"{slot}|{lang}"
        self._names: dict[str, tuple[frozenset[str], bytes] | None] = {}
        #: hashes of the values seen in this render, by identity: pages share large values
        #: (every budget page the decisions, every meeting page the spending); the value is
        #: kept with its hash so that its id cannot be reused meanwhile
        self._seen: dict[int, tuple[Any, bytes]] = {}
        self._models: dict[int, tuple[Any, bytes]] = {}  #: the same for models (``_Pickler``)
        self._readers: dict[str, frozenset[str] | None] = {}  #: by global name (``_hidden``)
        # what this process rendered last (portal serve) is as good as the entry on disk:
        # any page is right for its key, so reading the entry again would only cost time
        stored = _MEMORY.get(self.slot)
        if stored is None and store is not None:
            stored = store.get(self.entry, "")
        self.stored: dict[str, str] = stored if isinstance(stored, dict) else {}
        self.now: dict[str, str] = {}
        self.hits = self.misses = self.uncacheable = 0

    @classmethod
    def open(cls, root: Path | None, templates: Path, lang: str, default_lang: str) -> RenderCache | None:
        """The cache for a render of ``root`` (None: no project folder, only in memory),
        or None when ``PORTAL_NO_CACHE`` is set."""
        if caches_off():
            return None
        base = base_key(root, templates, lang, default_lang)
        return cls(base, _open_store(root) if root is not None else None, lang, str(root))

    # -- keys ---------------------------------------------------------------------
    def template_inputs(self, env: jinja2.Environment, name: str) -> tuple[frozenset[str], bytes] | None:
        """The names ``name`` and the templates it pulls in can read, and a hash of
        their sources; None when an include is chosen at render time."""
        if name not in self._names:
            self._names[name] = _analyse(env, name)
        return self._names[name]

    def key(self, env: jinja2.Environment, page: Page, common: dict[str, Any], url: str) -> str | None:
        """The key of ``page`` rendered with ``common``, or None if it cannot be cached."""
        found = self.template_inputs(env, page.template)
        if found is None:
            self.uncacheable += 1
            return None
        names, sources = found
        hidden = self._hidden(env, names)
        names = names | (hidden if hidden is not None else {*common, *page.context})
        digest = hashlib.blake2b(digest_size=20)
        digest.update(self.base.encode() + sources)
        try:
            digest.update(_hash((page.path, page.template, page.title, page.meta), self._models))
            if "page" in names:  # a template may read any of the context as ``page.context``
                for name in sorted(page.context):
                    digest.update(b"P" + name.encode() + b"\0" + self._hash(page.context[name]))
            digest.update(url.encode() + b"\0")
            for name in sorted(names):
                if name in page.context:
                    digest.update(b"p" + name.encode() + b"\0" + self._hash(page.context[name]))
                elif name in common:
                    digest.update(b"c" + name.encode() + b"\0" + self._hash(common[name]))
                elif name in env.globals:
                    digest.update(b"g" + name.encode() + b"\0")  # the renderer's own helpers: code
                else:
                    digest.update(b"a" + name.encode() + b"\0")  # absent (a template may test `is defined`)
        except _Uncacheable:
            self.uncacheable += 1
            return None
        return digest.hexdigest()

    def _hidden(self, env: jinja2.Environment, names: frozenset[str]) -> frozenset[str] | None:
        """The names the renderer's helpers among ``names`` read from the render context
        themselves (jinja2's ``pass_context``: ``generator.site.jsonld`` fills in the
        community and its bodies); None when a helper does not say which (it may read any)."""
        if "|filters" not in self._readers:  # the portal's filters and tests may read the context too
            own = [f for name, f in env.filters.items() if DEFAULT_FILTERS.get(name) is not f]
            own += [f for name, f in env.tests.items() if DEFAULT_TESTS.get(name) is not f]
            self._readers["|filters"] = _context_reads(None, own)  # jinja2's own (map …) only call filters
        filters = self._readers["|filters"]
        if filters is None:
            return None
        found = set(filters)
        for name in names:
            helper = env.globals.get(name)
            if helper is None:
                continue
            if name not in self._readers:
                self._readers[name] = _context_reads(helper)
            reads = self._readers[name]
            if reads is None:
                return None
            found |= reads
        return frozenset(found)

    def _hash(self, value: Any) -> bytes:
        if isinstance(value, (str, int, float, bool, type(None))):
            return _hash(value)
        seen = self._seen.get(id(value))
        if seen is None:
            try:
                seen = self._seen[id(value)] = (value, _hash(value, self._models))
            except _Uncacheable:
                seen = self._seen[id(value)] = (value, b"")
        if not seen[1]:
            raise _Uncacheable(type(value).__name__)
        return seen[1]

    # -- entries ------------------------------------------------------------------
    def get(self, key: str) -> str | None:
        text = self.stored.get(key)
        if text is None:
            self.misses += 1
            return None
        self.hits += 1
        self.now[key] = text
        return text

    def put(self, key: str, text: str) -> None:
        self.now[key] = text

    def save(self) -> None:
        """Keep this render's pages (in memory and on disk); the others may go."""
        _MEMORY.pop(self.slot, None)  # the newest last: the oldest goes first
        _MEMORY[self.slot] = self.now
        while len(_MEMORY) > _MEMORY_SLOTS:
            del _MEMORY[next(iter(_MEMORY))]
        if self.store is not None and self.now.keys() != self.stored.keys():
            self.store.put(self.entry, "", self.now)
        compiled.NAMES.save()  # what this render learnt of the templates, for the next process
        compiled.PAGES.save()


def _context_reads(helper: Any, functions: list[Any] | None = None) -> frozenset[str] | None:
    """The context names a template helper (a function, or a module of them; or the
    ``functions`` given) reads by itself: those a ``pass_context`` function lists in
    ``context_names``; None if one does not list them."""
    if functions is None:
        functions = [getattr(helper, n) for n in dir(helper)] if isinstance(helper, ModuleType) else [helper]
    reads: set[str] = set()
    for function in functions:
        passes = getattr(function, "jinja_pass_arg", None)
        if passes is not None and getattr(passes, "name", "") == "context":
            declared = getattr(function, "context_names", None)
            if declared is None:
                return None
            reads |= set(declared)
    return frozenset(reads)


def _hash(value: Any, models: dict[int, tuple[Any, bytes]] | None = None) -> bytes:
    """A hash of ``value``'s whole state (its pickle); ``_Uncacheable`` if it has none.
    ``models``: the hashes of the models met so far, by identity (kept with the model,
    so that its id is not reused meanwhile)."""
    digest = hashlib.blake2b(digest_size=20)
    try:
        _Pickler(digest, {} if models is None else models).dump(value)
    except Exception as exc:  # noqa: BLE001 - lambdas, open files, generators …: render it instead
        raise _Uncacheable(type(value).__name__) from exc
    return digest.digest()


class _Pickler(pickle.Pickler):
    """Pickles into a hash, the same for equal values however they were made.

    - No memo: a value shared by two fields is written twice, as two equal values
      would be (a fresh load shares strings that one read back from the check's cache
      does not); a value that contains itself cannot be pickled so, and its page is
      rendered every time.
    - A pydantic model stands as the hash of its state, worked out once per model
      (a meeting is reached from each of its decisions); so does a slotted dataclass record
      (a budget line, in the lists of its year, its fund and its lines page). Its state holds the set of
      the fields that were given, whose order differs from one load of the same file
      to the next and from process to process: it is hashed sorted.
    - A document (``load.Doc``) stands as its ``text_key`` (``_KEYED``).
    """

    def __init__(self, digest: Any, models: dict[int, tuple[Any, bytes]]) -> None:
        super().__init__(_Writer(digest), protocol=pickle.HIGHEST_PROTOCOL)
        self.fast = True
        self.models = models

    def reducer_override(self, obj: Any) -> Any:
        keyed = _KEYED.get(type(obj))
        if keyed is None:
            keyed = _KEYED[type(obj)] = isinstance(getattr(type(obj), "text_key", None), property)
        if keyed:  # a document (load.Doc): see _KEYED
            return (_model, (obj.text_key,))
        if isinstance(obj, BaseModel):
            known = self.models.get(id(obj))
            if known is None:
                known = self._remember(obj, (type(obj).__module__, type(obj).__qualname__, obj.__dict__,
                                             sorted(obj.__pydantic_fields_set__), obj.__pydantic_extra__,
                                             obj.__pydantic_private__))
            return (_model, (known[1],))
        if type(obj) in _RECORDS or (is_dataclass(obj) and not isinstance(obj, type) and not hasattr(obj, "__dict__")):
            # a slotted record (a budget line) sits in several lists of one render (the year, its
            # fund, its lines page): hashed once, as a model is, not again in each list
            known = self.models.get(id(obj))
            if known is None:
                names = _RECORDS.setdefault(type(obj), tuple(f.name for f in fields(obj)))
                known = self._remember(obj, (type(obj).__module__, type(obj).__qualname__,
                                             tuple(getattr(obj, name) for name in names)))
            return (_model, (known[1],))
        return NotImplemented

    def _remember(self, obj: Any, state: Any) -> tuple[Any, bytes]:
        digest = hashlib.blake2b(digest_size=20)
        _Pickler(digest, self.models).dump(state)
        known = self.models[id(obj)] = (obj, digest.digest())
        return known


#: Types met so far, by whether they are documents (``load.Doc``, as ``loading.cache.Keyed``
#: says: a ``text_key`` property). The index holds documents (a meeting, a decision's): one
#: stands as its ``text_key``, the hash of its kind, file and text, from which the code (in
#: every key) makes its model; whether the check cache has read its model yet or left it a
#: stub changes its pickle, not what a page can show of it.
_KEYED: dict[type, bool] = {}

#: Slotted dataclasses (``slots=True``: their fields are all they hold) met so far, with their
#: fields' names (``_Pickler.reducer_override``).
_RECORDS: dict[type, tuple[str, ...]] = {}


class _Writer:
    def __init__(self, digest: Any) -> None:
        self.write = digest.update


def _model(*state: Any) -> None:
    """Stands for a model's class in ``_Pickler``'s output (never unpickled)."""


#: One template's names and references by its source's key (parsing the templates again
#: for each render cost as much as rendering the cached pages), kept for the next process.
_PARSED: dict[str, tuple[frozenset[str], tuple[str | None, ...]]] = compiled.NAMES.values


def _analyse(env: jinja2.Environment, name: str) -> tuple[frozenset[str], bytes] | None:
    names: set[str] = set()
    digest = hashlib.blake2b(digest_size=20)
    compiled.NAMES.load()
    todo, seen = [name], {name}
    while todo:
        current = todo.pop()
        assert env.loader is not None
        source, filename, _ = env.loader.get_source(env, current)
        source_key = key_of(current, filename or "", source)
        digest.update(source_key.encode())
        if source_key not in _PARSED:
            tree = env.parse(source)
            # every name read anywhere, as well: find_undeclared_variables leaves out the
            # environment's globals, and a global may read the context (``_hidden``)
            loads = {node.name for node in tree.find_all(nodes.Name) if node.ctx == "load"}
            _PARSED[source_key] = (frozenset(meta.find_undeclared_variables(tree)) | loads,
                                   tuple(meta.find_referenced_templates(tree)))
            compiled.NAMES.added = True
        compiled.NAMES.used.add(source_key)
        found, refs = _PARSED[source_key]
        names |= found
        for ref in refs:
            if ref is None:
                return None
            if ref not in seen:
                seen.add(ref)
                todo.append(ref)
    return frozenset(names), digest.digest()


def _open_store(root: Path) -> Cache | None:
    """Signed entries under ``<root>/.portal-build/cache/render-<version>/`` (the
    check cache's key and checks), or None when that cannot be used safely."""
    secret = check_cache.signing_key()
    if secret is None:
        return None
    base = Path(root) / check_cache.FOLDER
    folder = base / f"render-{code_version()[:24]}"
    try:
        for part in (base.parent, base, folder):
            if os.path.lexists(part) and not stat.S_ISDIR(os.lstat(part).st_mode):
                return None  # a planted link or file: never write through it
            part.mkdir(exist_ok=True)
        for other in base.iterdir():  # pages of other code versions can never be read again
            if other.name.startswith("render-") and other != folder and not other.is_symlink():
                shutil.rmtree(other, ignore_errors=True)
    except OSError:
        return None
    return Cache(Path(root), secret, folder)
