"""A round's ballots: ``data/rounds/<id>.ballots.csv`` beside its YAML, one row per
choice (``ballot,project,value``), as paper ballots are tallied or the endpoint's
``ballots export`` writes them. Read with the line of each row, so a check can
point at it."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

SUFFIX = ".ballots.csv"
HEADER = ["ballot", "project", "value"]


@dataclass(frozen=True)
class Row:
    ballot: str
    project: str
    value: int
    line: int


def ballots_file(root: Path, round_id: str) -> Path:
    return root / "data" / "rounds" / f"{round_id}{SUFFIX}"


def read(path: Path) -> tuple[list[Row], list[tuple[int, str]]]:
    """The rows, and (line, cell) of each row that is not ``text,text,integer``."""
    rows: list[Row] = []
    bad: list[tuple[int, str]] = []
    if not path.is_file():
        return rows, bad
    with path.open(encoding="utf-8-sig", newline="") as f:
        reader = csv.reader(f)
        header = next(reader, None)
        if header is None or [h.strip() for h in header] != HEADER:
            return rows, [(1, ",".join(header or []))]
        for record in reader:
            line = reader.line_num
            if not record:
                continue
            try:
                b, p, v = (x.strip() for x in record)
                rows.append(Row(b, p, int(v), line))
            except ValueError:
                bad.append((line, ",".join(record)))
    return rows, bad
