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


def test_contact_fields_are_the_ones_the_privacy_scan_exempts():
    """Only fields declared official contacts may hold phone numbers and e-mail."""
    from generator import registry
    from generator.checks.privacy import CONTACT_KEYS
    from generator.reference import _models_in

    seen: set[str] = set()
    marked: set[str] = set()
    todo = [k.model for k in registry.yaml_kinds()]
    while todo:
        model = todo.pop()
        for name, info in model.model_fields.items():
            extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
            if extra.get("contact"):
                marked.add(name)
            elif name in CONTACT_KEYS:
                raise AssertionError(f"{model.__name__}.{name} is exempt from the scan but not a contact field")
            for sub in _models_in(info.annotation):
                if sub.__name__ not in seen:
                    seen.add(sub.__name__)
                    todo.append(sub)
    assert marked == set(CONTACT_KEYS)
