"""Meetings: ``data/meetings/<id>.yaml``, one file per meeting.

A meeting's agenda records who raised each item, its background, the options
considered (with their cost and whom they affect) and the decision with its vote,
so a resident can follow background → options → vote → spending → outcome.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import Field

from generator.kinds.base import Ref
from generator.kinds.common import Amount, ClockTime, Id, Link, Model, Text, markdown

MeetingType = Literal[
    "deliberation",  # 议事会
    "assembly",  # 居民代表大会 / 居民会议
    "owners-assembly",  # 业主大会
    "hearing",  # 听证会
    "joint",  # 联席会议
    "committee",  # 委员会会议
    "consultation",  # 协商会 / 恳谈会
    "other",
]

RaisedByKind = Literal[
    "residents",  # 居民提出
    "owners",  # 业主提出
    "committee",  # 居委会 / 业委会
    "street-office",  # 街道
    "property-company",  # 物业
    "social-organization",
    "council-member",  # 议事会成员
    "other",
]


class DecisionRule(Model):
    """How a body decides: the quorum and the majority needed to adopt.

    ``threshold`` is a share of ``base``. ``strict: true`` means *more than* the
    share (过半数: more than 1/2); ``strict: false`` means *at least* (三分之二以上).
    """

    quorum: float = Field(0.5, ge=0, le=1, description="Share of members that must be present / 法定人数比例")
    quorum_strict: bool = Field(False, description="Quorum must be exceeded, not just met / 须超过法定比例")
    threshold: float = Field(0.5, gt=0, le=1, description="Share of votes needed / 通过所需比例")
    base: Literal["present", "members", "cast"] = Field(
        "present", description="Share of: present, all members, or votes cast / 比例基数"
    )
    strict: bool = Field(True, description="More than the share (过半数) rather than at least / 须超过")


class RaisedBy(Model):
    """Who put the item on the agenda. Name groups, never private individuals."""

    kind: RaisedByKind
    body: Annotated[Id, Ref("body")] | None = Field(None, description="Body id when a body raised it / 提出主体")
    detail: Text | None = Field(None, description='e.g. "3号楼居民联名 (12户)"')
    request: Annotated[Id, Ref("request")] | None = Field(None, description="Public number of the published request it came from, "
                                                 "e.g. R2026-0007 (never a receipt) / 来源诉求公开编号")


class Effect(Model):
    group: Text = Field(description="Who is affected, e.g. 有车业主 / 全体业主 / 开发商")
    effect: Text = Field(description="How / 影响")


class Option(Model):
    id: Id
    title: Text
    description: Text | None = markdown(default=None)
    cost: Amount | None = Field(None, description="Estimated cost, CNY / 预计费用")
    recurring_cost: Amount | None = Field(
        None, description="Running cost, CNY, per recurring_per (e.g. maintenance) / 持续费用")
    #: as the committee quoted it (a fee per day stays per day): never converted
    recurring_per: Literal["day", "month", "year"] = Field("month", description="day, month or year / 按天、按月或按年")
    takes_effect: Text | None = Field(None, description="How long until it takes effect, e.g. 3个月 / 见效时间")
    fund: Annotated[Id, Ref("fund")] | None = Field(None, description="Fund that would pay / 资金来源")
    effects: list[Effect] = Field(default_factory=list)


class Votes(Model):
    for_: int = Field(alias="for", ge=0)
    against: int = Field(0, ge=0)
    abstain: int = Field(0, ge=0)


class RuleAdoption(Model):
    rule: Id
    version: str


class Decision(Model):
    id: Id = Field(description="Unique across all meetings, e.g. D2025-07 / 决议编号")
    text: Text = markdown(description="What was decided / 决议内容")
    option: Id | None = Field(None, description="Chosen option id / 采纳方案")
    date: dt.date | None = Field(None, description="Defaults to the meeting date / 决议日期")
    votes: Votes | None = None
    outcome: Literal["adopted", "rejected", "deferred"]
    adopts_rule: RuleAdoption | None = Field(None, description="Rule version this adopts / 通过的规约版本")


class AgendaItem(Model):
    id: Id
    title: Text
    raised_by: RaisedBy
    background: Text | None = markdown(default=None)
    documents: list[Link] = Field(default_factory=list)
    options: list[Option] = Field(default_factory=list)
    decision: Decision | None = None
    consultation: Literal["open", "closed"] | None = Field(
        None, description="An item put to consultation: still open, or closed without a decision / "
                          "协商状态：征询中，或未作决定即结束")


class Attendance(Model):
    members: int = Field(ge=1, description="Members entitled to attend / 应到人数")
    present: int = Field(ge=0, description="Members present / 实到人数")
    observers: int = Field(0, ge=0, description="Residents observing / 列席旁听")


class ActionItem(Model):
    id: Id
    text: Text
    owner: Text = Field(description="Responsible role or body / 责任方")
    owner_body: Annotated[Id, Ref("body")] | None = None
    decision: Annotated[Id, Ref("decision")] | None = Field(None, description="Decision this implements / 对应决议")
    due: dt.date | None = None
    status: Literal["open", "in-progress", "done", "dropped"]
    done: dt.date | None = Field(None, description="Date completed / 完成日期")
    note: Text | None = None


class Meeting(Model):
    id: Id
    body: Annotated[Id, Ref("body")] = Field(description="Body that meets / 会议主体")
    type: MeetingType
    title: Text
    date: dt.date
    start: ClockTime | None = None
    end: ClockTime | None = None
    place: Text
    status: Literal["planned", "held", "cancelled"]
    attendance: Attendance | None = None
    agenda: list[AgendaItem] = Field(
        default_factory=list,
        description="Agenda items; leave empty when the agenda was not published (the site says so) / 议程（未公布可不填）")
    action_items: list[ActionItem] = Field(default_factory=list)
    minutes: Text | None = markdown(default=None, description="Minutes (Markdown) / 会议纪要")
    documents: list[Link] = Field(default_factory=list)
