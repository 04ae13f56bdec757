"""What one built page asks of a Content-Security-Policy, and what in it could take
the page over: the text of its inline scripts, its ``style``/``on…`` attribute
values, the origins its forms post to, its ``<meta http-equiv>`` and ``<base>``
elements and its element ids.

The page is read by lexbor (selectolax), a real HTML5 parser, so markup is read
as a browser reads it: ``<img/onerror=…>``, upper case, unquoted values and
entities in attribute names' values, comments, raw-text elements. Speed matters
(the build scans every page): on the built demo site (208 pages) html.parser took
~1.9 ms a page, the former regular expressions ~0.69 ms, this ~0.55 ms (lexbor itself ~0.37).
tests/test_security_headers.py checks that it finds exactly what html.parser
finds, on the built sample site and on tricky markup.

>>> found = scan('<p style="a: b">x</p><script>go()</script>'
...              '<script type="application/json">{}</script><form action="https://f.example/x">')
>>> found.scripts, found.style_attrs, found.origins
(['go()'], {'a: b'}, {'https://f.example'})
>>> scan('<IMG/SRC=x ONERROR=go()><meta http-equiv=Refresh content="0;url=https://e.example">').handlers
{'go()'}
>>> scan('<meta HTTP-EQUIV="refresh" content="3">').metas
{('refresh', '3')}
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlsplit

from selectolax.lexbor import LexborHTMLParser

#: Script types a browser executes (https://html.spec.whatwg.org/#javascript-mime-type);
#: any other type is a data block (JSON, JSON-LD) that CSP does not govern.
JS_TYPES = {"", "text/javascript", "application/javascript", "module", "text/ecmascript", "application/ecmascript"}


@dataclass
class PageScan:
    scripts: list[str] = field(default_factory=list)  #: inline scripts that run
    style_elements: list[str] = field(default_factory=list)
    style_attrs: set[str] = field(default_factory=set)
    handlers: set[str] = field(default_factory=set)  #: onclick="…" and the like
    origins: set[str] = field(default_factory=set)  #: of form actions and data-endpoint
    metas: set[tuple[str, str]] = field(default_factory=set)  #: <meta http-equiv> (lower-cased name, content)
    bases: list[str] = field(default_factory=list)  #: the href of every <base>
    ids: list[tuple[str, str]] = field(default_factory=list)  #: (element, id) of every element with an id


_WANTED = frozenset({"style", "action", "data-endpoint", "id", "http-equiv"})


def origin(url: str) -> str | None:
    """``http://127.0.0.1:8001/forms`` → ``http://127.0.0.1:8001``; None for a relative address."""
    parts = urlsplit(url.strip())
    if parts.scheme in ("http", "https") and parts.netloc:
        return f"{parts.scheme}://{parts.netloc}"
    return None


def scan(html: str) -> PageScan:
    found = PageScan()
    root = LexborHTMLParser(html).root
    if root is None:
        return found
    for node in root.traverse(include_text=False):
        tag = node.tag
        if tag is None or tag.startswith("_"):  # _comment, _doctype …
            continue
        attrs = node.attributes
        # Most elements carry nothing of interest: skip them without looking at values
        # (a plain loop: a generator per element cost a fifth of the scan).
        for name in attrs:
            if name in _WANTED or name[:2] == "on":
                _tag_needs(tag, {k: v or "" for k, v in attrs.items()}, found)
                break
        if tag == "style":
            found.style_elements.append(node.text(deep=True))
        elif tag == "script" and "src" not in attrs and (attrs.get("type") or "").strip().lower() in JS_TYPES:
            found.scripts.append(node.text(deep=True))
        elif tag == "base":
            found.bases.append((attrs.get("href") if attrs else None) or "")
    return found


def _tag_needs(name: str, attrs: dict[str, str], found: PageScan) -> None:
    if "style" in attrs:
        found.style_attrs.add(attrs["style"])
    found.handlers.update(v for k, v in attrs.items() if k.startswith("on"))
    if name == "form" and (o := origin(attrs.get("action", ""))):
        found.origins.add(o)
    if o := origin(attrs.get("data-endpoint", "")):
        found.origins.add(o)
    if "id" in attrs:
        found.ids.append((name, attrs["id"]))
    if name == "meta" and "http-equiv" in attrs:
        found.metas.add((attrs["http-equiv"].strip().lower(), attrs.get("content", "")))
