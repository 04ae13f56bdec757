"""What a data kind declares about itself: one ``Kind`` per folder of ``generator/kinds/``.

A kind folder (``generator/kinds/notice/``) holds its model, its own checks, its
pages and their templates, its published datasets, its ``portal new`` template and
its editor labels, and ends in one ``KIND = Kind(...)`` in its ``__init__``. The
registry (``generator.registry``) lists the kinds; loading, the index, reference
checks, navigation, downloads, ``portal new``, the editor and the reference docs
are derived from it.

Everything here is declaration (dataclasses and annotations), so the kinds' models
can import it without pulling in any engine.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar, cast

from pydantic import StringConstraints

from generator.kinds.common import Text, pick

if TYPE_CHECKING:  # the engines are typed against, never imported by, the declarations
    from generator.index import Index
    from generator.load import Project
    from generator.problems import Problem


T = TypeVar("T")


# --- references ------------------------------------------------------------------


@dataclass(frozen=True)
class Ref:
    """Field metadata: the value names a record of ``kind``, e.g.
    ``decision: Annotated[Id, Ref("decision")]`` (``"*"``: a ``kind:id`` of any
    relatable kind). ``generator.checks.references`` resolves every one."""

    kind: str


#: ``kind:id`` naming a record of any relatable kind (``decision:D2025-03``, ``budget:2025``);
#: which kinds may be named is the registry's business, so the pattern only fixes the shape.
RELATED_PATTERN = r"^[a-z][a-z-]*:[A-Za-z0-9][A-Za-z0-9_.-]*$"
Related = Annotated[str, StringConstraints(pattern=RELATED_PATTERN), Ref("*")]


@dataclass(frozen=True)
class Target:
    """Something a reference can name: a kind's records, or parts of them (a
    meeting's decisions, community.yaml's bodies, the budget's funds)."""

    name: str  #: what references say: ``decision`` in ``Ref("decision")`` and ``decision:D2025-03``
    what: Text  #: how a message names it: ``{"zh": "决议", "en": "decision"}``
    #: may be cited as ``name:id`` in a ``related`` list
    relatable: bool = False


# --- pages -----------------------------------------------------------------------


@dataclass
class Page:
    """One generated page: where it goes, which template, what it shows."""

    path: str  #: relative to docs_dir, e.g. ``notices/2025-001.md``
    template: str
    title: Text
    context: dict[str, Any] = field(default_factory=dict)
    meta: dict[str, Any] = field(default_factory=dict)  #: extra front matter


@dataclass(frozen=True)
class Section:
    """A kind's entry in the site's navigation and home page."""

    path: str  #: its index page, e.g. ``notices/index.md``
    title: Text  #: its name in the navigation
    order: int  #: position in the navigation (the home page is 0)


