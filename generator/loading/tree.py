"""One walk of a folder, as ``sorted(folder.rglob("*"))`` lists it, without a path object
for each of the thousands of documents a project holds (the check cache's fingerprint and
the personal-data scan list ``data/`` and ``content/`` on every check)."""

from __future__ import annotations

import os
from collections.abc import Iterator


def below(folder: str, rel: str) -> Iterator[tuple[str, os.DirEntry[str]]]:
    """(path from the root, entry) of everything below ``folder`` (``rel``: its path from the
    root), depth first with names sorted, which is ``sorted(rglob("*"))``'s order (paths
    compared part by part). Links to folders are listed, not entered; a folder that cannot be
    listed is left out. The entry's type comes from the listing (no ``stat``)."""
    try:
        with os.scandir(folder) as it:
            entries = sorted(it, key=lambda e: e.name)
    except OSError:
        return
    for entry in entries:
        path = f"{rel}/{entry.name}"
        yield path, entry
        try:
            inside = entry.is_dir(follow_symlinks=False)
        except OSError:
            inside = False
        if inside:
            yield from below(entry.path, path)
