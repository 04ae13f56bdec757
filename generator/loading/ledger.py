"""The ledger of issued public request numbers: ``data/requests/issued.csv``.

A public number (R2026-0024) names one request for good: residents cite it,
agendas and minutes refer to it. The yearly files cannot guarantee that alone:
a record deleted from ``2026.yaml`` takes its number out of sight, and a second
inbox database would give it again. So ``portal inbox publish`` also writes
every number it issues into this ledger, one line per number, and never removes
a line; the next number of a year comes after the highest ever issued (in the
ledger, the yearly files or the database publishing).

The ledger is a plain CSV a committee can open in Excel or WPS::

    id,receipt_key,issued
    R2026-0001,b52a7ba1304ba17a09b464a601020d4f,2026-10-02

``receipt_key`` ties the number to its request (the same key as in the yearly
file: public, not the receipt). ``issued`` is the date of the first publication.
A project published before the ledger existed gets it at its next publish,
started from the numbers in its yearly files.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

NAME = "issued.csv"
COLUMNS = ("id", "receipt_key", "issued")
PUBLIC_ID = re.compile(r"^R(\d{4})-(\d{4,})$")
KEY = re.compile(r"^([ghjkmnpqrstvwxyz]{32}|[0-9a-f]{32})$")


@dataclass(frozen=True)
class Entry:
    id: str
    receipt_key: str
    issued: dt.date
    line: int = 0  #: in the file (0: not read from a file)


@dataclass(frozen=True)
class BadRow:
    """A line of the ledger that cannot be used: ``reason`` is one of
    ``header``, ``columns``, ``id``, ``key``, ``date``."""

    line: int
    reason: str
    value: str = ""


@dataclass
class Ledger:
    path: Path
    exists: bool = False
    text: str = ""  #: as read
    entries: list[Entry] = field(default_factory=list)
    bad: list[BadRow] = field(default_factory=list)
    _index: dict[str, dict[str, Entry]] = field(default_factory=dict, repr=False)

    def owner(self, public_id: str) -> Entry | None:
        """The first line that issued ``public_id`` (a later duplicate is a conflict)."""
        return self._by("id").get(public_id)

    def of_key(self, key: str) -> Entry | None:
        """The first line that issued a number to the request with ``key``."""
        return self._by("receipt_key").get(key)

    def _by(self, column: str) -> dict[str, Entry]:
        """First entry by ``column``, built once (publish asks for every submission)."""
        cached: dict[str, Entry] | None = self._index.get(column)
        if cached is None:
            cached = {}
            for e in self.entries:
                cached.setdefault(getattr(e, column), e)
            self._index[column] = cached
        return cached

    def highest(self) -> dict[int, int]:
        """Year → highest sequence number ever issued."""
        top: dict[int, int] = {}
        for e in self.entries:
            m = PUBLIC_ID.match(e.id)
            if m:
                top[int(m.group(1))] = max(top.get(int(m.group(1)), 0), int(m.group(2)))
        return top

    def duplicates(self) -> list[tuple[Entry, Entry]]:
        """(first, later) for a number issued on two lines to two different requests."""
        seen: dict[str, Entry] = {}
        found = []
        for e in self.entries:
            first = seen.setdefault(e.id, e)
            if first is not e and first.receipt_key != e.receipt_key:
                found.append((first, e))
        return found

    def render(self, added: list[Entry]) -> str:
        """The file with ``added`` appended; lines already there keep their bytes."""
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        if not self.text.strip():
            writer.writerow(COLUMNS)
        for e in added:
            writer.writerow((e.id, e.receipt_key, e.issued.isoformat()))
        head = self.text if not self.text or self.text.endswith("\n") else self.text + "\n"
        return head + out.getvalue()


def path_of(project: Path) -> Path:
    return project / "data" / "requests" / NAME


def read(project: Path) -> Ledger:
    """The project's ledger (``exists=False`` and empty when there is none). Lines
    that cannot be used are in ``bad``, with their line number; the others are read."""
    path = path_of(project)
    ledger = Ledger(path)
    if not path.is_file():
        return ledger
    ledger.exists = True
    ledger.text = path.read_text(encoding="utf-8-sig")
    reader = csv.reader(io.StringIO(ledger.text))
    header = next(reader, [])
    if [c.strip() for c in header] != list(COLUMNS):
        ledger.bad.append(BadRow(1, "header", ",".join(header)))
        return ledger
    for row in reader:
        line = reader.line_num  # the row's last line: right unless a cell spans lines
        if not any(c.strip() for c in row):
            continue
        if len(row) != len(COLUMNS):
            ledger.bad.append(BadRow(line, "columns", ",".join(row)))
            continue
        public_id, key, issued = (c.strip() for c in row)
        if not PUBLIC_ID.match(public_id):
            ledger.bad.append(BadRow(line, "id", public_id))
            continue
        if not KEY.match(key):
            ledger.bad.append(BadRow(line, "key", key))
            continue
        try:
            day = dt.date.fromisoformat(issued)
        except ValueError:
            ledger.bad.append(BadRow(line, "date", issued))
            continue
        ledger.entries.append(Entry(public_id, key, day, line))
    return ledger
