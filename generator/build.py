"""``portal build``: check → render → mkdocs build, for each language, then swap
the finished site into place.

- The check runs first; any error stops the build before anything is written.
- Pages are rendered to plain Markdown with front matter under a build folder
  (``.portal-build/<lang>/docs``), beside the hand-written pages of ``content/``,
  so any mkdocs-compatible builder can take over (mkdocs-material reaches end of
  life in 2027).
- The two languages are independent mkdocs builds (zh at ``/``, en at ``/en/``)
  and run in parallel processes.
- The output folder is replaced only when everything succeeded: the new site is
  built beside it and swapped in with renames, so a failed build leaves the
  previous site untouched; and only when it is empty or a previous build,
  never the project or its sources (``generator.outdir``).
"""

from __future__ import annotations

import copy
import hashlib
import html
import json
import multiprocessing
import os
import shutil
import threading
import time
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable
from urllib.parse import urlsplit

import yaml

from generator import kept_site, signed, site_config, unchanged
from generator.checks.privacy import contact_values
from generator.form_sources import endpoint_parts, models_of, project_forms
from generator.forms_spec import compile_forms
from generator.kinds.base import Page
from generator.kinds.common import Today
from generator.loading.cache import caches_off, code_version, key_of, user_store
from generator.loading.fsguard import safe_files
from generator.outdir import check_output, locked, reclaim, swap, write_marker
from generator.pipeline import Checked, inputs_of, keep_report, load_and_check, open_cache, stored_report
from generator.problems import Report
from generator.secrets_file import shared_secret
from generator.site import markdown_guard, mkdocs_hooks, table_labels
from generator.site.admin import write_admin
from generator.site.archive import write_archive
from generator.site.exports import write_extras, write_kind_files
from generator.site.header_formats import write_security_headers
from generator.site.mkdocs_hooks import GENERATED_LIST
from generator.site.mkdocs_run import MkdocsFailed, mkdocs_build
from generator.site.mkdocs_run import run_all as run_mkdocs
from generator.site.pages import build_pages, navigation, template_dirs
from generator.site.published_scan import scan_published
from generator.site.render import TEMPLATES, Renderer
from generator.site.render_cache import RenderCache
from generator.site.search import PAGEFIND_ARGS, find_pagefind, index_site, warn_missing
from generator.site.security_headers import ForeignCode
from generator.site.theme_patch import drop_sitemap_fetch
from generator.site.theme_probe import (
    OwnCode,
    at_path,
    collect,
    own_from_json,
    own_to_json,
    page_depths,
    probe_config,
    probe_key,
    site_path,
)
from portal_core.i18n import both
from portal_core.languages import lang_url
from portal_core.tokens import sign_token

REPO = Path(__file__).resolve().parent.parent
DEFAULT_ENDPOINT = "http://127.0.0.1:8001"
#: ``portal build --archive``: the whole site as a zip, in the site root.
ARCHIVE = "offline-site.zip"
LANG_NAMES = {"zh": "中文", "en": "English"}


def probe_store() -> Path:
    """Where the theme probe's results (``theme_probe``) are kept: shared by every project and
    community of this user, outside any of them (signed entries: ``generator.signed``)."""
    return user_store("theme-probe")


class BuildError(Exception):
    """The build stopped; ``report`` holds the data problems, if that was why."""

    def __init__(self, message: str, report: Report | None = None) -> None:
        super().__init__(message)
        self.report = report


@dataclass
class BuildResult:
    out: Path
    pages: int
    seconds: dict[str, float] = field(default_factory=dict)
    report: Report | None = None
    #: nothing changed since the last build, which left ``out`` as it is (``generator.unchanged``)
    unchanged: bool = False
    #: the project as this build checked it (None when unchanged), for callers that need more
    #: of it (a street's views: ``street.collect.community_facts``), and the fingerprint of the
    #: inputs it was checked from (None when files changed while it ran, or without the cache)
    checked: Checked | None = field(default=None, repr=False)
    inputs: str | None = None
    #: ``outdir.folder_digest`` of ``out`` as this build left it (or found it, when unchanged)
    site_digest: str | None = None


