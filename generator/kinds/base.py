"""What a data kind declares about itself: one ``Kind`` per folder of ``generator/kinds/``.

A kind folder (``generator/kinds/notice/``) holds its model, its own checks, its
pages and their templates, its published datasets, its ``portal new`` template and
its editor labels, and ends in one ``KIND = Kind(...)`` in its ``__init__``. The
registry (``generator.registry``) lists the kinds; loading, the index, reference
checks, navigation, downloads, ``portal new``, the editor and the reference docs
are derived from it.

The engines never import a particular kind (an import-linter contract,
``engines-use-hooks``, forbids it): what a kind contributes to a shared view, it
declares here as a hook, and the engines walk the registry and call the hooks,
the way Datasette's built-in features use the same hooks as its plugins. Every
hook is optional:

``index``
    fills the index (default: valid records by id under ``name``).
``unique_ids``
    lists of ids inside one record that must not repeat (agenda items, fields …).
``checks``
    the checks that concern this kind only (budget arithmetic, votes, a form's
    definition, spending against the procedure); they run with the others.
``sections`` / ``pages``
    its entries in the navigation, and its pages.
``home``
    ``HomeBlock`` items: the parts of the home page it adds (a template in its own
    ``templates/`` with the names it computes), placed by ``order``; the home
    template only renders blocks.
``shared``
    names every page template may use (the community's bodies, notices'
    display states, the budget's funds …).
``feeds``
    ``Feed`` items written into each language's ``feeds/`` (RSS, iCalendar).
``files``
    files it writes at the root of the built site (the requests' Open311 JSON).
``datasets`` / ``documents``
    its downloads on the open-data page: tables (CSV and JSON), and whole JSON
    documents in a standard of their own (the meetings' Popolo).
``data_package``
    a ``DataPackage``: the kind is a Frictionless package of CSV tables, read by
    ``generator.tables``, instead of YAML files (the budget).
``reference``
    reference pages of its own, where the model's fields do not say it all.
``new`` / ``new_id`` / ``editor``
    its ``portal new`` template and the id a new record gets (default: the slug
    given, else the kind's name), its place in the browser editor.
``Target.gaps``
    where the governance gaps about a target are grouped on the open-questions page.

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
    #: position of its group on the open-questions page (``Gap.kind`` is a target's name);
    #: None: its gaps, if any, go under "other"
    gaps: int | None = None


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


@dataclass(frozen=True)
class UniqueIds:
    """Ids that must be unique (also ignoring case) within one record: the list at
    ``path`` in the model (``"*"``: every element of a list on the way), each
    element's ``key``. ``Kind.unique_ids`` declares them; ``generator.checks.ids``
    checks them, e.g. ``UniqueIds("option", ("agenda", "*", "options"))``."""

    target: str  #: how messages name them (a ``Target``'s name)
    path: tuple[str, ...]
    key: str = "id"


# --- what a kind adds to shared views ------------------------------------------------


@dataclass(frozen=True)
class HomeBlock:
    """A part of the home page: ``template`` (in the kind's ``templates/``), rendered
    with the names ``context`` computes from the page context (merged into the home
    page's context, so blocks may read each other's: the task bar counts the notices
    on display). Blocks are placed by ``order`` (the site's own blocks use the same
    numbers: see ``generator.site.pages.HOME_BLOCKS``); ``task`` blocks go into the
    task bar at the top (what residents come to do), the others into the page."""

    order: int
    template: str
    context: Callable[[PageContext], dict[str, Any]] | None = None
    task: bool = False


#: (project, index, language, default language, site base URL) -> the file's bytes
FeedMaker = Callable[[Any, Any, str, str, str], bytes]


@dataclass(frozen=True)
class Feed:
    """A feed of each language's site, ``feeds/<file>`` (RSS 2.0, iCalendar); the
    helpers a feed is written with are ``generator.site.syndication``'s."""

    file: str  #: e.g. ``notices.xml``
    make: FeedMaker


@dataclass(frozen=True)
class EndpointPart:
    """A kind's part of ``forms/spec.json`` beside the forms: ``spec`` (key -> what the
    endpoint enforces, e.g. ``"ballots"``), and the ids the build signs a no-JavaScript
    token for (``"ballot:<round>"``), as it does for each form."""

    spec: dict[str, Any]
    tokens: tuple[str, ...] = ()


@dataclass(frozen=True)
class DataPackage:
    """A kind kept as a Frictionless data package, ``data/<folder>/datapackage.yaml``
    and its CSV tables, rather than YAML records. ``generator.tables`` reads and
    validates the package with these declarations; ``parse`` turns the readable
    tables into what the checks and pages use (``Project.budgets``)."""

    folder: str  #: relative to data/
    #: a resource's part of the contract, from its name (``lines-2025`` -> ``lines``)
    role: Callable[[str], str | None]
    #: role -> the fields its schema must declare for the checks and pages to work
    required: dict[str, tuple[str, ...]]
    #: the year a resource covers, from its name (None: not a yearly table)
    year: Callable[[str], int | None]
    parse: Callable[[Any], Any]  #: ``generator.tables.PackageInfo`` -> the kind's records


@dataclass(frozen=True)
class Document:
    """A download of the open-data page that is one JSON document in a standard of
    its own rather than tables (the meetings' Popolo), written to ``data/<file>``."""

    file: str  #: e.g. ``popolo.json``
    format: str  #: how the page names its format, e.g. ``Popolo (JSON)``
    title: Text
    description: Text
    make: Callable[[Any], Any]  #: export context -> the JSON document
# --- street views -----------------------------------------------------------------


@dataclass(frozen=True)
class StreetMetric:
    """A figure a kind contributes to the street's comparison pages, alike for every
    community of the street (``generator.street.views`` lays the communities side by side)."""

    key: str  #: unique across kinds, e.g. ``budget.spending``
    view: str  #: the comparison page that shows it: ``money``, ``requests``, ``meetings``
    label: Text
    unit: Text  #: 元, 件, 天 …
    #: also shown divided by the community's households (``Community.households``)
    per_household: bool = False
    #: a rate or a median: the metric counting what it is computed over …
    sample: str | None = None
    #: … and how many there must be before communities are compared on it
    min_sample: int = 0
    #: how communities are ranked on it (True: lower first); None: never ranked
    lower_is_better: bool | None = None


@dataclass(frozen=True)
class StreetFigure:
    """One community's value of a metric for a year (``None``: not recorded, never 0)."""

    metric: str  #: ``StreetMetric.key``
    year: int | None
    value: float | None
    group: str = ""  #: a breakdown within the metric (a fund's id); "" is the whole
    group_label: Text | None = None
    #: entries the value leaves out, e.g. budget lines with no actual amount yet …
    pending: int = 0
    #: … and their planned amount (shown as planned, never as spent)
    planned: float | None = None


@dataclass(frozen=True)
class StreetItem:
    """A dated entry of a street-wide list: ``calendar`` (meetings) or ``notices``."""

    feed: str
    id: str
    date: Any  #: ``datetime.date``
    title: Text
    path: str  #: its page in the community's site, relative to the docs root, e.g. ``meetings/M1.md``
    start: str | None = None  #: ``HH:MM`` in Beijing time
    end: str | None = None
    place: Text | None = None
    category: str | None = None  #: a ``site.`` string key (a notice's category)
    status: str | None = None  #: a meeting's planned / held / cancelled


@dataclass
class StreetFacts:
    """What one community's checked project contributes to the street views, from one kind."""

    metrics: tuple[StreetMetric, ...] = ()
    figures: list[StreetFigure] = field(default_factory=list)
    items: list[StreetItem] = field(default_factory=list)


# --- the kind --------------------------------------------------------------------

Check = Callable[["Project", "Index"], Iterable["Problem"]]


@dataclass(frozen=True)
class DocCheck:
    """A check of one record at a time: what it finds in a file depends on that file and
    on ``context`` alone (what else it reads, e.g. community.yaml's bodies or today), so
    the check cache keeps each file's findings by the file's text and the context's key
    (``generator.checks.each``): after an edit only the edited file is checked again.
    ``context``: (project, index) -> a key of everything else the findings depend on, or None
    when there is none to be had (then nothing is kept); no ``context``: nothing else (the
    registry's own declarations are part of the code version)."""

    name: str  #: unique among the checks, e.g. ``meeting.votes``: names its cache entry
    kind: str  #: the kind whose valid records it checks, in the order of the files
    #: (doc, project, index) -> problems in that doc (reading of the project only what ``context`` covers)
    check: Callable[[Any, Project, Index], Iterable[Problem]]
    context: Callable[[Project, Index], str | None] | None = None


Indexer = Callable[["Project", "Index"], None]
PageBuilder = Callable[[Any], Iterator[Page]]
#: (page context of one community) -> what it contributes to the street views
StreetHook = Callable[[Any], StreetFacts]


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
    #: checks of this kind only (references are generic): of the whole project, or of one
    #: record at a time (``DocCheck``: the check cache keeps their findings per file)
    checks: tuple[Check | DocCheck, ...] = ()
    unique_ids: tuple[UniqueIds, ...] = ()  #: ids unique within one record
    sections: tuple[Section, ...] = ()  #: its entries in the navigation
    pages: PageBuilder | None = None  #: (page context) -> this kind's pages
    #: its downloads; a function (export context -> datasets) when they depend on the data's own schemas
    datasets: tuple[DatasetSpec | Callable[[Any], list[Any]], ...] = ()
    new: str | None = None  #: ``portal new <new>`` template in the kind's folder, e.g. ``new.yaml.j2``
    #: (today, the slug given or None, ``portal new``'s options) -> the new record's id before it is made
    #: unique, e.g. ``2026-12-08-notice``; None: the slug, else the kind's name
    new_id: Callable[[Any, str | None, dict[str, Any]], str] | None = None
    #: its place among the collections of the browser editor (/admin/); None: not edited there
    editor: int | None = None
    #: ids in a file that failed validation, as (target, id): they exist, so
    #: references to them are not reported as unknown (one typo must not cascade)
    raw_ids: Callable[[Any], Iterable[tuple[str, str]]] | None = None
    #: the dates this kind's records changed: the site's last update is the latest of all kinds'
    dates: Callable[[Any], Iterable[Any]] | None = None
    #: its downloads that are one JSON document each (Popolo)
    documents: tuple[Document, ...] = ()
    #: its parts of the home page
    home: tuple[HomeBlock, ...] = ()
    #: (page context) -> names every page template may use
    shared: Callable[[PageContext], dict[str, Any]] | None = None
    #: its feeds, in each language's feeds/
    feeds: tuple[Feed, ...] = ()
    #: (project, index, site URL) -> files (path relative to the site root -> bytes) at the root of the built site
    files: Callable[[Any, Any, str], dict[str, bytes]] | None = None
    #: a CSV data package instead of YAML files
    data_package: DataPackage | None = None
    #: (data dir) -> reference pages of its own (file name -> Markdown), beside the one made from ``model``
    reference: Callable[[Path], dict[str, str]] | None = None
    #: forms it derives from its records (a draft's comment form), given ``models(kind)`` → valid
    #: models: compiled into ``forms/spec.json`` beside ``data/forms/`` (``generator.form_sources``)
    forms: Callable[[Callable[[str], list[Any]]], list[Any]] | None = None
    #: what else the endpoint enforces for it, given ``models(kind)`` (the rounds' online ballots)
    endpoint: Callable[[Callable[[str], list[Any]]], EndpointPart] | None = None
    #: its own ``portal`` commands (click commands or groups, e.g. ``portal round import``), named
    #: ``module:attribute``: imported by ``portal`` alone, so loading the kinds does not import click
    commands: tuple[str, ...] = ()
    #: its contribution to the street views (figures compared across communities, calendar
    #: and notice entries), from one community's ``PageContext``; None: it contributes nothing
    street: StreetHook | None = None

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
