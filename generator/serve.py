"""``portal serve``: a local preview that follows the data as it is edited.

mkdocs' own development server does the serving, live reload and dirty
rebuilds; this module keeps its docs folder in step with the data: on every
change under ``data/``, ``content/`` or ``site_templates/`` it re-checks (with the
check's cache: only the edited files are read again), re-renders only the pages
whose inputs changed (``generator.site.render_cache``, kept in memory), and
rewrites only the pages whose Markdown changed, so mkdocs rebuilds only those
(its theme compiled once: ``generator.site.serve_hooks``). ``bench/bench_serve.py``
measures the time from a saved edit to the page. A data error never stops the
server: the problems are printed in the terminal and shown on the home page until
they are fixed.
"""

from __future__ import annotations

import logging
import os
import pickle
import threading
from pathlib import Path
from typing import Any

import uvicorn
import yaml
from markupsafe import escape
from mkdocs.commands.serve import serve as mkdocs_serve
from watchfiles import watch as watch_files

from endpoint.app import create_app
from endpoint.settings import Settings
from generator import registry
from generator.build import DEFAULT_ENDPOINT, SiteFiles, languages, mkdocs_config, render_site, write_docs
from generator.form_sources import all_forms, endpoint_parts
from generator.forms_spec import compile_forms
from generator.load import load_yaml_kinds
from generator.pipeline import Checked, load_and_check
from generator.reporters import text
from generator.secrets_file import shared_secret
from generator.site import serve_hooks
from generator.site.admin import ADMIN_TEMPLATES, admin_files, find_bundle
from generator.site.render import TEMPLATES
from portal_core import i18n
from portal_core.languages import lang_url

log = logging.getLogger("portal.serve")


def error_page(report_text: str) -> bytes:
    lines = "\n".join(escape(line) for line in report_text.splitlines())
    return (
        f"---\ntitle: {i18n.both('cli.serve.data-errors')}\n---\n\n# {i18n.both('cli.serve.data-errors')}\n\n"
        f'!!! failure "{i18n.both("cli.serve.not-updated")}"\n\n'
        f'<pre class="problems">{lines}</pre>\n'
    ).encode()


class Preview:
    """Keeps ``docs`` in step with the project; thread-safe ``refresh``."""

    def __init__(self, root: Path, lang: str | None, site_url: str, endpoint_url: str = "") -> None:
        self.root, self.site_url, self.endpoint_url = root, site_url, endpoint_url
        self.secret = shared_secret(root)
        self.lock = threading.Lock()
        checked = load_and_check(root)
        self.langs = languages(checked) if checked.project.community else ["zh"]
        self.lang = lang or self.langs[0]
        self.work = root / ".portal-build" / f"serve-{self.lang}"
        self.docs = self.work / "docs"
        self.last_good: SiteFiles = SiteFiles()
        self._admin: tuple[bytes, dict[str, bytes]] | None = None
        self._apply(checked)

    def admin(self, checked: Checked) -> dict[str, bytes]:
        """``admin_files``, made again only when what it reads changed: the community
        (its editor settings, address and languages), the local backend's address and
        the files under ``site_templates/admin`` (its YAML took as long as the render)."""
        try:
            key = pickle.dumps((checked.project.community, os.environ.get("PORTAL_LOCAL_BACKEND"),
                                find_bundle(self.root),
                                sorted((p.name, p.read_bytes()) for p in ADMIN_TEMPLATES.iterdir() if p.is_file())))
        except Exception:  # noqa: BLE001 - whatever cannot be keyed is made every time
            return admin_files(checked)
        if self._admin is None or self._admin[0] != key:
            self._admin = (key, admin_files(checked))
        return self._admin[1]

    def _apply(self, checked: Checked) -> list[str]:
        report = checked.report
        if report.problems:
            print(text(report), flush=True)
        if report.ok:
            self.last_good = render_site(checked, self.lang, lang_url(self.site_url, self.lang, self.langs),
                                         self.endpoint_url or DEFAULT_ENDPOINT, self.secret)
            files = self.last_good
        else:
            files = SiteFiles(self.last_good)
            files["index.md"] = error_page(text(report))
            if "assets/portal.css" not in files:
                files["assets/portal.css"] = (TEMPLATES / "assets" / "portal.css").read_bytes()
        # /admin/: the browser editor, even while data has errors. The error page is not listed as
        # generated, so the hook sanitizes it like a hand-written page.
        generated: frozenset[str] = frozenset(getattr(self.last_good, "generated", frozenset())) - (
            {"index.md"} if not report.ok else set())
        files = SiteFiles({**files, **self.admin(checked)})
        files.generated = generated
        changed = write_docs(self.docs, files)
        if report.ok and not self.config_file.exists():
            self._write_config(checked)
        return changed

    @property
    def config_file(self) -> Path:
        return self.work / "mkdocs.yml"

    def _write_config(self, checked: object) -> None:
        config = mkdocs_config(self.root, self.lang, self.langs, self.docs, self.work / "site", checked,  # type: ignore[arg-type]
                               self.site_url)
        config["hooks"] = [*config["hooks"], serve_hooks.__file__]  # the theme compiled once, not per rebuild
        self.config_file.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")

    def refresh(self) -> list[str]:
        with self.lock:
            try:
                changed = self._apply(load_and_check(self.root))
            except Exception as exc:  # noqa: BLE001 - the preview must survive anything
                print(f"portal serve: {i18n.text('cli.internal-error', 'zh')} {i18n.text('cli.internal-error', 'en')}: "
                      f"{type(exc).__name__}: {exc}", flush=True)
                return []
        if changed:
            print(f"portal serve: {i18n.text('cli.serve.updated', 'zh')} {i18n.text('cli.serve.updated', 'en')} "
                  f"{i18n.text('cli.serve.files', 'zh', n=len(changed))}: {', '.join(changed[:5])}", flush=True)
        return changed


