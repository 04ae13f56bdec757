"""Contracts (合同): ``data/contracts/<id>.yaml``, one file per contract.

A contract is authorized once (by an approval or a decision); the payments made
under it are budget lines that cite it (``contract`` column) and need no fresh
approval each time. Its page shows spending to date against its total and term;
multi-year contracts no longer have to be split into yearly lines by hand.

A contract has a direction: the community pays (maintenance, works) or receives
(a lease of advertising space, a parking operator's fee). Some have no fixed
amount (a commission, a rate per unit): ``amount`` is then left out and
``pricing`` says how the price is set. Increases ("+8% a year from 2020-04-01")
are data (``increases``), and the value over the whole term is either stated
(``value``, as the contract or letter gives it) or computed only where that is
exact: a fixed total, or a monthly or yearly amount over whole months or years
with no increase. Nothing is pro-rated by guesswork.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import Field

from generator.kinds.base import Ref
from generator.kinds.common import Amount, Id, Link, Model, Text, markdown


class Increase(Model):
    """A change of the amount written into the contract: once, or every year from a day."""

    start: dt.date = Field(description="From this day / 起始日期")
    percent: float | None = Field(None, description="By this many percent, e.g. 8 / 上调百分比")
    amount: Amount | None = Field(None, description="Or: the new amount, CNY / 或：调整后的金额（元）")
    every: Literal["once", "year"] = Field("once", description="once, or every year from start / 一次或每年")
    note: Text | None = Field(None, description="As the contract words it / 合同原文")


class Contract(Model):
    id: Id = Field(description="File name, e.g. C2025-01 / 编号（与文件名相同）")
    title: Text = Field(description="Title / 标题")
    counterparty: Text = Field(description="The other party (a company or organisation) / 合同相对方")
    subject: Text = markdown(description="What is bought or agreed / 合同内容")
    start: dt.date = Field(description="First day of the term / 起始日期")
    end: dt.date | None = Field(None, description="Last day of the term; empty: open-ended / 终止日期")
    direction: Literal["pay", "receive"] = Field(
        "pay", description="pay: the community pays; receive: the community is paid (a lease, a fee) / "
                           "付款（我方支付）或收款（我方收取）")
    amount: Amount | None = Field(
        None, description="Amount in CNY, per `amount_per`; empty when there is no fixed amount (commission, "
                          "rate per unit: say how in pricing) / 金额（元）；没有固定金额的留空")
    pricing: Text | None = Field(
        None, description="How the price is set when it is not a fixed amount, e.g. 8% of parking income / "
                          "计价方式（无固定金额时）")
    increases: list[Increase] = Field(default_factory=list, description="Increases of the amount / 调价")
    value: Amount | None = Field(
        None, description="Value over the whole term as the contract or letter states it / 合同载明的总额（元）")
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
        """The contract's value over its whole term: stated, or exact; else None.

        >>> c = dict(id="c", title="t", counterparty="x", subject="s", fund="f", status="active")
        >>> Contract(**c, start="2025-01-01", end="2026-12-31", amount=1000, amount_per="month").total()
        24000.0
        >>> Contract(**c, start="2020-04-01", end="2023-07-31", amount=12000, amount_per="year").total() is None
        True
        >>> Contract(**c, start="2020-04-01", end="2023-07-31", amount=12000, amount_per="year", value=39000).total()
        39000.0
        """
        if self.value is not None:
            return float(self.value)
        if self.amount is None or self.increases:
            return None
        if self.amount_per == "total":
            return float(self.amount)
        months = self.whole_months()
        if months is None or (self.amount_per == "year" and months % 12):
            return None  # a part of a month or year: the contract says what is due, not us
        return round(self.amount * (months if self.amount_per == "month" else months // 12), 2)

    def whole_months(self) -> int | None:
        """The term in whole months (first of a month to the day before a later first), else None."""
        end = self.end  # the term as agreed: an early end does not change what was agreed
        if end is None or self.start.day != 1 or (end + dt.timedelta(days=1)).day != 1:
            return None
        after = end + dt.timedelta(days=1)
        return (after.year - self.start.year) * 12 + after.month - self.start.month
