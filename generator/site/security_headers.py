"""Security headers for a built site: a Content-Security-Policy that allows the
site's own code and nothing a data file wrote, plus HSTS, referrer,
MIME-sniffing, frame and permission headers, and cache lifetimes for assets.

- Inline ``<script>``s are allowed by their SHA-256 hashes, and only those the
  theme itself writes (``theme_probe``: a build of the same theme over empty
  pages; the ``__md_scope`` script differs with page depth). JSON data blocks
  (``type="application/json"``, JSON-LD) never run, so CSP does not apply to them.
- ``style="…"`` attributes: only the theme's and the table alignments Markdown
  writes, one value at a time with ``'unsafe-hashes'``; no ``'unsafe-inline'``.
- No event-handler attribute is ever allowed (no ``script-src-attr``).
- The form endpoint's origin (the build's setting) goes into ``connect-src``
  (fetch) and ``form-action`` (plain POST / GET).
- ``data:`` images are allowed only if the stylesheets use them (material's
  icons are ``url("data:image/svg+xml…")``).

The build then reads every page: an inline script or handler that is not the
theme's, a ``<meta http-equiv>`` or an id of the theme's that the theme did not
write, or any ``<base>`` (:func:`takeovers`) means unsafe content got past the
sanitizer, and the build stops (:class:`ForeignCode`) rather than publish it,
allowed or not.

Nothing else is allowed: ``default-src 'none'``, no third-party host.
``/admin/`` (the Decap CMS editor) gets its own, looser policy:
``generator.site.admin.admin_csp``.

``portal build`` writes the policy into every page as ``<meta http-equiv>``
(hosts that send no headers: GitHub/GitLab Pages, OSS/COS) and ``_headers``
(Netlify, Cloudflare Pages); ``portal headers`` reads that policy back from the
built pages and writes the server configurations (``header_formats``).
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from html import escape
from pathlib import Path
from types import SimpleNamespace
from typing import Any, Protocol

import yaml

from generator.clean_contents import Clean, content_hash
from generator.loading.media import DOCUMENTS
from generator.sanitize import THEME_IDS
from generator.site import admin
from generator.site.page_scan import PageScan, origin
from generator.site.page_scan import scan as scan_page
from generator.site.theme_probe import OwnCode

#: Material's fingerprinted bundles (``bundle.a5f9d56c.min.js``): safe to cache for a year.
FINGERPRINTED = re.compile(r"\.[0-9a-f]{8}\.min\.(?:js|css)$")
ADMIN_PREFIX = "admin/"

#: A browser keeps to HTTPS for a year (in seconds) after one HTTPS visit. Sent only over HTTPS to
#: have any effect (browsers ignore it on plain http).
HSTS = "max-age=31536000"
#: The endpoint still gets the site's origin (its allow-list checks it; with
#: no-referrer a plain-HTML POST carries "Origin: null" and is refused), never the page path.
REFERRER_POLICY = "strict-origin-when-cross-origin"
PERMISSIONS_POLICY = ("accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
                      "microphone=(), payment=(), usb=()")
CACHE_IMMUTABLE = "public, max-age=31536000, immutable"
CACHE_ASSETS = "public, max-age=3600"
CACHE_PAGES = "no-cache"  # revalidate every time: a notice must show as soon as it is published


def csp_hash(text: str) -> str:
    """The CSP source expression for an inline script or style text.

    >>> csp_hash("alert(1)")
    "'sha256-bhHHL3z2vDgxUt0W3dWQOrprscmda2Y5pLsLg4GF+pI='"
    """
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return f"'sha256-{base64.b64encode(digest).decode('ascii')}'"


@dataclass
class SiteNeeds:
    """What the built pages need, measured (see ``measure``)."""

    pages: int = 0
    script_hashes: set[str] = field(default_factory=set)
    style_attr_hashes: set[str] = field(default_factory=set)
    style_element_hashes: set[str] = field(default_factory=set)
    endpoint_origins: set[str] = field(default_factory=set)
    data_images: bool = False
    fingerprinted: list[str] = field(default_factory=list)  #: site-relative paths, cached for a year
    documents: list[str] = field(default_factory=list)  #: site-relative PDFs and office documents (downloaded)
    top_level: list[str] = field(default_factory=list)  #: names in the site root (for path-pattern hosts)
    admin: bool = False  #: the site has /admin/
    wasm: bool = False  #: the site has a Pagefind search index (its WebAssembly needs 'wasm-unsafe-eval')


def site_pages(site: Path) -> list[Path]:
    """The site's HTML pages, without the editor under /admin/."""
    return [p for p in sorted(site.rglob("*.html")) if not p.relative_to(site).as_posix().startswith(ADMIN_PREFIX)]


