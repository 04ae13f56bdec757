"""Unsafe content in text that the site renders: script and frame elements,
event-handler attributes, and ``javascript:``-style URLs.

Markdown allows raw HTML, and mkdocs passes it through; the site's own escaping
cannot help with content that is *meant* to be HTML. So any of these anywhere in
a data file is refused at the source.
"""

from __future__ import annotations

import re
from typing import Iterator

from generator.checks.privacy import texts
from generator.checks.scanning import LineMap
from generator.index import Index
from generator.load import Project
from generator.problems import Problem

_UNSAFE = re.compile(
    r"(?P<tag><\s*/?\s*(?:script|iframe|frame|frameset|object|embed|applet|base|meta|link|style|form|svg|math)\b)"
    r"|(?P<handler><[a-zA-Z][^<>]*?\s(?:on[a-zA-Z]+)\s*=)"
    r"|(?P<url>(?:javascript|vbscript|livescript)\s*:|data\s*:\s*text/html)",
    re.IGNORECASE,
)
_PREFILTER = re.compile(r"[<:]")


def scan(file: str, text: str) -> Iterator[Problem]:
    if not _PREFILTER.search(text):
        return
    lines: LineMap | None = None
    for m in _UNSAFE.finditer(text):
        lines = lines or LineMap(text)
        line, col = lines.position(m.start())
        snippet = m.group(0).strip()
        yield Problem("markdown.unsafe-html", file, line, col, {"detail": snippet[:60]})


def check(project: Project, index: Index) -> Iterator[Problem]:
    for file, text, _ in texts(project):
        yield from scan(file, text)
