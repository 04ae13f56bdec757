"""What the street build remembers of its own slow outputs between runs.

After one notice is edited, the street's calendar (every community's meetings, ~7,000
events per language at 30 communities × 10 years, ~2 s through icalendar) and most of
its pages' Markdown are what they were. So the build keeps, by a key of everything they
are made from, each community's calendar events as iCalendar text and each street
page's HTML, and makes again only what changed.

Kept as signed records (``generator.signed``): what is read back is published as it is,
so a record planted in ``.portal-build`` must never be believed. Only what this build
asked for is kept, so the records stay the size of one street.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable, TypeVar

from generator import signed
from generator.loading.cache import code_version, key_of, library_versions

T = TypeVar("T")

_versions: str | None = None


def versions() -> str:
    """The portal's code and the versions of what makes the street's HTML and calendar."""
    global _versions
    if _versions is None:  # markdown and nh3 (the sanitizer) are in code_version
        _versions = "|".join([code_version(), library_versions(("icalendar", "jinja2"))])
    return _versions


class Memo:
    """Values (JSON) by key, loaded from and saved to one signed record (``path`` None: none,
    every value is made)."""

    def __init__(self, path: Path | None = None, purpose: str = "") -> None:
        self.path, self.purpose = path, purpose
        stored = signed.load(path, purpose) if path is not None else None
        self._old: dict[str, Any] = stored if isinstance(stored, dict) else {}
        self._new: dict[str, Any] = {}

    def get(self, parts: tuple[str, ...], make: Callable[[], T]) -> T:
        """The value kept for ``parts`` (with the code's ``versions``), else ``make()``'s."""
        key = key_of(versions(), *parts)
        if key not in self._new:
            self._new[key] = self._old[key] if key in self._old else make()
        return self._new[key]  # type: ignore[no-any-return]

    def save(self) -> None:
        """After the build succeeded: what it asked for, for the next one."""
        if self.path is not None:
            signed.save(self.path, self.purpose, self._new)
