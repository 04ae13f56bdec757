"""Content is data, never code (issue #9): the one sanitizer, the Markdown guard for
plain text, hand-written pages, and a CSP that no data file can extend.

The payload corpus in every kind's fields, in the check and in Chromium, is in
``tests/test_content_safety.py``; these are the mechanisms one by one.
"""

from __future__ import annotations

import re

import markdown
import pytest

from generator import build as build_module
from generator.sanitize import ALIGN_STYLES, clean, markdown_html, removals, render_markdown, url_allowed
from generator.site.markdown_guard import GuardExtension

# --- the sanitizer ----------------------------------------------------------------------------


@pytest.mark.parametrize("html, gone", [
    ('<div><img src="x.png"onerror="go()"></div>', "onerror"),
    ("<svg><script>go()</script></svg>", "go()"),
    ('<iframe srcdoc="&lt;script&gt;go()&lt;/script&gt;"></iframe>', "srcdoc"),
    ('<a href="data:text/html,&lt;script&gt;go()&lt;/script&gt;">x</a>', "data:"),
    ('<a href="vbscript:go()">x</a>', "vbscript"),
    ('<form action="/x"><button>b</button></form>', "<form"),
    ('<object data="x.swf"></object><embed src="x.swf">', "x.swf"),
    ('<p style="background:url(javascript:go())">x</p>', "style"),
    ('<base href="https://evil.example/">', "<base"),
    ('<meta http-equiv="refresh" content="0;url=javascript:go()">', "refresh"),
    ('<math><mtext><table><mglyph><style><img src=x onerror=go()>', "onerror"),
    ('<a href="jav&#x09;ascript:go()">x</a>', "go()"),
])
def test_clean_removes(html: str, gone: str) -> None:
    out = clean(html)
    assert gone not in out, out
    assert removals(html), f"the check must report what clean() removes from {html!r}"


def test_clean_keeps_what_committees_write() -> None:
    text = ("## 停水安排 {: #water }\n\n**重要**：请于 3 月 19 日前 [提出意见](/forms/suggestion/)，"
            "电话 <a href=\"tel:0571-88880000\">0571-8888 0000</a>。\n\n"
            "| 项目 | 金额 |\n|:--|--:|\n| 绿化 | 1,200 |\n\n!!! note \"提示\"\n    带好证件。\n")
    html = markdown_html(text)
    assert removals(html) == []
    out = render_markdown(text)
    for kept in ('id="water"', "<strong>重要</strong>", 'href="/forms/suggestion/"', 'href="tel:0571-88880000"',
                 'style="text-align: left;"', 'style="text-align: right;"', 'class="admonition note"'):
        assert kept in out, kept


def test_table_alignment_is_normalised_to_the_hashed_values() -> None:
    out = clean('<table><tr><td style="TEXT-ALIGN:Center">a</td><td style="color:red">b</td></tr></table>')
    assert re.findall(r'style="([^"]*)"', out) == ["text-align: center;"]
    assert set(re.findall(r'style="([^"]*)"', render_markdown("|a|b|c|\n|:-|:-:|-:|\n|1|2|3|\n"))) == set(ALIGN_STYLES)


@pytest.mark.parametrize("url, ok", [
    ("/notices/", True), ("../a.pdf", True), ("#top", True), ("https://x.cn", True), ("mailto:a@b.cn", True),
    ("tel:110", True), ("javascript:go()", False), ("JaVaScRiPt:go()", False), ("\tjavascript:go()", False),
    (" javascript:go()", False), ("jav&#x61;script:go()", False), ("java\nscript:go()", False),
    ("data:text/html,x", False), ("vbscript:go()", False), ("file:///etc/passwd", False),
])
def test_url_allowed(url: str, ok: bool) -> None:
    assert url_allowed(url) is ok


# --- the guard: Markdown syntax in escaped plain text ----------------------------------------

@pytest.mark.parametrize("text", [
    "[点这里](javascript:__xss(1))", "![图](javascript:__xss(2))", "[x][r]\n\n[r]: javascript:__xss(3)",
    "&lt;javascript:__xss(4)&gt;", "## 标题 {: onclick=\"__xss(5)\" }", "## 标题 {: onmouseover=__xss(6) }",
    "[x](data:text/html,__xss7)", "[x](&#106;avascript:__xss(8))", "段落\n{: style=\"background:red\" }",
])
def test_guard_defuses_markdown_syntax(text: str) -> None:
    html = markdown.markdown(text, extensions=["attr_list", "md_in_html", GuardExtension()])
    tags = " ".join(re.findall(r"<[^>]*>", html))  # text may show the words; no tag may carry them
    assert "__xss" not in tags, html
    assert not re.search(r"\son\w+=|javascript:|data:|style=", tags, re.I), html


