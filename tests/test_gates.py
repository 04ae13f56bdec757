"""The quality gates of the public site (issue #14), on one page of every type
in Chinese and in English, over the sample site and, when ``portal check``
passes on it, the demo community:

- axe-core, WCAG 2.0/2.1/2.2 A and AA rules: zero violations, on a phone and on
  a computer screen;
- the Nu Html Checker (``vnu-jar`` from npm, run with the machine's Java, every
  page of the site in one invocation): zero errors (warnings are printed);
- keyboard alone (Tab, Shift+Tab, Space, Enter, arrow keys): every form of the
  site is filled and sent to the real form endpoint, and the receipt looked up;
  every element that takes focus on the way shows it (an outline or a shadow);
- without JavaScript: every page type shows its content, and a form is sent
  (by keyboard) and reaches the receipt page;
- print: a notice, a meeting and a budget year print without the site's
  navigation, header, footer or search, with their content visible, on A4
  (that a notice fits on one sheet is tested in test_site_browser.py).

Lighthouse is a benchmark, not a gate: bench/bench_lighthouse.py.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
import time
from collections import defaultdict

import pytest
from site_fixtures import REPO, BuiltSite, Endpoint, page_type, text_of
from test_site_browser import pdf_pages

pytest_plugins = ["site_fixtures"]

AXE = REPO / "node_modules/axe-core/axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
AXE_RUN = "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}}).then(r => r.violations)"
VNU = REPO / "node_modules/vnu-jar/build/dist/vnu.jar"
DESKTOP = {"viewport": {"width": 1280, "height": 900}}
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 3, "is_mobile": True, "has_touch": True}
RECEIPT = re.compile(r"^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{2}$")
WAIT_MS = 15_000
MIN_SECONDS = 3.0  #: the endpoint's default min_seconds (endpoint/settings.py), which site_fixtures.Endpoint keeps


@pytest.fixture(scope="module")
def live(demo_site):
    """The demo site (every page type, the richest data; the sample's page types are the
    same templates), and the form endpoint its forms pages talk to, running. One site
    keeps the gates within CI's time (both sites took 9 minutes)."""
    endpoint = Endpoint(demo_site) if (demo_site.out / "forms/spec.json").is_file() else None
    yield demo_site
    if endpoint:
        endpoint.close()


def gate_pages(site: BuiltSite) -> list[str]:
    """The first page of every type (``site_fixtures.page_type``), and the 404
    page, in Chinese then in English. The editor (``admin/``) is Decap CMS's
    own app, tested in test_admin.py."""
    kinds = sorted({page_type(rel) for rel in site.html_files()} - {"other"})
    pages: list[str] = []
    for lang, prefix in (("zh", ""), ("en", "en/")):
        pages += [site.pages_of(kind, lang)[0] for kind in kinds if site.pages_of(kind, lang)]
        if (site.out / prefix / "404.html").is_file():
            pages.append(prefix + "404.html")
    return pages


def test_gate_pages_cover_every_type_in_both_languages(minimal_site):
    pages = gate_pages(minimal_site)
    for lang in ("zh", "en"):
        kinds = {page_type(rel) for rel in pages if rel.startswith("en/") == (lang == "en")}
        assert {"home", "notices/", "notices/*", "meetings/*", "rules/*", "budgets/*", "budgets/*/*", "services/*",
                "forms/", "forms/*", "receipt/", "requests/", "data/", "other"} <= kinds, lang


def page_url(site: BuiltSite, rel: str) -> str:
    return site.page_url(rel) if rel.endswith("index.html") else site.url + rel


# -- axe-core --------------------------------------------------------------------------

def describe(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"- {v['id']} ({v['impact']}): {v['help']} [{v['helpUrl']}]")
        for node in v["nodes"][:6]:
            lines.append(f"    {' '.join(node['target'])}: {' '.join(node['failureSummary'].split())[:300]}")
        if len(v["nodes"]) > 6:
            lines.append(f"    … and {len(v['nodes']) - 6} more")
    return "\n".join(lines)


