"""Turn pydantic validation errors into located, translated problems.

Pydantic reports every error with a path (``loc``) and a stable ``type``; this
module maps the type to one of our ``schema.*`` codes, finds the line through the
positions the YAML loader kept, and names allowed values and fields so the hint
can say what to write instead.
"""

from __future__ import annotations

import datetime as dt
import difflib
import types
import typing
from typing import Any, Iterator

from pydantic import BaseModel, ValidationError

from generator.kinds.base import RELATED_PATTERN
from generator.loading.yamlfile import LocDict, LocList, locate
from generator.problems import Problem
from portal_core.i18n import pair

_EXPECTED = {name: pair(f"problem.word.expected.{name}")
             for name in ("string", "int", "float", "bool", "list", "dict", "date")}
_EXPECTED["model"] = _EXPECTED["dict"]

_PATTERN_HINTS = {name: pair(f"problem.word.pattern.{name}") for name in ("id", "time", "related", "lang")}


def problems_from(exc: ValidationError, data: Any, file: str, model: type[BaseModel]) -> list[Problem]:
    """All problems in ``exc``, one per offending value."""
    by_path: dict[tuple[Any, ...], dict[str, Any]] = {}
    for details in exc.errors(include_url=False):
        err: dict[str, Any] = dict(details)
        path = _real_path(data, err["loc"])
        previous = by_path.get(path)
        # Unions (text is "string or {zh:…, en:…}") report one error per branch;
        # keep the branch the writer evidently meant: not a bare type mismatch.
        if previous is None or (_is_type_error(previous) and not _is_type_error(err)):
            by_path[path] = err
    return [_problem(err, path, data, file, model) for path, err in by_path.items()]


def _is_type_error(err: dict[str, Any]) -> bool:
    return str(err["type"]).endswith("_type") or err["type"] in ("model_attributes_type",)


def _real_path(data: Any, loc: tuple[Any, ...]) -> tuple[Any, ...]:
    """Drop the union-branch tags pydantic puts into ``loc`` (``'str'``, ``'dict[…]'``)."""
    path: list[Any] = []
    node = data
    for step in loc:
        if isinstance(node, dict) and step in node:
            path.append(step)
            node = node[step]
        elif isinstance(node, list) and isinstance(step, int) and 0 <= step < len(node):
            path.append(step)
            node = node[step]
        elif isinstance(step, str) and isinstance(node, dict):
            # A missing or unknown key at this level: keep it and stop.
            if not _looks_like_tag(step):
                path.append(step)
            break
        else:
            if not _looks_like_tag(step) and not isinstance(node, (dict, list)):
                break
    return tuple(path)


def _looks_like_tag(step: Any) -> bool:
    return isinstance(step, str) and (
        step in ("str", "int", "float", "bool", "date", "none")
        or "[" in step or step.startswith(("constrained-", "function-", "lax-", "json-"))
    )


def _display(value: Any) -> str:
    if isinstance(value, (LocDict, dict)):
        return "{…}"
    if isinstance(value, (LocList, list)):
        return "[…]"
    text = str(value)
    if isinstance(value, str):
        text = f"“{text}”"
    return text if len(text) <= 40 else text[:37] + "…"


def _field_name(path: tuple[Any, ...]) -> str:
    """``agenda[2].options[0].cost`` (0-based indices, as in the file order)."""
    out = ""
    for step in path:
        out += f"[{step + 1}]" if isinstance(step, int) else (f".{step}" if out else str(step))
    return out or "(file)"


