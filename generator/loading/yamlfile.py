"""Load YAML safely, keeping the line and column of every key and item.

Why not plain ``yaml.safe_load``:

- we need positions, so a schema error in ``agenda[2].options[0].cost`` can be
  reported at its line; ``LocDict``/``LocList`` carry them beside the values;
- YAML 1.1 surprises are turned off: ``no``/``on`` stay strings (the "Norway
  problem") and ``19:00`` is not read as the base-60 integer 1140;
- aliases are refused outright, which defuses "billion laughs" bombs and keeps
  every value in one place (committee data never needs them);
- duplicate keys are reported instead of silently keeping the last one.

Parsing uses libyaml (``CSafeLoader``) when available: ~10x faster than pure Python.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from generator.problems import Problem

try:  # libyaml binding; the pure-Python parser is the fallback
    _Base: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover
    _Base = yaml.SafeLoader


class LocDict(dict):  # type: ignore[type-arg]
    """A mapping that remembers where each key (``pos``) and value (``vpos``) was."""

    __slots__ = ("pos", "vpos", "start")

    def __init__(self) -> None:
        super().__init__()
        self.pos: dict[Any, tuple[int, int]] = {}
        self.vpos: dict[Any, tuple[int, int]] = {}
        self.start: tuple[int, int] = (1, 1)


class LocList(list):  # type: ignore[type-arg]
    """A sequence that remembers where each item was."""

    __slots__ = ("pos", "start")

    def __init__(self) -> None:
        super().__init__()
        self.pos: list[tuple[int, int]] = []
        self.start: tuple[int, int] = (1, 1)


class YamlProblem(Exception):
    def __init__(self, code: str, line: int | None, col: int | None, **params: Any) -> None:
        super().__init__(code)
        self.code, self.line, self.col, self.params = code, line, col, params


def _mark(node: yaml.Node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


class _Loader(_Base):  # type: ignore[misc,valid-type]
    yaml_implicit_resolvers: dict[str, list[tuple[str, re.Pattern[str]]]] = {}

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.duplicates: list[Problem] = []
        self._seen: set[int] = set()

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        # The same node reached twice means an alias ("*name"): refuse it.
        if id(node) in self._seen:
            raise YamlProblem("yaml.alias", *_mark(node))
        self._seen.add(id(node))
        return super().construct_object(node, deep=True)

    def construct_loc_map(self, node: yaml.MappingNode) -> LocDict:
        result = LocDict()
        result.start = _mark(node)
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise YamlProblem("yaml.alias", *_mark(key_node))
            key = self.construct_object(key_node)
            if not isinstance(key, (str, int, float, bool)) or key is None:
                raise YamlProblem("yaml.bad-key", *_mark(key_node))
            if key in result:
                line, col = _mark(key_node)
                raise YamlProblem("yaml.duplicate-key", line, col, key=str(key),
                                  first=result.pos[key][0])
            result.pos[key] = _mark(key_node)
            result.vpos[key] = _mark(value_node)
            result[key] = self.construct_object(value_node)
        return result

    def construct_loc_seq(self, node: yaml.SequenceNode) -> LocList:
        result = LocList()
        result.start = _mark(node)
        for child in node.value:
            result.pos.append(_mark(child))
            result.append(self.construct_object(child))
        return result


_Loader.add_constructor("tag:yaml.org,2002:map", _Loader.construct_loc_map)
_Loader.add_constructor("tag:yaml.org,2002:seq", _Loader.construct_loc_seq)
_Loader.add_constructor("tag:yaml.org,2002:omap", _Loader.construct_loc_seq)

# YAML 1.2 core-schema resolvers plus dates: only true/false are booleans,
# integers are decimal or 0x/0o, no base-60.
_RESOLVERS = [
    ("tag:yaml.org,2002:bool", r"^(?:true|True|TRUE|false|False|FALSE)$", "tTfF"),
    ("tag:yaml.org,2002:int", r"^(?:[-+]?[0-9]+|0x[0-9a-fA-F]+|0o[0-7]+)$", "-+0123456789"),
    ("tag:yaml.org,2002:float",
     r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$",
     "-+0123456789."),
    ("tag:yaml.org,2002:null", r"^(?:~|null|Null|NULL|)$", ["~", "n", "N", ""]),
    ("tag:yaml.org,2002:timestamp",
     r"^(?:[0-9]{4}-[0-9]{2}-[0-9]{2}|[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:[Tt]|[ \t]+)[0-9]{1,2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9]{1,2}(?::[0-9]{2})?))?)$",
     "0123456789"),
]
for _tag, _regex, _first in _RESOLVERS:
    _Loader.add_implicit_resolver(_tag, re.compile(_regex), list(_first))


def _int_1_2(loader: _Loader, node: yaml.ScalarNode) -> int:
    value = node.value.replace("_", "")
    if value.startswith("0o"):
        return int(value[2:], 8)
    if value.startswith("0x"):
        return int(value[2:], 16)
    return int(value)


_Loader.add_constructor("tag:yaml.org,2002:int", _int_1_2)


def _timestamp(loader: _Loader, node: yaml.ScalarNode) -> Any:
    # An impossible date (2024-02-30) stays text, so the schema reports it at
    # its field with a hint, instead of PyYAML raising ValueError.
    try:
        return yaml.constructor.SafeConstructor.construct_yaml_timestamp(loader, node)
    except ValueError:
        return node.value


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp)


def parse_yaml(text: str) -> Any:
    """Parse one YAML document into plain values with positions.

    Raises ``YamlProblem`` with a code and position on any failure.
    """
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        try:
            return loader.construct_document(node)
        except RecursionError:
            raise YamlProblem("yaml.too-deep", *_mark(node)) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        if exc.context_mark is not None and "quoted scalar" in (exc.context or ""):
            mark = exc.context_mark  # an unclosed quote: point where it opens, not at the end of the file
        line = mark.line + 1 if mark else None
        col = mark.column + 1 if mark else None
        if "found another document" in str(exc) or "but found another document" in str(exc):
            raise YamlProblem("yaml.multiple-documents", line, col) from None
        detail = (exc.problem or "").strip()
        raise YamlProblem("yaml.syntax", line, col, detail=detail) from None
    except yaml.YAMLError as exc:
        raise YamlProblem("yaml.syntax", None, None, detail=str(exc).strip()) from None
    except RecursionError:
        raise YamlProblem("yaml.too-deep", None, None) from None
    finally:
        loader.dispose()


def locate(data: Any, path: tuple[Any, ...], value: bool = False) -> tuple[int | None, int | None]:
    """The deepest known position along ``path`` in a loaded document.

    Pydantic reports errors by path (``("agenda", 2, "options", 0, "cost")``); this
    walks the same path through ``LocDict``/``LocList`` and returns where the key
    was written (with ``value=True``: where a scalar value starts), or, for a
    missing key, where the enclosing mapping is.
    """
    best: tuple[int | None, int | None] = getattr(data, "start", (None, None))
    node = data
    for step in path:
        if isinstance(node, LocDict) and step in node:
            best = node.pos.get(step, best)
            if value and not isinstance(node[step], (LocDict, LocList)):
                best = node.vpos.get(step, best)
            node = node[step]
        elif isinstance(node, LocList) and isinstance(step, int) and 0 <= step < len(node):
            best = node.pos[step]
            node = node[step]
        else:
            break
    return best
