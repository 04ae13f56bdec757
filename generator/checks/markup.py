"""Unsafe content in text the site renders: whatever the sanitizer would remove.

The site renders every Markdown field through one allow-list sanitizer
(``generator.sanitize``), so unsafe markup never reaches a page; this check tells
the committee *where* it is, so nothing is changed silently. The sanitizer
decides (on a real HTML5 parser), not a pattern: each text value of a data file,
each CSV row and each hand-written page in ``content/`` is rendered as the site
renders Markdown, and every element, attribute or address the allow-list drops
is an error at its line.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Iterator

from generator.checks.lookahead import FILE_BUDGET, SHORT, TEXT_BUDGET, Cost, cost
from generator.checks.scanning import LineMap
from generator.front_matter import body_only
from generator.index import Index
from generator.load import Doc, Project
from generator.loading.cache import Memo
from generator.loading.fsguard import refusal
from generator.loading.textfile import MAX_YAML_BYTES
from generator.loading.yamlfile import LocDict, LocList
from generator.problems import Problem
from generator.sanitize import markdown_html, removals

#: A hand-written page above this is refused unread, like a YAML file: the
#: limit bounds the memory and time of the check and of the site build.
MAX_PAGE_BYTES = MAX_YAML_BYTES

#: Text that could be markup: a tag, an entity, a Markdown link or reference
#: definition, or an attribute list. Plain text (most values) is not rendered.
_PREFILTER = re.compile(r"<|&|\]\s*[(\[:]|\{")


class Budget:
    """What the texts of one file may still cost to render (``lookahead.FILE_BUDGET``)."""

    def __init__(self) -> None:
        self.left = FILE_BUDGET


def text_problems(file: str, text: str, lines: LineMap, start: int, budget: Budget | None = None) -> Iterator[Problem]:
    """Problems of one text that starts at offset ``start`` of its file."""
    # Titles and names land in headings, where an attribute list ({: onclick=…}) applies.
    headings = "\n\n".join("# " + line for line in text.splitlines() if "{" in line) if "{" in text else ""
    found_cost = cost(text)
    if headings:  # rendered on its own: a "<a" closed on another line is open here
        in_headings = cost(headings)
        found_cost = Cost(found_cost.units + in_headings.units, found_cost.at, found_cost.char, found_cost.count) \
            if found_cost.units >= in_headings.units else \
            Cost(found_cost.units + in_headings.units, _in_text(text, headings, in_headings.at), in_headings.char,
                 in_headings.count)
    if found_cost.units > min(TEXT_BUDGET, budget.left if budget is not None else TEXT_BUDGET):
        yield _too_complex(file, text, lines, start, found_cost)
        return  # not rendered: that is what would take minutes
    if budget is not None:
        budget.left -= found_cost.units
    if not _PREFILTER.search(text):
        return
    html = markdown_html(text)
    if headings:
        html += "\n" + markdown_html(headings)
    found = removals(html)
    if not found:
        return
    shown: set[tuple[int, int, str]] = set()
    end = start + len(text) + 2 * text.count("\n") + 200  # a quoted/folded value is longer in the file
    # Only the value's part of the file is searched: lowering the whole file for
    # each value of a long table made the check quadratic in the file's length.
    finder, cursor = _Finder(lines.text[start:end].lower()), 0
    for removal in found:
        at = -1
        for needle in removal.needles:  # after the previous finding first
            if at < 0 and needle:
                at = finder.after(needle.lower(), cursor)
        for needle in removal.needles:  # then anywhere in the value
            if at < 0 and needle:
                at = finder.first(needle.lower())
        if at >= 0:
            cursor = at + 1
        line, col = lines.position(start + max(at, 0))
        if (line, col, removal.what) not in shown:  # the same markup seen in both contexts
            shown.add((line, col, removal.what))
            yield Problem("markdown.unsafe-html", file, line, col, {"detail": removal.what[:60]})


def _in_text(text: str, headings: str, at: int) -> int:
    """The offset in ``text`` of offset ``at`` of the headings made from its lines."""
    line_start = headings.rfind("\n", 0, at) + 1
    line_end = headings.find("\n", at)
    line = headings[line_start + 2:line_end if line_end >= 0 else len(headings)]  # after "# "
    where = text.find(line)
    return where + max(at - line_start - 2, 0) if where >= 0 else 0


class _Finder:
    """Where needles occur in ``text``, in linear time overall. The same needle is
    looked for again and again as the cursor moves on (one per finding: 33,333
    ``<a`` attributes), so each search result is kept while it still answers, and
    after ``8 * len(text)`` characters of searching a needle counts as not found
    (the finding is then reported at the value's start)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.next: dict[str, tuple[int, int]] = {}  #: needle -> (searched from, found at or -1)
        self.anywhere: dict[str, int] = {}
        self.work, self.limit = 0, 8 * len(text) + 100_000

    def _find(self, needle: str, since: int) -> int:
        if self.work > self.limit:
            return -1
        at = self.text.find(needle, since)
        self.work += (at if at >= 0 else len(self.text)) - since + len(needle)
        return at

    def after(self, needle: str, since: int) -> int:
        known = self.next.get(needle)
        if known is not None and known[0] <= since and (known[1] < 0 or known[1] >= since):
            return known[1]  # nothing between where that search began and what it found
        at = self._find(needle, since)
        self.next[needle] = (since, at)
        return at

    def first(self, needle: str) -> int:
        if needle not in self.anywhere:
            self.anywhere[needle] = self._find(needle, 0)
        return self.anywhere[needle]


def _too_complex(file: str, text: str, lines: LineMap, start: int, found: Cost) -> Problem:
    """``markdown.too-complex`` at the first unclosed opener of the costliest kind."""
    # The opener as written: a page or a table row holds the text verbatim; a YAML
    # block value holds each of its lines verbatim after the indentation.
    end = text.find("\n", found.at)
    snippet = text[found.at:min(end if end >= 0 else len(text), found.at + 40)]
    at = lines.text.find(snippet, start, start + len(text) + 2 * text.count("\n") + 200)
    if at >= 0:
        line, col = lines.position(at)
    else:  # a quoted YAML value written with escapes: its lines at least are the file's
        line, col = lines.position(start)[0] + text.count("\n", 0, found.at), None
    char, char_en = ("空格", "spaces") if found.char == " " else (found.char, found.char)
    return Problem("markdown.too-complex", file, line, col, {"char": char, "char_en": char_en, "count": found.count})


def _strings(data: Any) -> list[tuple[str, tuple[int, int]]]:
    """Every string value of a parsed YAML document with where it starts, in the
    document's order (a loop, not recursive generators: a third of the scan's time)."""
    found: list[tuple[str, tuple[int, int]]] = []
    stack: list[tuple[Any, tuple[int, int]]] = [(data, (1, 1))]
    while stack:
        node, at = stack.pop()
        if isinstance(node, str):
            found.append((node, at))
        elif isinstance(node, LocDict):
            vpos = node.vpos
            stack.extend(reversed([(value, vpos.get(key, at)) for key, value in node.items()]))
        elif isinstance(node, LocList):
            pos, n = node.pos, len(node.pos)
            stack.extend(reversed([(value, pos[i] if i < n else at) for i, value in enumerate(node)]))
    return found


def scan_yaml(file: str, text: str, data: Any) -> Iterator[Problem]:
    # Every value is looked at, not only those the prefilter lets through: a text
    # of "[" alone is plain to the check but slow to the build.
    lines, budget = LineMap(text), Budget()
    starts: list[int] | None = None
    for value, (line, col) in _strings(data):
        if len(value) < SHORT and not _PREFILTER.search(value):
            continue  # costs nothing to render (``lookahead.cost``) and is not rendered: no problem
        if starts is None:
            lines.position(0)
            starts = lines._starts  # noqa: SLF001 (the map's own index)
            assert starts is not None
        yield from text_problems(file, value, lines, starts[min(line, len(starts)) - 1] + col - 1, budget)


def scan_doc(doc: Doc) -> Iterator[Problem]:
    if doc.data is not None:  # read here, on a miss of the cache only: it may cost a parse
        yield from scan_yaml(doc.file, doc.text, doc.data)


def scan_table(file: str, text: str) -> Iterator[Problem]:
    """A CSV table, row by row (cells are shown as text, where Markdown syntax is live)."""
    lines, offset, budget = LineMap(text), 0, Budget()
    for row in text.split("\n"):
        yield from text_problems(file, row, lines, offset, budget)
        offset += len(row) + 1


def scan_page(file: str, text: str) -> Iterator[Problem]:
    """A hand-written page: rendered as a whole, located from the top."""
    yield from text_problems(file, text, LineMap(text), 0, Budget())


def scan_page_body(file: str, page: str) -> Iterator[Problem]:
    """``scan_page`` of the page's body (its front matter is ``checks/front_matter.py``'s):
    cut only when the memo has no findings for the page."""
    return scan_page(file, body_only(page))


def content_pages(project: Project) -> Iterator[tuple[str, str | None]]:
    """(file, text) of the hand-written pages the site publishes (``content/<lang>/``);
    the text is None for a page over ``MAX_PAGE_BYTES``, which is not read."""
    community = project.community
    langs = [community.languages.default, *community.languages.others] if community else ["zh", "en"]
    for lang in langs:
        folder = project.root / "content" / lang
        if folder.is_dir():
            for path in sorted(folder.rglob("*.md")):
                # a hard link may be a file outside the project: fsguard refuses it, unread
                if path.is_file() and not path.is_symlink() and refusal(project.root, path) is None:
                    too_big = path.stat().st_size > MAX_PAGE_BYTES
                    yield _rel(project.root, path), None if too_big else path.read_text(encoding="utf-8",
                                                                                        errors="replace")


def _rel(root: Path, path: Path) -> str:
    return path.relative_to(root).as_posix()


def check(project: Project, index: Index) -> Iterator[Problem]:
    # Each file's findings depend on its name and text alone: the check cache keeps them.
    memo = Memo(project.cache, "markup", "")
    for docs in project.docs.values():
        for doc in docs:
            known = project.prescanned.get(doc.file, {}).get("markup")
            if known is not None:  # worked out by the worker that parsed the file
                yield from memo.of(doc, known.copy)
            else:
                yield from memo.of(doc, scan_doc, doc)
    tables = project.tables_text
    for file in tables:
        known = project.prescanned.get(file, {}).get("markup")
        # a table is known by the tables' key (a hash of its folder's bytes): its text is
        # neither hashed again nor read (``tables.TableTexts``) unless it must be scanned
        parts = ("table-in", file, project.tables_key) if project.tables_key is not None else ("table", file, tables[file])
        if known is not None:  # scanned while the documents were loading
            yield from memo.get(parts, known.copy)
        else:
            yield from memo.get(parts, lambda file=file: scan_table(file, tables[file]))
    for file, page in content_pages(project):
        if page is None:
            size = (project.root / file).stat().st_size
            yield Problem("file.too-large", file, params={"size_mb": round(size / 1048576, 1),
                                                          "limit_mb": round(MAX_PAGE_BYTES / 1048576, 1)})
        else:  # the front matter: checks/front_matter.py
            yield from memo.get(("page", file, page), scan_page_body, file, page)
    memo.save()
