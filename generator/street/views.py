"""The street's own pages and files, computed from its ``Member``s.

PLACEHOLDER (home page only): wt-views replaces this module with the full views
(compare pages, feeds, calendar, cross-street search) behind the same two
functions; ``generator.street.build`` calls only these.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from generator.kinds.base import Page
from generator.street.model import Member, Street


def street_pages(street: Street, members: list[Member], today: dt.date) -> list[Page]:
    """The street home: every community with its status and last update, and the
    street office's bodies and contacts."""
    return [Page("index.md", "street-home.html", street.name,
                 context={"street": street, "members": members, "today": today})]


def write_street_files(street: Street, members: list[Member], site: Path, langs: list[str], site_url: str) -> None:
    """``communities.json`` at the site root: each community, its address and status."""
    rows = [{"id": m.id, "status": m.status, "url": f"{site_url.rstrip('/')}/{m.id}/",
             "updated": m.updated.isoformat(timespec="seconds") if m.updated else None}
            for m in members]
    (site / "communities.json").write_text(json.dumps({"street": street.id, "communities": rows},
                                                      ensure_ascii=False, indent=1), encoding="utf-8")
