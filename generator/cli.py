"""``portal``: the command line. Each command is a thin wrapper over the library
function of the same name; exceptions become a message and an exit status here,
at this one boundary.

Exit status: 0 clean (warnings allowed), 1 problems found, 2 usage error.
"""

from __future__ import annotations

import atexit
import importlib
import json
import os
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import click

from endpoint.settings import Settings
from endpoint.workers import serve as serve_workers
from generator import __version__, registry, reporters
from generator.outdir import UnsafeOutput
from generator.pipeline import KEPT
from generator.pipeline import check as run_check
from generator.reference import write_reference
from generator.secrets_file import shared_secret
from generator.street.load import is_street

# What one command needs is imported by that command (build and serve bring mkdocs, watchfiles and
# uvicorn; headers, new, init and inbox the site's and scaffold's modules and jinja2): `portal check`
# after an edit is about a second, of which the start-up was half.
from portal_core import china_time, i18n


def _imported(name: str) -> Any:
    return importlib.import_module(name)


class _LaterChoice(click.Choice):  # type: ignore[type-arg]
    """``click.Choice`` of what a module imported on first asking offers (when the option is
    parsed or its help shown): the commands that do not offer it need not import it."""

    def __init__(self, load: Callable[[], Iterable[str]]) -> None:
        self._load = load
        self._later: tuple[str, ...] | None = None
        super().__init__(())

    @property
    def choices(self) -> tuple[str, ...]:
        if self._later is None:
            self._later = tuple(self._load())
        return self._later

    @choices.setter
    def choices(self, _value: Any) -> None:  # click's __init__ sets it: the choices come later
        pass


def _zh(key: str, **params: Any) -> str:
    return i18n.text(key, "zh", **params)


def _en(key: str, **params: Any) -> str:
    return i18n.text(key, "en", **params)




@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="portal")
def main() -> None:
    """社区居务公开与居民参与平台 · Community information and participation portal."""


@main.command()
@click.argument("project", default=".", type=click.Path(file_okay=False, path_type=Path))
@click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True,
              help="Language of the messages / 提示语言.")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "github"]), default="text",
              show_default=True, help="text, json, or GitHub Actions annotations.")
@click.option("--jobs", type=click.IntRange(min=1), default=None,
              help="1 to run frictionless in this process (default: a worker for large tables).")
@click.option("--strict", is_flag=True,
              help="Governance gaps (spending without sufficient approval, approvals not read out, …) are errors, "
                   "not warnings / 治理缺口按错误处理.")
def check(project: Path, lang: str, fmt: str, jobs: int | None, strict: bool) -> None:
    """Validate the community's open data and report every problem. In a street
    (a folder with street.yaml): street.yaml and every community; exit 1 when any
    community has an error.

    \b
    Example:
        portal check
        portal check ../my-community --lang en --format json
        portal check --strict        # in CI: governance gaps fail the check
    """
    try:
        if is_street(project):  # a street: street.yaml, then every community, each named in the report
            from generator.street.check import check_street

            report = check_street(project, jobs=jobs, strict=strict).report
        else:
            report = run_check(project, jobs=jobs, strict=strict, last=_exiting())
    except Exception as exc:  # noqa: BLE001 - a bug must still not print a traceback at a user
        click.echo(f"portal check: {_zh('cli.internal-error')} {_en('cli.internal-error')}: {type(exc).__name__}: {exc}\n"
                   f"{_zh('cli.report-bug')} / {_en('cli.report-bug')}", err=True)
        sys.exit(1)
    out = reporters.FORMATS[fmt](report, lang)
    sys.stdout.write(out)
    exit_now(0 if report.ok else 1)


def _exiting() -> bool:
    """Whether this command is the process, which exits when it is done: started as
    ``portal`` or ``python -m generator`` (``sys.argv[0]``), writing to its own standard
    output. A program that runs the command inside itself (a test's ``CliRunner``, which
    swaps the output; ``bench/compare_builds.py``) gets the usual ``SystemExit``."""
    program = sys.argv[0] if sys.argv else ""
    return sys.stdout is sys.__stdout__ and (
        os.path.basename(program) == "portal" or program.endswith(os.path.join("generator", "__main__.py")))


