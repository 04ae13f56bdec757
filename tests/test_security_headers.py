"""Security headers: the built sample site served by a real nginx with the
configuration `portal headers --host nginx` wrote, loaded in Chromium.

- every header is sent (pages, assets, errors), with the measured policy;
- every page type loads with no CSP violation (a ``securitypolicyviolation``
  listener added before any page script, and console "Refused to …" lines),
  including a form submitted with JavaScript and without, the receipt lookup,
  search with a query and the English site; nothing is requested from a third host;
- the policy does block: an injected inline script and an unhashed style
  attribute are refused, by the header's policy and, served with no headers
  at all (GitHub Pages, OSS), by the ``<meta>`` policy in the page;
- ``_headers`` (Netlify, Cloudflare Pages) gives every page exactly one policy;
  the shipped deploy/nginx example serves site and endpoint over HTTPS; the Caddy
  snippet runs in a real Caddy when one is installed; the fast page scan agrees
  with html.parser; the deploy guides name only files and options that exist;
- /admin/ is loaded under its own policy when the editor is part of the build.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from fnmatch import fnmatchcase
from html.parser import HTMLParser
from pathlib import Path

import pytest
from site_fixtures import (  # noqa: E402
    NGINX,
    NGINX_CONF,
    NGINX_USER,
    PROJECTS,
    REPO,
    SECRET,
    TODAY,
    BuiltSite,
    Endpoint,
    SiteServer,
    free_port,
    stop_nginx,
    wait_for_port,
)

from generator.kinds.common import Today  # noqa: E402
from generator.site.header_formats import STABLE_CSP  # noqa: E402
from generator.site.page_scan import JS_TYPES, PageScan, origin, scan  # noqa: E402
from generator.site.security_headers import CACHE_IMMUTABLE, HeaderSet, header_set, site_pages  # noqa: E402

WAIT_MS = 20_000
HEADER_NAMES = ("Content-Security-Policy", "Strict-Transport-Security", "Referrer-Policy", "X-Content-Type-Options",
                "X-Frame-Options", "Permissions-Policy", "Cross-Origin-Opener-Policy")

#: Runs before any script of every page: records each CSP violation the page reports.
LISTEN = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', e => window.__csp.push({
  directive: e.effectiveDirective, blocked: e.blockedURI, sample: e.sample, doc: e.documentURI,
  header: e.originalPolicy.includes('frame-ancestors'), source: e.sourceFile, line: e.lineNumber}));
"""



@dataclass
class Deployment:
    site: BuiltSite
    headers: HeaderSet
    prefix: Path
    endpoint_url: str
    admin_csp: str | None = None

    @property
    def url(self) -> str:
        return self.site.url


def _admin_csp(headers: HeaderSet) -> str | None:
    """The editor's policy as sent (its ADMIN_CSP plus frame-ancestors), if it has one."""
    try:
        from generator.site.admin import ADMIN_CSP
    except ImportError:
        return None
    assert str(ADMIN_CSP).split(";")[0] in headers.admin["Content-Security-Policy"]
    return headers.admin["Content-Security-Policy"] if ADMIN_CSP else None


