"""``portal round …``: the round kind's own commands (``Kind.commands``)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from generator.kinds.round.importer import ImportRefused, import_file
from portal_core import i18n


@click.group("round")
def round_group() -> None:
    """Participatory budgeting rounds (民生微实事)."""


@round_group.command("import")
@click.argument("source", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--project", type=click.Path(file_okay=False, path_type=Path), default=Path("."), show_default=True)
@click.option("--id", "round_id", help="The round's id (default: the file's name).")
@click.option("--fund", default="community-fund", show_default=True, help="The fund that pays.")
@click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True)
def round_import(source: Path, project: Path, round_id: str | None, fund: str, lang: str) -> None:
    """Import a Pabulib .pb file as a round YAML and its ballots CSV.

    \b
    Example:
        portal round import poland_warszawa_2017.pb --project . --id warszawa-2017
    """
    rid = round_id or "".join(c if c.isalnum() or c in "-_" else "-" for c in source.stem)
    try:
        target, ballots = import_file(source, project, rid, fund)
    except ImportRefused as e:
        click.echo(i18n.text(e.key, lang, **e.params), err=True)
        sys.exit(2)
    click.echo(i18n.text("kind.round.cli.imported", lang, yaml=str(target), ballots=str(ballots)))
