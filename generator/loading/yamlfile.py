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

import datetime as dt
import re
from typing import Any, Callable

import yaml

from generator.loading.textfile import MAX_YAML_BYTES

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


class _Loader(_Base):  # type: ignore[misc]
    """libyaml parses and composes the node tree (in C); ``_build`` turns nodes
    into values. Only the resolvers of this class are used (see below)."""

    yaml_implicit_resolvers: dict[str, list[tuple[str, re.Pattern[str]]]] = {}

    def resolve(self, kind: type[yaml.Node], value: Any, implicit: tuple[bool, bool]) -> Any:
        # libyaml asks this for every scalar; the same plain words (keys above all)
        # come again and again, and trying the patterns was a seventh of the parse.
        if kind is yaml.ScalarNode and implicit[0]:
            tag = _RESOLVED.get(value)
            if tag is None:
                tag = super().resolve(kind, value, implicit)
                if len(value) <= 64 and len(_RESOLVED) < 100_000:
                    _RESOLVED[value] = tag
            return tag
        return super().resolve(kind, value, implicit)


#: plain scalar -> its tag, as the resolvers below decide it
_RESOLVED: dict[str, str] = {}


def _int(value: str) -> int:
    value = value.replace("_", "")
    if value.startswith("0o"):
        return int(value[2:], 8)
    if value.startswith("0x"):
        return int(value[2:], 16)
    return int(value)


def _float(value: str) -> float:
    value = value.replace("_", "").lower()
    if value.endswith(".inf"):
        return float("-inf") if value.startswith("-") else float("inf")
    if value == ".nan":
        return float("nan")
    return float(value)


_TIMESTAMPS = yaml.constructor.SafeConstructor()


def _timestamp(value: str, node: yaml.ScalarNode) -> Any:
    # An impossible date (2024-02-30) stays text, so the schema reports it at
    # its field with a hint, instead of PyYAML raising ValueError.
    try:
        if len(value) == 10:
            return dt.date.fromisoformat(value)
        return _TIMESTAMPS.construct_yaml_timestamp(node)
    except ValueError:
        return value


_SCALAR: dict[str, Callable[[str], Any]] = {
    "tag:yaml.org,2002:str": str,
    "tag:yaml.org,2002:int": _int,
    "tag:yaml.org,2002:float": _float,
    "tag:yaml.org,2002:bool": lambda v: v.lower() == "true",
    "tag:yaml.org,2002:null": lambda v: None,
}
_MAP, _SEQ = "tag:yaml.org,2002:map", ("tag:yaml.org,2002:seq", "tag:yaml.org,2002:omap")


def _build(node: yaml.Node, seen: set[int] | None, depth: int = 0) -> Any:
    """Values from composed nodes, with positions; direct recursion is several
    times faster than PyYAML's generic constructor. ``depth``: collections around
    this node (more than ``MAX_DEPTH`` is refused where it passes the limit).
    ``seen``: the nodes built so far, None when the text holds no alias ("*")."""
    if seen is not None:
        if id(node) in seen:  # the same node reached twice is an alias ("*name"): refuse it
            raise YamlProblem("yaml.alias", *_mark(node))
        seen.add(id(node))
    tag = node.tag
    if isinstance(node, yaml.ScalarNode):
        convert = _SCALAR.get(tag)
        if convert is not None:
            try:
                return convert(node.value)
            except ValueError:
                return node.value
        if tag == "tag:yaml.org,2002:timestamp":
            return _timestamp(node.value, node)
        raise YamlProblem("yaml.syntax", *_mark(node), detail=f"unsupported tag {tag}")
    if depth >= MAX_DEPTH:
        raise YamlProblem("yaml.too-deep", *_mark(node), limit=MAX_DEPTH)
    if isinstance(node, yaml.MappingNode) and tag == _MAP:
        result = LocDict()
        mark = node.start_mark
        result.start = (mark.line + 1, mark.column + 1)
        pos, vpos = result.pos, result.vpos
        for key_node, value_node in node.value:
            key = _build(key_node, seen, depth + 1)
            if not isinstance(key, (str, int, float, bool)) or key is None:
                raise YamlProblem("yaml.bad-key", *_mark(key_node))
            if key in result:
                line, col = _mark(key_node)
                raise YamlProblem("yaml.duplicate-key", line, col, key=str(key), first=pos[key][0])
            km, vm = key_node.start_mark, value_node.start_mark
            pos[key] = (km.line + 1, km.column + 1)
            vpos[key] = (vm.line + 1, vm.column + 1)
            result[key] = _build(value_node, seen, depth + 1)
        return result
    if isinstance(node, yaml.SequenceNode) and tag in _SEQ:
        items = LocList()
        mark = node.start_mark
        items.start = (mark.line + 1, mark.column + 1)
        for child in node.value:
            cm = child.start_mark
            items.pos.append((cm.line + 1, cm.column + 1))
            items.append(_build(child, seen, depth + 1))
        return items
    raise YamlProblem("yaml.syntax", *_mark(node), detail=f"unsupported tag {tag}")


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



