"""The next free id of each kind, following the conventions of the demo data:

- notices and meetings: ``<date>-<slug>`` (``2026-11-21-council-q4-agenda``);
- rules, services, forms: a slug (``residents-covenant``);
- decisions: ``D<year>-<nn>``, unique across all meetings (``D2026-09``);
- budget years: ``<year>.csv``; their lines ``<year>-<fund code>-<nnn>``
  (``2026-SQ-001``), the fund code taken from the previous year's lines.

A taken id gets ``-2``, ``-3`` … so ``portal new`` never overwrites a file.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

_DECISION = re.compile(r"""^\s*(?:-\s+)?id:\s*["']?D(\d{4})-(\d+)["']?\s*(?:#.*)?$""", re.M)
_LINE_ID = re.compile(r"^(\d{4})-([A-Za-z]+)-(\d+)$")


def free_id(folder: Path, base: str, suffix: str = ".yaml") -> str:
    """``base``, or ``base-2``, ``base-3`` … whichever has no file in ``folder`` yet."""
    candidate, n = base, 1
    while (folder / f"{candidate}{suffix}").exists():
        n += 1
        candidate = f"{base}-{n}"
    return candidate


def next_decision_id(meetings: Path, year: int) -> str:
    """One more than the highest ``D<year>-nn`` in any meeting file.

    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / "m.yaml").write_text("agenda:\\n  - decision:\\n      id: D2026-09\\n")
    >>> next_decision_id(d, 2026), next_decision_id(d, 2027)
    ('D2026-10', 'D2027-01')
    """
    highest = 0
    for path in sorted(meetings.glob("*.yaml")) if meetings.is_dir() else []:
        for match in _DECISION.finditer(path.read_text(encoding="utf-8", errors="replace")):
            if int(match.group(1)) == year:
                highest = max(highest, int(match.group(2)))
    return f"D{year}-{highest + 1:02d}"


def budget_years(budgets: Path) -> list[int]:
    """Years that have a ``<year>.csv``, ascending."""
    return sorted(int(p.stem) for p in budgets.glob("*.csv") if p.stem.isdigit() and len(p.stem) == 4)


def fund_code(budgets: Path, fund: str) -> str | None:
    """The code the latest year's lines use for ``fund`` (``SQ`` in ``2026-SQ-001``), if any."""
    for year in reversed(budget_years(budgets)):
        with open(budgets / f"{year}.csv", encoding="utf-8-sig", newline="") as fh:
            for row in csv.DictReader(fh):
                match = _LINE_ID.match(row.get("id") or "")
                if match and row.get("fund") == fund:
                    return match.group(2)
    return None
