"""The check's cache: what a previous ``portal check`` worked out, found again by
the hash of what it was worked out from.

A committee member re-checks after editing one file of thousands; parsing and
validating the others again would repeat work whose inputs did not change. So
entries are keyed by a hash of their inputs' bytes (never by modification
times, which git checkouts and copies do not keep), and the whole cache is
versioned by the code that made it (``code_version``: the generator's and
portal_core's sources, strings included, and the libraries' versions): a new
version starts empty and the old one is removed.

The entries are pickles, and unpickling runs code. The folder is inside the
project, where a pull request could plant files (``outdir.reclaim`` removes
planted links for the same reason), so every entry carries an HMAC made with a
key kept outside the project (``$XDG_CACHE_HOME/portal/``, mode 0600); an entry
whose tag does not match, or that is truncated, unreadable or of another
version or key, is ignored and rewritten, never trusted. Without a usable key
or folder the check simply runs uncached.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import os
import pickle
import secrets
import shutil
import stat
import sys
import threading
import time
from importlib import metadata
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Protocol, TypeVar

from generator.loading.tree import below

#: Bump when the layout of entries changes (the code version covers their contents).
FORMAT = 1
FOLDER = Path(".portal-build") / "cache"
_TAG = 32  # bytes of HMAC-SHA256
_LIBRARIES = ("pydantic", "pydantic-core", "pyyaml", "frictionless", "nh3", "markdown")
_code_version: str | None = None
T = TypeVar("T")


def library_versions(names: Iterable[str]) -> str:
    """``name=version`` of each installed library, ``-`` for one not installed, joined by ``|``:
    for keys of what a library's output went into."""
    found = []
    for name in names:
        try:
            found.append(f"{name}={metadata.version(name)}")
        except metadata.PackageNotFoundError:
            found.append(f"{name}=-")
    return "|".join(found)


def code_version() -> str:
    """A hash of everything that decides what a check finds, besides the data:
    the sources and strings of ``generator`` and ``portal_core`` and the versions of
    Python and of the libraries that parse and validate. Computed once per process
    (~2 MB of files)."""
    global _code_version
    if _code_version is None:
        digest = hashlib.blake2b(f"{FORMAT}|{sys.version}|{library_versions(_LIBRARIES)}".encode(), digest_size=16)
        here = Path(__file__).resolve().parent.parent  # generator/
        for package in (here, here.parent / "portal_core"):
            for path in sorted(package.rglob("*")):
                if path.suffix in (".py", ".yaml", ".yml", ".json") and "__pycache__" not in path.parts:
                    digest.update(path.relative_to(package.parent).as_posix().encode() + b"\0")
                    digest.update(path.read_bytes() + b"\0")
        _code_version = digest.hexdigest()
    return _code_version


def caches_off() -> bool:
    """``PORTAL_NO_CACHE`` set (not empty, not 0): every cache and kept record is off, the
    check's, the render's, the build's and the compiled templates' alike."""
    return os.environ.get("PORTAL_NO_CACHE", "") not in ("", "0")


def key_of(*parts: str | bytes) -> str:
    """A cache key from ``parts`` (file names, kinds, contents …), unambiguous."""
    digest = hashlib.blake2b(digest_size=20)
    for part in parts:
        data = part.encode() if isinstance(part, str) else part
        digest.update(len(data).to_bytes(8, "little"))
        digest.update(data)
    return digest.hexdigest()


def user_store(name: str) -> Path:
    """A place for what is shared by every project and community of this user, outside any of
    them: the signing key, and records that depend only on the portal and its theme
    (``generator.signed``)."""
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "portal" / name


def signing_key() -> bytes | None:
    """The HMAC key of every cache entry and signed record (check, render, kept site), created on
    first use outside any project; None if impossible."""
    path = user_store("check-cache.key")
    try:
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as out:
                out.write(secrets.token_bytes(32))
        key = path.read_bytes()
    except FileExistsError:  # another check created it meanwhile
        try:
            key = path.read_bytes()
        except OSError:
            return None
    except OSError:
        return None
    return key if len(key) >= 32 else None


