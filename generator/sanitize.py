"""The one allow-list sanitizer for text that comes from ``data/`` and ``content/``.

Every piece of HTML a committee's files produce passes through :func:`clean`
before a resident's browser sees it: the Markdown fields of every data kind (the
``md`` filter of ``generator.site.render``) and the hand-written pages of
``content/`` (``generator.site.mkdocs_hooks``). ``portal check`` asks
:func:`removals` what :func:`clean` would take out and reports it at its line, so
nothing is altered silently.

The work is done by nh3, the Python binding of the Rust ``ammonia`` crate: a
maintained allow-list sanitizer on a real HTML5 parser (html5ever), so markup a
browser would read differently from a regex (missing spaces, slashes for spaces,
entities in a scheme, foreign SVG/MathML content) is read the browser's way.
"""

from __future__ import annotations

import html as html_lib
import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from html.parser import HTMLParser
from typing import TYPE_CHECKING

import nh3

if TYPE_CHECKING:
    import markdown

#: What Markdown produces, plus the harmless HTML committees write by hand. No
#: script, style, form, frame, object, embed, svg, math, base or meta.
TAGS = frozenset({
    "a", "abbr", "b", "blockquote", "br", "caption", "cite", "code", "col", "colgroup", "dd", "del", "details",
    "dfn", "div", "dl", "dt", "em", "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img",
    "ins", "kbd", "li", "mark", "ol", "p", "pre", "q", "rp", "rt", "ruby", "s", "samp", "small", "span", "strong",
    "sub", "summary", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "time", "tr", "u", "ul", "var", "wbr",
})
#: ``style`` survives only as a table cell's alignment (Markdown tables write it),
#: normalised by :func:`_attribute` so the CSP can list its few values.
ATTRIBUTES: dict[str, set[str]] = {
    "*": {"class", "id", "lang", "dir", "title"},
    "a": {"href", "hreflang"},
    "img": {"src", "alt", "width", "height", "loading"},
    "td": {"colspan", "rowspan", "style"},
    "th": {"colspan", "rowspan", "scope", "style"},
    "ol": {"start", "type"},
    "blockquote": {"cite"}, "q": {"cite"}, "del": {"cite", "datetime"}, "ins": {"cite", "datetime"},
    "time": {"datetime"}, "details": {"open"}, "abbr": {"title"},
}
#: Ids the theme's JavaScript and CSS look up (``__config``, ``__search``, ``__drawer``,
#: ``__toc``, ``__palette_0`` … all start with ``__``; ``elder`` is the portal's own
#: elder-mode anchor). The first element with an id wins, so content holding one
#: would stop the theme's scripts or feed them settings: :func:`clean` drops such
#: ids. tests/test_frontmatter_safety.py checks the probe build holds no other ids.
THEME_IDS = frozenset({"elder"})
#: Material's own classes (``md-dialog``, ``md-typeset`` …) make the theme's scripts
#: and styles act on an element; committees may use only these (buttons).
MD_CLASSES = frozenset({"md-button", "md-button--primary"})


def reserved_id(value: str) -> bool:
    """An id content may not carry: one of the theme's.

    >>> [reserved_id(i) for i in ("__config", "__palette_1", "elder", "water", "_1")]
    [True, True, True, False, False]
    """
    value = value.strip()
    return value.startswith("__") or value in THEME_IDS


def allowed_classes(value: str) -> str:
    """``value`` without the theme's classes (``md-*`` but :data:`MD_CLASSES`).

    >>> allowed_classes("md-dialog task md-button MD-Typeset")
    'task md-button'
    """
    return " ".join(c for c in value.split() if not c.lower().startswith("md-") or c in MD_CLASSES)


#: Relative addresses are always allowed; absolute ones only with these schemes.
URL_SCHEMES = frozenset({"http", "https", "mailto", "tel"})
#: Attributes whose value is an address (for reporting a refused scheme).
URL_ATTRIBUTES = frozenset({"href", "src", "cite", "action", "formaction", "xlink:href", "data", "poster",
                            "background", "srcset", "ping", "longdesc", "lowsrc", "dynsrc", "codebase"})
_ALIGN = re.compile(r"^\s*text-align\s*:\s*(left|right|center)\s*;?\s*$", re.IGNORECASE)
#: The style values that can survive, exactly as Python-Markdown's tables write them.
ALIGN_STYLES = tuple(f"text-align: {side};" for side in ("left", "right", "center"))