@pytest.fixture(scope="module")
def deployed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Deployment]:
    """The sample built for an nginx address, that nginx running with the
    generated snippet, and the form endpoint (on another origin) running."""
    from generator.build import build

    assert Path(NGINX).is_file(), "nginx is missing: run scripts/setup --test (Debian package nginx)"
    base = tmp_path_factory.mktemp("headers")
    root = base / "minimal"
    shutil.copytree(PROJECTS / "minimal", root, ignore=shutil.ignore_patterns(".portal-build", "site", ".portal-*"))
    port, endpoint_port = free_port(), free_port()
    url, endpoint_url = f"http://127.0.0.1:{port}/", f"http://127.0.0.1:{endpoint_port}"
    saved_today, Today.value = Today.value, TODAY
    saved_env = {k: os.environ.get(k) for k in ("PORTAL_SECRET", "PORTAL_MIN_SECONDS")}
    os.environ["PORTAL_SECRET"] = SECRET
    try:
        result = build(root, base / "site", site_url=url, endpoint_url=endpoint_url)
    finally:
        Today.value = saved_today
    site = BuiltSite("headers", root, base / "site", url, result, endpoint_port)

    prefix = base / "nginx"
    (prefix / "tmp").mkdir(parents=True)
    snippet = prefix / "community-portal-headers.conf"
    cli = subprocess.run([sys.executable, "-m", "generator", "headers", "--site", str(site.out), "--host", "nginx",
                          "--out", str(snippet)], cwd=REPO, capture_output=True, text=True)
    assert cli.returncode == 0, cli.stderr
    (prefix / "nginx.conf").write_text(NGINX_CONF.format(user=NGINX_USER, prefix=prefix, port=port, site=site.out))
    conf = ["-p", str(prefix), "-c", str(prefix / "nginx.conf")]
    checked = subprocess.run([NGINX, *conf, "-t"], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr
    headers = header_set(site.out)
    dep = Deployment(site, headers, prefix, endpoint_url, _admin_csp(headers))
    nginx = subprocess.Popen([NGINX, *conf], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    endpoint = None
    try:
        wait_for_port(port, nginx, prefix / "error.log")
        os.environ["PORTAL_MIN_SECONDS"] = "0.5"  # the endpoint's "too fast" limit; a test types quickly
        endpoint = Endpoint(site)
        yield dep
    finally:
        if endpoint:
            endpoint.close()
        stop_nginx(nginx)
        for k, v in saved_env.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v



class Watched:
    """A browser page that records CSP violations, "Refused to" console lines
    and every host it requests."""

    def __init__(self, browser, js: bool = True) -> None:  # type: ignore[no-untyped-def]
        self.context = browser.new_context(java_script_enabled=js, locale="zh-CN")
        self.context.set_default_timeout(WAIT_MS)
        self.context.add_init_script(LISTEN)
        self.page = self.context.new_page()
        self.console: list[str] = []
        self.hosts: set[str] = set()
        self.errors: list[str] = []
        self.allowed: set[str] = set()  #: hosts besides the page's own it may request (the endpoint)
        self.page.on("console", lambda m: self.console.append(m.text))
        self.page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        self.page.on("request", lambda r: self.hosts.add(r.url.split("/")[2] if "://" in r.url else r.url[:5]))

    def goto(self, url: str):  # type: ignore[no-untyped-def]
        response = self.page.goto(url, wait_until="load")
        self.page.wait_for_load_state("networkidle")
        return response

    def violations(self) -> list[dict[str, object]]:
        return self.page.evaluate("() => window.__csp || []")

    def refused(self) -> list[str]:
        return [t for t in self.console if "Refused to" in t or "Content Security Policy" in t
                or "Permissions-Policy" in t]

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def watched(browser) -> Iterator[Watched]:  # type: ignore[no-untyped-def]
    w = Watched(browser)
    yield w
    w.close()


def get(url: str) -> tuple[int, dict[str, str]]:
    try:
        with urllib.request.urlopen(url, timeout=10) as r:
            return r.status, dict(r.headers)
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers)


def pages_to_visit(site: BuiltSite) -> list[str]:
    """One page of every type: home, lists and items, budgets with charts, forms,
    the receipt lookup, requests, and the English home and a notice."""
    chosen = ["index.html"]
    for kind in ("notices/", "notices/*", "meetings/", "meetings/*", "decisions/", "rules/", "rules/*", "budgets/",
                 "budgets/*", "services/", "services/*", "organisation/", "data/", "forms/", "forms/*", "requests/",
                 "receipt/"):
        found = site.pages_of(kind)
        assert found, f"the sample has no page of type {kind}"
        chosen.append(found[0])
    chosen += ["en/index.html", site.pages_of("notices/*", "en")[0], "404.html"]
    return chosen


# -- headers ------------------------------------------------------------------------------

def test_every_header_is_sent_with_the_measured_policy(deployed: Deployment) -> None:
    policy = deployed.headers.site["Content-Security-Policy"]
    bundle = next(p for p in deployed.headers.needs.fingerprinted if p.endswith(".js"))
    for path in ("", "notices/", "en/", "assets/portal.css", bundle, "no-such-page/"):
        status, headers = get(deployed.url + path)
        assert status == (404 if path == "no-such-page/" else 200), path
        for name in HEADER_NAMES:
            assert headers.get(name), f"{name} missing on /{path}"
        assert headers["Content-Security-Policy"] == policy, path
        assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert "camera=()" in headers["Permissions-Policy"] and "geolocation=()" in headers["Permissions-Policy"]
    assert get(deployed.url + bundle)[1]["Cache-Control"] == CACHE_IMMUTABLE
    assert get(deployed.url + "assets/portal.css")[1]["Cache-Control"] == "public, max-age=3600"
    assert get(deployed.url)[1]["Cache-Control"] == "no-cache"
    assert get(deployed.url + "_headers")[0] == 404  # host configuration, not for visitors


def test_the_measured_policy(deployed: Deployment) -> None:
    """What the sample needs, in figures: a handful of hashed scripts (material's
    inline scripts, one ``__md_scope`` per page depth), the three table alignments
    Markdown writes as style attributes, data: images (material's icons), the
    endpoint's origin; never an event handler (no ``script-src-attr``)."""
    needs, policy = deployed.headers.needs, deployed.headers.site["Content-Security-Policy"]
    directives = {d.split()[0]: d.split()[1:] for d in policy.split("; ")}
    assert directives["default-src"] == ["'none'"]
    assert "'unsafe-inline'" not in policy and "'unsafe-eval'" not in policy
    assert 3 <= len(needs.script_hashes) <= 12, needs.script_hashes
    # Pagefind's WebAssembly (the search page) needs 'wasm-unsafe-eval', not 'unsafe-eval'
    assert needs.wasm, "no Pagefind index in the sample site"
    assert directives["script-src"] == ["'self'", "'wasm-unsafe-eval'", *sorted(needs.script_hashes)]
    from generator.sanitize import ALIGN_STYLES
    from generator.site.security_headers import csp_hash

    assert directives["style-src-attr"] == ["'unsafe-hashes'", *sorted(csp_hash(s) for s in ALIGN_STYLES)]
    assert "script-src-attr" not in directives
    assert directives["connect-src"] == ["'self'", deployed.endpoint_url]
    assert directives["form-action"] == ["'self'", deployed.endpoint_url]
    assert directives["img-src"] == ["'self'", "data:"]
    assert directives["frame-ancestors"] == ["'none'"] and directives["object-src"] == ["'none'"]
    assert directives["base-uri"] == ["'self'"]
    assert not re.search(r"https?://(?!127\.0\.0\.1)", policy), "a third-party host in the policy"
    # the same policy, less frame-ancestors, is in every page for hosts without headers
    meta = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]*)">',
                     deployed.site.text("index.html"))
    assert meta and meta.group(1) == policy.removesuffix("; frame-ancestors 'none'")