def languages(checked: Checked) -> list[str]:
    community = checked.project.community
    return [community.languages.default, *[x for x in community.languages.others if x in LANG_NAMES]]


class SiteFiles(dict[str, bytes]):
    """The files of one language's docs folder by relative path; ``generated``
    names the pages the portal rendered (the rest of the pages are hand-written
    and get sanitized as a whole: ``generator.site.mkdocs_hooks``)."""

    generated: frozenset[str] = frozenset()


def render_site(checked: Checked, lang: str, site_url: str, endpoint_url: str = DEFAULT_ENDPOINT,
                secret: str = "", prepared: tuple[list[Page], dict[str, Any]] | None = None) -> SiteFiles:
    """Every file of the ``lang`` docs folder: generated pages, hand-written pages
    from ``content/<lang>/`` and the site assets, by relative path. ``prepared``: the
    pages and shared context (``build_pages``, the same for every language), if made
    already. Pages whose inputs did not change come from the render cache."""
    default = checked.project.community.languages.default
    root = checked.project.root
    cache = RenderCache.open(root, TEMPLATES, lang, default)
    renderer = Renderer(lang, default, kinds=template_dirs(), cache=cache)
    pages, common = prepared or build_pages(checked.project, checked.index, checked.report.problems)
    common = {**common, "site_url": site_url, "endpoint_url": endpoint_url.rstrip("/")}
    # Build-time tokens let visitors without JavaScript submit (see endpoint.abuse).
    _, token_ids = endpoint_parts(models_of(checked.project))  # e.g. each online ballot's page
    common["static_tokens"] = static_tokens(secret, [form.id for form in project_forms(checked.project)] + token_ids)
    files = SiteFiles((page.path, renderer.render(page, common).encode("utf-8")) for page in pages)
    if cache is not None:
        cache.save()
    files.generated = frozenset(files)
    for folder, prefix in ((root / "content" / lang, ""), (TEMPLATES / "assets", "assets/")):
        if folder.is_dir():
            # Only what fsguard allows: a link out of the project is never copied into the site, and
            # from content/ only pages and inert media (never a script, an HTML page or an SVG).
            for rel, path in safe_files(TEMPLATES.parent if prefix else root, folder, own=bool(prefix)):
                files[prefix + rel] = path.read_bytes()
    return files


def render_languages(checked: Checked, langs: list[str], site_url: str, endpoint_url: str, secret: str,
                     jobs: int | None = None) -> dict[str, SiteFiles]:
    """``render_site`` for each language, the pages worked out once for all.

    In one process by default: the languages then share the compiled templates and
    the Markdown of untranslated texts, and the forked workers' copy-on-write and
    duplicated work cost more than they save on 2 cores (measured, 356 pages, 2 busy
    cores: CPU 2.2 s serial against 3.3 s forked from cold, 0.75 s against 1.2 s
    warm; ``bench/README.md``). ``jobs`` ≥ 2 renders the languages in forked workers at
    once (for idle cores), unless threads are running (a street builds its
    communities in threads, and forking a threaded process can deadlock).
    """
    parallel = (jobs is not None and jobs > 1 and len(langs) > 1 and threading.active_count() == 1
                and "fork" in multiprocessing.get_all_start_methods())
    prepared = build_pages(checked.project, checked.index, checked.report.problems)
    urls = {lang: lang_url(site_url, lang, langs) for lang in langs}
    if not parallel:
        return {lang: render_site(checked, lang, urls[lang], endpoint_url, secret, prepared) for lang in langs}
    global _FORKED
    _FORKED = (checked, urls, endpoint_url, secret, prepared)  # the workers inherit it (fork), nothing is pickled
    try:
        with ProcessPoolExecutor(len(langs), mp_context=multiprocessing.get_context("fork")) as pool:
            return dict(zip(langs, pool.map(_render_forked, langs)))
    finally:
        _FORKED = None


