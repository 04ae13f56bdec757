"""The Decap CMS configuration of the browser editor (``/admin/config.yml``),
generated from the same pydantic models ``portal check`` enforces.

One collection per data kind (the community profile is a single file, every other
kind a folder of ``<id>.yaml``); each model field becomes a widget:

- ``Text`` (a string or ``{zh: …, en: …}``) → our ``portal-text`` widget
  (``site_templates/admin/portal-admin.js``), multi-line when it is Markdown;
  lists of texts → our ``portal-text-list``;
- a record's ``id`` (its file name) → our ``portal-id``, read-only once saved;
- other ids, clock times and ``kind:id`` references → ``string`` with the
  model's pattern; dates → ``datetime`` written as ``YYYY-MM-DD``;
- ``Literal`` → ``select`` (lists of them: ``select`` with ``multiple``);
- nested models → ``object``, lists → ``list``.

Labels and hints reuse what the reference (``generator/reference.py``) shows: the
field's description (``"Publish date / 发布日期"`` → label 发布日期, hint
``发布日期 · Publish date``), then the site's own UI strings, then
``site_templates/admin/labels.yaml`` for names that have neither.

Left out, and the community collection says so: budgets, which are CSV tables
(a Frictionless Data Package; Decap edits YAML, JSON, TOML and front matter
only), and the published requests, which ``portal inbox publish`` rewrites from
the inbox (edits made in the editor would be lost).
"""

from __future__ import annotations

import datetime as dt
import re
import types
import typing
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from generator import registry
from generator.kinds.base import RELATED_PATTERN, Kind
from portal_core.i18n import both, catalog, text
from portal_core.languages import pick

if TYPE_CHECKING:  # community.yaml's editor settings: read, never imported at run time
    from generator.kinds.community.model import Editor

#: Where Decap's local backend (``npx decap-server``) answers by default; the
#: ``PORTAL_LOCAL_BACKEND`` variable overrides it (decap-server reads ``PORT``).
DEFAULT_LOCAL_BACKEND = "http://localhost:8081/api/v1"

ID_HINT = both("editor.hint.id")
RECORD_ID_HINT = both("editor.hint.record-id")
_PATTERN_MESSAGES = {"id": ID_HINT, "time": both("editor.pattern.time"), "ref": both("editor.pattern.ref")}
OUTSIDE_NOTE = both("editor.outside-note")


def _zh(*keys: str) -> str | None:
    """The Chinese text of the first of ``keys`` the translation catalog has."""
    return next((text(key, "zh") for key in keys if key in catalog()), None)


def split_description(description: str | None) -> tuple[str, str]:
    """(zh, en) halves of a reference description written ``"English / 中文"``.

    >>> split_description("Publish date / 发布日期")
    ('发布日期', 'Publish date')
    >>> split_description("mon … sun")
    ('', 'mon … sun')
    """
    if not description or " / " not in description:
        return "", description or ""
    en, zh = description.rsplit(" / ", 1)
    return zh.strip(), en.strip()


def _has_cjk(value: str) -> bool:
    return re.search(r"[\u3400-\u9fff]", value) is not None


def field_label(model: type[BaseModel], name: str, description: str | None) -> str:
    """The Chinese label of a field (see the module docstring for the order)."""
    zh, _en = split_description(description)
    if zh and _has_cjk(zh):
        return re.sub(r"\s*[（(][^）)]*[）)]\s*$", "", zh) or zh  # drop "(Markdown)", "(default …)"
    return _zh(f"editor.field.{model.__name__}.{name}", f"editor.field.{name}", f"site.{name}") or name


def choice_label(model: type[BaseModel], name: str, value: str) -> str:
    """``"通知 announcement"``: the Chinese word, then the value written in the file."""
    zh = _zh(f"editor.choice.{model.__name__}.{name}.{value}", f"editor.choice.{value}", f"site.{value}")
    return f"{zh}（{value}）" if zh else value


# -- types --------------------------------------------------------------------------


def _unwrap(annotation: Any) -> tuple[Any, list[Any], bool]:
    """(base type, constraint metadata, optional) of an annotation."""
    metadata: list[Any] = []
    optional = False
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation, *meta = typing.get_args(annotation)
            metadata.extend(meta)
            continue
        if origin in (typing.Union, types.UnionType):
            members = [a for a in typing.get_args(annotation) if a is not type(None)]
            if len(members) < len(typing.get_args(annotation)):
                optional = True
            if len(members) == 1:
                annotation = members[0]
                continue
        return annotation, metadata, optional


def is_text(annotation: Any) -> bool:
    """``Text``: a plain string or a map of language to string."""
    origin = typing.get_origin(annotation)
    if origin not in (typing.Union, types.UnionType):
        return False
    members = {typing.get_origin(a) or a for a in typing.get_args(annotation) if a is not type(None)}
    return members == {str, dict}


