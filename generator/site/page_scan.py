"""What one built page asks of a Content-Security-Policy: the text of its inline
scripts, its ``style``/``on…`` attribute values and the origins its forms post to.

Regular expressions over the tags rather than a full HTML parser: the build
scans every page, and html.parser took ~1.9 ms a page on the demo site (10 s at
5,000 pages), this ~0.5 ms. tests/test_security_headers.py checks that it finds
exactly what html.parser finds, on the built sample site and on tricky markup.

>>> found = scan('<p style="a: b">x</p><script>go()</script>'
...              '<script type="application/json">{}</script><form action="https://f.example/x">')
>>> found.scripts, found.style_attrs, found.origins
(['go()'], {'a: b'}, {'https://f.example'})
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html import unescape
from urllib.parse import urlsplit

#: Script types a browser executes (https://html.spec.whatwg.org/#javascript-mime-type);
#: any other type is a data block (JSON, JSON-LD) that CSP does not govern.
JS_TYPES = {"", "text/javascript", "application/javascript", "module", "text/ecmascript", "application/ecmascript"}

_COMMENT = re.compile(r"<!--.*?-->", re.S)
#: A raw-text element: its content is not markup (it ends at the first closing tag).
_RAW = re.compile(r"<(script|style)\b((?:[^>\"']|\"[^\"]*\"|'[^']*')*)>(.*?)</\1\s*>", re.S | re.I)
#: A start tag, with quoted attribute values that may hold ">".
_TAG = re.compile(r"<[a-zA-Z][^\s/>]*((?:[^>\"']|\"[^\"]*\"|'[^']*')*)>")
#: Attribute names worth splitting a tag for (style, on…, action, data-endpoint).
_INTERESTING = re.compile(r"(?:^|[\s\"'])(?:style|on[a-z]+|action|data-endpoint)\b", re.I)
_ATTR = re.compile(r"""([^\s"'>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?""")


@dataclass
class PageScan:
    scripts: list[str] = field(default_factory=list)  #: inline scripts that run
    style_elements: list[str] = field(default_factory=list)
    style_attrs: set[str] = field(default_factory=set)
    handlers: set[str] = field(default_factory=set)  #: onclick="…" and the like
    origins: set[str] = field(default_factory=set)  #: of form actions and data-endpoint


def origin(url: str) -> str | None:
    """``http://127.0.0.1:8001/forms`` → ``http://127.0.0.1:8001``; None for a relative address."""
    parts = urlsplit(url.strip())
    if parts.scheme in ("http", "https") and parts.netloc:
        return f"{parts.scheme}://{parts.netloc}"
    return None


def attributes(text: str) -> dict[str, str]:
    """The attributes of a start tag (the part after its name), names lower-cased,
    values unescaped as a browser reads them; the first of a repeated name wins."""
    out: dict[str, str] = {}
    for m in _ATTR.finditer(text):
        name = m.group(1).lower()
        if name not in out:
            value = next((g for g in m.group(2, 3, 4) if g is not None), "")
            out[name] = unescape(value)
    return out


def _tag_needs(name: str, attrs: dict[str, str], found: PageScan) -> None:
    if "style" in attrs:
        found.style_attrs.add(attrs["style"])
    found.handlers.update(v for k, v in attrs.items() if k.startswith("on"))
    if name == "form" and (o := origin(attrs.get("action", ""))):
        found.origins.add(o)
    if o := origin(attrs.get("data-endpoint", "")):
        found.origins.add(o)


def scan(html: str) -> PageScan:
    found = PageScan()
    html = _COMMENT.sub("", html)

    def raw(m: re.Match[str]) -> str:
        name, attrs = m.group(1).lower(), attributes(m.group(2))
        _tag_needs(name, attrs, found)
        if name == "style":
            found.style_elements.append(m.group(3))
        elif "src" not in attrs and attrs.get("type", "").strip().lower() in JS_TYPES:
            found.scripts.append(m.group(3))
        return ""

    html = _RAW.sub(raw, html)
    for m in _TAG.finditer(html):
        rest = m.group(1)
        # Most tags carry nothing of interest: skip them without splitting attributes.
        if _INTERESTING.search(rest):
            name = re.match(r"<([^\s/>]+)", m.group(0)).group(1).lower()  # type: ignore[union-attr]
            _tag_needs(name, attributes(rest), found)
    return found
