"""The street's own pages as static HTML (zh at ``/``, en at ``/en/``) and the
"not updated" banner on a stale community's kept pages.

The street pages are whole HTML documents from ``templates/`` with their own
strict policy (no script, no inline style): they need no theme code, so they
work without JavaScript and pass the security-header step by construction.
"""

from __future__ import annotations

import datetime as dt
import html
import re
import shutil
from functools import partial
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from generator.kinds.base import Page
from generator.kinds.common import Text
from generator.site import compiled
from generator.site.markdown_export import markdown_html
from generator.site.render import Renderer
from generator.street.memo import Memo
from portal_core.china_time import TZ
from portal_core.i18n import text
from portal_core.languages import pick

TEMPLATES = Path(__file__).resolve().parent / "templates"
_ARTICLE = re.compile(r"<article\b[^>]*>", re.I)
_BODY = re.compile(r"<body\b[^>]*>", re.I)
#: A street page's own policy: no script at all; a page that needs one (the search) names its
#: own in ``Page.meta["csp"]`` and its scripts (ours, under ``assets/``) in ``Page.meta["scripts"]``.
PAGE_CSP = ("default-src 'none'; script-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'none'; "
            "base-uri 'none'; object-src 'none'")


def beijing(moment: dt.datetime) -> str:
    """A build time as the community reads it (the data's clock is Beijing time)."""
    return moment.astimezone(TZ).strftime("%Y-%m-%d %H:%M")


def _env(lang: str) -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True,
                             undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                             bytecode_cache=compiled.STREET)

    def plain(value: Text | None) -> str:
        return "" if value is None else str(pick(value, lang))

    env.globals.update(t=lambda key, **params: text(key, lang, **params), lang=lang)
    env.filters["plain"] = plain
    env.filters["beijing"] = beijing
    return env


def write_pages(pages: list[Page], site: Path, langs: list[str], base: str, site_url: str,
                memo: Memo | None = None) -> None:
    """Each page in each language: ``index.md`` → ``index.html``, ``x.md`` → ``x/index.html``;
    ``memo``: a view's Markdown already turned into HTML by an earlier build is not again."""
    memo = memo or Memo()
    site_name = next((p.title for p in pages if p.path == "index.md"), None)  # the street's name
    for lang in langs:
        env = _env(lang)
        root = site if lang == langs[0] else site / lang
        prefix = "" if lang == langs[0] else f"{lang}/"
        other = langs[1] if lang == langs[0] and len(langs) > 1 else langs[0]
        for page in pages:
            stem = page.path.removesuffix(".md")
            rel = "" if stem == "index" else stem.removesuffix("/index") + "/"
            common: dict[str, Any] = {"home": base, "lang_prefix": prefix, "page": page}
            if page.template.endswith(".md.j2"):  # the views' pages: Markdown, as a community's pages are
                rendered = Renderer(lang, langs[0], kinds=[TEMPLATES]).render(page, {"lang": lang})
                body = memo.get(("page", rendered), partial(markdown_page, rendered))
            else:
                body = env.get_template(page.template).render(**common, **page.context)
            doc = env.get_template("street-page.html").render(
                **common, body=Markup(body), csp=page.meta.get("csp", PAGE_CSP),
                scripts=page.meta.get("scripts", []), site_name=site_name, html_lang="zh-CN" if lang == "zh" else lang,
                other_code=other, other_link=base + ("" if other == langs[0] else f"{other}/") + rel,
                alternates=[(c, site_url + ("" if c == langs[0] else f"{c}/") + rel) for c in langs])
            target = root / rel / "index.html"
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(doc, encoding="utf-8")
    (site / "assets").mkdir(exist_ok=True)
    shutil.copyfile(TEMPLATES / "street.css", site / "assets" / "street.css")
    compiled.STREET.save()  # the templates as compiled now, for the next build
    compiled.PAGES.save()


def markdown_page(rendered: str) -> str:
    """A rendered page (front matter + Markdown, ``site.render.Renderer``) as the HTML of
    ``<main>``: the street site has no mkdocs, so its Markdown is turned into sanitized HTML
    as the feeds' is (``markdown_export.markdown_html``, links left relative)."""
    body = rendered.split("\n---\n", 1)[1] if rendered.startswith("---\n") else rendered
    return markdown_html(body)


def add_banner(site: Path, since: str) -> int:
    """Put the "not updated since" notice at the top of every page of a kept copy:
    plain markup with the theme's admonition classes (no script, no inline style,
    so the page's policy still holds). The page's language picks the words."""
    count = 0
    for path in site.rglob("*.html"):
        page = path.read_text(encoding="utf-8")
        lang = "en" if re.search(r"<html[^>]*\blang=\"en", page[:500]) else "zh"
        notice = (f'<div class="admonition warning portal-stale" role="status"><p class="admonition-title">'
                  f"{html.escape(text('site.street.banner', lang, since=since))}</p></div>")
        found = _ARTICLE.search(page) or _BODY.search(page)
        if found is None:
            continue
        path.write_text(page[:found.end()] + notice + page[found.end():], encoding="utf-8")
        count += 1
    return count