def _pattern(metadata: list[Any]) -> str | None:
    for m in metadata:
        pattern = getattr(m, "pattern", None)
        if pattern:
            return str(pattern)
        for sub in getattr(m, "metadata", []) or []:  # pydantic's Strict/StringConstraints wrappers
            if getattr(sub, "pattern", None):
                return str(sub.pattern)
    return None


def _bound(metadata: list[Any], *names: str) -> float | None:
    for m in metadata:
        for n in names:
            value = getattr(m, n, None)
            if value is not None:
                return float(value)
    return None


def _pattern_option(pattern: str) -> list[str]:
    if pattern == RELATED_PATTERN:  # the editor can be exact: only the kinds that may be named
        relatable = "|".join(t.name for t in registry.targets().values() if t.relatable)
        pattern = f"^({relatable}):" + RELATED_PATTERN.split(":", 1)[1]
    if pattern.startswith("^[A-Za-z0-9][A-Za-z0-9_.-]*"):
        message = _PATTERN_MESSAGES["id"]
    elif "[0-5][0-9]" in pattern:
        message = _PATTERN_MESSAGES["time"]
    elif pattern.startswith("^(meeting|"):
        message = _PATTERN_MESSAGES["ref"]
    else:
        message = f"{text('editor.pattern.wrong', 'zh')} · {text('editor.pattern.must-match', 'en', pattern=pattern)}"
    return [pattern, message]


_PLAIN_WIDGETS = ("string", "select", "datetime", "number")


def widget(model: type[BaseModel], name: str, annotation: Any, metadata: list[Any],
           markdown: bool = False) -> dict[str, Any] | None:
    """The widget options for a value of ``annotation`` (no name/label), or None
    when Decap has no widget for it (the value is then left untouched)."""
    base, meta, _optional = _unwrap(annotation)
    metadata = [*metadata, *meta]
    if is_text(base):
        return {"widget": "portal-text", "multiline": markdown}
    origin = typing.get_origin(base)
    if origin is typing.Literal:
        values = [str(v) for v in typing.get_args(base)]
        return {"widget": "select", "options": [{"label": choice_label(model, name, v), "value": v} for v in values]}
    if origin is list:
        (item,) = typing.get_args(base)
        inner, inner_meta, _ = _unwrap(item)
        if typing.get_origin(inner) is typing.Literal:
            return {**widget(model, name, inner, inner_meta), "multiple": True}  # type: ignore[dict-item]
        if isinstance(inner, type) and issubclass(inner, BaseModel):
            fields = model_fields(inner)
            options: dict[str, Any] = {"widget": "list", "collapsed": True, "fields": fields}
            # A collapsed item shows its first plain value (an id, a time, a number):
            # Decap would otherwise print a map or list as "Map {…}".
            plain = next((f["name"] for f in fields if f["widget"] in _PLAIN_WIDGETS and not f.get("multiple")), None)
            if plain:
                options["summary"] = "{{fields." + plain + "}}"
            return options
        if is_text(inner):  # Decap's list cannot hold maps as single values: our own widget
            return {"widget": "portal-text-list"}
        sub = widget(model, name, inner, inner_meta)
        if sub is None:
            return None
        return {"widget": "list", "field": {"name": "item", "label": field_label(model, name, None), **sub}}
    if origin is dict:
        return None
    if isinstance(base, type) and issubclass(base, BaseModel):
        return {"widget": "object", "collapsed": True, "fields": model_fields(base)}
    if base is bool:
        return {"widget": "boolean"}
    if base in (int, float):
        options = {"widget": "number", "value_type": "int" if base is int else "float"}
        low, high = _bound(metadata, "ge", "gt"), _bound(metadata, "le", "lt")
        if low is not None:
            options["min"] = int(low) if base is int else low
        if high is not None:
            options["max"] = int(high) if base is int else high
        if base is float:
            options["step"] = 0.01
        return options
    if base is dt.date:
        # Written as the plain string 2026-11-25; picker_utc keeps the day from
        # shifting with the browser's time zone.
        return {"widget": "datetime", "format": "YYYY-MM-DD", "date_format": "YYYY-MM-DD",
                "time_format": False, "picker_utc": True}
    if base is str:
        options = {"widget": "string"}
        pattern = _pattern(metadata)
        if pattern:
            options["pattern"] = _pattern_option(pattern)
        return options
    return None


