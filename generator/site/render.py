"""Render step: jinja2 templates (``site_templates/pages/`` and each kind's ``templates/``) → Markdown pages with
front matter, one set per language.

Templates autoescape: plain text from the data is HTML-escaped wherever it lands
(Markdown passes raw HTML through); Markdown fields go through the ``md`` filter,
which renders and sanitizes them (``generator.sanitize``), whatever the check said.
Markdown syntax in plain text is defused by ``generator.site.markdown_guard``.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from html import escape as html_escape
from pathlib import Path
from typing import Any

import jinja2
import yaml
from markupsafe import Markup, escape

from generator.kinds.base import Page
from generator.kinds.common import Text
from generator.sanitize import render_markdown
from generator.site import compiled, jsonld
from generator.site.amounts import Tally, money
from generator.site.charts import bars
from generator.site.qr import page_url, qr_svg
from generator.site.render_cache import RenderCache
from generator.site.strings import site_text
from portal_core.languages import pick
from portal_core.messages import form_texts

TEMPLATES = Path(__file__).resolve().parent.parent.parent / "site_templates"


#: Characters that could end an address in a Markdown link (``)``, a blank) or
#: start something after it (``{: #__config }`` is attr_list: the theme's id on the
#: link). Percent-encoded one by one rather than with urllib's quote(), which would
#: also encode non-ASCII paths (``/files/通知.pdf``) that mkdocs resolves as written.
_HREF_UNSAFE = re.compile(r'[\x00-\x20\x7f()<>{}"\'`\\]')


def href(url: str) -> str:
    """A data file's address, ready for ``[text]({{ url|href }})``.

    >>> href("https://x.cn/a){: #__config .md-dialog } tail")
    'https://x.cn/a%29%7B:%20#__config%20.md-dialog%20%7D%20tail'
    >>> href("../files/通知.pdf#b?c=1&d=%20")
    '../files/通知.pdf#b?c=1&d=%20'
    """
    return _HREF_UNSAFE.sub(lambda m: f"%{ord(m.group(0)):02X}", url)


#: Markdown → sanitized HTML by source text, for this process: a pure function of the
#: text (and the code), asked again for each language and each re-render.
_MARKDOWN: dict[str, str] = {}
_MARKDOWN_MAX = 50_000


def markdown_once(text: str) -> str:
    """``render_markdown(text)``, remembered."""
    html_text = _MARKDOWN.get(text)
    if html_text is None:
        if len(_MARKDOWN) >= _MARKDOWN_MAX:
            _MARKDOWN.clear()
        html_text = _MARKDOWN[text] = render_markdown(text)
    return html_text


class Renderer:
    """Renders pages for one language; with a ``cache``, a page whose inputs did not
    change is taken from it (``generator.site.render_cache``)."""

    def __init__(self, lang: str, default_lang: str = "zh", templates: Path = TEMPLATES,
                 kinds: list[Path] | None = None, cache: RenderCache | None = None) -> None:
        self.lang, self.default_lang, self.cache = lang, default_lang, cache
        self.env = jinja2.Environment(
            bytecode_cache=compiled.PAGES,  # compiled once, not per process, language or re-render
            # the site's own templates, then each kind's (generator/kinds/<kind>/templates/)
            loader=jinja2.FileSystemLoader([templates / "pages", templates, *(kinds or [])]),
            autoescape=True,
            undefined=jinja2.StrictUndefined,  # a template typo fails the build, not the page
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
        )
        self.env.globals.update(t=self.t, lang=lang, chart=self.chart, jsonld=jsonld, form_texts=form_texts(lang))
        self.env.filters["loc"] = pick
        self.env.filters.update(tx=self.tx, md=self.md, money=money, date=self.date, plain=self.plain,
                                actual=self.actual, cell=self.cell, href=href,
                                tally=self.tally)

    # -- helpers exposed to templates ------------------------------------------
    def t(self, key: str, **params: Any) -> str:
        return site_text(key, self.lang, **params)

    def plain(self, value: Text | None) -> str:
        """The text in this language (fallback: default language, then any); unescaped str."""
        return pick(value, self.lang, self.default_lang)

    def tx(self, value: Text | None) -> Markup:
        """Escaped text in this language; text in another language is marked with
        ``lang`` (screen readers switch voice), and a missing translation is flagged."""
        if value is None:
            return Markup("")
        if isinstance(value, str):
            if self.lang == self.default_lang or not value.strip():
                return escape(value)
            # A plain string is in the community's default language (by convention).
            return Markup('<span lang="{}">{}</span>').format(_html_lang(self.default_lang), value)
        if self.lang in value:
            return escape(self.plain(value))
        other = self.default_lang if self.default_lang in value else next(iter(value), self.default_lang)
        return Markup('<span lang="{}" class="fallback">{}</span><span class="fallback-note">{}</span>').format(
            _html_lang(other), self.plain(value), self.t("fallback"))

    def cell(self, value: Text | None) -> Markup:
        """``tx`` for a Markdown table cell: a line break or a ``|`` in the text
        (a CSV note written over two lines) would end the cell or the row."""
        text = str(self.tx(value)).replace("\r\n", "\n")
        return Markup(text.replace("|", "&#124;").replace("\n", "<br>"))

    def md(self, value: Text | None) -> Markup:
        """Markdown text from the data, rendered here and sanitized
        (``generator.sanitize``), then handed to mkdocs as a raw HTML block that
        it passes through untouched (md_in_html leaves a block without a
        ``markdown`` attribute alone, even inside a ``markdown="1"`` one; an
        explicit ``markdown="0"`` would be left in the page, where it is invalid
        HTML). A block in another language than the page carries its ``lang``."""
        if value is None:
            return Markup("")
        if isinstance(value, dict) and self.lang in value:
            source, text = self.lang, value[self.lang]
        else:
            source = self.default_lang if isinstance(value, str) else (
                self.default_lang if self.default_lang in value else next(iter(value), self.default_lang))
            text = self.plain(value)
        if not text.strip():
            return Markup("")
        lang = "" if source == self.lang else Markup(' lang="{}"').format(_html_lang(source))
        return Markup('<div class="md-text"{}>\n{}\n</div>').format(lang, Markup(markdown_once(text)))

    def chart(self, title: str, categories: dict[str, dict[str, float]]) -> Markup:
        # a blank actual is not recorded, never 0: no bar, and the row says so
        rows = []
        for name, v in categories.items():
            blank, n = v.get("actual_blank", 0), v.get("lines_n", 0)
            actual = None if n and blank == n else v["actual"]
            note = (self.t("not_recorded") if actual is None
                    else self.t("n_not_recorded", n=blank) if blank else "")
            rows.append((name, v["planned"], actual, note))
        return bars(title, rows, self.t("planned"), self.t("actual"))

    def actual(self, sums: dict[str, Any]) -> Markup:
        """An actual total that says what it leaves out: a blank actual is "not
        recorded", never 0 (``kinds.budget.pages`` counts them)."""
        if sums.get("lines_n") and sums["actual_blank"] == sums["lines_n"]:
            return Markup('<span class="gap">{}</span>').format(self.t("not_recorded"))
        text = Markup(escape(money(sums["actual"])))
        if sums.get("actual_blank"):
            text += Markup(' <span class="gap">({})</span>').format(self.t("n_not_recorded", n=sums["actual_blank"]))
        return text

    def tally(self, sums: Tally, unit: bool = False) -> Markup:
        """Spent (or received) as recorded, and what is not recorded yet, labelled:
        a blank actual is never 0 and a planned amount never "spent" (``site.amounts``).
        ``unit``: the recorded amount says 元 (where no column header does)."""
        if sums.lines and not sums.any_recorded:
            text = Markup('<span class="gap">{}</span>').format(self.t("not_recorded"))
        else:
            text = Markup(escape(money(sums.recorded)))
            if unit:
                text += " " + self.t("yuan")
        if sums.unrecorded:
            text += Markup(' <span class="gap">({})</span>').format(
                self.t("n_not_recorded_planned", n=sums.unrecorded, planned=money(sums.unrecorded_planned)))
        return text

    def date(self, value: dt.date | None) -> str:
        if value is None:
            return ""
        if self.lang == "zh":
            return f"{value.year}年{value.month}月{value.day}日"
        return value.strftime("%-d %b %Y")

    # -- pages -----------------------------------------------------------------
    def render(self, page: Page, common: dict[str, Any]) -> str:
        url = page_url(common["site_url"], page.path) if common.get("site_url") else ""
        key = self.cache.key(self.env, page, common, url) if self.cache is not None else None
        if key is not None and self.cache is not None:
            done = self.cache.get(key)
            if done is not None:
                return done
        text = self._render(page, common, url)
        if key is not None and self.cache is not None:
            self.cache.put(key, text)
        return text

    def _render(self, page: Page, common: dict[str, Any], url: str) -> str:
        template = self.env.get_template(page.template)
        body = template.render(**common, **page.context, page=page, url=url)
        meta = {"title": self.plain(page.title), **{k: v for k, v in page.meta.items() if k != "print"}}
        # A description on every page (search engines, link previews): the page's own
        # summary from the data, else the start of its text.
        meta["description"] = (summary(self.plain(page.meta.get("description")) or body, 120 if self.lang == "zh" else 160)
                               or self.plain(page.title))
        # The theme prints front matter unescaped (mkdocs' templates do not autoescape).
        meta = {k: html_escape(v) if isinstance(v, str) else v for k, v in meta.items()}
        if page.meta.get("updated"):
            updated = dt.date.fromisoformat(page.meta["updated"])
            body += f'\n<p class="page-updated">{self.t("last_updated")}: {self.date(updated)}</p>\n'
        if page.meta.get("print") and common.get("site_url"):
            url = page_url(common["site_url"], page.path)
            body += (f'\n<div class="print-only qr">{qr_svg(url, self.t("print_qr"))}'
                     f"<p>{self.t('print_qr')}<br>{escape(url)}</p></div>\n")
        front = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False, default_flow_style=False)
        return f"---\n{front}---\n\n{body}"


