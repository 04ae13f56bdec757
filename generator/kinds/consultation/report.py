"""The figures of an adoption report (意见采纳情况说明): comments per outcome and per
article, each entry weighted by its ``count`` (several residents saying the same thing
are one entry with ``count: 3``). Pure: the page and the tests read the same numbers."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import get_args

from generator.kinds.consultation.model import Consultation, Outcome, ReportEntry

OUTCOMES: tuple[str, ...] = get_args(Outcome)


def _zero() -> dict[str, int]:
    return dict.fromkeys(OUTCOMES, 0)


@dataclass
class Tally:
    total: int = 0
    by_outcome: dict[str, int] = field(default_factory=_zero)
    #: article number (or ``whole``) → outcome → comments, articles in draft order, ``whole`` last
    by_article: dict[int | str, dict[str, int]] = field(default_factory=dict)

    def article_total(self, article: int | str) -> int:
        return sum(self.by_article.get(article, {}).values())


def tally(c: Consultation, articles: list[int]) -> Tally:
    """The report's figures; ``articles``: the draft's article numbers, in order.

    >>> from generator.kinds.consultation.model import Consultation
    >>> c = Consultation.model_validate({"id": "x", "title": "t", "channel": "online", "start": "2026-10-01",
    ...     "state": "closed", "report": [{"article": 2, "summary": "s", "outcome": "adopted", "count": 2},
    ...                                   {"article": "whole", "summary": "s", "outcome": "out-of-scope", "reason": "r"}]})
    >>> t = tally(c, [1, 2])
    >>> t.total, t.by_outcome["adopted"], t.article_total(1), t.article_total(2), t.article_total("whole")
    (3, 2, 0, 2, 1)
    """
    t = Tally(by_article={**{n: _zero() for n in articles}, "whole": _zero()})
    for entry in c.report or []:
        t.total += entry.count
        t.by_outcome[entry.outcome] += entry.count
        t.by_article.setdefault(entry.key, _zero())[entry.outcome] += entry.count
    return t


def grouped(c: Consultation, articles: list[int]) -> list[tuple[int | str, list[ReportEntry]]]:
    """The entries by article, in the draft's order, ``whole`` first (it speaks of all)."""
    order: list[int | str] = ["whole", *articles]
    entries = c.report or []
    found = [(a, [e for e in entries if e.key == a]) for a in order]
    unknown = sorted({e.key for e in entries} - set(order), key=str)  # reported by the check; shown anyway
    found += [(a, [e for e in entries if e.key == a]) for a in unknown]
    return [(a, es) for a, es in found if es]