def watch(preview: Preview, stop: threading.Event) -> None:
    paths = [p for p in (preview.root / "data", preview.root / "content", TEMPLATES) if p.exists()]
    for _changes in watch_files(*paths, stop_event=stop, debounce=300):
        preview.refresh()


def start_endpoint(root: Path, host: str, port: int, site_url: str) -> None:
    """Run the form endpoint in a background thread, with the forms as they are now."""
    docs, _ = load_yaml_kinds(root, registry.KINDS)
    def models(kind: str) -> list[Any]:
        return [d.model for d in docs.get(kind, []) if d.model is not None]

    spec = compile_forms(all_forms(models))
    spec.update(endpoint_parts(models)[0])  # the rounds' online ballots
    community = next((d.model for d in docs["community"] if d.model is not None), None)
    if community is not None:  # as the build writes it: the store serves this community only
        spec["community"] = community.id
    settings = Settings.from_env(site=str(root / "site"), site_url=site_url, secret=shared_secret(root))
    if not settings.allowed_origins:  # the preview answers on both names
        page_port = site_url.rstrip("/").rsplit(":", 1)[-1]
        settings.allowed_origins = f"http://127.0.0.1:{page_port},http://localhost:{page_port}"
    if "PORTAL_DB" not in os.environ:
        settings.db = f"sqlite:///{root / 'submissions.db'}"
    app = create_app(settings, spec=spec)
    server = uvicorn.Server(uvicorn.Config(app, host=host, port=port, log_level="warning"))
    threading.Thread(target=server.run, name="endpoint", daemon=True).start()
    print(f"portal serve: {i18n.text('cli.serve.form-endpoint', 'zh')} {i18n.text('cli.serve.form-endpoint', 'en')} "
          f"http://{host}:{port}/ · {settings.db}", flush=True)


def serve(root: Path, host: str = "127.0.0.1", port: int = 8000, lang: str | None = None,
          endpoint_port: int | None = None) -> None:
    root = Path(root).resolve()
    site_url = f"http://{host}:{port}/"
    endpoint_url = ""
    if endpoint_port:
        endpoint_url = f"http://{host}:{endpoint_port}"
        start_endpoint(root, host, endpoint_port, site_url)
    preview = Preview(root, lang, site_url, endpoint_url)
    if not preview.config_file.exists():
        # First start with broken data: a minimal config so the error page is served.
        preview.config_file.write_text(yaml.safe_dump({
            "site_name": "portal preview", "docs_dir": str(preview.docs),
            "theme": {"name": "material", "font": False, "language": "zh"},
            "extra_css": ["assets/portal.css"], "markdown_extensions": ["admonition"],
        }), encoding="utf-8")
    stop = threading.Event()
    thread = threading.Thread(target=watch, args=(preview, stop), daemon=True)
    thread.start()
    try:
        mkdocs_serve(str(preview.config_file), livereload=True, build_type="dirty",
                     dev_addr=f"{host}:{port}", open_in_browser=False)
    finally:
        stop.set()
