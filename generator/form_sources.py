"""Every form the endpoint accepts: the committee's ``data/forms/`` and the forms
kinds derive from their records (``Kind.forms``: a draft's comment form is made
from its articles, so no one writes a form per draft by hand).

The build (spec and no-JavaScript tokens) and ``portal serve``'s endpoint both take
the list from here, so a derived form is never on a page the endpoint refuses.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from generator import registry
from generator.kinds.form.model import Form


def all_forms(models: Callable[[str], list[Any]]) -> list[Form]:
    """``models(kind)`` → that kind's valid models; the forms of ``data/forms/`` first."""
    derived = [f for k in registry.KINDS if k.forms is not None for f in k.forms(models)]
    return [*models("form"), *derived]


def project_forms(project: Any) -> list[Form]:
    """The forms of a checked project (``generator.load.Project``)."""
    return all_forms(lambda kind: [d.model for d in project.valid(kind)])