class ForeignCode(Exception):
    """A page holds inline code that is not the site's own, or markup that takes the
    page over (a redirect, a ``<base>``, an id of the theme's): unsafe content got through."""

    def __init__(self, found: list[tuple[str, str]]) -> None:
        self.found = found  #: (page, the code or markup, shortened)
        pages = ", ".join(sorted({page for page, _ in found})[:5])
        super().__init__(f"{len(found)} inline script(s), event handler(s) or element(s) that are not the theme's, "
                         f"in {pages}: {found[0][1]!r}")


def takeovers(scan: PageScan, own: OwnCode | None) -> list[str]:
    """Markup in a page that no script is needed for to take it over: a ``<meta
    http-equiv>`` the theme does not write (a refresh to another site), any
    ``<base>`` (every relative link and form to another site), and an id of the
    theme's (``__config`` …: the first element with it wins, so the theme's
    script reads the wrong element) on an element the theme does not give it, or
    twice. Without ``own`` (``portal headers`` on a built site), the theme's ids
    are told by their ``__`` prefix and ``THEME_IDS``; nothing else is known."""
    found = [f'<meta http-equiv="{name}" content="{content[:60]}">' for name, content in sorted(scan.metas)
             if own is None or (name, content) not in own.metas]
    found += [f'<base href="{href[:60]}">' for href in scan.bases]
    own_ids = own.ids if own is not None else set()
    theme_ids = {i for _, i in own_ids} | THEME_IDS
    # Numbered ids (__nav_2_1, __palette_0) depend on the navigation: compared by family.
    families = {(tag, _family(i)) for tag, i in own_ids}
    seen: set[str] = set()
    for tag, ident in scan.ids:
        if ident.startswith("__") or ident in theme_ids:
            if ident in seen or (own is not None and (tag, _family(ident)) not in families):
                found.append(f'<{tag} id="{ident[:60]}">')
            seen.add(ident)
    return found


def _family(ident: str) -> str:
    return re.sub(r"[0-9]+", "N", ident)


def foreign_code(page: str, html: str, script_hashes: AbstractSet[str], own: OwnCode | None) -> list[tuple[str, str]]:
    """(page, the code or markup, shortened) of what in one page is not the site's own
    (``script_hashes``: the allowed scripts' CSP hashes): see :class:`ForeignCode`."""
    scan = scan_page(_without_meta_csp(html))
    found = [(page, s[:80]) for s in scan.scripts if csp_hash(s) not in script_hashes]
    found += [(page, h[:80]) for h in scan.handlers]
    found += [(page, what) for what in takeovers(scan, own)]
    return found


def measure(site: Path, endpoint_url: str | None = None, own: OwnCode | None = None,
            seen: Clean | None = None, scanned: dict[str, list[tuple[str, str]]] | None = None) -> SiteNeeds:
    """What the policy must allow for ``site`` (a built site folder). ``own``: the
    theme's inline code (the build's probe); without it, the hashes the build
    wrote into the pages' policy are taken (``portal headers`` on a built site).
    Raises :class:`ForeignCode` if a page holds an inline script or handler that
    is not the theme's. ``seen``: pages a scan with the same ``own`` found clean before
    (not scanned again), and those found clean now. ``scanned``: ``foreign_code`` of the
    pages the caller read already, by page (the build's ``site.published_scan``, with the
    same ``seen``)."""
    needs = SiteNeeds()
    if own is not None:
        needs.script_hashes = {csp_hash(s) for s in own.scripts}
        needs.style_attr_hashes = {csp_hash(s) for s in own.style_attrs}
        needs.style_element_hashes = {csp_hash(s) for s in own.style_elements}
    else:
        written = built_policy(site)
        needs.script_hashes = {v for v in written.get("script-src", []) if v.startswith("'sha256-")}
        needs.style_attr_hashes = {v for v in written.get("style-src-attr", []) if v.startswith("'sha256-")}
        needs.style_element_hashes = {v for v in written.get("style-src", []) if v.startswith("'sha256-")}
        needs.endpoint_origins = {v for v in written.get("form-action", []) if v != "'self'"}
    foreign: list[tuple[str, str]] = []
    for path in site_pages(site):
        page = path.relative_to(site).as_posix()
        if scanned is not None and page in scanned:
            needs.pages += 1
            foreign += scanned[page]
            continue
        raw = path.read_bytes()
        needs.pages += 1
        digest = content_hash(raw) if seen is not None else ""
        if seen is not None and seen.skip(digest):
            continue
        found = foreign_code(page, raw.decode("utf-8"), needs.script_hashes, own)
        foreign += found
        if seen is not None:
            seen.found(digest, found)
    if foreign:
        raise ForeignCode(foreign)
    if endpoint_url and (o := origin(endpoint_url)):
        needs.endpoint_origins.add(o)
    for css in site.rglob("*.css"):
        if not css.relative_to(site).as_posix().startswith(ADMIN_PREFIX) and "url(data:" in _css_urls(css):
            needs.data_images = True
    files = sorted(p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file())
    needs.fingerprinted = [rel for rel in files if FINGERPRINTED.search(rel.rpartition("/")[2])]
    needs.documents = [rel for rel in files if not rel.startswith(ADMIN_PREFIX)
                       and Path(rel).suffix.lower() in DOCUMENTS]
    needs.top_level = sorted(p.name + ("/" if p.is_dir() else "") for p in site.iterdir()
                             if p.name != "_headers" and p.name.rstrip("/") != ADMIN_PREFIX.rstrip("/"))
    needs.admin = (site / ADMIN_PREFIX).is_dir()
    needs.wasm = any(site.glob("pagefind/pagefind-entry.json")) or any(site.glob("*/pagefind/pagefind-entry.json"))
    return needs