# -- pages in the browser ---------------------------------------------------------------------

def assert_clean(w: Watched, where: str, origin: str) -> None:
    bad = [v for v in w.violations() if str(v["doc"]).startswith(origin)]
    assert not bad, f"CSP violations on {where}: {json.dumps(bad, ensure_ascii=False, indent=1)}"
    assert not w.refused(), f"console on {where}: {w.refused()}"
    assert not w.errors, f"script errors on {where}: {w.errors}"
    assert w.hosts <= {origin.split("/")[2]} | w.allowed, f"requested from another host: {w.hosts}"


def test_every_page_type_loads_without_a_violation(deployed: Deployment, watched: Watched) -> None:
    site, origin = deployed.site, deployed.url.rstrip("/")
    watched.allowed = {deployed.endpoint_url.split("/")[2]}
    pages = pages_to_visit(site)
    for rel in pages:
        response = watched.goto(site.page_url(rel) if rel != "404.html" else deployed.url + "no-such-page/")
        assert response.headers.get("content-security-policy") == deployed.headers.site["Content-Security-Policy"]
        assert_clean(watched, rel, origin)
    # the pages did run their scripts, and the budget charts are there
    watched.goto(site.page_url(site.pages_of("budgets/*")[0]))
    assert watched.page.locator("svg.chart").count() > 0
    assert watched.page.evaluate("() => typeof window.__md_scope") == "object"
    assert len(pages) >= 20