_FORKED: tuple[Checked, dict[str, str], str, str, tuple[list[Page], dict[str, Any]]] | None = None


def _render_forked(lang: str) -> SiteFiles:
    """One language's ``render_site`` in a forked worker (``render_languages``)."""
    assert _FORKED is not None
    checked, urls, endpoint_url, secret, prepared = _FORKED
    return render_site(checked, lang, urls[lang], endpoint_url, secret, prepared)


#: A static token's issue time is the start of its UTC day: form pages stay byte-identical
#: across builds of the same day (an unchanged page is not rewritten, so mkdocs and the
#: post-build steps skip it), and the endpoint still accepts it (issued in the past, expiring
#: ``static_token_days`` after that day began: at most a day early).
TOKEN_BUCKET_S = 86400


def static_tokens(secret: str, form_ids: list[str], now: float | None = None) -> dict[str, str]:
    """The build-time token of each form, stable within a UTC day."""
    if not secret:
        return {}
    issued = int(now if now is not None else time.time()) // TOKEN_BUCKET_S * TOKEN_BUCKET_S
    return {form_id: sign_token(secret.encode(), form_id, issued, "s") for form_id in form_ids}


def write_docs(docs: Path, files: dict[str, bytes]) -> list[str]:
    """Make ``docs`` hold exactly ``files``, touching only what changed (so a
    live-reloading server rebuilds only those pages), and list the generated
    pages beside it for the sanitizing hook. Returns the changed paths."""
    changed = []
    reclaim(docs.parent.parent)  # never write through a link planted in the work folder
    docs.mkdir(parents=True, exist_ok=True)
    listed = json.dumps(sorted(getattr(files, "generated", ())), ensure_ascii=False).encode("utf-8")
    listing = docs.parent / GENERATED_LIST
    if not listing.is_file() or listing.read_bytes() != listed:
        listing.write_bytes(listed)
    for rel, data in files.items():
        target = docs / rel
        if target.is_file() and target.read_bytes() == data:
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        changed.append(rel)
    for path in sorted(docs.rglob("*"), reverse=True):
        rel = path.relative_to(docs).as_posix()
        if path.is_file() and rel not in files:
            path.unlink()
            changed.append(rel)
        elif path.is_dir() and not any(path.iterdir()):
            path.rmdir()
    return changed


def page_url_of(md: str) -> str:
    """The address mkdocs gives a Markdown file (use_directory_urls), relative to the
    language root: ``notices/x.md`` → ``notices/x/``, ``notices/index.md`` → ``notices/``."""
    stem = md.removesuffix(".md")
    if stem == "index" or stem.endswith("/index"):
        return stem.removesuffix("index")
    return stem + "/"


