"""The budget as a Frictionless data package (``Kind.data_package``): where it is, what each
resource must declare, and how the readable tables become the light records the
checks and pages use. ``generator.tables`` reads and validates the package."""

from __future__ import annotations

import re

from generator.kinds.base import DataPackage
from generator.kinds.budget.model import BUDGETS_FOLDER, REQUIRED_FIELDS, BudgetLine, DeclaredTotal, resource_role
from generator.load import Budgets
from generator.tables import PackageInfo, Table, rows


def parse(info: PackageInfo) -> Budgets:
    """Parse the readable tables into the records the cross-checks use."""
    budgets = Budgets()
    for table in info.tables:
        if not table.readable:
            continue
        found = rows(table)
        budgets.columns[table.file] = {name: i + 1 for i, name in enumerate(table.header)}
        if table.role == "lines":
            year = year_of(table.name)
            if year is not None:
                budgets.years.append(year)
            budgets.lines.extend(_lines(table, found))
        elif table.role == "totals":
            budgets.totals.extend(_totals(table, found))
        elif table.role == "funds":
            for _, row in found:
                if row.get("id"):
                    budgets.funds[row["id"]] = row.get("name", "")
    budgets.years = sorted(set(budgets.years) | set(info.declared_years))
    return budgets


def year_of(name: str) -> int | None:
    """The year of a ``lines-<year>`` resource.

    >>> year_of("lines-2025"), year_of("funds")
    (2025, None)
    """
    m = re.fullmatch(r"lines-(\d{4})", name)
    return int(m.group(1)) if m else None


def _num(value: str | None) -> float | None:
    if value is None or value.strip() == "":
        return None
    try:
        return float(value)
    except ValueError:
        return None  # frictionless reports the type error


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


def _lines(table: Table, rows: list[tuple[int, dict[str, str]]]) -> list[BudgetLine]:
    get = dict.get
    out = []
    for line, r in rows:
        planned_s, actual_s = get(r, "planned") or "", get(r, "actual") or ""
        planned, actual = _num(planned_s), _num(actual_s)
        ok = (planned is not None or not planned_s.strip()) and (actual is not None or not actual_s.strip())
        out.append(BudgetLine(table.file, line, get(r, "id", ""), _int(get(r, "year")), get(r, "fund", ""),
                              get(r, "direction", ""), planned, actual, get(r, "decision", "") or "",
                              get(r, "category", ""), get(r, "item", ""), ok, get(r, "period", "") or "",
                              get(r, "approval", "") or "", get(r, "contract", "") or "",
                              get(r, "date", "") or "", get(r, "payee", "") or "", get(r, "source", "") or "",
                              get(r, "note", "") or ""))
    return out


def _totals(table: Table, rows: list[tuple[int, dict[str, str]]]) -> list[DeclaredTotal]:
    return [
        DeclaredTotal(table.file, line, _int(r.get("year")), r.get("fund", ""), r.get("direction", ""),
                      _num(r.get("planned_total")), _num(r.get("actual_total")))
        for line, r in rows
    ]


PACKAGE = DataPackage(BUDGETS_FOLDER, resource_role, REQUIRED_FIELDS, year_of, parse)