@pytest.mark.parametrize("screen", ["phone", "desktop"])
def test_axe_wcag22_aa_zero_violations(live, browser, subtests, screen):
    assert AXE.is_file(), "node_modules/axe-core missing: run scripts/setup --test"
    # axe-core is added as an inline script, which the pages' own CSP refuses
    ctx = browser.new_context(**(PHONE if screen == "phone" else DESKTOP), locale="zh-CN", bypass_csp=True)
    ctx.set_default_timeout(WAIT_MS)
    total = 0
    try:
        for rel in gate_pages(live):
            with subtests.test(page=rel):
                page = ctx.new_page()
                try:
                    page.goto(page_url(live, rel))
                    page.add_script_tag(path=str(AXE))
                    violations = page.evaluate(AXE_RUN, AXE_TAGS)
                finally:
                    page.close()
                total += len(violations)
                assert not violations, f"{rel}:\n{describe(violations)}"
    finally:
        ctx.close()
    print(f"axe ({screen}): {len(gate_pages(live))} pages, {total} violations")


# -- Nu Html Checker -------------------------------------------------------------------

#: Errors we accept, each for one exact message on one exact piece of markup.
ACCEPTED_VNU = [
    # mkdocs-material's base.html (not a block a theme override can replace) writes its
    # drawer and search toggles as <input type="checkbox" … autocomplete="off">. The
    # attribute is not allowed on checkboxes, but it is what keeps Firefox from
    # restoring them checked (an open drawer or search) on back/forward navigation;
    # removing it would trade a validator error for a visible bug.
    ("Attribute “autocomplete” is only allowed when the input type is “color”, “date”, “datetime-local”, "
     "“email”, “hidden”, “month”, “number”, “password”, “range”, “search”, “tel”, “text”, “time”, “url”, "
     "or “week”.",
     re.compile(r'<input class="md-toggle" data-md-toggle="(drawer|search)" type="checkbox" '
                r'id="__(drawer|search)" autocomplete="off">')),
]


def accepted(message: dict) -> bool:
    return any(message["message"] == text and pattern.search(message.get("extract", ""))
               for text, pattern in ACCEPTED_VNU)


def test_nu_html_checker_zero_errors(live):
    """Every page of the site (one Java start for all: ~10 s for the demo's 180
    pages), fetched over HTTP so the pages' CSP ``'self'`` has an origin."""
    assert VNU.is_file(), "node_modules/vnu-jar missing: run scripts/setup --test"
    pages = [rel for rel in live.html_files() if not rel.startswith("admin/")]
    assert set(gate_pages(live)) <= set(pages)
    # vnu refuses loopback addresses by default (its web service's guard against
    # server-side request forgery); this is the switch for that guard.
    cmd = ["java", "-Dnu.validator.servlet.allow-forbidden-hosts=true", "-jar", str(VNU),
           "--format", "json", "--stdout", *(page_url(live, rel) for rel in pages)]
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    assert result.stdout.strip(), f"vnu printed nothing (exit {result.returncode}): {result.stderr[-2000:]}"
    messages = json.loads(result.stdout)["messages"]
    errors = [m for m in messages if m["type"] in ("error", "non-document-error")]
    unaccepted = [m for m in errors if not accepted(m)]
    warnings: dict[str, list[str]] = defaultdict(list)
    for m in messages:
        if m["type"] == "info" and m.get("subType") == "warning":
            warnings[m["message"]].append(m.get("url", "").removeprefix(live.url))
    print(f"vnu: {len(pages)} pages, {len(errors)} errors ({len(errors) - len(unaccepted)} accepted), "
          f"{sum(map(len, warnings.values()))} warnings")
    for text, where in warnings.items():
        print(f"  warning ×{len(where)}: {text}  (e.g. /{where[0]})")
    assert not unaccepted, "\n".join(
        f"{m.get('url', '').removeprefix(live.url)}:{m.get('lastLine', '?')}: {m['message']}\n"
        f"    {m.get('extract', '')!r}" for m in unaccepted[:40])


