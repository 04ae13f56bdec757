"""The two scans a build ends with, in one read of each published file: personal data
(``checks.privacy.published_leaks``) and the pages' inline code and takeovers
(``security_headers.measure``). Each read its files, hashed and decoded them on its own;
a cold build of a 10-year community read ~20 MB twice for it.

What each finds, and the clean contents each remembers (its own ``Clean``, as the
context of each differs), are those of the two scans run one after the other: the
build raises the personal data first, then the foreign code (``measure`` given
``scanned``). A page this pass cannot decode is left to ``measure``, which stops the
build as it did.
"""

from __future__ import annotations

from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from pathlib import Path

from generator.checks.privacy import is_published_text, text_leaks
from generator.clean_contents import Clean, content_hash
from generator.site.security_headers import ADMIN_PREFIX, csp_hash, foreign_code
from generator.site.theme_probe import OwnCode


@dataclass
class Published:
    leaks: list[tuple[str, str, str]]  #: (file, code, masked value), as ``published_leaks``
    pages: dict[str, list[tuple[str, str]]]  #: ``foreign_code`` of each page read, for ``measure``


def scan_published(site: Path, allowed: AbstractSet[str], leaks_seen: Clean, own: OwnCode,
                   pages_seen: Clean) -> Published:
    """Both scans over ``site`` (the staged build), each file read, hashed and decoded once;
    ``leaks_seen`` and ``pages_seen``: the contents each scan found clean before and now."""
    script_hashes = {csp_hash(s) for s in own.scripts}
    leaks: list[tuple[str, str, str]] = []
    pages: dict[str, list[tuple[str, str]]] = {}
    for path in sorted(site.rglob("*")):
        rel = path.relative_to(site).as_posix()
        text_file = is_published_text(path, rel)
        # as security_headers.site_pages; a folder of that name is left to measure
        page = path.name.endswith(".html") and not rel.startswith(ADMIN_PREFIX) and path.is_file()
        if not (text_file or page):
            continue
        raw = path.read_bytes()
        digest = content_hash(raw)
        text: str | None = None
        if text_file and not leaks_seen.skip(digest):
            text = raw.decode("utf-8", errors="replace")
            found = text_leaks(text, allowed)
            leaks += [(rel, code, masked) for code, masked in found]
            leaks_seen.found(digest, found)
        if page:
            if pages_seen.skip(digest):
                pages[rel] = []
                continue
            if text is None or "\ufffd" in text:  # measure decodes strictly: an invalid page stops there
                try:
                    text = raw.decode("utf-8")
                except UnicodeDecodeError:
                    continue
            pages[rel] = foreign_code(rel, text, script_hashes, own)
            pages_seen.found(digest, pages[rel])
    return Published(leaks, pages)
