"""schema.org JSON-LD for pages where it fits (being written)."""

from __future__ import annotations

from typing import Any

from markupsafe import Markup


def meeting(m: Any, url: str, lang: str) -> Markup:
    return Markup("")


def service(s: Any, url: str, lang: str) -> Markup:
    return Markup("")
