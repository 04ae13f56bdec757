"""What a compiled form requires, enforced alike by the site's preview and the
submission endpoint: the values a submission may hold (``validate``), whether a
form is open, and which answer is its public category.

The compiled spec itself is made by ``generator.forms_spec.compile_forms`` and
written to ``site/forms/spec.json``; this module only reads it.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import Any

#: Field names taken as the category source when a form does not name one.
CATEGORY_NAMES = ("category", "topic")
#: Field types whose answer is one of the form's declared values: the only ones
#: that may become a published category (free text may hold anything, a name).
CATEGORY_TYPES = ("select", "radio")


def category_field(spec: dict[str, Any]) -> dict[str, Any] | None:
    """The compiled field whose answer is the submission's public category, or None.

    Only a public choice field qualifies, so a private or free-text answer is never
    published as the category. A spec built before ``category_field`` existed falls
    back to a public choice field named category or topic."""
    fields: dict[str, dict[str, Any]] = {f["name"]: f for f in spec.get("fields", [])}
    f: dict[str, Any] | None
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


def validate(spec: dict[str, Any],
             data: dict[str, list[Any]]) -> tuple[dict[str, Any], dict[str, tuple[str, dict[str, Any]]]]:
    """Check submitted values against a compiled form.

    ``data`` maps field names to the list of submitted values (a form post may
    repeat a name; a JSON body may send numbers). Returns the cleaned values and, per field, an error code with
    its parameters. Unknown fields are ignored (never stored).

    >>> spec = {"fields": [{"name": "text", "type": "textarea", "label": {"zh": "x"}, "required": True,
    ...                     "max_length": 5000, "private": False, "help": {}}]}
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
