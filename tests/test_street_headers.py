"""Security headers of a street site served from one host (``generator.street.headers``):
the root's ``_headers`` that ``portal build STREET`` writes, and ``portal headers --site
<street>/site`` for nginx and Caddy, run for real. A community's page under ``/<id>/`` gets
that community's policy (as its own build measured it), a street page the street's, and a
community's editor under ``/<id>/admin/`` its own; Chromium loads the street search and a
community page under nginx's headers with no policy violation.
"""

from __future__ import annotations

import os
import subprocess
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.cli import main
from generator.site.security_headers import CACHE_ASSETS, CACHE_IMMUTABLE, HeaderSet, header_set
from generator.street.headers import STREET_CSP
from tests.scaffold_helpers import portal
from tests.site_fixtures import (
    CHROMIUM,
    CHROMIUM_ARGS,
    CSP_LISTENER,
    NGINX,
    NGINX_CONF,
    NGINX_USER,
    free_port,
    stop_nginx,
    wait_for_port,
)

HEADER_NAMES = ("Content-Security-Policy", "Strict-Transport-Security", "Referrer-Policy", "X-Content-Type-Options",
                "X-Frame-Options", "Permissions-Policy", "Cross-Origin-Opener-Policy")


@dataclass
class Street:
    root: Path
    site: Path
    communities: dict[str, HeaderSet]  #: each community's headers, measured again from its built pages


@pytest.fixture(scope="module")
def street(tmp_path_factory: pytest.TempPathFactory) -> Street:
    tmp = tmp_path_factory.mktemp("street-headers")
    done = portal("init", "--street", "xinhe", "--name", "新和街道", "--communities", "a,b", "--no-git", cwd=tmp)
    assert done.returncode == 0, done.stdout + done.stderr
    root = tmp / "xinhe"
    done = portal("build", str(root))
    assert done.returncode == 0, done.stdout + done.stderr
    site = root / "site"
    return Street(root, site, {cid: header_set(site / cid) for cid in ("a", "b")})


def expected(street: Street, path: str) -> str:
    """The policy a path must get: its community's (its editor's under admin/), else the street's."""
    cid = path.split("/")[1]
    if cid in street.communities:
        h = street.communities[cid]
        return h.admin["Content-Security-Policy"] if path.startswith(f"/{cid}/admin/") \
            else h.site["Content-Security-Policy"]
    return STREET_CSP


def sample_paths(street: Street) -> list[str]:
    pages = ["/", "/search/", "/en/search/", "/compare/", "/assets/street.css", "/assets/street-search.js"]
    for cid in street.communities:
        pages += [f"/{cid}/", f"/{cid}/notices/", f"/{cid}/en/", f"/{cid}/search/", f"/{cid}/assets/portal.css",
                  f"/{cid}/pagefind/pagefind.js"]
        if street.communities[cid].needs.admin:
            pages.append(f"/{cid}/admin/")
    return pages


def _rules(text: str) -> list[tuple[str, dict[str, str]]]:
    rules: list[tuple[str, dict[str, str]]] = []
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        if not line.startswith(" "):
            rules.append((line.strip(), {}))
        else:
            name, _, value = line.strip().partition(": ")
            rules[-1][1][name] = value
    return rules


def test_root_headers_file_gives_every_path_its_one_policy(street: Street) -> None:
    """Netlify / Cloudflare Pages read only the root's ``_headers``: every built page and file
    matches exactly one rule with a policy, the right one (Cloudflare joins several)."""
    assert street.communities["a"].needs.admin, "the sample community has its editor"
    rules = _rules((street.site / "_headers").read_text(encoding="utf-8"))
    files = [p.relative_to(street.site).as_posix() for p in street.site.rglob("*")
             if p.is_file() and p.name != "_headers" and (p.suffix in (".html", ".css") or p.name == "pagefind.js")]
    assert len(files) > 50
    for rel in files:
        path = "/" + rel.removesuffix("index.html")
        values = [h["Content-Security-Policy"] for pattern, h in rules
                  if "Content-Security-Policy" in h and fnmatchcase(path, pattern)]
        assert values == [expected(street, path)], (path, len(values))
    assert "/a/_headers" not in {p for p, _ in rules}


def _get(url: str) -> tuple[int, dict[str, str]]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - our own test server
            return response.status, dict(response.headers)
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers)


