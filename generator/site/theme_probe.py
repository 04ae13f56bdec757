"""The site's own code, as the Content-Security-Policy may allow it.

mkdocs-material writes a few inline scripts into every page (one of them names
the way back to the site root, so it differs with the page's depth), and
Markdown tables write ``style="text-align: …"``. These are ours: the theme's and
the renderer's, not the committee's. To know them without trusting a page that
data helped to write, the build makes a *probe*: the same mkdocs configuration
(theme, overrides, extensions, hooks) over a few empty pages, one at every
folder depth the real site has, plus an aligned table. Whatever inline code the
probe pages hold is the site's own code; ``security_headers`` allows exactly
that and refuses a build whose pages hold anything else.
"""

from __future__ import annotations

import copy
import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, Iterable
from urllib.parse import urlsplit

from generator.sanitize import ALIGN_STYLES
from generator.site.page_scan import scan as scan_page

_TABLE = "| a | b | c |\n|:--|:-:|--:|\n| 1 | 2 | 3 |\n"


@dataclass
class OwnCode:
    """Inline code the theme and the renderer write (texts, not yet hashed)."""

    scripts: set[str] = field(default_factory=set)
    style_attrs: set[str] = field(default_factory=lambda: set(ALIGN_STYLES))
    style_elements: set[str] = field(default_factory=set)
    metas: set[tuple[str, str]] = field(default_factory=set)  #: the theme's <meta http-equiv>, if any
    ids: set[tuple[str, str]] = field(default_factory=set)  #: (element, id) the theme writes: __config …

    def merge(self, other: OwnCode) -> None:
        self.scripts |= other.scripts
        self.style_attrs |= other.style_attrs
        self.style_elements |= other.style_elements
        self.metas |= other.metas
        self.ids |= other.ids

    def add_page(self, html: str) -> None:
        found = scan_page(html)
        self.scripts.update(found.scripts)
        self.style_attrs.update(found.style_attrs)
        self.style_elements.update(found.style_elements)
        self.metas.update(found.metas)
        # Probe headings' ids ("probe-0") are the probe's content, not the theme's.
        self.ids.update((tag, i) for tag, i in found.ids if not i.startswith("probe"))


def page_depths(page_paths: Iterable[str], use_directory_urls: bool = True) -> set[int]:
    """Folder depths of the built pages for these docs paths.

    >>> sorted(page_depths(["index.md", "notices/index.md", "notices/2025-01.md", "about.md"]))
    [0, 1, 2]
    """
    depths = set()
    for path in page_paths:
        parts = path.split("/")
        index = parts[-1] in ("index.md", "README.md")
        depths.add(len(parts) - 1 if index or not use_directory_urls else len(parts))
    return depths


#: Settings that are the community's text or addresses: the probe is built with neutral
#: values instead, so its result is shared by every community and build of the same theme
#: (the theme puts them into text and links, never into inline code; if it ever did, the
#: real pages' code would not be the probe's and the build would stop: ``ForeignCode``).
_NEUTRAL = {"site_name": "probe"}
_DROPPED = ("site_description", "site_author", "copyright", "nav")

#: The site path every probe is built at. Material's 404 page names the site root in inline
#: code, so the probe's finds hold this path; ``at_path`` puts the real one in its place. One
#: probe then serves every community of a street, each at its own path.
PROBE_PATH = "/portal-probe-site-path/"

#: Paths written the same in a JavaScript string, JSON and HTML (no escaping anywhere), so
#: replacing the placeholder gives exactly the text the theme writes for the real path.
_PLAIN_PATH = re.compile(r"/(?:[A-Za-z0-9._~-]+/)*")


def site_path(config: dict[str, Any]) -> str:
    """The path of the site's address as mkdocs uses it (the 404 page's root): ``/`` if none."""
    path = urlsplit(config.get("site_url") or "/").path or "/"
    return path if path.endswith("/") else path + "/"


def probe_path(path: str) -> str:
    """Where the probe of a site at ``path`` is built: the shared placeholder, unless the
    path holds characters some context would escape (then the site's own path)."""
    return PROBE_PATH if _PLAIN_PATH.fullmatch(path) else path


def at_path(own: OwnCode, path: str) -> OwnCode:
    """What a probe found, as the site at ``path`` has it: the placeholder path replaced
    (a probe built at the site's own path holds no placeholder and stays as it is)."""

    def moved(text: str) -> str:
        return text.replace(PROBE_PATH, path)

    return OwnCode({moved(s) for s in own.scripts}, {moved(s) for s in own.style_attrs},
                   {moved(s) for s in own.style_elements}, {(moved(a), moved(b)) for a, b in own.metas},
                   {(a, moved(b)) for a, b in own.ids})


def probe_config(config: dict[str, Any], work: Path, depths: set[int]) -> dict[str, Any]:
    """Write the probe's pages under ``work`` and return its mkdocs configuration:
    ``config`` (the real one) with its own docs and site folders, neutral text and,
    as its address, ``probe_path`` (map its finds back with ``at_path``)."""
    docs = work / "docs"
    docs.mkdir(parents=True, exist_ok=True)
    for depth in sorted(depths | {0}):
        folder = docs.joinpath(*[f"d{i}" for i in range(depth)])
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "index.md").write_text(f"# probe {depth}\n\n{_TABLE}", encoding="utf-8")
    probe = copy.deepcopy(config)
    probe.update(docs_dir=str(docs), site_dir=str(work / "site"), **_NEUTRAL)
    if probe.get("site_url"):
        probe["site_url"] = "https://probe.invalid" + probe_path(site_path(probe))
    theme = probe.get("theme", {})
    for key in ("logo", "favicon"):  # a link to another language's copy names the site path
        if isinstance(theme.get(key), str) and theme[key].startswith("/"):
            theme[key] = PurePosixPath(theme[key]).name
    for key in _DROPPED:
        probe.pop(key, None)
    extra = probe.get("extra", {})
    for alternate in extra.get("alternate", []):
        alternate["link"] = "/"
    if isinstance(extra.get("portal"), dict):
        extra["portal"].update(sites={}, solo=[])
    return probe


def probe_key(probe: dict[str, Any], versions: str) -> str:
    """What the probe's result depends on: its configuration but the folders (its pages
    follow from the depths), and ``versions`` (the theme folder, the portal's code, mkdocs')."""
    settings = {k: v for k, v in probe.items() if k not in ("docs_dir", "site_dir")}
    docs = Path(probe["docs_dir"])
    pages = sorted(p.relative_to(docs).as_posix() for p in docs.rglob("*.md"))
    return hashlib.blake2b(json.dumps([settings, pages, versions], sort_keys=True, default=str).encode(),
                           digest_size=20).hexdigest()


def own_from_json(value: Any) -> OwnCode | None:
    """An ``OwnCode`` stored by :func:`own_to_json`, or None if it is not one."""
    try:
        return OwnCode(set(value["scripts"]), set(value["style_attrs"]), set(value["style_elements"]),
                       {(a, b) for a, b in value["metas"]}, {(a, b) for a, b in value["ids"]})
    except (KeyError, TypeError, ValueError):
        return None


def own_to_json(own: OwnCode) -> dict[str, Any]:
    return {"scripts": sorted(own.scripts), "style_attrs": sorted(own.style_attrs),
            "style_elements": sorted(own.style_elements), "metas": sorted(own.metas), "ids": sorted(own.ids)}


def collect(site: Path) -> OwnCode:
    own = OwnCode()
    for path in sorted(site.rglob("*.html")):
        own.add_page(path.read_text(encoding="utf-8"))
    return own
