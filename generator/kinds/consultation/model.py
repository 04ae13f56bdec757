"""Consultations (征询): ``data/consultations/<id>.yaml``, one file per consultation.

A consultation is its own record, not a meeting in disguise: one posted online for
two weeks has no place and is never "held". It says how people took part
(``channel``: online, at a meeting, on paper), when (``start``/``end``), who may
take part, the options with what each costs *per the period it is quoted in*
(35 元 a day stays 35 元 a day: converting it to a month would put words in the
committee's mouth), its state (open, closed, decided) and its result. Matters
cite it (``consultations:``); a consultation still open after its end is a
governance gap.

A consultation may put a *draft* out for comment (征求意见稿, issue #21): ``draft:``
names a version of a rule. Any document with numbered articles is kept as a rule
(``kind: other`` when it is neither covenant nor procedure), so the text, its
versions and the article-by-article changes stay in the rule kind, and the comment
period (dates, channels, who may comment, state, the gap when it is left open)
stays here with every other question put to residents: nothing is written twice.
After the period the committee publishes the adoption report (意见采纳情况说明) as
``report:``: one entry per comment, summarised without personal data, with its
article, the outcome and the reason. A comment's receipt is quoted by its last
four symbols only: a whole receipt would let anyone look up or rate it.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import BeforeValidator, Field, StringConstraints

from generator.kinds.base import Ref
from generator.kinds.common import Amount, Id, Link, Model, Text, markdown

Channel = Literal["online", "meeting", "paper"]
#: The period an amount is quoted for, as the committee quoted it.
Per = Literal["day", "month", "year", "once"]
ConsultationState = Literal["open", "closed", "decided"]
#: What became of a comment on a draft (采纳 / 部分采纳 / 未采纳 / 不属于本次征求意见范围).
Outcome = Literal["adopted", "partly", "not-adopted", "out-of-scope"]
#: The last four symbols of a receipt number (``K7QM-4XRA-3P`` → ``RA3P``): the receipt alphabet
#: (portal_core.receipts) without look-alikes; a dash may be kept as written.
RECEIPT_TAIL = r"^[34679ACDEFGHJKMNPQRTWXY]{2}-?[34679ACDEFGHJKMNPQRTWXY]{2}$"


class ConsultationOption(Model):
    id: Id = Field(description="Option id, e.g. o1 / 方案编号")
    title: Text = Field(description="Option / 方案")
    description: Text | None = markdown(default=None, description="What it means / 说明")
    amount: Amount | None = Field(None, description="Amount in CNY, per `per` (e.g. a fee of 35 per day) / 金额（元）")
    per: Per = Field("once", description="day, month, year or once: what the amount is for / 金额的周期：每天、每月、每年或一次性")


class DraftRef(Model):
    rule: Annotated[Id, Ref("rule")] = Field(description="The rule (or any document with numbered articles) / 征求意见的规约")
    version: str = Field(min_length=1, description='Its draft version, e.g. "2027征求意见稿" / 征求意见稿的版本')
    adopted: str | None = Field(None, description='The version adopted afterwards, e.g. "2027" / 据此通过的版本')
    retention_days: int = Field(180, ge=1, le=3650, description="Days commenters' contact details are kept / 联系方式保存天数")


def _number_as_text(value: object) -> object:
    """``article: 4`` as YAML writes it; the editor writes ``"4"``: both are the text ``4``."""
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


#: An article number (``4``) or ``whole``: one string type, so the browser editor can offer it.
ArticleRef = Annotated[str, BeforeValidator(_number_as_text), StringConstraints(pattern=r"^([1-9][0-9]{0,3}|whole)$")]


class ReportEntry(Model):
    article: ArticleRef = Field(description="Article number the comment is on, or whole / 针对的条号，或 whole（全文）")
    summary: Text = Field(description="The comment, summarised without personal data / 意见摘要（不写个人信息）")
    count: int = Field(1, ge=1, description="How many comments said this / 提出该意见的人次")
    outcome: Outcome = Field(description="adopted, partly, not-adopted or out-of-scope / 采纳情况：采纳、部分采纳、未采纳、不属于征求范围")
    reason: Text | None = Field(None, description="Why (required unless adopted) / 理由（未全部采纳时必填）")
    receipt: Annotated[str, StringConstraints(pattern=RECEIPT_TAIL)] | None = Field(
        None, description="Last four symbols of the comment's receipt, e.g. RA3P / 回执号后四位")

    @property
    def key(self) -> int | str:
        """The article as the draft numbers it (``4``), or ``whole``."""
        return "whole" if self.article == "whole" else int(self.article)


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
    draft: DraftRef | None = Field(None, description="A draft put out for comment, article by article / 征求意见稿")
    reported: dt.date | None = Field(None, description="Date the adoption report was published / 采纳情况说明发布日期")
    report: list[ReportEntry] | None = Field(
        None, description="Adoption report: each comment, its article, outcome and reason / 意见采纳情况说明")
