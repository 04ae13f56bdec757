"""``street.yaml``: the street profile and its communities.

A street repository looks like::

    street.yaml                  # this model
    communities/<id>/            # a community project (data/, content/, mkdocs.yml), the default place
    site/                        # portal build: street pages at /, each community at /<id>/

A community is kept where whoever maintains it can commit:

- in a sub-folder ``communities/<id>/`` (the default): the street office's repository
  and CI publish everything; committees commit there (or through the editor);
- at ``path:`` (relative to the street folder): a checkout beside it, e.g. a git
  submodule of a committee's own repository;
- at ``git:`` (+ ``ref:``): a committee's own repository, which keeps its own CI for
  its own site; the street build fetches it into ``.portal-build/street/git/<id>``.

Every community still builds alone with ``portal build communities/<id>``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import Field, model_validator

from generator.kinds.common import Id, Languages, Model, Text, WebAddress, contact

if TYPE_CHECKING:  # the street's engines use these; the model does not import them
    from generator.problems import Report
    from generator.street.collect import Facts

STREET_FILE = "street.yaml"
COMMUNITIES_FOLDER = "communities"
#: First path segments the street site uses itself: no community may take them as its id.
RESERVED_IDS = frozenset({"en", "assets", "data", "feeds", "search", "pagefind", "street", "compare",
                          "calendar", "notices", "communities", "admin", "forms", "open-questions"})


class Office(Model):
    """A department or body of the street office (街道办事处/街道党工委 …), public contacts only."""

    id: Id
    name: Text
    duties: Text | None = Field(None, description="What it handles / 职责")
    phone: str | None = contact(default=None, description="Public phone / 对外公开电话")
    email: str | None = contact(default=None, description="Public e-mail / 对外公开邮箱")
    address: Text | None = Field(None, description="Where / 地址")
    hours: Text | None = Field(None, description="Opening hours / 接待时间")


class CommunityEntry(Model):
    """One community of the street: where its project is."""

    id: Id = Field(description="Community id: its address on the street site, /<id>/ / 社区编号（网址）")
    path: str | None = Field(None, description="Folder of its project, relative to street.yaml "
                                                "(default communities/<id>) / 项目文件夹")
    git: str | None = Field(None, description="Git repository of its project (its own CI publishes it) / 项目仓库")
    ref: str | None = Field(None, description="Branch or tag of that repository (default: its default branch) / 分支")

    @model_validator(mode="after")
    def _one_place(self) -> CommunityEntry:
        if self.path and self.git:
            raise ValueError("path and git: give one / path 与 git 只能填一个")
        if self.id in RESERVED_IDS:
            raise ValueError(f"id {self.id!r} is used by the street site itself / 该编号为街道网站保留")
        return self


class Street(Model):
    id: Id
    name: Text = Field(description="Street name, e.g. 新和街道 / 街道名称")
    district: Text | None = Field(None, description="District / 所属区")
    address: Text | None = Field(None, description="Street office address / 街道办地址")
    description: Text | None = None
    languages: Languages = Field(default_factory=Languages)
    site_url: WebAddress | None = Field(None, description="Public address of the street site / 街道网站地址")
    offices: list[Office] = Field(default_factory=list, description="The street office's bodies / 街道机构")
    communities: list[CommunityEntry] = Field(min_length=1, description="Its communities / 所辖社区")

    @model_validator(mode="after")
    def _unique(self) -> Street:
        seen: set[str] = set()
        for entry in self.communities:
            if entry.id in seen:
                raise ValueError(f"community {entry.id!r} listed twice / 社区重复")
            seen.add(entry.id)
        return self


def community_root(street_root: Path, entry: CommunityEntry) -> Path:
    """Where a community's project is (a ``git:`` one: where the street build fetched it)."""
    if entry.git:
        return street_root / ".portal-build" / "street" / "git" / entry.id
    return (street_root / (entry.path or f"{COMMUNITIES_FOLDER}/{entry.id}")).resolve()


MemberStatus = Literal["built", "stale", "missing"]


@dataclass
class Member:
    """One community as the street build saw it: what the views are computed from.

    - ``built``: checked without errors and published from this build;
    - ``stale``: its files have errors (``report``) or could not be fetched: its last good
      pages stay published, marked as not updated since ``updated``;
    - ``missing``: failed and never built: nothing of it is published.
    """

    entry: CommunityEntry
    root: Path
    status: MemberStatus
    facts: Facts | None = None  #: what it gives the street views (None: its project was not found)
    report: Report | None = None  #: its check findings (errors name it in the street report)
    updated: dt.datetime | None = None  #: when its published pages were built
    name: Text | None = None  #: its community.yaml name, when known
    #: ``outdir.folder_digest`` of its kept copy as this street build's community build left it
    kept_digest: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return self.entry.id