#: Deepest nesting of collections accepted. Data needs about ten levels. libyaml's
#: composer recurses in C: 50,000 nested brackets in a 100 KB file overflowed the
#: stack and killed the process (exit 139), before any Python check could run.
MAX_DEPTH = 100
#: Nesting libyaml's composer takes safely (50,000 overflowed; this is 50 times less).
#: Up to here the composed tree is built and ``_build`` enforces ``MAX_DEPTH``; above,
#: the events are counted first (a second parse: meetings, with their many inline
#: ``{…}``/``[…]``, were a third of the files doing it for nothing).
COMPOSE_SAFE = 1000
_CONTENT_START = re.compile(r"^[ ]*(?:[-?](?:[ ]+|$))*", re.MULTILINE)


def _may_be_deep(text: str) -> bool:
    """A cheap upper bound on nesting, so most files skip the exact scan: every
    flow collection starts with a ``[`` or ``{`` somewhere in the text (quoted or
    not), and block collections nest only at strictly increasing columns (one
    indentless sequence per level aside), none beyond where a line's content starts."""
    if text.count("[") + text.count("{") > COMPOSE_SAFE // 2:
        return True
    # each line's leading run (the pattern is anchored at line starts): one pass in C
    widest = max(map(len, _CONTENT_START.findall(text)), default=0)
    return 2 * (widest + 1) > MAX_DEPTH // 2


def _check_depth(text: str) -> None:
    """Raise ``yaml.too-deep`` where nesting passes ``MAX_DEPTH``. libyaml's parser
    is iterative, so counting its events is exact and cannot overflow; only then
    is the (recursive) composer run."""
    loader = _Loader(text)
    depth = 0
    try:
        while loader.check_event():
            event = loader.get_event()
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    mark = event.start_mark
                    assert mark is not None  # libyaml marks every event
                    raise YamlProblem("yaml.too-deep", mark.line + 1, mark.column + 1, limit=MAX_DEPTH)
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
    finally:
        loader.dispose()


def plain(value: Any) -> Any:
    """A parsed document as plain dicts and lists, positions dropped (a copy that
    libraries may mutate, or that compares equal to ``yaml.safe_load``'s)."""
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


def parse_yaml(text: str) -> Any:
    """Parse one YAML document into plain values with positions.

    Raises ``YamlProblem`` with a code and position on any failure.
    """
    if len(text) > MAX_YAML_BYTES:  # callers that read the file themselves (the inbox) get the same bound
        raise YamlProblem("file.too-large", None, None, size_mb=round(len(text.encode("utf-8")) / 1048576, 1),
                          limit_mb=round(MAX_YAML_BYTES / 1048576, 1))
    loader = _Loader(text)
    try:
        if _may_be_deep(text):
            _check_depth(text)
        node = loader.get_single_node()
        if node is None:
            return None
        try:
            # An alias is written "*name": without a "*" anywhere, no node can come twice.
            return _build(node, set() if "*" in text else None)
        except RecursionError:
            raise YamlProblem("yaml.too-deep", *_mark(node), limit=MAX_DEPTH) from None
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
        raise YamlProblem("yaml.too-deep", None, None, limit=MAX_DEPTH) from None
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
