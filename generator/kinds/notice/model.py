"""Notices: ``data/notices/<id>.yaml`` (通知, 公示).

A 公示 has a display period: from ``published`` until ``display_until``.
``related`` links other records as ``kind:id``, e.g. ``meeting:2025-03-15-council``,
``decision:D2025-03``, ``rule:residents-covenant``, ``budget:2025``, ``request:R2026-0007``
(a published request, by its public number).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import Field

from generator.kinds.base import Ref, Related
from generator.kinds.common import Id, Link, Model, Text, markdown

NoticeCategory = Literal[
    "announcement",  # 通知
    "public-notice",  # 公示
    "activity",  # 活动
    "finance",  # 财务公开
    "election",  # 选举
    "safety",  # 安全
    "service",  # 便民服务
    "other",
]



class Notice(Model):
    id: Id
    title: Text
    category: NoticeCategory
    issuer: Annotated[Id, Ref("body")] | None = Field(None, description="Body that issues it / 发布主体")
    published: dt.date = Field(description="Publish date / 发布日期")
    display_until: dt.date | None = Field(None, description="End of the display period (公示期) / 公示截止")
    body: Text = markdown(description="Notice text (Markdown) / 正文")
    attachments: list[Link] = Field(default_factory=list)
    related: list[Related] = Field(default_factory=list)
