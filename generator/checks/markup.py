"""Unsafe content in text that the site renders: script and frame elements,
event-handler attributes, and ``javascript:``-style URLs.

Markdown allows raw HTML, and mkdocs passes it through; the site's own escaping
cannot help with content that is *meant* to be HTML. So any of these anywhere in
a data file is refused at the source.
"""

from __future__ import annotations

import html
import re
from typing import Iterator

from generator.checks.privacy import texts
from generator.checks.scanning import LineMap
from generator.index import Index
from generator.load import Project
from generator.problems import Problem

_UNSAFE = re.compile(
    r"(?P<tag><\s*/?\s*(?:script|iframe|frame|frameset|object|embed|applet|base|meta|link|style|form|svg|math)\b)"
    r"|(?P<handler><[a-zA-Z][^<>]*?\s(?:on[a-zA-Z]+)\s*=)",
    re.IGNORECASE,
)
#: Where a URL can hide: Markdown link/image targets, reference definitions,
#: autolinks, and URL-valued HTML attributes. Only these are judged, so prose
#: such as "JavaScript: 从零开始" is left alone.
_URL_PLACES = re.compile(
    r"\]\(\s*<?(?P<md>[^)>]*)"
    r"|^\s*\[[^\]\n]+\]:\s*<?(?P<ref>\S+)"
    r"|<(?P<auto>[a-zA-Z][a-zA-Z0-9+.\-]*:[^\s<>]*)>"
    r"|\b(?:href|src|action|formaction|xlink:href|data|poster|background|srcset)\s*=\s*"
    r"(?P<attr>\"[^\"]*\"|'[^']*'|[^\s>]+)",
    re.IGNORECASE | re.MULTILINE,
)
_BAD_SCHEME = re.compile(r"^(?:javascript|vbscript|livescript):|^data:text/html", re.IGNORECASE)
_PREFILTER = re.compile(r"[<\]=]")


def dangerous_url(target: str) -> bool:
    """Browsers decode entities and drop tabs/newlines inside a URL's scheme, so
    ``jav&#x61;script:`` and ``java<TAB>script:`` are ``javascript:`` too.

    >>> dangerous_url("jav&#x61;script:alert(1)"), dangerous_url("javascript&colon;x"), dangerous_url("/notices/")
    (True, True, False)
    """
    decoded = html.unescape(target.strip("\"'"))
    return bool(_BAD_SCHEME.match(re.sub(r"[\x00-\x20]+", "", decoded)))


def scan(file: str, text: str) -> Iterator[Problem]:
    if not _PREFILTER.search(text):
        return
    lines: LineMap | None = None
    for m in _UNSAFE.finditer(text):
        lines = lines or LineMap(text)
        line, col = lines.position(m.start())
        yield Problem("markdown.unsafe-html", file, line, col, {"detail": m.group(0).strip()[:60]})
    for m in _URL_PLACES.finditer(text):
        group = next(g for g in ("md", "ref", "auto", "attr") if m.group(g) is not None)
        if dangerous_url(m.group(group)):
            lines = lines or LineMap(text)
            line, col = lines.position(m.start(group))
            yield Problem("markdown.unsafe-html", file, line, col, {"detail": m.group(group).strip()[:60]})


def check(project: Project, index: Index) -> Iterator[Problem]:
    for file, text, _ in texts(project):
        yield from scan(file, text)
