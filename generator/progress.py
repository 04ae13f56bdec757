"""Progress of ``portal build`` and ``portal check`` on the terminal: a bar
(rich) on a TTY, one plain line per step otherwise (CI logs keep every line, a
bar would be a mess of carriage returns). Library calls report nothing unless
given a ``Steps``: tests stay quiet."""

from __future__ import annotations

import sys
import threading
from types import TracebackType
from typing import TextIO

from rich.console import Console
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

from portal_core.i18n import both


class Steps:
    """``steps("render")`` marks the start of a step named by ``cli.step.<name>`` (with
    ``params`` for its placeholders: ``steps("community", id="a")``). Steps may be marked
    from several threads (a street builds two communities at once)."""

    def __init__(self, command: str, total: int, stream: TextIO | None = None, tty: bool | None = None) -> None:
        self.command, self.total, self.done = command, total, 0
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty() if tty is None else tty
        self._bar: Progress | None = None
        self._task: TaskID | None = None
        self._lock = threading.Lock()

    def __enter__(self) -> Steps:
        if self.tty:
            self._bar = Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
                                 TimeElapsedColumn(), console=Console(file=self.stream), transient=True)
            self._bar.start()
            self._task = self._bar.add_task(self.command, total=self.total)
        return self

    def __call__(self, step: str, **params: str) -> None:
        label = both(f"cli.step.{step}", **params)
        with self._lock:
            if self._bar is not None and self._task is not None:
                self._bar.update(self._task, completed=self.done, description=f"{self.command}: {label}")
            else:
                self.stream.write(f"{self.command}: [{self.done + 1}/{self.total}] {label}\n")
                self.stream.flush()
            self.done += 1

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        if self._bar is not None:
            self._bar.stop()
