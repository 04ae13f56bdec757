"""Documentation written with the code: generated reference is current, every
problem code a check can emit is in the catalog and documented, and every CLI
command is in the README."""

from __future__ import annotations

import re
from pathlib import Path

from click.testing import CliRunner

from generator.cli import main
from generator.messages import CATALOG
from generator.reference import pages

REPO = Path(__file__).resolve().parent.parent


def test_generated_reference_is_current():
    stale = [name for name, text in pages(REPO / "data").items()
             if (REPO / "content/reference" / name).read_text(encoding="utf-8") != text]
    assert not stale, f"run `portal docs` to regenerate: {stale}"


def test_every_emitted_code_is_in_the_catalog():
    source = "\n".join(p.read_text(encoding="utf-8") for p in (REPO / "generator").rglob("*.py"))
    emitted = set(re.findall(r'(?:Problem|problem|YamlProblem|TextFileProblem)\(\s*"([a-z]+\.[a-z-]+)"', source))
    assert len(emitted) > 40
    assert emitted - set(CATALOG) == set()


def test_every_code_is_documented():
    text = (REPO / "content/reference/problem-codes.md").read_text(encoding="utf-8")
    assert [c for c in CATALOG if f"`{c}`" not in text] == []


def test_every_command_is_in_the_readme():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    commands = list(main.commands)
    assert commands
    assert [c for c in commands if f"portal {c}" not in readme] == []


def test_cli_help_runs():
    result = CliRunner().invoke(main, ["--help"])
    assert result.exit_code == 0 and "check" in result.output
