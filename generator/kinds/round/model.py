"""A participatory budgeting round (民生微实事): ``data/rounds/<id>.yaml``.

A round has a fund and a total, caps per project and per category, who may take
part, the dates of its stages, how residents vote (approval, cumulative points,
ranks) and the counting rule it declares before the vote. Proposals carry their
review (eligible, or ineligible with the reason, published). Votes are counts per
project recorded at a meeting (``votes.meeting`` plus ``counts`` on each
proposal), ballots in ``<id>.ballots.csv`` beside the file (one row per choice:
``ballot,project,value``: the format the endpoint's ballot export writes), or both.
No names are stored anywhere: a ballot is a code, a proposer a kind.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import Field

from generator.kinds.base import Ref
from generator.kinds.common import Amount, Id, Model, Text, markdown

VoteType = Literal["approval", "cumulative", "ordinal"]
Rule = Literal["greedy", "greedy-threshold", "equal-shares"]
State = Literal["proposing", "reviewing", "voting", "counted", "closed"]


class Stages(Model):
    """The dates of each stage (征集 → 评议 → 票决 → 实施 → 验收)."""

    propose_from: dt.date | None = Field(None, description="Proposals open / 征集开始")
    propose_until: dt.date | None = Field(None, description="Proposals close / 征集截止")
    review_until: dt.date | None = Field(None, description="Review done by / 评议完成")
    vote_from: dt.date | None = Field(None, description="Voting opens / 投票开始")
    vote_until: dt.date | None = Field(None, description="Voting closes / 投票截止")


class Eligibility(Model):
    """Who may propose and vote: by household or by resident over an age."""

    proposers: Literal["residents", "households", "committee", "anyone"] = Field(
        "residents", description="Who may propose / 谁可以提议")
    voters: Literal["households", "residents"] = Field(
        "households", description="One vote per household or per resident / 每户一票或每人一票")
    min_age: int | None = Field(None, ge=0, le=120, description="Voters at least this old / 投票人最低年龄")


class Vote(Model):
    """How residents vote and the limits of a ballot."""

    type: VoteType = Field("approval", description="approval, cumulative (points) or ordinal (ranks) / 投票方式")
    min_choices: int = Field(1, ge=0, description="At least this many projects per ballot / 每张选票至少选几项")
    max_choices: int | None = Field(None, ge=1, description="At most this many per ballot / 每张选票最多选几项")
    points: int | None = Field(None, ge=1, description="Cumulative: points per ballot / 累积投票：每张选票的总分")
    meeting: Annotated[Id, Ref("meeting")] | None = Field(
        None, description="Meeting where votes were counted by show of hands / 举手表决的会议")
    online: bool = Field(False, description="Online ballots through the endpoint / 是否网上投票")


class Counting(Model):
    rule: Rule = Field("greedy", description="greedy, greedy-threshold or equal-shares / 计票规则")
    threshold: int | None = Field(None, ge=0, description="greedy-threshold: fewest votes to be funded / 最低票数")


class Review(Model):
    eligible: bool = Field(description="Passed the review / 审核是否通过")
    reason: Text | None = Field(None, description="Why not (published) / 未通过的理由（公开）")


class Proposal(Model):
    id: Id = Field(description="Id within the round, e.g. P01 / 项目编号")
    title: Text = Field(description="Title / 项目名称")
    description: Text | None = markdown(default=None, description="What, where, why / 内容")
    category: str | None = Field(None, description="Category, e.g. service, works / 类别（如 服务类、工程类）")
    cost: Amount = Field(description="Cost estimate, CNY / 估算费用（元）")
    place: Text | None = Field(None, description="Where / 地点")
    proposer: Literal["resident", "committee"] = Field(description="resident or committee (no names) / 提议方")
    review: Review | None = Field(None, description="Review result; empty: not reviewed yet / 审核结果")
    votes: int | None = Field(None, ge=0, description="Votes counted at the meeting (show of hands) / 会议计票")
    matter: Annotated[Id, Ref("matter")] | None = Field(
        None, description="The matter that carries it out (contract, spending, acceptance) / 实施事项")


class Round(Model):
    id: Id = Field(description="File name, e.g. 2027 / 编号（与文件名相同）")
    title: Text = Field(description="Title / 标题")
    fund: Annotated[Id, Ref("fund")] = Field(description="Fund that pays / 资金")
    budget: Amount = Field(description="Total to share out, CNY / 本轮总额（元）")
    cap_per_project: Amount | None = Field(None, description="Most one project may cost / 单个项目上限（元）")
    caps_per_category: dict[str, Amount] = Field(
        default_factory=dict, description="Most one project of a category may cost / 各类别单项上限（元）")
    eligibility: Eligibility = Field(default_factory=Eligibility, description="Who takes part / 参与资格")
    stages: Stages = Field(default_factory=Stages, description="Stage dates / 各阶段日期")
    vote: Vote = Field(default_factory=Vote, description="How residents vote / 投票方式")
    counting: Counting = Field(default_factory=Counting, description="Counting rule / 计票规则")
    state: State = Field(description="proposing, reviewing, voting, counted or closed / 状态")
    proposals: list[Proposal] = Field(default_factory=list, description="Proposals / 提议项目")
    note: Text | None = markdown(default=None, description="Anything else residents should know / 备注")

    def cap_for(self, p: Proposal) -> float | None:
        """The lowest cap that applies to a proposal (its category's, the round's)."""
        caps = [c for c in (self.cap_per_project, self.caps_per_category.get(p.category or "")) if c is not None]
        return min(caps) if caps else None

    def eligible(self) -> list[Proposal]:
        return [p for p in self.proposals if p.review is not None and p.review.eligible]
