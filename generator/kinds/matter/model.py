"""Matters (事项): ``data/matters/<id>.yaml``, one file per matter.

A matter is one item followed from where it came from (a published request,
residents, a committee, the street office) through consultation, decision or
approval, contract, spending and action items to its result. Its page is
assembled from the records it links (nobody keeps a second copy): a dated
timeline of meetings, consultations, notices, decisions, approvals, contracts and
budget lines (cited directly, or resting on one of those).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import Field

from generator.kinds.base import Ref
from generator.kinds.common import Id, Link, Model, Text, markdown

MatterStatus = Literal[
    "proposed",  # 已提出
    "consultation",  # 协商/征询中
    "decided",  # 已决定
    "in-progress",  # 实施中
    "done",  # 已完成
    "abandoned",  # 已放弃
    "deferred",  # 暂缓
]

OriginKind = Literal["request", "residents", "committee", "street-office", "property-company", "other"]


class MatterOrigin(Model):
    """Where the matter came from. Groups and bodies, never private persons."""

    kind: OriginKind
    request: Annotated[Id, Ref("request")] | None = Field(
        None, description="Public number of the published request, e.g. R2026-0007 (never a receipt) / 来源诉求公开编号")
    body: Annotated[Id, Ref("body")] | None = Field(None, description="Body that raised it / 提出机构")
    detail: Text | None = Field(None, description='e.g. "5幢居民联名 (18户)" / 说明')
    date: dt.date | None = Field(None, description="When it was raised / 提出日期")


class MatterAction(Model):
    """One step of the matter's plan, with who is responsible and by when."""

    id: Id
    text: Text
    owner: Text = Field(description="Responsible role or body / 责任方")
    owner_body: Annotated[Id, Ref("body")] | None = None
    due: dt.date | None = None
    status: Literal["open", "in-progress", "done", "dropped"]
    done: dt.date | None = Field(None, description="Date completed / 完成日期")
    note: Text | None = None


class MatterLine(Model):
    """A budget line the matter cites directly, by its year and its id in that year's
    file (``data/budgets/<year>.csv``): a payment or an income with no approval,
    contract or decision of the matter behind it."""

    year: int = Field(description="Budget year, e.g. 2026 / 年度")
    line: Id = Field(description="The line's id in data/budgets/<year>.csv, e.g. 2026-GY-012 / 收支明细编号")


class Matter(Model):
    id: Id = Field(description="File name, e.g. M2026-parking / 编号（与文件名相同）")
    title: Text
    summary: Text | None = markdown(default=None, description="What it is about / 概述")
    origin: MatterOrigin = Field(description="Where it came from / 来源")
    opened: dt.date = Field(description="Date the matter was taken up / 立项日期")
    status: MatterStatus
    status_reason: Text | None = Field(None, description="Why abandoned or deferred / 放弃或暂缓的原因")
    closed: dt.date | None = Field(None, description="Date done or abandoned / 结束日期")
    meetings: list[Annotated[Id, Ref("meeting")]] = Field(default_factory=list, description="Meetings / 相关会议")
    consultations: list[Annotated[Id, Ref("consultation")]] = Field(
        default_factory=list, description="Consultations (online, at a meeting, on paper) / 相关征询")
    decisions: list[Annotated[Id, Ref("decision")]] = Field(default_factory=list, description="Decisions / 相关决议")
    approvals: list[Annotated[Id, Ref("approval")]] = Field(default_factory=list, description="Approvals / 相关审批")
    contracts: list[Annotated[Id, Ref("contract")]] = Field(default_factory=list, description="Contracts / 相关合同")
    notices: list[Annotated[Id, Ref("notice")]] = Field(default_factory=list, description="Notices / 相关通知公示")
    budget_lines: list[MatterLine] = Field(
        default_factory=list, description="Budget lines cited directly, as {year: 2026, line: 2026-GY-012} / 相关收支明细")
    action_items: list[MatterAction] = Field(default_factory=list, description="The plan / 工作计划")
    result: Text | None = markdown(default=None, description="What came of it / 结果")
    documents: list[Link] = Field(default_factory=list)
