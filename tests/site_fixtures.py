"""Shared fixtures of the public-site tests (test_site_html.py, test_site_browser.py).

Registered as a pytest plugin by those modules (``pytest_plugins``), so the
session-scoped builds below run once per test session however many site test
modules are collected.

- ``minimal_site``: tests/projects/minimal, copied to a temporary folder and
  built with 'today' pinned to 2026-11-22.
- ``two_version_site``: the same plus one rule with two versions (the sample
  has none, and the rule page's "what changed" section needs one).
- ``demo_site``: the demo community in data/ (copied, so the build writes
  nothing into the work tree), built only when ``portal check`` passes on it:
  ``SITES`` lists it then, and the site tests run over it as well.

Every site is served by a real HTTP server on 127.0.0.1 (free port) and built
with ``site_url`` pointing at that server, so absolute links, the canonical
address and the print QR code name an address that works; its forms pages are
built for a form endpoint on another free port, which the browser tests start
(``Endpoint``: ``portal endpoint`` with a test signing key).
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import pytest
from bs4 import BeautifulSoup

from generator.kinds.common import Today

REPO = Path(__file__).resolve().parent.parent
#: Debian's Chromium and the flags that keep it off this machine's closed network.
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
#: An init script: each Content-Security-Policy violation of the page, as "directive blocked-url",
#: in ``window.__csp``.
CSP_LISTENER = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', e => window.__csp.push(e.effectiveDirective + ' ' + e.blockedURI));
"""
PROJECTS = Path(__file__).resolve().parent / "projects"
TODAY = dt.date(2026, 11, 22)

#: Added to the copy of the minimal sample: a rule with two versions, so the
#: rule page shows a "what changed" (修订对照) section.
EXTRA_RULE = """\
id: quiet-hours
title: {zh: 噪音管理规定, en: Quiet hours}
kind: other
status: in-force
body: jwh
versions:
  - version: "2023"
    effective: 2023-01-01
    articles:
      - number: 1
        text: 晚上十点后保持安静。
      - number: 2
        text: 装修只在工作日进行。
  - version: "2025"
    effective: 2025-01-01
    note: 调整装修时间。
    articles:
      - number: 1
        text: 晚上十点后保持安静。
      - number: 2
        text: 装修只在工作日八点至十八点进行。
      - number: 3
        text: 违反者由物业劝导。
"""

#: The page types every build has (see ``page_type``): a section's index page is
#: ``"notices/"``, one of its item pages ``"notices/*"``.
PAGE_TYPES = ("home", "notices/", "notices/*", "meetings/", "meetings/*", "decisions/", "rules/", "rules/*",
              "budgets/", "budgets/*", "budgets/*/*", "services/", "services/*", "organisation/", "data/")


def page_type(rel: str) -> str:
    """``notices/2024-001/index.html`` → ``notices/*``, ``en/notices/index.html``
    → ``notices/``, a budget year's lines page ``budgets/2024/<fund>-<direction>/`` →
    ``budgets/*/*``; the 404 page, the editor (``admin/``) and anything deeper → ``other``."""
    parts = rel.split("/")
    if parts[0] == "en":
        parts = parts[1:]
    if parts == ["index.html"]:
        return "home"
    if parts[-1] != "index.html" or len(parts) > 4 or parts[0] == "admin":  # the editor app: tests/test_admin.py
        return "other"
    return parts[0] + {2: "/", 3: "/*", 4: "/*/*"}[len(parts)]


def copy_demo(root: Path) -> Path:
    """A copy of the repository's demo community at ``root`` (its data, pages, templates and
    configuration): for tests that edit it."""
    root.mkdir(parents=True)
    for name in ("data", "content", "site_templates"):
        if (REPO / name).is_dir():
            shutil.copytree(REPO / name, root / name)
    shutil.copy(REPO / "mkdocs.yml", root / "mkdocs.yml")
    return root


def demo_ready() -> bool:
    """Whether ``portal check`` passes on the demo community (exit status 0)."""
    from generator.pipeline import check

    saved, Today.value = Today.value, None  # as `portal check` runs: today's real date
    try:
        return (REPO / "data").is_dir() and check(REPO, jobs=1).ok
    except Exception:  # a half-edited data folder must not break collection
        return False
    finally:
        Today.value = saved


SITES = ["minimal", *(["demo"] if demo_ready() else [])]


# -- serving -------------------------------------------------------------------

class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib signature
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionError):  # the browser dropped a request: fine
            super().handle_error(request, client_address)


