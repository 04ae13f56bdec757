"""Personal data written in disguise, found in its plain form (issue #18).

A number or an address can be written so that a pattern on the raw text misses
it while a reader, and the rendered page, still sees it: full-width or other
scripts' digits (１３８…), invisible characters between digits (zero-width
space, soft hyphen), spaces, hyphens or dots between digits (1 3 8 …,
138-1234-5678), HTML entities (``&#64;``, ``&#x31;``) and tags splitting the
digits (``<span>136</span><span>12345678</span>``). ``normalise`` undoes all of
that and keeps, for each character of its result, the offset in the original
text it came from, so a finding is reported where the committee wrote it.

Two readings of each candidate are matched: the normalised text as written
(spaces and hyphens kept, as the first release matched) and the same text with
separators between digits collapsed. The second finds ``1 3 5 1 2 3 4 5 6 7 8``;
because collapsing makes each run of digits maximal, a date, an amount or a
list of years only matches when its digits are exactly a mobile or a valid ID
number, and an amount with decimals (``138 012 345.67``) is not taken.

Only candidates are normalised (a cluster of 11+ digits, or something that may
be an at-sign), so the scan stays fast on pages that are mostly digits-free.
Hand-written rather than a library: the map back to the original offsets is the
point, and neither ``unicodedata`` nor ``html`` keep one.
"""

from __future__ import annotations

import html
import re
import sys
import unicodedata
from functools import lru_cache
from typing import Iterator, NamedTuple

#: Format characters (Unicode category Cf) and other characters that show nothing.
#: A test checks this list against the running Python's Unicode database.
INVISIBLE = (
    "\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e\u2060-\u206f"
    "\u3164\ufe00-\ufe0f\ufeff\uffa0\ufff9-\ufffb\u0600-\u0605\u06dd\u070f\u0890\u0891\u08e2"
    "\U000110bd\U000110cd\U00013430-\U0001343f\U0001bca0-\U0001bca3\U0001d173-\U0001d17a"
    "\U000e0001\U000e0020-\U000e007f"
)
_INVISIBLE = re.compile(f"[{INVISIBLE}]")
#: Characters a number may be broken up with (after ``_char``: space, hyphen, dot), as
#: written: horizontal spaces, hyphens and dashes, dots and middle dots, full-width forms.
_SEPARATORS = (
    " \t\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000"
    "\\-.\u00b7\u2010-\u2015\u2212\u30fb\ufe58\ufe63\uff0d\uff0e\uff65"
)
#: Inline elements: a tag of these joins the text around it; any other tag breaks it.
_INLINE = frozenset(
    "a abbr b bdi bdo big cite code data del dfn em font i ins kbd mark q s samp small span strike strong "
    "sub sup time tt u var wbr".split()
)
_MARKUP = re.compile(
    r"<!--.*?-->"
    r"|<(?P<tag>/?[A-Za-z][A-Za-z0-9-]*)(?:[\s/][^<>]*)?>"
    r"|&(?:#[xX][0-9a-fA-F]{1,6}|#[0-9]{1,7}|[A-Za-z][A-Za-z0-9]{1,31});?"
    r"|(?P<escape>\\(?:u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|x[0-9a-fA-F]{2}))",
    re.S,
)
#: A digit, or what may stand for one: a numeric entity or a YAML/JSON escape (\uff11).
#: Not an escaped CJK ideograph or Hangul syllable (U+4000-DFFF): JSON-LD is full of
#: those, and no digit, space or invisible character is among them.
_CODED = r"&#(?:[xX][0-9a-fA-F]{1,6}|[0-9]{1,7});?|\\(?:u(?![4-9a-dA-D])[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|x[0-9a-fA-F]{2})"
_DIGIT = rf"(?:\d|{_CODED})"
# One character class for the single separators: alternatives that could both take
# the same character would make a failed match backtrack exponentially.
_SEP = rf"(?:[{_SEPARATORS}{INVISIBLE}]|<[A-Za-z/!][^<>]{{0,300}}>|&[A-Za-z][A-Za-z0-9]{{1,31}};)"
#: A candidate on the raw text: 11 or more digits, however written and broken up. The
#: first is a plain digit: a pattern starting with a character class is scanned for in C,
#: several times faster on a built site; clusters starting with an entity have their own.
_TAIL = rf"{_SEP}*(?:{_DIGIT}{_SEP}*){{10,}}[XxＸｘ]?"
#: A digit right after a digit, or after a digit and one separator, starts no cluster of
#: its own: the search tried from that earlier digit, and a cluster from here would have
#: been one from there (the same matches, a third fewer starts on a built page). The
#: look-behinds come after the first digit so the search still skips to digits in C.
_CLUSTER = re.compile(rf"\d(?<!\d\d)(?<!\d[{_SEPARATORS}{INVISIBLE}]\d){_TAIL}")
_CLUSTER_CODED = re.compile(rf"(?:{_CODED}){_TAIL}")
#: Something that may stand for an at-sign: a line holding one is normalised. Written as
#: one character class first (each alternative checked behind it): a pattern starting with
#: a class is scanned for in C, where a leading alternation is tried at every position.
_AT_HINT = re.compile(r"[@\uff20\ufe6b&\\(\[{\uff08](?:(?<=[@\uff20\ufe6b])|(?<=&)(?:#0*64|#[xX]0*40|commat);?"
                      r"|(?<=\\)u(?:0040|[fF][fF]20|[fF][eE]6[bB])|(?<=[(\[{\uff08]) ?[aA][tT] ?[)\]}\uff09])")
