"""What ``portal build`` keeps between runs to rebuild only what changed.

- **The mkdocs output of each language** (``.portal-build/<lang>/site``). When the
  build's inputs other than page contents are those of the last successful mkdocs
  build (:func:`mkdocs_key`: its configuration, the list of docs files and which are
  generated, the theme and templates folder, the portal's code, mkdocs' and
  material's versions) and the folder is exactly as that build left it (paths,
  sizes, modification times), mkdocs runs in its dirty mode: it reads and writes
  only the pages whose Markdown is newer than their HTML (mkdocs 1.6
  ``File.is_modified``: the docs writer rewrites only changed files), and every
  page of the navigation is titled by the configuration, so the other pages would
  come out the same. Anything else (a page added, removed or renamed, another
  configuration, a touched folder, a failed build) gives a full build.
- **Each language's Pagefind index**, reused while the HTML it was made from is the same.

Published sites are assembled from these folders with hard links, so a file mkdocs
is about to write is unlinked first (:func:`unlink_outputs`): mkdocs writes in place,
and a linked file would change in the published site too.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path
from typing import Any, Iterable

from generator import signed
from generator.clean_contents import Clean
from generator.loading.cache import code_version, key_of, library_versions
from generator.outdir import folder_digest, link_as_written
from generator.site.mkdocs_hooks import GENERATED_LIST

KEPT_RECORD = "kept-site.json"
PAGEFIND_RECORD = "pagefind.json"
#: Files mkdocs writes on every build, dirty or not: the theme's static templates.
ALWAYS_WRITTEN = ("404.html", "sitemap.xml", "sitemap.xml.gz")


def versions() -> str:
    """The portal's code and the versions of what turns Markdown into pages."""
    return "|".join([code_version(), library_versions(("mkdocs", "mkdocs-material", "pymdown-extensions",
                                                       "markdown", "jinja2"))])


def mkdocs_key(config_file: Path, docs: Path, files: Iterable[str], templates_digest: str) -> str:
    """What the HTML of every page depends on besides its own Markdown."""
    listing = docs.parent / GENERATED_LIST
    return key_of(config_file.read_bytes(), listing.read_bytes() if listing.is_file() else b"",
                  "\0".join(sorted(files)), templates_digest, versions())


def begin(work: Path) -> dict[str, Any] | None:
    """The record of the last mkdocs build into ``work/site``, forgotten at once: a build
    that stops before its mkdocs build finished is never taken as the base of the next."""
    record = signed.load(work / KEPT_RECORD, "kept-site")
    signed.forget(work / KEPT_RECORD)
    return record if isinstance(record, dict) else None


def dirty_ok(work: Path, record: dict[str, Any] | None, key: str) -> bool:
    """The kept output is what the last build with this ``key`` wrote, untouched since."""
    site = work / "site"
    return (record is not None and record.get("key") == key and site.is_dir()
            and record.get("site") == folder_digest(site))


def output_of(rel: str) -> str:
    """Where mkdocs writes a docs file (``use_directory_urls``): ``a/b.md`` → ``a/b/index.html``.

    >>> output_of("notices/x.md"), output_of("notices/index.md"), output_of("index.md"), output_of("a/p.png")
    ('notices/x/index.html', 'notices/index.html', 'index.html', 'a/p.png')
    """
    if not rel.endswith(".md"):
        return rel
    stem = rel.removesuffix(".md")
    if stem == "index" or stem.endswith("/index"):
        return stem.removesuffix("index") + "index.html"
    return stem + "/index.html"


def unlink_outputs(docs: Path, site: Path, changed: Iterable[str]) -> None:
    """Before a dirty build: remove the output of each changed docs file, of the theme's
    templates, and of any file mkdocs would take as modified (Markdown newer than its HTML):
    mkdocs then writes new files instead of writing through a link."""
    for rel in [*map(output_of, changed), *ALWAYS_WRITTEN]:
        try:
            (site / rel).unlink()
        except (FileNotFoundError, IsADirectoryError):
            pass
    for path in docs.rglob("*"):
        if path.is_file():
            dest = site / output_of(path.relative_to(docs).as_posix())
            try:
                if dest.stat().st_mtime < path.stat().st_mtime:
                    dest.unlink()
            except OSError:
                pass


def remember(work: Path, key: str) -> None:
    signed.save(work / KEPT_RECORD, "kept-site", {"key": key, "site": folder_digest(work / "site")})


def link_tree(src: Path, dst: Path) -> None:
    """``dst`` as a copy of ``src`` made of hard links (a plain copy across file systems)."""
    def link(a: str, b: str) -> None:
        try:
            os.link(a, b)
        except OSError:
            shutil.copy2(a, b)
    shutil.copytree(src, dst, copy_function=link, dirs_exist_ok=True)


