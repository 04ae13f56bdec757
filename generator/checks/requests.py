"""Published requests: ids unique across years, forms exist, dates in order,
a record sits in its year's file, and an answered request has a reply."""

from __future__ import annotations

from typing import Iterator

from generator.checks.references import unknown
from generator.index import Index
from generator.load import Project
from generator.problems import Problem


def check(project: Project, index: Index) -> Iterator[Problem]:
    seen: dict[str, str] = {}
    for doc in project.valid("requests"):
        log = doc.model
        for i, r in enumerate(log.requests):
            path = ("requests", i)
            first = seen.get(r.id)
            if first is not None:
                zh, en = index.what("request")
                yield doc.problem("id.duplicate", *path, "id", what=zh, what_en=en, id=r.id, other=first)
            else:
                seen[r.id] = f"{doc.file}:{doc.at(*path, 'id')[0]}"
            if r.form not in index.table("form") and project.docs.get("form"):
                yield unknown(doc, (*path, "form"), "form", r.form, index)
            if log.id.isdigit() and r.received.year != int(log.id):
                yield doc.problem("request.wrong-year", *path, "received", year=r.received.year, file_year=log.id)
            for name in ("first_reply", "closed"):
                value = getattr(r, name)
                if value is not None and value < r.received:
                    yield doc.problem("date.range", *path, name, start=r.received, end=value)
            if r.status in ("answered", "closed") and not r.reply:
                yield doc.problem("request.reply-missing", *path, "status", status=r.status)
