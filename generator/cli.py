"""``portal``: the command line. Each command is a thin wrapper over the library
function of the same name; exceptions become a message and an exit status here,
at this one boundary.

Exit status: 0 clean (warnings allowed), 1 problems found, 2 usage error.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from generator import __version__


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
def check(project: Path, lang: str, fmt: str, jobs: int | None) -> None:
    """Validate the community's open data and report every problem.

    \b
    Example:
        portal check
        portal check ../my-community --lang en --format json
    """
    from generator.pipeline import check as run_check
    from generator.reporters import FORMATS

    try:
        report = run_check(project, jobs=jobs)
    except Exception as exc:  # noqa: BLE001 - a bug must still not print a traceback at a user
        click.echo(f"portal check: 内部错误 internal error: {type(exc).__name__}: {exc}\n"
                   "请把这条信息和出错的数据文件报告给开发者 / please report this with the data file.",
                   err=True)
        sys.exit(1)
    out = FORMATS[fmt](report, lang)
    sys.stdout.write(out)
    sys.exit(0 if report.ok else 1)


@main.command()
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=Path("content/reference"),
              show_default=True, help="Folder for the generated reference pages.")
def docs(out: Path) -> None:
    """Regenerate the data reference and problem-code pages from the schemas.

    \b
    Example:
        portal docs --out content/reference
    """
    from generator.reference import write_reference

    for path in write_reference(out):
        click.echo(path)


@main.command()
@click.argument("project", default=".", type=click.Path(file_okay=False, path_type=Path))
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Output folder (default: PROJECT/site). Replaced only when the build succeeds.")
@click.option("--site-url", default=None, help="Public address of the site (default: community.yaml site_url).")
@click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True,
              help="Language of the messages / 提示语言.")
@click.option("--jobs", type=click.IntRange(min=1), default=None, help="1 to build everything in this process.")
def build(project: Path, out: Path | None, site_url: str | None, lang: str, jobs: int | None) -> None:
    """Check the data, then build the static website (zh at /, en at /en/).

    \b
    Example:
        portal build
        portal build --out /var/www/community --site-url https://example.org/
    """
    from generator.build import BuildError
    from generator.build import build as run_build
    from generator.reporters import text

    try:
        result = run_build(project, out, site_url=site_url, jobs=jobs)
    except BuildError as exc:
        if exc.report is not None:
            sys.stdout.write(text(exc.report, lang))
        click.echo("构建已停止，网站没有改动 · build stopped, the site was not changed", err=True)
        sys.exit(1)
    except Exception as exc:  # noqa: BLE001
        click.echo(f"portal build: 内部错误 internal error: {type(exc).__name__}: {exc}\n"
                   "构建已停止，网站没有改动 · build stopped, the site was not changed", err=True)
        sys.exit(1)
    if result.report and result.report.warnings:
        sys.stdout.write(text(result.report, lang))
    secs = result.seconds.get("total", 0)
    click.echo(f"{result.pages} pages → {result.out} ({secs:.1f} s)")


@main.command()
@click.argument("project", default=".", type=click.Path(file_okay=False, path_type=Path))
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--lang", type=click.Choice(["zh", "en"]), default=None, help="Site language to preview.")
def serve(project: Path, host: str, port: int, lang: str | None) -> None:
    """Preview the site locally; pages follow your edits to data/ as you save.

    \b
    Example:
        portal serve
        portal serve --port 8080 --lang en
    """
    from generator.serve import serve as run_serve

    run_serve(project, host, port, lang)
