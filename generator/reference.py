"""Generate the data reference from the schemas themselves, so the documentation
cannot drift from what ``portal check`` enforces (a test regenerates it and
fails when the committed copy differs).

One page per data kind, one for the budget tables, one for the problem codes.
"""

from __future__ import annotations

import types
import typing
from pathlib import Path
from typing import Any, Iterator

from pydantic import BaseModel

from generator import registry, site_config
from generator.kinds.base import Ref
from generator.messages import CATALOG, GOVERNANCE

_PRIMITIVE = {str: "text", int: "integer", float: "number", bool: "true/false"}


def type_label(annotation: Any) -> str:
    """A short human label for a field's type.

    >>> type_label(list[int])
    'list of integer'
    """
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is typing.Annotated:
        base, *meta = args
        for m in meta:
            pattern = getattr(m, "pattern", None)
            if pattern == r"^[A-Za-z0-9][A-Za-z0-9_.-]*$":
                return "id"
            if pattern and "[0-5][0-9]" in pattern:
                return '"HH:MM"'
            if isinstance(m, Ref) and m.kind == "*":
                return "kind:id"
            if pattern and pattern.startswith("^[a-z]{2,3}"):
                return "language code"
        if base is float and any(getattr(m, "le", None) == 1 for m in meta):
            return "share (0–1, e.g. 0.5)"
        if any(getattr(m, "ge", None) == 0 for m in meta) and base is float:
            return "amount (CNY, ≥ 0)"
        return type_label(base)
    if origin in (typing.Union, types.UnionType):
        members = [a for a in args if a is not type(None)]
        labels = [type_label(a) for a in members]
        if set(labels) == {"text", "map of language code → text"}:
            return "text (or {zh: …, en: …})"
        return " or ".join(labels)
    if origin is typing.Literal:
        return "one of: " + ", ".join(f"`{a}`" for a in args)
    if origin is list:
        return f"list of {type_label(args[0])}"
    if origin is dict:
        return f"map of {type_label(args[0])} → {type_label(args[1])}"
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation.__name__
    if annotation in _PRIMITIVE:
        return _PRIMITIVE[annotation]
    return getattr(annotation, "__name__", str(annotation))


def _models_in(annotation: Any) -> Iterator[type[BaseModel]]:
    for a in typing.get_args(annotation) or ():
        yield from _models_in(a)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        yield annotation


def field_rows(model: type[BaseModel], prefix: str = "") -> Iterator[tuple[str, str, str, str]]:
    """(path, type, required, description) for every field, nested ones included."""
    for name, info in model.model_fields.items():
        key = info.alias or name
        path = f"{prefix}{key}"
        required = "required" if info.is_required() else "optional"
        extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
        notes = []
        if extra.get("markdown"):
            notes.append("Markdown")
        if extra.get("contact"):
            notes.append("official contact: phone/e-mail allowed")
        description = (info.description or "") + (f" ({'; '.join(notes)})" if notes else "")
        annotation = typing.Annotated[(info.annotation, *info.metadata)] if info.metadata else info.annotation
        yield path, type_label(annotation), required, description
        for sub in dict.fromkeys(_models_in(info.annotation)):
            is_list = typing.get_origin(info.annotation) is list or "list of" in type_label(info.annotation)
            yield from field_rows(sub, f"{path}[]." if is_list else f"{path}.")


def kind_page(kind: Any) -> str:
    where = f"`data/{kind.file}`" if kind.file else f"`data/{kind.folder}/<id>.yaml` (one file per record; `id` = file name)"
    doc = (kind.model.__module__ and __import__(kind.model.__module__, fromlist=["_"]).__doc__ or "").strip()
    lines = [f"# {kind.title['zh']} · {kind.title['en']}", "", f"Where: {where}", "", doc, "",
             "| field 字段 | type 类型 | | description 说明 |", "|---|---|---|---|"]
    for path, label, required, description in field_rows(kind.model):
        lines.append(f"| `{path}` | {label} | {required} | {description} |")
    lines += ["", "Unknown fields are errors (a misspelt field is reported, not ignored). "
              "Text fields accept a plain string or a map of language to text, e.g. `{zh: 通知, en: Notice}`.", ""]
    return "\n".join(lines)


def site_config_page() -> str:
    """The settings of ``mkdocs.yml`` (``generator.site_config``), and the keys the portal owns."""
    lines = ["# 网站配置 · Site configuration", "",
             "Where: `mkdocs.yml` at the project root (optional: without it the defaults below apply). "
             "The file is data: `portal build` makes each language's mkdocs configuration from the portal's own "
             "theme folder, Markdown extensions, hooks and search, plus these settings.", "",
             "| key 设置 | type 类型 | | description 说明 |", "|---|---|---|---|"]
    for path, label, required, description in field_rows(site_config.SiteConfig):
        lines.append(f"| `{path}` | {label} | {required} | {description} |")
    owned = [*site_config.OWNED, *(f"theme.{k}" for k in site_config.OWNED_THEME),
             *(f"extra.{k}" for k in site_config.OWNED_EXTRA)]
    lines += ["", "Set by the portal, refused here (`site.config-owned`): " + ", ".join(f"`{k}`" for k in owned)
              + ". A line that says exactly what the portal uses anyway (as `portal init` wrote before, e.g. "
              "`custom_dir: site_templates/theme`, `plugins: []`) is accepted and has no effect. "
              "Tags such as `!!python/…` and `!ENV` are refused (`site.config-tag`); other unknown keys are errors.",
              ""]
    return "\n".join(lines)


def codes_page() -> str:
    lines = ["# 问题代码 · Problem codes", "",
             "Every problem `portal check` reports has a stable code. Output: "
             "`path:line:col: severity code: message；hint`; `--format json` and `--format github` carry the same.", "",
             "Codes marked ⚑ are governance gaps (治理缺口): warnings, so the site is still built and shows "
             "them; `portal check --strict` and `portal build --strict` make them errors.", "",
             "| code | 说明 | meaning |", "|---|---|---|"]
    for code, (zh, _zh_hint, en, _en_hint) in sorted(CATALOG.items()):
        mark = " ⚑" if code in GOVERNANCE else ""
        lines.append(f"| `{code}`{mark} | {zh.replace('|', '/')} | {en.replace('|', '/')} |")
    lines.append("")
    return "\n".join(lines)


def pages(data_dir: Path = Path("data")) -> dict[str, str]:
    out = {f"{kind.name}.md": kind_page(kind) for kind in registry.yaml_kinds()}
    for kind in registry.KINDS:  # pages a kind writes itself (the budget's CSV package)
        if kind.reference is not None:
            out.update(kind.reference(data_dir))
    out["problem-codes.md"] = codes_page()
    out["site-config.md"] = site_config_page()
    index = ["# 数据说明 · Data reference", "",
             "Generated from the schemas by `portal docs`; do not edit by hand.", ""]
    index += [f"- [{name.removesuffix('.md')}]({name})" for name in sorted(out)]
    out["index.md"] = "\n".join(index) + "\n"
    return out


def write_reference(out: Path, data_dir: Path = Path("data")) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in pages(data_dir).items():
        path = out / name
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written
