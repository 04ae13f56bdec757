"""``portal round import FILE.pb``: a Pabulib file becomes a round YAML and its
ballots CSV in a project, so a committee (or a test) can count a published
election with the portal and compare."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import yaml

from generator.kinds.round import pb, records


class ImportRefused(Exception):
    """Why the file was not imported: a catalog key and its parameters."""

    def __init__(self, key: str, **params: str) -> None:
        super().__init__(key)
        self.key, self.params = key, params


def import_file(source: Path, project: Path, round_id: str, fund: str) -> tuple[Path, Path]:
    """Write ``data/rounds/<id>.yaml`` and ``<id>.ballots.csv``; never overwrite."""
    target = project / "data" / "rounds" / f"{round_id}.yaml"
    ballots = records.ballots_file(project, round_id)
    for path in (target, ballots):
        if path.exists():
            raise ImportRefused("kind.round.cli.exists", path=str(path))
    try:
        doc, rows, _selected = pb.import_pb(source.read_text(encoding="utf-8-sig"), round_id, fund)
    except (OSError, UnicodeDecodeError, KeyError, ValueError, IndexError) as e:
        raise ImportRefused("kind.round.cli.unreadable", file=str(source), error=str(e)) from e
    target.parent.mkdir(parents=True, exist_ok=True)
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(records.HEADER)
    w.writerows(rows)
    ballots.write_text(out.getvalue(), encoding="utf-8")
    target.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return target, ballots