#: Markdown as the site renders it, for data fields (``generator.site_config.PORTAL_EXTENSIONS``
#: builds the sites' extension list from it, so fields and pages read Markdown alike).
MARKDOWN_EXTENSIONS = ["attr_list", "md_in_html", "tables", "admonition"]
_C0_AND_SPACE = "".join(map(chr, range(0x21)))
_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.\-]*):")


def url_allowed(url: str) -> bool:
    """A relative address, or one with an allowed scheme, read as a browser reads
    it: entities decoded, and the tabs, newlines and control characters a browser
    drops before it looks at the scheme removed.

    >>> [url_allowed(u) for u in ("/notices/", "#a", "https://x.cn", "tel:110", "jav&#x61;script:x", " java\\tscript:x",
    ...                            "data:text/html,x", "vbscript:x", "files/a:b.pdf")]
    [True, True, True, True, False, False, False, False, True]
    """
    # WHATWG URL parsing: C0 controls and spaces trimmed at both ends, tab/LF/CR removed anywhere.
    m = _SCHEME.match(re.sub(r"[\t\n\r]", "", html_lib.unescape(url).strip(_C0_AND_SPACE)))
    return m is None or m.group(1).lower() in URL_SCHEMES


def _attribute(tag: str, name: str, value: str) -> str | None:
    if name == "style":
        m = _ALIGN.match(value)
        return f"text-align: {m.group(1).lower()};" if m else None
    if name == "id":
        return None if reserved_id(value) else value
    if name == "class":
        kept = allowed_classes(value)
        return value if kept.split() == value.split() else kept or None
    return value


def clean(html: str) -> str:
    """``html`` with everything outside the allow-list removed.

    >>> clean('<p onclick="x()">Hi <a href="javascript:x()">a</a> <a href="/notices/">b</a></p><script>x()</script>')
    '<p>Hi <a rel="noopener noreferrer">a</a> <a href="/notices/" rel="noopener noreferrer">b</a></p>'
    """
    return nh3.clean(html, tags=set(TAGS), attributes=ATTRIBUTES, attribute_filter=_attribute,
                     url_schemes=set(URL_SCHEMES), strip_comments=True, link_rel="noopener noreferrer")


@lru_cache(maxsize=1)
def _markdown() -> markdown.Markdown:
    # imported here: a warm ``portal check`` answers from its cache without rendering
    # any Markdown, and importing the library was a tenth of its start-up
    import markdown

    return markdown.Markdown(extensions=MARKDOWN_EXTENSIONS)


def markdown_html(text: str) -> str:
    """Markdown → HTML as the site renders it, not yet sanitized."""
    md = _markdown()
    try:
        return str(md.convert(text))
    finally:
        md.reset()


def render_markdown(text: str) -> str:
    """Markdown → sanitized HTML: what the site shows for a Markdown field."""
    return clean(markdown_html(text))


# -- what clean() would remove (for portal check) -------------------------------------

#: Every element name a browser knows, for the permissive pass: element names the
#: permissive pass did not list would vanish from both sides and go unreported.
_ALL_TAGS = TAGS | {
    "script", "style", "iframe", "frame", "frameset", "object", "embed", "applet", "param", "base", "meta", "link",
    "form", "input", "button", "select", "option", "optgroup", "textarea", "label", "fieldset", "legend", "output",
    "svg", "math", "video", "audio", "source", "track", "canvas", "map", "area", "picture", "noscript", "template",
    "slot", "dialog", "marquee", "blink", "font", "center", "bgsound", "xmp", "plaintext", "listing", "noembed",
    "noframes", "isindex", "image", "portal", "html", "head", "body", "title", "nav", "header", "footer", "main",
    "section", "article", "aside", "address", "hgroup", "menu", "data", "meter", "progress", "bdi", "bdo", "tt",
    "big", "strike", "acronym", "nobr", "search",
}
_ANY_SCHEME = {"http", "https", "mailto", "tel", "javascript", "vbscript", "livescript", "data", "file", "ftp",
               "blob", "filesystem", "about", "ws", "wss", "jar", "mhtml", "ms-its", "view-source"}


@dataclass(frozen=True)
class Removal:
    """One thing :func:`clean` takes out: an element, an attribute, or an address."""

    what: str  #: ``<script>``, ``onerror="…"``, ``href="javascript:…"``
    needles: tuple[str, ...]  #: what to look for in the source to say where it is, best first

    def __str__(self) -> str:
        return self.what


