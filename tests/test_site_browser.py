"""The built public site in a real browser (Debian's Chromium via Playwright),
served over HTTP on 127.0.0.1: every page type loads cleanly and only from the
site itself, works without JavaScript and on a phone, passes axe-core (WCAG 2.2
AA), finds Chinese words in search, and prints a notice on one A4 sheet with a
scannable QR code of its address.

A few pages per type (see ``BuiltSite.samples``), over the sample site and,
when ``portal check`` passes on it, the demo community. One browser per run.
QR codes are decoded with ``zbarimg`` (Debian package zbar-tools).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from site_fixtures import HAN, REPO, BuiltSite, Endpoint, page_type, text_of  # noqa: E402

pytest_plugins = ["site_fixtures"]

AXE = REPO / "node_modules/axe-core/axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 3, "is_mobile": True, "has_touch": True}
NOTICE = "notices/2024-001/index.html"
SECTIONS = ("notices", "meetings", "decisions", "rules", "budgets", "services", "organisation", "data")



@pytest.fixture(scope="module")
def live_site(built_site):
    """The built site, and the form endpoint its forms pages talk to, running."""
    endpoint = Endpoint(built_site) if (built_site.out / "forms/spec.json").is_file() else None
    yield built_site
    if endpoint:
        endpoint.close()


@pytest.fixture
def context(browser):
    ctx = browser.new_context(viewport=DESKTOP, locale="zh-CN")
    yield ctx
    ctx.close()


#: English pages opened besides the Chinese ones (same templates: a few suffice).
EN_TYPES = {"minimal": ("home", "notices/*", "meetings/*", "budgets/*", "services/*", "forms/*"),
            "demo": ("home", "meetings/*")}


def samples(site: BuiltSite, en: bool = True) -> list[str]:
    """Pages to open: per type the first page in Chinese (in the larger demo
    the last one too), and the first English page of some types."""
    return site.samples(per_type=2 if site.name == "demo" else 1, en_types=EN_TYPES.get(site.name, ()) if en else ())


class Visit:
    """One page opened in the browser, with what it logged and requested."""

    def __init__(self, context, url: str, wait: str = "load") -> None:
        self.url = url
        self.page = page = context.new_page()
        self.errors: list[str] = []
        self.requests: list[str] = []
        page.on("console", lambda m: self.errors.append(f"console.{m.type}: {m.text}") if m.type == "error" else None)
        page.on("pageerror", lambda e: self.errors.append(f"uncaught: {e}"))
        page.on("request", lambda r: self.requests.append(r.url))
        page.on("requestfailed", lambda r: self.errors.append(f"request failed: {r.url} ({r.failure})"))
        self.response = page.goto(url, wait_until=wait)

    def foreign(self) -> list[str]:
        return [u for u in self.requests
                if urlsplit(u).scheme not in ("data", "blob", "about") and urlsplit(u).hostname != "127.0.0.1"]

    def close(self) -> None:
        self.page.close()


def visible_text(page, selector: str = "article") -> str:
    return " ".join(page.locator(selector).first.inner_text().replace("\u200b", "").split())


# -- loading (and axe, on the same visit) ---------------------------------------------

AXE_RUN = "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}}).then(r => r.violations)"


@pytest.fixture(scope="module")
def visits(live_site, browser) -> dict[str, dict]:
    """Each sample page opened once with JavaScript, on a computer screen: what
    it logged and requested, its visible text, and axe-core's findings."""
    assert AXE.is_file(), "node_modules/axe-core missing: run scripts/setup --test"
    # axe-core is added as an inline script, which the pages' own CSP (<meta>) refuses;
    # the policy itself is tested in test_security_headers.py.
    ctx = browser.new_context(viewport=DESKTOP, locale="zh-CN", bypass_csp=True)
    out: dict[str, dict] = {}
    try:
        for rel in samples(live_site):
            found: dict = {}
            try:
                visit = Visit(ctx, live_site.page_url(rel))
                try:
                    found.update(status=visit.response.status if visit.response else None,
                                 h1=visit.page.locator("article h1").first.is_visible(), text=visible_text(visit.page))
                    visit.page.add_script_tag(path=str(AXE))
                    found["violations"] = visit.page.evaluate(AXE_RUN, AXE_TAGS)
                    # what the page fetches after "load" (search index, form tokens) has come in by now
                    visit.page.wait_for_load_state("networkidle")
                    found.update(errors=visit.errors, foreign=visit.foreign())
                finally:
                    visit.close()
            except Exception as exc:  # noqa: BLE001 - reported by the tests, page by page
                found["failure"] = f"{type(exc).__name__}: {exc}"
            out[rel] = found
    finally:
        ctx.close()
    return out


