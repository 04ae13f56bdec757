"""Contracts (合同): ``data/contracts/<id>.yaml``, one file per contract.

A contract is authorized once (by an approval or a decision); the payments made
under it are budget lines that cite it (``contract`` column) and need no fresh
approval each time. Its page shows spending to date against its total and term;
multi-year contracts no longer have to be split into yearly lines by hand.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import Field

from generator.kinds.base import Ref
from generator.kinds.common import Amount, Id, Link, Model, Text, markdown


class Contract(Model):
    id: Id = Field(description="File name, e.g. C2025-01 / 编号（与文件名相同）")
    title: Text = Field(description="Title / 标题")
    counterparty: Text = Field(description="The other party (a company or organisation) / 合同相对方")
    subject: Text = markdown(description="What is bought or agreed / 合同内容")
    start: dt.date = Field(description="First day of the term / 起始日期")
    end: dt.date | None = Field(None, description="Last day of the term; empty: open-ended / 终止日期")
    amount: Amount = Field(description="Amount in CNY, per `amount_per` / 金额（元）")
    amount_per: Literal["total", "month", "year"] = Field(
        "total", description="The amount is the total, per month or per year / 总价、每月或每年")
    fund: Annotated[Id, Ref("fund")] = Field(description="Fund that pays / 资金")
    approval: Annotated[Id, Ref("approval")] | None = Field(
        None, description="Approval that authorized it / 批准该合同的审批")
    decision: Annotated[Id, Ref("decision")] | None = Field(
        None, description="Decision that authorized it / 批准该合同的决议")
    status: Literal["active", "ended"] = Field(description="active or ended / 履行中或已终止")
    ended: dt.date | None = Field(None, description="Date it ended, if early / 提前终止日期")
    end_reason: Text | None = Field(None, description="Why it ended (expired, terminated …) / 终止原因")
    documents: list[Link] = Field(default_factory=list, description="The signed contract, scans / 合同文本")
    note: Text | None = markdown(default=None, description="Anything else residents should know / 备注")

    def total(self) -> float | None:
        """The contract's value over its whole term (None when open-ended and recurring).

        >>> Contract(id="c", title="t", counterparty="x", subject="s", start="2025-01-01",
        ...          end="2026-12-31", amount=1000, amount_per="month", fund="f", status="active").total()
        24000.0
        """
        if self.amount_per == "total":
            return self.amount
        if self.end is None:
            return None
        months = (self.end.year - self.start.year) * 12 + self.end.month - self.start.month + 1
        return round(self.amount * (months if self.amount_per == "month" else months / 12), 2)
