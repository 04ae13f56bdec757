"""Which files of a project may be read and published.

A symbolic link in ``content/zh/`` to ``/proc/self/environ``, to the signing
secret or to a deploy key in CI was once copied into the public site, and links
in ``data/`` were read. So every input is checked before it is opened:

- a path whose real location (all links resolved) is outside the project's
  publishable folders (``data/``, ``content/``, ``site_templates/``) is refused
  as ``file.link-outside``: links that stay inside them are fine, but a link to
  the project's own ``.portal-secret``, ``.git`` or inbox database is refused
  too, because those are inside the project yet never public;
- anything but a regular file or folder (a fifo, a device, a socket) is refused
  as ``file.special``: reading one blocks forever or never ends;
- a regular file with more than one hard link is refused as ``file.hard-link``:
  unlike a symbolic link, a hard link does not say where its other name is, and
  that may be outside the project (a checkout by git never makes one);
- in ``content/``, a file that is neither a Markdown page nor inert media
  (``media.refusal``: HTML, SVG, scripts…) is refused: it would run on the
  site's own origin.

``scan`` reports every such entry of those folders for ``portal check``; the
loaders and the build call ``refusal`` / ``safe_files`` so that nothing is read
even when the check was skipped.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Iterator

from generator.loading import media
from generator.problems import Problem
from portal_core.i18n import pair

#: The folders whose files are read or published.
PUBLISHABLE = ("data", "content", "site_templates")
_KINDS = {stat.S_IFIFO: pair("problem.word.file.fifo"), stat.S_IFSOCK: pair("problem.word.file.socket"),
          stat.S_IFCHR: pair("problem.word.file.device"), stat.S_IFBLK: pair("problem.word.file.device")}


def _rel(root: Path, path: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


def allowed_target(root: Path, real: str) -> bool:
    """``real`` (a resolved path) lies in one of the project's publishable folders."""
    base = os.path.realpath(root)
    folders = [os.path.join(base, name) for name in PUBLISHABLE]
    return any(real == f or real.startswith(f + os.sep) for f in folders)


def refusal(root: Path, path: Path, own: bool = False) -> Problem | None:
    """Why ``path`` (a path below ``root``) must not be read, or ``None``.
    ``own``: the portal's own files (its site assets), which an installer may
    hard-link from its cache: the hard-link rule is for the project's files.

    A missing file or broken link inside the project is not refused here: the
    caller reports it as missing or unreadable, as before."""
    file = _rel(root, path)
    try:
        mode = os.lstat(path).st_mode
    except OSError:
        return None
    real = os.path.realpath(path)
    if real != os.path.abspath(path) and not allowed_target(root, real):
        # a link, here or in a parent folder, leads out of the publishable folders
        target = os.readlink(path) if stat.S_ISLNK(mode) else real
        return Problem("file.link-outside", file, None, None, {"target": target})
    try:
        st = os.stat(path)
    except OSError:
        return None
    return _kind_refusal(file, st, own)


def _kind_refusal(file: str, st: os.stat_result, own: bool = False) -> Problem | None:
    """A special file (fifo, socket, device) or a hard link (``refusal``), from its status."""
    kind = _KINDS.get(stat.S_IFMT(st.st_mode))
    if kind is not None:
        return Problem("file.special", file, None, None, {"kind": kind[0], "kind_en": kind[1]})
    if stat.S_ISREG(st.st_mode) and st.st_nlink > 1 and not own:
        return Problem("file.hard-link", file, None, None, {"count": st.st_nlink})
    return None


def _in_content(root: Path, path: Path) -> bool:
    return Path(path).is_relative_to(Path(root) / "content")


def scan(root: Path) -> list[Problem]:
    """Every refused entry of the publishable folders, links not followed."""
    root = Path(root)
    problems: list[Problem] = []
    for name in PUBLISHABLE:
        top = root / name
        if not top.is_dir() or top.is_symlink():
            if os.path.islink(top):
                found = refusal(root, top)
                if found:
                    problems.append(found)
            continue
        _scan_folder(root, str(top), name, "", name == "content", problems)
    return problems


def _scan_folder(root: Path, folder: str, rel: str, below: str, content: bool, problems: list[Problem]) -> None:
    """``scan`` of one folder (``rel`` from the root, ``below`` from its publishable
    folder), then of its subfolders: in the order ``os.walk`` took, each folder's
    entries by name, links to folders not entered. The entries' types come from the
    listing (one status call per entry, for the link count; no path objects): a
    project's thousands of documents are scanned at every check."""
    dirs: list[os.DirEntry[str]] = []
    entries: list[tuple[os.DirEntry[str], bool]] = []
    try:
        with os.scandir(folder) as listing:
            for entry in listing:
                try:
                    is_dir = entry.is_dir()  # links followed, as os.walk sorts them
                except OSError:
                    is_dir = False
                entries.append((entry, is_dir))
                if is_dir:
                    dirs.append(entry)
    except OSError:
        return  # as os.walk: an unreadable folder is skipped
    entries.sort(key=lambda e: e[0].name)
    for entry, is_dir in entries:
        try:
            st = entry.stat(follow_symlinks=False)
        except OSError:
            continue
        file = f"{rel}/{entry.name}"
        # The walk follows no link, so an entry that is no link lies where it is
        # found, inside the project: only a link needs resolving (refusal).
        found = refusal(root, Path(entry.path)) if stat.S_ISLNK(st.st_mode) else _kind_refusal(file, st)
        if found is None and content and not is_dir and entry.is_file() \
                and not media.hidden(f"{below}{entry.name}"):
            found = media.refusal(root, Path(entry.path))
        if found:
            problems.append(found)
    for entry in dirs:
        if not entry.is_symlink():
            _scan_folder(root, entry.path, f"{rel}/{entry.name}", f"{below}{entry.name}/", content, problems)


def safe_files(root: Path, folder: Path, own: bool = False) -> Iterator[tuple[str, Path]]:
    """(relative path, path) of each regular file below ``folder`` that may be
    published: links to files inside the publishable folders are read, links
    that leave them, hard links and special files are skipped; folders reached
    through a link are not entered (as ``Path.rglob`` did). Below ``content/``,
    only pages and inert media (``media.refusal``), and no hidden file.
    ``own``: the portal's own assets (see ``refusal``)."""
    content = not own and _in_content(root, folder)
    for current, dirs, files in os.walk(folder):
        dirs.sort()
        for name in sorted(files):
            path = Path(current, name)
            rel = path.relative_to(folder).as_posix()
            if refusal(root, path, own=own) is not None or not path.is_file():
                continue
            if content and (media.hidden(rel) or media.refusal(root, path) is not None):
                continue
            yield rel, path


#: The codes above; the scan and the loaders both report them, once is enough.
CODES = ("file.link-outside", "file.special", "file.hard-link")


def once(problems: list[Problem]) -> list[Problem]:
    """``problems`` without repeats of the same refused file."""
    seen: set[tuple[str, str]] = set()
    out = []
    for p in problems:
        if p.code in CODES:
            if (p.code, p.file) in seen:
                continue
            seen.add((p.code, p.file))
        out.append(p)
    return out