def exit_now(code: int) -> NoReturn:
    """Exit with ``code``. As the process itself (``_exiting``), without the interpreter's
    teardown, which would free one by one what the check kept (``pipeline.KEPT``): the
    exit handlers run and the output is flushed first, as a normal exit does."""
    if not _exiting() or not KEPT:
        sys.exit(code)
    atexit._run_exitfuncs()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


@main.command()
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=Path("content/reference"),
              show_default=True, help="Folder for the generated reference pages.")
def docs(out: Path) -> None:
    """Regenerate the data reference and problem-code pages from the schemas.

    \b
    Example:
        portal docs --out content/reference
    """
    for path in write_reference(out):
        click.echo(path)


@main.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option("--name", default="示例社区", show_default=True, help="Community name / 社区名称.")
@click.option("--id", "community_id", default="community", show_default=True,
              help="Community id, a-z 0-9 and '-' / 社区编号.")
@click.option("--portal-spec", default=None,
              help="pip arguments the CI installs portal with (PORTAL_SPEC); default: a placeholder to replace.")
@click.option("--no-git", is_flag=True, help="Do not run git init / 不运行 git init.")
@click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True,
              help="Language of the messages / 提示语言.")
@click.option("--street", is_flag=True,
              help="A street repository: street.yaml and its communities under communities/ / 街道仓库.")
@click.option("--communities", default=None,
              help="With --street: community ids, comma-separated (default: community) / 社区编号，逗号分隔.")
def init(directory: Path, name: str, community_id: str, portal_spec: str | None, no_git: bool, lang: str,
         street: bool, communities: str | None) -> None:
    """Create a community repository ready to publish: valid example data, site
    configuration, CI for GitHub/Gitea/Forgejo and GitLab, pre-commit, README.

    \b
    Example:
        portal init hehuali --name 荷花里社区 --id hehuali
        portal init my-site --portal-spec "git+https://example.org/community-portal.git"
    """
    kw = {"portal_spec": portal_spec} if portal_spec else {}
    if street:
        _init_street(directory, name, community_id, communities, no_git, lang, kw)
        return
    parent = directory.resolve().parent
    if parent.name == "communities" and is_street(parent.parent):
        # inside a street: one more community of it, named by its folder (its street.yaml line too)
        _new_community(parent.parent, directory.name, name, lang)
        return
    from generator.scaffold.init import init_project
    from generator.scaffold.templating import ScaffoldError

    try:
        result = init_project(directory, name=name, community_id=community_id, git=not no_git, **kw)
    except (ScaffoldError, OSError) as exc:
        _scaffold_failed("portal init", exc, lang)
    click.echo(i18n.text("cli.init.created", lang, directory=directory, count=len(result.files)))
    click.echo(i18n.text(f"cli.init.git.{result.git}", lang))
    click.echo(i18n.text("cli.init.next", lang, directory=directory))


def _init_street(directory: Path, name: str, street_id: str, communities: str | None, no_git: bool, lang: str,
                 kw: dict[str, str]) -> None:
    from generator.scaffold.street import init_street
    from generator.scaffold.templating import ScaffoldError

    ids = [c.strip() for c in communities.split(",") if c.strip()] if communities else None
    try:
        result = init_street(directory, name=name if name != "示例社区" else "示例街道",
                             street_id=street_id if street_id != "community" else "street",
                             communities=ids, git=not no_git, **kw)
    except (ScaffoldError, OSError) as exc:
        _scaffold_failed("portal init", exc, lang)
    click.echo(i18n.text("cli.street.init.created", lang, directory=directory, count=len(ids or ["community"])))
    click.echo(i18n.text(f"cli.init.git.{result.git}", lang))
    click.echo(i18n.text("cli.street.init.next", lang, directory=directory))


@main.command("new")
@click.argument("kind", type=_LaterChoice(lambda: [*_imported("generator.scaffold.new").kinds(), "community"]))
@click.argument("project", default=".", type=click.Path(file_okay=False, path_type=Path))
@click.option("--slug", default=None, help="Short ASCII name in the id, e.g. winter-safety / 英文短名.")
@click.option("--title", default=None, help="Title (a service's name) to prefill / 标题.")
@click.option("--date", "on", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="Date of the record (default: today) / 日期.")
@click.option("--body", default=None, help="Body id from community.yaml (default: the residents' committee).")
@click.option("--type", "meeting_type", default="committee", show_default=True, help="Meeting type (meeting).")
@click.option("--year", type=click.IntRange(2000, 2100), default=None,
              help="Budget year (budget-year; default: the year after the last).")
