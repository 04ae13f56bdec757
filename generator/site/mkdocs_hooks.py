"""mkdocs hooks of the portal's site builds (``hooks:`` in the generated config).

Hand-written pages (``content/<lang>/``) are data too: their HTML, as mkdocs
rendered it from their Markdown, goes through the same allow-list sanitizer as
every Markdown field (``generator.sanitize``). Pages the portal generated are
left alone here: their data fields were sanitized when they were rendered, and
their own markup (forms, charts) is ours.

Which pages are generated is read from ``generated.json`` beside the docs
folder (``generator.build.write_docs`` writes it); any page not listed there is
sanitized, so a page that appears some other way is treated as hand-written.
"""

from __future__ import annotations

import html
import json
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2

from generator.sanitize import clean
from generator.site.compiled import THEME_RECORD, StoredBytecode

GENERATED_LIST = "generated.json"


def generated(docs_dir: str) -> frozenset[str]:
    path = Path(docs_dir).parent / GENERATED_LIST
    try:
        return _read(str(path), path.stat().st_mtime_ns)
    except OSError:
        return frozenset()


@lru_cache(maxsize=4)
def _read(path: str, mtime: int) -> frozenset[str]:  # mtime: a live-reload rewrite is read again
    try:
        return frozenset(json.loads(Path(path).read_text(encoding="utf-8")))
    except (OSError, ValueError):
        return frozenset()


def on_page_markdown(markdown: str, page: Any, config: Any, files: Any) -> str:
    """Front matter of a hand-written page is text: ``page.meta`` becomes the values
    ``portal check`` validated (``generator.front_matter.parse``, the same function;
    a refused value is left out), escaped: the theme prints ``title`` and
    ``description`` unescaped (mkdocs' templates do not autoescape)."""
    if page.file.src_uri not in generated(config["docs_dir"]):
        # Imported for the first hand-written page only: it brings pydantic and the kinds'
        # models, 0.3 s of CPU in each mkdocs worker of a site that has none.
        from generator.front_matter import parse

        page.meta = _escaped(parse(page.file.content_string).meta)
    return markdown


def _escaped(value: Any) -> Any:
    if isinstance(value, str):
        return html.escape(value)
    if isinstance(value, dict):
        return {k: _escaped(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_escaped(v) for v in value]
    return value


def on_page_content(html: str, page: Any, config: Any, files: Any) -> str:
    if page.file.src_uri in generated(config["docs_dir"]):
        return html
    return clean(html)


#: mkdocs-material's table of contents (partials/toc.html) always titles it with
#: ``<label for="__toc">``, but the ``__toc`` checkbox it names is only rendered
#: by partials/nav-item.html for a page that is in the navigation: item pages
#: (a notice, a meeting …) are not, so their label names a missing control (an
#: error in the Nu Html Checker; the label toggles nothing there anyway).
_TOC_LABEL = '<label class="md-nav__title" for="__toc">'


#: A table wider than the screen (a budget on a phone) scrolls sideways inside its
#: box: material wraps it in ``.md-typeset__scrollwrap`` (with JavaScript) or makes
#: the table itself the scroll box (without). Keyboard users can only scroll a box
#: that holds something focusable (WCAG 2.1.1, axe ``scrollable-region-focusable``),
#: so every table takes focus; the arrow keys then scroll it. Python-Markdown writes
#: tables as a bare ``<table>``, whatever page (generated or hand-written) they are on.
_TABLE = "<table>"


#: Pagefind joins the text of adjacent elements it does not know as blocks: a fact list
#: written ``<dt>Term</dt><dd>1 Apr</dd>`` was indexed as "Term1 Apr", so neither word
#: was found. A line break between them is the word boundary a browser shows anyway.
_FACT_BOUNDARIES = (("</dt><dd>", "</dt>\n<dd>"), ("</dd><dt>", "</dd>\n<dt>"))


def on_post_page(output: str, page: Any, config: Any) -> str:
    """Drop the dangling ``for="__toc"`` of the table of contents' title; make
    tables focusable (they may have to be scrolled by keyboard); separate the
    terms and values of fact lists for the search index."""
    if _TOC_LABEL in output and 'id="__toc"' not in output:
        output = output.replace(_TOC_LABEL, '<label class="md-nav__title">')
    for joined, apart in _FACT_BOUNDARIES:
        output = output.replace(joined, apart)
    return output.replace(_TABLE, '<table tabindex="0">')


_theme: StoredBytecode | None = None


def on_env(env: jinja2.Environment, config: Any, files: Any) -> jinja2.Environment:
    """The theme as an earlier build compiled it (``generator.site.compiled``); ``portal serve``
    keeps its own in memory (``serve_hooks``, listed after this file)."""
    global _theme
    if env.bytecode_cache is None:
        _theme = env.bytecode_cache = StoredBytecode(THEME_RECORD)
    return env


def on_post_build(config: Any) -> None:
    if _theme is not None:
        _theme.save()
