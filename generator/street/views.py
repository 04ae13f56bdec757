"""The street's views across its communities (issue #20): pages comparing what the
kinds declare (``kinds.base.Kind.street``), open governance questions per community,
a street calendar and notice list; plus their downloads and feeds.

``street_pages`` gives the pages (rendered like every page, by ``site.render.Renderer``
with this folder's ``templates/``); ``write_street_files`` writes the CSV/JSON downloads
with their Data Package and the feeds into the built street site. The street build
(``generator.street.build``) calls both.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from generator.kinds.base import Page
from generator.street import compare
from generator.street.collect import StreetData, collect
from generator.street.files import write_files
from generator.street.links import Links
from generator.street.memo import Memo
from generator.street.model import Member, Street
from portal_core.i18n import catalog, texts

TEMPLATES = Path(__file__).resolve().parent / "templates"
#: The street's section pages, in the order its home page lists them.
HOME = "compare/index.md"
OPEN_QUESTIONS = "open-questions/index.md"
CALENDAR = "calendar/index.md"
NOTICES = "notices/index.md"
#: Most notices listed on the street's notice page (each community's own page keeps all).
NOTICE_PAGE_ITEMS = 200
#: Past meetings the calendar page still lists, besides every upcoming one.
PAST_MEETINGS = 30


def view_path(view: str) -> str:
    return f"compare/{view}.md"


def view_title(view: str) -> Any:
    """A view's page title from the catalog; a view no string names (a new kind's) by its name."""
    key = f"site.streetview.view.{view}"
    return texts(key) if key in catalog() else {"zh": view, "en": view}


def number(value: float | None) -> str:
    """A figure as shown: thousands separated, at most two decimals, none when whole.

    >>> number(12000.0), number(4.5), number(1234.567), number(None)
    ('12,000', '4.5', '1,234.57', '')
    """
    if value is None:
        return ""
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def street_pages(street: Street, members: list[Member], today: dt.date) -> list[Page]:
    """Every page of the street views, from the members' facts (``collect``)."""
    data = collect(members)
    default = street.languages.default
    common = {"street": street, "data": data, "today": today, "number": number,
              "links": lambda page, lang: Links(page, lang, default), "view_title": view_title,
              "view_path": view_path}
    meta = {"updated": today.isoformat()}
    views = compare.views(data)
    # the street's front page (generator.street.site): its communities and their state, its offices
    pages = [Page("index.md", "street-home.html", street.name, {"street": street, "members": members, "today": today,
                                                                "views": [(HOME, texts("site.streetview.home")), ("search/index.md", texts("site.street.search.title")),
                                                                          (OPEN_QUESTIONS, texts("site.streetview.open-questions")),
                                                                          (CALENDAR, texts("site.streetview.calendar")),
                                                                          (NOTICES, texts("site.streetview.notices"))]}),
             Page(HOME, "street_home.md.j2", texts("site.streetview.home"), {**common, "views": views}, dict(meta))]
    for view in views:
        tables = [compare.table(data, view, year) for year in compare.years(data, view)]
        metrics = [m for m in data.metrics if m.view == view]
        pages.append(Page(view_path(view), "street_compare.md.j2", view_title(view),
                          {**common, "view": view, "tables": tables, "metrics": metrics,
                           "ranked": compare.ranked_metrics(metrics), "min_samples": compare.min_samples(metrics),
                           "groups": _groups(data, view)}, dict(meta)))
    pages.append(Page(OPEN_QUESTIONS, "street_open_questions.md.j2", texts("site.streetview.open-questions"),
                      {**common, "kinds": _gap_kinds(data)}, dict(meta)))
    meetings = _items(data, "calendar")
    upcoming = sorted((i for i in meetings if i[1].date >= today), key=lambda i: (i[1].date, i[1].start or ""))
    past = sorted((i for i in meetings if i[1].date < today), key=lambda i: (i[1].date, i[1].start or ""),
                  reverse=True)[:PAST_MEETINGS]
    pages.append(Page(CALENDAR, "street_calendar.md.j2", texts("site.streetview.calendar"),
                      {**common, "upcoming": upcoming, "past": past}, dict(meta)))
    notices = sorted(_items(data, "notices"), key=lambda i: (i[1].date, i[0].id, i[1].id), reverse=True)
    pages.append(Page(NOTICES, "street_notices.md.j2", texts("site.streetview.notices"),
                      {**common, "notices": notices[:NOTICE_PAGE_ITEMS], "total": len(notices)}, dict(meta)))
    return pages


def write_street_files(street: Street, members: list[Member], site: Path, langs: list[str], site_url: str,
                       memo: Memo | None = None) -> None:
    """The views' downloads (``site/data/``) and feeds (``site/[<lang>/]feeds/``); ``memo``: see
    ``street.memo``."""
    data = collect(members)
    write_files(street, data, site, langs, site_url, memo)
    # each community, its address and state: for the street office's own tools
    rows = [{"id": m.id, "status": m.status, "url": f"{site_url.rstrip('/')}/{m.id}/",
             "updated": m.updated.isoformat(timespec="seconds") if m.updated else None} for m in members]
    (site / "communities.json").write_text(json.dumps({"street": street.id, "communities": rows},
                                                      ensure_ascii=False, indent=1), encoding="utf-8")


def _items(data: StreetData, feed: str) -> list[tuple[Any, Any]]:
    """(community, item) of one feed, from the communities whose pages are published."""
    return [(c, i) for c in data.communities if c.published for i in c.items if i.feed == feed]


def _groups(data: StreetData, view: str) -> list[dict[str, Any]]:
    """The breakdowns of a view's metrics (a community's funds), per year and community."""
    keys = [m.key for m in data.metrics if m.view == view]
    out: dict[tuple[int | None, str, str], dict[str, Any]] = {}
    for c in data.communities:
        if not c.published:
            continue
        for (metric, year, group), f in c.figures.items():
            if group and metric in keys:
                row = out.setdefault((year, c.id, group), {"year": year, "community": c, "group": group,
                                                           "label": f.group_label, "figures": {}})
                row["figures"][metric] = f
    order = {c.id: i for i, c in enumerate(data.communities)}
    return sorted(out.values(), key=lambda r: (-(r["year"] or 0), order[r["community"].id], r["group"]))


def _gap_kinds(data: StreetData) -> list[str]:
    """The kinds of open questions any community has, in a stable order ("" last)."""
    found = {k for c in data.communities for k in c.open_questions}
    return sorted(found, key=lambda k: (k == "", k))
