"""``portal check``'s messages: a problem's code and params → message and hint,
in zh or en.

The texts live in the translation catalog (``generator/strings/problems.yaml``,
read through ``portal_core.i18n.text``): ``problem.<code>`` is the message and
``problem.<code>.hint`` what to change, with an example where one helps; a
committee member reads them. ``docs/problem-codes`` lists them (generated from
:data:`CATALOG`; a test fails when a code is undocumented).
"""

from __future__ import annotations

import string
from typing import Any

from generator.problems import Problem
from portal_core.i18n import catalog, text

M = dict[str, tuple[str, str, str, str]]
_PREFIX = "problem."


def _catalog() -> M:
    """Every problem code: (zh message, zh hint, en message, en hint), as written."""
    entries = catalog()
    codes = [k[len(_PREFIX):] for k in entries
             if k.startswith(_PREFIX) and not k.endswith(".hint") and f"{k}.hint" in entries]
    return {code: (text(_PREFIX + code, "zh"), text(f"{_PREFIX}{code}.hint", "zh"),
                   text(_PREFIX + code, "en"), text(f"{_PREFIX}{code}.hint", "en")) for code in codes}


#: code → (zh message, zh hint, en message, en hint), unformatted: the problem codes.
CATALOG: M = _catalog()

#: Governance gaps (issue #13): published and flagged, warnings by default; ``--strict``
#: makes them errors (``Report.escalate``). Broken files, personal data and unsafe
#: markup are errors whatever this says.
GOVERNANCE: frozenset[str] = frozenset({
    *(code for code in CATALOG if code.split(".")[0] in ("procedure", "approval", "contract", "matter", "consultation")),
    "budget.decision-required", "budget.decision-not-adopted", "date.action-overdue",
    "meeting.agenda-unpublished",  # a held meeting whose agenda was never published
    "round.result-missing",  # a round counted or closed with no votes recorded
})

DIRECTION = {key: (text(f"problem.direction.{key}", "zh"), text(f"problem.direction.{key}", "en"))
             for key in ("income", "expenditure")}


def unknown_ref(file: str, line: int | None, col: int | None, what: tuple[str, str], ident: str,
                known: object) -> Problem:
    """``ref.unknown`` with a hint that lists the ids that do exist (or says to add one);
    ``what`` names the target in zh and en (``Index.what``)."""
    zh, en = what
    sample = ", ".join(sorted(map(str, known))[:12])  # type: ignore[call-overload]
    key = "problem.ref.unknown.known" if sample else "problem.ref.unknown.add-first"
    hint, hint_en = (text(key, lang, what=zh, what_en=en, sample=sample) for lang in ("zh", "en"))
    return Problem("ref.unknown", file, line, col, {"what": zh, "what_en": en, "id": ident,
                                                    "hint_known": hint, "hint_known_en": hint_en})


def _placeholders(code: str) -> set[str]:
    return {name for template in CATALOG[code] for _, name, _, _ in string.Formatter().parse(template) if name}


def render(problem: Problem, lang: str = "zh") -> tuple[str, str]:
    """Message and hint for a problem in ``zh`` or ``en``; a parameter the problem
    does not give is left blank."""
    if problem.code not in CATALOG:  # tests/test_docs.py keeps every emitted code in the catalog
        return problem.code, ""
    params: dict[str, Any] = {name: "" for name in _placeholders(problem.code)}
    params.update({"code": problem.code, **problem.params})
    return text(_PREFIX + problem.code, lang, **params), text(f"{_PREFIX}{problem.code}.hint", lang, **params)