# -- keyboard --------------------------------------------------------------------------

#: What the focused element shows: an outline (not transparent) or a box shadow.
FOCUS_JS = """() => {
  const el = document.activeElement;
  if (!el || el === document.body || el === document.documentElement) return null;
  const s = getComputedStyle(el);
  const outline = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0
                  && !/rgba\\(.*, 0\\)$/.test(s.outlineColor) && s.outlineColor !== 'transparent';
  const shadow = s.boxShadow !== 'none' && s.boxShadow !== '';
  const form = el.closest('form');
  return {id: el.id, tag: el.tagName.toLowerCase(), type: el.type || '', name: el.name || '',
          submit: el.matches('form.portal-form [type=submit]'), portal: !!(form && form.matches('.portal-form')),
          text: (el.innerText || el.value || el.getAttribute('aria-label') || '').trim().slice(0, 40),
          visible: outline || shadow, outline: [s.outlineStyle, s.outlineWidth, s.outlineColor].join(' '),
          shadow: s.boxShadow};
}"""


class Keyboard:
    """Moves through a page with the keyboard only; notes every focused element
    that does not show its focus."""

    def __init__(self, page) -> None:
        self.page = page
        self.unfocused: list[str] = []

    def press(self, key: str) -> dict | None:
        self.page.keyboard.press(key)
        info = self.page.evaluate(FOCUS_JS)
        if info and not info["visible"]:
            self.unfocused.append(f"{self.page.url} {info['tag']}#{info['id']}[{info['type']}] {info['text']!r}: "
                                  f"outline {info['outline']}, box-shadow {info['shadow']}")
        return info

    def tab_to(self, wanted, limit: int = 250, back: bool = False) -> dict:
        for _ in range(limit):
            info = self.press("Shift+Tab" if back else "Tab")
            if info and wanted(info):
                return info
        raise AssertionError(f"{self.page.url}: not reached with {'Shift+' if back else ''}Tab in {limit} steps")


def answer(field: dict, tag: str):
    """A valid answer: (value, index of the choice) for choices, else the text to type."""
    kind = field["type"]
    if kind in ("select", "radio"):
        return field["choices"][-1]["value"], len(field["choices"]) - 1
    if kind == "checkbox":
        return [field["choices"][0]["value"]], 0
    if kind == "rating":
        return str(int(field["max"])), int(field["max"]) - int(field["min"])
    if kind == "number":
        lo, hi = field.get("min"), field.get("max")
        value = hi if hi is not None else (lo if lo is not None else 1)
        return str(int(value)) if float(value).is_integer() else str(value), None
    if kind == "date":
        return dt.date.today().isoformat(), None
    candidates = {"email": ["resident@example.cn"], "tel": ["13800138000"]}.get(
        kind, [f"键盘填写{tag}", tag, "3号楼", "13800138000", "resident@example.cn", "A1"])
    pattern = field.get("pattern")
    for value in candidates:
        value = value[:field["max_length"]]
        if not pattern or re.fullmatch(pattern.lstrip("^").rstrip("$"), value):
            return value, None
    raise AssertionError(f"no test answer fits the pattern of {field['name']}: {pattern}")


