"""Feeds, per language: every kind's ``Kind.feeds`` (RSS 2.0 for notices, decisions
and approvals, iCalendar for meetings; see ``generator.site.syndication``).

Written by ``exports.write_extras`` into ``feeds/`` of each language's site
(``/feeds/`` for the default language, ``/en/feeds/`` …), so the relative links
``../feeds/notices.xml`` of the pages work in every language. Links inside the
feeds are absolute (``site_url`` + page path).
"""

from __future__ import annotations

from generator import registry
from generator.index import Index
from generator.load import Project


def feeds(project: Project, index: Index, lang: str, default: str, base_url: str) -> dict[str, bytes]:
    """Every feed of one language, by file name (written to ``<lang site>/feeds/``)."""
    return {feed.file: feed.make(project, index, lang, default, base_url)
            for kind in registry.KINDS for feed in kind.feeds}
