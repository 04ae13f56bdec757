"""Where ``portal build`` may put the site, and how it replaces the old one.

The build replaces its output folder wholesale, so the folder must be something
the build itself made. ``--out .`` in a project once removed ``.git``, ``data/``,
the inbox database and the signing secret. The rules, checked before anything
is written and again just before the swap:

- never the project itself, a folder that contains it, or a folder inside its
  sources (``data/``, ``content/`` …), a hidden folder (``.git``, ``.portal-build``),
  or the inbox database / signing secret;
- an existing folder is replaced only when it is empty or a previous build: it
  holds the marker file ``.portal-site`` that every build writes. A folder that
  merely looks like a site (``index.html``, ``404.html``, ``sitemap.xml``) is not
  enough: it may hold other files, and guessing once deleted them. A site built
  before the marker existed is refused once, with a message saying to delete it
  or choose another ``--out``;
- two builds into the same folder (or from the same project) take turns: a lock
  file beside the output, and one in the project's ``.portal-build``.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import hashlib
import json
import os
import shutil
import time
from pathlib import Path
from typing import Any, Callable, Iterator

from portal_core.i18n import text

MARKER = ".portal-site"
MARKER_DATA = {"tool": "community-portal", "format": 1}
#: Top-level entries of a project (a community repository or this checkout) that
#: are sources or private state: the output may be neither inside nor above them.
PROTECTED = ("data", "content", "site_templates", "generator", "endpoint", "portal_core", "tests", "scripts", "deploy",
             "bench", "docs_src", "node_modules", "mkdocs.yml", "pyproject.toml", "README.md",
             "submissions.db", "submissions.db-wal", "submissions.db-shm")
#: Names that show a folder is a project or a repository, not a site.
PROJECT_SIGNS = (".git", ".hg", ".portal-secret", ".portal-build", "mkdocs.yml", "pyproject.toml", "content",
                 "site_templates", "generator", "data/community.yaml", "submissions.db")


class UnsafeOutput(Exception):
    """The output folder cannot be replaced; nothing was touched."""

    def __init__(self, key: str, **params: Any) -> None:
        zh, en = (text(key, lang, **params) for lang in ("zh", "en"))
        super().__init__(en)
        self.zh, self.en = zh, en

    def message(self, lang: str = "zh") -> str:
        return self.en if lang == "en" else self.zh


def _inside(path: Path, folder: Path) -> bool:
    """``path`` is ``folder`` or below it (both resolved)."""
    return path == folder or folder in path.parents


def private_files(root: Path) -> list[Path]:
    """The inbox database and signing secret this project's commands would use."""
    found = [root / ".portal-secret", Path.cwd() / "submissions.db"]
    db = os.environ.get("PORTAL_DB", "")
    if db.startswith("sqlite:///"):
        found.append(Path(db.removeprefix("sqlite:///")))
    return [p.resolve() for p in found]


def check_output(root: Path, out: Path) -> None:
    """Raise ``UnsafeOutput`` unless the build may replace ``out``.

    ``root`` and ``out`` are resolved here (``--out`` may be a link to the project).
    """
    root, out = Path(root).resolve(), Path(out).resolve()
    shown = str(out)
    if _inside(root, out):
        raise UnsafeOutput("cli.out.is-project", out=shown)
    if _inside(out, root):
        first = out.relative_to(root).parts[0]
        if first in PROTECTED or first.startswith("."):
            raise UnsafeOutput("cli.out.in-project", out=shown, folder=first)
    if any(part == ".git" for part in out.parts):
        raise UnsafeOutput("cli.out.in-git", out=shown)
    for private in private_files(root):
        if _inside(private, out):
            raise UnsafeOutput("cli.out.holds-private", out=shown, name=private.name)
    if not os.path.lexists(out):
        return
    if out.is_symlink() or not out.is_dir():
        raise UnsafeOutput("cli.out.not-a-folder", out=shown)
    try:
        entries = os.listdir(out)
    except OSError as exc:
        raise UnsafeOutput("cli.out.unreadable", out=shown, reason=exc.strerror) from None
    if not entries:
        return
    signs = [s for s in PROJECT_SIGNS if os.path.lexists(out / s)]
    if signs:
        raise UnsafeOutput("cli.out.holds-project", out=shown, sign=signs[0])
    if not is_marked(out):
        raise UnsafeOutput("cli.out.not-empty", out=shown, marker=MARKER)


