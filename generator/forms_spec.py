"""The compiled form specification: one source of truth for the site and the
submission endpoint.

``compile_forms`` turns the validated form definitions into plain JSON, which
the build writes to ``site/forms/spec.json``. The site renders the HTML form
from it (HTML constraint attributes, inline checks) and the endpoint enforces
exactly the same rules with ``portal_core.forms.validate``: no rule is written twice.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from generator.kinds.common import text_values

if TYPE_CHECKING:  # compiled from the form kind's model, which it does not import
    from generator.kinds.form.model import Form

# Enforcement lives in portal_core.forms (the endpoint installs without this package).

SPEC_VERSION = 1
#: Limits applied when a form does not set its own (bounded, so no field is unlimited).
DEFAULT_MAX = {"text": 200, "textarea": 5000, "email": 254, "tel": 20, "number": 30, "date": 10,
               "select": 80, "radio": 80, "checkbox": 80, "rating": 2}
TEL = r"^\+?[0-9][0-9 \-]{4,19}$"
EMAIL = r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$"


def _text(value: Any) -> dict[str, str]:
    if value is None:
        return {}
    if isinstance(value, str):
        return {"zh": value}
    return dict(value)


def _whole(value: float) -> float | int:
    """1.0 → 1, so residents read "1 到 5", not "1.0 到 5.0"."""
    return int(value) if float(value).is_integer() else value


def compile_form(form: Form) -> dict[str, Any]:
    """The plain JSON of one form, as the endpoint enforces it.

    >>> from generator.registry import by_name
    >>> spec = compile_form(by_name()["form"].model.model_validate({"id": "f", "title": "t", "kind": "suggestion",
    ...     "purpose": "p", "privacy": "p", "retention_days": 30, "recipients": ["jwh"],
    ...     "fields": [{"name": "text", "type": "textarea", "label": "x", "required": True}]}))
    >>> from portal_core.forms import validate
    >>> validate(spec, {"text": ["  "]})[1]
    {'text': ('required', {})}
    >>> validate(spec, {"text": ["路灯坏了"]})[0]
    {'text': '路灯坏了'}
    """
    fields = []
    for f in form.fields:
        spec: dict[str, Any] = {
            "name": f.name, "type": f.type, "label": _text(f.label), "required": f.required,
            "max_length": f.max_length or DEFAULT_MAX[f.type], "private": f.private,
            "help": _text(f.help),
        }
        if f.type in ("select", "radio", "checkbox"):
            spec["choices"] = [{"value": c.value, "label": _text(c.label)} for c in f.choices]
        if f.type in ("number", "rating"):
            spec["min"] = _whole(f.min) if f.min is not None else (1 if f.type == "rating" else None)
            spec["max"] = _whole(f.max) if f.max is not None else (5 if f.type == "rating" else None)
        pattern = f.pattern or {"tel": TEL, "email": EMAIL}.get(f.type)
        if pattern:
            spec["pattern"] = pattern
        fields.append(spec)
    return {
        "id": form.id, "kind": form.kind, "title": _text(form.title), "status": form.status,
        "opens": form.opens.isoformat() if form.opens else None,
        "closes": form.closes.isoformat() if form.closes else None,
        "retention_days": form.retention_days, "recipients": list(form.recipients),
        "reply_days": form.reply_days, "fields": fields,
        "category_field": getattr(form.public_category(), "name", None),
        "search_text": " ".join(text_values(form.title)),
    }


def compile_forms(forms: list[Form]) -> dict[str, Any]:
    return {"version": SPEC_VERSION, "forms": {f.id: compile_form(f) for f in sorted(forms, key=lambda f: f.id)}}
