"""``portal check STREET``: ``street.yaml``, then every community, in one report.

Each community's problems keep their file and line, with the file named from the
street folder (``communities/<id>/data/…``: the path a CI annotation needs) and
the community id in the problem's params. A community that is not where
``street.yaml`` says is one ``street.community-missing`` error.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

from generator.pipeline import Checked, load_and_check
from generator.problems import Problem, Report
from generator.street.load import load_street_lines
from generator.street.model import STREET_FILE, CommunityEntry, Street, community_root


@dataclass
class StreetCheck:
    street: Street | None
    report: Report  #: street.yaml and every community, files named from the street folder
    communities: dict[str, Checked | None] = field(default_factory=dict)  #: None: not found


def shown_root(street_root: Path, entry: CommunityEntry) -> str:
    """How a community's folder is named in the report."""
    if entry.git:
        return f".portal-build/street/git/{entry.id}/"
    root = community_root(street_root, entry)
    try:
        return root.relative_to(street_root.resolve()).as_posix() + "/"
    except ValueError:
        return f"{entry.path}/"


def named(problems: list[Problem], prefix: str, community: str) -> list[Problem]:
    """The problems of one community, files named from the street folder."""
    return [replace(p, file=prefix + p.file, params={**p.params, "community": community}) for p in problems]


def check_community(street_root: Path, entry: CommunityEntry, jobs: int | None = None,
                    strict: bool = False, line: int | None = None) -> tuple[Checked | None, list[Problem], int]:
    root = community_root(street_root, entry)
    prefix = shown_root(street_root, entry)
    if not root.is_dir():
        where = entry.git or (entry.path or f"communities/{entry.id}")
        return None, [Problem("street.community-missing", STREET_FILE, line,
                              params={"community": entry.id, "path": where})], 0
    checked = load_and_check(root, jobs=jobs, strict=strict)
    return checked, named(checked.report.problems, prefix, entry.id), checked.report.files_checked


def check_street(street_root: Path, jobs: int | None = None, strict: bool = False) -> StreetCheck:
    street_root = Path(street_root).resolve()
    street, problems, lines = load_street_lines(street_root)
    report = Report(list(problems), files_checked=1)
    result = StreetCheck(street, report)
    if street is None:
        return result
    for entry in street.communities:
        checked, found, n = check_community(street_root, entry, jobs, strict, lines.get(entry.id))
        result.communities[entry.id] = checked
        report.extend(found)
        report.files_checked += n
    return result
