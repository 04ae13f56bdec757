"""Published requests and replies: ``data/requests/<year>.yaml`` (诉求办理公开).

Written by ``portal inbox publish`` from the endpoint's inbox, checked by
``portal check`` like any other data, rendered as the requests page and as an
Open311 ``requests.json``. A record holds the category, the dates, the status
and the committee's written reply — never the resident's own words or any
private field. ``receipt_key`` lets a resident find their request on the static
site: a slow hash of the receipt number (see ``generator.receipt_key``).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from generator.kinds.common import Id, Model, Text, markdown

RequestStatus = Literal["received", "in-progress", "answered", "closed", "rejected"]
#: 32 letters g–z (current) or 32 hex digits (the first release's keys, still valid).
Key = Annotated[str, StringConstraints(pattern=r"^([ghjkmnpqrstvwxyz]{32}|[0-9a-f]{32})$")]


class PublicRequest(Model):
    id: Id = Field(description="Public number, e.g. R2026-0012 / 公开编号")
    receipt_key: Key = Field(description="Slow hash of the receipt, for lookup / 回执号散列")
    form: Id = Field(description="Form it came through / 来源表单")
    category: str | None = Field(None, description="Category / 类别")
    summary: Text | None = Field(None, description="The committee's one-line summary / 事项摘要（工作人员撰写）")
    received: dt.date = Field(description="Date received / 受理日期")
    first_reply: dt.date | None = Field(None, description="Date of the first reply / 首次答复日期")
    closed: dt.date | None = Field(None, description="Date closed / 办结日期")
    status: RequestStatus
    reply: Text | None = markdown(default=None, description="The committee's reply / 答复")
    rating: int | None = Field(None, ge=1, le=5, description="Resident's satisfaction 1–5 / 满意度")


class RatingSummary(Model):
    form: Id
    field: Id
    label: Text
    counts: dict[int, int] = Field(description="rating → number of answers / 各分值人数")


class RequestLog(Model):
    id: str = Field(description="The year, as the file name / 年份")
    requests: list[PublicRequest] = Field(default_factory=list)
    satisfaction: list[RatingSummary] = Field(default_factory=list)
