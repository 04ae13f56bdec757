"""The project's ``mkdocs.yml`` is data: the few settings a community may choose.

mkdocs reads its configuration as code: ``hooks`` run Python, ``plugins`` and
``markdown_extensions`` import modules, ``theme.custom_dir`` decides which
folder is published (``.git`` with its tokens, the inbox database…), ``!ENV``
reads the environment and ``INHERIT`` another file. So the portal owns all of
those and builds from its own values (``generator.build.mkdocs_config``); a
community file may set only what ``SiteConfig`` describes (names, colours,
logo, theme features from an allow-list, a few ``extra`` keys, extra menu
entries to its own pages), and ``portal check`` reports anything else at its
line.

The keys the portal owns that an older ``portal init`` wrote into every project
(``custom_dir: site_templates/theme``, the extension list, ``plugins: []``…)
are accepted without a word when they say exactly what the portal does anyway:
those projects keep passing the check; the value is still never used.
"""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag, ValidationError, field_validator

from generator.loading import fsguard, media
from generator.loading.textfile import MAX_YAML_BYTES, TextFileProblem, read_text
from generator.loading.yamlfile import LocDict, YamlProblem, locate, parse_yaml
from generator.problems import Problem
from generator.sanitize import MARKDOWN_EXTENSIONS
from generator.schema_errors import problems_from
from portal_core.i18n import pair

FILE = "mkdocs.yml"

#: The Markdown the site renders with (the portal adds its guard extension at build time).
PORTAL_EXTENSIONS: list[Any] = [*MARKDOWN_EXTENSIONS, {"toc": {"permalink": "¶"}}]
#: The portal's stylesheet, shipped in ``site_templates/assets``.
PORTAL_CSS = ["assets/portal.css"]

#: Keys the portal owns, with why (a ``problem.word.site-config.*`` word) and the
#: value an older ``portal init`` wrote, which is accepted silently (``_NONE``: none is).
_NONE = object()
OWNED: dict[str, tuple[str, Any]] = {
    "hooks": ("code", _NONE),
    "plugins": ("code", []),
    "markdown_extensions": ("markup", PORTAL_EXTENSIONS),
    "extra_css": ("code", PORTAL_CSS),
    "extra_javascript": ("code", _NONE),
    "extra_templates": ("code", _NONE),
    "INHERIT": ("path", _NONE),
    "docs_dir": ("path", _NONE),
    "site_dir": ("path", _NONE),
    "watch": ("path", _NONE),
    "exclude_docs": ("path", _NONE),
    "draft_docs": ("path", _NONE),
    "not_in_nav": ("path", _NONE),
    "dev_addr": ("build", _NONE),
    "remote_branch": ("build", _NONE),
    "remote_name": ("build", _NONE),
    "validation": ("build", _NONE),
    "use_directory_urls": ("build", True),
    "strict": ("build", False),
}
OWNED_THEME: dict[str, tuple[str, Any]] = {
    "name": ("build", "material"),
    "custom_dir": ("path", "site_templates/theme"),
    "static_templates": ("path", _NONE),
    "locale": ("build", _NONE),
}
OWNED_EXTRA: dict[str, tuple[str, Any]] = {
    "alternate": ("build", _NONE),
    "portal": ("build", _NONE),
}

#: material's named colours (https://squidfunk.github.io/mkdocs-material/setup/changing-the-colors/);
#: ``custom`` is the portal's own, chosen for WCAG AA contrast (site_templates/assets/portal.css).
_ACCENTS = ("red", "pink", "purple", "deep purple", "indigo", "blue", "light blue", "cyan", "teal", "green",
            "light green", "lime", "yellow", "amber", "orange", "deep orange", "custom")
Accent = Literal[_ACCENTS]  # type: ignore[valid-type]
Primary = Literal[(*_ACCENTS, "brown", "grey", "blue grey", "black", "white")]  # type: ignore[valid-type]

