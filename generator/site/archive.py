"""The whole site as one zip that opens without a server: from a USB stick, a
kiosk or a folder on a computer (``file://``).

The site is built with folder addresses (``notices/x/``), which a browser opening
files shows as a folder listing; so, in the archive's copy of each page, links to a
folder name its ``index.html`` and links from the site root (``/en/…``) become
relative. Nothing is rebuilt: the pages are the published ones. What needs a
server is left out or does nothing offline: the editor (admin/), the service
worker, host configuration (_headers); search (Pagefind cannot load from
``file://``) says it is unavailable; forms still post when the computer is online.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path
from urllib.parse import urlsplit

_URL_ATTR = re.compile(r'(\s(?:href|src)=")([^"]*)(")')
SKIP = ("admin/", "_headers", "sw.js", "en/sw.js")


def offline_href(value: str, rel: str, base: str) -> str:
    """One address in page ``rel`` as it must read inside the archive.

    >>> offline_href("../notices/", "meetings/x/index.html", "/")
    '../notices/index.html'
    >>> offline_href("/en/notices/a/#top", "notices/a/index.html", "/")
    '../../en/notices/a/index.html#top'
    >>> offline_href("../..", "en/notices/index.html", "/")
    '../../index.html'
    >>> offline_href("https://example.org/", "index.html", "/"), offline_href("#x", "index.html", "/")
    ('https://example.org/', '#x')
    """
    parts = urlsplit(value)
    if parts.scheme or parts.netloc or value.startswith("#") or not value:
        return value
    path = parts.path
    if path.startswith("/"):
        if not path.startswith(base):
            return value
        path = "../" * rel.count("/") + path[len(base):]
        path = path or "./"
    if path.rsplit("/", 1)[-1] in (".", "..") or path.endswith("/"):
        path = path.rstrip("/") + "/index.html" if path not in ("", "./") else "index.html"
    elif path == "":
        return value
    tail = (f"?{parts.query}" if parts.query else "") + (f"#{parts.fragment}" if parts.fragment else "")
    return path + tail


def _offline_page(html: str, rel: str, base: str) -> str:
    return _URL_ATTR.sub(lambda m: m.group(1) + offline_href(m.group(2), rel, base) + m.group(3), html)


def write_archive(site: Path, target: Path, base: str = "/", folder: str = "site") -> int:
    """Write ``target`` (a zip holding ``folder/``); returns the number of files."""
    count = 0
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as archive:
        for path in sorted(site.rglob("*")):
            rel = path.relative_to(site).as_posix()
            if not path.is_file() or rel.startswith(SKIP[0]) or rel in SKIP or rel.endswith(".zip"):
                continue
            data = path.read_bytes()
            if rel.endswith(".html"):
                data = _offline_page(data.decode("utf-8"), rel, base).encode("utf-8")
            archive.writestr(f"{folder}/{rel}", data)
            count += 1
    return count
