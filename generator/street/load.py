"""Read ``street.yaml`` into a ``Street``, every problem located at file:line.

The same steps as a community's YAML files (``generator.load.load_doc``): links
out of the folder refused, size and encoding checked, the safe YAML loader that
keeps positions, and pydantic errors turned into located ``schema.*`` problems.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import ValidationError

from generator.loading.fsguard import refusal
from generator.loading.textfile import MAX_YAML_BYTES, TextFileProblem, read_text
from generator.loading.yamlfile import LocDict, YamlProblem, parse_yaml
from generator.problems import Problem
from generator.schema_errors import problems_from
from generator.street.model import STREET_FILE, Street


def is_street(root: Path) -> bool:
    """A folder is a street when it holds ``street.yaml``."""
    return (Path(root) / STREET_FILE).is_file()


def load_street(root: Path) -> tuple[Street | None, list[Problem]]:
    path = Path(root) / STREET_FILE
    refused = refusal(Path(root), path)
    if refused is not None:
        return None, [refused]
    if not path.exists():
        return None, [Problem("file.missing", STREET_FILE, params={"path": STREET_FILE})]
    try:
        text = read_text(path, MAX_YAML_BYTES)
    except TextFileProblem as exc:
        line = exc.params.get("line")
        return None, [Problem(exc.code, STREET_FILE, line if isinstance(line, int) else None, None, exc.params)]
    if not text.strip():
        return None, [Problem("file.empty", STREET_FILE)]
    try:
        data = parse_yaml(text)
    except YamlProblem as exc:
        return None, [Problem(exc.code, STREET_FILE, exc.line, exc.col, exc.params)]
    if not isinstance(data, LocDict):
        kind = type(data).__name__
        return None, [Problem("yaml.not-mapping", STREET_FILE, 1, 1, {"actual": kind, "actual_en": kind})]
    try:
        return Street.model_validate(data), []
    except ValidationError as exc:
        return None, problems_from(exc, data, STREET_FILE, Street)
