"""Files published beside the pages: data downloads, the data package, the kinds'
documents (Popolo), and (through ``generator.site.feeds``) the feeds and calendars.

Everything lands in the finished site folder after mkdocs ran:

- ``data/<name>.csv`` and ``data/<name>.json`` for every dataset: CSV is plain
  UTF-8 with the default-language text of multilingual fields; JSON keeps the
  full ``{zh: …, en: …}`` maps and the Markdown texts;
- ``data/datapackage.json``: a Frictionless Data Package listing every CSV with
  its Table Schema (types, primary and foreign keys), valid for
  ``frictionless validate``;
- ``data/<file>`` for every kind's ``Document``: the meetings' ``popolo.json``
  (bodies, meetings, decisions and votes in the Popolo format);
- ``feeds/`` (per language): every kind's ``Feed`` (RSS, iCalendar).

The tables are built once per project (``export``) and shared by the open-data
page (``datasets``: titles, files, sizes and the data dictionary) and
``write_extras``.
"""

from __future__ import annotations

import datetime as dt
import weakref
from pathlib import Path
from typing import Any

from generator import registry
from generator.index import Index
from generator.kinds.base import DatasetSpec
from generator.kinds.common import Today, pick
from generator.load import Project
from generator.pipeline import Checked
from generator.site import feeds
from generator.site.downloads import (
    TYPE_LABELS,
    Dataset,
    Export,
    ExportContext,
    check_keys,
    csv_bytes,
    dataset,
    json_bytes,
    plain_schema,
    slug,
)
from generator.site.qr import page_url
from portal_core.languages import lang_url

DATA_DIR = "data"
DEFAULT_SITE_URL = "http://localhost:8000/"


def build_datasets(x: ExportContext) -> list[Dataset]:
    """Every kind's datasets, in the registry's order (declared ones first within a kind)."""
    specs = [d for k in registry.KINDS for d in k.datasets]
    x.reserved = {t.name for d in specs if isinstance(d, DatasetSpec) for t in d.tables}
    out: list[Dataset] = []
    for d in specs:
        if isinstance(d, DatasetSpec):
            out.append(dataset(d, x))
        else:
            out.extend(d(x))
    return out


def export(project: Project, index: Index, site_url: str | None = None) -> Export:
    """Every download, built once per project, site address and day (cached)."""
    community = project.community
    site_url = site_url or (community.site_url if community is not None else None) or DEFAULT_SITE_URL
    key = (id(project), site_url, Today.get())
    hit = _CACHE.get(key)
    if hit is not None and hit[0]() is project:
        return hit[1]
    result = _export(project, index, site_url)
    _CACHE.clear()  # one project at a time: a build, or a test
    _CACHE[key] = (weakref.ref(project), result)
    return result


_CACHE: dict[tuple[int, str, dt.date], tuple[weakref.ref[Project], Export]] = {}


def _export(project: Project, index: Index, site_url: str) -> Export:
    builder = ExportContext(project, index, site_url)
    datasets = build_datasets(builder)
    tables = [t for d in datasets for t in (*d.tables, *d.copies)]
    check_keys(tables)
    default = builder.default
    files: dict[str, bytes] = {}
    resources = []
    for d in datasets:
        for t in (*d.tables, *d.copies):
            data = csv_bytes(t)
            files[t.path] = data
            title = t.title if isinstance(t.title, str) else pick(t.title, default, default)
            resources.append({
                "name": t.name, "path": t.path, "title": title, "profile": "tabular-data-resource",
                "format": "csv", "mediatype": "text/csv", "encoding": "utf-8", "bytes": len(data),
                "schema": plain_schema(t.schema, default),
            })
        files[d.json_path] = json_bytes(d.records)
    documents = [doc for k in registry.KINDS for doc in k.documents]
    for doc in documents:  # Popolo (the meetings'): one JSON document each
        files[doc.file] = json_bytes(doc.make(builder))
    name = slug(community_id(project))
    package: dict[str, Any] = {
        "name": f"{name}-open-data",
        "title": f"{builder.text(project.community.name) if project.community else name} · 开放数据 Open data",
        "profile": "tabular-data-package",
        "homepage": page_url(builder.site_url, "data/index.md"),
        "resources": resources,
    }
    if builder.licenses:
        package["licenses"] = builder.licenses
    files["datapackage.json"] = json_bytes(package)
    return Export(datasets, package, files)


def community_id(project: Project) -> str:
    return project.community.id if project.community is not None else "community"


