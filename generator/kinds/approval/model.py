"""Approvals (审批): ``data/approvals/<id>.yaml``, one file per approval.

Most spending is not approved in a meeting but by letter: the property service
centre writes (an expense letter, 费用申请函), the owners' committee and its
advisers sign and stamp, larger sums go to the owners for consultation first,
and every letter is later read out at a joint meeting. An approval records that
route as it happened, so ``portal check`` can hold it against the community's
declared procedure (``procedures:`` in ``community.yaml``) and residents can see
who signed what, when, for how much and from which fund.

Signatures name bodies and roles, never private persons.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import Field

from generator.kinds.base import Ref
from generator.kinds.common import Amount, Id, Link, Model, Text, markdown

#: The steps an approval can take. A procedure tier names the ones it accepts.
Route = Literal[
    "committee",  # 委员会签批（业委会/居委会）
    "committee-advisers",  # 委员会 + 顾问（监事）会签
    "owners-consultation",  # 业主征询意见
    "deliberation",  # 居民议事会协商
    "hearing",  # 听证会
    "joint-meeting",  # 联席会议
    "assembly-vote",  # 业主大会 / 居民代表大会表决
    "street-office",  # 街道审批
    "other",
]

ROUTE_WORDS: dict[str, tuple[str, str]] = {
    "committee": ("委员会签批", "committee sign-off"),
    "committee-advisers": ("委员会和顾问会签", "committee and advisers' signatures"),
    "owners-consultation": ("业主征询", "owners' consultation"),
    "deliberation": ("议事会协商", "deliberation council"),
    "hearing": ("听证会", "hearing"),
    "joint-meeting": ("联席会议", "joint meeting"),
    "assembly-vote": ("大会表决", "assembly vote"),
    "street-office": ("街道审批", "street office approval"),
    "other": ("其他", "other"),
}

#: A meeting's type says which route a decision taken there stands for.
MEETING_ROUTE: dict[str, str] = {
    "deliberation": "deliberation",
    "assembly": "assembly-vote",
    "owners-assembly": "assembly-vote",
    "hearing": "hearing",
    "joint": "joint-meeting",
    "committee": "committee",
    "consultation": "owners-consultation",
    "other": "other",
}

#: ``submitted``: the letter went out, but no reply is on record (not the same as
#: ``pending``, which says the committee is known to be still deciding).
ApprovalStatus = Literal["approved", "rejected", "pending", "submitted"]


class Signature(Model):
    """Who signed: a body and, where it helps, a role (主任, 顾问). Never a private name."""

    body: Annotated[Id, Ref("body")] = Field(description="Body that signed / 签批机构")
    role: Text | None = Field(None, description="Role, e.g. 主任, 顾问 / 职务")
    date: dt.date | None = Field(None, description="Date signed / 签批日期")


class Approval(Model):
    id: Id = Field(description="File name, e.g. A2025-012 / 编号（与文件名相同）")
    number: str | None = Field(None, description="The letter's own number, e.g. 荷物函〔2025〕12号 / 函件文号")
    title: Text = Field(description="What is approved, in a line / 标题")
    date: dt.date | None = Field(
        None, description="Date the approval was given (last signature); empty when the signatures are undated "
                          "or there is no reply on record / 批准日期（签批未注明日期或没有答复记录的留空）")
    submitted: dt.date | None = Field(
        None, description="Date the request (the letter) was sent, when known / 申请（发函）日期")
    amount: Amount = Field(description="Amount approved, CNY: the ceiling for the spending that cites it / 批准金额（元）")
    fund: Annotated[Id, Ref("fund")] = Field(description="Fund that pays, from funds.csv / 资金")
    purpose: Text = markdown(description="What the money is for and why / 用途和理由")
    payee: Text | None = Field(None, description="Who is paid (a company; never a private person) / 收款单位")
    requested_by: Annotated[Id, Ref("body")] = Field(
        description="Body that asked, e.g. the property company / 申请单位")
    route: list[Route] = Field(min_length=1, description="Steps taken, in order / 审批程序")
    consultation: Annotated[Id, Ref("meeting")] | None = Field(
        None, description="Meeting where the owners were consulted first / 事先征询的会议")
    decision: Annotated[Id, Ref("decision")] | None = Field(
        None, description="Decision the approval rests on, if any / 依据的决议")
    signed_by: list[Signature] = Field(default_factory=list, description="Bodies and roles that signed / 签批")
    status: ApprovalStatus = Field(
        description="approved, rejected, pending, or submitted (asked; no outcome on record) / "
                    "审批结果：已批准、未批准、待批、已提交（结果未记录）")
    read_at: Annotated[Id, Ref("meeting")] | None = Field(
        None, description="Meeting where it was read out (e.g. the next joint meeting) / 通报的会议")
    documents: list[Link] = Field(default_factory=list, description="Scans of the letter and signatures / 扫描件")
    note: Text | None = markdown(default=None, description="Anything else residents should know / 备注")

    @property
    def when(self) -> dt.date | None:
        """The date it is listed under: approved on, else submitted on (None: neither known)."""
        return self.date or self.submitted