def test_pages_load_without_errors_and_only_from_the_site(visits, subtests):
    for rel, v in visits.items():
        with subtests.test(page=rel):
            assert "failure" not in v, v.get("failure")
            assert v["status"] == 200
            assert v["errors"] == [], "console errors"
            assert v["foreign"] == [], "requests to other hosts"
            assert v["h1"], "no visible h1"


# -- without JavaScript --------------------------------------------------------------

@pytest.fixture
def no_js(browser):
    ctx = browser.new_context(viewport=DESKTOP, java_script_enabled=False, locale="zh-CN")
    yield ctx
    ctx.close()


def squeeze(text: str) -> str:
    return re.sub(r"[\s\u200b]+", "", text)


def content_texts(site: BuiltSite, rel: str, limit: int = 60) -> list[str]:
    """Texts of the page's headings, paragraphs, facts, list items and table cells, from the HTML."""
    art = site.soup(rel).select_one("article")
    found = []
    for el in art.find_all(["h1", "h2", "h3", "h4", "p", "dt", "dd", "td", "li"]):
        if el.find_parent(class_="print-only") or el.find_parent("svg"):
            continue
        text = squeeze(text_of(el)).rstrip("¶")
        if text and text not in found:
            found.append(text)
    return found[:limit]


def test_pages_show_their_content_without_javascript(live_site, visits, no_js, subtests):
    """Everything a page shows with JavaScript, it shows without (Chinese pages)."""
    for rel, v in visits.items():
        if rel.startswith("en/"):
            continue
        with subtests.test(page=rel):
            assert "text" in v, v.get("failure")
            with_js = squeeze(v["text"])
            visit = Visit(no_js, live_site.page_url(rel))
            try:
                h1 = visit.page.locator("article h1")
                assert h1.is_visible()
                assert squeeze(h1.inner_text()).rstrip("¶") == squeeze(text_of(live_site.soup(rel).h1))
                without_js = squeeze(visible_text(visit.page))
                hidden = [t for t in content_texts(live_site, rel) if t in with_js and t not in without_js]
                assert hidden == [], "shown with JavaScript, hidden without"
            finally:
                visit.close()


def click_link(page, href_pattern: str, text: str | None = None) -> None:
    """Click the first visible link whose href matches (and whose text contains ``text``)."""
    links = page.locator("a").filter(has_text=text) if text else page.locator("a")
    for i in range(links.count()):
        a = links.nth(i)
        if re.search(href_pattern, a.get_attribute("href") or "") and a.is_visible():
            with page.expect_navigation():
                a.click()
            return
    raise AssertionError(f"{page.url}: no visible link to {href_pattern!r}" + (f" with text {text!r}" if text else ""))


def test_navigation_without_javascript_home_to_a_notice(live_site, no_js):
    notice = live_site.pages_of("notices/*")[0]
    page = no_js.new_page()
    try:
        page.goto(live_site.url)
        click_link(page, r"(^|/)notices/$", "通知公示")
        assert page.url == live_site.page_url("notices/index.html")
        assert page.locator("article h1").inner_text().rstrip("¶").strip() == "通知公示"
        title = text_of(live_site.soup(notice).h1)
        click_link(page, re.escape(notice.split("/")[1]) + "/$", title)
        assert page.url == live_site.page_url(notice)
        assert page.locator("article h1").is_visible()
        if live_site.name == "minimal":
            assert "公示已结束" in visible_text(page)
    finally:
        page.close()


@pytest.mark.parametrize("js", [True, False], ids=["js", "no-js"])
def test_home_page_on_a_computer_links_every_section(live_site, browser, js):
    """A visitor on a computer reaches every section from the home page (the
    navigation sidebar is hidden there, so something else must offer them)."""
    ctx = browser.new_context(viewport=DESKTOP, java_script_enabled=js)
    try:
        page = ctx.new_page()
        page.goto(live_site.url)
        unreachable = []
        hrefs = page.eval_on_selector_all("a", "els => els.map(a => a.href.split('#')[0])")
        for section in SECTIONS:
            usable = False
            for i in (i for i, href in enumerate(hrefs) if href == f"{live_site.url}{section}/"):
                try:
                    page.locator("a").nth(i).click(trial=True, timeout=1500)  # 500 ms flaked on a loaded machine
                    usable = True
                    break
                except Exception:  # noqa: BLE001 - hidden, covered or off-screen
                    continue
            if not usable:
                unreachable.append(section)
        assert unreachable == [], f"no usable link on the home page to: {unreachable}"
    finally:
        ctx.close()