def mkdocs_config(root: Path, lang: str, langs: list[str], docs: Path, site_dir: Path, checked: Checked,
                  site_url: str, solo: list[str] | None = None) -> dict[str, Any]:
    """One language's mkdocs configuration: the portal's own (theme folder, Markdown
    extensions, hooks, no plugins) with the settings the project's ``mkdocs.yml`` may
    choose (``generator.site_config``). Nothing else of that file is used: it is data."""
    site, _problems = site_config.read(root)  # with problems (the check stops the build): the defaults
    renderer = Renderer(lang, langs[0], kinds=template_dirs())
    community = checked.project.community
    base = urlsplit(site_url).path.rstrip("/") + "/"  # a site under a path, e.g. GitHub project pages /repo/
    # mkdocs' templates do not autoescape: text from the file goes in as text, never markup.
    texts = {key: html.escape(value) for key in ("site_description", "site_author", "copyright")
             if (value := getattr(site, key))}
    palette: Any = [p.model_dump(exclude_none=True) for p in site.theme.palette] \
        if isinstance(site.theme.palette, list) else site.theme.palette.model_dump(exclude_none=True)
    if isinstance(palette, list):
        for entry in palette:
            if "toggle" in entry:
                entry["toggle"]["name"] = html.escape(entry["toggle"]["name"])
        if len(palette) == 1:
            # A one-entry list makes material write a palette switch with nothing to switch:
            # a focusable radio input inside aria-hidden (axe aria-hidden-focus).
            palette = palette[0]
    theme: dict[str, Any] = {
        "name": "material",
        "custom_dir": str(TEMPLATES / "theme"),  # the portal's: mkdocs publishes the theme folder's files
        "language": lang,
        "font": False,
        "features": list(site.theme.features),
        "palette": palette,
    }
    for key in ("logo", "favicon"):
        rel = getattr(site.theme, key)
        if rel:
            theme[key] = site_config.language_link(root, rel, lang, langs, base)
    if site.theme.icon:
        theme["icon"] = dict(site.theme.icon)
    menu = [{title: path} for path, title in navigation(lang)]
    menu += [{html.escape(title): target} for title, target in site_config.menu_entries(root, site, lang)]
    extra: dict[str, Any] = {"generator": site.extra.generator}
    if site.extra.homepage:
        extra["homepage"] = site.extra.homepage
    extra["alternate"] = [
        {"name": LANG_NAMES.get(code, code), "lang": code,
         "link": base + ("" if code == langs[0] else f"{code}/")} for code in langs
    ]
    # For the per-page hreflang alternates (theme main.html): each language's address,
    # and the pages that exist in this language only (hand-written ones may).
    extra["portal"] = {"default": langs[0], "sites": {code: lang_url(site_url, code, langs) for code in langs},
                       "solo": solo or [],
                       # the theme's own words (header switches), from site_templates/strings.yaml
                       "t": {key: renderer.t(key) for key in ("elder_on", "elder_off", "read_aloud", "read_stop",
                                                              "search")}}
    return {
        "site_name": f"{renderer.plain(community.name)} · {renderer.t('site_title')}",
        "site_url": lang_url(site_url, lang, langs),
        **texts,
        "use_directory_urls": True,  # page_url_of and the portal's links expect it
        "strict": False,
        "docs_dir": str(docs),
        "site_dir": str(site_dir),
        "nav": menu,
        "theme": theme,
        "extra": extra,
        "extra_css": list(site_config.PORTAL_CSS),
        # Content is data: hand-written pages are sanitized as a whole, and Markdown syntax
        # in escaped plain text can carry no handler or script address (see both modules).
        # table_labels: column labels on cells, for the stacked rows of wide tables on phones
        "markdown_extensions": [*copy.deepcopy(site_config.PORTAL_EXTENSIONS), markdown_guard.__name__,
                                table_labels.__name__],
        "hooks": [mkdocs_hooks.__file__],
        # Search is Pagefind, run after mkdocs (generator/site/search.py): material's own
        # search plugin would make every page download the whole index. An empty list, not
        # a missing key: without "plugins" mkdocs adds its search plugin by itself.
        "plugins": [],
    }


def build(root: Path, out: Path | None = None, site_url: str | None = None, jobs: int | None = None,
          endpoint_url: str | None = None, on_wait: Callable[[], None] | None = None,
          archive: bool = False, strict: bool = False,
          progress: Callable[[str], None] | None = None) -> BuildResult:
    """Build the site into ``out`` (default ``root/site``); ``archive``: also a zip of
    the whole site that opens without a server (USB stick, kiosk); ``strict``:
    governance gaps (``messages.GOVERNANCE``) stop the build like errors.

    Raises ``UnsafeOutput`` before anything is written when ``out`` is not a
    folder the build may replace (see ``generator.outdir``). Concurrent builds
    from the same project or into the same folder take turns; ``on_wait`` is
    called once when this one has to wait; ``progress`` with each step's name as it
    starts (``BUILD_STEPS``, see ``generator.progress``).
    """
    root = Path(root).resolve()
    out = (out or root / "site").resolve()
    check_output(root, out)
    reclaim(root / ".portal-build")
    try:
        with locked(root / ".portal-build" / "lock", on_wait), \
                locked(out.parent / f".{out.name}.lock", on_wait):
            return _build(root, out, site_url, jobs, endpoint_url, archive, strict, progress or _quiet)
    except TimeoutError:
        raise BuildError(both("cli.build.still-running")) from None


