"""Community profile: ``data/community.yaml``.

Who the community is, how to reach it, the bodies that govern it, its grids, and
its own finance rules (e.g. "spending over ¥5,000 must be put to the owners").
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import Field

from generator.kinds.approval.procedure import Procedures
from generator.kinds.base import Ref
from generator.kinds.common import Amount, Id, Languages, Model, Text, WebAddress, contact
from generator.kinds.meeting.model import DecisionRule  # how a body decides is what its meetings apply

BodyKind = Literal[
    "residents-committee",  # 居民委员会
    "owners-committee",  # 业主委员会
    "deliberation-council",  # 居民议事会
    "representative-assembly",  # 居民代表大会 / 居民会议
    "owners-assembly",  # 业主大会
    "property-company",  # 物业服务企业
    "party-organization",  # 社区党组织
    "social-organization",  # 社区社会组织
    "street-office",  # 街道办事处
    "joint-meeting",  # 联席会议
    "other",
]


class ContactPoint(Model):
    """A public contact point of the community (office, hotline …)."""

    name: Text = Field(description="What this contact is, e.g. 居委会办公室")
    phone: str | None = contact(default=None, description="Public phone / 对外公开电话")
    email: str | None = contact(default=None, description="Public e-mail / 对外公开邮箱")
    address: Text | None = Field(None, description="Where / 地址")
    hours: Text | None = Field(None, description="Opening hours in words / 接待时间")


class PublicRole(Model):
    """A public role on a body. ``holder`` is only for elected or appointed office."""

    title: Text = Field(description="Role, e.g. 主任, 委员, 网格员")
    holder: Text | None = Field(None, description="Name of the office holder (public office only)")
    duties: Text | None = Field(None, description="What this role is responsible for / 职责")


class Body(Model):
    id: Id
    name: Text
    kind: BodyKind
    description: Text | None = None
    members: int | None = Field(None, ge=1, description="Number of members (for quorum) / 成员人数")
    roles: list[PublicRole] = Field(default_factory=list)
    decision_rule: DecisionRule | None = Field(None, description="Quorum and majority / 议事规则")
    phone: str | None = contact(default=None, description="Public phone / 对外公开电话")
    email: str | None = contact(default=None, description="Public e-mail / 对外公开邮箱")


class Grid(Model):
    id: Id
    name: Text
    buildings: list[str] = Field(description="Building numbers in this grid / 楼栋")
    worker_role: Text | None = Field(None, description="Who serves this grid, by role / 网格员")
    phone: str | None = contact(default=None, description="Grid service phone / 网格服务电话")


class ServiceCategory(Model):
    id: Id
    name: Text


class FinanceRules(Model):
    """The community's own finance rules, checked against every budget line."""

    decision_threshold: Amount | None = Field(
        None,
        description="Spending above this amount (CNY) needs a recorded decision / 超过此金额须有决议",
    )
    threshold_funds: list[Annotated[Id, Ref("fund")]] = Field(
        default_factory=list,
        description="Funds the threshold applies to (empty: all) / 适用的资金，空表示全部",
    )
    source: Text | None = Field(None, description="Where this rule comes from / 依据")


class Editor(Model):
    """Where the browser editor (``/admin/``, Decap CMS) commits: the git host's backend.

    GitHub needs an OAuth proxy at ``base_url``; GitLab and Gitea log in with an
    OAuth application of their own (``app_id``, PKCE), no server needed.
    """

    backend: Literal["github", "gitlab", "gitea"] = Field(description="Git host / 代码托管平台")
    repo: str = Field(
        pattern=r"^[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)+$",
        description="Repository as owner/name / 仓库（所有者/名称）")
    branch: str = Field("main", description="Branch the editor commits to / 提交到的分支")
    api_root: WebAddress | None = Field(
        None, description="API address of a self-hosted GitLab or Gitea, e.g. https://git.example.org/api/v1 / 自建平台的 API 地址")
    base_url: WebAddress | None = Field(
        None, description="Login server: GitHub OAuth proxy, or the GitLab/Gitea address / 登录服务地址")
    auth_endpoint: str | None = Field(None, description="Login path on base_url, if not the default / 登录路径")
    app_id: str | None = Field(None, description="OAuth application id (GitLab, Gitea) / OAuth 应用编号")


class Community(Model):
    id: Id
    name: Text
    street_office: Text | None = None
    district: Text | None = None
    address: Text
    languages: Languages = Field(default_factory=Languages)
    site_url: WebAddress | None = Field(None, description="Public address of the site / 网站地址")
    endpoint_url: WebAddress | None = Field(
        None, description="Address of the form submission endpoint / 表单提交服务地址 (default http://127.0.0.1:8001)")
    description: Text | None = None
    households: int | None = Field(
        None, ge=1, description="Number of households (户数): street pages divide spending by it; "
                                "blank, they say per-household figures cannot be computed / 户数")
    households_as_of: dt.date | None = Field(None, description="Date the household count refers to / 户数统计日期")
    population: int | None = Field(None, ge=1, description="Resident population (常住人口) / 常住人口")
    contacts: list[ContactPoint] = Field(default_factory=list)
    bodies: list[Body] = Field(min_length=1)
    grids: list[Grid] = Field(default_factory=list)
    service_categories: list[ServiceCategory] = Field(default_factory=list)
    finance_rules: FinanceRules = Field(default_factory=FinanceRules)
    procedures: Procedures | None = Field(
        None, description="Tiered spending procedure: who approves what, exemptions / 分级审批程序")
    editor: Editor | None = Field(None, description="Browser editor backend (/admin/) / 网页编辑器的提交方式")
