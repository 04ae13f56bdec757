"""What a ballot of a participatory-budgeting round may hold, read from the round's
entry in the compiled spec (``site/forms/spec.json``, key ``ballots``)::

    {"type": "approval" | "cumulative" | "ordinal", "projects": [ids],
     "min_choices": int | null, "max_choices": int | null,
     "points": int | null, "opens": "YYYY-MM-DD", "closes": "YYYY-MM-DD"}

and how the site's ballot page sends it (urlencoded, no JavaScript): approval
``project`` repeated; cumulative ``points.<id>`` = whole number (blank = 0);
ordinal ``rank.<id>`` = 1…n (blank = unranked).

``choices`` turns the posted fields into ``{project id: value}`` (1 for approval,
the points, the rank) or a list of problems ``(code, params)``; the endpoint words
them (``endpoint.ballot.<code>`` in the catalog). A ``null`` ``min_choices`` means
at least one choice (an empty ballot counts for nothing), a ``null``
``max_choices`` every project.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

TYPES = ("approval", "cumulative", "ordinal")
Problem = tuple[str, dict[str, Any]]


def window(spec: dict[str, Any], today: dt.date) -> str:
    """``open``, ``not_open`` (before ``opens``) or ``closed`` (after ``closes``), both days included.

    >>> r = {"opens": "2026-12-01", "closes": "2026-12-14"}
    >>> [window(r, dt.date(2026, 12, d)) for d in (1, 14, 15)], window(r, dt.date(2026, 11, 30))
    (['open', 'open', 'closed'], 'not_open')
    """
    opens, closes = spec.get("opens"), spec.get("closes")
    if opens and today < dt.date.fromisoformat(opens):
        return "not_open"
    if closes and today > dt.date.fromisoformat(closes):
        return "closed"
    return "open"


def bounds(spec: dict[str, Any]) -> tuple[int, int]:
    """(least, most) projects a ballot may choose."""
    n = len(spec.get("projects") or [])
    least = spec.get("min_choices") or 1
    most = spec.get("max_choices") or n
    return least, min(most, n)


def _whole(text: str) -> int | None:
    text = text.strip()
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 6 else None


def choices(spec: dict[str, Any], data: dict[str, list[str]]) -> tuple[dict[str, int], list[Problem]]:
    """The ballot's choices, or the problems that stop it.

    >>> spec = {"type": "ordinal", "projects": ["a", "b", "c"], "min_choices": None, "max_choices": 2}
    >>> choices(spec, {"rank.a": ["2"], "rank.b": ["1"], "rank.c": [""]})
    ({'b': 1, 'a': 2}, [])
    >>> choices(spec, {"rank.a": ["1"], "rank.c": ["3"]})[1]
    [('rank_order', {})]
    """
    kind = spec.get("type")
    projects: list[str] = list(spec.get("projects") or [])
    eligible = set(projects)
    problems: list[Problem] = []
    chosen: dict[str, int] = {}
    prefix = {"approval": None, "cumulative": "points.", "ordinal": "rank."}.get(str(kind), None)
    if kind == "approval":
        picked = [v.strip() for v in data.get("project", []) if v.strip()]
        for pid in picked:
            if pid not in eligible:
                problems.append(("not_eligible", {"project": pid}))
        if len(set(picked)) != len(picked):
            problems.append(("twice", {}))
        chosen = {pid: 1 for pid in projects if pid in set(picked)}
    elif prefix is not None:
        for name in data:
            if name.startswith(prefix) and name[len(prefix):] not in eligible:
                problems.append(("not_eligible", {"project": name[len(prefix):]}))
        for pid in projects:
            values = data.get(prefix + pid, [])
            if len(values) > 1:
                problems.append(("twice", {}))
            text = values[0] if values else ""
            if not text.strip():
                continue
            value = _whole(text)
            if kind == "cumulative":
                if value is None:
                    problems.append(("points_number", {"project": pid}))
                elif value > 0:
                    chosen[pid] = value
            elif value is None or not 1 <= value <= len(projects):
                problems.append(("rank_number", {"project": pid, "n": len(projects)}))
            else:
                chosen[pid] = value
        if kind == "cumulative" and not problems:
            total, limit = sum(chosen.values()), spec.get("points")
            if limit is not None and total > limit:
                problems.append(("points_total", {"points": limit, "total": total}))
        if kind == "ordinal" and not problems:
            if sorted(chosen.values()) != list(range(1, len(chosen) + 1)):
                problems.append(("rank_order", {}))
            chosen = dict(sorted(chosen.items(), key=lambda item: item[1]))
    else:
        raise ValueError(f"unknown ballot type {kind!r}")
    if not problems:
        least, most = bounds(spec)
        if len(chosen) < least:
            problems.append(("too_few", {"min": least}))
        elif len(chosen) > most:
            problems.append(("too_many", {"max": most, "n": len(chosen)}))
    return chosen, problems
