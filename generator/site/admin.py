"""``/admin/``: the browser editor (Decap CMS) for committee members who never
use git.

``portal build`` writes ``site/admin/``: ``index.html``, ``config.yml`` (generated
from the models, ``generator/site/admin_config.py``), our small ``portal-admin.js``
and ``.css``, and Decap's bundle copied from ``<project>/node_modules/decap-cms/dist/``
or, failing that, this checkout's ``node_modules`` (installed by ``scripts/setup``;
never a CDN). Without the bundle the build still succeeds: ``/admin/`` then says
how to install it and the build prints one warning line. ``portal serve`` serves
the same files from its docs folder.

Local use: ``npx decap-server`` in the community's repository (it serves the
repository's files on http://localhost:8081/api/v1, ``PORT`` changes the port and
``PORTAL_LOCAL_BACKEND`` tells the generated config), then ``portal serve`` and
open http://127.0.0.1:8000/admin/.
"""

from __future__ import annotations

import functools
import os
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from generator.pipeline import Checked
from generator.site.admin_config import DEFAULT_LOCAL_BACKEND, decap_config
from generator.site.page_scan import origin
from generator.site.render import TEMPLATES
from portal_core.i18n import both, text

if TYPE_CHECKING:  # community.yaml's editor settings: read, never imported at run time
    from generator.kinds.community.model import Editor

REPO = Path(__file__).resolve().parents[2]
BUNDLE = "decap-cms.js"
ADMIN_TEMPLATES = TEMPLATES / "admin"

#: The Content-Security-Policy /admin/ needs, measured with Chromium against
#: decap-cms 3.16.3 (tests/test_admin.py edits, creates and uploads under exactly
#: this policy and fails on any violation; each source below was found by leaving
#: it out):
#: - script-src 'unsafe-eval': Decap validates its config with ajv, which compiles
#:   the schema with new Function; without it the editor does not start;
#: - style-src 'unsafe-inline': Decap styles itself with emotion (<style> elements);
#: - img-src blob: and connect-src blob:: an uploaded file is read back and
#:   previewed through a blob: URL;
#: - connect-src: decap-server for local use, and the git host's API once online
#:   (api.github.com, gitlab.com; self-hosted hosts: see ``admin_csp``).
#: Not needed in any flow tested: data: images, workers, frames, 'wasm-unsafe-eval'
#: (the WebP encoder in Decap's bundle is loaded only when image optimisation is
#: configured, which we do not).
ADMIN_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-eval'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' blob:; connect-src 'self' blob: http://localhost:8081 http://127.0.0.1:8081 "
    "https://api.github.com https://gitlab.com; object-src 'none'; base-uri 'self'; form-action 'self'"
)


def admin_csp(editor: Editor | None) -> str:
    """``ADMIN_CSP`` plus the origins of a self-hosted host's API and login
    server (``editor.api_root``, ``editor.base_url``), which the editor fetches
    (GitLab and Gitea exchange the PKCE code for a token with fetch)."""
    extra = []
    for url in (editor.api_root, editor.base_url) if editor else ():
        host = origin(url) if url else None
        if host and host not in ADMIN_CSP and host not in extra:
            extra.append(host)
    if not extra:
        return ADMIN_CSP
    return ADMIN_CSP.replace("https://gitlab.com;", "https://gitlab.com " + " ".join(extra) + ";")


def find_bundle(root: Path) -> Path | None:
    """Decap's ``dist`` folder: the project's own npm install first, then ours."""
    for base in (Path(root), REPO):
        dist = base / "node_modules" / "decap-cms" / "dist"
        if (dist / BUNDLE).is_file():
            return dist
    return None


