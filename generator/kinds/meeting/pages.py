"""Meetings and their decisions: the meetings list, the decisions list (with the
spending that cites each), and one page per meeting."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from generator.kinds.base import Page, PageContext, latest, list_summary
from generator.kinds.budget.pages import spending_by_decision
from generator.kinds.common import pick
from generator.kinds.meeting.model import Meeting
from portal_core.i18n import text, texts

SUMMARY = texts("kind.meeting.summary")
DECISIONS_SUMMARY = texts("kind.meeting.decisions_summary")


def meetings(ctx: PageContext) -> list[Meeting]:
    """Newest first."""
    return ctx.once("meetings", lambda: ctx.index.models("meeting", lambda m: (m.date, m.id), reverse=True))


def decisions(ctx: PageContext) -> list[Any]:
    """Every decision (``index.DecisionRef``), newest first."""
    return ctx.once("decisions", lambda: sorted(ctx.index.table("decision").values(),
                                                key=lambda r: (r.meeting.date, r.decision.id), reverse=True))


def dates(ctx: PageContext) -> list[dt.date]:
    return [m.date for m in meetings(ctx) if m.date <= ctx.today]


def build(ctx: PageContext) -> Iterator[Page]:
    items, spending = meetings(ctx), spending_by_decision(ctx.project)
    flags = ctx.memo.get("gaps-by-record", {})
    yield Page("meetings/index.md", "meetings_index.md.j2", texts("kind.meeting.page.meetings-index.title"),
               {"meetings": items}, {**latest(dates(ctx)), "description": list_summary(ctx, SUMMARY, len(items))})
    yield Page("decisions/index.md", "decisions_index.md.j2", texts("kind.meeting.page.decisions-index.title"),
               {"decisions": decisions(ctx), "spending": spending},
               {**latest(dates(ctx)), "description": list_summary(ctx, DECISIONS_SUMMARY, len(decisions(ctx)))})
    for m in items:
        yield Page(f"meetings/{m.id}.md", "meeting.md.j2", m.title,
                   {"m": m, "body": ctx.index.table("body").get(m.body), "spending": spending,
                    "gaps": flags.get(("meeting", m.id), [])},
                   {"updated": m.date.isoformat(), "print": True, "description": _summary(m)})


def _summary(m: Meeting) -> dict[str, str]:
    titles = {lang: sep.join(pick(i.title, lang) for i in m.agenda) or text("site.agenda_unpublished", lang)
              for lang, sep in (("zh", "；"), ("en", "; "))}
    return {"zh": f"{m.date.year}年{m.date.month}月{m.date.day}日 {pick(m.place, 'zh')}。议程：{titles['zh']}",
            "en": f"{m.date.isoformat()}, {pick(m.place, 'en')}. Agenda: {titles['en']}"}