@click.option("--fund", default=None, help="Fund id of the first line (budget-year; default: the first fund).")
@click.option("--id", "community_id", default=None,
              help="community: its id in the street (PROJECT is the street folder) / 社区编号.")
@click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True,
              help="Language of the messages / 提示语言.")
def new(kind: str, project: Path, slug: str | None, title: str | None, on: Any, body: str | None,
        meeting_type: str, year: int | None, fund: str | None, community_id: str | None, lang: str) -> None:
    """Create a prefilled data file with hints, and list the blanks to fill.

    \b
    Example:
        portal new notice --slug water-cut --title "11月27日停水通知"
        portal new meeting --type deliberation --date 2026-12-08
        portal new budget-year --year 2027
        portal new community ../xinhe-street --id hehuali --title 荷花里社区
    """
    if kind == "community":
        _new_community(project, community_id, title, lang)
        return
    from generator.scaffold.new import new_record
    from generator.scaffold.templating import ScaffoldError

    try:
        result = new_record(project, kind, on.date() if on else None, slug, body, meeting_type, year, fund, title)
    except (ScaffoldError, OSError) as exc:
        _scaffold_failed("portal new", exc, lang)
    for rel in result.files:
        click.echo(i18n.text("cli.new.wrote", lang, path=rel))
    if result.blanks:
        click.echo(i18n.text("cli.new.blanks", lang, count=len(result.blanks)))
        for b in result.blanks:
            click.echo(f"  {b.where()}: {b.field}" + (f"（{b.hint}）" if lang == "zh" and b.hint else ""))


def _new_community(street: Path, community_id: str | None, name: str | None, lang: str) -> None:
    from generator.scaffold.street import add_community
    from generator.scaffold.templating import ScaffoldError

    if not community_id:
        click.echo("portal new community: --id", err=True)
        sys.exit(2)
    try:
        files = add_community(street, community_id, name)
    except (ScaffoldError, OSError) as exc:
        _scaffold_failed("portal new", exc, lang)
    click.echo(i18n.text("cli.street.new.added", lang, path=f"communities/{community_id}/ ({len(files)})"))


@main.command()
@click.argument("project", default=".", type=click.Path(file_okay=False, path_type=Path))
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Output folder (default: PROJECT/site). Replaced only when the build succeeds.")
@click.option("--site-url", default=None, help="Public address of the site (default: community.yaml site_url).")
@click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True,
              help="Language of the messages / 提示语言.")
@click.option("--jobs", type=click.IntRange(min=1), default=None, help="1 to build everything in this process.")
@click.option("--archive", is_flag=True,
              help="Also write offline-site.zip in the site root: the whole site, opens from a USB stick.")
@click.option("--strict", is_flag=True,
              help="Governance gaps (spending without sufficient approval, approvals not read out, …) are errors, "
                   "not warnings / 治理缺口按错误处理.")
def build(project: Path, out: Path | None, site_url: str | None, lang: str, jobs: int | None, archive: bool,
          strict: bool) -> None:
    """Check the data, then build the static website (zh at /, en at /en/).
    In a street (a folder with street.yaml): every community at /<id>/ and the
    street pages at /; a community with errors keeps its last pages (exit 0 with
    its problems listed; --strict: exit 1 and nothing replaced).

    \b
    Example:
        portal build
        portal build --out /var/www/community --site-url https://example.org/
    """
    from generator.build import (
        BUILD_STEPS,  # lazy: mkdocs
    )
    from generator.build import build as run_build
    from generator.progress import Steps

    def waiting() -> None:
        click.echo(i18n.both("cli.build.waiting"), err=True)

    if is_street(project):
        _build_street(project, out, site_url, lang, jobs, strict, waiting)
        return
    try:
        with Steps("portal build", len(BUILD_STEPS)) as steps:
            result = run_build(project, out, site_url=site_url, jobs=jobs, on_wait=waiting, archive=archive,
                               strict=strict, progress=steps)
    except Exception as exc:  # noqa: BLE001
        _build_failed(exc, lang)
    if result.report and result.report.warnings:
        sys.stdout.write(reporters.text(result.report, lang))
    secs = result.seconds.get("total", 0)
    if result.unchanged:  # generator.unchanged: the same inputs as the last build, its output untouched
        click.echo(f"{i18n.both('cli.build.unchanged')}: {result.out} ({secs:.1f} s)")
        return
    click.echo(f"{result.pages} pages → {result.out} ({secs:.1f} s)")


