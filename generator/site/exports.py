"""Files published beside the pages: feeds, calendar, data downloads."""

from __future__ import annotations

from pathlib import Path

from generator.pipeline import Checked


def write_extras(checked: Checked, site: Path, langs: list[str], site_url: str) -> None:
    """Write feeds and downloads into the finished site folder."""