class SiteServer:
    """The site folder served over HTTP on 127.0.0.1 (port chosen by the OS)."""

    def __init__(self, directory: Path) -> None:
        handler = functools.partial(_QuietHandler, directory=str(directory))
        self.httpd = _Server(("127.0.0.1", 0), handler)
        self.port = self.httpd.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}/"
        self.thread = threading.Thread(target=self.httpd.serve_forever, name=f"site-{self.port}", daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(5)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


#: nginx serving a built site with the header snippet ``portal headers --host nginx`` wrote
#: (``{prefix}/community-portal-headers.conf``), as the deploy guide does.
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
NGINX_CONF = """\
{user}worker_processes 1;
daemon off;
error_log {prefix}/error.log warn;
pid {prefix}/nginx.pid;
events {{ worker_connections 256; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log off;
    client_body_temp_path {prefix}/tmp/body;
    proxy_temp_path {prefix}/tmp/proxy;
    fastcgi_temp_path {prefix}/tmp/fastcgi;
    uwsgi_temp_path {prefix}/tmp/uwsgi;
    scgi_temp_path {prefix}/tmp/scgi;
    server {{
        listen 127.0.0.1:{port};
        server_name localhost;
        root {site};
        include {prefix}/community-portal-headers.conf;
    }}
}}
"""
#: nginx's workers must read the pytest temp folder (mode 700) when the tests run as root.
NGINX_USER = "user root;\n" if os.geteuid() == 0 else ""


def wait_for_port(port: int, proc: subprocess.Popen[bytes], log: Path) -> None:
    """Until ``proc`` (nginx) accepts connections on ``port``; its error log if it never does."""
    deadline = time.monotonic() + 20
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"nginx did not start:\n{log.read_text() if log.exists() else ''}") from None
            time.sleep(0.1)


def stop_nginx(proc: subprocess.Popen[bytes]) -> None:
    proc.send_signal(signal.SIGQUIT)  # graceful stop
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(10)


#: Signing key shared by the test builds (build-time form tokens) and the endpoint.
SECRET = "site-tests-not-secret"


class Endpoint:
    """The form endpoint as ``portal endpoint`` runs it (a uvicorn process),
    for the site's forms pages: they fetch a token from it when they load."""

    def __init__(self, site: BuiltSite) -> None:
        self.log = site.root.parent / "endpoint.log"
        env = {**os.environ, "PORTAL_SECRET": SECRET}
        with self.log.open("wb") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "generator", "endpoint", "--site", str(site.out),
                 "--db", f"sqlite:///{site.root.parent / 'submissions.db'}", "--port", str(site.endpoint_port),
                 "--site-url", site.url],
                cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 30
        while True:
            try:
                with socket.create_connection(("127.0.0.1", site.endpoint_port), timeout=1):
                    break
            except OSError:
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    self.close()
                    raise AssertionError(f"the form endpoint did not start:\n{self.log.read_text()}") from None
                time.sleep(0.2)

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)


# -- a built site ----------------------------------------------------------------

@dataclass
class Link:
    """An address found in a page, resolved against the site."""

    page: str  #: the page it is on (relative path of the HTML file)
    tag: str
    attr: str
    href: str
    url: str  #: absolute
    internal: bool  #: on the site's own host
    target: Path | None = None  #: the file it names, if internal and found
    fragment: str = ""


@dataclass
class BuiltSite:
    name: str
    root: Path  #: the project copy that was built
    out: Path  #: the site folder
    url: str  #: where it is served, with a trailing slash
    result: object = None
    endpoint_port: int = 0  #: the form endpoint the pages were built for (started by ``Endpoint``)
    _soups: dict[str, BeautifulSoup] = field(default_factory=dict, repr=False)
    _ids: dict[Path, set[str]] = field(default_factory=dict, repr=False)

    # files and pages
    def html_files(self) -> list[str]:
        return sorted(p.relative_to(self.out).as_posix() for p in self.out.rglob("*.html"))

    def text(self, rel: str) -> str:
        return (self.out / rel).read_text(encoding="utf-8")

    def soup(self, rel: str) -> BeautifulSoup:
        if rel.endswith("/") or rel == "":
            rel += "index.html"
        if rel not in self._soups:
            self._soups[rel] = BeautifulSoup(self.text(rel), "html.parser")
        return self._soups[rel]

    def pages_of(self, kind: str, lang: str = "zh") -> list[str]:
        """Relative HTML paths of the pages of one type in one language."""
        return [rel for rel in self.html_files()
                if page_type(rel) == kind and rel.startswith("en/") == (lang == "en")]

    def page_url(self, rel: str) -> str:
        """Public address of a page: ``notices/x/index.html`` → ``<url>notices/x/``."""
        return self.url + rel.removesuffix("index.html")

    def samples(self, per_type: int = 1, en_types: tuple[str, ...] | None = ()) -> list[str]:
        """A few pages of every type present: the first (and with ``per_type=2``
        the last) of each type in the default language, and the first English
        page of each type in ``en_types`` (``None``: of every type)."""
        chosen: list[str] = []
        kinds = sorted({page_type(rel) for rel in self.html_files()} - {"other"})
        for kind in kinds:
            zh = self.pages_of(kind)
            chosen += zh[:1] + (zh[-1:] if per_type > 1 and len(zh) > 1 else [])
        for kind in kinds:
            if en_types is None or kind in en_types:
                chosen += self.pages_of(kind, "en")[:1]
        return chosen

    # links
    def resolve(self, page: str, tag: str, attr: str, href: str) -> Link:
        url = urljoin(self.url + page, href.strip())
        parts, site = urlsplit(url), urlsplit(self.url)
        internal = parts.scheme in ("http", "https") and parts.netloc == site.netloc
        link = Link(page, tag, attr, href, url, internal, fragment=unquote(parts.fragment))
        if internal and unquote(parts.path).startswith(site.path):
            rel = unquote(parts.path)[len(site.path):]
            target = self.out / rel
            if rel == "" or rel.endswith("/") or target.is_dir():
                target = target / "index.html"
            if target.is_file() and target.resolve().is_relative_to(self.out.resolve()):
                link.target = target
        return link

    def links(self, page: str, selectors: tuple[tuple[str, str], ...] = (("a", "href"),)) -> list[Link]:
        """Every address in ``page`` held by the given (tag, attribute) pairs,
        except those with a non-web scheme (``tel:``, ``mailto:`` …)."""
        out = []
        for tag, attr in selectors:
            for el in self.soup(page).find_all(tag):
                value = el.get(attr)
                if value is None:
                    continue
                for href in ([u.split()[0] for u in value.split(",") if u.strip()] if attr == "srcset" else [value]):
                    scheme = urlsplit(href.strip()).scheme
                    if scheme and scheme not in ("http", "https"):
                        continue
                    out.append(self.resolve(page, tag, attr, href))
        return out

    def ids(self, target: Path) -> set[str]:
        if target not in self._ids:
            rel = target.relative_to(self.out).as_posix()
            soup = self.soup(rel)
            self._ids[target] = ({el["id"] for el in soup.find_all(id=True)}
                                 | {el["name"] for el in soup.find_all("a", attrs={"name": True})})
        return self._ids[target]