def html_key(site: Path, extra: Iterable[str]) -> str:
    """The HTML pages of one language's site by content, with ``extra`` (the indexer's command)."""
    parts: list[str | bytes] = list(extra)
    for path in sorted(site.rglob("*.html")):
        parts += [path.relative_to(site).as_posix(), hashlib.blake2b(path.read_bytes(), digest_size=20).digest()]
    return key_of(*parts)


def reuse_pagefind(work: Path, key: str, target: Path) -> bool:
    """Link the kept index into ``target`` if it was made from pages with this ``key``."""
    record = signed.load(work / PAGEFIND_RECORD, "pagefind")
    kept = work / "pagefind"
    if not isinstance(record, dict) or record.get("key") != key or not kept.is_dir() \
            or record.get("site") != folder_digest(kept):
        return False
    link_tree(kept, target)
    return True


def keep_pagefind(work: Path, key: str, built: Path) -> None:
    """Keep the index just made (linked: Pagefind's files are never rewritten in place)."""
    kept = work / "pagefind"
    signed.forget(work / PAGEFIND_RECORD)
    shutil.rmtree(kept, ignore_errors=True)
    if built.is_dir():
        link_tree(built, kept)
        signed.save(work / PAGEFIND_RECORD, "pagefind", {"key": key, "site": folder_digest(kept)})


class CleanFiles(Clean):
    """Contents already scanned clean by a check (the personal-data scan, the page scan),
    by hash, for one ``context`` (what else the result depends on); signed (``generator.signed``)."""

    def __init__(self, path: Path, purpose: str, context: str) -> None:
        self.path, self.purpose, self.context = path, purpose, context
        record = signed.load(path, purpose)
        super().__init__(record["clean"] if isinstance(record, dict) and record.get("context") == context
                         and isinstance(record.get("clean"), list) else ())

    def save(self) -> None:
        """Keep what this build found clean (only that: the set never grows past one site)."""
        signed.save(self.path, self.purpose, {"context": self.context, "clean": sorted(self.clean)})


class PolicyPages:
    """The pages the last build wrote with the meta policy (``security_headers.add_meta_csp``),
    so that a page whose file is still the one it was written from (mkdocs' kept output, by
    inode, size and modification time: a changed page is a new file) is linked from the
    last build's ``site`` instead of being read and written again: after one notice edited,
    rewriting the 484 pages of a community cost 0.4-0.8 s (``bench/README.md``). Linked only
    while the last build's page is as it was written (size and time), with the same policy
    and code; signed, as the other records."""

    PURPOSE = "policy-pages"

    def __init__(self, path: Path, stage: Path, site: Path) -> None:
        self.path, self.stage, self.site = path, os.fspath(stage), os.fspath(site)
        record = signed.load(path, self.PURPOSE)
        self.context = record.get("context") if isinstance(record, dict) else None
        pages = record.get("pages") if isinstance(record, dict) else None
        self.was: dict[str, list[int]] = pages if isinstance(pages, dict) else {}
        self.now: dict[str, list[int]] = {}
        self.tag: tuple[str, str] | None = None  # this build's policy tag, and its context

    def _context(self, tag: str) -> str:
        if self.tag is None or self.tag[0] != tag:
            self.tag = (tag, key_of(code_version(), tag))
        return self.tag[1]

    def _rel(self, page: Path) -> str:
        return os.fspath(page)[len(self.stage) + 1:]

    def reuse(self, page: Path, source: os.stat_result, tag: str) -> bool:
        rel = self._rel(page)
        was = self.was.get(rel)
        if self.context != self._context(tag) or not isinstance(was, list) or len(was) != 5 \
                or was[:3] != [source.st_ino, source.st_size, source.st_mtime_ns]:
            return False
        tmp = page.with_name(f".{page.name}.tmp")
        if not link_as_written(f"{self.site}/{rel}", os.fspath(tmp), was[3:]):
            return False
        os.replace(tmp, page)
        self.now[rel] = was
        return True

    def wrote(self, page: Path, source: os.stat_result, tag: str) -> None:
        st = os.stat(page)
        self._context(tag)
        self.now[self._rel(page)] = [source.st_ino, source.st_size, source.st_mtime_ns, st.st_size, st.st_mtime_ns]

    def save(self) -> None:
        """After the build's site is written (before it is put in place: a build that then fails
        leaves pages whose size and time are not the published ones, so nothing is linked)."""
        if self.tag is not None:
            signed.save(self.path, self.PURPOSE, {"context": self.tag[1], "pages": self.now})
