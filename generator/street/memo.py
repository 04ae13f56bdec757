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

from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any, Callable, TypeVar

from generator import signed
from generator.loading.cache import code_version, key_of

T = TypeVar("T")

_versions: str | None = None


def versions() -> str:
    """The portal's code and the versions of what makes the street's HTML and calendar."""
    global _versions
    if _versions is None:
        found = []
        for name in ("markdown", "icalendar", "jinja2", "nh3"):
            try:
                found.append(f"{name}={version(name)}")
            except PackageNotFoundError:
                found.append(f"{name}=-")
        _versions = "|".join([code_version(), *found])
    return _versions


class Memo:
    """Values (JSON) by key, loaded from and saved to one signed record (``path`` None: none,
    every value is made)."""

    def __init__(self, path: Path | None = None, purpose: str = "") -> None:
        self.path, self.purpose = path, purpose
        stored = signed.load(path, purpose) if path is not None else None
        self._old: dict[str, Any] = stored if isinstance(stored, dict) else {}
        self._new: dict[str, Any] = {}
        self.made = 0  #: values made in this build (not found in the record)

    def get(self, parts: tuple[str, ...], make: Callable[[], T]) -> T:
        """The value kept for ``parts`` (with the code's ``versions``), else ``make()``'s."""
        key = key_of(versions(), *parts)
        if key in self._new:
            return self._new[key]  # type: ignore[no-any-return]
        if key in self._old:
            value = self._old[key]
        else:
            value = make()
            self.made += 1
        self._new[key] = value
        return value  # type: ignore[no-any-return]

    def save(self) -> None:
        """After the build succeeded: what it asked for, for the next one."""
        if self.path is not None:
            signed.save(self.path, self.purpose, self._new)
