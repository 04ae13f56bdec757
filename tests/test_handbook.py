"""The committee handbook (content/handbook/) and the README stay true to the code.

- zh and en have the same pages, and every relative link resolves;
- every ``portal …`` command line shown in a code block names a real command
  and real options (a renamed option fails here, not in a committee member's
  terminal).
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import click
import pytest

from generator.cli import main

REPO = Path(__file__).resolve().parent.parent
HANDBOOK = REPO / "content" / "handbook"
DOCS = sorted([*HANDBOOK.rglob("*.md"), REPO / "README.md", *(REPO / "content" / "deploy").rglob("*.md")])
FENCE = re.compile(r"^```[a-z]*\n(.*?)^```", re.S | re.M)
LINK = re.compile(r"\]\(([^)#\s]+)(?:#[^)]*)?\)")


def test_handbook_has_the_same_pages_in_both_languages() -> None:
    zh = sorted(p.name for p in (HANDBOOK / "zh").glob("*.md"))
    en = sorted(p.name for p in (HANDBOOK / "en").glob("*.md"))
    assert zh == en
    assert len(zh) >= 7


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: str(p.relative_to(REPO)))
def test_relative_links_resolve(doc: Path) -> None:
    text = doc.read_text(encoding="utf-8")
    broken = []
    for target in LINK.findall(text):
        if re.match(r"[a-z]+:", target) or target.startswith("/"):
            continue  # absolute addresses are examples of a community's site
        if not (doc.parent / target).exists():
            broken.append(target)
    assert not broken, f"{doc.relative_to(REPO)}: broken links {broken}"


def portal_lines(text: str) -> list[str]:
    """Command lines starting with ``portal`` (or ``.venv/bin/portal``) in fenced code."""
    lines = []
    for block in FENCE.findall(text):
        for line in block.splitlines():
            line = line.split(" #")[0].strip()
            for part in re.split(r"\s*(?:&&|\|\||;|\|)\s*", line):
                part = re.sub(r"^\.venv/bin/", "", part.strip())
                if part.startswith("portal ") or part == "portal":
                    lines.append(part)
    return lines


def resolve(argv: list[str]) -> tuple[click.Command, list[str]]:
    """The command an argv names (walking groups) and the words after it."""
    command: click.Command = main
    words = argv[1:]
    while isinstance(command, click.Group) and words and not words[0].startswith("-"):
        sub = command.get_command(click.Context(command), words[0])
        assert sub is not None, f"no command {words[0]!r} in {' '.join(argv)!r}"
        command, words = sub, words[1:]
    return command, words


def check_options(command: click.Command, words: list[str], line: str) -> None:
    known = {opt for param in command.params for opt in (*param.opts, *param.secondary_opts)}
    known |= {"-h", "--help"}
    for word in words:
        if word.startswith("--"):
            name = word.split("=")[0]
            assert name in known, f"{line!r}: {command.name} has no option {name} (has {sorted(known)})"


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: str(p.relative_to(REPO)))
def test_documented_commands_exist(doc: Path) -> None:
    lines = portal_lines(doc.read_text(encoding="utf-8"))
    for line in lines:
        argv = shlex.split(line.replace("…", ""))
        command, words = resolve(argv)
        check_options(command, words, line)


def test_the_command_checker_can_fail() -> None:
    """The checks above would catch a renamed command or option."""
    with pytest.raises(AssertionError, match="no command"):
        resolve(["portal", "inbox", "answer"])
    command, words = resolve(["portal", "inbox", "reply", "X", "--state", "answered"])
    with pytest.raises(AssertionError, match="no option --state"):
        check_options(command, words, "portal inbox reply X --state answered")
    assert portal_lines("```sh\n.venv/bin/portal check && portal build # x\n```\n") == ["portal check", "portal build"]
