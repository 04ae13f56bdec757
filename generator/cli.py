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
