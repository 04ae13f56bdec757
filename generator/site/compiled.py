"""What a process learns of the templates, kept for the next process: jinja2's compiled
templates (bytecode) and the names each template reads (``render_cache``).

Each ``portal build`` parsed and compiled again every template it used: after one notice
was edited in a community of 482 pages, ~1.4 s of its render step and ~0.38 s of each
language's mkdocs worker (mkdocs-material's ~27 templates), of ~8 s in all
(``bench/README.md``, issue #20). Both depend only on the templates' sources, so they are
kept in records shared by every project and community of this user, outside any of them
(``loading.cache.user_store``): a street's 30 communities and the street itself use one copy.

Compiled code is code: each record is signed with the check cache's key
(``generator.signed``), and one that does not verify is ignored. jinja2 checks a compiled
template against its source's checksum, and the names are found by the source's hash, so a
changed template is parsed and compiled again. ``PORTAL_NO_CACHE=1``: nothing is read or
written (each process keeps its own in memory, as before).
"""

from __future__ import annotations

import base64
import binascii
import threading
from pathlib import Path
from typing import Any, Callable

from jinja2.bccache import Bucket

from generator import signed
from generator.loading.cache import caches_off, user_store
from generator.site.bytecode import SharedBytecode


class Kept:
    """A dict of this process, read from the user's signed record ``name`` on first use
    (``load``) and written back by ``save`` when something was added. Past ``LIMIT``
    values, only those this process used are kept (another checkout's templates are other
    keys: the record does not grow with every checkout)."""

    LIMIT = 400

    def __init__(self, name: str, encode: Callable[[Any], Any], decode: Callable[[Any], Any]) -> None:
        self.name, self._encode, self._decode = name, encode, decode
        self.values: dict[str, Any] = {}
        self.used: set[str] = set()
        self.added = False
        self._lock = threading.Lock()  # a street renders two communities at once, in threads
        # The record this process read (None: caches off), and the keys it holds. A process may
        # see another record later (a library caller or a test moving XDG_CACHE_HOME, the caches
        # turned on): it is read then, and written if it lacks what this process has used.
        self._source: Path | None = None
        self._loaded = False
        self._stored: set[str] = set()

    def _record(self) -> Path | None:
        return None if caches_off() else user_store(self.name)

    def load(self) -> None:
        record = self._record()
        if self._loaded and record == self._source:
            return
        with self._lock:
            if self._loaded and record == self._source:
                return
            stored = signed.load(record, self.name) if record is not None else None
            self._stored = set()
            for key, value in (stored.items() if isinstance(stored, dict) else ()):
                try:
                    self.values.setdefault(key, self._decode(value))
                except (TypeError, ValueError, IndexError, binascii.Error):
                    continue  # signed by us, but not in this code's shape: made again
                self._stored.add(key)
            self._source, self._loaded = record, True

    def save(self) -> None:
        record = self._record()
        if record is None or record != self._source:
            return  # not read from this record: writing it would drop what it holds
        if not self.added and self.used <= self._stored:
            return
        with self._lock:
            values = dict(self.values)
            if len(values) > self.LIMIT:
                values = {k: v for k, v in values.items() if k in self.used}
            signed.save(record, self.name, {k: self._encode(v) for k, v in values.items()})
            self._stored, self.added = set(values), False


class StoredBytecode(SharedBytecode):
    """jinja2's bytecode cache, kept in the user's signed record ``name`` (``Kept``)."""

    def __init__(self, name: str) -> None:
        super().__init__()
        self.kept = Kept(name, lambda code: base64.b64encode(code).decode("ascii"),
                         lambda text: base64.b64decode(text, validate=True))
        self.codes = self.kept.values

    def load_bytecode(self, bucket: Bucket) -> None:
        self.kept.load()
        self.kept.used.add(bucket.key)
        super().load_bytecode(bucket)

    def dump_bytecode(self, bucket: Bucket) -> None:  # jinja2 compiled a template (new or changed)
        super().dump_bytecode(bucket)
        self.kept.added = True

    def save(self) -> None:
        self.kept.save()


#: The portal's page templates (``generator.site.render.Renderer``): communities and street views.
PAGES = StoredBytecode("page-code.json")
#: The street's own page templates (``generator.street.site``).
STREET = StoredBytecode("street-code.json")
#: The names each template and those it pulls in read, by the hash of its source
#: (``render_cache._analyse``): (names, referenced templates).
NAMES = Kept("template-names.json", lambda v: [sorted(v[0]), list(v[1])], lambda v: (frozenset(v[0]), tuple(v[1])))
#: The mkdocs theme's templates, in each mkdocs worker (``generator.site.mkdocs_hooks``).
THEME_RECORD = "theme-code.json"
#: Every record this module keeps (a benchmark's cold build starts without them).
RECORDS = (PAGES.kept.name, STREET.kept.name, NAMES.name, THEME_RECORD)
