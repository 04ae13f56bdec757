"""The meetings' part of the street views: every meeting for the street calendar, and
per year the meetings held and the decisions adopted."""

from __future__ import annotations

from collections import Counter

from generator.kinds.base import PageContext, StreetFacts, StreetFigure, StreetItem, StreetMetric
from portal_core.i18n import texts

METRICS = (
    StreetMetric("meeting.held", "meetings", texts("kind.meeting.street.held"), texts("kind.meeting.street.times")),
    StreetMetric("meeting.adopted", "meetings", texts("kind.meeting.street.adopted"),
                 texts("kind.meeting.street.items")),
)


def facts(ctx: PageContext) -> StreetFacts:
    meetings = ctx.index.models("meeting", lambda m: (m.date, m.start or "", m.id))
    held: Counter[int] = Counter()
    adopted: Counter[int] = Counter()
    for m in meetings:
        if m.status == "held":
            held[m.date.year] += 1
            adopted[m.date.year] += sum(1 for item in m.agenda
                                        if item.decision is not None and item.decision.outcome == "adopted")
    figures = [StreetFigure(key, year, float(counts[year]))
               for key, counts in (("meeting.held", held), ("meeting.adopted", adopted)) for year in sorted(held)]
    items = [StreetItem("calendar", m.id, m.date, m.title, f"meetings/{m.id}.md", start=m.start, end=m.end,
                        place=m.place, status=m.status) for m in meetings]
    return StreetFacts(METRICS, figures, items)
