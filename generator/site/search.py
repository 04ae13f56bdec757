"""Site search with Pagefind: a static, chunked index built after mkdocs, one
per language (zh at ``/pagefind/``, en at ``/en/pagefind/``).

Why not mkdocs-material's search: its worker downloads the whole index
(``search/search_index.json``) on every page load, before anyone searches
(87 KB gzipped on the demo, 4.4 MB at 5,000 pages). Pagefind's index is split
into small fragments fetched only for the words searched, and only the search
page (``search/``) loads its script, so other pages cost nothing.

Pagefind 1.6.0 (npm ``pagefind``, which carries the CJK-capable binary) is
pinned in package.json: 1.5.x missed most Chinese words at query time
(pagefind/pagefind#1237); tests/test_site_search.py keeps a recall test so an
upgrade cannot silently break Chinese. Its WebAssembly needs
``'wasm-unsafe-eval'`` in the page's script-src (security_headers).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

#: The class of a part of a page left out of the index (``data-pagefind-ignore`` is a
#: ``data-*`` attribute, which markdown_guard drops from Markdown). Used for a budget
#: year's lines, which its lines pages carry instead: Pagefind fetches the whole
#: indexed text of every result it shows (its fragment; sub-results are cut from it
#: in the browser, pagefind.app/docs/sub-results/), so the index of a long page
#: makes every query that shows it heavy.
SKIP = "search-skip"
#: Indexed: the page's article only (not the header, menus or footer), without
#: permalink signs, the print-only QR block and what is marked ``SKIP``.
PAGEFIND_ARGS = ["--root-selector", "article", "--exclude-selectors", ".headerlink",
                 "--exclude-selectors", ".print-only", "--exclude-selectors", f".{SKIP}", "--quiet"]
BUNDLE = "pagefind"


def find_pagefind(*roots: Path) -> str | None:
    """The pagefind command: ``PORTAL_PAGEFIND``, else ``node_modules/.bin/pagefind``
    under one of ``roots``, else one on PATH."""
    if os.environ.get("PORTAL_PAGEFIND"):
        return os.environ["PORTAL_PAGEFIND"]
    for root in roots:
        candidate = root / "node_modules" / ".bin" / "pagefind"
        if candidate.is_file():
            return str(candidate)
    return shutil.which("pagefind")


def index_site(site_dir: Path, command: str) -> None:
    """Write ``<site_dir>/pagefind/``: the index of one language's pages."""
    result = subprocess.run([command, "--site", str(site_dir), *PAGEFIND_ARGS],
                            capture_output=True, text=True, timeout=1800)
    if result.returncode != 0:
        raise RuntimeError(f"pagefind failed on {site_dir}:\n{result.stdout}\n{result.stderr}")


def warn_missing() -> None:
    print("portal build: pagefind not found (npm install, see package.json): the site is built without search",
          file=sys.stderr)