class Cache:
    """Entries of one code version under ``<root>/.portal-build/cache/check-<version>/``."""

    def __init__(self, root: Path, secret: bytes, folder: Path) -> None:
        self.root, self._secret, self.folder = root, secret, folder
        self._folder = str(folder)  # a check opens thousands of entries: no path objects for them
        self.version = code_version()
        self.used: set[str] = set()  #: entries read or written by this run (the rest may go)
        self.written = 0
        #: what this run keeps beside the entries (e.g. the documents' listing, ``load.listed``)
        self.notes: dict[str, Any] = {}
        #: an entry this run relied on went bad and its file changed meanwhile: the run's
        #: findings are not kept, and the check runs again without the cache
        self.unsettled = False

    @classmethod
    def open(cls, root: Path) -> Cache | None:
        """The project's cache, or None when it cannot be used safely (no key, a
        link or a file where a folder should be, an unwritable project)."""
        secret = signing_key()
        if secret is None:
            return None
        base = Path(root) / FOLDER
        folder = base / f"check-{code_version()[:24]}"
        try:
            for part in (base.parent, base, folder):
                if os.path.lexists(part) and not stat.S_ISDIR(os.lstat(part).st_mode):
                    return None  # planted link or file: never write through it
                part.mkdir(exist_ok=True)
            for other in base.iterdir():  # entries of other versions can never be read again
                if other.name.startswith("check-") and other != folder and not other.is_symlink():
                    shutil.rmtree(other, ignore_errors=True)
        except OSError:
            return None
        return cls(Path(root), secret, folder)

    def _path(self, name: str) -> str:
        return os.path.join(self._folder, f"{name}.pickle")

    def get(self, name: str, key: str) -> Any:
        """The value stored under ``name`` for ``key``, or None (absent, stale, forged, corrupt)."""
        self.used.add(name)
        try:
            fd = os.open(self._path(name), os.O_RDONLY | os.O_NOFOLLOW)
            with os.fdopen(fd, "rb") as f:
                blob = f.read()
        except OSError:
            return None
        tag, payload = blob[:_TAG], blob[_TAG:]
        if len(tag) != _TAG or not hmac.compare_digest(tag, hmac.digest(self._secret, payload, "sha256")):
            return None
        _HERE.folder = self._folder  # where the entry's ``Apart`` parts are
        try:
            fmt, version, stored_key, value = pickle.loads(payload)
        except Exception:  # noqa: BLE001 - a signed but unreadable entry is as good as none
            return None
        finally:
            _HERE.folder = None
        if fmt != FORMAT or version != self.version or stored_key != key:
            return None
        return value

    def has(self, name: str) -> bool:
        """Whether an entry ``name`` is there (not whether it is valid: ``get`` tells)."""
        return os.path.isfile(self._path(name))

    def names(self) -> set[str]:
        """The entries there now (not whether they are valid: ``get`` tells): one listing,
        where asking ``has`` for each of thousands of documents costs a ``stat`` each."""
        try:
            return {n[:-7] for n in os.listdir(self._folder) if n.endswith(".pickle")}
        except OSError:
            return set()

    def put(self, name: str, key: str, value: Any) -> None:
        """Store ``value``; failures only cost the next run its speed. Its ``Apart`` parts
        are written first, each to a file of its own, then the entry that names them."""
        self.used.add(name)
        parts: dict[str, bytes] = {}
        _HERE.parts, _HERE.entry = parts, name  # ``Apart.__reduce__`` puts its parts there
        try:
            payload = pickle.dumps((FORMAT, self.version, key, value), protocol=pickle.HIGHEST_PROTOCOL)
        except Exception:  # noqa: BLE001 - an unpicklable value is simply not cached
            return
        finally:
            _HERE.parts = None
        try:
            for digest, blob in parts.items():
                self._write(f"{name}.{digest}{_APART}", blob)
            self._write(f"{name}.pickle", hmac.digest(self._secret, payload, "sha256") + payload)
        except OSError:
            return
        self.written += 1
        if not parts:  # (an entry that had parts and has none now leaves them to the next version)
            return
        # The parts of this entry's earlier values can never be read again, but by a run that
        # read the entry just before this write: the newest of them is kept for it.
        try:
            earlier = []
            for other in os.listdir(self._folder):
                digest = other[len(name) + 1:-len(_APART)]
                if other.startswith(f"{name}.") and other.endswith(_APART) \
                        and len(digest) == 2 * _APART_DIGEST and "." not in digest and digest not in parts:
                    path = os.path.join(self._folder, other)
                    earlier.append((os.stat(path).st_mtime_ns, path))
            for _, path in sorted(earlier)[:-1]:
                os.unlink(path)
        except OSError:
            pass

    def prune(self, prefix: str) -> None:
        """Remove entries named ``prefix…`` this run did not use (files since
        edited or deleted): the folder does not grow with every edit."""
        try:
            for path in self.folder.iterdir():
                name = path.name.removesuffix(".pickle")
                if name.startswith(prefix) and name not in self.used and path.suffix == ".pickle":
                    path.unlink()
        except OSError:
            pass

    def _write(self, file: str, data: bytes) -> None:
        tmp = self.folder / f".{file}.{os.getpid()}.{secrets.token_hex(4)}.tmp"
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
            with os.fdopen(fd, "wb") as out:
                out.write(data)
            os.replace(tmp, os.path.join(self._folder, file))  # atomic: a reader sees the old file or the new
        except OSError:
            try:
                tmp.unlink()
            except OSError:
                pass
            raise


