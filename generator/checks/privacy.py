"""Personal data must never be published: mainland ID-card numbers (GB 11643
checksum and a plausible birth date), mobile numbers and e-mail addresses.

The scan runs over the raw text of every data file, comments included: a number
in a YAML comment is not shown on the site, but it is published in the git
history. The one exception is an official contact field (``phone:`` / ``email:``
of a body, contact point, grid or service), where a number is the point.
Numbers and addresses are matched in their plain form, however they are written
(full-width digits, invisible characters, separators, entities, tags:
``generator.checks.disguise``), in ``data/``, in every file under ``content/``
and ``mkdocs.yml``, and, after the build, in the published files.
Masked values such as ``138****1234`` do not match and pass. Neither does a
receipt key (``data/requests``): the first release wrote them as hex, where 11
digits in a row happen; such a key is a hash, so digits inside the 32 characters
of a ``receipt_key:`` value are not a number (today's keys have no digits); the
same for the key column of the ledger of issued numbers (``issued.csv``).
"""

from __future__ import annotations

import os
import re
from collections.abc import Set as AbstractSet
from pathlib import Path
from typing import Any, Iterable, Iterator

from generator.checks.disguise import Hit, find
from generator.checks.scanning import LineMap
from generator.clean_contents import Clean, content_hash
from generator.index import Index
from generator.load import Doc, Project
from generator.loading.cache import Memo, key_of
from generator.loading.tree import below
from generator.loading.yamlfile import LocDict, LocList
from generator.problems import Problem, Severity
from generator.receipt_key import HEX_KEY

#: A found value and where it is (line, column).
Located = tuple[Hit, int, int]

#: Official contact fields (``contact(...)`` in generator/kinds): numbers there are intended.
CONTACT_KEYS = frozenset({"phone", "email"})
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"


def valid_id_card(number: str) -> bool:
    """GB 11643-1999 checksum plus a plausible birth date.

    >>> valid_id_card("11010519491231002X"), valid_id_card("110105194912310021")
    (True, False)
    """
    if len(number) != 18 or not number[:17].isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(number[:17], _WEIGHTS))
    if _CHECK[total % 11] != number[17].upper():
        return False
    year, month, day = int(number[6:10]), int(number[10:12]), int(number[12:14])
    return 1900 <= year <= 2099 and 1 <= month <= 12 and 1 <= day <= 31


def mask(value: str) -> str:
    """Show enough to find the value, not enough to publish it again.

    >>> mask("13812345678"), mask("someone@example.cn")
    ('138****5678', 's***@example.cn')
    """
    if "@" in value:
        user, _, host = value.partition("@")
        return f"{user[:1]}***@{host}"
    digits = value.replace(" ", "").replace("-", "")
    return f"{digits[:3]}{'*' * (len(digits) - 7)}{digits[-4:]}"


def may_hold(text: str, words: Iterable[str]) -> bool:
    """Whether a key named one of ``words`` can be in ``text``: written out, or
    behind an escape (``"\\x70hone"``). Walking the parsed document is what costs;
    most files (meetings) have no such key at all."""
    return "\\" in text or any(word in text for word in words)


def contact_fields(data: Any) -> Iterator[tuple[LocDict, str]]:
    """Each ``phone:``/``email:`` key of the parsed document holding text, with its mapping
    (a loop, not recursion: documents may nest deeply)."""
    stack = [data]
    while stack:
        node = stack.pop()
        if isinstance(node, LocDict):
            for key, value in node.items():
                if key in CONTACT_KEYS and isinstance(value, str):
                    yield node, key
                elif isinstance(value, (LocDict, LocList)):
                    stack.append(value)
        elif isinstance(node, LocList):
            stack.extend(v for v in node if isinstance(v, (LocDict, LocList)))


def contact_lines(data: Any) -> set[int]:
    """Lines holding the value of an official contact field (``phone:``/``email:``
    keys of the parsed document — not text that merely starts with "phone:")."""
    return {node.vpos[key][0] for node, key in contact_fields(data)}


def key_spans(data: Any) -> set[tuple[int, int]]:
    """(line, column) where a hex ``receipt_key`` value of a published request starts."""
    requests = data.get("requests") if isinstance(data, LocDict) else None
    found: set[tuple[int, int]] = set()
    for record in requests if isinstance(requests, LocList) else []:
        if isinstance(record, LocDict) and isinstance(key := record.get("receipt_key"), str) \
                and HEX_KEY.fullmatch(key):
            found.add(tuple(record.vpos["receipt_key"][:2]))  # type: ignore[arg-type]
    return found


#: A line of the ledger of issued numbers (``data/requests/issued.csv``): number, hex key, date.
_LEDGER_LINE = re.compile(r"^R\d{4}-\d{4,},(?P<key>[0-9a-f]{32}),", re.MULTILINE)
LEDGER_FILE = "data/requests/issued.csv"