def field_config(model: type[BaseModel], name: str, info: FieldInfo) -> dict[str, Any] | None:
    key = info.alias or name
    extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
    options = widget(model, key, info.annotation, list(info.metadata), markdown=bool(extra.get("markdown")))
    if options is None:
        return None
    config: dict[str, Any] = {"name": key, "label": field_label(model, key, info.description), **options}
    if "field" in options:  # a list of single values: each item carries the list's label
        options["field"]["label"] = config["label"]
    zh, en = split_description(info.description)
    hint = f"{zh} · {en}" if zh else (info.description or "")  # Chinese first, as everywhere in the editor
    if key == "id" and model in {k.model for k in registry.KINDS if k.folder}:
        config["widget"] = "portal-id"  # the id of a record is its file name: fixed once saved
        hint = RECORD_ID_HINT
    elif (options.get("pattern") or [""])[0].startswith("^[A-Za-z0-9][A-Za-z0-9_.-]*"):
        hint = f"{hint} · {ID_HINT}" if hint else ID_HINT
    if hint:
        config["hint"] = hint
    if not info.is_required():
        config["required"] = False
        if options["widget"] == "object":
            _relax(config["fields"])
        if info.default is not None and not callable(info.default_factory) and isinstance(info.default, (str, int, float, bool)):
            config["default"] = info.default
    return config


def _relax(fields: list[dict[str, Any]]) -> None:
    """Decap checks the required fields of an object even when the whole object is
    optional and left empty (the cleaner then drops it): inside an optional object
    nothing is required, and ``portal check`` reports a half-filled one."""
    for f in fields:
        f["required"] = False
        if f["widget"] == "object":
            _relax(f["fields"])


def model_fields(model: type[BaseModel]) -> list[dict[str, Any]]:
    return [c for name, info in model.model_fields.items() if (c := field_config(model, name, info)) is not None]


def collection(kind: Kind) -> dict[str, Any]:
    base: dict[str, Any] = {"name": kind.folder or kind.name, "label": pick(kind.title, "zh"),
                            "label_singular": pick(kind.title, "zh"), "format": "yaml", "extension": "yaml"}
    fields = model_fields(kind.model)
    if kind.file:
        base.update(description=OUTSIDE_NOTE, editor={"preview": False},
                    files=[{"name": kind.name, "label": pick(kind.title, "zh"), "file": f"data/{kind.file}", "fields": fields}])
        return base
    base.update(
        folder=f"data/{kind.folder}",
        # The file name must equal the id (the checker's id.filename rule).
        identifier_field="id", slug="{{fields.id}}", summary="{{fields.id}}",
        sortable_fields=["id"], editor={"preview": False}, fields=fields,
    )
    base["create"] = True
    return base


def backend(editor: Editor | None) -> dict[str, Any]:
    """Decap's ``backend`` block from the community's ``editor`` settings."""
    if editor is None:
        # No host configured: the editor works only through the local backend.
        return {"name": "proxy", "proxy_url": DEFAULT_LOCAL_BACKEND, "branch": "main"}
    config: dict[str, Any] = {"name": editor.backend, "repo": editor.repo, "branch": editor.branch}
    for key in ("api_root", "base_url", "auth_endpoint", "app_id"):
        value = getattr(editor, key)
        if value:
            config[key] = value
    if editor.backend == "gitlab" and editor.app_id:
        config["auth_type"] = "pkce"
    return config


def decap_config(editor: Editor | None = None, local_backend: str = DEFAULT_LOCAL_BACKEND,
                 site_url: str | None = None, default_lang: str = "zh") -> dict[str, Any]:
    """The whole ``config.yml``."""
    host = re.sub(r"^https?://([^/:]+).*$", r"\1", local_backend)
    block = backend(editor)
    if block["name"] == "proxy":
        block["proxy_url"] = local_backend
    config: dict[str, Any] = {
        "backend": {**block, "commit_messages": {
            action: both(f"editor.commit.{action}") for action in ("create", "update", "delete", "uploadMedia", "deleteMedia")
        }},
        # Used only when the page itself is opened on one of allowed_hosts.
        "local_backend": {"url": local_backend, "allowed_hosts": sorted({"localhost", "127.0.0.1", host})},
        "locale": "zh_Hans",
        # Previews show plain text (our widgets) or nothing (editor.preview: false); should a
        # Markdown preview ever be switched on, Decap sanitizes it (DOMPurify) as well.
        "sanitize_preview": True,
        # Uploads land beside the hand-written pages of the default language, which the build
        # copies to the site root: only inert media (generator/loading/media.py). Decap 3's own
        # media library has no setting to limit what it uploads (its file input accepts */*), so
        # `portal check` in CI refuses a committed upload that is not inert, and the build skips it.
        "media_folder": f"content/{default_lang}/files",
        "public_folder": (urlsplit(site_url).path.rstrip("/") if site_url else "") + "/files",
        "collections": [collection(kind) for kind in registry.edited()],
    }
    if site_url:
        config["site_url"] = site_url
        config["display_url"] = site_url
    return config