#: A mobile or ID number as written has three digits in a row (or coded ones).
_RUN = re.compile(r"\d{3}|&#|\\[uUx]")
_GAP = re.compile(r"(?<=[0-9])[ .\-]{1,3}(?=[0-9])")
_DASHES = str.maketrans({c: "-" for c in "\u2010\u2011\u2012\u2013\u2014\u2015\u2212"} | {"\u00b7": ".", "\u30fb": "."})
_LINE_BREAKS = "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"

NUMBER = re.compile(
    r"(?<![0-9A-Za-z])(?P<id>[0-9]{17}[0-9Xx])(?![0-9A-Za-z])"
    r"|(?<![0-9])(?:(?:\+|00)?86[ -]?)?(?P<mobile>1[3-9][0-9](?:[ -]?[0-9]{4}){2})(?![0-9])"
)
EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
_DOT_WORD = r"(?: ?[(\[{] ?dot ?[)\]}] ?|\.)"
#: An address with its at-sign spelt out: zhang(at)example.com, zhang [at] example [dot] com.
EMAIL_SPELT = re.compile(
    rf"(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]+ ?[(\[{{] ?at ?[)\]}}] ?[A-Za-z0-9-]+(?:{_DOT_WORD}[A-Za-z0-9-]+)*"
    rf"{_DOT_WORD}[A-Za-z]{{2,}}",
    re.I,
)
#: What ends a file name, not an address: picture@2x.png, style@print.css.
_FILE_TYPES = frozenset("png jpg jpeg gif svg webp avif ico bmp tif tiff pdf css js mjs map json html htm".split())
#: An amount: one decimal point, one or two digits after it (138 012 345.67).
_DECIMAL = re.compile(r"[^.]*\.\d{1,2}")
#: An e-mail candidate's window: the line around the at-sign, at most this far each way;
#: an at-sign this far inside the last window needs no window of its own.
_REACH = 256
_MARGIN = 96


class Hit(NamedTuple):
    kind: str  #: "id-card", "mobile", "email" or "email-spelt"
    offset: int  #: where it starts in the original text
    value: str  #: the plain value (digits, or the address), for masking


@lru_cache(maxsize=8192)
def _char(c: str) -> str:
    """What one non-ASCII character stands for: '' for an invisible one."""
    if _INVISIBLE.match(c) or unicodedata.category(c) == "Cf":
        return ""
    digit = unicodedata.decimal(c, None)  # any script's digits (NFKC leaves Arabic-Indic ones)
    if digit is not None:
        return str(digit)
    if c in _LINE_BREAKS:
        return "\n"
    if c.isspace():
        return " "
    return unicodedata.normalize("NFKC", c).translate(_DASHES)


def _plain(text: str, start: int, end: int, out: list[str], origin: list[int]) -> None:
    for i in range(start, end):
        c = text[i]
        if c < "\x80":
            out.append(" " if c == "\t" else c)
            origin.append(i)
        else:
            for p in _char(c):
                out.append(p)
                origin.append(i)


def normalise(text: str, start: int = 0, end: int | None = None) -> tuple[str, list[int]]:
    """``text[start:end]`` as it reads, and for each of its characters the offset in
    ``text`` it came from (one more entry: ``end``). Entities are decoded, inline tags
    and comments removed, other tags become a line break, invisible characters go,
    other scripts' and full-width characters become their plain (NFKC) form."""
    end = len(text) if end is None else end
    out: list[str] = []
    origin: list[int] = []
    pos = start
    for m in _MARKUP.finditer(text, start, end):
        _plain(text, pos, m.start(), out, origin)
        token = m.group()
        if m.group("escape") and int(token[2:], 16) <= sys.maxunicode:  # YAML and JSON decode these
            c = chr(int(token[2:], 16))
            for p in (c if c < "\x80" else _char(c)):
                out.append(p)
                origin.append(m.start())
        elif token[0] == "&":
            decoded = html.unescape(token)
            if decoded == token:
                _plain(text, m.start(), m.end(), out, origin)
            else:
                for c in decoded:
                    for p in (c if c < "\x80" else _char(c)):
                        out.append(p)
                        origin.append(m.start())
        elif token.startswith("<!--") or (m.group("tag") or "").lstrip("/").lower() in _INLINE:
            pass
        else:
            out.append("\n")
            origin.append(m.start())
        pos = m.end()
    _plain(text, pos, end, out, origin)
    origin.append(end)
    return "".join(out), origin


