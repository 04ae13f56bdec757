"""Search across the street (``generator.street.search``), in real Chromium over HTTP:
the street's search page queries the street's own index of every community's pages (zh
and en; ``search_index``), each result names its community; a community's search page sends its query to the
whole street; without JavaScript the page says how to search and links each
community's search page.

The street: ``a`` (东湖社区), ``b`` (西山社区), ``c`` (南岭社区) from ``portal init
--street``; a and b publish a notice about plane trees (梧桐树 / "sycamore"), c one
about a ginkgo (银杏 / "ginkgo").
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.scaffold_helpers import portal
from tests.site_fixtures import CHROMIUM, CHROMIUM_ARGS, CSP_LISTENER, SiteServer

NAMES = {"a": ("东湖社区", "Donghu"), "b": ("西山社区", "Xishan"), "c": ("南岭社区", "Nanling")}
NOTICE = """id: 2026-11-02-{slug}
title: {{zh: {zh_title}, en: {en_title}}}
category: announcement
issuer: jwh
published: 2026-11-02
body: {{zh: "{zh_body}", en: "{en_body}"}}
"""


@dataclass
class Street:
    root: Path
    url: str


def _notice(root: Path, cid: str, slug: str, zh: tuple[str, str], en: tuple[str, str]) -> None:
    (root / "communities" / cid / "data" / "notices" / f"2026-11-02-{slug}.yaml").write_text(
        NOTICE.format(slug=slug, zh_title=zh[0], en_title=en[0], zh_body=zh[1], en_body=en[1]), encoding="utf-8")


@pytest.fixture(scope="module")
def street(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Street]:
    tmp = tmp_path_factory.mktemp("street-search")
    done = portal("init", "--street", "xinhe", "--name", "新和街道", "--communities", "a,b,c", "--no-git", cwd=tmp)
    assert done.returncode == 0, done.stdout + done.stderr
    root = tmp / "xinhe"
    for cid, (zh, en) in NAMES.items():
        yaml = root / "communities" / cid / "data" / "community.yaml"
        yaml.write_text(yaml.read_text(encoding="utf-8").replace(f'name: "{cid}"', f"name: {{zh: {zh}, en: {en}}}"),
                        encoding="utf-8")
    for cid in "ab":
        _notice(root, cid, "trees", ("修剪梧桐树的通知", "本周修剪小区里的梧桐树，请把车停远一些。"),
                ("Pruning the sycamore trees", "The sycamore trees are pruned this week; please park elsewhere."))
    _notice(root, "c", "ginkgo", ("银杏果清扫", "银杏果落地，物业每天清扫。"),
            ("Ginkgo fruit", "Ginkgo fruit is falling; the property manager sweeps every day."))
    server = SiteServer(root / "site")
    try:
        done = portal("build", str(root))
        assert done.returncode == 0, done.stdout + done.stderr
        yield Street(root, server.url)
    finally:
        server.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


def _results(page: Any) -> list[tuple[str, str]]:
    page.wait_for_function("() => /\\d/.test(document.querySelector('.search-status').textContent)"
                           " || document.querySelectorAll('.search-results a').length > 0", timeout=20000)
    page.wait_for_load_state("networkidle")
    return [(li.locator(".street-search-community").text_content() or "", li.locator("a").get_attribute("href") or "")
            for li in page.locator(".search-results li").all()]


def _search(browser: Any, url: str) -> tuple[list[tuple[str, str]], list[str], set[str]]:
    ctx = browser.new_context(locale="zh-CN")
    try:
        page = ctx.new_page()
        page.add_init_script(CSP_LISTENER)
        hosts: set[str] = set()
        page.on("request", lambda r: hosts.add(r.url.split("/")[2]))
        page.goto(url)
        found = _results(page)
        return found, page.evaluate("window.__csp"), hosts
    finally:
        ctx.close()


def test_a_word_of_two_communities_finds_both_each_labelled(street: Street, browser: Any) -> None:
    found, violations, hosts = _search(browser, street.url + "search/?q=梧桐树")
    assert {name for name, _ in found} == {"东湖社区", "西山社区"}, found
    assert {href.split("/")[1] for _, href in found} == {"a", "b"}
    assert all(href.startswith(f"/{'a' if name == '东湖社区' else 'b'}/") for name, href in found)
    assert violations == []
    assert hosts == {street.url.split("/")[2]}  # nothing from another host


def test_a_word_of_one_community_finds_that_one_only(street: Street, browser: Any) -> None:
    found, _v, _h = _search(browser, street.url + "search/?q=银杏")
    assert found and {name for name, _ in found} == {"南岭社区"}, found


def test_english_street_search(street: Street, browser: Any) -> None:
    found, violations, _h = _search(browser, street.url + "en/search/?q=sycamore")
    assert {name for name, _ in found} == {"Donghu", "Xishan"}, found
    assert all(href.split("/")[2] == "en" for _, href in found), found  # the English pages
    assert violations == []
    found, _v, _h = _search(browser, street.url + "en/search/?q=ginkgo")
    assert {name for name, _ in found} == {"Nanling"}, found
    # a Chinese query on the English page: the Chinese indexes, leading to the English pages
    found, _v, _h = _search(browser, street.url + "en/search/?q=银杏")
    assert found and {name for name, _ in found} == {"Nanling"} and all("/en/" in h for _, h in found), found


def test_a_query_fetches_a_few_small_files_and_marks_the_words(street: Street, browser: Any) -> None:
    """The street's own index (``search_index``): the index's meta, one shard per term, the
    page lists of the communities shown and the shown pages' fragments; no Pagefind
    script, WebAssembly or per-community index. Each excerpt marks the words searched."""
    ctx = browser.new_context(locale="zh-CN")
    try:
        page = ctx.new_page()
        fetched: list[str] = []
        page.on("requestfinished", lambda r: fetched.append(urlsplit(r.url).path))
        page.goto(street.url + "search/?q=梧桐树")
        assert {name for name, _ in _results(page)} == {"东湖社区", "西山社区"}
        marks = [li.locator("mark").all_inner_texts() for li in page.locator(".search-results li").all()]
        assert marks and all("梧桐树" in found for found in marks), marks
        data = [p for p in fetched if "/search-index/" in p or "/pagefind/" in p]
        assert "/search-index/meta.json" in data and {"/search-index/d/a.json", "/search-index/d/b.json"} <= set(data)
        shards = [p for p in data if p.startswith("/search-index/s/")]
        assert 1 <= len(shards) <= 2, data  # 梧桐, 桐树
        fragments = [p for p in data if "/pagefind/fragment/" in p]
        assert {p.split("/")[1] for p in fragments} == {"a", "b"} and len(fragments) == len(marks)
        assert not [p for p in data if p.endswith((".js", ".wasm", ".pf_meta", ".pf_index")) or "wasm" in p], data
    finally:
        ctx.close()


def test_plurals_and_single_characters_are_found(street: Street, browser: Any) -> None:
    found, _v, _h = _search(browser, street.url + "en/search/?q=tree")  # the pages say "trees"
    assert {name for name, _ in found} == {"Donghu", "Xishan"}, found
    found, _v, _h = _search(browser, street.url + "search/?q=杏")
    assert {name for name, _ in found} == {"南岭社区"}, found
    ctx = browser.new_context(locale="zh-CN")
    try:
        page = ctx.new_page()
        page.goto(street.url + "search/?q=梧桐树 银杏")  # every word is needed: no page has both
        status = page.locator(".search-status")
        status.filter(has_text="没有找到").wait_for(timeout=20000)
        assert page.locator(".search-results li").count() == 0
    finally:
        ctx.close()


def test_a_community_search_page_offers_the_whole_street(street: Street, browser: Any) -> None:
    ctx = browser.new_context(locale="zh-CN")
    try:
        page = ctx.new_page()
        page.goto(street.url + "a/search/?q=梧桐树")
        page.wait_for_function("() => document.querySelectorAll('.search-results a').length > 0", timeout=20000)
        own = [a.get_attribute("href") or "" for a in page.locator(".search-results a").all()]
        assert own and all(h.startswith("/a/") for h in own), own  # its own search: only its pages
        page.get_by_role("button", name="在全街道搜索").click()
        page.wait_for_url("**/search/?q=*")
        assert page.url.startswith(street.url + "search/")
        assert {name for name, _ in _results(page)} == {"东湖社区", "西山社区"}
    finally:
        ctx.close()


def test_without_javascript_the_page_says_how_to_search(street: Street, browser: Any) -> None:
    ctx = browser.new_context(java_script_enabled=False, locale="zh-CN")
    try:
        page = ctx.new_page()
        page.goto(street.url + "search/")
        assert "全街道搜索需要浏览器开启 JavaScript" in page.locator("main").inner_text()
        links = {a.text_content(): a.get_attribute("href") for a in page.locator(".street-search-communities a").all()}
        assert links == {"东湖社区": "/a/search/", "西山社区": "/b/search/", "南岭社区": "/c/search/"}
        for href in links.values():  # each community's own search page is there
            response = page.goto(street.url + href.lstrip("/"))
            assert response is not None and response.ok
        # the community's button sends the query to the street's page without JavaScript too
        page.goto(street.url + "b/search/")
        page.fill("#search-q", "梧桐树")
        page.get_by_role("button", name="在全街道搜索").click()
        page.wait_for_url("**/search/?q=*")
        assert page.url.startswith(street.url + "search/?q=")
        page.goto(street.url)
        assert page.locator("main a[href='/search/']").count() == 1  # the street home links the search
        assert page.locator("header a[href='/search/']").count() == 1  # and so does every street page's header
    finally:
        ctx.close()


AXE = Path(__file__).resolve().parent.parent / "node_modules/axe-core/axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
AXE_RUN = "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}}).then(r => r.violations)"
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 3, "is_mobile": True, "has_touch": True}


def test_street_pages_on_a_phone_look_like_the_communities_and_pass_axe(street: Street, browser: Any) -> None:
    """The street's pages at 390 px: the communities' header colour and system fonts (our own
    stylesheet), nothing wider than the screen, large type, zero axe-core WCAG 2.2 AA
    violations (the search with its results shown too); in print the header and form go."""
    assert AXE.is_file(), "node_modules/axe-core missing: run scripts/setup --test"
    ctx = browser.new_context(**PHONE, locale="zh-CN", bypass_csp=True)  # axe is an inline script
    try:
        page = ctx.new_page()
        for path in ("", "search/?q=梧桐树", "en/search/?q=sycamore", "compare/", "notices/", "calendar/"):
            page.goto(street.url + path, wait_until="networkidle")
            if "?q=" in path:
                page.wait_for_function("() => document.querySelectorAll('.search-results a').length > 0",
                                       timeout=20000)
            page.add_script_tag(path=str(AXE))
            violations = page.evaluate(AXE_RUN, AXE_TAGS)
            assert violations == [], (path, [(v["id"], [n["target"] for n in v["nodes"]][:3]) for v in violations])
            facts = page.evaluate("""() => ({width: document.documentElement.scrollWidth,
                header: getComputedStyle(document.querySelector('.street-header')).backgroundColor,
                size: parseFloat(getComputedStyle(document.body).fontSize),
                font: getComputedStyle(document.body).fontFamily})""")
            assert facts["width"] <= 390, (path, facts)
            assert facts["header"] == "rgb(159, 29, 29)", (path, facts)  # portal.css's primary colour
            assert facts["size"] >= 17 and "system-ui" in facts["font"], (path, facts)
        page.emulate_media(media="print")
        page.goto(street.url + "search/", wait_until="networkidle")
        assert not page.locator(".street-header").is_visible()
        assert not page.locator(".street-search form").is_visible()
        assert page.locator(".street-search-communities").is_visible()
    finally:
        ctx.close()


def test_the_button_is_added_to_the_published_page_not_to_the_kept_copy(street: Street) -> None:
    """The street's copy of a community page may be a hard link to the kept last-good copy:
    the button goes into a new file, so the kept copy stays as the community's build left it."""
    for rel in ("search/index.html", "en/search/index.html"):
        published = street.root / "site" / "a" / rel
        kept = street.root / ".portal-build" / "street" / "sites" / "a" / rel
        assert "street-search-all" in published.read_text(encoding="utf-8")
        assert "street-search-all" not in kept.read_text(encoding="utf-8")
        assert published.stat().st_ino != kept.stat().st_ino
    index = street.root / "site" / "a" / "index.html"  # other pages stay linked
    assert index.stat().st_ino == (street.root / ".portal-build/street/sites/a/index.html").stat().st_ino
