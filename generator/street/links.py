"""Addresses on the street site, relative to the page that shows them, so the site
works at any address (a sub-folder of a host included).

The street's pages are at the site root (default language at ``/``, others at
``/<lang>/``); each community's site is at ``/<id>/`` (its other languages at
``/<id>/<lang>/``); the downloads, one set for all languages, at ``/data/``.
"""

from __future__ import annotations

from generator.site.qr import page_url


def page_dir(path: str) -> str:
    """The directory URL of a docs page, relative to its language's root.

    >>> page_dir("compare/money.md"), page_dir("calendar/index.md"), page_dir("index.md")
    ('compare/money/', 'calendar/', '')
    """
    return page_url("", path).lstrip("/")


class Links:
    """Links from one street page, in one language."""

    def __init__(self, page: str, lang: str, default: str) -> None:
        self.lang, self.default = lang, default
        depth = page_dir(page).count("/")
        self.lang_root = "../" * depth  #: this language's street root
        self.site_root = self.lang_root + ("" if lang == default else "../")

    def street(self, path: str) -> str:
        """Another street page (a docs path) or file of this language (``feeds/notices.xml``)."""
        return self.lang_root + (page_dir(path) if path.endswith(".md") else path)

    def community(self, community: str, path: str = "index.md") -> str:
        """A page of a community's site, in this language (its path in that site's docs)."""
        lang = "" if self.lang == self.default else f"{self.lang}/"
        return f"{self.site_root}{community}/{lang}{page_dir(path)}"

    def data(self, name: str) -> str:
        """A download of the street (``street-figures.csv``)."""
        return f"{self.site_root}data/{name}"


def absolute(site_url: str, lang: str, default: str, community: str | None, path: str) -> str:
    """The public address of a page, for feeds and downloads.

    >>> absolute("https://s.cn/", "en", "zh", "hehuali", "notices/N1.md")
    'https://s.cn/hehuali/en/notices/N1/'
    """
    base = site_url.rstrip("/") + "/" + (f"{community}/" if community else "") + ("" if lang == default else f"{lang}/")
    return page_url(base, path)