def _assert_served(street: Street, url: str) -> None:
    for path in sample_paths(street):
        status, headers = _get(url + path.lstrip("/"))
        assert status == 200, path
        assert headers.get("Content-Security-Policy") == expected(street, path), path
        for name in HEADER_NAMES:
            assert headers.get(name), f"{name} missing on {path}"
        if path.endswith("/"):
            assert headers["Cache-Control"] == "no-cache", path
    assert _get(url + "a/assets/portal.css")[1]["Cache-Control"] == CACHE_ASSETS
    bundle = next(p for p in street.communities["b"].needs.fingerprinted if p.endswith(".js"))
    assert _get(url + f"b/{bundle}")[1]["Cache-Control"] == CACHE_IMMUTABLE
    for private in ("_headers", "a/_headers"):
        assert _get(url + private)[0] == 404, private


@pytest.fixture(scope="module")
def nginx_url(street: Street, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    prefix = tmp_path_factory.mktemp("street-nginx")
    (prefix / "tmp").mkdir()
    out = CliRunner().invoke(main, ["headers", "--site", str(street.site), "--host", "nginx",
                                    "--out", str(prefix / "community-portal-headers.conf")])
    assert out.exit_code == 0, out.output
    port = free_port()
    (prefix / "nginx.conf").write_text(NGINX_CONF.format(user=NGINX_USER, prefix=prefix, port=port, site=street.site))
    conf = ["-p", str(prefix), "-c", str(prefix / "nginx.conf")]
    checked = subprocess.run([NGINX, *conf, "-t"], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr
    proc = subprocess.Popen([NGINX, *conf], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for_port(port, proc, prefix / "error.log")
        yield f"http://127.0.0.1:{port}/"
    finally:
        stop_nginx(proc)


def test_nginx_sends_each_community_its_policy_and_the_street_its_own(street: Street, nginx_url: str) -> None:
    _assert_served(street, nginx_url)
    status, _headers = _get(nginx_url + "a/no-such-page/")
    assert status == 404


def test_caddy_sends_the_same(street: Street, tmp_path: Path) -> None:
    snippet = tmp_path / "street.caddy"
    out = CliRunner().invoke(main, ["headers", "--site", str(street.site), "--host", "caddy", "--out", str(snippet)])
    assert out.exit_code == 0, out.output
    port = free_port()
    (tmp_path / "Caddyfile").write_text(
        f"{{\n\tadmin off\n\tauto_https off\n}}\nhttp://127.0.0.1:{port} {{\n\troot * {street.site}\n"
        f"\timport {snippet}\n}}\n", encoding="utf-8")
    env = {**os.environ, "XDG_DATA_HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path)}
    log = tmp_path / "caddy.log"
    with log.open("wb") as sink:
        proc = subprocess.Popen(["caddy", "run", "--config", str(tmp_path / "Caddyfile"), "--adapter", "caddyfile"],
                                env=env, stdout=sink, stderr=subprocess.STDOUT)
    try:
        wait_for_port(port, proc, log)
        _assert_served(street, f"http://127.0.0.1:{port}/")
    finally:
        proc.terminate()
        proc.wait(10)


def test_other_formats_name_every_community(street: Street) -> None:
    for host in ("apache", "vercel", "netlify", "cloudflare", "cdn"):
        out = CliRunner().invoke(main, ["headers", "--site", str(street.site), "--host", host])
        assert out.exit_code == 0, (host, out.output)
        if host != "cdn":
            for cid, h in street.communities.items():
                assert f"/{cid}/" in out.output, (host, cid)
                assert h.site["Content-Security-Policy"] in out.output.replace('\\"', '"'), (host, cid)


def test_pages_load_under_the_headers_without_a_violation(street: Street, nginx_url: str) -> None:
    """The street search (Pagefind from the communities' folders, under the street's
    policy) finds a word of both sample communities; a community page and the street
    home load clean too."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.add_init_script(CSP_LISTENER)
            refused: list[str] = []
            page.on("console", lambda m: refused.append(m.text) if "Refused" in m.text else None)
            hosts: set[str] = set()
            page.on("request", lambda r: hosts.add(r.url.split("/")[2]))
            page.goto(nginx_url + "search/?q=网站")
            page.wait_for_function("() => document.querySelectorAll('.search-results a').length > 0", timeout=20000)
            labels = set(page.locator(".search-results .street-search-community").all_text_contents())
            assert labels == {"a", "b"}, labels
            assert page.evaluate("window.__csp") == []
            for path in ("", "a/", "b/en/notices/"):
                page.goto(nginx_url + path, wait_until="networkidle")
                assert page.evaluate("window.__csp") == [], path
            assert refused == []
            assert hosts == {nginx_url.split("/")[2]}
        finally:
            browser.close()
