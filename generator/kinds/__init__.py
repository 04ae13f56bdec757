"""The registry of data kinds: where each lives in ``data/`` and its model.

Adding a kind touches one module here, one template folder and one test file.
"""

from __future__ import annotations

from dataclasses import dataclass

from generator.kinds.common import Model
from generator.kinds.community import Community
from generator.kinds.forms import Form
from generator.kinds.meetings import Meeting
from generator.kinds.notices import Notice
from generator.kinds.requests import RequestLog
from generator.kinds.rules import Rule
from generator.kinds.services import Service


@dataclass(frozen=True)
class YamlKind:
    name: str  #: singular, used in messages and references ("meeting")
    model: type[Model]
    folder: str | None  #: one file per record in data/<folder>/<id>.yaml
    file: str | None = None  #: or a single file, data/<file>
    title_zh: str = ""
    title_en: str = ""


YAML_KINDS: tuple[YamlKind, ...] = (
    YamlKind("community", Community, None, "community.yaml", "社区概况", "Community profile"),
    YamlKind("rule", Rule, "rules", None, "规约", "Rules"),
    YamlKind("service", Service, "services", None, "服务指南", "Services"),
    YamlKind("meeting", Meeting, "meetings", None, "会议", "Meetings"),
    YamlKind("notice", Notice, "notices", None, "通知公示", "Notices"),
    YamlKind("form", Form, "forms", None, "表单", "Forms"),
    YamlKind("requests", RequestLog, "requests", None, "诉求办理公开", "Requests and replies"),
)

KIND_BY_NAME = {k.name: k for k in YAML_KINDS}

#: Folder of the budget data package, relative to data/.
BUDGETS_FOLDER = "budgets"
