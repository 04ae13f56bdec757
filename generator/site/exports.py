"""Files published beside the pages: feeds, calendar, data downloads.

(Being written: see the open-data page.)
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from generator.index import Index
from generator.load import Project
from generator.pipeline import Checked


def datasets(project: Project, index: Index) -> list[dict[str, Any]]:
    """The downloadable datasets, for the open-data page."""
    return []


def write_extras(checked: Checked, site: Path, langs: list[str], site_url: str) -> None:
    """Write feeds and downloads into the finished site folder."""