_META_POLICY = re.compile(r'<meta http-equiv="Content-Security-Policy" content="([^"]*)"', re.IGNORECASE)


def built_policy(site: Path) -> dict[str, list[str]]:
    """The policy ``portal build`` wrote into the site's home page, by directive."""
    home = site / "index.html"
    m = _META_POLICY.search(home.read_text(encoding="utf-8")) if home.is_file() else None
    if m is None:
        raise FileNotFoundError(f"{home}: no Content-Security-Policy written by portal build; build the site first")
    policy = m.group(1).replace("&quot;", '"').replace("&amp;", "&")
    return {parts[0]: parts[1:] for d in policy.split(";") if (parts := d.split())}


def _css_urls(css: Path) -> str:
    """The stylesheet with quotes around url() values removed, so ``url("data:`` reads ``url(data:``."""
    return re.sub(r"url\(\s*['\"]", "url(", css.read_text(encoding="utf-8", errors="replace"))


_META_CSP = re.compile(r'<meta (?:http-equiv="Content-Security-Policy"|name="referrer")[^>]*>\n?', re.IGNORECASE)


def _without_meta_csp(html: str) -> str:
    return _META_CSP.sub("", html)


def site_csp(needs: SiteNeeds, for_meta: bool = False) -> str:
    """The public site's policy. ``for_meta``: without the directives a
    ``<meta http-equiv>`` policy ignores (frame-ancestors; browsers warn about it)."""
    endpoints = sorted(needs.endpoint_origins)
    style_attr = (["'unsafe-hashes'", *sorted(needs.style_attr_hashes)] if needs.style_attr_hashes else ["'none'"])
    directives: list[tuple[str, list[str]]] = [
        ("default-src", ["'none'"]),
        ("script-src", ["'self'", *(["'wasm-unsafe-eval'"] if needs.wasm else []), *sorted(needs.script_hashes)]),
        ("style-src", ["'self'", *sorted(needs.style_element_hashes)]),
        ("style-src-attr", style_attr),
        ("img-src", ["'self'", *(["data:"] if needs.data_images else [])]),
        ("font-src", ["'self'"]),
        ("connect-src", ["'self'", *endpoints]),  # search index, lookup.json, the endpoint's token and POST
        ("worker-src", ["'self'"]),  # the search worker
        ("manifest-src", ["'self'"]),
        ("form-action", ["'self'", *endpoints]),
        ("base-uri", ["'self'"]),
        ("object-src", ["'none'"]),
    ]
    if not for_meta:
        directives.append(("frame-ancestors", ["'none'"]))
    return "; ".join(f"{name} {' '.join(values)}" for name, values in directives)


