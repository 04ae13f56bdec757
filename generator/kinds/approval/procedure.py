"""Procedures (审批程序): the community's own spending rule, in ``community.yaml``.

A real rule has tiers, not one threshold: "below ¥5,000 the owners' committee and
its advisers sign; above it the owners are consulted first; every approval is
read out at the next joint meeting". Payments under an authorized contract and
recurring bills such as utilities need no fresh approval each time.

::

    procedures:
      source: 公共收益管理办法第八条
      tiers:
        - id: small
          title: 5000元以下
          funds: [public-revenue]
          up_to: 5000
          routes: [committee-advisers]
          read_at: joint
        - id: large
          title: 5000元以上
          funds: [public-revenue]
          above: 5000
          routes: [owners-consultation, assembly-vote]
          read_at: joint
      exemptions:
        - {id: contracts, title: 合同内付款, contracts: true}
        - {id: utilities, title: 水电费, categories: [水电费]}

Spending before ``effective`` (when given) is judged by the older single threshold
of ``finance_rules``, if any. A spending line falls in the first tier whose funds, amount range and origin
match. It is then covered by an approval or decision that took one of the tier's
``routes`` (any one suffices), or by an exemption.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Annotated, Any

from pydantic import Field

from generator.kinds.approval.model import Route
from generator.kinds.base import Ref
from generator.kinds.common import Amount, Id, Model, Text
from generator.kinds.meeting.model import MeetingType

#: Body kinds, as in community.yaml (kept as text here to avoid a cycle with community).
Origin = str


class Tier(Model):
    id: Id
    title: Text = Field(description="The tier in words, e.g. 5000元以下 / 名称")
    funds: list[Annotated[Id, Ref("fund")]] = Field(
        default_factory=list, description="Funds it applies to (empty: all) / 适用资金，空表示全部")
    above: Amount = Field(0, description="Applies to amounts above this (CNY) / 金额下限（不含）")
    up_to: Amount | None = Field(None, description="… and up to this (CNY); empty: no upper limit / 金额上限（含）")
    origins: list[Origin] = Field(
        default_factory=list,
        description="Kinds of requesting body it applies to, e.g. property-company (empty: any) / 适用的申请方类型")
    routes: list[Route] = Field(min_length=1, description="Routes that suffice (any one) / 须经的程序（任一即可）")
    read_at: MeetingType | None = Field(
        None, description="Meeting type where each approval must be read out next, e.g. joint / 须在哪类会议上通报")
    read_within_days: int = Field(
        90, ge=1, description="Days within which that meeting is expected / 须在多少天内通报")


class Exemption(Model):
    id: Id
    title: Text = Field(description="What is exempt, in words / 名称")
    contracts: bool = Field(False, description="Payments under an authorized contract / 合同内付款")
    categories: list[str] = Field(default_factory=list, description="Budget categories exempt, e.g. 水电费 / 类别")
    funds: list[Annotated[Id, Ref("fund")]] = Field(
        default_factory=list, description="Funds it applies to (empty: all) / 适用资金")
    source: Text | None = Field(None, description="Where this exemption comes from / 依据")


class Procedures(Model):
    source: Text | None = Field(None, description="Where the rule comes from / 依据")
    effective: dt.date | None = Field(
        None, description="Spending from this day on is held to the tiers; earlier spending to finance_rules "
                          "(empty: all spending) / 施行日期")
    tiers: list[Tier] = Field(default_factory=list, description="Tiers, first match applies / 分级")
    exemptions: list[Exemption] = Field(default_factory=list, description="Spending that needs no approval / 豁免")
    split_window_days: int = Field(
        31, ge=1, description="Lines this close in time, same purpose or payee, are looked at together / 拆分检查的天数")
    consultation_days: int = Field(
        90, ge=1, description="A consultation open this long without a decision is reported / 协商多少天未结论须说明")

    def in_force(self, last: dt.date | None) -> bool:
        """The procedure applies to spending that ends on or after its ``effective`` day."""
        return self.effective is None or last is None or last >= self.effective

    def exemption_for(self, fund: str, category: str, contract_authorized: bool) -> Exemption | None:
        """The exemption a spending line falls under, if any. "Payments under an
        authorized contract" holds only when the contract it cites is authorized:
        a line under an unauthorized contract answers to the tiers like any other."""
        for ex in self.exemptions:
            if ex.funds and fund not in ex.funds:
                continue
            if (ex.contracts and contract_authorized) or category in ex.categories:
                return ex
        return None


def contract_authorized(contract: Any, approvals: Mapping[str, Any], decisions: Mapping[str, Any]) -> bool:
    """A contract is authorized by an approved approval or an adopted decision (the
    index's tables of approvals and decisions): the one rule the checks and pages share."""
    if contract.approval:
        a = approvals.get(contract.approval)
        return a is not None and a.model.status == "approved"
    if contract.decision:
        d = decisions.get(contract.decision)
        return d is not None and d.outcome == "adopted"
    return False
