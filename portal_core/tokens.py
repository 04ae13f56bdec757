"""Signed form tokens: ``<kind>.<issued>.<mac>``, HMAC-SHA256 over the form id and
the time the token was issued, with the secret the build and the endpoint share
(``PORTAL_SECRET``). The build bakes a static token into each form page for
visitors without JavaScript; the endpoint checks them (``endpoint.abuse``).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def sign_token(secret: bytes, form_id: str, issued: float | None = None, kind: str = "t") -> str:
    """``<kind>.<issued>.<mac>``; ``kind`` is ``t`` (fresh) or ``s`` (static, from the build)."""
    issued = int(issued if issued is not None else time.time())
    mac = hmac.new(secret, f"{kind}.{issued}.{form_id}".encode(), hashlib.sha256).digest()[:16]
    return f"{kind}.{issued}.{_b64(mac)}"
