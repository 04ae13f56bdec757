"""The requests' part of the street views, per year of receipt: how many, the median
days to the first reply, and the replies later than the form promised (or still
missing past the promise).

The median and the overdue share are rates: a community with fewer than
``MIN_SAMPLE`` requests in a year is listed but not compared on them, so one quick
answer to one request does not top a ranking.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from typing import Any

from generator.kinds.base import PageContext, StreetFacts, StreetFigure, StreetMetric
from portal_core.i18n import texts

#: Requests a community must have received in a year before its rates are compared.
MIN_SAMPLE = 10

METRICS = (
    StreetMetric("requests.count", "requests", texts("kind.requests.street.count"), texts("kind.requests.street.unit")),
    StreetMetric("requests.median-days", "requests", texts("kind.requests.street.median-days"),
                 texts("kind.requests.street.days"), sample="requests.count", min_sample=MIN_SAMPLE,
                 lower_is_better=True),
    StreetMetric("requests.overdue", "requests", texts("kind.requests.street.overdue"),
                 texts("kind.requests.street.unit")),
    StreetMetric("requests.overdue-share", "requests", texts("kind.requests.street.overdue-share"),
                 {"zh": "%", "en": "%"}, sample="requests.count", min_sample=MIN_SAMPLE, lower_is_better=True),
)


def overdue(request: Any, limit: int | None, today: Any) -> bool:
    """A reply later than the promise, or none yet and the promise past."""
    if not limit:
        return False
    reply = request.first_reply if request.first_reply is not None else today
    return bool((reply - request.received).days > limit)


def facts(ctx: PageContext) -> StreetFacts:
    by_year: dict[int, list[Any]] = defaultdict(list)
    for doc in ctx.project.valid("requests"):
        for r in doc.model.requests:
            by_year[r.received.year].append(r)
    forms = ctx.index.table("form")
    figures = []
    for year, requests in sorted(by_year.items()):
        days = [(r.first_reply - r.received).days for r in requests if r.first_reply is not None]
        late = sum(overdue(r, getattr(getattr(forms.get(r.form), "model", None), "reply_days", None), ctx.today)
                   for r in requests)
        figures += [
            StreetFigure("requests.count", year, float(len(requests))),
            # no reply yet at all: the median is unknown, not 0 days
            StreetFigure("requests.median-days", year, float(statistics.median(days)) if days else None),
            StreetFigure("requests.overdue", year, float(late)),
            StreetFigure("requests.overdue-share", year, round(100 * late / len(requests), 1)),
        ]
    return StreetFacts(METRICS, figures)