def test_search_with_a_query(deployed: Deployment, watched: Watched) -> None:
    """Pagefind on the search page: its worker and WebAssembly run under the policy."""
    watched.goto(deployed.url)
    watched.page.locator("a.portal-search-link").click()
    watched.page.locator("#search-q").fill("门禁")
    watched.page.keyboard.press("Enter")
    watched.page.wait_for_function("() => document.querySelectorAll('.search-results a').length > 0")
    assert_clean(watched, "search", deployed.url.rstrip("/"))


RECEIPT = re.compile(r"^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{2}$")


def test_form_submission_with_javascript_and_the_receipt_lookup(deployed: Deployment, watched: Watched) -> None:
    """forms.js fetches a token from the endpoint (connect-src) and posts with
    fetch; the lookup then sends the unpublished receipt to the endpoint (form-action)."""
    site, origin = deployed.site, deployed.url.rstrip("/")
    watched.allowed = {deployed.endpoint_url.split("/")[2]}
    page = watched.page
    watched.goto(site.page_url(site.pages_of("forms/*")[0]))
    page.wait_for_function(
        "() => (document.querySelector('form.portal-form input[name=_token]').value || '').startsWith('t.')")
    time.sleep(0.8)
    page.select_option("#f-suggestion-topic", "environment")
    page.fill("#f-suggestion-text", "路灯坏了 CSP test")
    page.fill("#f-suggestion-phone", "13800138000")
    page.click("form.portal-form button[type=submit]")
    shown = page.locator(".form-result .receipt")
    shown.wait_for(state="visible")
    receipt = shown.inner_text().strip()
    assert RECEIPT.match(receipt), receipt
    assert_clean(watched, "form with JavaScript", origin)

    watched.goto(site.page_url("receipt/index.html"))
    page.fill("form.receipt-lookup input[name=r]", receipt)
    with page.expect_navigation(url=re.compile("^" + re.escape(deployed.endpoint_url))):
        page.click("form.receipt-lookup button[type=submit]")
    assert receipt in page.content()
    assert not watched.refused(), watched.refused()  # kept across the navigation, unlike window.__csp


def test_form_submission_without_javascript(deployed: Deployment, browser) -> None:  # type: ignore[no-untyped-def]
    """A plain POST to the endpoint's origin: allowed by form-action, and the
    referrer policy still lets the browser send the site's Origin, which the
    endpoint's allow-list checks."""
    w = Watched(browser, js=False)
    try:
        w.goto(deployed.site.page_url(deployed.site.pages_of("forms/*")[0]))
        w.page.select_option("#f-suggestion-topic", "other")
        w.page.fill("#f-suggestion-text", "没有 JavaScript 也能提交")
        with w.page.expect_navigation():
            w.page.click("form.portal-form button[type=submit]")
        assert w.page.url.startswith(deployed.endpoint_url + "/receipts/"), (w.page.url, w.page.content()[:2000])
        assert not w.refused(), w.refused()
    finally:
        w.close()


# -- the policy can fail ----------------------------------------------------------------------

INJECT = """() => {
  const s = document.createElement('script');
  s.textContent = 'window.__injected = 1';
  document.head.appendChild(s);
  const p = document.createElement('p');
  p.setAttribute('style', 'color: red');
  document.body.appendChild(p);
  return new Promise(r => setTimeout(() => r(window.__injected === 1), 200));
}"""


def _refused_injection(w: Watched, url: str) -> list[dict[str, object]]:
    w.goto(url)
    assert not w.violations(), w.violations()
    ran = w.page.evaluate(INJECT)
    assert ran is False, "an inline script without a hash ran"
    return w.violations()