def admin_csp(site: Path | None = None) -> str:
    """The editor's own policy (``generator.site.admin``), with the origins of a
    self-hosted git host named in the built ``admin/config.yml``."""
    backend = _admin_backend(site) if site else {}
    editor = SimpleNamespace(api_root=backend.get("api_root"), base_url=backend.get("base_url"))
    policy = admin.admin_csp(editor).strip().rstrip(";")  # type: ignore[arg-type]
    # Header-only directive (a <meta> policy ignores it). 'self', not 'none': the
    # editor may show its preview in a frame of its own.
    return policy if "frame-ancestors" in policy else policy + "; frame-ancestors 'self'"


def _admin_backend(site: Path) -> dict[str, Any]:
    """The ``backend`` section of the built editor configuration, if any."""
    path = site / ADMIN_PREFIX / "config.yml"
    try:
        # libyaml's safe loader when present: the editor's configuration is large (every kind's fields)
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        config = yaml.load(path.read_text(encoding="utf-8"), Loader=loader) if path.is_file() else None  # noqa: S506
    except (OSError, yaml.YAMLError):
        return {}
    backend = config.get("backend") if isinstance(config, dict) else None
    return backend if isinstance(backend, dict) else {}


def common_headers(https: bool = True) -> dict[str, str]:
    """Headers every response gets, besides the policy."""
    headers = {
        "Referrer-Policy": REFERRER_POLICY,
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "DENY",  # frame-ancestors for browsers without CSP 2
        "Permissions-Policy": PERMISSIONS_POLICY,
        "Cross-Origin-Opener-Policy": "same-origin",
    }
    if https:
        headers["Strict-Transport-Security"] = HSTS
    return headers


@dataclass
class HeaderSet:
    """Everything a host configuration needs: the measured site and the header values."""

    needs: SiteNeeds
    site: dict[str, str]  #: headers for every response of the public site
    admin: dict[str, str]  #: headers under /admin/
    meta_csp: str  #: the policy as written into every page's <meta http-equiv>


def header_set(site: Path, endpoint_url: str | None = None, https: bool = True,
               own: OwnCode | None = None, seen: Clean | None = None,
               scanned: dict[str, list[tuple[str, str]]] | None = None) -> HeaderSet:
    needs = measure(site, endpoint_url, own, seen, scanned)
    common = common_headers(https)
    return HeaderSet(needs, {"Content-Security-Policy": site_csp(needs), **common},
                     {"Content-Security-Policy": admin_csp(site), **common, "X-Frame-Options": "SAMEORIGIN",
                      # the editor's git-host login runs in a popup that reports back to its opener
                      "Cross-Origin-Opener-Policy": "same-origin-allow-popups"},
                     site_csp(needs, for_meta=True))


_CHARSET = re.compile(r"<meta charset=[^>]*>\n?", re.IGNORECASE)


def replace_file(path: Path, data: bytes) -> None:
    """Write ``path`` as a new file: a built page may be a hard link to the build's kept
    mkdocs output (``generator.kept_site``), which writing in place would change too."""
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(data)
    tmp.replace(path)


class WrittenBefore(Protocol):
    """The pages the last build wrote with the policy (``kept_site.PolicyPages``): a page
    whose file is still the one it was written from, with the same policy, is linked from
    the last build's site instead of being read and written again."""

    def reuse(self, page: Path, source: os.stat_result, tag: str) -> bool:
        """``page`` (its file before the policy: ``source``) replaced by the last build's, if that can be."""

    def wrote(self, page: Path, source: os.stat_result, tag: str) -> None:
        """``page`` was written now from ``source``."""


def add_meta_csp(site: Path, policy: str, before: WrittenBefore | None = None) -> int:
    """Write the policy as the first thing after ``<meta charset>`` in every page,
    so hosts that cannot send headers (GitHub/Gitee/GitLab Pages, OSS/COS) still
    enforce it: a meta policy applies only to what follows it. Returns the count."""
    content = escape(policy, quote=False).replace('"', "&quot;")
    tag = (f'<meta http-equiv="Content-Security-Policy" content="{content}">\n'
           f'<meta name="referrer" content="{REFERRER_POLICY}">\n')
    count = 0
    for path in site_pages(site):
        source = os.stat(path) if before is not None else None
        if before is not None and source is not None and before.reuse(path, source, tag):
            count += 1
            continue
        html = _without_meta_csp(path.read_text(encoding="utf-8"))
        match = _CHARSET.search(html)
        at = match.end() if match else html.lower().find("<head>") + len("<head>")
        if at < len("<head>"):  # a fragment without <head>: leave it alone
            continue
        replace_file(path, (html[:at] + tag + html[at:]).encode("utf-8"))
        if before is not None and source is not None:
            before.wrote(path, source, tag)
        count += 1
    return count