#: Theme features that only change layout; not ``navigation.instant`` (it swaps pages by
#: script, which the portal's pages do not expect) nor ``search.*`` (search is Pagefind).
Feature = Literal[
    "navigation.tabs", "navigation.tabs.sticky", "navigation.sections", "navigation.expand",
    "navigation.prune", "navigation.indexes", "navigation.top", "navigation.footer", "navigation.path",
    "navigation.tracking", "toc.follow", "toc.integrate", "header.autohide", "announce.dismiss",
]
DEFAULT_FEATURES: list[Feature] = ["navigation.tabs", "navigation.prune", "navigation.indexes", "navigation.top",
                               "navigation.footer"]

#: A bundled icon's name, e.g. ``material/home``: the theme includes ``.icons/<name>.svg``.
Icon = Annotated[str, Field(pattern=r"^[a-z0-9]+(?:[-/][a-z0-9]+)*$", max_length=80)]
#: An image in each language's content folder, as a page links it: ``images/logo.png``.
#: Not SVG: opened by itself an SVG runs its scripts with the site's rights.
#: A relative path whose every part starts with a letter, digit, _ or -: never ``..`` nor a hidden file.
_SEGMENTS = r"(?:[A-Za-z0-9_\-][A-Za-z0-9_\-.]*/)*[A-Za-z0-9_\-][A-Za-z0-9_\-.]*"
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".gif", ".webp", ".ico")
ImagePath = Annotated[str, Field(pattern=rf"^{_SEGMENTS}\.(?:png|jpe?g|gif|webp|ico)$",
                                 max_length=200)]
#: A page of ``content/<lang>/`` (``guide/index.md``) or a web address.
NavTarget = Annotated[str, Field(pattern=rf"^(?:https?://[^\s\"'<>`]+|{_SEGMENTS}\.md)$",
                                 max_length=300)]