def fill_by_keyboard(kb: Keyboard, form_id: str, spec: dict, tag: str) -> None:
    """Tab to each field in turn and answer it with keys: typing, arrow keys in
    a select and a radio group, Space on a checkbox."""
    page = kb.page
    for field in spec["fields"]:
        fid = f"f-{form_id}-{field['name']}"
        kb.tab_to(lambda info, fid=fid: info["id"] == fid)
        value, index = answer(field, tag)
        kind = field["type"]
        if kind == "select":
            for _ in range(index + 1):  # option 0 is "please choose"
                kb.press("ArrowDown")
            assert page.locator(f"#{fid}").input_value() == value, f"{fid}: arrow keys did not choose"
        elif kind in ("radio", "rating"):
            for _ in range(index):
                kb.press("ArrowDown")
            if index == 0:
                kb.press("Space")
            checked = page.locator(f"form.portal-form input[name='{field['name']}']:checked")
            assert checked.get_attribute("value") == value, f"{fid}: arrow keys did not choose"
        elif kind == "checkbox":
            kb.press("Space")
            assert page.locator(f"#{fid}").is_checked()
        elif kind == "date":
            day = dt.date.fromisoformat(value)
            page.keyboard.type(f"{day.year:04d}{day.month:02d}{day.day:02d}")  # zh-CN order: year, month, day
            assert page.locator(f"#{fid}").input_value() == value, f"{fid}: typed date not taken"
        else:
            page.keyboard.type(value)
            assert page.locator(f"#{fid}").input_value() == value
    # to the send button, one step back (Shift+Tab) and forward again
    kb.tab_to(lambda info: info["submit"] and info["portal"])
    back = kb.press("Shift+Tab")
    last = f"f-{form_id}-{spec['fields'][-1]['name']}"
    assert back and (back["id"] == last or back["id"].startswith(last + "-")), f"Shift+Tab went to {back}"
    kb.tab_to(lambda info: info["submit"] and info["portal"], limit=10)


def open_forms(site: BuiltSite) -> dict[str, dict]:
    spec = json.loads((site.out / "forms/spec.json").read_text(encoding="utf-8"))
    return spec["forms"]


def test_every_form_by_keyboard_alone_with_focus_visible(live, browser, subtests):
    """Every open form (in Chinese, and the first also in English) filled and
    sent to the endpoint with keys only; then the receipt looked up on the
    receipt page. Every element focused on the way, from the top of the page,
    shows its focus."""
    if not (live.out / "forms/spec.json").is_file():
        pytest.skip("no forms in this site")
    ctx = browser.new_context(**DESKTOP, locale="zh-CN")
    ctx.set_default_timeout(WAIT_MS)
    unfocused: list[str] = []
    receipts: list[str] = []
    sent = 0
    try:
        forms = open_forms(live)
        targets = [(form_id, "zh") for form_id in forms]
        targets.append((next(iter(forms)), "en"))
        for form_id, lang in targets:
            with subtests.test(form=form_id, lang=lang):
                page = ctx.new_page()
                try:
                    page.goto(live.page_url(f"{'en/' if lang == 'en' else ''}forms/{form_id}/index.html"))
                    if page.locator("form.portal-form").count() == 0:
                        continue  # closed (not open yet, or past its closing date): nothing to send
                    page.wait_for_function("() => (document.querySelector("
                                           "'form.portal-form input[name=_token]').value || '').startsWith('t.')")
                    token_seen = time.monotonic()
                    alerts: list[str] = []
                    page.on("dialog", lambda d, alerts=alerts: (alerts.append(d.message), d.dismiss()))
                    kb = Keyboard(page)
                    fill_by_keyboard(kb, form_id, forms[form_id], f"kb{len(targets)}{form_id[:3]}")
                    # the endpoint refuses a fresh token used sooner than a person fills a form
                    time.sleep(max(0.0, token_seen + MIN_SECONDS + 0.5 - time.monotonic()))
                    kb.press("Enter")
                    shown = page.locator(".form-result .receipt, .portal-form .error")
                    shown.first.wait_for(state="visible")
                    assert not alerts, alerts
                    assert page.locator(".portal-form .error").count() == 0, page.locator("form").inner_text()
                    shown = page.locator(".form-result .receipt")
                    receipt = shown.inner_text().strip()
                    assert RECEIPT.match(receipt), receipt
                    receipts.append(receipt)
                    sent += 1
                    unfocused += kb.unfocused
                finally:
                    page.close()
        with subtests.test(form="receipt lookup"):
            assert receipts, "no form was sent"
            page = ctx.new_page()
            try:
                page.goto(live.page_url("receipt/index.html"))
                kb = Keyboard(page)
                kb.tab_to(lambda info: info["id"] == "receipt-input")
                page.keyboard.type(receipts[0].replace("-", "").lower())  # as a resident may type it
                with page.expect_navigation(url=re.compile(r"/receipts/")):
                    page.keyboard.press("Enter")  # not kb.press: the page is going away
                assert receipts[0] in page.locator("main, body").first.inner_text()
                unfocused += kb.unfocused
            finally:
                page.close()
    finally:
        ctx.close()
    print(f"keyboard: {sent} forms sent, receipt looked up; {len(unfocused)} focused elements without a visible focus")
    assert not unfocused, "focus not visible on:\n" + "\n".join(dict.fromkeys(unfocused))


