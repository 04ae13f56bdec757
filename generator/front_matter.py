"""Front matter of a hand-written page (``content/<lang>/**/*.md``): text, checked once.

mkdocs reads a page's front matter into ``page.meta`` and the theme prints some of
it (``title`` in the header, ``description`` in a ``<meta>``) without escaping.
A list, a mapping or a YAML-escaped string (``"\\u003cmeta …"``) is not what the
raw text shows, so the page's front matter is parsed and validated here, by one
function (:func:`parse`) that both ``portal check`` (``generator.checks.front_matter``)
and the build (``generator.site.mkdocs_hooks``, which replaces ``page.meta`` with
:attr:`FrontMatter.meta`) call: a value the check refuses never reaches the theme.

Only the keys mkdocs-material reads for a page are allowed, each with text values:
``title``, ``description``, ``subtitle``, ``status``, ``icon`` (a material icon
name), ``tags``, ``hide`` (``navigation``, ``toc``, ``footer``, ``path``, ``tags``,
``feedback``) and ``search`` (``exclude``, ``boost``). Not ``template``: a page
must not pick the theme's templates. Text must hold nothing the sanitizer would
remove (``markdown.unsafe-html``, as in the page's body).

>>> fm = parse('---\\ntitle: 停水通知\\nhide: [toc]\\n---\\n# 正文\\n')
>>> fm.meta, fm.problems, fm.lines
({'title': '停水通知', 'hide': ['toc']}, [], 4)
>>> [(p.code, p.line) for p in parse('---\\ntitle: ["<b>x</b>"]\\n---\\n').problems]
[('schema.type', 2)]
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Annotated, Any, Callable, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictFloat, StrictInt, StrictStr, ValidationError

from generator.loading.yamlfile import LocDict, YamlProblem, parse_yaml
from generator.problems import Problem
from generator.sanitize import removals
from generator.schema_errors import problems_from

#: A material icon: ``material/home``, ``fontawesome/solid/house`` (a path into the
#: theme's icon folder: no ``..``, no other characters).
Icon = Annotated[str, Field(strict=True, pattern=r"^[a-z0-9-]+(/[a-z0-9-]+){1,3}$", max_length=120)]
Text = Annotated[StrictStr, Field(max_length=500)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, defer_build=True)


class Search(_Model):
    exclude: StrictBool | None = None
    boost: StrictInt | StrictFloat | None = None


class FrontMatterModel(_Model):
    """The keys a hand-written page may set (mkdocs-material's page settings)."""

    title: Text | None = None
    description: Text | None = None
    subtitle: Text | None = None
    status: Annotated[StrictStr, Field(pattern=r"^[a-z0-9-]+$", max_length=40)] | None = None
    icon: Icon | None = None
    tags: list[Text] | None = None
    hide: list[Literal["navigation", "toc", "footer", "path", "tags", "feedback"]] | None = None
    search: Search | None = None


@dataclass
class FrontMatter:
    meta: dict[str, Any] = field(default_factory=dict)  #: the valid values (escaping is the build's job)
    problems: list[Problem] = field(default_factory=list)
    lines: int = 0  #: how many of the page's first lines the front matter takes


@lru_cache(maxsize=1)
def _mkdocs_meta() -> tuple[re.Pattern[str], Callable[[str], tuple[str, dict[str, Any]]]]:
    """mkdocs' own front-matter pattern and reader, so the check finds what mkdocs will.
    Imported on first use: ``mkdocs.utils`` is a sixth of ``portal check``'s start-up, and
    a warm check reads no page (its findings are kept by the pages' texts)."""
    from mkdocs.utils.meta import YAML_RE, get_data

    return YAML_RE, get_data


def parse(text: str, file: str = "") -> FrontMatter:
    """The page's front matter as mkdocs finds it (a ``---`` YAML block, or
    MultiMarkdown ``key: value`` lines at the top), validated; problems at their
    line of ``file``. Values with a problem are left out of :attr:`FrontMatter.meta`."""
    YAML_RE, get_data = _mkdocs_meta()
    if m := YAML_RE.match(text):
        lines = m.group(0).count("\n")
        try:
            data = parse_yaml(m.group(1))
        except YamlProblem as exc:
            line = exc.line + 1 if exc.line else 1
            return FrontMatter({}, [Problem(exc.code, file, line, exc.col, exc.params)], lines)
        if data is None:
            return FrontMatter({}, [], lines)
        if not isinstance(data, LocDict):
            return FrontMatter({}, [Problem("front-matter.not-mapping", file, 2, 1)], lines)
        return _validate(data, file, offset=1, lines=lines)
    body, found = get_data(text)
    if not found:
        return FrontMatter()
    lines = text.count("\n") - body.count("\n")
    data = LocDict()
    for n, row in enumerate(text.split("\n")[:lines], start=1):
        key = row.split(":", 1)[0].strip().lower()
        if key in found and key not in data:
            data[key] = found[key]
            data.pos[key] = (n, 1)
            data.vpos[key] = (n, len(row.split(":", 1)[0]) + 2)
    return _validate(data, file, offset=0, lines=lines)


def _validate(data: LocDict, file: str, offset: int, lines: int) -> FrontMatter:
    problems: list[Problem] = []
    try:
        FrontMatterModel.model_validate(data)
    except ValidationError as exc:
        problems = [dataclasses.replace(p, line=(p.line or 1) + offset)
                    for p in problems_from(exc, data, file, FrontMatterModel)]
    bad = {str(p.params.get("path", [""])[0]) for p in problems if p.params.get("path")}
    for key, value in data.items():
        for text in _texts(value):
            # Read as HTML, as the theme would print it (not as Markdown: the theme does not render it).
            for removal in removals(text) if _MARKUP.search(text) else []:
                line, col = data.vpos.get(key, data.pos.get(key, (1, 1)))
                problems.append(Problem("markdown.unsafe-html", file, line + offset, col,
                                        {"detail": removal.what[:60]}))
                bad.add(str(key))
    # A blank value (``title:``) is left out too: mkdocs then takes the page's first heading.
    meta = {str(k): _plain(v) for k, v in data.items() if str(k) not in bad and v is not None}
    return FrontMatter(meta, problems, lines)


_MARKUP = re.compile(r"[<&]")


def _texts(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [t for v in value.values() for t in _texts(v)]
    if isinstance(value, list):
        return [t for v in value for t in _texts(v)]
    return []


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def body_only(text: str) -> str:
    """``text`` with its front matter's lines left blank (so the body's lines keep
    their numbers): the body is Markdown, the front matter is checked by :func:`parse`.

    >>> body_only("---\\ntitle: x\\n---\\n# 正文\\n")
    '\\n\\n\\n# 正文\\n'
    """
    YAML_RE, get_data = _mkdocs_meta()
    if m := YAML_RE.match(text):
        n = m.group(0).count("\n")
    else:
        body, found = get_data(text)
        n = text.count("\n") - body.count("\n") if found else 0
    return "\n" * n + "\n".join(text.split("\n")[n:]) if n else text