def test_policy_refuses_an_injected_inline_script(deployed: Deployment, watched: Watched) -> None:
    seen = _refused_injection(watched, deployed.url)
    directives = {(v["directive"], v["blocked"], v["header"]) for v in seen}
    assert ("script-src-elem", "inline", True) in directives, seen  # by the header
    assert ("style-src-attr", "inline", True) in directives, seen


def test_meta_policy_alone_refuses_it_too(deployed: Deployment, watched: Watched) -> None:
    """Served with no headers at all (GitHub Pages, OSS/COS): the page's own <meta> policy."""
    server = SiteServer(deployed.site.out)
    try:
        status, headers = get(server.url)
        assert status == 200 and "Content-Security-Policy" not in headers
        seen = _refused_injection(watched, server.url)
        assert ("script-src-elem", "inline", False) in {(v["directive"], v["blocked"], v["header"]) for v in seen}
        watched.goto(server.url + "budgets/")
        assert not watched.violations(), watched.violations()
    finally:
        server.close()


# -- the page scan ----------------------------------------------------------------------------

class _Reference(HTMLParser):
    """What html.parser (a real HTML tokenizer) finds: the fast scan must agree."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found = PageScan()
        self._open: str | None = None
        self._buf: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values: dict[str, str] = {}
        for k, v in attrs:
            values.setdefault(k, v or "")
        if "style" in values:
            self.found.style_attrs.add(values["style"])
        self.found.handlers.update(v for k, v in values.items() if k.startswith("on"))
        for o in (origin(values.get("action", "")) if tag == "form" else None, origin(values.get("data-endpoint", ""))):
            if o:
                self.found.origins.add(o)
        if "id" in values:
            self.found.ids.append((tag, values["id"]))
        if tag == "meta" and "http-equiv" in values:
            self.found.metas.add((values["http-equiv"].strip().lower(), values.get("content", "")))
        if tag == "base":
            self.found.bases.append(values.get("href", ""))
        if tag == "style" or (tag == "script" and "src" not in values
                              and values.get("type", "").strip().lower() in JS_TYPES):
            self._open, self._buf = tag, []

    def handle_data(self, data: str) -> None:
        if self._open:
            self._buf.append(data)

    def handle_endtag(self, tag: str) -> None:
        if self._open == tag:
            (self.found.scripts if tag == "script" else self.found.style_elements).append("".join(self._buf))
            self._open = None


def _reference(html: str) -> PageScan:
    parser = _Reference()
    parser.feed(html)
    parser.close()
    return parser.found


TRICKY = [
    '<!-- <script>hidden()</script> --><script>shown()</script>',
    '<a title="a > b" style="color: red">x</a><p data-x=\'1>2\' STYLE=\'margin: 0\'>y</p>',
    '<SCRIPT TYPE="Module">m()</SCRIPT><script type="application/ld+json">{"a": "<b>"}</script>',
    # in a table: the scan builds the tree as a browser does, where a stray <td> is dropped
    # (html.parser only tokenizes, so it would still report that cell's style)
    '<script>var s = "<div style=\\"no\\">";</script><table><tr><td style="text-align: right;">1</td></tr></table>',
    '<div style="content: &quot;x&quot;" onclick="go()">z</div><style>p { color: red }</style>',
    '<form action="http://127.0.0.1:9/x" method=post><input data-endpoint=https://e.example:8443/>',
    '<script src="a.js"></script><script defer>later()</script><p style=width:1px>u</p>',
    '<p><img/src="x"/onerror=go()><IMG SRC=x ONERROR=&#x67;o()></p><div id=__config>d</div>',
    '<META HTTP-EQUIV=Refresh CONTENT="0;url=https://evil.example/"><base href=https://evil.example/><p id="a">',
]


def test_fast_scan_agrees_with_an_html_parser(deployed: Deployment) -> None:
    pages = [p.read_text(encoding="utf-8") for p in site_pages(deployed.site.out)]
    assert len(pages) >= 30
    for html in TRICKY + pages:
        assert scan(html) == _reference(html), html[:200]
    assert scan(TRICKY[0]).scripts == ["shown()"]  # the comparison is not vacuous
    assert scan(TRICKY[1]).style_attrs == {"color: red", "margin: 0"}
    assert scan(TRICKY[7]).handlers == {"go()"} and scan(TRICKY[7]).ids == [("div", "__config")]
    assert scan(TRICKY[8]).metas == {("refresh", "0;url=https://evil.example/")} and scan(TRICKY[8]).bases


# -- other hosts ------------------------------------------------------------------------------

def _netlify_rules(text: str) -> list[tuple[str, dict[str, str]]]:
    rules: list[tuple[str, dict[str, str]]] = []
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        if not line.startswith(" "):
            rules.append((line.strip(), {}))
        else:
            name, _, value = line.strip().partition(": ")
            assert name not in rules[-1][1], f"{name} twice under {rules[-1][0]}"
            rules[-1][1][name] = value
    return rules


def test_headers_file_gives_every_page_one_policy(deployed: Deployment) -> None:
    """Cloudflare Pages joins the values of every matching rule; so no page may
    match two rules that set Content-Security-Policy."""
    rules = _netlify_rules((deployed.site.out / "_headers").read_text(encoding="utf-8"))
    site, admin = deployed.headers.site["Content-Security-Policy"], deployed.headers.admin["Content-Security-Policy"]
    for rel in deployed.site.html_files() + ["assets/portal.css", "requests.json"]:
        path = "/" + rel.removesuffix("index.html")
        values = [h["Content-Security-Policy"] for pattern, h in rules
                  if "Content-Security-Policy" in h and fnmatchcase(path, pattern)]
        assert values == [admin if path.startswith("/admin/") else site], (path, len(values))
    immutable = {p for p, h in rules if h.get("Cache-Control") == CACHE_IMMUTABLE}
    assert immutable == {"/" + p for p in deployed.headers.needs.fingerprinted}


def test_headers_command_for_every_host(deployed: Deployment) -> None:
    from click.testing import CliRunner

    from generator.cli import main

    policy = deployed.headers.site["Content-Security-Policy"]
    for host in ("nginx", "caddy", "apache", "netlify", "cloudflare", "vercel", "cdn"):
        out = CliRunner().invoke(main, ["headers", "--site", str(deployed.site.out), "--host", host])
        assert out.exit_code == 0, out.output
        # a CDN console is set once: only the part of the policy that never changes
        assert (STABLE_CSP if host == "cdn" else policy) in out.output, host
        assert "Strict-Transport-Security" in out.output and "Referrer-Policy" in out.output, host
    vercel = json.loads(CliRunner().invoke(main, ["headers", "--site", str(deployed.site.out),
                                                  "--host", "vercel"]).output)
    site_rule = vercel["headers"][0]
    assert re.fullmatch(site_rule["source"], "/notices/") and not re.fullmatch(site_rule["source"], "/admin/")
    missing = CliRunner().invoke(main, ["headers", "--site", str(deployed.prefix / "nothing"), "--host", "nginx"])
    assert missing.exit_code == 2 and "portal build" in missing.output


# -- the shipped nginx example ------------------------------------------------------------------

def test_example_nginx_conf_serves_site_and_endpoint_over_https(deployed: Deployment) -> None:
    """deploy/nginx/community-portal.conf, with a self-signed certificate and
    test ports: http redirects, the site gets the generated headers (HSTS on
    HTTPS), the endpoint's host is proxied to the running endpoint."""
    import ssl

    prefix = deployed.prefix / "example"
    (prefix / "tmp").mkdir(parents=True)
    key, cert = prefix / "key.pem", prefix / "cert.pem"
    made = subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj",
                           "/CN=community.example.org", "-keyout", str(key), "-out", str(cert)], capture_output=True)
    assert made.returncode == 0, made.stderr
    http_port, https_port = free_port(), free_port()
    conf = (REPO / "deploy/nginx/community-portal.conf").read_text(encoding="utf-8")
    for old, new in (("listen 80;", f"listen 127.0.0.1:{http_port};"), ("listen 443 ssl", f"listen 127.0.0.1:{https_port} ssl"),
                     ("/etc/letsencrypt/live/community.example.org/fullchain.pem", str(cert)),
                     ("/etc/letsencrypt/live/community.example.org/privkey.pem", str(key)),
                     ("/var/www/community/site", str(deployed.site.out)),
                     ("/etc/nginx/snippets/community-portal-headers.conf",
                      str(deployed.prefix / "community-portal-headers.conf")),
                     ("http://127.0.0.1:8001", deployed.endpoint_url)):
        assert old in conf, old
        conf = conf.replace(old, new)
    conf = "\n".join(line for line in conf.splitlines() if "listen [::]" not in line)  # no IPv6 in the sandbox
    (prefix / "site.conf").write_text(conf, encoding="utf-8")
    main = NGINX_CONF.format(user="user root;\n" if os.geteuid() == 0 else "", prefix=prefix, port=free_port(),
                             site=deployed.site.out)
    main = main.replace(f"include {prefix}/community-portal-headers.conf;", "").replace(
        "    server {", f"    include {prefix}/site.conf;\n    server {{", 1)
    (prefix / "nginx.conf").write_text(main, encoding="utf-8")
    args = [NGINX, "-p", str(prefix), "-c", str(prefix / "nginx.conf")]
    checked = subprocess.run([*args, "-t"], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for_port(https_port, proc, prefix / "error.log")
        unverified = ssl._create_unverified_context()  # the self-signed test certificate

        def fetch(port: int, host: str, path: str, tls: bool = True) -> tuple[int, dict[str, str], bytes]:
            import http.client

            conn = (http.client.HTTPSConnection("127.0.0.1", port, context=unverified, timeout=10) if tls
                    else http.client.HTTPConnection("127.0.0.1", port, timeout=10))
            conn.request("GET", path, headers={"Host": host})
            r = conn.getresponse()
            body = r.read()
            conn.close()
            return r.status, dict(r.getheaders()), body

        status, headers, _ = fetch(http_port, "community.example.org", "/notices/", tls=False)
        assert status == 301 and headers["Location"] == "https://community.example.org/notices/"
        status, headers, body = fetch(https_port, "community.example.org", "/")
        assert status == 200 and b"<html" in body
        assert headers["Content-Security-Policy"] == deployed.headers.site["Content-Security-Policy"]
        assert headers["Strict-Transport-Security"] == "max-age=31536000"
        status, headers, body = fetch(https_port, "form.example.org", "/forms/suggestion/token")
        assert status == 200, body[:300]
        assert json.loads(body)["token"].startswith("t.")
        assert headers["Strict-Transport-Security"] == "max-age=31536000"
    finally:
        proc.send_signal(signal.SIGQUIT)
        proc.wait(10)


def test_caddy_snippet_serves_the_same_headers(deployed: Deployment) -> None:
    """`portal headers --host caddy` imported into a real Caddy: same policy,
    /admin/ its own, the year-long cache only on fingerprinted bundles."""
    base = deployed.prefix / "caddy"
    base.mkdir()
    from click.testing import CliRunner

    from generator.cli import main

    snippet = base / "portal.caddy"
    assert CliRunner().invoke(main, ["headers", "--site", str(deployed.site.out), "--host", "caddy",
                                     "--out", str(snippet)]).exit_code == 0
    port = free_port()
    (base / "Caddyfile").write_text(
        f"{{\n\tadmin off\n\tauto_https off\n}}\nhttp://127.0.0.1:{port} {{\n\troot * {deployed.site.out}\n"
        f"\timport {snippet}\n}}\n", encoding="utf-8")
    env = {**os.environ, "XDG_DATA_HOME": str(base), "XDG_CONFIG_HOME": str(base)}
    log = base / "caddy.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(["caddy", "run", "--config", str(base / "Caddyfile"), "--adapter", "caddyfile"],
                                env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        wait_for_port(port, proc, log)
        url = f"http://127.0.0.1:{port}/"
        bundle = next(p for p in deployed.headers.needs.fingerprinted if p.endswith(".js"))
        expect = {"": ("no-cache", "site"), "notices/": ("no-cache", "site"), bundle: (CACHE_IMMUTABLE, "site"),
                  "assets/portal.css": ("public, max-age=3600", "site"), "no-such-page/": ("no-cache", "site")}
        if deployed.headers.needs.admin:
            expect["admin/"] = ("no-cache", "admin")
        for path, (cache, which) in expect.items():
            status, headers = get(url + path)
            assert status == (404 if path == "no-such-page/" else 200), path
            assert headers["Cache-Control"] == cache, path
            assert headers["Content-Security-Policy"] == getattr(deployed.headers, which)["Content-Security-Policy"]
            for name in HEADER_NAMES:
                assert headers.get(name), f"{name} missing on /{path}"
        assert get(url + "_headers")[0] == 404
    finally:
        proc.terminate()
        proc.wait(10)


def test_admin_policy_names_a_self_hosted_git_host(deployed: Deployment, tmp_path: Path) -> None:
    """A committee on its own Gitea/GitLab: the editor fetches that host's API,
    named in the built admin/config.yml; the /admin/ policy must allow it."""
    from generator.site.security_headers import admin_csp

    (tmp_path / "admin").mkdir()
    (tmp_path / "index.html").write_text("<html><head><meta charset=utf-8></head><body></body></html>")
    (tmp_path / "admin/config.yml").write_text(
        "backend:\n  name: gitea\n  repo: jwh/site\n  api_root: https://git.example.org/api/v1\n"
        "  base_url: https://git.example.org\n", encoding="utf-8")
    policy = admin_csp(tmp_path)
    connect = next(d for d in policy.split("; ") if d.startswith("connect-src"))
    assert "https://git.example.org" in connect.split()
    assert "https://git.example.org" not in deployed.headers.admin["Content-Security-Policy"]


# -- the deploy guides -------------------------------------------------------------------------

def test_deploy_guides_name_only_what_exists() -> None:
    """content/deploy/{zh,en}: the same pages in both languages; every example
    file under deploy/, every --host and every link between the guides exists."""
    from generator.site.header_formats import FORMATS

    guides = REPO / "content/deploy"
    zh, en = (sorted(p.name for p in (guides / lang).glob("*.md")) for lang in ("zh", "en"))
    assert zh == en and {"index.md", "nginx.md", "endpoint.md", "oss-cos.md", "github-pages.md"} <= set(zh)
    for page in sorted(guides.rglob("*.md")):
        text = page.read_text(encoding="utf-8")
        for rel in re.findall(r"(?<![\w/.])deploy/[\w./-]+[\w]", text):
            assert (REPO / rel).exists(), f"{page.relative_to(REPO)} names {rel}, which does not exist"
        for host in re.findall(r"--host (\w+)", text):
            assert host in FORMATS, f"{page.relative_to(REPO)}: portal headers has no --host {host}"
        for link in re.findall(r"\]\(([\w-]+\.md)\)", text):
            assert (page.parent / link).is_file(), f"{page.relative_to(REPO)} links to missing {link}"


# -- the editor -------------------------------------------------------------------------------

def test_admin_loads_under_its_own_policy(deployed: Deployment, watched: Watched) -> None:
    assert deployed.admin_csp is not None and (deployed.site.out / "admin/index.html").is_file()
    watched.allowed = {deployed.endpoint_url.split("/")[2]}
    response = watched.goto(deployed.url + "admin/")
    assert response.headers.get("content-security-policy") == deployed.admin_csp
    assert response.headers.get("cross-origin-opener-policy") == "same-origin-allow-popups"  # git-host login popup
    assert response.headers.get("x-frame-options") == "SAMEORIGIN"
    watched.page.wait_for_timeout(1500)  # the editor renders after its bundle ran
    bad = watched.violations()
    assert not bad, json.dumps(bad, ensure_ascii=False, indent=1)
    assert not watched.refused(), watched.refused()