_SUMMARY_DROP = [
    (re.compile(r"^\s*#.*$", re.M), " "),  # headings: the title is already the page's <title>
    (re.compile(r"^\s*\|?\s*:?-{3,}.*$", re.M), " "),  # table rules
    (re.compile(r"\{:[^}]*\}|\{#[^}]*\}"), " "),  # attr_list
    (re.compile(r"<(script|style)\b.*?</\1>", re.S | re.I), " "),
    (re.compile(r"<[^>]+>"), " "),
    (re.compile(r"!?\[([^\]]*)\]\([^)]*\)"), r"\1"),  # links and images: keep their text
    (re.compile(r"^\s*(?:[-+*]|\d+\.)\s+", re.M), " "),  # list markers
    (re.compile(r"[*_`|>]+"), " "),
]


def summary(markdown: str, limit: int = 120) -> str:
    """Plain text for ``<meta name="description">``: Markdown and HTML stripped,
    cut at ``limit`` characters (about two lines of a search result in Chinese).

    >>> summary("# T\\n\\n**停水**通知：[详见](x.md) 3号楼。")
    '停水 通知：详见 3号楼。'
    """
    text = markdown
    for pattern, repl in _SUMMARY_DROP:
        text = pattern.sub(repl, text)
    text = " ".join(html.unescape(text).split())
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


def _html_lang(code: str) -> str:
    return "zh-CN" if code == "zh" else code