#: The steps ``build`` reports to its ``progress`` callback, in order.
BUILD_STEPS = ("check", "render", "mkdocs", "search", "finish")


def _quiet(step: str) -> None:
    """No progress report (library calls, tests)."""


def _build(root: Path, out: Path, site_url: str | None, jobs: int | None,
           endpoint_url: str | None, archive: bool = False, strict: bool = False,
           progress: Callable[[str], None] = lambda step: None) -> BuildResult:
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    progress("check")
    # Everything the site depends on besides the files (generator.unchanged): equal to the
    # last build's, with its output untouched, there is nothing to do, not even the check.
    store = open_cache(root)
    inputs, seen = inputs_of(root, store)
    secret = shared_secret(root)
    key = unchanged.build_key(inputs, TEMPLATES, {
        "site_url": site_url, "endpoint_url": endpoint_url, "archive": archive, "strict": strict,
        "today": Today.get().isoformat(), "token_day": int(time.time()) // TOKEN_BUCKET_S,
        "secret": hashlib.sha256(secret.encode()).hexdigest(), "pagefind": find_pagefind(root, REPO)})
    before = unchanged.last_build(root, out, key)
    report = stored_report(store, inputs, strict) if before is not None else None
    if before is not None and report is not None:
        timings["total"] = time.perf_counter() - t0
        return BuildResult(out, before[0], timings, report, unchanged=True, site_digest=before[1])
    unchanged.forget(root)
    checked = load_and_check(root, jobs=jobs, strict=strict)
    checked_inputs = inputs if keep_report(store, root, inputs, seen, strict, checked.report) else None
    timings["check"] = time.perf_counter() - t0
    if not checked.report.ok:
        raise BuildError("data has errors", checked.report)
    langs = languages(checked)
    community = checked.project.community
    site_url = site_url or community.site_url or "http://localhost:8000/"
    endpoint_url = endpoint_url or community.endpoint_url or DEFAULT_ENDPOINT

    work = root / ".portal-build"
    stage = out.parent / f".{out.name}.building-{os.getpid()}"
    for leftover in out.parent.glob(f".{out.name}.building-*"):
        shutil.rmtree(leftover, ignore_errors=True)
    t1 = time.perf_counter()
    progress("render")
    pages = 0
    rendered = render_languages(checked, langs, site_url, endpoint_url, secret, jobs)
    sources = {lang: {name for name in files if name.endswith(".md")} for lang, files in rendered.items()}
    templates = unchanged.theme_digest(TEMPLATES)
    own = OwnCode()
    mkdocs_runs: list[tuple[str, bool]] = []  # (configuration file, dirty)
    kept_keys: dict[str, str] = {}
    probes: list[tuple[Path, str, str]] = []  # probes to build: (folder, key of the result, site path)
    for lang in langs:
        docs = work / lang / "docs"
        record = kept_site.begin(work / lang)  # before the docs change: a build stopped after is never a base
        files = rendered[lang]
        changed = write_docs(docs, files)
        pages += sum(1 for name in files if name.endswith(".md"))
        kept = work / lang / "site"  # mkdocs' output, kept for the next build (generator.kept_site)
        others = set.intersection(*(sources[x] for x in langs if x != lang)) if len(langs) > 1 else set()
        solo = sorted(page_url_of(name) for name in sources[lang] - others)
        config = mkdocs_config(root, lang, langs, docs, kept, checked, site_url, solo)
        config_file = work / lang / "mkdocs.yml"
        config_file.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")
        kept_keys[lang] = kept_site.mkdocs_key(config_file, docs, files, templates)
        dirty = kept_site.dirty_ok(work / lang, record, kept_keys[lang])
        if dirty:
            kept_site.unlink_outputs(docs, kept, changed)
        mkdocs_runs.append((str(config_file), dirty))
        # The theme's own inline code, from the same configuration over empty pages (security_headers);
        # the same theme, settings and page depths give the same code: kept outside the project, signed.
        # Built at a placeholder site path, so one probe serves every community of a street.
        probe_work = work / lang / "probe"
        shutil.rmtree(probe_work, ignore_errors=True)
        probe = probe_config(config, probe_work, page_depths(n for n in files if n.endswith(".md")))
        probe_id = probe_key(probe, f"{templates}|{kept_site.versions()}")
        known = own_from_json(signed.load(probe_store() / f"{probe_id}.json", "theme-probe"))
        if known is not None:
            own.merge(at_path(known, site_path(config)))
            continue
        (probe_work / "mkdocs.yml").write_text(yaml.safe_dump(probe, allow_unicode=True, sort_keys=False),
                                               encoding="utf-8")
        mkdocs_runs.append((str(probe_work / "mkdocs.yml"), False))
        probes.append((probe_work, probe_id, site_path(config)))
    timings["render"] = time.perf_counter() - t1
    t2 = time.perf_counter()
    progress("mkdocs")
    try:
        if jobs == 1 or len(mkdocs_runs) == 1:
            for run, dirty in mkdocs_runs:
                mkdocs_build(run, dirty)
        else:
            try:
                run_mkdocs(mkdocs_runs, min(len(langs), len(mkdocs_runs)))
            except MkdocsFailed as exc:
                raise BuildError(str(exc)) from exc
        for lang in langs:
            kept_site.remember(work / lang, kept_keys[lang])
            # The stage is made of hard links to the kept output: every later step writes new
            # files (never in place), and mkdocs' next dirty build unlinks what it rewrites.
            kept_site.link_tree(work / lang / "site", stage / lang)
        for probe_work, probe_id, path in probes:
            found = collect(probe_work / "site")
            signed.save(probe_store() / f"{probe_id}.json", "theme-probe", own_to_json(found))
            own.merge(at_path(found, path))
        timings["mkdocs"] = time.perf_counter() - t2
        t3 = time.perf_counter()
        progress("search")
        # Pagefind reads mkdocs' pages only, and runs in a process of its own: the files the portal
        # adds are written meanwhile (after one notice was edited in a 482-page community, Pagefind
        # 1.2-1.5 s and these 0.75-1.1 s, one after the other before). Files the portal adds are written apart
        # and moved in: a file of the same name in the stage is a link to the kept mkdocs output,
        # which writing through would change.
        with ThreadPoolExecutor(1) as search:
            searching = search.submit(index_search, root, work, stage, langs)
            write_added(checked, stage / "added", langs, site_url, endpoint_url)
            searching.result()
        timings["search"] = time.perf_counter() - t3
        progress("finish")
        final = stage / "site"
        shutil.move(str(stage / langs[0]), final)
        for lang in langs[1:]:
            shutil.move(str(stage / lang), final / lang)
        drop_sitemap_fetch(final)  # per-page hreflang links would make material fetch a 404 per language
        move_into(stage / "added", final)
        # Personal data must not reach the published files, whatever produced them. Contents
        # scanned clean by an earlier build with the same contacts and code are not read again.
        # The same read of each page serves the page scan (the theme's own code only) below.
        allowed = contact_values(checked.project)
        scanned = kept_site.CleanFiles(work / "clean-files.json", "published-leaks",
                                       key_of(code_version(), *sorted(allowed)))
        own_pages = kept_site.CleanFiles(work / "clean-pages.json", "own-code",
                                         key_of(code_version(), json.dumps(own_to_json(own))))
        published = scan_published(final, allowed, scanned, own, own_pages)
        leaks = published.leaks
        scanned.save()
        if leaks:
            shown = "; ".join(f"{file}: {masked}" for file, _, masked in leaks[:5])
            raise BuildError(f"personal data in {len(leaks)} place(s) of the built site: {shown}")
        # Last step before the swap: the policy allows the theme's own code, and a page
        # holding any other inline code stops the build (ForeignCode).
        written = None if caches_off() else kept_site.PolicyPages(work / "policy-pages.json", final, out)
        try:
            write_security_headers(final, own, endpoint_url, own_pages, published.pages, written)
        except ForeignCode as exc:
            raise BuildError(f"unsafe content reached the pages: {exc}") from exc
        own_pages.save()
        if written is not None:
            written.save()
        if archive:  # the whole site for a USB stick or a kiosk (opens without a server)
            write_archive(final, final / ARCHIVE, base=urlsplit(site_url).path.rstrip("/") + "/")
        write_marker(final)  # tells the next build this folder is a site it may replace
        swap(root, final, out)
    except BaseException:
        shutil.rmtree(stage, ignore_errors=True)
        raise
    shutil.rmtree(stage, ignore_errors=True)
    digest = unchanged.remember(root, out, key, pages)
    timings["total"] = time.perf_counter() - t0
    return BuildResult(out, pages, timings, checked.report, checked=checked, inputs=checked_inputs,
                       site_digest=digest)


