"""Problems as data: every check yields ``Problem`` records into a ``Report``.

A problem carries a stable ``code`` (e.g. ``budget.total-mismatch``) and the
parameters of its message; the words themselves come from ``generator.messages``
in the reader's language, at output time.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Iterable, Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True, slots=True)
class Problem:
    code: str
    file: str
    line: int | None = None
    col: int | None = None
    params: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)
    severity: Severity = "error"

    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.file, self.line or 0, self.col or 0, self.code)


@dataclass
class Report:
    problems: list[Problem] = field(default_factory=list)
    files_checked: int = 0

    def add(self, problem: Problem) -> None:
        self.problems.append(problem)

    def extend(self, problems: Iterable[Problem]) -> None:
        self.problems.extend(problems)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]

    @property
    def ok(self) -> bool:
        return not self.errors

    def escalate(self, codes: frozenset[str] | set[str]) -> None:
        """``--strict``: warnings with one of ``codes`` become errors."""
        self.problems = [replace(p, severity="error") if p.severity == "warning" and p.code in codes else p
                         for p in self.problems]

    def sorted(self) -> list[Problem]:
        return sorted(self.problems, key=Problem.sort_key)