class _Tokens(HTMLParser):
    """Start tags and their attributes in document order, with the tag as written."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.items: list[tuple[str, str, str, str]] = []  #: (tag, attribute or "", value, tag as written)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        raw = self.get_starttag_text() or f"<{tag}"
        self.items.append((tag, "", "", raw))
        for name, value in attrs:
            if name != "rel":  # clean() adds rel="noopener noreferrer" to links; that is no removal
                self.items.append((tag, name, _normal(name, value or ""), raw))


def _normal(name: str, value: str) -> str:
    return _attribute("", name, value) or value if name == "style" else value


def _tokens(html: str) -> list[tuple[str, str, str, str]]:
    parser = _Tokens()
    parser.feed(html)
    parser.close()
    return parser.items


def _kept(tag: str, name: str, value: str) -> bool:
    """Whether clean() keeps this attribute (the allow-list, restated for reporting)."""
    if name not in ATTRIBUTES["*"] and name not in ATTRIBUTES.get(tag, ()):
        return False
    if name == "style":
        return _attribute(tag, name, value) is not None
    if name == "id":
        return not reserved_id(value)
    if name == "class":
        return allowed_classes(value).split() == value.split()
    return name not in URL_ATTRIBUTES or url_allowed(value)


def _removal(tag: str, name: str, value: str, raw: str) -> Removal:
    if not name:
        return Removal(f"<{tag}>", (raw, f"<{tag}"))
    shown = value if len(value) <= 40 else value[:37] + "…"
    scheme = _scheme_of(value) if name in URL_ATTRIBUTES else ""
    if not scheme:  # a handler, a style, an attribute not allowed: point at its name
        return Removal(f'{name}="{shown}"', (f"{name}=", name, value))
    # A refused address: point at it. An encoded scheme is not in the source as decoded;
    # what follows the scheme usually is.
    tail = value.split(":", 1)[-1]
    needles = [n for n in (value, tail) if len(n) > 3]
    return Removal(f'{name}="{shown}"', (*needles, scheme, f"{name}=", name))


def removals(html: str) -> list[Removal]:
    """What :func:`clean` would remove from ``html``: every element outside the
    allow-list and every attribute or address it drops, in document order.

    The markup is walked as written (so each finding can be located), and the
    result is held against nh3 itself: a permissive pass and the real one on the
    same HTML5 parser, so whatever a browser would read differently from the walk
    is still reported.

    >>> [str(r) for r in removals('<img src="x.png"onerror="go()"><a href="jav&#x61;script:x">a</a>')]
    ['onerror="go()"', 'href="javascript:x"']
    >>> [str(r) for r in removals('see <javascript:go()> and <body/onload=go()>')]
    ['<javascript:go()>', '<body>']
    >>> removals('<b>重要</b> <a href="https://example.cn/plan">图纸</a>')
    []
    """
    out: list[Removal] = []
    reported: Counter[tuple[str, str, str]] = Counter()
    for tag, name, value, raw in _tokens(html):
        if tag not in TAGS:
            if not name:  # the whole element goes: say so once, not once per attribute
                out.append(_removal(tag, "", "", raw))
                reported[(tag, "", "")] += 1
        elif name and not _kept(tag, name, value):
            out.append(_removal(tag, name, value, raw))
            reported[(tag, name, value)] += 1
    # The HTML5 parser's view: what nh3 drops that the walk did not see.
    schemes = _ANY_SCHEME | {m.lower() for m in re.findall(r"([a-zA-Z][a-zA-Z0-9+.\-]{1,30}):", html)}
    seen = nh3.clean(html, tags=set(_ALL_TAGS), clean_content_tags=set(), generic_attribute_prefixes={""},
                     url_schemes=schemes, strip_comments=True, link_rel="noopener noreferrer")
    kept = clean(html)
    if seen != kept:
        missing = Counter(t[:3] for t in _tokens(seen)) - Counter(t[:3] for t in _tokens(kept))
        for tag, name, value, raw in _tokens(seen):
            key = (tag, name, value)
            if (tag not in TAGS and name) or not missing[key]:
                continue
            missing[key] -= 1
            if reported[key]:
                reported[key] -= 1
                continue
            out.append(_removal(tag, name, value, raw))
        if not out:  # clean() changed something no tag shows (text inside a dropped element)
            out.append(Removal(_first_difference(seen, kept), ("<",)))
    return out


def _scheme_of(url: str) -> str:
    """The refused scheme of ``url`` as written, or ""."""
    if url_allowed(url):
        return ""
    m = _SCHEME.match(url.strip())
    return m.group(1) if m else ""


def _first_difference(a: str, b: str) -> str:
    i = next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
    return a[max(0, i - 10):i + 30]
