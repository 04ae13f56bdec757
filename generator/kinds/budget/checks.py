"""Budget arithmetic and finance rules.

- each line sits in its year's file;
- declared totals (``totals.csv``) equal the sum of their lines, to the fen;
- a line's ``decision`` exists and was adopted (a warning when not: a gap to publish);
- the community's own rule: spending above its threshold needs a decision (a
  warning, ``--strict`` makes it an error; a tiered ``procedures:`` replaces it);
- actual spending above plan is flagged (a warning: it may be right, but say why).
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING, Iterator

from generator.index import Index
from generator.kinds.budget.model import BudgetLine
from generator.kinds.budget.spending import spends
from generator.load import Budgets, Project
from generator.loading.cache import Memo, key_of
from generator.messages import DIRECTION, unknown_ref
from generator.problems import Problem
from portal_core.i18n import pair, text
from portal_core.languages import pick

if TYPE_CHECKING:  # the community's procedure, read from community.yaml: the approval kind's model
    from generator.kinds.approval.procedure import Procedures


#: Totals are compared in fen (0.01 CNY) to avoid float drift.
def _fen(value: float) -> int:
    return round(value * 100)


def _money(fen: int) -> str:
    return f"{fen / 100:,.2f}"


def check(project: Project, index: Index) -> Iterator[Problem]:
    """The budget's arithmetic and the decisions its lines cite. With the check cache, the
    findings (all in the tables' files) are kept by the tables' key, community.yaml's text
    and the decisions as the index has them (ids and outcomes, the ids of meetings that did
    not validate): an edit that leaves those as they were reads no budget line again."""
    store = project.cache
    if store is None or project.tables_key is None:
        return iter(list(_check(project, index)))
    decisions = index.table("decision")
    key = key_of(project.tables_key, project.texts_key("community"), str(bool(project.docs.get("meeting"))),
                 repr([(ident, getattr(ref, "outcome", None)) for ident, ref in decisions.items()]),
                 repr(sorted(index.raw_ids.get("decision", set()))))
    found = store.get("budget-checks", key)
    if not isinstance(found, list):
        found = list(_check(project, index))
        store.put("budget-checks", key, found)
    return iter(found)


def _check(project: Project, index: Index) -> Iterator[Problem]:
    budgets = project.budgets
    community = project.community
    rules = community.finance_rules if community is not None else None
    threshold = rules.decision_threshold if rules is not None else None
    threshold_funds = set(rules.threshold_funds) if rules is not None else set()
    source = pick(rules.source, "zh") if rules is not None and rules.source else text("problem.word.finance-rules", "zh")
    have_meetings = bool(project.docs.get("meeting"))
    # A tiered procedure (community.yaml procedures:) replaces the single threshold:
    # the approval kind's checks (generator.kinds.approval.checks) judge every line against it.
    procs = community.procedures if community is not None else None

    def col(file: str, name: str) -> int | None:
        return budgets.columns.get(file, {}).get(name)

    # Frictionless rejected a year's table: compare no totals for that year;
    # it rejected the funds or totals table: compare none at all.
    tainted_years = {_file_year(f) for f in budgets.tainted} - {None}
    skip_all_totals = any(_file_year(f) is None for f in budgets.tainted)
    sums, unreadable, attention = _line_facts(project, threshold, threshold_funds, procs)
    for line in attention:  # the others yield nothing
        file_year = _file_year(line.file)
        if line.year is not None and file_year is not None and line.year != file_year:
            yield Problem("budget.year-mismatch", line.file, line.line, col(line.file, "year"), {"year": line.year, "file_year": file_year})
        if line.decision:
            ref = index.table("decision").get(line.decision)
            if ref is None and have_meetings and line.decision not in index.ids("decision"):
                yield unknown_ref(line.file, line.line, col(line.file, "decision"), index.what("decision"),
                                  line.decision, index.table("decision"))
            elif ref is not None and ref.outcome != "adopted":
                yield Problem("budget.decision-not-adopted", line.file, line.line, col(line.file, "decision"),
                              {"decision": line.decision, "outcome_en": ref.outcome,
                               "outcome": text(f"problem.word.outcome.{ref.outcome}", "zh")
                               if ref.outcome in ("rejected", "deferred") else ""},
                              "warning")
        elif (threshold is not None and not _tiered(procs, line) and line.direction == "expenditure"
              and not line.approval and not line.contract
              and (not threshold_funds or line.fund in threshold_funds)):
            amount = max(line.planned or 0, line.actual or 0)
            if amount > threshold:
                yield Problem("budget.decision-required", line.file, line.line, col(line.file, "decision"),
                              {"amount": f"{amount:,.2f}", "threshold": f"{threshold:,.0f}", "source": source},
                              "warning")
        if (line.direction == "expenditure" and line.planned is not None and line.actual is not None
                and _fen(line.actual) > _fen(line.planned)):
            yield Problem("budget.actual-over-plan", line.file, line.line, col(line.file, "actual"),
                          {"actual": _money(_fen(line.actual)), "planned": _money(_fen(line.planned))},
                          "warning")

    declared: set[tuple[int, str, str]] = set()
    if skip_all_totals:
        return
    for total in budgets.totals:
        if total.year is None or total.year in tainted_years:
            continue
        key = (total.year, total.fund, total.direction)
        declared.add(key)
        fund_name = budgets.funds.get(total.fund, total.fund)
        zh_dir, en_dir = DIRECTION.get(total.direction, (total.direction, total.direction))
        base = {"year": total.year, "fund": fund_name, "direction": zh_dir, "direction_en": en_dir}
        found = sums.get(key)
        if key in unreadable:
            continue
        if found is None:
            if budgets.years and total.year in budgets.years:
                yield Problem("budget.total-no-lines", total.file, total.line, None, base)
            continue
        for name, value, computed, zh, en in (
            ("planned_total", total.planned_total, found[0], *pair("problem.word.planned-total")),
            ("actual_total", total.actual_total, found[1], *pair("problem.word.actual-total")),
        ):
            if value is None:
                continue
            if _fen(value) != computed:
                yield Problem("budget.total-mismatch", total.file, total.line, col(total.file, name),
                              {**base, "column": zh, "column_en": en, "declared": _money(_fen(value)),
                               "computed": _money(computed), "diff": _money(_fen(value) - computed)})
    if budgets.totals:
        totals_file = budgets.totals[0].file
        for key in sorted(sums):
            if key not in declared and key[0] not in tainted_years:
                year, fund, direction = key
                zh_dir, en_dir = DIRECTION.get(direction, (direction, direction))
                yield Problem("budget.total-missing", totals_file, None, None,
                              {"year": year, "fund": budgets.funds.get(fund, fund), "direction": zh_dir,
                               "direction_en": en_dir}, "warning")


Sums = dict[tuple[int, str, str], list[int]]


def _line_facts(project: Project, threshold: float | None, threshold_funds: set[str],
                procs: Procedures | None) -> tuple[Sums, set[tuple[int, str, str]], list[BudgetLine]]:
    """The lines' sums in fen (planned, actual, count) by (year, fund, direction), the groups
    with an unreadable amount, and the lines that may yield a problem (a decision to look
    up, a year or an amount to report: kept themselves, so that the others are not read). The tables and the community's
    rules alone decide them: with the cache on, they are kept by the tables' key and
    community.yaml's, not worked out again from 100,000 lines after an edit elsewhere."""
    community = tuple(project.docs.get("community", []))
    memo = Memo(project.cache if project.tables_key else None, "budget-lines", "")
    [facts] = memo.get((project.tables_key or "", *community), _work_out, project.budgets, threshold,
                       threshold_funds, procs)
    memo.save()
    sums, unreadable, attention = facts
    return sums, unreadable, attention


def _work_out(budgets: Budgets, threshold: float | None, threshold_funds: set[str],
              procs: Procedures | None) -> Iterator[tuple[Sums, set[tuple[int, str, str]], list[BudgetLine]]]:
    """``_line_facts`` worked out (one item). A line is of ``attention`` when ``check``'s
    loop would yield for it under some decision index: each condition there is here."""
    sums: Sums = {}
    unreadable: set[tuple[int, str, str]] = set()
    attention: list[BudgetLine] = []
    for line in budgets.lines:  # read here, on a miss only (the cache keeps them apart)
        file_year = _file_year(line.file)
        if line.year is not None:
            key = (line.year, line.fund, line.direction)
            s = sums.get(key)
            if s is None:
                s = sums[key] = [0, 0, 0]
            s[0] += _fen(line.planned or 0)
            s[1] += _fen(line.actual or 0)
            s[2] += 1
            if not line.amounts_ok:
                unreadable.add(key)
        if (line.year is not None and file_year is not None and line.year != file_year) or line.decision \
                or (threshold is not None and not _tiered(procs, line) and line.direction == "expenditure"
                    and not line.approval and not line.contract
                    and (not threshold_funds or line.fund in threshold_funds)
                    and max(line.planned or 0, line.actual or 0) > threshold) \
                or (line.direction == "expenditure" and line.planned is not None and line.actual is not None
                    and _fen(line.actual) > _fen(line.planned)):
            attention.append(line)
    yield sums, unreadable, attention


def _tiered(procs: Procedures | None, line: BudgetLine) -> bool:
    """Whether the tiered procedure, not the single threshold, judges this line."""
    if procs is None:
        return False
    spent = spends([line])
    return not spent or procs.in_force(spent[0].last)


@lru_cache(maxsize=1024)  # a few tables, asked once per line
def _file_year(file: str) -> int | None:
    stem = file.rsplit("/", 1)[-1].removesuffix(".csv")
    return int(stem) if stem.isdigit() and len(stem) == 4 else None