def _scaffold_failed(command: str, exc: Exception, lang: str) -> NoReturn:
    """Why ``portal init``/``portal new`` wrote nothing: 2 for what the user asked (an id
    taken, a folder not empty), 1 for the machine (a read-only folder, a full disk);
    never a traceback."""
    from generator.scaffold.templating import ScaffoldError

    if isinstance(exc, ScaffoldError):
        click.echo(f"{command}: {exc.message(lang)}", err=True)
        sys.exit(2)
    assert isinstance(exc, OSError)
    click.echo(f"{command}: {exc.filename}: {exc.strerror}", err=True)
    sys.exit(1)


def _build_failed(exc: Exception, lang: str, street: bool = False) -> NoReturn:
    """Why ``portal build`` stopped, and its exit status: 2 for an output folder it may not
    replace, 1 for problems in the data (printed) or anything else (never a traceback)."""
    from generator.build import BuildError  # lazy: mkdocs

    if isinstance(exc, UnsafeOutput):
        click.echo(f"portal build: {exc.message(lang)}", err=True)
        sys.exit(2)
    if isinstance(exc, BuildError):
        if exc.report is not None:
            sys.stdout.write(reporters.text(exc.report, lang))
        if exc.report is None or street:  # a street says which community stopped it
            click.echo(f"portal build: {exc}", err=True)
        click.echo(i18n.both("cli.build.stopped"), err=True)
        sys.exit(1)
    click.echo(f"portal build: {_zh('cli.internal-error')} {_en('cli.internal-error')}: {type(exc).__name__}: {exc}\n"
               f"{i18n.both('cli.build.stopped')}", err=True)
    sys.exit(1)


def _build_street(street: Path, out: Path | None, site_url: str | None, lang: str, jobs: int | None, strict: bool,
                  waiting: Callable[[], None]) -> None:
    """``portal build STREET``: exit 0 when the street site was published, even if
    some communities were not updated (their problems and a summary are printed:
    CI shows them, the others still publish); 1 when nothing was replaced
    (street.yaml broken, or ``--strict`` and a community not updated)."""
    from generator.progress import Steps
    from generator.street.build import build_street, street_steps

    try:
        with Steps("portal build", street_steps(street)) as steps:
            result = build_street(street, out, site_url=site_url, jobs=jobs, strict=strict, on_wait=waiting,
                                  progress=steps)
    except Exception as exc:  # noqa: BLE001
        _build_failed(exc, lang, street=True)
    if result.report.problems:
        sys.stdout.write(reporters.text(result.report, lang))
    for m in result.members:
        if m.status != "built":
            since = m.updated.astimezone(china_time.TZ).strftime("%Y-%m-%d %H:%M") if m.updated else ""
            state = i18n.text(f"cli.street.state.{m.status}", lang, since=since)
            click.echo(i18n.text("cli.street.community-failed", lang, community=m.id, state=state), err=True)
    click.echo(i18n.text("cli.street.built", lang, built=result.count("built"), stale=result.count("stale"),
                         missing=result.count("missing"), out=result.out))


@main.command()
@click.argument("project", default=".", type=click.Path(file_okay=False, path_type=Path))
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--lang", type=click.Choice(["zh", "en"]), default=None, help="Site language to preview.")
@click.option("--endpoint-port", default=8001, show_default=True, type=int,
              help="Also run the form endpoint on this port (0: don't).")
