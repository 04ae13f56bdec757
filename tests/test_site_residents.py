"""What residents feel, in Chromium: the home page leads with what they come to
do (first phone screen), and the elder mode (适老化, MIIT web guideline for
older users) works: large text and targets, remembered across pages and
visits, readable without JavaScript, no motion, read-aloud with a local voice,
and axe-core finds nothing in that mode either.

Runs over the sample site and, when ``portal check`` passes on it, the demo.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Error as PlaywrightError
from site_fixtures import REPO, BuiltSite  # noqa: E402

pytest_plugins = ["site_fixtures"]

AXE = REPO / "node_modules/axe-core/axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}
DESKTOP = {"viewport": {"width": 1280, "height": 900}}
NOTICE = "notices/2024-001/index.html"
ELDER_ON = "localStorage.setItem('portal.elder', '1')"

#: Everything pressed outside running text: at least 60 × 60 px in elder mode, 44 × 44 px always.
TARGETS = (".md-header__button, .portal-switch, .md-typeset .tasks a.task, .md-tabs__link, "
           ".md-typeset .portal-form button[type=submit]")
BOXES = """sel => [...document.querySelectorAll(sel)]
  .filter(e => e.getClientRects().length && getComputedStyle(e).visibility !== 'hidden')
  .map(e => { const r = e.getBoundingClientRect();
              return {what: e.className + ' ' + (e.textContent || '').trim().slice(0, 20), w: r.width, h: r.height} })"""
TEXT = """() => { const p = document.querySelector('article p'); const s = getComputedStyle(p);
  return {size: parseFloat(s.fontSize), line: parseFloat(s.lineHeight) / parseFloat(s.fontSize),
          elder: document.documentElement.classList.contains('elder')} }"""


def small(boxes: list[dict], minimum: int) -> list[dict]:
    return [b for b in boxes if b["w"] < minimum - 0.5 or b["h"] < minimum - 0.5]


def pages(site: BuiltSite) -> list[str]:
    """Home, a notice, a budget year and a form, in Chinese and English."""
    chosen = ["index.html", *site.pages_of("notices/*")[:1], *site.pages_of("budgets/*")[:1],
              *[rel for rel in site.html_files() if rel.startswith("forms/") and rel != "forms/index.html"][:1]]
    return chosen + ["en/" + rel for rel in chosen]


# -- the home page --------------------------------------------------------------------

def test_home_page_leads_with_what_residents_come_to_do(built_site, browser):
    """Raise a request, look up a receipt, what is on display now: in the first
    screen of a phone (390 × 844), large enough to press."""
    ctx = browser.new_context(**PHONE, locale="zh-CN")
    try:
        for rel in ("index.html", "en/index.html"):
            page = ctx.new_page()
            page.goto(built_site.page_url(rel))
            for selector in (".task-request", ".task-receipt", ".task-display"):
                box = page.locator(selector).bounding_box()
                assert box, f"{rel}: no {selector}"
                assert 0 <= box["y"] and box["y"] + box["height"] <= 844, f"{rel}: {selector} below the first screen"
                assert box["height"] >= 44 and box["width"] >= 44, f"{rel}: {selector} too small: {box}"
            page.locator(".task-receipt").click()
            assert page.url.endswith("/receipt/")
            page.close()
    finally:
        ctx.close()


# -- elder mode -----------------------------------------------------------------------

def test_targets_are_at_least_44_px_in_the_standard_mode(built_site, browser):
    for viewport in (PHONE, DESKTOP):
        ctx = browser.new_context(**viewport, locale="zh-CN")
        try:
            page = ctx.new_page()
            for rel in ("index.html", "en/index.html"):
                page.goto(built_site.page_url(rel))
                assert small(page.evaluate(BOXES, TARGETS), 44) == [], f"{rel} {viewport['viewport']}"
        finally:
            ctx.close()


def test_elder_mode_text_targets_layout_and_motion(built_site, browser):
    for viewport in (PHONE, DESKTOP):
        ctx = browser.new_context(**viewport, locale="zh-CN")
        ctx.add_init_script(ELDER_ON)
        try:
            page = ctx.new_page()
            for rel in pages(built_site):
                page.goto(built_site.page_url(rel))
                text = page.evaluate(TEXT)
                assert text["elder"], rel
                assert text["size"] >= 24, f"{rel}: body text {text['size']} px (18 pt = 24 px)"
                assert text["line"] >= 1.3, f"{rel}: line height {text['line']}"
                boxes = page.evaluate(BOXES, TARGETS)
                assert boxes and small(boxes, 60) == [], f"{rel} {viewport['viewport']}: targets under 60 px"
                assert page.evaluate("document.documentElement.scrollWidth <= innerWidth"), f"{rel}: scrolls sideways"
                motion = page.evaluate("""() => [...document.querySelectorAll('a, button, .md-header')]
                    .map(e => getComputedStyle(e)).filter(s => parseFloat(s.transitionDuration) > 0
                    || s.animationName !== 'none').length""")
                assert motion == 0, f"{rel}: {motion} elements still move"
                if viewport is DESKTOP:
                    assert page.locator(".md-sidebar--primary").is_hidden(), f"{rel}: sidebar in elder mode"
                    assert page.locator(".md-sidebar--secondary").is_hidden(), f"{rel}: sidebar in elder mode"
                    assert page.locator(".md-top").is_hidden()
        finally:
            ctx.close()


def test_elder_mode_is_remembered_across_pages_and_visits(built_site, browser):
    ctx = browser.new_context(**PHONE, locale="zh-CN")
    try:
        page = ctx.new_page()
        page.goto(built_site.url)
        assert page.evaluate(TEXT)["size"] < 24
        switch = page.locator(".elder-enter")
        assert switch.is_visible(), "the switch is in the header, not in a menu"
        switch.click()
        assert page.evaluate(TEXT)["size"] >= 24
        assert page.locator(".elder-exit").is_visible() and page.locator(".elder-enter").is_hidden()
        page.goto(built_site.page_url("en/index.html"))  # another page, another language
        assert page.evaluate(TEXT)["elder"]
        page.close()
        visit = ctx.new_page()  # a later visit (same browser profile)
        visit.goto(built_site.page_url(built_site.pages_of("notices/*")[0]))
        assert visit.evaluate(TEXT)["size"] >= 24
        visit.locator(".elder-exit").click()
        visit.goto(built_site.url)
        assert not visit.evaluate(TEXT)["elder"] and visit.evaluate(TEXT)["size"] < 24
    finally:
        ctx.close()


def test_elder_mode_without_javascript(built_site, browser):
    """The header link opens the page at #elder: large print by CSS alone."""
    ctx = browser.new_context(**PHONE, locale="zh-CN", java_script_enabled=False)
    try:
        page = ctx.new_page()
        page.goto(built_site.url)
        size = "parseFloat(getComputedStyle(document.querySelector('article p')).fontSize)"
        assert page.evaluate(size) < 24
        page.locator(".elder-enter").click()
        assert page.url.endswith("#elder")
        assert page.evaluate(size) >= 24
        assert page.locator(".elder-exit").is_visible() and page.locator(".elder-enter").is_hidden()
        assert small(page.evaluate(BOXES, TARGETS), 60) == []
        page.locator(".elder-exit").click()
        assert page.evaluate(size) < 24
    finally:
        ctx.close()


