"""Rules: ``data/rules/<id>.yaml`` (居民公约, 管理规约, 议事规则 …).

A rule keeps every version it has had. Each version names the meeting (and
decision) that adopted it and lists its numbered articles, so the site can show
what changed between versions article by article.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import Field

from generator.kinds.base import Ref
from generator.kinds.common import Id, Model, Text, markdown

RuleKind = Literal[
    "residents-covenant",  # 居民公约
    "management-covenant",  # 管理规约
    "procedure-rules",  # 议事规则
    "finance-rules",  # 财务管理制度
    "other",
]


class Article(Model):
    number: int = Field(ge=1, description="Article number, 1, 2, 3 … / 条号")
    title: Text | None = Field(None, description="Short heading / 条标题")
    text: Text = markdown(description="Article text (Markdown) / 条文")


class Adoption(Model):
    meeting: Id = Field(description="Meeting that adopted this version / 通过该版本的会议")
    decision: Id | None = Field(None, description="Decision id in that meeting / 决议编号")


class RuleVersion(Model):
    version: str = Field(min_length=1, description='Version label, e.g. "2024" / 版本')
    effective: dt.date | None = Field(None, description="Date it takes effect; blank while a draft awaits "
                                                        "adoption (the latest version only) / 生效日期，草案可暂不填")
    adopted_by: Adoption | None = Field(None, description="Where it was adopted / 通过会议")
    draft: bool = Field(False, description="A draft put out for comment (a consultation's draft:), never in force "
                                           "itself: it may leave effective blank wherever it stands / 征求意见稿")
    note: Text | None = markdown(default=None, description="What changed and why / 修订说明")
    articles: list[Article] = Field(min_length=1)


class Rule(Model):
    id: Id
    title: Text
    kind: RuleKind
    status: Literal["draft", "in-force", "repealed"]
    body: Annotated[Id, Ref("body")] | None = Field(None, description="Body that owns the rule / 制定主体")
    summary: Text | None = markdown(default=None)
    repealed: dt.date | None = Field(None, description="Date repealed (status repealed) / 废止日期")
    versions: list[RuleVersion] = Field(min_length=1, description="Oldest first / 按时间先后")