def serve(project: Path, host: str, port: int, lang: str | None, endpoint_port: int) -> None:
    """Preview the site locally, with a working form endpoint; pages follow your
    edits to data/ as you save.

    \b
    Example:
        portal serve
        portal serve --port 8080 --lang en
    """
    from generator.serve import serve as run_serve  # lazy: mkdocs, watchfiles, uvicorn

    try:
        run_serve(project, host, port, lang, endpoint_port or None)
    except OSError as exc:
        click.echo(f"portal serve: {i18n.both('cli.cannot-listen')} ({exc.strerror}); {_zh('cli.try-port', port=8080)}",
                   err=True)
        sys.exit(1)


@main.command()
@click.option("--site", type=click.Path(file_okay=False, path_type=Path), default=Path("site"), show_default=True,
              help="Built site folder (reads forms/spec.json).")
@click.option("--db", default=None, help="sqlite:///path (default sqlite:///submissions.db) or postgresql://…")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8001, show_default=True, type=int)
@click.option("--site-url", default=None, help="Public site address (links back, allowed origin).")
@click.option("--workers", default=1, show_default=True, type=click.IntRange(min=1),
              help="Worker processes (one per CPU core; they share the database).")
def endpoint(site: Path, db: str | None, host: str, port: int, site_url: str | None, workers: int) -> None:
    """Run the form submission endpoint (every setting also via PORTAL_<NAME>).

    \b
    Example:
        portal endpoint --site site --db sqlite:///submissions.db
        PORTAL_WEBHOOKS=wecom=https://… portal endpoint --port 8001
    """
    overrides = {"site": str(site), "db": db, "site_url": site_url}
    if not os.environ.get("PORTAL_SECRET"):
        overrides["secret"] = shared_secret(site.resolve().parent)
    settings = Settings.from_env(**overrides)
    os.environ.update({f"PORTAL_{k.upper()}": str(v) for k, v in overrides.items() if v is not None})
    if not (site / "forms" / "spec.json").exists():
        click.echo(f"{_zh('cli.endpoint.no-spec', path=f'{site}/forms/spec.json')}：{i18n.both('cli.run-build-first')}",
                   err=True)
        sys.exit(2)
    _endpoint_store_check(site, settings.db)
    click.echo(f"portal endpoint: http://{host}:{port}/ · db {settings.db}")
    try:
        sys.exit(serve_workers("endpoint.asgi:app", host, port, workers, log_level="warning",
                       proxy_headers=settings.trust_proxy))
    except OSError as exc:
        click.echo(f"portal endpoint: {_zh('cli.cannot-listen')} · {_en('cli.cannot-listen-on', address=f'{host}:{port}')}"
                   f" ({exc.strerror}); {_zh('cli.try-port', port=8002)}", err=True)
        sys.exit(1)


def _endpoint_store_check(site: Path, db: str) -> None:
    """Refuse, once and before any worker starts, a store of another community
    (each worker checks again; this gives the operator one clear line, exit 2)."""
    from endpoint.app import bind_community, load_spec
    from endpoint.store import Store

    try:
        store = Store(db)
    except Exception:  # noqa: BLE001 - an unreachable database is reported by the workers, as before
        return
    try:
        community = load_spec(site).get("community")
        if bind_community(store, community):
            click.echo(f"portal endpoint: {i18n.both('endpoint.store-adopted', community=community)}")
    except SystemExit as exc:
        click.echo(f"portal endpoint: {exc}", err=True)
        sys.exit(2)
    finally:
        store.close()


@main.command()
@click.option("--site", type=click.Path(file_okay=False, path_type=Path), default=Path("site"), show_default=True,
              help="Built site folder the policy is measured from.")
@click.option("--host", "host_kind", required=True,
              type=_LaterChoice(lambda: _imported("generator.site.header_formats").FORMATS),
              help="Web server or static host to write the configuration for.")
@click.option("--endpoint", "endpoint_url", default=None,
              help="Form endpoint address, if the pages do not name it (they normally do).")
