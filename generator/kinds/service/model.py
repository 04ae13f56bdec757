"""Service directory: ``data/services/<id>.yaml`` (一站式服务 / 办事指南).

Laid out like a 办事指南: what, who, where, when, cost, eligibility, documents,
steps and time limit, plus accessibility notes.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import Field

from generator.kinds.base import Ref
from generator.kinds.common import ClockTime, Id, Link, Model, Text, contact, markdown

Day = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


class OpeningHours(Model):
    days: list[Day] = Field(min_length=1, description="mon … sun")
    opens: ClockTime = Field(description='"08:30"')
    closes: ClockTime = Field(description='"17:00"')


class Service(Model):
    id: Id
    name: Text
    category: Annotated[Id, Ref("category")] = Field(description="A service_categories id from community.yaml / 服务类别")
    summary: Text = markdown(description="What the service is / 服务内容")
    provider: Text = Field(description="Who provides it / 承办单位")
    provider_body: Annotated[Id, Ref("body")] | None = Field(None, description="Body id, if a body of this community / 承办主体")
    place: Text = Field(description="Where to go / 办理地点")
    hours: list[OpeningHours] = Field(default_factory=list, description="Opening hours / 办理时间")
    hours_note: Text | None = Field(None, description="Holidays, appointments … / 时间说明")
    phone: str | None = contact(default=None, description="Public service phone / 咨询电话")
    price: Literal["free", "low-cost", "paid"] = Field(description="Cost tier / 收费档次")
    price_note: Text | None = None
    eligibility: Text = markdown(description="Who can use it / 服务对象和条件")
    documents: list[Text] = Field(default_factory=list, description="Documents to bring / 所需材料")
    steps: list[Text] = Field(default_factory=list, description="Steps / 办理流程")
    time_limit: Text | None = Field(None, description="How long it takes / 办理时限")
    accessibility: Text | None = Field(None, description="Step-free access, help … / 无障碍")
    links: list[Link] = Field(default_factory=list)
    updated: dt.date | None = Field(None, description="Last checked / 信息核对日期")
