"""Small JSON records the build keeps between runs, signed so a planted one is ignored.

What the build remembers to skip work (pages already scanned clean, the theme's own
inline code) decides what it lets through: a record planted in ``.portal-build`` (a
pull request can add files there) must never be believed. Each record carries an
HMAC made with the check cache's key, kept outside the project
(``generator.loading.cache``); a record that does not verify reads as absent, and
without a key nothing is remembered (every build does the whole work).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from generator.loading.cache import caches_off, signing_key

_TAG = 64  # hex characters of HMAC-SHA256


def load(path: Path, purpose: str) -> Any:
    """The value stored at ``path`` for ``purpose``, or None if absent, unsigned or altered."""
    key = signing_key()
    if key is None or caches_off():
        return None
    try:
        raw = path.read_bytes()
    except OSError:
        return None
    tag, payload = raw[:_TAG], raw[_TAG:]
    expected = hmac.new(key, purpose.encode() + b"\0" + payload, hashlib.sha256).hexdigest().encode()
    if not hmac.compare_digest(tag, expected):
        return None
    try:
        return json.loads(payload)
    except ValueError:
        return None


def save(path: Path, purpose: str, value: Any) -> None:
    """Store ``value`` (JSON) at ``path``, replacing it whole; nothing without a key."""
    key = signing_key()
    if key is None:
        return
    payload = json.dumps(value, ensure_ascii=False, sort_keys=True).encode("utf-8")
    tag = hmac.new(key, purpose.encode() + b"\0" + payload, hashlib.sha256).hexdigest().encode()
    path.parent.mkdir(parents=True, exist_ok=True)
    # a temporary file of its own: the communities of a street are built in threads of one process
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    with os.fdopen(fd, "wb") as out:
        out.write(tag + payload)
    os.replace(tmp, path)


def forget(path: Path) -> None:
    try:
        path.unlink()
    except OSError:
        pass
