"""Consultations (征询): ``data/consultations/<id>.yaml``, one file per consultation.

A consultation is its own record, not a meeting in disguise: one posted online for
two weeks has no place and is never "held". It says how people took part
(``channel``: online, at a meeting, on paper), when (``start``/``end``), who may
take part, the options with what each costs *per the period it is quoted in*
(35 元 a day stays 35 元 a day: converting it to a month would put words in the
committee's mouth), its state (open, closed, decided) and its result. Matters
cite it (``consultations:``); a consultation still open after its end is a
governance gap.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import Field

from generator.kinds.base import Ref
from generator.kinds.common import Amount, Id, Link, Model, Text, markdown

Channel = Literal["online", "meeting", "paper"]
#: The period an amount is quoted for, as the committee quoted it.
Per = Literal["day", "month", "year", "once"]
ConsultationState = Literal["open", "closed", "decided"]


class ConsultationOption(Model):
    id: Id = Field(description="Option id, e.g. o1 / 方案编号")
    title: Text = Field(description="Option / 方案")
    description: Text | None = markdown(default=None, description="What it means / 说明")
    amount: Amount | None = Field(None, description="Amount in CNY, per `per` (e.g. a fee of 35 per day) / 金额（元）")
    per: Per = Field("once", description="day, month, year or once: what the amount is for / 金额的周期：每天、每月、每年或一次性")


class Consultation(Model):
    id: Id = Field(description="File name, e.g. 2026-11-parking-fee / 编号（与文件名相同）")
    title: Text = Field(description="Title: the question put to residents / 标题（征询事项）")
    summary: Text | None = markdown(default=None, description="Background / 背景说明")
    body: Annotated[Id, Ref("body")] | None = Field(None, description="Body that runs it / 组织机构")
    channel: Channel = Field(description="online, meeting or paper / 征询方式：线上、会议、书面")
    meeting: Annotated[Id, Ref("meeting")] | None = Field(
        None, description="The meeting, when held at one / 征询会议")
    where: Text | None = Field(None, description="How to take part, e.g. 业主小程序“议事”栏目 / 参与方式")
    start: dt.date = Field(description="First day / 开始日期")
    end: dt.date | None = Field(None, description="Last day / 截止日期")
    participants: Text | None = Field(None, description="Who may take part, e.g. 全体业主（每户一票） / 参与对象")
    options: list[ConsultationOption] = Field(default_factory=list, description="Options put to residents / 方案")
    state: ConsultationState = Field(description="open, closed (without a decision) or decided / 状态：征询中、已结束、已决定")
    result: Text | None = markdown(default=None, description="What came of it, e.g. the tally / 征询结果")
    decision: Annotated[Id, Ref("decision")] | None = Field(None, description="Decision that settled it / 据此作出的决议")
    documents: list[Link] = Field(default_factory=list, description="Notices, forms, tallies / 文件")
