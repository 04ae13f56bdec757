"""Communities side by side, one table per view and year, from the metrics the kinds
declared (``kinds.base.StreetMetric``): the value, per household where the metric asks
for it, what the value leaves out, and a rank where the metric allows one.

The rules a resident relies on:

- a value nobody recorded is ``None`` (shown "not recorded"), never 0; per household it
  is ``None`` too, and so is a per-household figure of a community without a household
  count (shown "cannot be computed");
- a rate (``StreetMetric.sample``) is compared only between communities with at least
  ``min_sample`` entries in that year: the others are listed, not ranked;
- a community whose figures are stale (its data failed this build) is listed with its
  last figures, marked, and not ranked: a ranking says nothing about old data.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from generator.kinds.base import StreetMetric
from generator.street.collect import CommunityFacts, StreetData


@dataclass
class Cell:
    value: float | None
    per_household: float | None = None
    pending: int = 0  #: entries the value leaves out (budget lines with no actual amount)
    planned: float | None = None  #: their planned amount
    #: a rate computed over too few entries: shown, never compared
    small_sample: bool = False
    rank: int | None = None


@dataclass
class Row:
    community: CommunityFacts
    cells: dict[str, Cell]
    ranked: bool = False  #: holds a rank in at least one metric

    @property
    def incomplete(self) -> bool:
        return any(c.pending for c in self.cells.values())


@dataclass
class YearTable:
    year: int | None
    metrics: list[StreetMetric]
    rows: list[Row]  #: ranked rows first (by the first ranked metric), then the others in street order
    unpublished: list[CommunityFacts] = field(default_factory=list)  #: missing members: not published


def per_household(value: float | None, households: int | None) -> float | None:
    """Per household, or None when either is unknown (never 0).

    >>> per_household(1284.0, 1284), per_household(None, 10), per_household(5.0, None)
    (1.0, None, None)
    """
    if value is None or not households:
        return None
    return round(value / households, 2)


def views(data: StreetData) -> list[str]:
    """The views the declared metrics fill, in the order first declared."""
    return list(dict.fromkeys(m.view for m in data.metrics))


def years(data: StreetData, view: str) -> list[int | None]:
    keys = {m.key for m in data.metrics if m.view == view}
    found = {y for c in data.communities for (metric, y, _g) in c.figures if metric in keys}
    return sorted(found, key=lambda y: (y is None, y), reverse=True)


def table(data: StreetData, view: str, year: int | None) -> YearTable:
    metrics = [m for m in data.metrics if m.view == view]
    shown = [c for c in data.communities if c.published]
    rows = []
    for c in shown:
        cells = {}
        for m in metrics:
            f = c.figure(m.key, year)
            value = f.value if f is not None else None
            cell = Cell(value, per_household(value, c.households) if m.per_household else None,
                        f.pending if f is not None else 0, f.planned if f is not None else None)
            if m.sample is not None:
                sample = c.figure(m.sample, year)
                cell.small_sample = sample is None or (sample.value or 0) < m.min_sample
            cells[m.key] = cell
        rows.append(Row(c, cells))
    for m in metrics:
        if m.lower_is_better is None:
            continue
        # ranked: current data, enough entries, a value, nothing left out
        pool = [r for r in rows if r.community.status == "built" and not r.cells[m.key].small_sample
                and r.cells[m.key].value is not None and not r.cells[m.key].pending]
        pool.sort(key=lambda r: (r.cells[m.key].value or 0) * (1 if m.lower_is_better else -1))
        rank, previous = 0, None
        for i, r in enumerate(pool, 1):
            if r.cells[m.key].value != previous:  # equal values share a rank
                rank, previous = i, r.cells[m.key].value
            r.cells[m.key].rank = rank
            r.ranked = True
    first = next((m.key for m in metrics if m.lower_is_better is not None), None)
    if first is not None:
        order = {id(r): i for i, r in enumerate(rows)}
        rows.sort(key=lambda r: (r.cells[first].rank is None, r.cells[first].rank or 0, order[id(r)]))
    return YearTable(year, metrics, rows, [c for c in data.communities if not c.published])


def ranked_metrics(metrics: list[StreetMetric]) -> list[StreetMetric]:
    return [m for m in metrics if m.lower_is_better is not None]


def min_samples(metrics: list[StreetMetric]) -> list[int]:
    return sorted({m.min_sample for m in metrics if m.sample is not None and m.min_sample})
