"""Read ``street.yaml`` into a ``Street``, every problem located at file:line.

The same steps as a community's YAML files (``generator.load.load_doc``): links
out of the folder refused, size and encoding checked, the safe YAML loader that
keeps positions, and pydantic errors turned into located ``schema.*`` problems.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import ValidationError

from generator.loading.fsguard import refusal
from generator.loading.textfile import MAX_YAML_BYTES, TextFileProblem, read_text
from generator.loading.yamlfile import LocDict, YamlProblem, locate, parse_yaml
from generator.problems import Problem
from generator.schema_errors import problems_from
from generator.street.model import STREET_FILE, Street


def is_street(root: Path) -> bool:
    """A folder is a street when it holds ``street.yaml``."""
    return (Path(root) / STREET_FILE).is_file()


def load_street(root: Path) -> tuple[Street | None, list[Problem]]:
    street, problems, _lines = load_street_lines(root)
    return street, problems


def load_street_lines(root: Path) -> tuple[Street | None, list[Problem], dict[str, int]]:
    """``load_street`` and the line of each community's entry (for problems about it)."""
    street, problems, data = _load(root)
    lines: dict[str, int] = {}
    if street is not None:
        for i, entry in enumerate(street.communities):
            line, _col = locate(data, ("communities", i))
            if line is not None:
                lines[entry.id] = line
    return street, problems, lines


def _load(root: Path) -> tuple[Street | None, list[Problem], Any]:
    street, problems, data = None, [], None
    try:
        data = _parse(root)
        street = Street.model_validate(data)
    except _Refused as exc:
        problems = exc.problems
    except ValidationError as exc:
        problems = problems_from(exc, data, STREET_FILE, Street)
    return street, problems, data


class _Refused(Exception):
    def __init__(self, problem: Problem) -> None:
        self.problems = [problem]


def _parse(root: Path) -> Any:
    path = Path(root) / STREET_FILE
    refused = refusal(Path(root), path)
    if refused is not None:
        raise _Refused(refused)
    if not path.exists():
        raise _Refused(Problem("file.missing", STREET_FILE, params={"path": STREET_FILE}))
    try:
        text = read_text(path, MAX_YAML_BYTES)
    except TextFileProblem as exc:
        line = exc.params.get("line")
        raise _Refused(Problem(exc.code, STREET_FILE, line if isinstance(line, int) else None, None, exc.params)) from None
    if not text.strip():
        raise _Refused(Problem("file.empty", STREET_FILE))
    try:
        data = parse_yaml(text)
    except YamlProblem as exc:
        raise _Refused(Problem(exc.code, STREET_FILE, exc.line, exc.col, exc.params)) from None
    if not isinstance(data, LocDict):
        kind = type(data).__name__
        raise _Refused(Problem("yaml.not-mapping", STREET_FILE, 1, 1, {"actual": kind, "actual_en": kind}))
    return data
