"""How published requests enter the index: by public number (``request:R2026-0007``)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from generator.index import Index
from generator.load import Project


def index(project: Project, index: Index) -> None:
    table = index.table("request")
    for doc in project.valid("requests"):
        for r in doc.model.requests:
            table.setdefault(r.id, r)


def raw_ids(data: Any) -> Iterator[tuple[str, str]]:
    """A requests file with an error still publishes numbers: no cascade of unknown references."""
    records = data.get("requests")
    for r in records if isinstance(records, list) else []:
        if isinstance(r, dict) and isinstance(r.get("id"), str):
            yield "request", r["id"]