def collapse(norm: str, origin: list[int]) -> tuple[str, list[int]]:
    """Separators (up to three) between two digits removed, the map kept."""
    out: list[str] = []
    kept: list[int] = []
    pos = 0
    for m in _GAP.finditer(norm):
        out.append(norm[pos:m.start()])
        kept.extend(origin[pos:m.start()])
        pos = m.end()
    out.append(norm[pos:])
    kept.extend(origin[pos:])
    return "".join(out), kept


def _inside_tag(text: str, offset: int) -> bool:
    """In an HTML tag (an attribute: an icon's path, a class name), where digits are
    not read as one number; a plain run there is still matched as written."""
    since = max(0, offset - 2000)
    lt = text.rfind("<", since, offset)
    return lt > text.rfind(">", since, offset) and text[lt + 1:lt + 2].isascii() and (
        text[lt + 1:lt + 2].isalpha() or text[lt + 1:lt + 2] in "/!")


def _numbers(norm: str, origin: list[int], text: str, collapsed: bool) -> Iterator[Hit]:
    for m in NUMBER.finditer(norm):
        start, end = origin[m.start()], origin[m.end() - 1] + 1
        if collapsed and _DECIMAL.fullmatch(text, start, end):
            continue  # an amount with decimals, not a number to call
        if m.group("id"):
            yield Hit("id-card", start, m.group("id").upper())
        else:
            yield Hit("mobile", start, re.sub(r"[^0-9]", "", m.group("mobile")))


def _spelt_out(address: str) -> str:
    """zhang (at) example [dot] com -> zhang@example.com"""
    address = re.sub(r" ?[(\[{] ?at ?[)\]}] ?", "@", address, count=1, flags=re.I)
    return re.sub(_DOT_WORD, ".", address, flags=re.I)


def find(text: str) -> Iterator[Hit]:
    """Mobile numbers, 18-character ID-number candidates (the caller checks the
    checksum) and e-mail addresses, numbers first, each in order of place."""
    seen: set[tuple[str, int]] = set()
    spans = [m.span() for m in _CLUSTER.finditer(text)]
    if "&#" in text or "\\" in text:
        spans = sorted(set(spans + [m.span() for m in _CLUSTER_CODED.finditer(text)]))
    for start, end in spans:
        if start and text[start - 1] in "+\uff0b":
            start -= 1  # +86 …: the number is reported from its plus sign
        inside = _inside_tag(text, start)
        if inside and not _RUN.search(text, start, end):
            continue  # an attribute (an icon's path): read as written, and no number is written there
        norm, origin = normalise(text, max(0, start - 1), min(len(text), end + 1))
        hits = list(_numbers(norm, origin, text, collapsed=False))
        if not inside:
            joined, joined_origin = collapse(norm, origin)
            if joined != norm:
                hits.extend(_numbers(joined, joined_origin, text, collapsed=True))
        for hit in hits:
            if hit.offset >= start and (hit.kind, hit.offset) not in seen:
                seen.add((hit.kind, hit.offset))
                yield hit
    covered = (0, 0)  # the last window read: an at-sign well inside it was read with it
    for m in _AT_HINT.finditer(text):
        if covered[0] + _MARGIN <= m.start() and m.end() + _MARGIN <= covered[1]:
            continue
        # Bounded both ways: a one-line file (JSON) with many at-signs stays linear.
        line_start = max(text.rfind("\n", max(0, m.start() - _REACH), m.start()) + 1, m.start() - _REACH)
        line_end = text.find("\n", m.end(), m.end() + _REACH)
        line_end = min(len(text), m.end() + _REACH) if line_end == -1 else line_end
        covered = (line_start, line_end)
        norm, origin = normalise(text, line_start, line_end)
        for pattern, kind in ((EMAIL, "email"), (EMAIL_SPELT, "email-spelt")):
            for e in pattern.finditer(norm):
                if e.group().rsplit(".", 1)[-1].lower() in _FILE_TYPES:
                    continue  # logo@2x.png: an image for high-resolution screens
                value = e.group() if kind == "email" else _spelt_out(e.group())
                hit = Hit(kind, origin[e.start()], value)
                if (hit.kind, hit.offset) not in seen and not (kind == "email-spelt" and ("email", hit.offset) in seen):
                    seen.add((hit.kind, hit.offset))
                    yield hit
