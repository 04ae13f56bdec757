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
  as ``file.special``: reading one blocks forever or never ends.

``scan`` reports every such entry of those folders for ``portal check``; the
loaders and the build call ``refusal`` / ``safe_files`` so that nothing is read
even when the check was skipped.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Iterator

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


def allowed_target(root: Path, real: str, extra: tuple[Path, ...] = ()) -> bool:
    """``real`` (a resolved path) lies in one of the project's publishable folders."""
    base = os.path.realpath(root)
    folders = [os.path.join(base, name) for name in PUBLISHABLE] + [os.path.realpath(p) for p in extra]
    return any(real == f or real.startswith(f + os.sep) for f in folders)


def refusal(root: Path, path: Path, extra: tuple[Path, ...] = ()) -> Problem | None:
    """Why ``path`` (a path below ``root``) must not be read, or ``None``.

    A missing file or broken link inside the project is not refused here: the
    caller reports it as missing or unreadable, as before."""
    file = _rel(root, path)
    try:
        mode = os.lstat(path).st_mode
    except OSError:
        return None
    real = os.path.realpath(path)
    if real != os.path.abspath(path) and not allowed_target(root, real, extra):
        # a link, here or in a parent folder, leads out of the publishable folders
        target = os.readlink(path) if stat.S_ISLNK(mode) else real
        return Problem("file.link-outside", file, None, None, {"target": target})
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return None
    kind = _KINDS.get(stat.S_IFMT(mode))
    if kind is not None:
        return Problem("file.special", file, None, None, {"kind": kind[0], "kind_en": kind[1]})
    return None


def scan(root: Path, folders: tuple[Path, ...] = ()) -> list[Problem]:
    """Every refused entry of the publishable folders (and ``folders``), links not followed."""
    root = Path(root)
    problems: list[Problem] = []
    tops = [root / name for name in PUBLISHABLE] + list(folders)
    for top in tops:
        if not top.is_dir() or top.is_symlink():
            if os.path.islink(top):
                found = refusal(root, top, folders)
                if found:
                    problems.append(found)
            continue
        for folder, dirs, files in os.walk(top):
            for name in sorted(dirs + files):
                found = refusal(root, Path(folder, name), folders)
                if found:
                    problems.append(found)
    return problems


def safe_files(root: Path, folder: Path) -> Iterator[tuple[str, Path]]:
    """(relative path, path) of each regular file below ``folder`` that may be
    published: links to files inside the publishable folders are read, links
    that leave them and special files are skipped; folders reached through a
    link are not entered (as ``Path.rglob`` did)."""
    for current, dirs, files in os.walk(folder):
        dirs.sort()
        for name in sorted(files):
            path = Path(current, name)
            if refusal(root, path) is None and path.is_file():
                yield path.relative_to(folder).as_posix(), path


#: The codes above; the scan and the loaders both report them, once is enough.
CODES = ("file.link-outside", "file.special")


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