Text = Annotated[str, Field(max_length=300)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


class Toggle(_Model):
    icon: Icon = Field(description="icon of the switch, e.g. `material/brightness-4`")
    name: Annotated[str, Field(max_length=80)] = Field(description="its label (plain text)")


class Palette(_Model):
    scheme: Literal["default", "slate"] = Field("default", description="light (`default`) or dark (`slate`)")
    primary: Primary = Field("custom", description="header colour; `custom`: the portal's (WCAG AA contrast)")
    accent: Accent = Field("custom", description="links and buttons when hovered")
    media: Literal["(prefers-color-scheme: light)", "(prefers-color-scheme: dark)"] | None = Field(
        None, description="with two palettes: which follows the reader's system setting")
    toggle: Toggle | None = Field(None, description="with two palettes: the switch between them")


class Theme(_Model):
    language: str | None = Field(None, description="not used: each language's site sets its own")
    # a named font is fetched from Google Fonts: unreachable in mainland China
    font: Literal[False] = Field(False, description="system fonts only")
    features: list[Feature] = Field(default_factory=lambda: list(DEFAULT_FEATURES),
                                    description="layout features of the theme")
    palette: Annotated[Annotated[Palette, Tag("dict[Palette]")]
                       | Annotated[list[Palette], Field(min_length=1, max_length=2), Tag("list[Palette]")],
                       # one branch by the value's shape, so an error names one thing to fix
                       Discriminator(lambda v: "list[Palette]" if isinstance(v, list) else "dict[Palette]")
                       ] = Field(default_factory=Palette, description="colours: one palette, or a list of two "
                                                                      "with a `toggle` each")
    logo: ImagePath | None = Field(None, description="header logo: an image in `content/<lang>/`, e.g. "
                                                     "`images/logo.png` (PNG, JPEG, GIF, WebP, ICO)")
    favicon: ImagePath | None = Field(None, description="browser tab icon, like `logo`")
    icon: dict[Literal["logo", "menu", "alternate", "top", "previous", "next"], Icon] | None = Field(
        None, description="bundled icons instead of the theme's, e.g. `logo: material/home`")


class Extra(_Model):
    generator: bool = Field(False, description="“Made with Material for MkDocs” in the footer")
    homepage: Annotated[str, Field(pattern=r"^(?:https?://[^\s\"'<>`]+|/(?:[A-Za-z0-9_\-.][A-Za-z0-9_\-./]*)?)$",
                                   max_length=300)] | None = Field(
        None, description="where the logo links: an https:// address or a path on this site")


class SiteConfig(_Model):
    """The settings of ``mkdocs.yml`` a community may choose; the defaults are the portal's."""

    site_name: Text | None = Field(None, description="not used: the site is named after `data/community.yaml`")
    site_url: Text | None = Field(None, description="not used: `site_url` of `data/community.yaml` or "
                                                    "`portal build --site-url`")
    site_description: Text | None = Field(None, description="description of pages that have none (plain text)")
    site_author: Text | None = Field(None, description="author (plain text)")
    copyright: Text | None = Field(None, description="footer line, e.g. `© 2026 荷叶社区居委会` (plain text)")
    theme: Theme = Field(default_factory=Theme, description="look of the site")
    extra: Extra = Field(default_factory=Extra, description="theme options")
    nav: Annotated[list[dict[Annotated[str, Field(max_length=60)], NavTarget]], Field(max_length=20)] = Field(
        default_factory=list, description="menu entries after the portal's, one per line: `- 办事指南: guide.md` "
                                          "(a page of `content/<lang>/`; shown in the languages that have it) "
                                          "or `- 区政府: https://…`")

    @field_validator("nav")
    @classmethod
    def _one_entry_each(cls, value: list[dict[str, str]]) -> list[dict[str, str]]:
        if any(len(item) != 1 for item in value):
            raise ValueError("each menu entry is one line: title: page.md")
        return value


def _owned(data: LocDict, owned: dict[str, tuple[str, Any]], prefix: str) -> list[Problem]:
    """A problem for each key of ``owned`` in ``data`` (removed from it), unless it
    says what the portal says anyway."""
    problems = []
    for key, (why, accepted) in owned.items():
        if key not in data:
            continue
        value = data.pop(key)
        if accepted is not _NONE and value == accepted:
            continue
        line, col = data.pos.get(key, (None, None))
        zh, en = pair(f"problem.word.site-config.{why}")
        problems.append(Problem("site.config-owned", FILE, line, col, {"key": prefix + key, "why": zh, "why_en": en}))
    return problems


def parse(text: str) -> tuple[SiteConfig, list[Problem]]:
    """The settings of ``text`` (a ``mkdocs.yml``), or the portal's defaults and why not."""
    config, _data, problems = _parse(text)
    return config, problems


#: What a value of each patterned setting looks like (the generic hint speaks of record ids).
_PATTERN_WORDS = {"logo": "image", "favicon": "image", "nav": "page", "icon": "icon", "homepage": "address"}


def _hinted(problem: Problem) -> Problem:
    keys = [str(step) for step in problem.params.get("path") or [] if isinstance(step, str)]
    if problem.code != "schema.pattern" or not keys:
        return problem
    # a container first: theme.icon.logo is an icon's name, not an image
    word = next((_PATTERN_WORDS.get(k, "icon") for k in keys if k in ("nav", "icon", "toggle")), None) \
        or _PATTERN_WORDS.get(keys[-1])
    if word is None:
        return problem
    zh, en = pair(f"problem.word.site-config.pattern.{word}")
    return replace(problem, params={**problem.params, "pattern_hint": zh, "pattern_hint_en": en})


def _parse(text: str) -> tuple[SiteConfig, Any, list[Problem]]:
    try:
        data = parse_yaml(text)
    except YamlProblem as exc:
        detail = str(exc.params.get("detail", ""))
        if exc.code == "yaml.syntax" and detail.startswith("unsupported tag"):
            tag = detail.removeprefix("unsupported tag ").replace("tag:yaml.org,2002:", "!!")
            return SiteConfig(), None, [Problem("site.config-tag", FILE, exc.line, exc.col, {"tag": tag})]
        return SiteConfig(), None, [Problem(exc.code, FILE, exc.line, exc.col, exc.params)]
    if data is None:
        return SiteConfig(), None, []
    if not isinstance(data, LocDict):
        zh, en = (pair("problem.word.yaml.list") if isinstance(data, list)
                  else pair("problem.word.yaml.text"))
        return SiteConfig(), None, [Problem("site.config-not-mapping", FILE, 1, 1, {"actual": zh, "actual_en": en})]
    problems = _owned(data, OWNED, "")
    for key, owned in (("theme", OWNED_THEME), ("extra", OWNED_EXTRA)):
        if isinstance(data.get(key), LocDict):
            problems += _owned(data[key], owned, f"{key}.")
    try:
        config = SiteConfig.model_validate(data)
    except ValidationError as exc:
        return SiteConfig(), data, problems + [_hinted(p) for p in problems_from(exc, data, FILE, SiteConfig)]
    # A refused file is not used at all, not even its allowed part: the build never sees it anyway.
    return (SiteConfig(), data, problems) if problems else (config, data, problems)


def read(root: Path) -> tuple[SiteConfig, list[Problem]]:
    """The project's settings (the portal's defaults without a ``mkdocs.yml``), and
    what is wrong with its file: then the defaults are what the build may use."""
    config, _data, problems = _read(root)
    return config, problems


def _read(root: Path) -> tuple[SiteConfig, Any, list[Problem]]:
    path = Path(root) / FILE
    if not os.path.lexists(path):
        return SiteConfig(), None, []
    refused = fsguard.refusal(Path(root), path)
    if refused is not None:
        return SiteConfig(), None, [refused]
    try:
        text = read_text(path, MAX_YAML_BYTES)
    except TextFileProblem as exc:
        return SiteConfig(), None, [Problem(exc.code, FILE, None, None, dict(exc.params))]
    return _parse(text)


def _is_image(root: Path, path: Path) -> bool:
    """An image format the theme can show, and the image its name says it is: the
    same signature rule as every file ``content/`` publishes (``loading.media``)."""
    return path.suffix.lower() in IMAGE_SUFFIXES and media.refusal(root, path) is None


def file_problems(root: Path, config: SiteConfig, data: Any, langs: list[str]) -> list[Problem]:
    """Logo, favicon and menu pages that name files: each must exist in some
    language's ``content/<lang>/`` (a language without its own copy uses the
    default language's), and images must be the images they say they are."""
    problems = []
    root = Path(root)
    for key in ("logo", "favicon"):
        rel = getattr(config.theme, key)
        if rel is None:
            continue
        line, col = locate(data, ("theme", key), value=True)
        found = [root / "content" / lang / rel for lang in langs if (root / "content" / lang / rel).is_file()]
        if not found:
            problems.append(Problem("site.config-missing-file", FILE, line, col,
                                    {"path": rel, "folders": ", ".join(f"content/{x}/" for x in langs)}))
        for path in found:
            if fsguard.refusal(root, path) is not None or not _is_image(root, path):
                problems.append(Problem("site.config-not-image", FILE, line, col,
                                        {"path": path.relative_to(root).as_posix()}))
    for i, item in enumerate(config.nav):
        ((title, target),) = item.items()
        if target.startswith(("http://", "https://")):
            continue
        if not any((root / "content" / lang / target).is_file() for lang in langs):
            line, col = locate(data, ("nav", i, title), value=True)
            problems.append(Problem("site.config-missing-file", FILE, line, col,
                                    {"path": target, "folders": ", ".join(f"content/{x}/" for x in langs)}))
    return problems


def check(root: Path, langs: list[str]) -> list[Problem]:
    """Everything ``portal check`` reports about ``mkdocs.yml``."""
    config, data, problems = _read(root)
    if any(p.severity == "error" for p in problems):
        return problems
    return problems + file_problems(root, config, data, langs)


def language_link(root: Path, rel: str, lang: str, langs: list[str], base: str) -> str:
    """Where ``lang``'s pages find a file of the content folders: its own copy, or
    the first language's that has one (the default language's site is at ``base``)."""
    if (Path(root) / "content" / lang / rel).is_file():
        return rel
    for other in langs:
        if (Path(root) / "content" / other / rel).is_file():
            return base + ("" if other == langs[0] else f"{other}/") + rel
    return rel


def menu_entries(root: Path, config: SiteConfig, lang: str) -> list[tuple[str, str]]:
    """(title, page or address) of the community's menu entries that ``lang`` has."""
    out = []
    for item in config.nav:
        ((title, target),) = item.items()
        if target.startswith(("http://", "https://")) or (Path(root) / "content" / lang / target).is_file():
            out.append((title, target))
    return out

