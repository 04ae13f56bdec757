"""How long rendering a text as Markdown would take, estimated in linear time.

Python-Markdown, and the HTML parser under it (``html.parser``, which reads raw
HTML), look ahead for the end of what an opener starts, and each opener that is
never closed makes them read on to the end of its scope:

- ``<a``, ``</x``, ``<!``, ``<?`` with no ``>`` after them: the HTML parser reads
  to the end of the text for each (``"<a " * 33333``: 2 min 35 s);
- ``[`` and ``(`` never closed in a paragraph: the link parser walks to the end
  of the paragraph for each, one character at a time (``"[" * 3000``: 5 s);
- ``{`` on a line that does not end with ``}``, and long runs of spaces: the
  attribute-list pattern of headings and table cells tries every start on the
  line (``"{: " * 33333``: 44 s).

The libraries are not patched (the site build uses them as they are); the check
adds up that look-ahead instead, and a text over the budget is reported
(``markdown.too-complex``) and not rendered. The check's error stops the build,
so the build never meets such a text either.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: Look-ahead, in characters read by the HTML parser's patterns, that one text may
#: cost: well under a second on a slow, busy machine. Honest text stays far below it
#: (a stray "[" costs 16 times the length of its paragraph).
TEXT_BUDGET = 3_000_000
#: What all the texts of one file may cost together.
FILE_BUDGET = 3 * TEXT_BUDGET
#: Below this length a text cannot reach the budget (16 * 600² / 2 < TEXT_BUDGET).
SHORT = 600
#: Characters the link parser walks in Python cost about this many HTML-parser ones.
_PYTHON_WALK = 16
#: Runs of spaces shorter than this cost too little to count.
_LONG_RUN = 32

_HTML_OPENER = re.compile(r"<[A-Za-z/!?]")
_BRACKETS = re.compile(r"\\.|[\[\]()]", re.DOTALL)  #: an escaped character is no opener
_PARAGRAPH_END = re.compile(r"\n[ \t]*\n")
_BRACE = re.compile(r"\{")
_SPACES = re.compile(" {" + str(_LONG_RUN) + ",}")


@dataclass(frozen=True)
class Cost:
    """The estimated look-ahead of one text, and the opener that costs most."""

    units: int
    at: int = 0  #: offset in the text of the first opener of the costliest kind
    char: str = ""  #: that opener: "<", "[", "(", "{" or " "
    count: int = 0  #: how many of them are unclosed


def cost(text: str) -> Cost:
    """The look-ahead rendering ``text`` costs.

    >>> cost("<b>fine</b> [link](x) {: .note }").units
    0
    >>> c = cost("<a " * 1000); (c.char, c.count, c.at, c.units > TEXT_BUDGET)
    ('<', 1000, 0, False)
    >>> c = cost("<a " * 2000); (c.char, c.count, c.units > TEXT_BUDGET)
    ('<', 2000, True)
    >>> c = cost("见附件 [1] 和 [2 " + "很长的一段说明。" * 200); (c.char, c.count, c.at, c.units < TEXT_BUDGET)
    ('[', 1, 10, True)
    """
    if len(text) < SHORT:
        return Cost(0)
    kinds = [_html(text), *_brackets(text), *_lines(text)]
    worst = max(kinds, key=lambda c: c.units)
    return Cost(sum(c.units for c in kinds), worst.at, worst.char, worst.count)


def _html(text: str) -> Cost:
    """Tags, comments and declarations the HTML parser never sees end: those after the last ``>``."""
    n, units, count, first = len(text), 0, 0, -1
    for m in _HTML_OPENER.finditer(text, text.rfind(">") + 1):
        units += n - m.start()
        count += 1
        if first < 0:
            first = m.start()
    return Cost(units, max(first, 0), "<", count)


def _brackets(text: str) -> list[Cost]:
    """``[`` and ``(`` left open at the end of their paragraph, matched as the link parser nests them."""
    units = {"[": 0, "(": 0}
    count = {"[": 0, "(": 0}
    first = {"[": -1, "(": -1}
    start = 0
    for end in [m.start() for m in _PARAGRAPH_END.finditer(text)] + [len(text)]:
        stacks: dict[str, list[int]] = {"[": [], "(": []}
        for m in _BRACKETS.finditer(text, start, end):
            char = m.group()
            if char in stacks:
                stacks[char].append(m.start())
            elif char == "]" and stacks["["]:
                stacks["["].pop()
            elif char == ")" and stacks["("]:
                stacks["("].pop()
        for char, stack in stacks.items():
            if stack:
                units[char] += _PYTHON_WALK * (end * len(stack) - sum(stack))
                count[char] += len(stack)
                if first[char] < 0:
                    first[char] = stack[0]
        start = end
    return [Cost(units[c], max(first[c], 0), c, count[c]) for c in ("[", "(")]


def _lines(text: str) -> list[Cost]:
    """Attribute lists: ``{`` on a line that does not end with ``}``, and long runs of spaces."""
    braces, spaces = Cost(0, 0, "{"), Cost(0, 0, " ")
    if "{" not in text and " " * _LONG_RUN not in text:
        return [braces, spaces]
    brace_units = brace_count = space_units = space_count = 0
    brace_first = space_first = -1
    offset = 0
    for line in text.split("\n"):
        if "{" in line and not line.rstrip().endswith("}"):
            for m in _BRACE.finditer(line):
                brace_units += len(line) - m.start()
                brace_count += 1
                if brace_first < 0:
                    brace_first = offset + m.start()
        for m in _SPACES.finditer(line):
            run = m.end() - m.start()
            space_units += run * run // 2
            space_count += 1
            if space_first < 0:
                space_first = offset + m.start()
        offset += len(line) + 1
    return [Cost(brace_units, max(brace_first, 0), "{", brace_count),
            Cost(space_units, max(space_first, 0), " ", space_count)]