def ledger_key_spans(text: str) -> set[tuple[int, int]]:
    """(line, column) where a hex ``receipt_key`` starts in the ledger of issued numbers:
    the same hashed keys as in the yearly files, one per line."""
    lines = LineMap(text)
    return {lines.position(m.start("key")) for m in _LEDGER_LINE.finditer(text)}


def scan(file: str, text: str, exempt: set[int] | None = None, data: Any = None,
         allowed: frozenset[str] | set[str] = frozenset()) -> Iterator[Problem]:
    """Personal data in ``text``, however written (``disguise``); ``data`` (the parsed
    YAML) tells which lines are contact fields, ``allowed`` holds their values
    (``contact_values``): the community's own number may be repeated anywhere."""
    return found_problems(file, candidates(file, text, exempt, data), allowed)


def candidates(file: str, text: str, exempt: set[int] | None = None, data: Any = None) -> list[Located]:
    """What ``scan`` finds before the official contacts are let through: the part
    that needs the file alone (a loading worker works it out where it parsed the file)."""
    lines = LineMap(text)
    if exempt is None:
        exempt = contact_lines(data) if data is not None and may_hold(text, CONTACT_KEYS) else set()
    keys = (key_spans(data) if may_hold(text, ("receipt_key",)) else set()) if data is not None \
        else ledger_key_spans(text) if file == LEDGER_FILE else set()
    found: list[Located] = []
    for hit in find(text):
        line, col = lines.position(hit.offset)
        if line in exempt:
            continue
        if any(kl == line and kc <= col < kc + 32 for kl, kc in keys):
            continue  # inside a hashed receipt key
        found.append((hit, line, col))
    return found


def found_problems(file: str, found: list[Located], allowed: frozenset[str] | set[str]) -> Iterator[Problem]:
    """The problems of ``candidates``' findings, the official contacts (``allowed``) let through."""
    for hit, line, col in found:
        if not _personal(hit, allowed):
            continue
        severity: Severity = "warning" if hit.kind == "email-spelt" else "error"
        yield Problem(f"privacy.{hit.kind}", file, line, col, {"masked": mask(hit.value)}, severity)


#: Larger files are not read for the scan (``file.too-large`` covers the data kinds).
SCAN_LIMIT = 20 * 1024 * 1024


def _scan_doc(doc: Doc, allowed: frozenset[str] | set[str]) -> Iterator[Problem]:
    return scan(doc.file, doc.text, data=doc.data, allowed=allowed)


def texts(project: Project, docs: bool = True, tables: bool = True) -> Iterable[tuple[str, str, Any]]:
    """(file, text, parsed data or None) for every file under ``data/``: the data
    kinds and tables as they were read, then everything else (table schemas,
    package descriptors, notes …): all of it is in the git history, and parts of
    it are published (``datapackage.json``). Binary files are skipped.
    ``docs``, ``tables``: whether the documents' and tables' are among them."""
    seen = set()
    for kind_docs in project.docs.values():
        for doc in kind_docs:
            seen.add(doc.file)
            if docs:
                yield doc.file, doc.text, doc.data
    for file in project.tables_text:
        seen.add(file)
        if tables:
            yield file, project.tables_text[file], None
    yield from ((file, text, None) for file, text in _text_files(project.root, project.data_dir, seen))


def content_texts(project: Project) -> Iterable[tuple[str, str]]:
    """(file, text) of every text file under ``content/``: the hand-written pages
    the site publishes and anything else kept there (all of it is in git history)."""
    return _text_files(project.root, project.root / "content")


def _text_files(root: Path, folder: Path, skip: set[str] | frozenset[str] = frozenset()) -> Iterator[tuple[str, str]]:
    """(file, text) of each regular, text-looking file below ``folder`` up to
    ``SCAN_LIMIT``, but those in ``skip`` (already scanned: not read again); links
    are not followed and binary files (a NUL early on) skipped."""
    if not folder.is_dir():
        return
    for file, entry in below(str(folder), folder.relative_to(root).as_posix()):
        if (skip and file in skip) or entry.is_symlink() or not _is_file(entry) \
                or entry.stat().st_size > SCAN_LIMIT:
            continue
        with open(entry.path, "rb") as f:
            raw = f.read()
        if b"\0" in raw[:8192]:
            continue
        yield file, raw.decode("utf-8", errors="replace")


def _is_file(entry: os.DirEntry[str]) -> bool:
    """``Path.is_file``: False when it cannot be told."""
    try:
        return entry.is_file()
    except OSError:
        return False


#: The published files the scan reads: pages, downloads and feeds, not the theme's assets,
#: the editor or the search index.
PUBLISHED_TYPES = (".html", ".csv", ".json", ".xml", ".ics", ".txt", ".yaml")


def is_published_text(path: Path, rel: str) -> bool:
    """Whether the scan of the built site reads ``path`` (``rel``: its site-relative path)."""
    return (path.suffix in PUBLISHED_TYPES and not rel.startswith(("assets/", "admin/", "search/"))
            and "/assets/" not in rel and path.is_file())


