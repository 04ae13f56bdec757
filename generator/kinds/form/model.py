"""Forms: ``data/forms/<id>.yaml`` (意见建议, 诉求反映, 议题征集, 活动报名, 满意度评价).

Defines what the site renders and what the submission endpoint enforces: one
source of truth. ``private: true`` fields (name, phone …) go to the committee's
inbox only and are never published.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import Field

from generator.kinds.base import Ref
from generator.kinds.common import Id, Model, Text, markdown
from portal_core.forms import CATEGORY_NAMES, CATEGORY_TYPES  # shared with the endpoint

FieldType = Literal[
    "text", "textarea", "email", "tel", "number", "date", "select", "radio", "checkbox", "rating"
]
FormKind = Literal["suggestion", "request", "agenda-proposal", "signup", "satisfaction", "other"]


class Choice(Model):
    value: Id
    label: Text


class FormField(Model):
    name: Id = Field(description="Machine name of the field / 字段名")
    type: FieldType
    label: Text
    required: bool = False
    max_length: int | None = Field(None, ge=1, le=20000)
    min: float | None = None
    max: float | None = None
    choices: list[Choice] = Field(default_factory=list, description="For select, radio, checkbox / 选项")
    pattern: str | None = Field(None, description="Regular expression the answer must match / 格式")
    help: Text | None = None
    private: bool = Field(False, description="Personal data: inbox only, never published / 个人信息")


class Form(Model):
    id: Id
    title: Text
    kind: FormKind
    purpose: Text = markdown(description="What the form is for / 用途")
    privacy: Text = markdown(description="Privacy statement shown on the form / 隐私说明")
    retention_days: int = Field(ge=1, le=3650, description="Days private data is kept / 保存天数")
    recipients: list[Annotated[Id, Ref("body")]] = Field(min_length=1, description="Body ids that receive it / 接收主体")
    reply_days: int | None = Field(None, ge=1, description="Promised days to first reply / 承诺答复天数")
    status: Literal["open", "closed"] = "open"
    opens: dt.date | None = None
    closes: dt.date | None = None
    related: list[Annotated[str, Ref("*")]] = Field(default_factory=list, description="Related records, kind:id / 相关记录")
    category_field: Id | None = Field(None, description="The public choice field whose answer is the request's "
                                                        "published category (default: a field named category or "
                                                        "topic) / 公开类别取自哪个字段（须为公开的单选字段）")
    fields: list[FormField] = Field(min_length=1)

    def public_category(self) -> FormField | None:
        """The field whose answer is published as the request's category (``public_category_field``)."""
        return public_category_field(self)


def category_source(form: Form) -> FormField | None:
    """The field the form takes its category from, whatever it is (for ``portal check``)."""
    name = form.category_field
    if name is not None:
        return next((f for f in form.fields if f.name == name), None)
    return next((f for f in form.fields if f.name in CATEGORY_NAMES), None)


def public_category_field(form: Form) -> FormField | None:
    """The category source if it may be published: declared, public, a choice."""
    f = category_source(form)
    return f if f is not None and not f.private and f.type in CATEGORY_TYPES else None
