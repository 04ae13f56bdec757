"""The one translation catalog: every user-facing string, in zh and en, read
through :func:`text`.

Format (one for all files): keyed YAML, one entry per string::

    problem.file.missing: {zh: "缺少必需的文件 {path}", en: "required file {path} is missing"}

Keys are dotted, the first part names who owns the string: ``problem.`` (``portal
check``'s messages; ``problem.<code>.hint`` is the hint), ``cli.`` (the ``portal``
command), ``endpoint.`` (what the form endpoint answers residents), ``site.`` (the
public site's templates call ``t("home")`` for ``site.home``), ``editor.`` (the
browser editor's labels). Placeholders are ``str.format`` fields; a field named
``x_en`` in the English text stands for ``x`` in the Chinese one (a parameter that
is itself in a language, e.g. the kind of record ``{what}`` / ``{what_en}``).

The files sit beside the code that owns them (:data:`SOURCES`); a package that is
not installed (the endpoint on its own) simply contributes nothing. They are merged
into one table and a key defined twice, in one file or in two, is an error.
``tests/test_i18n_catalog.py`` checks both languages, empty strings, placeholders
and that every key the code uses exists.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import io
import json
import os
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import yaml

LANGS = ("zh", "en")
DEFAULT = "zh"  #: the language a string falls back to

#: (package, folder relative to it, glob): where catalog files live. A package is
#: located without being imported; the site's templates are found beside
#: ``generator/``, where ``generator/site/render.py`` takes them from.
SOURCES: tuple[tuple[str, str, str], ...] = (
    ("portal_core", "strings", "*.yaml"),
    ("generator", "strings", "*.yaml"),
    ("generator", "kinds", "*/strings.yaml"),  # each kind's own words, in its folder
    ("generator", "../site_templates", "strings.yaml"),
    ("generator", "../site_templates/admin", "labels.yaml"),
)

_Base: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when there: the catalog is read at every start


class CatalogError(ValueError):
    """A catalog file is malformed or defines a key twice."""


class _Loader(_Base):  # type: ignore[misc]
    """Safe loading that refuses a key written twice in one mapping."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _value in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise CatalogError(f"{self.name}:{key_node.start_mark.line + 1}: key {key!r} is defined twice")
            seen.add(key)
        return super().construct_mapping(node, deep=deep)  # type: ignore[no-any-return]


def files() -> Iterator[Path]:
    """The catalog files present in this installation, in :data:`SOURCES` order."""
    for package, folder, pattern in SOURCES:
        try:
            spec = importlib.util.find_spec(package)
        except (ImportError, ValueError):
            spec = None
        if spec is not None and spec.origin:
            yield from sorted((Path(spec.origin).parent / folder).resolve().glob(pattern))


def load_file(path: Path, raw: bytes | None = None) -> dict[str, dict[str, str]]:
    """One catalog file: ``{key: {zh: …, en: …}}``. ``raw``: its bytes, already read."""
    with io.TextIOWrapper(io.BytesIO(path.read_bytes() if raw is None else raw), encoding="utf-8") as stream:
        loader = _Loader(stream)
        loader.name = str(path)
        try:
            data = loader.get_single_data()
        finally:
            loader.dispose()
    if data is None:
        return {}
    if not isinstance(data, dict) or not all(isinstance(v, dict) for v in data.values()):
        raise CatalogError(f"{path}: a catalog file maps each key to {{zh: …, en: …}}")
    return data


@functools.cache
def catalog() -> Mapping[str, Mapping[str, str]]:
    """Every entry of every catalog file, merged (read once per process).

    Parsing the YAML is most of the cost (~0.1 s at every start of ``portal``): the merged
    table is kept as JSON (data only, nothing runs when it is read) in the user's cache,
    ``$XDG_CACHE_HOME/portal/strings-<hash>.json``, named by the files' names and bytes and
    the YAML parser, and read instead while they are the same."""
    paths = list(files())
    blobs = [path.read_bytes() for path in paths]
    kept = _kept(paths, blobs)
    try:
        found = json.loads(kept.read_text(encoding="utf-8")) if kept is not None else None
    except (OSError, ValueError):
        found = None
    if isinstance(found, dict) and all(isinstance(entry, dict) for entry in found.values()):
        return found
    merged: dict[str, dict[str, str]] = {}
    where: dict[str, Path] = {}
    for path, raw in zip(paths, blobs):
        for key, entry in load_file(path, raw).items():
            if key in merged:
                raise CatalogError(f"{path}: key {key!r} is already defined in {where[key]}")
            merged[key], where[key] = entry, path
    if kept is not None:
        _keep(kept, merged)
    return merged


def _kept(paths: list[Path], blobs: list[bytes]) -> Path | None:
    """Where the merged catalog of these files is kept (None: no cache folder)."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    if not base or base == ".cache":
        return None
    digest = hashlib.blake2b(f"1|{yaml.__version__}|{_Base.__name__}".encode(), digest_size=20)
    for path, raw in zip(paths, blobs):
        name = str(path).encode()
        digest.update(len(name).to_bytes(8, "little") + name + len(raw).to_bytes(8, "little") + raw)
    return Path(base) / "portal" / f"strings-{digest.hexdigest()}.json"


def _keep(kept: Path, merged: dict[str, dict[str, str]]) -> None:
    """Write ``merged`` to ``kept`` when JSON gives it back exactly (strings all through),
    atomically; the tables of earlier files go. Failures only cost the next start its speed."""
    text = json.dumps(merged, ensure_ascii=False)
    if json.loads(text) != merged:
        return
    try:
        kept.parent.mkdir(parents=True, exist_ok=True)
        tmp = kept.with_name(f".{kept.name}.{os.getpid()}.tmp")
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, kept)
        for other in kept.parent.glob("strings-*.json"):
            if other != kept:
                other.unlink(missing_ok=True)
    except OSError:
        pass


def text(key: str, lang: str, /, **params: Any) -> str:
    """The string ``key`` in ``lang`` (another language falls back to zh).

    With parameters it is formatted (``str.format``: ``{{``/``}}`` give a brace, a
    placeholder with no value raises ``KeyError``); without, it is returned as
    written (a client-side template keeps its ``{n}``). An unknown key raises
    ``KeyError``: ask ``key in catalog()`` first where a key may not exist.

    >>> text("endpoint.submit", "en"), text("endpoint.submit", "zh"), text("endpoint.submit", "fr")
    ('Submit', '提交', '提交')
    >>> text("endpoint.field.required", "en", label="Name")
    'Please fill in “Name”'
    """
    entry = catalog()[key]
    template = entry.get(lang) or entry[DEFAULT]
    return template.format_map(params) if params else template


def both(key: str, /, **params: Any) -> str:
    """``中文 · English``: the line the command line and the editor show to everyone.

    >>> both("endpoint.submit")
    '提交 · Submit'
    """
    return f"{text(key, 'zh', **params)} · {text(key, 'en', **params)}"


def texts(key: str, /) -> dict[str, str]:
    """The entry as a ``{zh: …, en: …}`` text, unformatted: for declarations that
    hold both languages (a kind's column titles, page titles)."""
    return {lang: text(key, lang) for lang in LANGS}


def pair(key: str, /, **params: Any) -> tuple[str, str]:
    """``(zh, en)``: for a problem's parameters, which carry both (``what``, ``what_en``).

    >>> pair("endpoint.submit")
    ('提交', 'Submit')
    """
    return text(key, "zh", **params), text(key, "en", **params)
