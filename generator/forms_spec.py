"""The compiled form specification: one source of truth for the site and the
submission endpoint.

``compile_forms`` turns the validated form definitions into plain JSON, which
the build writes to ``site/forms/spec.json``. The site renders the HTML form
from it (HTML constraint attributes, inline checks) and the endpoint enforces
exactly the same rules with ``validate``: no rule is written twice.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import Any

from generator.kinds.common import text_values
from generator.kinds.form.model import CATEGORY_NAMES, CATEGORY_TYPES, Form, public_category_field

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


def loc(text: dict[str, str] | None, lang: str) -> str:
    """A compiled text in ``lang``, falling back to zh, then any (jinja filter ``loc``).

    >>> loc({"zh": "姓名", "en": "Name"}, "en"), loc({"zh": "姓名"}, "en")
    ('Name', '姓名')
    """
    if not text:
        return ""
    return text.get(lang) or text.get("zh") or next(iter(text.values()))


def _whole(value: float) -> float | int:
    """1.0 → 1, so residents read "1 到 5", not "1.0 到 5.0"."""
    return int(value) if float(value).is_integer() else value


def compile_form(form: Form) -> dict[str, Any]:
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
        "category_field": getattr(public_category_field(form), "name", None),
        "search_text": " ".join(text_values(form.title)),
    }


def compile_forms(forms: list[Form]) -> dict[str, Any]:
    return {"version": SPEC_VERSION, "forms": {f.id: compile_form(f) for f in sorted(forms, key=lambda f: f.id)}}


# --- enforcement (shared by the endpoint and the tests) ------------------------------

def category_field(spec: dict[str, Any]) -> dict[str, Any] | None:
    """The compiled field whose answer is the submission's public category, or None.

    Only a public choice field qualifies, so a private or free-text answer is never
    published as the category. A spec built before ``category_field`` existed falls
    back to a public choice field named category or topic."""
    fields = {f["name"]: f for f in spec.get("fields", [])}
    if "category_field" in spec:
        f = fields.get(spec["category_field"] or "")
    else:
        f = next((fields[n] for n in CATEGORY_NAMES if n in fields), None)
    if f is None or f.get("private") or f.get("type") not in CATEGORY_TYPES:
        return None
    return f


def category_of(spec: dict[str, Any], answers: dict[str, Any]) -> str | None:
    """The public category of a submission with these (validated) answers."""
    f = category_field(spec)
    return public_category(spec, answers.get(f["name"])) if f is not None else None


def public_category(spec: dict[str, Any], value: Any) -> str | None:
    """``value`` if it is one of the choices of the form's public category field."""
    f = category_field(spec)
    if f is None or not isinstance(value, str):
        return None
    return value if value in {c["value"] for c in f.get("choices", [])} else None


def is_open(spec: dict[str, Any], today: dt.date) -> bool:
    if spec.get("status") != "open":
        return False
    opens, closes = spec.get("opens"), spec.get("closes")
    if opens and today < dt.date.fromisoformat(opens):
        return False
    return not (closes and today > dt.date.fromisoformat(closes))


def validate(spec: dict[str, Any], data: dict[str, list[str]]) -> tuple[dict[str, Any], dict[str, tuple[str, dict[str, Any]]]]:
    """Check submitted values against a compiled form.

    ``data`` maps field names to the list of submitted values (a form post may
    repeat a name). Returns the cleaned values and, per field, an error code with
    its parameters. Unknown fields are ignored (never stored).

    >>> spec = compile_form(Form.model_validate({"id": "f", "title": "t", "kind": "suggestion",
    ...     "purpose": "p", "privacy": "p", "retention_days": 30, "recipients": ["jwh"],
    ...     "fields": [{"name": "text", "type": "textarea", "label": "x", "required": True}]}))
    >>> validate(spec, {"text": ["  "]})[1]
    {'text': ('required', {})}
    >>> validate(spec, {"text": ["路灯坏了"]})[0]
    {'text': '路灯坏了'}
    """
    clean: dict[str, Any] = {}
    errors: dict[str, tuple[str, dict[str, Any]]] = {}
    for field in spec["fields"]:
        name, kind = field["name"], field["type"]
        # Browsers send line breaks as CRLF but count them as one character for maxlength.
        values = [v.replace("\r\n", "\n").strip() if isinstance(v, str) else v for v in data.get(name, [])]
        values = [v for v in values if v not in ("", None)]
        if not values:
            if field["required"]:
                errors[name] = ("required", {})
            continue
        if kind == "checkbox":
            allowed = {c["value"] for c in field.get("choices", [])}
            bad = [v for v in values if v not in allowed]
            if bad or len(values) > len(allowed):
                errors[name] = ("choice", {})
            else:
                clean[name] = sorted(set(values))
            continue
        value = values[0]
        if not isinstance(value, str):
            value = str(value)
        if len(value) > field["max_length"]:
            errors[name] = ("too-long", {"max": field["max_length"]})
            continue
        error = _check_value(field, value)
        if error:
            errors[name] = error
        else:
            clean[name] = _convert(kind, value)
    return clean, errors


def _check_value(field: dict[str, Any], value: str) -> tuple[str, dict[str, Any]] | None:
    kind = field["type"]
    if kind in ("select", "radio"):
        if value not in {c["value"] for c in field.get("choices", [])}:
            return ("choice", {})
    elif kind in ("number", "rating"):
        try:
            number = float(value)
        except ValueError:
            return ("number", {})
        if not math.isfinite(number):  # "nan"/"inf" parse as floats but are no answer
            return ("number", {})
        if kind == "rating" and not number.is_integer():
            return ("number", {})
        lo, hi = field.get("min"), field.get("max")
        if (lo is not None and number < lo) or (hi is not None and number > hi):
            return ("range", {"min": lo, "max": hi})
    elif kind == "date":
        try:
            dt.date.fromisoformat(value)
        except ValueError:
            return ("date", {})
    if field.get("pattern") and not re.fullmatch(field["pattern"].lstrip("^").rstrip("$"), value):
        return ("pattern", {})
    return None


def _convert(kind: str, value: str) -> Any:
    if kind == "rating":
        return int(float(value))
    if kind == "number":
        number = float(value)
        return int(number) if number.is_integer() else number
    return value
