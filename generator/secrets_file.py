"""The shared signing secret of the site build and the endpoint.

A build-time form token (for visitors without JavaScript) is signed with the
same key the endpoint checks it with. Set ``PORTAL_SECRET`` in production; for
local use a random key is kept in ``.portal-secret`` (git-ignored) next to data/.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

FILE = ".portal-secret"


def shared_secret(root: Path, create: bool = True) -> str:
    if os.environ.get("PORTAL_SECRET"):
        return os.environ["PORTAL_SECRET"]
    path = Path(root) / FILE
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    if not create:
        return ""
    value = secrets.token_urlsafe(32)
    path.write_text(value + "\n", encoding="utf-8")
    path.chmod(0o600)
    return value
