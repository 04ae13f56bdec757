"""Whether ``portal build`` has anything to do: the last build's inputs, and what it left.

A site is a function of the project's files (``data/``, ``content/``, ``mkdocs.yml``:
``loading.cache.fingerprint``), the portal's code, templates and strings
(``loading.cache.code_version`` and the theme folder), the addresses and options the
build was given, today's date (what is on display, what is upcoming) and the day of the
form pages' tokens (``build.static_tokens``), and the secret they are signed with. When
all of these are what the last successful build recorded, and the output folder still
holds exactly what it wrote (paths, sizes, modification times), the build is skipped
before the check, whose report an earlier check of the same inputs kept
(``pipeline.stored_report``): a second build with nothing changed costs two directory
walks and reading that report, instead of the check and every page again. The key is
made from the build's arguments, not from what the project's files resolve them to
(its own ``site_url``): those files are in the fingerprint.

Anything not recorded here (Pagefind's or Decap's version in ``node_modules``) is in the
key through the files that pin them (``package-lock.json``) and where they were found.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from generator.loading.cache import caches_off, code_version
from generator.outdir import folder_digest

RECORD = "last-build.json"


def theme_digest(folder: Path) -> str:
    """Every file below ``folder`` by path and content (the portal's templates and theme)."""
    digest = hashlib.blake2b(digest_size=20)
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            digest.update(path.relative_to(folder).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def build_key(inputs: str, templates: Path, options: dict[str, Any]) -> str:
    """One hash of everything a build's output depends on (see the module docstring);
    ``inputs``: the project's fingerprint (``pipeline.inputs_of``)."""
    lock = Path(templates).parent / "package-lock.json"
    parts = [inputs, code_version(), theme_digest(templates),
             hashlib.blake2b(lock.read_bytes(), digest_size=20).hexdigest() if lock.is_file() else "-",
             json.dumps(options, sort_keys=True, default=str)]
    return hashlib.blake2b("\0".join(parts).encode(), digest_size=20).hexdigest()


def _record(root: Path) -> Path:
    return root / ".portal-build" / RECORD


def last_build(root: Path, out: Path, key: str) -> tuple[int, str] | None:
    """The page count of the last build and the digest of what it left (``folder_digest``) when it
    had this ``key`` and ``out`` is as it left it; else None.
    ``PORTAL_NO_CACHE=1`` (as for the check's cache): always build."""
    if caches_off():
        return None
    try:
        data = json.loads(_record(root).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("key") != key or data.get("out") != str(out):
        return None
    site = folder_digest(out) if out.is_dir() else None
    pages = data.get("pages")
    if site is None or data.get("site") != site or not isinstance(pages, int):
        return None
    return pages, site


def remember(root: Path, out: Path, key: str, pages: int) -> str:
    """After a successful build: what it depended on and what it left (its digest, returned)."""
    record = _record(root)
    site = folder_digest(out)
    record.parent.mkdir(parents=True, exist_ok=True)
    tmp = record.with_suffix(".tmp")
    tmp.write_text(json.dumps({"key": key, "out": str(out), "site": site, "pages": pages}), encoding="utf-8")
    tmp.replace(record)
    return site


def forget(root: Path) -> None:
    """Before a build writes anything: a build that fails half-way is never taken as done."""
    try:
        _record(root).unlink()
    except OSError:
        pass
