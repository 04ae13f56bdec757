"""The registry of data kinds: one line per kind, in the order of the downloads.

Everything that lists kinds is derived from here: which files are loaded
(``generator.load``), what the index holds and what references may name
(``generator.index``, ``generator.checks.references``), navigation and pages
(``generator.site.pages``), downloads (``generator.site.exports``), ``portal new``
and ``portal init`` (``generator.scaffold``), the editor (``generator.site.admin_config``)
and the reference docs (``generator.reference``), the home page's blocks, the
feeds, the budget's package (``generator.tables``) and the kinds' own checks, each
through a hook of ``Kind``. A new kind is a folder in ``generator/kinds/`` ending in
``KIND = Kind(...)`` (see ``generator.kinds.base``) plus its line here; this is the
only engine module that imports a particular kind (contract ``engines-use-hooks``).

Everything reads ``KINDS`` when it runs, so a test may put a throw-away kind in a
copy of it (``monkeypatch.setattr(registry, "KINDS", (*registry.KINDS, kind))``,
see ``tests/test_kind_registry.py``).
"""

from __future__ import annotations

from generator.kinds.approval import kind as approval
from generator.kinds.base import DataPackage, Kind, Target
from generator.kinds.budget import kind as budget
from generator.kinds.community import kind as community
from generator.kinds.consultation import kind as consultation
from generator.kinds.contract import kind as contract
from generator.kinds.form import kind as form
from generator.kinds.matter import kind as matter
from generator.kinds.meeting import kind as meeting
from generator.kinds.notice import kind as notice
from generator.kinds.requests import kind as requests
from generator.kinds.round import kind as round_
from generator.kinds.rule import kind as rule
from generator.kinds.service import kind as service

KINDS: tuple[Kind, ...] = (
    community.KIND,
    meeting.KIND,
    rule.KIND,
    notice.KIND,
    service.KIND,
    form.KIND,
    budget.KIND,
    requests.KIND,
    approval.KIND,
    contract.KIND,
    matter.KIND,
    consultation.KIND,
    round_.KIND,
)


def by_name(kinds: tuple[Kind, ...] | None = None) -> dict[str, Kind]:
    return {k.name: k for k in kinds or KINDS}


def targets(kinds: tuple[Kind, ...] | None = None) -> dict[str, Target]:
    """Everything a reference or a message can name, by name."""
    return {t.name: t for k in kinds or KINDS for t in k.targets}


def yaml_kinds(kinds: tuple[Kind, ...] | None = None) -> tuple[Kind, ...]:
    """The kinds kept as YAML files (the budget is a CSV data package)."""
    return tuple(k for k in kinds or KINDS if k.folder or k.file)


def edited(kinds: tuple[Kind, ...] | None = None) -> tuple[Kind, ...]:
    """The kinds the browser editor offers, in its order."""
    return tuple(sorted((k for k in kinds or KINDS if k.editor is not None), key=lambda k: k.editor or 0))


def data_package(kinds: tuple[Kind, ...] | None = None) -> DataPackage | None:
    """The kind kept as a CSV data package (the budget): ``Project.budgets`` holds one."""
    return next((k.data_package for k in kinds or KINDS if k.data_package is not None), None)