def test_focus_visible_on_every_focusable_element(live, browser, subtests):
    """Tab through each gate page from top to bottom: everything that takes
    focus shows it."""
    ctx = browser.new_context(**DESKTOP, locale="zh-CN")
    steps = 0
    try:
        for rel in gate_pages(live):
            with subtests.test(page=rel):
                page = ctx.new_page()
                try:
                    page.goto(page_url(live, rel))
                    kb, seen = Keyboard(page), set()
                    for _ in range(400):
                        info = kb.press("Tab")
                        steps += 1
                        key = json.dumps(info, sort_keys=True) if info else None
                        if info is None or key in seen:  # back at the top: every element visited
                            break
                        seen.add(key)
                    assert not kb.unfocused, "focus not visible on:\n" + "\n".join(dict.fromkeys(kb.unfocused))
                finally:
                    page.close()
    finally:
        ctx.close()
    print(f"focus: {len(gate_pages(live))} pages, {steps} Tab presses")


# -- without JavaScript -------------------------------------------------------------------

def squeeze(text: str) -> str:
    return re.sub(r"[\s\u200b]+", "", text)


def content_texts(site: BuiltSite, rel: str) -> list[str]:
    """Texts of the page's headings, paragraphs, facts, list items and table
    cells in the HTML, except what is meant to be hidden on screen."""
    art = site.soup(rel).select_one("article")
    found = []
    for el in art.find_all(["h1", "h2", "h3", "h4", "p", "dt", "dd", "td", "th", "li"]):
        if el.find_parent(class_="print-only") or el.find_parent("svg") or el.find_parent(attrs={"hidden": True}) \
                or el.find_parent("details") or el.has_attr("hidden"):
            continue
        text = squeeze(text_of(el)).rstrip("¶")
        if text and text not in found:
            found.append(text)
    return found


def test_every_page_type_shows_its_content_without_javascript(live, browser, subtests):
    ctx = browser.new_context(**PHONE, java_script_enabled=False, locale="zh-CN")
    try:
        for rel in gate_pages(live):
            with subtests.test(page=rel):
                page = ctx.new_page()
                try:
                    response = page.goto(page_url(live, rel))
                    assert response and response.status == 200
                    assert page.locator("article h1").first.is_visible()
                    shown = squeeze(page.locator("article").first.inner_text())
                    missing = [t for t in content_texts(live, rel) if t not in shown]
                    assert missing == [], "in the HTML, not shown without JavaScript"
                finally:
                    page.close()
    finally:
        ctx.close()


