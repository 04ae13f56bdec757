"""Contents a scan found clean, by hash: a later scan with the same context (the
same code, contacts or theme) does not read them again. The build's two last scans
keep one each (personal data, the pages' own code: ``kept_site.CleanFiles``)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sized


def content_hash(data: bytes) -> str:
    """What a content is remembered by (BLAKE2b, 20 bytes, hex)."""
    return hashlib.blake2b(data, digest_size=20).hexdigest()


class Clean:
    """The hashes of contents a scan found clean before (``known``) and now (``clean``):
    only this scan's are kept, so the set never grows past one site."""

    def __init__(self, known: Iterable[str] = ()) -> None:
        self.known: set[str] = set(known)
        self.clean: set[str] = set()

    def skip(self, digest: str) -> bool:
        """Whether the content was found clean before (it is clean now too: not scanned)."""
        if digest in self.known:
            self.clean.add(digest)
            return True
        return False

    def found(self, digest: str, problems: Sized) -> None:
        """What the scan of a content found: clean when nothing."""
        if not problems:
            self.clean.add(digest)
