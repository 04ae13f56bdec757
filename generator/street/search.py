"""Search across the street: one search page per language (``/search/``, ``/en/search/``)
that queries every published community's own Pagefind index at once, and on each
community's search page a button "search the whole street" that sends the same query there.

Why Pagefind's multisite search (``mergeIndex``: the first community's ``pagefind.js`` is
the primary, the others' indexes are merged into it; https://pagefind.app/docs/multisite/)
and not one index over the whole street site (measured in ``bench/bench_street.py`` (g)
and ``bench/README.md``):

- it adds nothing to the build: each community's index is already built with its pages
  (and a stale community's kept index still matches its kept pages), while one street
  index would re-index every community's pages after any edit (Pagefind has no
  incremental indexing), which a one-notice edit cannot afford;
- the first query fetches about the same bytes either way: a word's postings are split
  over the communities' indexes instead of one larger chunk, plus each index's small
  entry and meta files; the WebAssembly is loaded once (merged indexes share the
  primary's, ``load_wasm: false`` in pagefind.js);
- both are static files: they work from any static host, offline copies included
  (no server code), and neither works from ``file://`` (ES modules, fetch).

Each result is labelled with its community by its address (``/<id>/…``): the page
lists the communities as plain links to their own search pages, which is also what a
resident without JavaScript uses.
"""

from __future__ import annotations

import re
import shutil
from html import escape
from pathlib import Path

from generator.kinds.base import Page
from generator.street.model import Member
from portal_core.i18n import text, texts

TEMPLATES = Path(__file__).resolve().parent / "templates"
SEARCH = "search/index.md"
SCRIPT = "street-search.js"
#: The search page runs Pagefind (its module, worker and WebAssembly): our own files only.
SEARCH_CSP = ("default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data:; "
              "connect-src 'self'; worker-src 'self'; form-action 'self'; base-uri 'self'; object-src 'none'")
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
