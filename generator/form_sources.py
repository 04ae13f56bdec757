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


def endpoint_parts(models: Callable[[str], list[Any]]) -> tuple[dict[str, Any], list[str]]:
    """What the kinds add to ``forms/spec.json`` beside the forms (``Kind.endpoint``), and
    the ids their pages need a no-JavaScript token for."""
    spec: dict[str, Any] = {}
    tokens: list[str] = []
    for k in registry.KINDS:
        if k.endpoint is not None:
            part = k.endpoint(models)
            spec.update(part.spec)
            tokens.extend(part.tokens)
    return spec, tokens


def models_of(project: Any) -> Callable[[str], list[Any]]:
    """``models(kind)`` over a checked project: that kind's valid models."""
    return lambda kind: [d.model for d in project.valid(kind)]


def project_forms(project: Any) -> list[Form]:
    """The forms of a checked project (``generator.load.Project``)."""
    return all_forms(models_of(project))
