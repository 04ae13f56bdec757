"""Search across the street: one search page per language (``/search/``, ``/en/search/``)
over one index of every published community's pages (``search_index``: why it is ours,
and how a query stays small), and on each community's search page a button "search the
whole street" that sends the same query there.

The index is made from each community's own Pagefind index (its fragments: the text of
each page), so it adds no HTML parsing to the build, and only a community whose pages
changed is worked out again. It is static files: it works from any static host (no
server code), and not from ``file://`` (fetch).

Each result is labelled with its community: the page lists the communities as plain
links to their own search pages, which is also what a resident without JavaScript uses.
"""

from __future__ import annotations

import multiprocessing
import re
import shutil
from concurrent.futures import Future, ProcessPoolExecutor
from html import escape
from pathlib import Path
from types import TracebackType

from generator.kinds.base import Page
from generator.loading.cache import caches_off
from generator.street import search_index
from generator.street.model import Member
from portal_core.i18n import text, texts

TEMPLATES = Path(__file__).resolve().parent / "templates"
SEARCH = "search/index.md"
SCRIPT = "street-search.js"
#: The search page runs our script, which fetches the index's files: our own files only.
SEARCH_CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
              "connect-src 'self'; form-action 'self'; base-uri 'self'; object-src 'none'")
ENTRY = "pagefind/pagefind-entry.json"
#: Where a community's search form ends (``site_templates/pages/search.md.j2``).
_FORM_END = re.compile(r"(<div class=\"portal-search\"[^>]*>\s*<form\b.*?)(</form>)", re.S)


def lang_dir(lang: str, default: str) -> str:
    """A language's folder under a site root: ``""`` for the default language."""
    return "" if lang == default else f"{lang}/"


def indexed(site: Path, members: list[Member], langs: list[str], default: str) -> dict[str, list[str]]:
    """Per language, the ids of the published communities that have a search index in it."""
    return {lang: [m.id for m in members if m.status != "missing"
                   and (site / m.id / lang_dir(lang, default) / ENTRY).is_file()] for lang in langs}


def search_page(site: Path, members: list[Member], langs: list[str]) -> Page:
    """The street search page (rendered in each language by ``site.write_pages``)."""
    return Page(SEARCH, "street-search.html", texts("site.street.search.title"),
                {"searchable": indexed(site, members, langs, langs[0]), "default": langs[0], "members": members},
                {"csp": SEARCH_CSP, "scripts": [SCRIPT]})


def write_street_index(site: Path, members: list[Member], langs: list[str], cache: Path, published: Path) -> None:
    """Each language's street index (``search_index``), from the communities' Pagefind indexes
    under ``site``; each community's part kept in ``cache/<lang>/``, the files unchanged since
    the site at ``published`` linked from it."""
    default = langs[0]
    for lang, ids in indexed(site, members, langs, default).items():
        if ids:
            here = lang_dir(lang, default)
            search_index.write_index(site / here, [(cid, site / cid / here / "pagefind") for cid in ids],
                                     cache / lang, published / here)


def prepare_community(site: Path, cid: str, langs: list[str], cache: Path) -> None:
    """Each language's part of one community (its built ``site``) ahead of the index
    (``search_index.prepare``): a part that cannot be made now is made by the index itself."""
    for lang in langs:
        index = site / lang_dir(lang, langs[0]) / "pagefind"
        if (index / "fragment").is_dir():
            try:
                search_index.prepare(index, cache / lang / "parts" / f"{cid}.json")
            except (OSError, ValueError):
                pass


class StreetIndex:
    """The street's search index, made in a process of its own during the street build: the
    process starts with the build, each community's part is loaded or worked out as soon
    as that community is built (``prepare``: while the slowest, usually the edited one,
    still builds), and the index is written while the street's pages are (``write``).
    After one edit the index had cost 3-4 s more than the street's pages when it all
    started after the communities (``bench/README.md``). With ``in_process`` (``--jobs 1``)
    there is no other process: nothing is prepared, and ``write`` works here."""

    def __init__(self, cache: Path, langs: list[str], in_process: bool) -> None:
        self.cache, self.langs = cache, langs
        self._pool = None if in_process else ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"))
        self._writing: Future[None] | None = None

    def __enter__(self) -> StreetIndex:
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 trace: TracebackType | None) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)

    def prepare(self, site: Path, cid: str) -> None:
        """Community ``cid`` is built, its pages in ``site`` final for this build."""
        if self._pool is not None and not caches_off():
            self._pool.submit(prepare_community, site, cid, self.langs, self.cache)

    def write(self, site: Path, members: list[Member], published: Path) -> None:
        """Start writing the index into ``site`` (``write_street_index``); ``wait`` for it."""
        args = (site, members, self.langs, self.cache, published)
        if self._pool is None:
            write_street_index(*args)
        else:
            self._writing = self._pool.submit(write_street_index, *args)

    def wait(self) -> None:
        if self._writing is not None:
            self._writing.result()


def copy_script(site: Path) -> None:
    (site / "assets").mkdir(exist_ok=True)
    shutil.copyfile(TEMPLATES / SCRIPT, site / "assets" / SCRIPT)


def add_street_option(site: Path, members: list[Member], langs: list[str], base: str) -> int:
    """On each community's search page, a second submit button that sends the query to the
    street's search page in the same language (``formaction``: works without JavaScript).

    The page in the street's staging folder may be a hard link to the community's kept
    copy: it is replaced, never written in place, so the kept copy stays as its build left it.
    """
    count = 0
    default = langs[0]
    for m in members:
        if m.status == "missing":
            continue
        for lang in langs:
            page = site / m.id / lang_dir(lang, default) / "search" / "index.html"
            if not page.is_file():
                continue
            html = page.read_text(encoding="utf-8")
            target = f"{base}{lang_dir(lang, default)}search/"
            button = (f'<button type="submit" class="street-search-all" formaction="{escape(target)}">'
                      f"{escape(text('site.street.search.all', lang))}</button>\n")
            found = _FORM_END.search(html)
            if found is None or "street-search-all" in html:
                continue
            changed = html[:found.start(2)] + button + html[found.start(2):]
            page.unlink()
            page.write_text(changed, encoding="utf-8")
            count += 1
    return count