FAKE_SPEECH = """(() => {
  window.__spoken = [];
  const voices = [{name: 'zh local', lang: 'zh-CN', localService: true, default: false},
                  {name: 'zh remote', lang: 'zh-CN', localService: false, default: true},
                  {name: 'en local', lang: 'en-GB', localService: true, default: false}];
  const synth = {speaking: false, getVoices: () => voices, cancel() { this.speaking = false; },
    speak(u) { window.__spoken.push({text: u.text, lang: u.lang, voice: u.voice && u.voice.name}); },
    addEventListener() {}};
  Object.defineProperty(window, 'speechSynthesis', {value: synth});
  window.SpeechSynthesisUtterance = function (text) { this.text = text; };
})()"""


def test_read_aloud_speaks_the_main_text_with_a_local_voice(minimal_site, browser):
    ctx = browser.new_context(**PHONE, locale="zh-CN")
    ctx.add_init_script(ELDER_ON)
    ctx.add_init_script(FAKE_SPEECH)
    try:
        page = ctx.new_page()
        for rel, lang, voice, words in ((NOTICE, "zh-CN", "zh local", "更换 3 号楼单元门禁"),
                                        ("en/" + NOTICE, "en-GB", "en local", "Door access replacement")):
            page.goto(minimal_site.page_url(rel))
            button = page.locator(".read-aloud")
            assert button.is_visible()
            button.click()
            spoken = page.evaluate("window.__spoken")
            assert spoken and {s["lang"] for s in spoken} == {lang} and {s["voice"] for s in spoken} == {voice}
            text = " ".join(s["text"] for s in spoken)
            assert words in text and "¶" not in text
            assert button.get_attribute("aria-pressed") == "true"
            button.click()
            assert button.get_attribute("aria-pressed") == "false"
    finally:
        ctx.close()