# --- the open-data page ---------------------------------------------------------

def _size(n: int) -> str:
    """
    >>> _size(512), _size(2048), _size(3 * 1024 * 1024)
    ('512 B', '2.0 KB', '3.0 MB')
    """
    if n < 1024:
        return f"{n} B"
    if n < 1024 * 1024:
        return f"{n / 1024:.1f} KB"
    return f"{n / 1024 / 1024:.1f} MB"


def _page_fields(schema: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for f in schema["fields"]:
        t = f.get("type", "string")
        out.append({"name": f["name"], "title": f.get("title") or f["name"], "type": t,
                    "type_label": TYPE_LABELS.get(t, {"zh": t, "en": t}),
                    "description": f.get("description") or "",
                    "required": bool((f.get("constraints") or {}).get("required"))})
    return out


def datasets(project: Project, index: Index, site_url: str | None = None) -> list[dict[str, Any]]:
    """The downloadable datasets, for the open-data page: titles ({zh, en}),
    files under ``data/`` with formats and sizes, and each table's fields (the
    data dictionary). Computed before mkdocs runs, from the same export that
    ``write_extras`` writes.

    The files hold absolute page addresses, so their sizes depend on the site
    address: without ``site_url`` that of community.yaml (or the default) is
    used, and a build with another ``--site-url`` differs by a few bytes a row.
    """
    if project.community is None:
        return []
    ex = export(project, index, site_url)
    out = []
    for d in ex.datasets:
        files = []
        for t in (*d.tables, *d.copies):
            n = len(ex.files[t.path])
            files.append({"path": t.path, "format": "CSV", "title": t.title, "bytes": n, "size": _size(n),
                          "rows": len(t.rows)})
        n = len(ex.files[d.json_path])
        files.append({"path": d.json_path, "format": "JSON", "title": d.title, "bytes": n, "size": _size(n),
                      "rows": len(d.records)})
        out.append({
            "name": d.name, "title": d.title, "description": d.description, "files": files,
            "tables": [{"name": t.name, "path": t.path, "title": t.title, "fields": _page_fields(t.schema),
                        "primary_key": t.schema.get("primaryKey", []),
                        "foreign_keys": [{"field": fk["fields"][0], "resource": fk["reference"]["resource"]}
                                         for fk in t.schema.get("foreignKeys", [])]}
                       for t in d.tables],
        })
    whole = [*WHOLE_SITE_FILES, *((d.file, d.format, d.title, d.description)
                                  for k in registry.KINDS for d in k.documents)]
    for name, fmt, title, description in whole:
        n = len(ex.files[name])
        out.append({"name": name.removesuffix(".json"), "title": title, "description": description, "tables": [],
                    "files": [{"path": name, "format": fmt, "title": title, "bytes": n, "size": _size(n)}]})
    return out


#: Files describing the whole site, listed after the datasets (no tables of their own).
WHOLE_SITE_FILES = (
    ("datapackage.json", "Data Package (JSON)", {"zh": "数据包说明", "en": "Data package"},
     {"zh": "全部 CSV 文件的 Frictionless 数据包描述：字段类型、主键和外键，可用 frictionless validate 校验。",
      "en": "Frictionless Data Package describing every CSV file: field types, primary and foreign keys; "
            "check it with frictionless validate."}),
)


# --- writing ----------------------------------------------------------------------

def write_extras(checked: Checked, site: Path, langs: list[str], site_url: str) -> None:
    """Write feeds and downloads into the finished site folder."""
    project, index = checked.project, checked.index
    if project.community is None:
        return
    ex = export(project, index, site_url)
    data = site / DATA_DIR
    data.mkdir(parents=True, exist_ok=True)
    for name, content in ex.files.items():
        (data / name).write_bytes(content)
    for lang in langs:
        folder = (site if lang == langs[0] else site / lang) / "feeds"
        folder.mkdir(parents=True, exist_ok=True)
        base = lang_url(site_url, lang, langs)
        for name, content in feeds.feeds(project, index, lang, langs[0], base).items():
            (folder / name).write_bytes(content)


def write_kind_files(checked: Checked, site: Path, langs: list[str], site_url: str) -> None:
    """Every kind's ``files`` (the requests' Open311 JSON), into each language's copy
    of the site: each language's pages link to their own."""
    for kind in registry.KINDS:
        if kind.files is None:
            continue
        for path, content in kind.files(checked.project, checked.index, site_url).items():
            for lang in langs:
                target = (site if lang == langs[0] else site / lang) / path
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(content)