def _problem(err: dict[str, Any], path: tuple[Any, ...], data: Any, file: str,
             model: type[BaseModel]) -> Problem:
    kind = str(err["type"])
    ctx = err.get("ctx") or {}
    value = err.get("input")
    # Point at the offending value, except where the key itself is the problem.
    line, col = locate(data, path, value=kind not in ("missing", "extra_forbidden"))
    field = _field_name(path)
    last = next((s for s in reversed(path) if isinstance(s, str)), "")
    params: dict[str, Any] = {"field": field, "value": _display(value), "path": list(path)}

    if kind == "missing":
        params["field"] = last or field
        code = "schema.required"
    elif kind == "extra_forbidden":
        allowed = _allowed_fields(model, path[:-1])
        close = difflib.get_close_matches(last, allowed, n=1)
        params["field"] = last
        params["allowed"] = ", ".join(close + [a for a in allowed if a not in close])
        code = "schema.unknown-field"
    elif kind in ("literal_error", "enum"):
        params["choices"] = str(ctx.get("expected", "")).replace("'", "").replace(" or ", ", ")
        code = "schema.choice"
    elif kind == "string_pattern_mismatch":
        zh, en = _PATTERN_HINTS[_pattern_kind(last, str(ctx.get("pattern", "")))]
        params.update(pattern_hint=zh, pattern_hint_en=en)
        code = "schema.pattern"
    elif kind == "url_scheme":
        params["allowed"] = ctx.get("allowed", "")
        code = "schema.url-scheme"
    elif kind == "url_form":
        code = "schema.url-form"
    elif kind in ("string_too_long", "too_long"):
        params["limit"] = ctx.get("max_length", "")
        code = "schema.too-long"
    elif kind in ("string_too_short", "too_short"):
        params["limit"] = ctx.get("min_length", "")
        code = "schema.too-short"
    elif kind in ("greater_than_equal", "greater_than", "less_than_equal", "less_than"):
        op = {"greater_than_equal": "≥", "greater_than": ">", "less_than_equal": "≤", "less_than": "<"}[kind]
        bound = next(iter(ctx.values()), "")
        params["bound"] = f"{op} {bound}"
        code = "schema.range"
    elif value is None and kind.endswith(("_type", "_parsing")):
        # `title:` with nothing after it: a blank left to fill (e.g. by `portal new`), not a wrong type.
        code = "schema.blank"
    elif kind.startswith(("date_", "datetime_")):
        code = "schema.date"
    elif kind.endswith(("_type", "_parsing")) or kind == "model_attributes_type":
        base = kind.split("_")[0]
        base = {"model": "dict", "dict": "dict", "list": "list", "string": "string"}.get(base, base)
        zh, en = _EXPECTED.get(base) or pair("problem.word.expected.other")
        params.update(expected=zh, expected_en=en)
        if isinstance(value, bool) and base == "string":
            params.update(zip(("extra", "extra_en"), pair("problem.word.yaml-booleans")))
        elif isinstance(value, (int, float, dt.date)) and base == "string":
            params.update(zip(("extra", "extra_en"), pair("problem.word.quote-it", value=value)))
        else:
            params.update(zip(("extra", "extra_en"), pair("problem.word.see-reference")))
        code = "schema.type"
    else:
        params["detail"] = err.get("msg", kind)
        code = "schema.invalid"
    return Problem(code, file, line, col, params)


def _pattern_kind(field: str, pattern: str) -> str:
    if "[0-5][0-9]" in pattern:
        return "time"
    if pattern == RELATED_PATTERN:
        return "related"
    if pattern.startswith("^[a-z]{2,3}"):
        return "lang"
    return "id"


def _allowed_fields(model: type[BaseModel], path: tuple[Any, ...]) -> list[str]:
    """Field names allowed at ``path`` inside ``model`` (aliases as written)."""
    current: Any = model
    for step in path:
        if isinstance(step, int):
            current = _unwrap(current, want_list=True)
            continue
        cls = _unwrap(current)
        if not (isinstance(cls, type) and issubclass(cls, BaseModel)):
            return []
        field = next((f for n, f in cls.model_fields.items() if (f.alias or n) == step), None)
        if field is None:
            return []
        current = field.annotation
    cls = _unwrap(current)
    if isinstance(cls, type) and issubclass(cls, BaseModel):
        return [f.alias or n for n, f in cls.model_fields.items()]
    return []


def _unwrap(annotation: Any, want_list: bool = False) -> Any:
    """Strip Optional/Union/list down to a model class (or list item type)."""
    for candidate in _members(annotation):
        origin = typing.get_origin(candidate)
        if want_list and origin is list:
            return typing.get_args(candidate)[0]
        if not want_list and isinstance(candidate, type) and issubclass(candidate, BaseModel):
            return candidate
    return annotation


def _members(annotation: Any) -> Iterator[Any]:
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        for arg in typing.get_args(annotation):
            yield from _members(arg)
    else:
        yield annotation