def index_search(root: Path, work: Path, stage: Path, langs: list[str]) -> None:
    """Each language's Pagefind index into ``stage/<lang>/pagefind`` (Pagefind splits words
    by the page's language); the same pages give the same index, so Pagefind runs only when
    a page of that language changed (``kept_site.reuse_pagefind``)."""
    pagefind = find_pagefind(root, REPO)
    if not pagefind:
        warn_missing()
        return

    def one(lang: str) -> None:
        html = kept_site.html_key(stage / lang, [pagefind, *PAGEFIND_ARGS])
        if not kept_site.reuse_pagefind(work / lang, html, stage / lang / "pagefind"):
            index_site(stage / lang, pagefind)
            kept_site.keep_pagefind(work / lang, html, stage / lang / "pagefind")

    # The languages at once: each Pagefind keeps about one core busy (a 242-page language
    # 1.3-1.8 s; zh and en of one community 3.1 s one after the other, 2.4 s at once)
    with ThreadPoolExecutor(max(1, len(langs))) as pool:
        list(pool.map(one, langs))


def write_added(checked: Checked, added: Path, langs: list[str], site_url: str, endpoint_url: str) -> None:
    """The files the portal adds to mkdocs' pages, into ``added`` (an empty folder)."""
    write_service_worker(added, langs, endpoint_url)
    write_extras(checked, added, langs, site_url)
    write_admin(checked, added)  # /admin/: the browser editor
    write_kind_files(checked, added, langs, site_url)
    (added / "forms").mkdir(exist_ok=True)
    spec = compile_forms(project_forms(checked.project))  # data/forms and the forms kinds derive
    spec.update(endpoint_parts(models_of(checked.project))[0])  # e.g. the online ballots' rounds
    spec["community"] = checked.project.community.id  # the endpoint binds its store to it (Store.bind)
    (added / "forms" / "spec.json").write_text(json.dumps(spec, ensure_ascii=False, indent=1), encoding="utf-8")


def write_service_worker(site: Path, langs: list[str], endpoint_url: str) -> None:
    """``sw.js`` at each language's root (offline reading of visited pages; see the
    file), told the endpoint's address so it never stores what goes there."""
    text = (TEMPLATES / "sw.js").read_text(encoding="utf-8")
    text = text.replace("__PORTAL_ENDPOINT__", endpoint_url.rstrip("/").replace('"', ""))
    for lang in langs:
        folder = site if lang == langs[0] else site / lang
        folder.mkdir(parents=True, exist_ok=True)
        folder.joinpath("sw.js").write_text(text, encoding="utf-8")


def move_into(added: Path, site: Path) -> None:
    """Move every file below ``added`` to the same place below ``site``, replacing the
    entry (a rename, never a write into an existing file: it may be a hard link)."""
    for current, _dirs, names in os.walk(added):
        for name in names:
            rel = os.path.relpath(os.path.join(current, name), added)
            (site / rel).parent.mkdir(parents=True, exist_ok=True)
            os.replace(os.path.join(current, name), site / rel)