def _build(name: str, root: Path, out: Path, today: dt.date | None) -> tuple[BuiltSite, SiteServer]:
    from generator.build import build

    out.mkdir(parents=True)  # served from the start; the build swaps the real site in
    server = SiteServer(out)
    endpoint_port = free_port()
    saved, Today.value = Today.value, today  # session fixtures run before the autouse fixed_today
    saved_secret = os.environ.get("PORTAL_SECRET")
    os.environ["PORTAL_SECRET"] = SECRET
    try:
        result = build(root, out, site_url=server.url, endpoint_url=f"http://127.0.0.1:{endpoint_port}")
    except BaseException:
        server.close()
        raise
    finally:
        Today.value = saved
        if saved_secret is None:
            del os.environ["PORTAL_SECRET"]
        else:
            os.environ["PORTAL_SECRET"] = saved_secret
    return BuiltSite(name, root, out, server.url, result, endpoint_port), server


def _copy_minimal(tmp_path_factory: pytest.TempPathFactory, name: str) -> Path:
    base = tmp_path_factory.mktemp(name)
    shutil.copytree(PROJECTS / "minimal", base / "minimal",
                    ignore=shutil.ignore_patterns(".portal-build", "site", ".portal-*"))
    return base / "minimal"


@pytest.fixture(scope="session")
def minimal_site(tmp_path_factory: pytest.TempPathFactory):
    """tests/projects/minimal as it is, built with 'today' = 2026-11-22."""
    root = _copy_minimal(tmp_path_factory, "site-minimal")
    site, server = _build("minimal", root, root.parent / "site", TODAY)
    yield site
    server.close()


@pytest.fixture(scope="session")
def two_version_site(tmp_path_factory: pytest.TempPathFactory):
    """The sample plus ``EXTRA_RULE`` (two versions): the rule page's "what changed"."""
    root = _copy_minimal(tmp_path_factory, "site-two-versions")
    (root / "data/rules/quiet-hours.yaml").write_text(EXTRA_RULE, encoding="utf-8")
    site, server = _build("two-versions", root, root.parent / "site", TODAY)
    yield site
    server.close()


@pytest.fixture(scope="session")
def demo_site(tmp_path_factory: pytest.TempPathFactory):
    """The demo community, built as ``portal build`` builds it (today's real date)."""
    base = tmp_path_factory.mktemp("site-demo")
    root = base / "demo"
    root.mkdir()
    for name in ("data", "content"):
        if (REPO / name).is_dir():
            shutil.copytree(REPO / name, root / name)
    if (REPO / "mkdocs.yml").is_file():
        shutil.copy(REPO / "mkdocs.yml", root / "mkdocs.yml")
    site, server = _build("demo", root, base / "site", None)
    yield site
    server.close()


@pytest.fixture(scope="session", params=SITES)
def built_site(request: pytest.FixtureRequest) -> BuiltSite:
    """Each site the generic tests run over: the sample, and the demo when it checks clean."""
    return request.getfixturevalue(f"{request.param}_site")


# -- small helpers shared by both modules ------------------------------------------

HAN = re.compile(r"[\u3400-\u9fff]")


def text_of(el) -> str:
    """Visible text of an element, whitespace collapsed, permalinks (¶) dropped."""
    clone = BeautifulSoup(str(el), "html.parser")
    for a in clone.select("a.headerlink"):
        a.decompose()
    return " ".join(clone.get_text(" ").split())
