"""Statistics of published requests, for the requests page and the home page:
counts by category and status, median days to first reply, share answered
within the promised time, and satisfaction."""

from __future__ import annotations

import statistics
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from generator.index import Index
from generator.kinds.form.model import public_category_field
from generator.load import Project


@dataclass
class RequestStats:
    requests: list[Any] = field(default_factory=list)  #: PublicRequest, newest first
    by_status: Counter[str] = field(default_factory=Counter)
    by_category: Counter[tuple[str, str | None]] = field(default_factory=Counter)  #: (form, category)
    median_days: float | None = None
    within_promise: tuple[int, int] = (0, 0)  #: (answered in time, with a promise)
    rating_avg: float | None = None
    rating_count: int = 0
    satisfaction: list[Any] = field(default_factory=list)  #: RatingSummary

    @property
    def open_count(self) -> int:
        return self.by_status["received"] + self.by_status["in-progress"]


def request_stats(project: Project, index: Index) -> RequestStats:
    stats = RequestStats()
    for doc in project.valid("requests"):
        stats.requests.extend(doc.model.requests)
        stats.satisfaction.extend(doc.model.satisfaction)
    stats.requests.sort(key=lambda r: (r.received, r.id), reverse=True)
    days = []
    in_time = promised = 0
    ratings = []
    for r in stats.requests:
        stats.by_status[r.status] += 1
        stats.by_category[(r.form, r.category)] += 1
        if r.first_reply is not None:
            days.append((r.first_reply - r.received).days)
        form = index.table("form").get(r.form)
        limit = form.model.reply_days if form is not None else None
        if limit:
            promised += 1
            if r.first_reply is not None and (r.first_reply - r.received).days <= limit:
                in_time += 1
        if r.rating is not None:
            ratings.append(r.rating)
    stats.median_days = statistics.median(days) if days else None
    stats.within_promise = (in_time, promised)
    stats.rating_avg = round(statistics.fmean(ratings), 1) if ratings else None
    stats.rating_count = len(ratings)
    return stats


def category_label(index: Index, form_id: str, value: str | None) -> Any:
    """The form's label for a category value (a choice of its public category field)."""
    form = index.table("form").get(form_id)
    if form is None or value is None:
        return value or "—"
    field = public_category_field(form.model)  # never a private field's choices
    for c in field.choices if field is not None else []:
        if c.value == value:
            return c.label
    return value
