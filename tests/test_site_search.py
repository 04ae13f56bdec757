"""Search (Pagefind, generator/site/search.py) in Chromium: recall on a word
list whose pages are found by grep in the built HTML, so an upgrade of
Pagefind (1.5.x missed Chinese words: pagefind/pagefind#1237) or of its
settings cannot silently lose pages; and no page but the search page fetches
anything for search.

The word list is made from the built site itself: Chinese words of 2–4
characters (jieba's segmentation of the pages' text), the names of the
services, building numbers (3号楼) and English words of the /en/ pages. A page
"has" a word when its indexed text (the article, without permalink signs and
the print-only block and the form controls, which Pagefind leaves out) contains it.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from bs4 import BeautifulSoup
from site_fixtures import HAN, BuiltSite, page_type, text_of  # noqa: E402

pytest_plugins = ["site_fixtures"]

SEARCH_ALL = """async words => {
  const pf = await import(new URL('../pagefind/pagefind.js', location.href).href);
  const out = {};
  for (const w of words) {
    const r = await pf.search(w);
    out[w] = await Promise.all(r.results.map(x => x.data().then(d => d.url)));
  }
  return out;
}"""


def indexed_text(site: BuiltSite, rel: str) -> str:
    art = site.soup(rel).select_one("article")
    if art is None:
        return ""
    copy = BeautifulSoup(str(art), "html.parser")  # a copy: the site's cached soup stays intact
    # Pagefind does not index the text of form controls (labels, options): the form
    # pages are found by their title and introduction instead.
    for el in copy.select(".headerlink, .print-only, .search-skip, [data-pagefind-ignore], svg, script, form"):
        el.decompose()
    return text_of(copy)


LINES_PAGE = re.compile(r"(en/)?budgets/\d{4}/[^/]+/index\.html")  # a budget year's lines pages


def texts(site: BuiltSite, english: bool) -> dict[str, str]:
    return {rel: indexed_text(site, rel) for rel in site.html_files()
            if (page_type(rel) != "other" or LINES_PAGE.fullmatch(rel))
            and rel.startswith("en/") == english and "search/" not in rel}


def word_list(site: BuiltSite) -> tuple[list[str], list[str]]:
    """(Chinese words, English words), deterministic for a given site."""
    import jieba

    zh = texts(site, english=False)
    words: set[str] = set()
    for text in zh.values():
        words.update(w for w in jieba.cut(text) if 2 <= len(w) <= 4 and all(HAN.match(c) for c in w))
    ranked = sorted(words)
    chinese = ranked[:: max(1, len(ranked) // 40)][:40]
    services = [site.soup(rel).select_one("article h1") for rel in site.pages_of("services/*")]
    chinese += [text_of(h) for h in services if h is not None][:10]
    chinese += sorted({m for text in zh.values() for m in re.findall(r"\d+号楼", text)})[:10]
    en = texts(site, english=True)
    english_words = sorted({w.lower() for text in en.values() for w in re.findall(r"\b[A-Za-z]{5,}\b", text)})
    english = english_words[:: max(1, len(english_words) // 25)][:25]
    return list(dict.fromkeys(chinese)), english


def grep(pages: dict[str, str], word: str, english: bool) -> set[str]:
    if english:
        pattern = re.compile(rf"\b{re.escape(word)}\b", re.I)
        return {rel for rel, text in pages.items() if pattern.search(text)}
    return {rel for rel, text in pages.items() if word in text}


def found_pages(site: BuiltSite, browser, lang_root: str, words: list[str]) -> dict[str, set[str]]:
    ctx = browser.new_context(locale="zh-CN")
    try:
        page = ctx.new_page()
        page.goto(site.url + lang_root + "search/")
        raw = page.evaluate(SEARCH_ALL, words)
    finally:
        ctx.close()
    base = urlsplit(site.url).path
    out = {}
    for word, urls in raw.items():
        rels = set()
        for url in urls:
            path = urlsplit(url).path[len(base):]
            rels.add(path + "index.html" if path.endswith("/") or path == "" else path)
        out[word] = rels
    return out


def test_search_recall_is_complete(built_site, browser):
    chinese, english = word_list(built_site)
    assert len(chinese) >= 10 and len(english) >= 10, (chinese, english)
    missed = {}
    for lang_root, words, is_en in (("", chinese, False), ("en/", english, True)):
        pages = texts(built_site, english=is_en)
        found = found_pages(built_site, browser, lang_root, words)
        for word in words:
            want = grep(pages, word, is_en)
            lost = want - found[word]
            if lost:
                missed[word] = sorted(lost)
    total = len(chinese) + len(english)
    assert not missed, f"recall {1 - len(missed) / total:.3f} over {total} words; missed:\n" + "\n".join(
        f"{w}: {p}" for w, p in missed.items())


def test_no_request_for_search_before_the_search_page(built_site, browser):
    """A cold load of the home page and a notice fetches nothing of Pagefind;
    the search page fetches it only when a query is typed."""
    ctx = browser.new_context(locale="zh-CN")
    try:
        page = ctx.new_page()
        requests: list[str] = []
        page.on("request", lambda r: requests.append(r.url))
        for rel in ("index.html", built_site.pages_of("notices/*")[0], "en/index.html"):
            page.goto(built_site.page_url(rel), wait_until="networkidle")
        page.goto(built_site.url + "search/", wait_until="networkidle")
        assert not [u for u in requests if "pagefind" in u or "search_index" in u], requests
        page.locator("#search-q").fill("公示")
        page.keyboard.press("Enter")
        page.wait_for_function("() => document.querySelectorAll('.search-results a').length > 0")
        assert any("pagefind" in u for u in requests)
    finally:
        ctx.close()


SEARCH_DATA = """async word => {
  const pf = await import(new URL('../pagefind/pagefind.js', location.href).href);
  const r = await pf.search(word);
  return Promise.all(r.results.map(x => x.data().then(d => ({url: d.url, content: d.content}))));
}"""


def test_a_budget_lines_words_find_its_lines_page_not_the_whole_year(built_site, browser):
    """Each budget line is indexed on its lines page (a fund and direction's lines of
    one year, a small page); the year page, which lists every line too, leaves them
    out of the index, so a query that shows it fetches its summary only."""
    base = urlsplit(built_site.url).path
    lines_pages = sorted(rel for rel in built_site.html_files() if LINES_PAGE.fullmatch(rel) and not rel.startswith("en/"))
    assert lines_pages
    ctx = browser.new_context(locale="zh-CN")
    try:
        page = ctx.new_page()
        page.goto(built_site.url + "search/")
        for rel in lines_pages[:3]:
            row = built_site.soup(rel).select(".budget-lines tbody tr")[0]
            line_id = text_of(row.find("td"))
            item = text_of(row.find_all("td")[1]).split(" ")[0]
            results = page.evaluate(SEARCH_DATA, item)
            found = {urlsplit(r["url"]).path[len(base):] + "index.html": r["content"] for r in results}
            assert rel in found, (item, rel, sorted(found))
            assert line_id in found[rel]
            year = "/".join(rel.split("/")[:2]) + "/index.html"
            for other, content in found.items():
                if other == year:  # the year page may match by its summary, never by a line
                    assert line_id not in content, other
    finally:
        ctx.close()