#: Files of ``Apart`` parts: ``<entry>.<digest><_APART>`` (not entries: ``names`` skips them).
_APART = ".part"
_APART_DIGEST = 32


class _Here(threading.local):
    """Per thread (a street checks communities in threads): the entry being written and its
    parts (``Cache.put``), or the folder of the entry being read (``Cache.get``)."""

    parts: dict[str, bytes] | None = None
    entry = ""
    folder: str | None = None


_HERE = _Here()


def _kept(entry: str, digest: str) -> Apart:
    """An ``Apart`` named in a cache entry by its digest (which the entry's tag vouches for)."""
    folder = _HERE.folder
    return Apart.kept(os.path.join(folder, f"{entry}.{digest}{_APART}") if folder else "", digest)


class ApartLost(Exception):
    """An ``Apart`` part of a cache entry is gone or altered (a later write of the entry, or a
    hand): what relied on the entry runs again without the cache."""


class Apart:
    """A large value inside a cache entry that is kept in a file of its own beside the entry
    and read only when ``value`` is first asked for: the budget lines and the tables' texts,
    most of the tables' entry (~30 MB at 100,000 lines), which a warm check after a meeting's
    edit never reads. The entry holds the part's digest (BLAKE2b), so the entry's tag vouches
    for the part. Pickled anywhere but in a cache entry, it is pickled whole (as bytes, still
    unpickled on first asking). A part found gone or altered raises ``ApartLost``."""

    __slots__ = ("_value", "_blob", "_file", "_digest")
    _EMPTY = object()

    def __init__(self, value: Any) -> None:
        self._value: Any = value
        self._blob: bytes | None = None
        self._file: str | None = None
        self._digest = ""

    @classmethod
    def kept(cls, file: str, digest: str) -> Apart:
        apart = cls(cls._EMPTY)
        apart._file, apart._digest = file, digest
        return apart

    @classmethod
    def of_blob(cls, blob: bytes) -> Apart:
        apart = cls(cls._EMPTY)
        apart._blob = blob
        return apart

    def blob(self) -> bytes:
        """The value, pickled."""
        if self._blob is None:
            if self._value is self._EMPTY:
                self._read()
            else:
                self._blob = pickle.dumps(self._value, protocol=pickle.HIGHEST_PROTOCOL)
        assert self._blob is not None
        return self._blob

    def _read(self) -> None:
        if not self._file:
            raise ApartLost("an Apart part outside a cache entry")
        try:
            fd = os.open(self._file, os.O_RDONLY | os.O_NOFOLLOW)
            with os.fdopen(fd, "rb") as f:
                blob = f.read()
        except OSError:
            blob = b""
        if hashlib.blake2b(blob, digest_size=_APART_DIGEST).hexdigest() != self._digest:
            # the entry that names it can never be read whole again: the next run writes it anew
            entry = self._file[:self._file.rfind(".", 0, -len(_APART))] + ".pickle"
            try:
                os.unlink(entry)
            except OSError:
                pass
            raise ApartLost(self._file)
        self._blob = blob

    @property
    def value(self) -> Any:
        if self._value is self._EMPTY:
            self._value = pickle.loads(self.blob())
        return self._value

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        parts = _HERE.parts
        if parts is None:  # not in a cache entry: whole
            return Apart.of_blob, (self.blob(),)
        blob = self.blob()
        digest = hashlib.blake2b(blob, digest_size=_APART_DIGEST).hexdigest()
        parts[digest] = blob
        return _kept, (_HERE.entry, digest)

