"""Which files ``content/`` may publish besides its Markdown pages: inert media only.

A file copied from ``content/`` lands on the site's own origin, where the
policy's ``script-src 'self'`` allows any script it holds: ``evil.html`` with
``<script src="evil.js">``, an SVG with a ``<script>``, an XHTML page would all
run as the site. So the rule is an allow-list, by extension AND by content:

- Markdown pages (``.md``): mkdocs renders them and the hooks sanitize them;
- raster images, PDF, office documents: their first bytes must be that format's
  signature, so a ``.png`` that is really HTML or SVG is refused;
- plain text and CSV: browsers never sniff ``text/plain`` or ``text/csv`` into
  HTML, yet text that starts like markup (``<``) is refused all the same, for a
  host that serves them without a type.

Everything else (HTML, XHTML, SVG, JS, CSS, XML, XSL, wasm, swf, a file without
an extension, …) is refused. ``portal check`` reports it (``fsguard.scan``) and
the build never copies it (``fsguard.safe_files``): both call :func:`refusal`.

The signatures are a small table written here rather than a library
(``filetype``, ``puremagic``): the question is not "what is this file" but
"is it the one format its name promises", a positive match of a few bytes per
allowed extension, and a guessing library would add a dependency for no more.
"""

from __future__ import annotations

from pathlib import Path

from generator.problems import Problem
from portal_core.i18n import pair

#: Pages: rendered by mkdocs and sanitized, never copied as they are.
PAGES = frozenset({".md"})

_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Word / Excel / PowerPoint 97-2003
_ZIP = b"PK\x03\x04"  # OOXML (docx, xlsx, pptx) and OpenDocument are zip archives
#: Allowed extension → the signatures its first bytes may start with
#: (webp and avif are checked further in ``_matches``).
SIGNATURES: dict[str, tuple[bytes, ...]] = {
    ".png": (b"\x89PNG\r\n\x1a\n",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
    ".gif": (b"GIF87a", b"GIF89a"),
    ".ico": (b"\x00\x00\x01\x00",),  # a favicon (mkdocs.yml theme.favicon: generator.site_config)
    ".webp": (b"RIFF",),
    ".avif": (),
    ".pdf": (b"%PDF-",),
    ".doc": (_OLE2,), ".xls": (_OLE2,), ".ppt": (_OLE2,),
    ".docx": (_ZIP,), ".xlsx": (_ZIP,), ".pptx": (_ZIP,),
    ".odt": (_ZIP,), ".ods": (_ZIP,), ".odp": (_ZIP,),
}
#: Text: any bytes but a start that looks like markup.
TEXT = frozenset({".txt", ".csv"})
#: Documents a browser should download rather than open in a viewer (header_formats).
DOCUMENTS = frozenset({".pdf", ".doc", ".docx", ".xls", ".xlsx", ".ppt", ".pptx", ".odt", ".ods", ".odp"})
ALLOWED = PAGES | TEXT | frozenset(SIGNATURES)

#: Refused extensions with a more useful hint than "convert it to PDF or PNG".
_ADVICE = {
    **dict.fromkeys((".html", ".htm", ".xhtml", ".xht", ".shtml", ".mhtml", ".mht"), "page"),
    **dict.fromkeys((".svg", ".svgz"), "svg"),
    **dict.fromkeys((".js", ".mjs", ".cjs", ".css", ".wasm", ".swf", ".xml", ".xsl", ".xslt", ".json"), "code"),
}
_HEAD = 4096  # enough for every signature, an avif's ftyp box and a text's first characters


def hidden(rel: str) -> bool:
    """A dot-file or a file in a dot-folder: mkdocs never publishes those
    (``exclude_docs``), and the build does not copy them either."""
    return any(part.startswith(".") for part in rel.split("/"))


def _matches(ext: str, head: bytes) -> bool:
    if ext in TEXT:
        return not head.lstrip(b"\xef\xbb\xbf \t\r\n\f").startswith(b"<")
    if ext == ".webp":
        return head[:4] == b"RIFF" and head[8:12] == b"WEBP"
    if ext == ".avif":  # an ISO-BMFF ftyp box naming the avif brand (major or compatible)
        size = int.from_bytes(head[:4], "big")
        return head[4:8] == b"ftyp" and 16 <= size <= len(head) and (
            b"avif" in head[8:size] or b"avis" in head[8:size])
    return any(head.startswith(sig) for sig in SIGNATURES[ext])


def _looks_like(head: bytes) -> tuple[str, str]:
    """What a refused file's first bytes look like, for the message (zh, en)."""
    if head.lstrip(b"\xef\xbb\xbf \t\r\n\f").startswith(b"<"):
        return pair("problem.word.media.markup")
    for ext in SIGNATURES:
        if SIGNATURES[ext] and _matches(ext, head):
            return ext.lstrip(".").upper(), ext.lstrip(".").upper()
    return pair("problem.word.media.unknown")


def refusal(root: Path, path: Path) -> Problem | None:
    """Why the regular file ``path`` (below ``root/content/``) must not be
    published, or ``None``: the one rule of ``portal check`` and the build."""
    file = path.relative_to(root).as_posix() if path.is_relative_to(root) else path.as_posix()
    ext = path.suffix.lower()
    if ext not in ALLOWED:
        shown = ext or path.name
        advice = pair(f"problem.word.media.{_ADVICE.get(ext, 'other')}")
        return Problem("content.file-type", file, None, None,
                       {"ext": shown, "advice": advice[0], "advice_en": advice[1]})
    if ext in PAGES:
        return None
    try:
        with path.open("rb") as f:
            head = f.read(_HEAD)
    except OSError as e:  # refused too: the build would fail copying it
        return Problem("file.unreadable", file, None, None, {"detail": e.strerror or type(e).__name__})
    if _matches(ext, head):
        return None
    looks = _looks_like(head)
    return Problem("content.file-disguised", file, None, None, {"ext": ext, "looks": looks[0], "looks_en": looks[1]})
