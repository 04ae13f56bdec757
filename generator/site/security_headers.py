"""Security headers computed from a built site: a Content-Security-Policy the
pages really satisfy, plus HSTS, referrer, MIME-sniffing, frame and permission
headers, and cache lifetimes for assets.

The policy depends on the build, so it is measured from the site folder rather
than written by hand:

- every inline ``<script>`` that runs (mkdocs-material writes a few; the
  ``__md_scope`` one differs with page depth) is allowed by its SHA-256 hash;
  JSON data blocks (``type="application/json"``, JSON-LD) never run, so CSP
  does not apply to them and they are not hashed;
- ``style="…"`` attributes (Markdown table alignment) are allowed one value at a
  time with ``'unsafe-hashes'``: the site has no ``<style>`` element and needs
  no ``'unsafe-inline'``;
- the form endpoint's origin, read from the forms and the receipt lookup, goes
  into ``connect-src`` (fetch) and ``form-action`` (plain POST / GET);
- ``data:`` images are allowed only if the stylesheets use them (material's
  icons are ``url("data:image/svg+xml…")``).

Nothing else is allowed: ``default-src 'none'``, no third-party host.
``/admin/`` (the Decap CMS editor) gets its own, looser policy:
``generator.site.admin.admin_csp``.

``portal build`` writes the policy into every page as ``<meta http-equiv>``
(hosts that send no headers: GitHub/GitLab Pages, OSS/COS) and ``_headers``
(Netlify, Cloudflare Pages); ``portal headers`` writes the server configurations
(``header_formats``), which live outside the public folder.
"""

from __future__ import annotations

import base64
import hashlib
import re
from dataclasses import dataclass, field
from html import escape
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import yaml

from generator.site.page_scan import origin
from generator.site.page_scan import scan as scan_page

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
    handler_hashes: set[str] = field(default_factory=set)
    endpoint_origins: set[str] = field(default_factory=set)
    data_images: bool = False
    fingerprinted: list[str] = field(default_factory=list)  #: site-relative paths, cached for a year
    top_level: list[str] = field(default_factory=list)  #: names in the site root (for path-pattern hosts)
    admin: bool = False  #: the site has /admin/
    wasm: bool = False  #: the site has a Pagefind search index (its WebAssembly needs 'wasm-unsafe-eval')


def site_pages(site: Path) -> list[Path]:
    """The site's HTML pages, without the editor under /admin/."""
    return [p for p in sorted(site.rglob("*.html")) if not p.relative_to(site).as_posix().startswith(ADMIN_PREFIX)]


def measure(site: Path, endpoint_url: str | None = None) -> SiteNeeds:
    """Scan every page of ``site`` (a built site folder) for what the policy must allow."""
    needs = SiteNeeds()
    for path in site_pages(site):
        scan = scan_page(_without_meta_csp(path.read_text(encoding="utf-8")))
        needs.pages += 1
        needs.script_hashes.update(csp_hash(s) for s in scan.scripts)
        needs.style_attr_hashes.update(csp_hash(s) for s in scan.style_attrs)
        needs.style_element_hashes.update(csp_hash(s) for s in scan.style_elements)
        needs.handler_hashes.update(csp_hash(s) for s in scan.handlers)
        needs.endpoint_origins.update(scan.origins)
    if endpoint_url and (o := origin(endpoint_url)):
        needs.endpoint_origins.add(o)
    for css in site.rglob("*.css"):
        if not css.relative_to(site).as_posix().startswith(ADMIN_PREFIX) and "url(data:" in _css_urls(css):
            needs.data_images = True
    needs.fingerprinted = sorted(p.relative_to(site).as_posix() for p in site.rglob("*")
                                 if p.is_file() and FINGERPRINTED.search(p.name))
    needs.top_level = sorted(p.name + ("/" if p.is_dir() else "") for p in site.iterdir()
                             if p.name != "_headers" and p.name.rstrip("/") != ADMIN_PREFIX.rstrip("/"))
    needs.admin = (site / ADMIN_PREFIX).is_dir()
    needs.wasm = any(site.glob("pagefind/pagefind-entry.json")) or any(site.glob("*/pagefind/pagefind-entry.json"))
    return needs


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
    if needs.handler_hashes:
        directives.append(("script-src-attr", ["'unsafe-hashes'", *sorted(needs.handler_hashes)]))
    if not for_meta:
        directives.append(("frame-ancestors", ["'none'"]))
    return "; ".join(f"{name} {' '.join(values)}" for name, values in directives)


def admin_csp(site: Path | None = None) -> str:
    """The editor's own policy (``generator.site.admin``), with the origins of a
    self-hosted git host named in the built ``admin/config.yml``."""
    from generator.site import admin

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
        config = yaml.safe_load(path.read_text(encoding="utf-8")) if path.is_file() else None
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


def header_set(site: Path, endpoint_url: str | None = None, https: bool = True) -> HeaderSet:
    needs = measure(site, endpoint_url)
    common = common_headers(https)
    return HeaderSet(needs, {"Content-Security-Policy": site_csp(needs), **common},
                     {"Content-Security-Policy": admin_csp(site), **common, "X-Frame-Options": "SAMEORIGIN",
                      # the editor's git-host login runs in a popup that reports back to its opener
                      "Cross-Origin-Opener-Policy": "same-origin-allow-popups"},
                     site_csp(needs, for_meta=True))


_CHARSET = re.compile(r"<meta charset=[^>]*>\n?", re.IGNORECASE)


def add_meta_csp(site: Path, policy: str) -> int:
    """Write the policy as the first thing after ``<meta charset>`` in every page,
    so hosts that cannot send headers (GitHub/Gitee/GitLab Pages, OSS/COS) still
    enforce it: a meta policy applies only to what follows it. Returns the count."""
    content = escape(policy, quote=False).replace('"', "&quot;")
    tag = (f'<meta http-equiv="Content-Security-Policy" content="{content}">\n'
           f'<meta name="referrer" content="{REFERRER_POLICY}">\n')
    count = 0
    for path in site_pages(site):
        html = _without_meta_csp(path.read_text(encoding="utf-8"))
        match = _CHARSET.search(html)
        at = match.end() if match else html.lower().find("<head>") + len("<head>")
        if at < len("<head>"):  # a fragment without <head>: leave it alone
            continue
        path.write_text(html[:at] + tag + html[at:], encoding="utf-8")
        count += 1
    return count


def write_security_headers(site: Path, endpoint_url: str | None = None) -> HeaderSet:
    """What ``portal build`` does: the meta policy in every page and ``_headers``
    (Netlify, Cloudflare Pages) in the site root."""
    from generator.site.header_formats import netlify

    headers = header_set(site, endpoint_url)
    add_meta_csp(site, headers.meta_csp)
    (site / "_headers").write_text(netlify(headers), encoding="utf-8")
    return headers