# -- phone -----------------------------------------------------------------------------

OVERFLOW_JS = """() => {
  const w = window.innerWidth, out = [];
  for (const el of document.body.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.right <= w + 1) continue;
    let p = el.parentElement, clipped = false;
    for (; p && p !== document.body; p = p.parentElement) {
      const o = getComputedStyle(p).overflowX;
      if (o === 'auto' || o === 'scroll' || o === 'hidden' || o === 'clip') { clipped = true; break; }
    }
    if (!clipped) out.push(el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
                           (el.className && typeof el.className === 'string' ? '.' + el.className.trim().split(/\\s+/).join('.') : '') +
                           ' right=' + Math.round(r.right));
    if (out.length >= 8) break;
  }
  return {scrollWidth: document.documentElement.scrollWidth, innerWidth: w, culprits: out};
}"""


def test_phone_pages_do_not_scroll_sideways(live_site, browser, subtests):
    ctx = browser.new_context(**PHONE, locale="zh-CN")
    try:
        for rel in samples(live_site, en=live_site.name == "minimal"):
            with subtests.test(page=rel):
                visit = Visit(ctx, live_site.page_url(rel))
                try:
                    m = visit.page.evaluate(OVERFLOW_JS)
                    assert m["scrollWidth"] <= m["innerWidth"], f"page wider than the phone: {m}"
                finally:
                    visit.close()
    finally:
        ctx.close()


# -- search ----------------------------------------------------------------------------

def search(page, query: str, ordered: bool = False) -> list[str]:
    """Search from the header's search link (the search page, Pagefind); the
    pages of the results, sorted, or in the order shown."""
    page.locator("a.portal-search-link").click()
    page.locator("#search-q").fill(query)
    page.keyboard.press("Enter")
    page.wait_for_function(
        "() => document.querySelectorAll('.search-results a').length > 0 || "
        "/(没有找到|Nothing found)/.test(document.querySelector('.search-status')?.textContent || '')",
        timeout=15000)
    hrefs = page.eval_on_selector_all(".search-results a", "els => els.map(a => a.href)")
    found = list(dict.fromkeys(h.split("#")[0] for h in hrefs))
    return found if ordered else sorted(found)


def unique_word(site: BuiltSite) -> tuple[str, str]:
    """A long Chinese word that only one page's article has (by jieba, as the
    recall test in test_site_search.py picks words), and that page."""
    import jieba

    pages: dict[str, set[str]] = {}
    for rel in site.html_files():
        if page_type(rel) in ("other", "home") or rel.startswith("en/"):
            continue
        art = site.soup(rel).select_one("article")
        for word in jieba.cut(text_of(art)):
            if len(word) >= 3 and all(HAN.match(c) for c in word):
                pages.setdefault(word, set()).add(rel)
    for word in sorted(pages, key=lambda w: (-len(w), w)):
        if len(pages[word]) == 1 and not any(w != word and word in w for w in pages):
            return word, next(iter(pages[word])).removesuffix("index.html")
    raise AssertionError("no Chinese word on one page only")


def test_chinese_search_finds_the_right_pages(live_site, context):
    page = context.new_page()
    try:
        page.goto(live_site.url)
        if live_site.name == "minimal":
            found = search(page, "门禁")
            assert live_site.page_url(NOTICE) in found
            assert live_site.page_url("meetings/2024-03-10-jwh/index.html") in found
            assert live_site.page_url("services/meal/index.html") not in found
            page.goto(live_site.url)
            assert search(page, "午餐") == [live_site.page_url("services/meal/index.html")]
        else:
            word, location = unique_word(live_site)
            found = search(page, word, ordered=True)
            assert found[:1] == [live_site.url + location], f"searching {word!r}: {found}"
    finally:
        page.close()


def test_chinese_search_on_the_english_site(minimal_site, context):
    """The English pages show Chinese-only data too (the notice text): it is found."""
    page = context.new_page()
    try:
        page.goto(minimal_site.url + "en/")
        found = search(page, "门禁")
        assert minimal_site.page_url("en/" + NOTICE) in found
    finally:
        page.close()


# -- accessibility -------------------------------------------------------------------

