"""Read a data file as text, or say precisely why it cannot be read.

Committee members save files from Excel, WPS or Notepad, so the common failures
are a GBK/GB18030 encoding, a UTF-16 export, or a binary file (an .xlsx renamed
.csv). Each gets its own problem code with a hint, never a traceback.
"""

from __future__ import annotations

from pathlib import Path

#: Above this a YAML file is refused: no hand-kept document is this large, and
#: the limit bounds memory and time on hostile input.
MAX_YAML_BYTES = 2 * 1024 * 1024


class TextFileProblem(Exception):
    def __init__(self, code: str, **params: object) -> None:
        super().__init__(code)
        self.code, self.params = code, params


def read_text(path: Path, max_bytes: int) -> str:
    """Return the file's text (UTF-8, BOM allowed) with newlines normalised."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise TextFileProblem("file.unreadable", detail=exc.strerror or str(exc)) from None
    if size > max_bytes:
        raise TextFileProblem("file.too-large", size_mb=round(size / 1048576, 1),
                              limit_mb=round(max_bytes / 1048576, 1))
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise TextFileProblem("file.unreadable", detail=exc.strerror or str(exc)) from None
    return decode(raw)


def decode(raw: bytes) -> str:
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise TextFileProblem("file.encoding", encoding="UTF-16")
    if b"\x00" in raw[:8192]:
        raise TextFileProblem("file.binary")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        guess = "GBK/GB18030" if _looks_gb(raw) else "unknown"
        raise TextFileProblem("file.encoding", encoding=guess, line=line) from None
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text


def _looks_gb(raw: bytes) -> bool:
    try:
        raw.decode("gb18030")
    except UnicodeDecodeError:
        return False
    return True