def test_form_sent_by_keyboard_without_javascript(live, browser):
    """The first open form, keys only, JavaScript off: the plain HTML form
    posts to the endpoint and the resident lands on the receipt page (through
    the "please check" page, if the endpoint asks for it)."""
    if not (live.out / "forms/spec.json").is_file():
        pytest.skip("no forms in this site")
    forms = open_forms(live)
    ctx = browser.new_context(**PHONE, java_script_enabled=False, locale="zh-CN")
    ctx.set_default_timeout(WAIT_MS)
    try:
        page = ctx.new_page()
        for form_id in forms:
            page.goto(live.page_url(f"forms/{form_id}/index.html"))
            if page.locator("form.portal-form").count():
                break
        else:
            pytest.skip("no open form")
        kb = Keyboard(page)
        fill_by_keyboard(kb, form_id, forms[form_id], "nojs")
        for _ in range(2):
            with page.expect_navigation():
                page.keyboard.press("Enter")  # not kb.press: the page is going away
            if "/receipts/" in page.url:
                break
            # the "please check" page: what was typed is kept; send it again
            time.sleep(MIN_SECONDS + 0.5)  # its token is fresh: a person reads the page first
            kb.tab_to(lambda info: info["submit"] and info["portal"])
        assert "/receipts/" in page.url, page.url
        receipt = page.locator("p.receipt").inner_text().strip()
        assert RECEIPT.match(receipt), receipt
        assert not kb.unfocused, "\n".join(kb.unfocused)
    finally:
        ctx.close()


# -- print -------------------------------------------------------------------------------

#: What a printed page must not show: the site's header and tabs, the navigation
#: and table of contents, the footer, search, "back to top", permalinks.
CHROME_JS = """() => {
  const sel = ['.md-header', '.md-tabs', '.md-sidebar', 'nav', 'header', 'footer', '.md-footer',
               '.md-search', '[role=search]', '.md-top', '.md-skip', '.headerlink', '.md-content__button'];
  const shown = [];
  for (const s of sel) for (const el of document.querySelectorAll(s)) {
    const r = el.getBoundingClientRect(), st = getComputedStyle(el);
    if (r.width > 0 && r.height > 0 && st.visibility !== 'hidden' && st.display !== 'none' && st.opacity !== '0')
      shown.push(s + (el.id ? '#' + el.id : '') + ' ' + Math.round(r.width) + 'x' + Math.round(r.height));
  }
  // cut off: a scroll box whose content is wider than it (print has no scrolling), or
  // anything past the paper's edge (material's table wrap hangs 0.8rem into each side
  // margin by design: its table is what must fit)
  const w = window.innerWidth, cut = [];
  for (const el of document.querySelectorAll('article *')) {
    if (el.matches('.md-typeset__scrollwrap, .md-typeset__table') || el.closest('.print-only svg')) continue;
    const r = el.getBoundingClientRect(), o = getComputedStyle(el).overflowX;
    if ((o !== 'visible' && el.scrollWidth > el.clientWidth + 1) || r.right > w + 1)
      cut.push(el.tagName.toLowerCase() + '.' + el.className + ' right=' + Math.round(r.right) + ' scrollWidth=' + el.scrollWidth);
  }
  return {shown, cut: cut.slice(0, 8)};
}"""


def test_print_output_of_a_notice_a_meeting_and_a_budget_year(live, browser, subtests):
    # A4 at 96 dpi less portal.css's 15 mm side margins: the printed text column
    ctx = browser.new_context(viewport={"width": 680, "height": 1000}, locale="zh-CN")
    try:
        for kind in ("notices/*", "meetings/*", "budgets/*"):
            for lang in ("zh", "en"):
                rel = live.pages_of(kind, lang)[0]
                with subtests.test(page=rel):
                    page = ctx.new_page()
                    try:
                        page.goto(live.page_url(rel))
                        page.emulate_media(media="print")
                        found = page.evaluate(CHROME_JS)
                        assert found["shown"] == [], "site chrome in print"
                        assert found["cut"] == [], "content wider than the paper"
                        assert page.locator("article h1").first.is_visible()
                        shown = squeeze(page.locator("article").first.inner_text())
                        missing = [t for t in content_texts(live, rel) if t not in shown]
                        assert missing == [], "content not printed"
                        sizes = pdf_pages(page.pdf(format="A4", print_background=True))
                        assert sizes and all(abs(w - 595) <= 1 and abs(h - 842) <= 1 for w, h in sizes), sizes
                        print(f"print: {rel}: {len(sizes)} A4 page(s)")
                    finally:
                        page.close()
    finally:
        ctx.close()