@click.option("--out", "out_file", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write to this file instead of printing.")
def headers(site: Path, host_kind: str, endpoint_url: str | None, out_file: Path | None) -> None:
    """Write security headers (a CSP the built site satisfies, HSTS, referrer
    policy …) for a web server. `portal build` already puts the policy into every
    page and writes site/_headers (Netlify, Cloudflare Pages).

    \b
    Example:
        portal headers --host nginx --out /etc/nginx/snippets/community-portal.conf
        portal headers --site /var/www/community --host caddy
    """
    if not (site / "index.html").is_file():
        click.echo(f"{_zh('cli.headers.no-index', path=f'{site}/index.html')}：{_zh('cli.run-build-first')} · "
                   f"{_en('cli.headers.not-built')}, {_en('cli.run-build-first')}", err=True)
        sys.exit(2)
    from generator.site.header_formats import FORMATS as HEADER_FORMATS
    from generator.site.security_headers import header_set
    from generator.street.headers import FORMATS as STREET_HEADER_FORMATS
    from generator.street.headers import is_street_site, street_header_set

    if is_street_site(site):  # a street: each community's rules under /<id>/ (generator.street.headers)
        text = STREET_HEADER_FORMATS[host_kind](street_header_set(site))
    else:
        text = HEADER_FORMATS[host_kind](header_set(site, endpoint_url))
    if out_file is None:
        sys.stdout.write(text)
        return
    try:
        out_file.write_text(text, encoding="utf-8")
    except OSError as exc:
        click.echo(f"{_zh('cli.cannot-write', path=out_file)}：{exc.strerror} · {_en('cli.cannot-write', path=out_file)}",
                   err=True)
        sys.exit(1)
    click.echo(f"{out_file}")


_DB_HELP = "Inbox database: sqlite:///path or postgresql://… (default $PORTAL_DB or sqlite:///submissions.db)"


@main.group()
@click.option("--db", default=None, help=_DB_HELP)
@click.pass_context
def inbox(ctx: click.Context, db: str | None) -> None:
    """Read, answer and publish what residents submitted (the committee's inbox).

    \b
    Example:
        portal inbox list --status received
        portal inbox reply K7QM-4XRA-3P --status answered --text "已安排维修，本周五前完成。"
        portal inbox publish && portal build
    """
    ctx.obj = {"db": db or os.environ.get("PORTAL_DB") or "sqlite:///submissions.db",
               "key": os.environ.get("PORTAL_ENCRYPTION_KEY", "")}


def _store(ctx: click.Context):  # type: ignore[no-untyped-def]
    db = ctx.obj["db"]
    if db.startswith("sqlite:///") and not Path(db.removeprefix("sqlite:///")).exists():
        click.echo(f"{_zh('cli.inbox.no-db', db=db)} · {_en('cli.inbox.db-missing')} ({_en('cli.inbox.use-db')})", err=True)
        sys.exit(2)
    from generator.inbox import open_store

    return open_store(db)


T = TypeVar("T")


def _inbox_call(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    from generator.inbox import Conflict, InboxError

    try:
        return fn(*args, **kwargs)
    except InboxError as exc:
        click.echo(str(exc), err=True)
        sys.exit(3 if isinstance(exc, Conflict) else 1)  # 3: someone else changed it meanwhile


@inbox.command("list")
@click.option("--status", default=None, help="received, in-progress, answered, closed, rejected")
@click.option("--form", default=None, help="Only this form id.")
@click.pass_context
def inbox_list(ctx: click.Context, status: str | None, form: str | None) -> None:
    """List submissions, oldest first, with the public number once published.

    \b
    Example:
        portal inbox list --status received
    """
    from generator.inbox import list_submissions

    rows = list_submissions(_store(ctx), status, form)
    for r in rows:
        text = " ".join(str(v) for v in json.loads(r["public_json"]).values())[:40]
        click.echo(f"{r['receipt']}  {r.get('public_id') or '—':<10}  {r['received_at'][:16]}  {r['form_id']:<16} "
                   f"{r['status']:<11} {text}")
    click.echo(i18n.both("cli.inbox.count", n=len(rows)))


@inbox.command("show")
@click.argument("receipt")
@click.pass_context
def inbox_show(ctx: click.Context, receipt: str) -> None:
    """Show one submission in full, private fields included.

    \b
    Example:
        portal inbox show K7QM-4XRA-3P
    """
    from generator.inbox import show

    sub = _inbox_call(show, _store(ctx), receipt, ctx.obj["key"])
    click.echo(json.dumps(sub, ensure_ascii=False, indent=2, default=str))


@inbox.command("export")
@click.option("--format", "fmt", type=click.Choice(["csv", "json"]), default="csv", show_default=True)
@click.pass_context
def inbox_export(ctx: click.Context, fmt: str) -> None:
    """Export every submission (CSV is safe to open in Excel/WPS: no formulas run).

    \b
    Example:
        portal inbox export --format csv > inbox.csv
    """
    from generator.inbox import export

    sys.stdout.write(export(_store(ctx), fmt, ctx.obj["key"]))


@inbox.command("reply")
@click.argument("receipt")
@click.option("--status", required=True, help="in-progress, answered, closed or rejected")
@click.option("--text", default=None, help="The reply, published with the request.")
@click.option("--category", default=None, help="Set or correct the category.")
@click.option("--expect-status", default=None,
              help="Only if the status is still this one (what you saw in list/show); exit 3 otherwise.")
@click.pass_context
def inbox_reply(ctx: click.Context, receipt: str, status: str, text: str | None, category: str | None,
                expect_status: str | None) -> None:
    """Record the committee's reply and status for a submission.

    If someone else changes the submission meanwhile, nothing is saved and the
    exit status is 3.

    \b
    Example:
        portal inbox reply K7QM-4XRA-3P --status answered --text "已安排维修"
    """
    from generator.inbox import reply

    sub = _inbox_call(reply, _store(ctx), receipt, status, text, category, expect_status)
    click.echo(f"{sub['receipt']}: {sub['status']}")


@inbox.command("purge")
@click.pass_context
def inbox_purge(ctx: click.Context) -> None:
    """Delete private fields whose retention period has passed (the endpoint also
    does this every hour).

    \b
    Example:
        portal inbox purge
    """
    n = _store(ctx).purge_expired()
    click.echo(i18n.both("cli.inbox.purged", n=n))


@inbox.command("publish")
@click.argument("project", default=".", type=click.Path(file_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Show what would change (a diff), write nothing.")
@click.pass_context
def inbox_publish(ctx: click.Context, project: Path, dry_run: bool) -> None:
    """Merge the inbox into the public record (data/requests/<year>.yaml).

    Published requests are never removed or renumbered: the ones this inbox
    knows are updated, the others are kept as they are.

    \b
    Example:
        portal inbox publish --dry-run
        portal inbox publish && portal check && portal build
    """
    from generator.inbox import publish

    result = _inbox_call(publish, _store(ctx), project, dry_run=dry_run)
    if dry_run:
        click.echo(result.diff, nl=False)
    for path in result.written:
        click.echo(path)
    if result.added:
        click.echo(f"{_zh('cli.publish.added', n=len(result.added))} · {_en('cli.publish.added-ids', ids=', '.join(result.added))}")
    for public_id, fields in result.updated:
        click.echo(f"{_zh('cli.publish.updated', id=public_id)} · {_en('cli.publish.updated-fields', fields=', '.join(fields))}")
    if result.answers:
        click.echo(i18n.both("cli.publish.answers", n=result.answers))
    if result.kept:
        click.echo(f"{_zh('cli.publish.kept', n=len(result.kept))} · {_en('cli.publish.kept-ids', ids=', '.join(result.kept))}")
    if result.adopted and not dry_run:
        click.echo(i18n.both("cli.publish.store-adopted", community=result.adopted_by))
    if result.issued and not result.added:
        click.echo(i18n.both("cli.publish.ledger-started", n=len(result.issued)))
    if not (result.added or result.updated or result.answers or result.issued or result.conflicts):
        click.echo(i18n.both("cli.publish.nothing"))
    for public_id, receipt, key in result.conflicts:
        click.echo(i18n.both("cli.publish.conflict", id=public_id, receipt=receipt, key=key), err=True)
    if dry_run:
        click.echo(i18n.both("cli.publish.dry-run"))
    if result.conflicts:
        sys.exit(1)


# The kinds' own commands (``Kind.commands``), e.g. ``portal round import``.
for _kind in registry.KINDS:
    for _command in _kind.commands:
        _module, _attribute = _command.split(":")
        main.add_command(getattr(importlib.import_module(_module), _attribute))
