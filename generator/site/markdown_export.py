"""Markdown from the data, made for readers that are not the site's pages: HTML
with absolute links (feed readers) and plain text (summaries in structured data).

Both go through the allow-list sanitizer (``generator.sanitize.clean``).
"""

from __future__ import annotations

import re
from html import unescape
from urllib.parse import urljoin, urlsplit

from generator.sanitize import clean

_LINK_ATTR = re.compile(r'(\s(?:href|src)=")([^"]*)(")')


def markdown_html(text: str, base: str | None = None) -> str:
    """Markdown → HTML for feed readers; relative links made absolute against
    ``base``, the address of the page's folder (``foo.md`` → ``foo/``, as mkdocs
    publishes it).

    >>> markdown_html("见 [规约](../rules/covenant.md)", "https://x.cn/notices/")
    '<p>见 <a href="https://x.cn/rules/covenant/" rel="noopener noreferrer">规约</a></p>'
    """
    import markdown  # here: the feeds that use this are imported by ``portal check``, which renders nothing

    html = clean(markdown.markdown(text, extensions=["tables"], output_format="html"))
    if base:
        html = _LINK_ATTR.sub(lambda m: m.group(1) + absolute(m.group(2), base) + m.group(3), html)
    return html


def absolute(link: str, base: str) -> str:
    """
    >>> absolute("../budgets/2024.md#x", "https://x.cn/notices/"), absolute("https://a.b/c", "https://x.cn/")
    ('https://x.cn/budgets/2024/#x', 'https://a.b/c')
    >>> absolute("#top", "https://x.cn/notices/"), absolute("mailto:a@b.cn", "https://x.cn/")
    ('#top', 'mailto:a@b.cn')
    """
    if not link or link.startswith("#") or urlsplit(link).scheme:
        return link
    path, hash_, anchor = link.partition("#")
    if path.endswith("/index.md") or path == "index.md":
        path = path.removesuffix("index.md")
    elif path.endswith(".md"):
        path = path.removesuffix(".md") + "/"
    return urljoin(base, path) + hash_ + anchor


def markdown_text(text: str) -> str:
    """Markdown → plain text (for summaries and calendar descriptions).

    >>> markdown_text("**通过** [规约](x.md) & <b>更多</b>")
    '通过 规约 & 更多'
    """
    stripped = re.sub(r"<[^>]+>", "", markdown_html(text))
    return re.sub(r"[ \t]+", " ", unescape(stripped)).strip()