def test_axe_finds_nothing_in_elder_mode(built_site, browser):
    assert AXE.is_file(), "node_modules/axe-core missing: run scripts/setup --test"
    ctx = browser.new_context(**PHONE, locale="zh-CN", bypass_csp=True)  # axe is added as an inline script
    ctx.add_init_script(ELDER_ON)
    found = {}
    try:
        page = ctx.new_page()
        for rel in pages(built_site):
            page.goto(built_site.page_url(rel))
            page.add_script_tag(path=str(AXE))
            violations = page.evaluate(
                "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}}).then(r => r.violations)", AXE_TAGS)
            if violations:
                found[rel] = [(v["id"], [n["target"] for n in v["nodes"][:3]]) for v in violations]
    finally:
        ctx.close()
    assert not found, found


# -- offline reading --------------------------------------------------------------------

def test_visited_pages_stay_readable_offline(minimal_site, browser):
    """sw.js keeps what was visited, same origin and GET only; offline, a visited
    page still opens, one never visited does not."""
    site = minimal_site
    ctx = browser.new_context(locale="zh-CN")
    try:
        page = ctx.new_page()
        page.goto(site.url)
        page.evaluate("navigator.serviceWorker.ready.then(() => true)")
        page.reload()  # from now on the worker sees the requests
        assert page.evaluate("!!navigator.serviceWorker.controller")
        page.goto(site.page_url(NOTICE), wait_until="networkidle")
        title = page.locator("article h1").inner_text()
        ctx.set_offline(True)
        page.goto(site.page_url(NOTICE))
        assert page.locator("article h1").inner_text() == title
        assert page.evaluate("getComputedStyle(document.querySelector('.md-header')).position") != "static", \
            "the stylesheet came from the store too"
        with pytest.raises(PlaywrightError):
            page.goto(site.page_url("rules/index.html"))  # never visited
        ctx.set_offline(False)
        page.goto(site.url)
        stored = page.evaluate("caches.open('portal-v1').then(c => c.keys()).then(ks => ks.map(r => r.url))")
        assert stored and all(u.startswith(site.url) for u in stored), stored
        assert not [u for u in stored if "/admin/" in u or str(site.endpoint_port) in u]
        sw = (site.out / "sw.js").read_text(encoding="utf-8")
        assert f'ENDPOINT = "http://127.0.0.1:{site.endpoint_port}"' in sw and (site.out / "en/sw.js").is_file()
    finally:
        ctx.close()


# -- the whole site on a USB stick -------------------------------------------------------

def test_archive_opens_from_a_folder_without_a_server(minimal_site, browser, tmp_path):
    """offline-site.zip (portal build --archive): every relative link in every page
    names a file that is in the archive, and the pages work from file://."""
    import re
    import zipfile
    from urllib.parse import unquote, urljoin, urlsplit

    from generator.site.archive import write_archive

    target = tmp_path / "offline-site.zip"
    assert write_archive(minimal_site.out, target) > 30
    with zipfile.ZipFile(target) as archive:
        names = set(archive.namelist())
        assert not [n for n in names if n.startswith("site/admin/") or n.endswith("sw.js")]
        archive.extractall(tmp_path)
    root = tmp_path / "site"
    broken = []
    for page in sorted(root.rglob("*.html")):
        rel = page.relative_to(root).as_posix()
        for value in re.findall(r'\s(?:href|src)="([^"]*)"', page.read_text(encoding="utf-8")):
            parts = urlsplit(value)
            if parts.scheme or parts.netloc or not parts.path:
                continue
            target_file = urlsplit(urljoin("file:///site/" + rel, parts.path)).path
            if not (tmp_path / unquote(target_file).lstrip("/")).is_file():
                broken.append(f"{rel}: {value}")
    assert not broken, "links that do not open a file in the archive:\n" + "\n".join(broken[:20])
    ctx = browser.new_context(locale="zh-CN")
    try:
        page = ctx.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto((root / "index.html").as_uri())
        page.locator(".task-receipt").click()
        assert page.url.endswith("/site/receipt/index.html")
        page.goto((root / NOTICE).as_uri())
        page.locator(".elder-enter").click()
        assert page.evaluate(TEXT)["size"] >= 24
        assert errors == []
    finally:
        ctx.close()