# --- datasets --------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """One column of a published table: the CSV cell, and its Table Schema field,
    come from this one declaration (name, type, titles, description, constraints,
    getter), so they cannot drift apart."""

    name: str
    type: str  #: Table Schema type: string, integer, number, date, boolean
    title: Text
    get: Callable[[Any, Any], Any]  #: (row, export context) -> value; None is an empty cell
    description: Text | None = None
    constraints: dict[str, Any] = field(default_factory=dict)
    format: str | None = None


def url_column(get: Callable[[Any, Any], Any]) -> Column:
    """Every table links each row to its page on the site."""
    return Column("url", "string", {"zh": "网页", "en": "Web page"}, get,
                  {"zh": "本条在网站上的页面", "en": "The record's page on the site"}, format="uri")


@dataclass(frozen=True)
class TableSpec:
    name: str  #: resource name in datapackage.json; the file is ``<name>.csv``
    title: Text
    columns: tuple[Column, ...]
    rows: Callable[[Any], Iterable[Any]]  #: export context -> rows, in order
    primary_key: tuple[str, ...] = ("id",)
    #: (column, resource, column) foreign keys
    foreign_keys: tuple[tuple[str, str, str], ...] = ()


@dataclass(frozen=True)
class DatasetSpec:
    """A download of the open-data page: its tables as CSV, its records as JSON."""

    name: str
    title: Text
    description: Text
    tables: tuple[TableSpec, ...]
    records: Callable[[Any], list[Any]]  #: export context -> the JSON document's records


# --- the kind --------------------------------------------------------------------

Check = Callable[["Project", "Index"], Iterable["Problem"]]
Indexer = Callable[["Project", "Index"], None]
PageBuilder = Callable[[Any], Iterator[Page]]


@dataclass(frozen=True)
class Kind:
    """One registry entry: everything the rest of the portal needs to know about a kind."""

    name: str  #: singular, as ``Doc.kind`` and in messages ("meeting")
    model: type[Any]  #: a pydantic ``Model`` for YAML kinds; the row class of a table kind
    title: Text  #: the kind's name on the editor and in the reference docs
    package: Path  #: the kind's folder: its templates live there
    folder: str | None = None  #: one file per record in data/<folder>/<id>.yaml …
    file: str | None = None  #: … or a single file, data/<file>
    #: other files of its folder that the kind reads itself (not records), e.g. requests' issued.csv;
    #: shell patterns allowed (a round's ``*.ballots.csv``)
    side_files: tuple[str, ...] = ()
    targets: tuple[Target, ...] = ()  #: what references to this kind's data can name
    index: Indexer | None = None  #: fills the index; default: valid records by id under ``name``
    checks: tuple[Check, ...] = ()  #: checks of this kind only (references are generic)
    sections: tuple[Section, ...] = ()  #: its entries in the navigation
    pages: PageBuilder | None = None  #: (page context) -> this kind's pages
    #: its downloads; a function (export context -> datasets) when they depend on the data's own schemas
    datasets: tuple[DatasetSpec | Callable[[Any], list[Any]], ...] = ()
    new: str | None = None  #: ``portal new <new>`` template in the kind's folder, e.g. ``new.yaml.j2``
    #: its place among the collections of the browser editor (/admin/); None: not edited there
    editor: int | None = None
    #: ids in a file that failed validation, as (target, id): they exist, so
    #: references to them are not reported as unknown (one typo must not cascade)
    raw_ids: Callable[[Any], Iterable[tuple[str, str]]] | None = None
    #: the dates this kind's records changed: the site's last update is the latest of all kinds'
    dates: Callable[[Any], Iterable[Any]] | None = None

    @property
    def templates(self) -> Path:
        return self.package / "templates"


# --- what page builders get --------------------------------------------------------


@dataclass
class PageContext:
    """What every kind's page builder is given: the checked project and its
    index, today, and a memo for facts several builders share (sorted records,
    notices' display states), computed once per build."""

    project: Project
    index: Index
    today: Any  #: ``datetime.date``
    #: every kind's ``dates``: pages about the whole site are as recent as the latest
    site_dates: list[Any] = field(default_factory=list)
    memo: dict[str, Any] = field(default_factory=dict)
    #: the check's findings: governance gaps are shown on the pages they concern
    problems: list[Any] = field(default_factory=list)

    def once(self, key: str, compute: Callable[[], T]) -> T:
        """``compute()``, once per key."""
        if key not in self.memo:
            self.memo[key] = compute()
        return cast(T, self.memo[key])


def latest(dates: Iterable[Any]) -> dict[str, str]:
    """Front matter ``updated`` from the latest of ``dates`` (none: no date)."""
    dates = list(dates)
    return {"updated": max(dates).isoformat()} if dates else {}


def list_summary(ctx: PageContext, text: dict[str, str], n: int) -> dict[str, str]:
    """A list page's meta description (search engines and link previews show it):
    ``text`` per language, with the community's ``{name}`` and the count ``{n}``."""
    name = ctx.project.community.name
    return {lang: t.format(name=pick(name, lang), n=n) for lang, t in text.items()}