def is_marked(folder: Path) -> bool:
    marker = folder / MARKER
    if marker.is_symlink() or not marker.is_file():
        return False
    try:
        with marker.open("rb") as f:
            data = json.loads(f.read(4096))
    except (OSError, ValueError):
        return False
    return isinstance(data, dict) and data.get("tool") == MARKER_DATA["tool"]


def write_marker(site: Path) -> None:
    (site / MARKER).write_text(json.dumps(MARKER_DATA) + "\n", encoding="utf-8")


def swap(root: Path, new: Path, out: Path) -> None:
    """Put ``new`` at ``out`` (checked again: the folder may have changed while
    the site was built); the old site stays in place until the new one is complete."""
    check_output(root, out)
    out = Path(out).resolve()
    old = out.parent / f".{out.name}.old-{os.getpid()}"
    if os.path.lexists(old):
        shutil.rmtree(old)  # our own leftover from a killed build with the same pid
    out.parent.mkdir(parents=True, exist_ok=True)
    if os.path.lexists(out):
        os.rename(out, old)
    os.rename(new, out)
    shutil.rmtree(old, ignore_errors=True)


@contextlib.contextmanager
def locked(path: Path, on_wait: Callable[[], None] | None = None, timeout: float = 1800) -> Iterator[None]:
    """Hold an exclusive ``flock`` on ``path`` (created if needed). If another
    build holds it, call ``on_wait`` once and wait up to ``timeout`` seconds."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o644)
    try:
        deadline = time.monotonic() + timeout
        waited = False
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError as exc:
                if exc.errno not in (errno.EAGAIN, errno.EACCES):
                    raise
            if not waited and on_wait is not None:
                on_wait()
            waited = True
            if time.monotonic() > deadline:
                raise TimeoutError(f"{path} is still locked by another build")
            time.sleep(0.2)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def reclaim(folder: Path) -> None:
    """Remove links and special files from the build's own work folder
    (``.portal-build``): it only ever holds files the build wrote, so a link there
    was planted (e.g. committed by a pull request) to make the build write or
    read through it: ``docs/index.md -> ~/.bashrc``."""
    if os.path.islink(folder) or (os.path.lexists(folder) and not folder.is_dir()):
        folder.unlink()
        return
    if not folder.is_dir():
        return
    # os.scandir gives each entry's type from the listing (no status call per file): a street's
    # work folder holds every community's kept copy, ~55,000 files
    pending = [os.fspath(folder)]
    while pending:
        try:
            entries = list(os.scandir(pending.pop()))
        except OSError:
            continue
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                pending.append(entry.path)
            elif not entry.is_file(follow_symlinks=False):
                os.unlink(entry.path)  # a link (to a folder too: never entered) or a special file


def link_as_written(old: str, new: str, written: list[Any]) -> bool:
    """Link the last build's file ``old`` at ``new`` if it is still as that build wrote it
    (``written``: its size and modification time then), so a later step can reuse a file
    instead of writing it again; False when it is not (changed by hand, gone, or on
    another file system): the caller writes it. Strings, not Paths: used per file."""
    try:
        st = os.stat(old)
        if written != [st.st_size, st.st_mtime_ns]:
            return False
        os.link(old, new)
    except OSError:
        return False
    return True


def folder_digest(folder: Path) -> str:
    """Every file below ``folder`` by path, size, modification time and inode (no reads): what a
    build left there, to tell later whether anything touched it (``unchanged``, ``kept_site``,
    ``street.publish``). Links are taken as files (their own status); links to folders and
    empty folders are not counted."""
    digest = hashlib.blake2b(digest_size=20)
    # os.scandir, relative paths by concatenation: a street's no-op build digests ~60 folders of
    # ~1,800 files, and os.walk with relpath cost four times the status calls themselves
    _digest_into(digest, os.fspath(folder), "")
    return digest.hexdigest()


def _digest_into(digest: Any, path: str, rel: str) -> None:
    try:
        entries = sorted(os.scandir(path), key=lambda e: e.name)
    except OSError:
        return
    folders = []
    for entry in entries:
        try:
            if entry.is_dir():  # follows a link, as os.walk sorts them, but a linked folder is not entered
                if not entry.is_symlink():
                    folders.append(entry)
                continue
            st = entry.stat(follow_symlinks=False)
        except OSError:
            continue
        digest.update(f"{rel}{entry.name}\0{st.st_size}\0{st.st_mtime_ns}\0{st.st_ino}\0".encode())
    for entry in folders:
        _digest_into(digest, entry.path, f"{rel}{entry.name}/")