def describe(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"- {v['id']} ({v['impact']}): {v['help']} [{v['helpUrl']}]")
        for node in v["nodes"][:6]:
            summary = " ".join(node["failureSummary"].split())[:300]
            lines.append(f"    {' '.join(node['target'])}: {summary}")
        if len(v["nodes"]) > 6:
            lines.append(f"    … and {len(v['nodes']) - 6} more")
    return "\n".join(lines)


def test_axe_finds_no_wcag_violations(visits, subtests):
    """axe-core, WCAG 2.0/2.1 A and AA and 2.2 AA rules, on every sample page."""
    for rel, v in visits.items():
        with subtests.test(page=rel):
            assert "violations" in v, v.get("failure")
            assert not v["violations"], f"{rel}:\n{describe(v['violations'])}"


# -- print -----------------------------------------------------------------------------

def pdf_pages(pdf: bytes) -> list[tuple[float, float]]:
    """(width, height) in points of each page: with pypdf if installed, else by
    reading the page objects (Chromium writes them uncompressed)."""
    try:
        import io

        from pypdf import PdfReader
    except ImportError:
        objects = re.findall(rb"\d+\s+\d+\s+obj\b(.*?)\bendobj", pdf, re.S)
        box = re.compile(rb"/MediaBox\s*\[\s*([-\d.]+)\s+([-\d.]+)\s+([-\d.]+)\s+([-\d.]+)\s*\]")
        inherited = next((box.search(o) for o in objects if re.search(rb"/Type\s*/Pages\b", o) and box.search(o)),
                         None)
        sizes = []
        for o in objects:
            if re.search(rb"/Type\s*/Page\b", o):
                m = box.search(o) or inherited
                assert m, "a PDF page without a MediaBox"
                x0, y0, x1, y1 = (float(v) for v in m.groups())
                sizes.append((x1 - x0, y1 - y0))
        assert len(sizes) == len(re.findall(rb"/Type\s*/Page\b", pdf))
        return sizes
    return [(float(p.mediabox.width), float(p.mediabox.height)) for p in PdfReader(io.BytesIO(pdf)).pages]


def decode_qr(png: Path) -> str:
    zbarimg = shutil.which("zbarimg")
    assert zbarimg, "zbarimg not found: install the Debian package zbar-tools (scripts/setup --test)"
    result = subprocess.run([zbarimg, "--quiet", "--raw", str(png)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, f"no QR code found in the printed page ({result.stderr.strip()})"
    return result.stdout.strip()


def print_targets(site: BuiltSite) -> list[str]:
    return [NOTICE, "en/" + NOTICE] if site.name == "minimal" else site.pages_of("notices/*")[:1]


def test_notice_prints_on_one_a4_page(live_site, context):
    for rel in print_targets(live_site):
        page = context.new_page()
        try:
            page.goto(live_site.page_url(rel))
            page.emulate_media(media="print")
            sizes = pdf_pages(page.pdf(format="A4", print_background=True))
            assert len(sizes) == 1, f"{rel} prints on {len(sizes)} pages"
            width, height = sizes[0]
            assert abs(width - 595) <= 1 and abs(height - 842) <= 1, f"{rel}: page is {width}×{height} pt, not A4"
        finally:
            page.close()


def test_printed_qr_code_encodes_the_page_address(live_site, context, tmp_path):
    for rel in print_targets(live_site) + live_site.pages_of("meetings/*")[:1]:
        page = context.new_page()
        try:
            page.goto(live_site.page_url(rel))
            qr = page.locator(".print-only.qr svg")
            assert qr.count() == 1
            assert not qr.is_visible() and qr.bounding_box() is None, f"{rel}: QR code shown on screen"
            page.emulate_media(media="print")
            box = qr.bounding_box()
            assert box and box["width"] >= 75 and box["height"] >= 75, f"{rel}: QR code too small in print: {box}"
            assert qr.is_visible()
            png = tmp_path / (rel.replace("/", "_") + ".png")
            qr.screenshot(path=str(png))
            assert decode_qr(png) == live_site.page_url(rel)
            page.emulate_media(media="screen")
            assert not qr.is_visible()
        finally:
            page.close()


def test_sample_covers_every_page_type(minimal_site):
    """The loops above open at least one page of each type, in both languages."""
    chosen = samples(minimal_site)
    kinds = {page_type(rel) for rel in chosen}
    assert {"home", "notices/*", "meetings/*", "rules/*", "budgets/*", "services/*", "decisions/"} <= kinds
    assert any(rel.startswith("en/") for rel in chosen)