#: What ``portal check`` reads besides the code: the fingerprint covers all of it.
INPUT_FOLDERS = ("data", "content", "site_templates")
INPUT_FILES = ("mkdocs.yml",)


Snapshot = list[tuple[str, int, int, int, int]]


#: A file changed less than this long before a fingerprint is read again next time,
#: whatever its status says: a write in the same tick of the clock may leave the
#: times as they were (git's "racy" files).
RACY_NS = 2_000_000_000

#: path -> (size, modification and change times, inode, device) -> digest of the bytes
Digests = dict[str, tuple[tuple[int, ...], bytes]]


def fingerprint(root: Path, digests: Digests | None = None,
                found: dict[str, bytes] | None = None) -> tuple[str, Snapshot]:
    """A hash of every input of the check: each entry below ``INPUT_FOLDERS`` and
    ``INPUT_FILES`` (path, type, link count, link target, the bytes of regular
    files; links are not followed, as the check does not follow them). Two
    projects with the same fingerprint get the same report. With it, the
    ``snapshot`` seen on the way.

    ``digests``: the files' digests of an earlier fingerprint; a file whose status
    is the same is not read again. Any write changes a file's change time (which,
    unlike the modification time, cannot be set back), and files changed within
    ``RACY_NS`` are not kept. Replaced in place by this fingerprint's.

    ``found``: filled with path -> digest of every regular file this fingerprint
    covered, racy ones included (``file_digest``: the loading names documents' cache
    entries by it instead of reading and hashing them again)."""
    digest = hashlib.blake2b(digest_size=20)
    seen: Snapshot = []
    fresh: Digests = {}
    recent = time.time_ns() - RACY_NS
    for path, st in _entries(Path(root)):
        if st is None:
            digest.update(f"{path}\0absent\0".encode())
            seen.append((path, 0, 0, 0, 0))
            continue
        seen.append((path, st.st_mode, st.st_size, st.st_mtime_ns, st.st_ino))
        digest.update(f"{path}\0{stat.S_IFMT(st.st_mode)}\0{st.st_nlink}\0".encode())
        full = os.path.join(root, path)
        if stat.S_ISLNK(st.st_mode):
            target = os.readlink(full)
            try:  # where the link points and what is there now (the check may refuse or read it)
                tst = os.stat(full)
                where = f"{target}\0{tst.st_mode}\0{tst.st_size}\0{tst.st_mtime_ns}\0"
            except OSError:
                where = f"{target}\0dangling\0"
            digest.update(where.encode())
        elif stat.S_ISREG(st.st_mode):
            status = (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, st.st_dev)
            known = digests.get(path) if digests is not None else None
            if known is not None and known[0] == status:
                digest.update(known[1])
                fresh[path] = known
                if found is not None:
                    found[path] = known[1]
                continue
            try:
                with open(full, "rb") as f:
                    read = file_digest(f)
            except OSError as exc:
                digest.update(f"unreadable {exc.errno}\0".encode())
                continue
            digest.update(read)
            if found is not None:
                found[path] = read
            if max(st.st_mtime_ns, st.st_ctime_ns) < recent:
                fresh[path] = (status, read)
    if digests is not None:
        digests.clear()
        digests.update(fresh)
    return digest.hexdigest(), seen


def file_digest(f: io.BufferedReader) -> bytes:
    """The digest of a file's bytes that ``fingerprint`` keeps (BLAKE2b, 64 bytes)."""
    return hashlib.file_digest(f, "blake2b").digest()


def bytes_digest(data: bytes) -> bytes:
    """``file_digest`` of a file holding ``data``."""
    return hashlib.blake2b(data).digest()


def snapshot(root: Path) -> Snapshot:
    """(path, mode, size, modification time, inode) of every input: cheap, to tell
    whether anything was written while a check ran (its report is then not stored)."""
    return [(path, st.st_mode, st.st_size, st.st_mtime_ns, st.st_ino) if st else (path, 0, 0, 0, 0)
            for path, st in _entries(Path(root))]


