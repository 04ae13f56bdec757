"""Building blocks shared by the data kinds: ids, multilingual text, links.

Every model forbids unknown keys, so a misspelt field name ("titel") is reported
instead of silently ignored. Field metadata in ``json_schema_extra`` marks what the
checks need to know about a field:

- ``"markdown": True``  the text is rendered as Markdown (unsafe-HTML check applies);
- ``"contact": True``   an official public contact point, so a phone number or
  e-mail address there is intended, not a personal-data leak.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints
from pydantic_core import PydanticCustomError

from generator.kinds import pickled
from generator.sanitize import URL_SCHEMES, url_allowed
from portal_core.languages import pick as pick  # the one text-in-a-language helper (the endpoint's too)

#: Ids appear in URLs and cross-references: ASCII, no spaces, no slashes.
Id = Annotated[
    str,
    StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$", max_length=80),
]
#: Language codes such as ``zh`` or ``en`` (BCP 47 primary tag, optional region).
Lang = Annotated[str, StringConstraints(pattern=r"^[a-z]{2,3}(-[A-Za-z0-9]+)?$")]


def check_url(value: str) -> str:
    r"""A relative address or one with an allowed scheme (``generator.sanitize``);
    anything else (``javascript:``, ``data:`` …) is a ``url_scheme`` error. And one
    address only: no blank, control character, ``{ } < > "``, ``\``` or unpaired
    bracket (``url_form``), so nothing after it can leave a Markdown link
    (``https://x.cn/a){: #__config }`` would give the link the theme's id).

    >>> [url_ok(u) for u in ("https://zh.wikipedia.org/wiki/A_(B)", "/a b", "https://x.cn/a){: #x }", "/a(")]
    [True, False, False, False]
    """
    if not url_allowed(value):
        raise PydanticCustomError("url_scheme", "address scheme not allowed",
                                  {"allowed": ", ".join(sorted(URL_SCHEMES))})
    if not url_ok(value):
        raise PydanticCustomError("url_form", "not a well-formed address")
    return value


_URL_BAD = re.compile(r'[\x00-\x20\x7f{}<>"`\\]')


def url_ok(value: str) -> bool:
    """One address: no character a URL never holds unescaped, brackets paired."""
    if _URL_BAD.search(value):
        return False
    depth = 0
    for ch in value:
        depth += {"(": 1, ")": -1}.get(ch, 0)
        if depth < 0:
            return False
    return depth == 0 and value.count("[") == value.count("]")


def _web_address(value: str) -> str:
    value = check_url(value)
    if not value.lower().startswith(("http://", "https://")):
        raise PydanticCustomError("url_scheme", "an http(s) address is needed", {"allowed": "http, https"})
    return value


#: An address a page links to: a path on this site, or http/https/mailto/tel.
Url = Annotated[str, AfterValidator(lambda v: check_url(v))]  # late-bound: tests may bypass the rule
#: The address of a server (the site, the endpoint, a git host): http or https only.
WebAddress = Annotated[str, AfterValidator(lambda v: _web_address(v))]
#: Plain text, or a map of language code to text: ``{zh: 通知, en: Notice}``.
Text = str | dict[Lang, str]
#: A clock time written as "HH:MM" (quote it in YAML: ``"19:00"``).
ClockTime = Annotated[str, StringConstraints(pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$")]
#: A whole-CNY or two-decimal amount; negative amounts are never valid here.
Amount = Annotated[float, Field(ge=0)]


def markdown(**kw: Any) -> Any:
    """A text field rendered as Markdown."""
    return Field(json_schema_extra={"markdown": True}, **kw)


def contact(**kw: Any) -> Any:
    """An official public contact field (phone numbers are allowed here)."""
    return Field(json_schema_extra={"contact": True}, **kw)


class Model(BaseModel):
    """Base for every data kind: strict about unknown keys, lax about numbers."""

    model_config = ConfigDict(extra="forbid", frozen=False, populate_by_name=True, defer_build=True)

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        # the check cache unpickles every document's models: compactly (``kinds.pickled``)
        return pickled.reduce(self)


class Link(Model):
    """An attachment or related document."""

    title: Text = Field(description="Link text / 链接文字")
    url: Url = Field(description="Address: a path on this site or an https:// URL / 地址")


class Today:
    """Indirection so tests can pin 'today' (display periods, overdue items)."""

    value: dt.date | None = None

    @classmethod
    def get(cls) -> dt.date:
        return cls.value or dt.date.today()


def text_values(value: Text | None) -> list[str]:
    """All language variants of a text, for scanning."""
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    return list(value.values())


Status = Literal["draft", "in-force", "repealed"]


class Languages(Model):
    """The site's languages: a community's (community.yaml) and a street's (street.yaml)."""

    default: Lang = Field("zh", description="Default language of the site / 默认语言")
    others: list[Lang] = Field(default_factory=list, description="Other languages / 其他语言")