@functools.cache
def _bundle(dist: Path, mtime: float) -> dict[str, bytes]:
    """The bundle and the chunks and WebAssembly it loads lazily (source maps
    and the duplicate ``cms.js`` build are left out). Cached per mtime, as
    ``portal serve`` asks on every change."""
    files: dict[str, bytes] = {}
    for path in sorted(dist.iterdir()):
        name = path.name
        if name == BUNDLE or name.endswith((".decap-cms.js", ".wasm")) or name == BUNDLE + ".LICENSE.txt":
            files[name] = path.read_bytes()
    return files


def _text_languages(config: Any, langs: list[str]) -> None:
    """Tell every portal-text field which languages the site has (default first)."""
    if isinstance(config, dict):
        if config.get("widget") in ("portal-text", "portal-text-list"):
            config["languages"] = langs
        for value in config.values():
            _text_languages(value, langs)
    elif isinstance(config, list):
        for value in config:
            _text_languages(value, langs)


def config_yaml(checked: Checked) -> str:
    community = checked.project.community
    editor = getattr(community, "editor", None)
    langs = ["zh", "en"]
    if community is not None:
        langs = [community.languages.default, *[x for x in community.languages.others if x != community.languages.default]]
    config = decap_config(editor, os.environ.get("PORTAL_LOCAL_BACKEND") or DEFAULT_LOCAL_BACKEND,
                          getattr(community, "site_url", None), langs[0])
    _text_languages(config["collections"], langs)
    header = f"# {text('cli.build.editor-config-header', 'en')}\n# {text('cli.build.editor-config-header', 'zh')}\n"
    return header + yaml.dump(config, Dumper=_dumper(config), allow_unicode=True, sort_keys=False, width=120)


#: A character outside these makes a string double-quoted or escaped, where the two emitters
#: differ (libyaml escapes U+0085 and characters above U+FFFF, and folds long double-quoted
#: strings elsewhere); with these alone they write the same text (fuzzed: tests/test_admin.py).
_PLAIN_FOR_BOTH = re.compile("[^\n\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd]")


def _dumper(config: Any) -> Any:
    """libyaml's emitter when present: the configuration is large (every kind's fields) and
    the pure-Python one took ~0.15 s of each build. A configuration holding a string that
    needs escapes (an emoji or a tab in a branch name: ``_PLAIN_FOR_BOTH``) keeps the
    Python emitter, so the file is the same either way."""
    fast = getattr(yaml, "CSafeDumper", None)
    stack = [config]
    while stack and fast is not None:
        value = stack.pop()
        if isinstance(value, str):
            if _PLAIN_FOR_BOTH.search(value):
                return yaml.SafeDumper
        elif isinstance(value, dict):
            stack.extend(value.keys())
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)
    return fast or yaml.SafeDumper


def admin_files(checked: Checked) -> dict[str, bytes]:
    """Every file of ``/admin/``, by path relative to the site root."""
    root = checked.project.root
    files = {"admin/portal-admin.css": (ADMIN_TEMPLATES / "portal-admin.css").read_bytes()}
    dist = find_bundle(root)
    if dist is None:
        files["admin/index.html"] = (ADMIN_TEMPLATES / "missing.html").read_bytes()
        return files
    files["admin/index.html"] = (ADMIN_TEMPLATES / "index.html").read_bytes()
    files["admin/portal-admin.js"] = (ADMIN_TEMPLATES / "portal-admin.js").read_bytes()
    files["admin/config.yml"] = config_yaml(checked).encode("utf-8")
    for name, data in _bundle(dist, (dist / BUNDLE).stat().st_mtime).items():
        files[f"admin/{name}"] = data
    return files


def write_admin(checked: Checked, site: Path) -> None:
    """Write ``/admin/`` into the built ``site``; one warning line without the bundle."""
    files = admin_files(checked)
    for rel, data in files.items():
        target = site / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    if "admin/config.yml" not in files:
        print(f"portal build: {text('cli.check.warning', 'zh')} {text('cli.check.warning', 'en')}: "
              f"{both('cli.build.no-editor')}", file=sys.stderr, flush=True)