def _entries(root: Path) -> Iterator[tuple[str, os.stat_result | None]]:
    """(relative path, lstat or None if absent) of the inputs, in a stable order;
    links are listed, not followed."""
    for name in INPUT_FILES:
        yield name, _lstat(os.path.join(root, name))
    for top in INPUT_FOLDERS:
        st = _lstat(os.path.join(root, top))
        yield top, st
        if st is not None and stat.S_ISDIR(st.st_mode):
            yield from _below(os.path.join(root, top), top)


def _lstat(path: str) -> os.stat_result | None:
    try:
        return os.lstat(path)
    except OSError:
        return None


def _below(folder: str, rel: str) -> Iterator[tuple[str, os.stat_result | None]]:
    for path, entry in below(folder, rel):
        try:
            st: os.stat_result | None = entry.stat(follow_symlinks=False)
        except OSError:
            st = None
        yield path, st


class Keyed(Protocol):
    """A document (``load.Doc``): a hash of its kind, name and text."""

    @property
    def text_key(self) -> str: ...


#: A memo's entries: its keys (hashes, in hex) by their last digit. An edit of one file of
#: thousands rewrites one of them, not every file's findings.
SHARDS = "0123456789abcdef"


def _shard(key: str) -> str:
    return key[-1] if key[-1:] in SHARDS else "0"


class Memo:
    """Per-file results of one check (``name``), valid while ``context`` (what the
    results depend on besides the file: e.g. the community's official numbers) is
    the same. Kept in 16 entries (``SHARDS``); ``save`` writes those where anything
    changed, with only this run's files (those of deleted files drop out)."""

    def __init__(self, cache: Cache | None, name: str, context: str) -> None:
        self.cache, self.name, self.context = cache, name, context
        self.old: dict[str, Any] = {}
        self.held: dict[str, set[str]] = {}  #: shard -> the keys its entry holds
        for shard in SHARDS if cache is not None else ():
            part = cache.get(f"{name}.{shard}", context) if cache is not None else None
            if isinstance(part, dict):
                self.old.update(part)
                self.held[shard] = set(part)
        self.now: dict[Any, Any] = {}
        self.alive: list[Keyed] = []

    def get(self, parts: tuple[str | bytes | Keyed, ...], compute: Callable[..., Iterable[Any]], *args: Any) -> list[Any]:
        """The stored findings for ``parts`` (file name, text, a document: its ``text_key``),
        else ``compute(*args)``'s. A document's key is asked for only when the cache is on
        (made on first asking, it may cost a hash)."""
        if self.cache is None:
            return list(compute(*args))
        key = key_of(*(p if isinstance(p, (str, bytes)) else p.text_key for p in parts))
        value = self.old[key] if key in self.old else list(compute(*args))
        self.now[key] = value
        return value

    def of(self, doc: Keyed, compute: Callable[..., Iterable[Any]], *args: Any) -> list[Any]:
        """``get`` for one document's findings, remembered by its ``text_key`` alone (the
        memo's name and context say the rest)."""
        return self.value(doc, lambda *given: list(compute(*given)), *args)

    def value(self, doc: Keyed, compute: Callable[..., T], *args: Any) -> T:
        """One document's facts (any value, not a list of findings), by its ``text_key``."""
        # uncached: kept for this run only, by the document itself (its text is not hashed)
        key: Any = doc.text_key if self.cache is not None else id(doc)
        if key in self.now:  # asked again in this run (the index, then a cross-check)
            found: T = self.now[key]
            return found
        value: T = self.old[key] if key in self.old else compute(*args)
        self.now[key] = value
        if self.cache is None:
            self.alive.append(doc)  # its id is not reused while the memo lasts
        return value

    def keep(self, doc: Keyed) -> None:
        """Keep what is stored for ``doc`` although this run did not ask for it (``save``
        keeps only this run's documents)."""
        if self.cache is not None and doc.text_key in self.old:
            self.now[doc.text_key] = self.old[doc.text_key]

    def save(self) -> None:
        if self.cache is None or self.cache.unsettled or self.now.keys() == self.old.keys():
            return
        parts: dict[str, dict[str, Any]] = {shard: {} for shard in SHARDS}
        for key, value in self.now.items():
            parts[_shard(key)][key] = value
        for shard, part in parts.items():
            if part.keys() != self.held.get(shard, set()):
                self.cache.put(f"{self.name}.{shard}", self.context, part)