def text_leaks(text: str, allowed: AbstractSet[str]) -> list[tuple[str, str]]:
    """(code, masked value) of the personal data in one published file's text."""
    # A spelt-out address is a warning of the check, not a machine-readable leak.
    return [(f"privacy.{hit.kind}", mask(hit.value)) for hit in find(text)
            if hit.kind != "email-spelt" and _personal(hit, allowed)]


def published_leaks(site: Path, allowed: set[str], seen: Clean | None = None) -> Iterator[tuple[str, str, str]]:
    """(file, code, masked value) of personal data in the built site's own outputs:
    pages, downloads, feeds. ``allowed``: numbers and addresses of the official
    contact fields (the data check lets them through, so the site may show them).
    ``seen``: contents a previous scan with the same ``allowed`` found clean, not scanned
    again, and those found clean now (an incremental build scans only what changed).
    (``portal build`` reads each file once for this and the page scan: ``site.published_scan``.)"""
    for path in sorted(site.rglob("*")):
        rel = path.relative_to(site).as_posix()
        if not is_published_text(path, rel):
            continue
        raw = path.read_bytes()
        digest = content_hash(raw) if seen is not None else ""
        if seen is not None and seen.skip(digest):
            continue
        found = text_leaks(raw.decode("utf-8", errors="replace"), allowed)
        for code, masked in found:
            yield rel, code, masked
        if seen is not None:
            seen.found(digest, found)


def _personal(hit: Hit, allowed: AbstractSet[str]) -> bool:
    """A found value that is personal data: a valid ID number, or a mobile number or
    address that is none of the official contacts."""
    if hit.kind == "id-card":
        return valid_id_card(hit.value)
    return (hit.value.lower() if "@" in hit.value else hit.value) not in allowed


def contact_values(project: Project) -> set[str]:
    """The values of the official contact fields, digits only for numbers."""
    found: set[str] = set()

    def contacts(doc: Doc) -> frozenset[str]:  # a document's facts: the cache keeps them by its text
        if not may_hold(doc.text, CONTACT_KEYS):
            return frozenset()
        known = project.prescanned.get(doc.file, {}).get("contacts")
        return frozenset(known if known is not None else doc_contacts(doc.data))

    for docs in project.docs.values():
        for doc in docs:
            found.update(project.fact("contacts", doc, contacts))
    return found


def doc_contacts(data: Any) -> set[str]:
    """The official contact values of one parsed document (see ``contact_values``)."""
    found: set[str] = set()
    for node, key in contact_fields(data):
        value = node[key]
        found.update({value, value.lower(), _digits(value)})
    return found


def _digits(value: str) -> str:
    """The last 11 digits, in ASCII (the scan compares plain digits, whatever the script)."""
    return "".join(str(int(c)) for c in value if c.isdecimal())[-11:] if "@" not in value else value


def check(project: Project, index: Index) -> Iterator[Problem]:
    allowed = contact_values(project)
    # A file's findings depend on its name, its text (and so its parsed data) and
    # the official numbers: the cache keeps them per file while those numbers stay.
    # A document's name and text are hashed once, when loaded (``Doc.text_key``).
    memo = Memo(project.cache, "privacy", key_of(*sorted(allowed)))

    def scanned(file: str, text: str, data: Any = None) -> list[Problem]:
        parts = (file, text, "yaml" if data is not None else "")
        known = project.prescanned.get(file, {}).get("privacy") if data is None else None
        if known is not None:  # scanned while the documents were loading
            return memo.get(parts, found_problems, file, known, allowed)
        return memo.get(parts, scan, file, text, None, data, allowed)

    tables = project.tables_text

    def scanned_table(file: str) -> list[Problem]:
        # a table is known by the tables' key (a hash of its folder's bytes): its text is
        # neither hashed again nor read (``tables.TableTexts``) unless it must be scanned
        key = project.tables_key
        parts = (file, key, "table") if key is not None else (file, tables[file], "")
        known = project.prescanned.get(file, {}).get("privacy")
        if known is not None:  # scanned while the documents were loading
            return memo.get(parts, found_problems, file, known, allowed)
        return memo.get(parts, lambda: scan(file, tables[file], None, None, allowed))

    for docs in project.docs.values():
        for doc in docs:  # the parsed data is read on a miss of the cache only (it may cost a parse)
            known = project.prescanned.get(doc.file, {}).get("privacy")
            if known is not None:  # worked out by the worker that parsed the file
                yield from memo.of(doc, found_problems, doc.file, known, allowed)
            else:
                yield from memo.of(doc, _scan_doc, doc, allowed)
    for file in tables:
        yield from scanned_table(file)
    for file, text, _ in texts(project, docs=False, tables=False):
        yield from scanned(file, text)
    for file, text in content_texts(project):
        yield from scanned(file, text)
    config = project.root / "mkdocs.yml"  # the site's settings: a footer or copyright line is on every page
    if config.is_file() and not config.is_symlink() and config.stat().st_size <= SCAN_LIMIT:
        yield from scanned("mkdocs.yml", config.read_text(encoding="utf-8", errors="replace"))
    memo.save()