def test_guard_keeps_safe_links_and_alignment() -> None:
    html = markdown.markdown("[规约](../rules/covenant/) [x](https://x.cn)\n\n|a|\n|-:|\n|1|\n",
                             extensions=["tables", GuardExtension()])
    assert 'href="../rules/covenant/"' in html and 'href="https://x.cn"' in html
    assert 'style="text-align: right;"' in html


# --- whole builds -----------------------------------------------------------------------------

HOSTILE_PAGE = """---
title: '</title><script>__xss(1)</script>'
description: '"><script>__xss(2)</script>'
---
# 说明 <img src=x onerror="__xss(3)">

<div><img src="x.png"onerror="__xss(4)"></div>

[x](javascript:__xss(5))

<svg/onload=__xss(6)>
"""


def _policy(site) -> str:
    m = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]*)">',
                  (site / "index.html").read_text(encoding="utf-8"))
    assert m
    return m.group(1)


def _forced(monkeypatch) -> None:
    """Build even though the check would refuse: the markup, front-matter and URL rules bypassed."""
    from generator import pipeline
    from generator.kinds import common

    monkeypatch.setattr(pipeline, "CHECKS", tuple(c for c in pipeline.CHECKS if c[0] not in ("markup", "front-matter")))
    monkeypatch.setattr(common, "check_url", lambda v: v)


def test_hostile_content_changes_no_policy_and_reaches_no_page(minimal, tmp_path, monkeypatch) -> None:
    """The CSP of a site whose data is full of handlers and scripts (forced past the
    check) is the CSP of the clean site: it is made of the theme's code only. And
    no page holds any of it: notice body, service title, a link's address, and a
    hand-written page with hostile front matter."""
    clean_site = build_module.build(minimal.root, out=tmp_path / "clean").out
    _forced(monkeypatch)
    minimal.write("content/zh/hostile.md", HOSTILE_PAGE)
    minimal.replace("data/notices/2024-001.yaml", "  经居委会会议表决，更换 3 号楼单元门禁。",
                    "  经居委会会议表决，更换 3 号楼单元门禁。\n  <img src=x onerror=__xss(7)>[a](javascript:__xss(8))")
    hostile = build_module.build(minimal.root, out=tmp_path / "hostile").out
    assert _policy(hostile) == _policy(clean_site)
    assert "script-src-attr" not in _policy(hostile)
    for page in hostile.rglob("*.html"):
        if page.relative_to(hostile).parts[0] == "admin":
            continue
        html = page.read_text(encoding="utf-8")
        for m in re.finditer(r"__xss\(\d\)", html):
            before = html[max(0, m.start() - 300):m.start()]
            # only as text: escaped, never inside a tag or a script
            assert before.rfind("<") < before.rfind(">") or "&lt;" in before[-80:], (page, html[m.start() - 80:m.end()])
            assert not re.search(r"<script[^>]*>[^<]*$", before), (page, html[m.start() - 80:m.end()])
        assert not re.search(r"<[^>]+\son\w+\s*=", html), page
        assert "javascript:" not in html.lower().replace("javascript:__xss", ""), page


def test_inline_code_that_is_not_the_themes_stops_the_build(minimal, tmp_path, monkeypatch) -> None:
    """If unsafe markup ever got past the sanitizer (here: the sanitizer switched off
    for Markdown fields), the build stops before anything is published rather than
    publish it, allowed or not."""
    from generator.site import render

    _forced(monkeypatch)
    monkeypatch.setattr(render, "render_markdown", lambda text: text)
    minimal.replace("data/notices/2024-001.yaml", "  经居委会会议表决，更换 3 号楼单元门禁。",
                    "  经居委会会议表决。\n\n  <div><img src=\"x.png\"onerror=\"__xss(1)\"></div>")
    out = tmp_path / "site"
    with pytest.raises(build_module.BuildError, match="not the theme's"):
        build_module.build(minimal.root, out=out)
    assert not out.exists()


def test_serve_preview_keeps_generated_pages_unsanitized(minimal) -> None:
    """``portal serve`` lists its generated pages for the hook too (else its form pages
    would lose their forms); a data error's page is sanitized like a hand-written one."""
    import json

    from generator.serve import Preview

    preview = Preview(minimal.root, None, "http://127.0.0.1:8000/")
    listing = preview.docs.parent / "generated.json"
    listed = set(json.loads(listing.read_text(encoding="utf-8")))
    assert {"index.md", "forms/suggestion.md", "notices/2024-001.md"} <= listed
    minimal.replace("data/notices/2024-001.yaml", "published: 2024-03-12", "published: 2024-13-45")
    preview.refresh()
    listed_now = set(json.loads(listing.read_text(encoding="utf-8")))
    assert "index.md" not in listed_now and "forms/suggestion.md" in listed_now
